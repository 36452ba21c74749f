"""Every route handler of the organisations context (API and back-office pages)."""

from governance.organisations.api import OrganisationApi, OrganisationsApi

ORGANISATION_HANDLERS = [OrganisationsApi, OrganisationApi]
