"""What the process's database engine runs: seen by caches (writes) and by tests (all).

The engines in ``governance.db`` and ``governance.sqlite_pool`` call :func:`saw_statement`
with the SQL of every statement they send, before it runs.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import re
from collections.abc import Callable, Iterator

log = logging.getLogger("governance.db")

WriteListener = Callable[[str], None]
write_listeners: list[WriteListener] = []
written_in_transaction: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar(
    "written_in_transaction", default=None
)
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?(\w+)"?', re.IGNORECASE)
READ = re.compile(r"^\s*(?:SELECT\b|PRAGMA\s+\w+\s*$|EXPLAIN\b)", re.IGNORECASE)
ALL_TABLES = "*"


def on_write(listener: WriteListener) -> None:
    """Call ``listener(table)`` whenever this process writes ``table`` (``"*"``: unknown, any).

    It is called when the statement runs and again when its transaction commits, so a
    cache that checks a generation number before storing can never keep pre-commit data.
    """
    if listener not in write_listeners:
        write_listeners.append(listener)


def notify(table: str) -> None:
    for listener in write_listeners:
        try:
            listener(table)
        except Exception:  # pragma: no cover - a cache must never break a write
            log.exception("write listener failed")


_recorders: list[list[str]] = []


@contextlib.contextmanager
def recording_statements() -> Iterator[list[str]]:
    """Collect the SQL of every statement the app runs meanwhile (tests count queries).

    BEGIN / COMMIT / ROLLBACK are not included: only what the code asks for.
    """
    statements: list[str] = []
    _recorders.append(statements)
    try:
        yield statements
    finally:
        _recorders.remove(statements)


def saw_statement(sql: str) -> None:
    for recorder in _recorders:
        recorder.append(sql)
    if not write_listeners:
        return
    match = WRITE.match(sql)
    if match:
        table = match.group(1).lower()
    elif READ.match(sql):
        return
    else:  # DDL, TRUNCATE, a raw statement: assume it could change anything.
        table = ALL_TABLES
    notify(table)
    written = written_in_transaction.get()
    if written is not None:
        written.add(table)
