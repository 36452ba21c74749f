"""Errors a user can cause, each with a human sentence.

Services raise these; the web layer turns them into an inline form message (pages) or
an RFC 9457 problem-details JSON body (API). Nothing a user can type should reach the
client as a 500.
"""

from __future__ import annotations

from governance.db import IntegrityViolation
from governance.i18n import gettext as _


class DomainError(Exception):
    status_code = 400
    title = "Bad request"

    def __init__(
        self, message: str, *, fields: dict[str, str] | None = None, details: dict[str, object] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        # Machine-readable facts for the API's problem body (e.g. the items a close leaves untreated).
        self.details = details or {}


class Invalid(DomainError):
    """Input that breaks a rule; ``fields`` says which field and why."""

    status_code = 422
    title = "Invalid input"


class NotFound(DomainError):
    status_code = 404
    title = "Not found"


class Forbidden(DomainError):
    status_code = 403
    title = "Forbidden"


class Unauthenticated(DomainError):
    status_code = 401
    title = "Not signed in"


class Conflict(DomainError):
    status_code = 409
    title = "Conflict"


class TooManyAttempts(DomainError):
    status_code = 429
    title = "Too many attempts"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


# Human sentences for the database's own refusals, by (table, columns) for unique
# indexes and by constraint name for the rest. Services check the common cases
# first with better context; these are the backstop for races and gaps.
def _unique_messages() -> dict[tuple[str, tuple[str, ...]], tuple[str, str]]:
    return {
        ("person", ("email",)): ("email", _("A person with this e-mail address already exists.")),
        ("organisation", ("slug",)): ("slug", _("An organisation with this short code already exists.")),
        ("body", ("organisation", "slug")): ("slug", _("This organisation already has a body with this code.")),
        ("member", ("organisation", "slug")): ("slug", _("This organisation already has a member with this code.")),
        ("rule_set", ("body", "version")): ("version", _("This body already has a rule set with this version.")),
        ("majority_rule", ("rule_set", "decision_type")): (
            "decision_type",
            _("This rule set already has a majority rule for this decision type."),
        ),
        ("member_fee", ("member", "year")): ("year", _("The fee for this year is already recorded.")),
        ("seat", ("body", "member")): ("member", _("This member already has a seat in this body.")),
        ("staff", ("organisation", "person")): ("person", _("This person is already on the secretariat.")),
        ("directory_entry", ("organisation", "person")): ("person", _("This person is already in the directory.")),
        ("mandate", ("person", "body", "member")): (
            "person",
            _("This person already represents this member in this body."),
        ),
        ("mandate", ("body", "member")): (
            "role",
            _("This member already has a representative with this role in this body."),
        ),
        ("mandate", ("body",)): ("office", _("Another person already holds this office in this body.")),
        ("event", ("slug",)): ("slug", _("An event with this short code already exists.")),
        ("speaker_request", ("item", "person")): ("person", _("You are already waiting for the floor on this item.")),
        ("speaker_request", ("meeting",)): ("person", _("Someone else has the floor.")),
        ("presence", ("meeting", "member")): ("member", _("This member is already checked in.")),
        ("presence", ("meeting", "person")): ("person", _("This person is already checked in for another member.")),
        ("proxy", ("meeting", "grantor")): ("grantor", _("This member has already given its proxy.")),
        ("recusal", ("item", "member")): ("member", _("This recusal is already declared.")),
        ("meeting", ("slug",)): ("slug", _("A meeting with this short code already exists.")),
    }


def from_integrity(violation: IntegrityViolation) -> DomainError:
    """The user-facing error for a database refusal."""
    if violation.kind == "unique":
        found = _unique_messages().get((violation.table or "", violation.columns))
        if found:
            field, message = found
            return Conflict(message, fields={field: message})
        return Conflict(_("This would duplicate an existing record."))
    if violation.kind == "foreign_key":
        return Conflict(_("This refers to a record that does not exist, or is still in use elsewhere."))
    if violation.kind == "check":
        return Invalid(_("This breaks a rule of the register ({rule}).").format(rule=violation.constraint or "check"))
    if violation.kind == "not_null":
        column = violation.columns[0] if violation.columns else ""
        return Invalid(_("A required value is missing."), fields={column: _("This field is required.")})
    return Conflict(_("The database refused this change."))
