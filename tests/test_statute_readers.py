"""Every clause of a rule set has a reader: a clause that is stored and edited but read by
nothing is a lie the rule set tells its readers (issue 15).

For each column of the ``RuleSet`` table, the source outside the places that only store, edit
or show the rule set itself (its table, schemas, forms and pages, the cross-field checks of
its forms, its API, migrations, demo data, tests) must read it: ``rules["name"]``,
``rules.get("name")``, ``RuleSet.name`` or an attribute ``.name``. Article columns count like
any other: they are read where a refusal or a notice cites them. Only pure metadata is exempt.
"""

from __future__ import annotations

import re
from pathlib import Path

from governance.organisations.tables import RuleSet

ROOT = Path(__file__).resolve().parent.parent
# What a rule set is, not a clause of it: its identity, its version, its dates, its name.
METADATA = {"id", "body", "version", "title", "effective_from", "effective_to", "created_at"}
# Where the rule set is stored, edited and shown as such: writing or showing a clause is not reading it.
NOT_READERS = {
    "governance/organisations/tables.py",
    "governance/organisations/schemas.py",
    "governance/organisations/rules.py",
    "governance/organisations/api.py",
    "governance/organisations/pages.py",
    "governance/organisations/rule_set_pages.py",
    "governance/formspec.py",
}
NOT_READER_DIRS = ("governance/demo/", "templates/organisations/")


def _sources() -> dict[str, str]:
    files = [*ROOT.glob("governance/**/*.py"), *ROOT.glob("templates/**/*.html")]
    sources = {}
    for path in files:
        name = path.relative_to(ROOT).as_posix()
        if name in NOT_READERS or name.startswith(NOT_READER_DIRS) or "/piccolo_migrations/" in name:
            continue
        sources[name] = path.read_text(encoding="utf-8")
    return sources


def _read(name: str) -> re.Pattern[str]:
    quoted = rf"""["']{name}["']"""
    return re.compile(rf"\[\s*{quoted}\s*\]|\.get\(\s*{quoted}|\bRuleSet\.{name}\b|\.{name}\b")


def test_every_rule_set_column_has_a_reader():
    sources = _sources()
    assert "governance/polls/services.py" in sources and "governance/organisations/pages.py" not in sources
    columns = [column._meta.name for column in RuleSet._meta.columns]
    unread = [
        name
        for name in columns
        if name not in METADATA and not any(_read(name).search(text) for text in sources.values())
    ]
    assert not unread, f"Rule-set columns nothing reads (give each a reader, or drop it by a migration): {unread}"


def test_the_check_sees_a_column_without_a_reader():
    """The check itself: a clause written only in the excluded places is reported."""
    sources = _sources()
    assert not any(_read("secret_ballot_never_read").search(text) for text in sources.values())
    assert any(_read("secret_ballot_on_request_of").search(text) for text in sources.values())
