"""The pure rules refuse with :class:`governance.polls.rules.Refusal` (they import no HTTP or
error module); a use case wrapped in :func:`enforced` answers it as the domain error the API
and the pages know: 422 with the fields at fault, else 409."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from governance.errors import Conflict, DomainError, Invalid
from governance.polls import rules

P = ParamSpec("P")
R = TypeVar("R")


def error_of(refusal: rules.Refusal) -> DomainError:
    """A rule's refusal as the domain error the API and the pages answer with."""
    if refusal.fields is not None:
        return Invalid(refusal.message, fields=refusal.fields)
    return Conflict(refusal.message)


def enforced(use_case: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    @functools.wraps(use_case)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await use_case(*args, **kwargs)
        except rules.Refusal as refusal:
            raise error_of(refusal) from None

    return run
