"""The meeting in session, as the agenda's use cases share it: who drives the agenda, the
meeting's status, the member a person represents, one atomic change (with its log entries)
after which the live pages refresh, and the rules' refusals answered as domain errors."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

from governance import clock
from governance.agenda import rules
from governance.agenda.model import FINAL_STATUSES, OPEN_STATUSES, ItemStatus, MotionStatus
from governance.auth import Principal
from governance.errors import Conflict, DomainError, Forbidden, Invalid
from governance.i18n import gettext as _
from governance.meetings import unit_of_work
from governance.meetings.roles import MeetingRole
from governance.meetings.services import MeetingContext
from governance.organisations.statutes import Statutes

__all__ = ["FINAL_STATUSES", "OPEN_STATUSES"]

P = ParamSpec("P")
R = TypeVar("R")
Row = dict[str, Any]


def error_of(refusal: rules.Refusal) -> DomainError:
    """A rule's refusal as the domain error the API and the pages answer with."""
    if isinstance(refusal, rules.InvalidInput):
        return Invalid(refusal.message, fields=refusal.fields)
    if isinstance(refusal, rules.NotAllowed):
        return Forbidden(refusal.message)
    return Conflict(refusal.message)


@contextmanager
def refusals() -> Iterator[None]:
    try:
        yield
    except rules.Refusal as refusal:
        raise error_of(refusal) from None


def enforced(use_case: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """The use case, with the rules' refusals raised as domain errors."""

    @functools.wraps(use_case)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with refusals():
            return await use_case(*args, **kwargs)

    return run


def _said(vocabulary: type[MotionStatus] | type[ItemStatus], code: str) -> str:
    """A status code as words in the reader's language, for a sentence."""
    return rules.said(code, vocabulary)


def now() -> dt.datetime:
    return clock.now()


def _rules(context: MeetingContext) -> Statutes:
    if context.statutes is None:
        raise Conflict(_("The meeting is not convened yet: its rules are not fixed."))
    return context.statutes


def drives(context: MeetingContext) -> bool:
    """The chair drives the agenda; the secretary too where the statutes allow it."""
    statutes = context.statutes
    return rules.drives(context.roles, statutes is not None and statutes.secretary_may_drive_agenda)


def secretary(context: MeetingContext) -> bool:
    return MeetingRole.secretary in context.roles


def _require_driver(context: MeetingContext) -> None:
    with refusals():
        rules.require_driver(drives(context))


def _require_session(context: MeetingContext) -> None:
    with refusals():
        rules.in_session(context.meeting["status"])


async def change(context: MeetingContext, action: Callable[[], Awaitable[Any]]) -> Any:
    """One atomic change (with its log entries), then live pages refresh: the meeting's one
    unit of work (``governance.meetings.unit_of_work``), shared with the register."""
    return await unit_of_work.change(context, action)


def member_of(context: MeetingContext, principal: Principal) -> int | None:
    """The member the principal represents in this body (voting mandates first)."""
    return rules.represented_member(context.mandates_for(principal.person_id))
