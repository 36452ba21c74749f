"""The secretariat's back office as pages: ``/organisations/...``, one module per thing managed.

The page kit (form state, ``submit``, form pages, addresses, breadcrumbs) is ``backoffice.py``;
its names are re-exported here so that the old import path keeps working.
"""

from governance.organisations.backoffice import (
    NEVER_ECHOED,
    FormPage,
    FormState,
    adjust,
    as_select,
    body_crumbs,
    body_url,
    defaults,
    deferred,
    initial,
    name_of,
    org_crumbs,
    org_url,
    rule_set_url,
    submit,
    typed,
)
from governance.organisations.body_pages import BodyPages
from governance.organisations.meeting_admin_pages import MEETING_GROUPS, MeetingAdminPages
from governance.organisations.member_pages import MemberPages
from governance.organisations.organisation_pages import OrganisationPages, OrganisationsPages
from governance.organisations.people_pages import PeoplePages
from governance.organisations.rule_set_pages import (
    RULE_SET_GROUPS,
    RuleSetPages,
    majority_in_words,
    rule_set_fieldsets,
)

PAGE_HANDLERS = [
    OrganisationsPages,
    OrganisationPages,
    BodyPages,
    RuleSetPages,
    MemberPages,
    PeoplePages,
    MeetingAdminPages,
]

__all__ = [
    "MEETING_GROUPS",
    "NEVER_ECHOED",
    "PAGE_HANDLERS",
    "RULE_SET_GROUPS",
    "FormPage",
    "FormState",
    "adjust",
    "as_select",
    "body_crumbs",
    "body_url",
    "defaults",
    "deferred",
    "initial",
    "majority_in_words",
    "name_of",
    "org_crumbs",
    "org_url",
    "rule_set_fieldsets",
    "rule_set_url",
    "submit",
    "typed",
]
