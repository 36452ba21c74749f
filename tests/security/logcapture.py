"""Every log record of the process with the root logger at DEBUG, as an operator who turns
on debugging would get it: loggers the app pins on purpose (the database drivers, which
would print query parameters) keep their pinned level; everything else is lowered."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

# The loggers the app and the web stack write to; each is lowered to DEBUG for the capture.
LOGGERS = ("", "governance", "litestar", "uvicorn", "httpx", "httpcore", "asyncpg", "pyhanko")


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))  # message, arguments and any traceback


@contextlib.contextmanager
def all_logs() -> Iterator[list[str]]:
    collector = _Collector()
    saved = {name: logging.getLogger(name).level for name in LOGGERS}
    root = logging.getLogger()
    root.addHandler(collector)
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield collector.lines
    finally:
        root.removeHandler(collector)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)
