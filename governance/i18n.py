"""Languages: EN/FR/ES from gettext catalogs, chosen per request.

Catalogs are the ``.po`` files under ``governance/locale`` (edited by translators,
extracted with ``make messages``). They are compiled in memory at start-up with Babel,
so there is no compiled ``.mo`` file in the repository to go stale.
"""

from __future__ import annotations

import contextvars
import gettext as gettext_module
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("en", "fr", "es")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "es": "Español"}

_current: contextvars.ContextVar[str] = contextvars.ContextVar("language", default=DEFAULT_LANGUAGE)

LazyString = LazyProxy


@cache
def translations(language: str) -> gettext_module.NullTranslations:
    po = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT_LANGUAGE or not po.exists():
        return gettext_module.NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext_module.GNUTranslations(buffer)


def current_language() -> str:
    return _current.get()


def set_language(language: str) -> contextvars.Token[str]:
    return _current.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def gettext(message: str) -> str:
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in the sense ``context`` gives it (a word that means two things)."""
    return translations(_current.get()).pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).npgettext(context, singular, plural, n)


_ = gettext


def lazy_gettext(message: str) -> LazyProxy:
    """A string translated when it is rendered, for module-level labels."""
    return LazyProxy(gettext, message, enable_cache=False)


def negotiate(accept_language: str | None) -> str | None:
    """The best of our languages for an Accept-Language header, or None."""
    if not accept_language:
        return None
    weighted: list[tuple[float, str]] = []
    for part in accept_language.split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            weighted.append((quality, primary))
    if not weighted:
        return None
    return max(weighted, key=lambda pair: pair[0])[1]


def localized(obj: object, field: str, language: str | None = None) -> str:
    """``obj.<field>_<lang>`` in the current language, falling back to English."""
    language = language or current_language()
    value = getattr(obj, f"{field}_{language}", None) or getattr(obj, f"{field}_en", "")
    return str(value or "")
