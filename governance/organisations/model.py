"""Typed values of the organisations context, decoded once from their rows.

A rule set's clauses are ``Statutes`` (``statutes.py``); which version a row is, is a
``RuleSetRef``: the use cases and pages that edit a version read ``ref.id`` and
``ref.version``, never a string key into the row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RuleSetRef:
    """One version of a body's rule set: its identity, name and the dates it is in force."""

    id: int
    body: int
    version: int
    title: str
    effective_from: dt.date
    effective_to: dt.date | None  # in force until the day before; None: until a later version

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> RuleSetRef:
        """Decode a ``rule_set`` row (``RuleSet.select()`` or the row a write returns)."""
        return cls(
            id=int(row["id"]),
            body=int(row["body"]),
            version=int(row["version"]),
            title=str(row["title"]),
            effective_from=row["effective_from"],
            effective_to=row["effective_to"],
        )
