"""Field types shared by every context's input models (API bodies and page forms alike)."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated
from zoneinfo import available_timezones

from pydantic import AfterValidator, BeforeValidator, EmailStr, Field, StringConstraints

from governance.i18n import gettext as _

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _blank_to_none(value: object) -> object:
    if isinstance(value, str) and value.strip() == "":
        return None
    return value


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _visible(value: str) -> str:
    """Names are shown on screens, tablets and signed PDFs: no control character (NUL,
    which PostgreSQL cannot even store, bells, escapes, line breaks) and not only invisible
    ones (zero-width spaces, direction marks). Right-to-left text, joiners inside emoji
    and combining marks are kept as typed."""
    if any(unicodedata.category(ch) == "Cc" for ch in value) or (
        value and all(unicodedata.category(ch) in ("Cf", "Zs") for ch in value)
    ):
        raise ValueError(_("Use visible characters only: no control characters such as NUL or line breaks."))
    return value


def _plain_text(value: str) -> str:
    """Free text (a motion's wording): line breaks and tabs are kept; other control
    characters (NUL above all: PostgreSQL refuses it, SQLite would keep it) are refused."""
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in value):
        raise ValueError(_("Remove the control characters (such as NUL) from this text."))
    return value


# Words the page addresses use after a collection (/bodies/new, /members/import).
RESERVED_SLUGS = frozenset({"new", "edit", "import", "delete", "remove"})


def _slug(value: str) -> str:
    if not SLUG_PATTERN.match(value):
        raise ValueError(_("Use lower-case letters, digits and single hyphens, e.g. paris-idf."))
    if value in RESERVED_SLUGS:
        raise ValueError(_("This code is reserved; choose another one."))
    return value


def _time_zone(value: str) -> str:
    if value not in _zones():
        raise ValueError(_("Unknown time zone; use a name like Asia/Shanghai or Europe/Paris."))
    return value


_zone_cache: set[str] = set()


def _zones() -> set[str]:
    if not _zone_cache:
        _zone_cache.update(available_timezones())
    return _zone_cache


Email = Annotated[EmailStr, BeforeValidator(_strip), AfterValidator(str.lower)]
Slug = Annotated[str, BeforeValidator(_strip), StringConstraints(min_length=1, max_length=60), AfterValidator(_slug)]
LongSlug = Annotated[
    str, BeforeValidator(_strip), StringConstraints(min_length=1, max_length=80), AfterValidator(_slug)
]
Name = Annotated[
    str, BeforeValidator(_strip), StringConstraints(min_length=1, max_length=200), AfterValidator(_visible)
]
OptionalName = Annotated[str, BeforeValidator(_strip), StringConstraints(max_length=200), AfterValidator(_visible)]
Article = Annotated[str, BeforeValidator(_strip), StringConstraints(min_length=1, max_length=120)]
TimeZone = Annotated[str, BeforeValidator(_strip), AfterValidator(_time_zone)]
Password = Annotated[str, StringConstraints(min_length=10, max_length=1024)]
PlainText = Annotated[str, AfterValidator(_plain_text)]
OptionalInt = Annotated[int | None, BeforeValidator(_blank_to_none)]
Count = Annotated[int, Field(ge=0, le=100_000)]
