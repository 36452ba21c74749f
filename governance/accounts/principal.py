"""Who is asking, as the accounts context knows it: the principal a session resolves to.

Defined here, below everything (the accounts context is the first in the migration order),
so that the accounts' own guards and pages need nothing from ``governance.auth``, the
request middleware that builds it; ``governance.auth`` re-exports both names.
"""

from __future__ import annotations

from dataclasses import dataclass

LANGUAGE_COOKIE = "governance_lang"


@dataclass(frozen=True)
class Principal:
    person_id: int
    email: str
    full_name: str
    is_admin: bool
    language: str
    session_handle: str
    # Organisations whose secretariat this person belongs to.
    staff_of: frozenset[int]

    def is_secretariat_of(self, organisation_id: int) -> bool:
        return self.is_admin or organisation_id in self.staff_of
