"""The typed functional core stays pure: the polls' rules and model, and the statutes, import
no table, no Litestar, no Jinja, no database module, directly or through another module of
the project (read from the source, so nothing is imported to find out)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PURE = (
    "governance.polls.rules",
    "governance.polls.model",
    "governance.organisations.statutes",
    "governance.organisations.model",
    "governance.organisations.rules",
)
FORBIDDEN_PACKAGES = ("litestar", "jinja2", "piccolo", "asyncpg", "sqlite3", "uvicorn")
FORBIDDEN_MODULES = ("governance.db", "governance.web", "governance.errors", "governance.settings", "piccolo_conf")


def _source(module: str) -> Path | None:
    base = ROOT.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.exists():
            return path
    return None


def _imports(module: str) -> set[str]:
    path = _source(module)
    assert path is not None, module
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # "from governance.polls import elections" imports a module too.
            submodules = (f"{node.module}.{alias.name}" for alias in node.names)
            found.update(name for name in submodules if _source(name))
    return found


def _reachable(module: str) -> dict[str, str]:
    """Every module ``module`` imports, directly or through the project's own modules: {imported: by}."""
    seen: dict[str, str] = {}
    todo = [module]
    while todo:
        current = todo.pop()
        for imported in _imports(current):
            if imported in seen:
                continue
            seen[imported] = current
            if imported.startswith("governance") and _source(imported):
                todo.append(imported)
    return seen


def _forbidden(name: str) -> bool:
    return (
        name.split(".")[0] in FORBIDDEN_PACKAGES
        or name in FORBIDDEN_MODULES
        or (name.startswith("governance.") and name.endswith(".tables"))
    )


@pytest.mark.parametrize("module", PURE)
def test_the_typed_core_imports_no_table_request_template_or_database(module):
    reached = _reachable(module)
    assert "governance.polls.majority" in reached or module != "governance.polls.rules"  # the walk works
    bad = {name: by for name, by in reached.items() if _forbidden(name)}
    assert not bad, f"{module} reaches {bad} (imported by)"


def test_the_statutes_decode_every_clause_of_the_rule_set_once():
    """Each rule-set column is a typed field of ``Statutes`` (two columns make one exact
    fraction), so a new clause is one field and the type checker lists its readers."""
    import dataclasses
    from fractions import Fraction

    from governance.demo import data
    from governance.organisations.schemas import RuleSetIn
    from governance.organisations.statutes import Statutes
    from governance.organisations.tables import RuleSet
    from governance.vocabulary import ElectionMethod, Language, Office, TieRule

    fractions = {"quorum_numerator": "quorum", "quorum_denominator": "quorum",
                 "second_call_numerator": "second_call", "second_call_denominator": "second_call"}  # fmt: skip
    not_clauses = {"body", "effective_from", "effective_to", "created_at"}
    fields = {f.name for f in dataclasses.fields(Statutes)}
    columns = {column._meta.name for column in RuleSet._meta.columns} - not_clauses
    assert {fractions.get(column, column) for column in columns} == fields

    statutes = Statutes.from_row({"id": 1, **RuleSetIn(**data.METROPOLIS_BOARD_RULES).model_dump(mode="python")})
    assert isinstance(statutes.tie_rule, TieRule) and isinstance(statutes.election_method, ElectionMethod)
    assert statutes.quorum == Fraction(1, 2) and isinstance(statutes.authoritative_language, Language)
    assert all(isinstance(office, Office) for office in statutes.minutes_signatories)
    with pytest.raises(dataclasses.FrozenInstanceError):
        statutes.tie_rule = TieRule.fails  # type: ignore[misc]
