"""Every route handler of the organisations context (API and back-office pages)."""

from governance.organisations.api import OrganisationApi, OrganisationsApi
from governance.organisations.pages import PAGE_HANDLERS
from governance.organisations.public import PUBLIC_HANDLERS

ORGANISATION_HANDLERS = [OrganisationsApi, OrganisationApi, *PAGE_HANDLERS, *PUBLIC_HANDLERS]
