"""Languages: complete FR/ES catalogs, the language switch, translated pages and API errors.

The catalog tests read the ``.po`` files as ``make messages`` leaves them; the others go
through real HTTP. When a catalog test fails, run ``make messages`` and translate the
msgids its message lists.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "governance" / "locale"
TRANSLATED = ("fr", "es")
PLURAL_FORMS = {"fr": "nplurals=2; plural=(n > 1);", "es": "nplurals=2; plural=(n != 1);"}

MEETING = "metropolis-bod-2012"
REPRESENTATIVE = "guangzhou@metropolis.demo"
LANGUAGE_COOKIE = "governance_lang"

BRACES = re.compile(r"\{([^{}]*)\}")
PERCENT = re.compile(r"%(?:\((\w+)\))?[#0 +-]*\d*(?:\.\d+)?[sdifr%]")


def _template() -> Catalog:
    with (LOCALE / "messages.pot").open("rb") as handle:
        return read_po(handle)


def _catalog(language: str) -> Catalog:
    with (LOCALE / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


def _forms(value: str | tuple[str, ...] | None) -> tuple[str, ...]:
    if isinstance(value, tuple):
        return value
    return (value or "",)


def _placeholders(texts: tuple[str, ...]) -> tuple[set[str], set[str]]:
    """The ``{name}`` and ``%(name)s`` placeholders used in any of ``texts``."""
    braces = {name for text in texts for name in BRACES.findall(text)}
    percents = {match.group(0) for text in texts for match in PERCENT.finditer(text) if match.group(0) != "%%"}
    return braces, percents


def _problems(template: Catalog, catalog: Catalog) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {"missing": [], "fuzzy": [], "placeholders": []}
    for source in template:
        if not source.id:
            continue
        key = _forms(source.id)[0]
        message: Message | None = catalog.get(source.id, source.context)
        forms = _forms(message.string) if message is not None else ()
        if message is None or not forms or not all(form.strip() for form in forms):
            problems["missing"].append(key)
            continue
        if len(forms) != catalog.num_plurals and isinstance(source.id, tuple):
            problems["missing"].append(f"{key} (needs {catalog.num_plurals} plural forms)")
            continue
        if message.fuzzy:
            problems["fuzzy"].append(key)
        wanted = _placeholders(_forms(source.id))
        for form in forms:
            if _placeholders((form,)) != wanted:
                problems["placeholders"].append(f"{key!r} -> {form!r}")
    return problems


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_msgid_is_translated(language: str) -> None:
    problems = _problems(_template(), _catalog(language))
    report = "\n".join(
        f"{language}: {kind} ({len(items)}):\n  " + "\n  ".join(items) for kind, items in problems.items() if items
    )
    assert not report, f"Run `make messages`, then translate:\n{report}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalog_header(language: str) -> None:
    catalog = _catalog(language)
    assert not catalog.fuzzy, "the header is marked fuzzy: gettext would ignore its Plural-Forms"
    assert catalog.project == "governance"
    assert str(catalog.locale) == language
    assert catalog.plural_forms == PLURAL_FORMS[language]
    assert not catalog.obsolete, f"obsolete entries left in {language}: {sorted(catalog.obsolete)}"


def test_the_template_is_up_to_date_with_the_source() -> None:
    """What ``make messages`` would extract today is in the template (and so, above, translated)."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    extracted = {
        _forms(messages)[0]
        for _filename, _lineno, messages, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords
        )
    }
    known = {_forms(message.id)[0] for message in _template() if message.id}
    missing = sorted(extracted - known)
    assert not missing, "Run `make messages`, then translate:\n  " + "\n  ".join(missing)


# --- the language switch ----------------------------------------------------------------


@pytest.mark.parametrize(("language", "title"), [("fr", "Se connecter"), ("es", "Iniciar sesión")])
async def test_the_language_switch(fresh_db, client, language: str, title: str) -> None:
    english = await client.get("/login")
    assert "<h1>Sign in</h1>" in english.text

    switched = await client.get(f"/language/{language}?next=/login", follow_redirects=False)
    assert switched.status_code == 303
    assert switched.headers["location"] == "/login"
    assert client.http.cookies.get(LANGUAGE_COOKIE) == language

    page = await client.get("/login")
    assert page.status_code == 200
    assert f'<html lang="{language}">' in page.text
    assert f"<h1>{title}</h1>" in page.text
    assert "<h1>Sign in</h1>" not in page.text


async def test_an_unknown_language_is_not_found(fresh_db, client) -> None:
    response = await client.get("/language/de?next=/login", follow_redirects=False)
    assert response.status_code == 404
    assert LANGUAGE_COOKIE not in client.http.cookies
    # The page still answers, in English.
    assert "<h1>Sign in</h1>" in (await client.get("/login")).text


async def test_accept_language_alone_selects_the_language(fresh_db, client) -> None:
    page = await client.get("/login", headers={"Accept-Language": "es"})
    assert '<html lang="es">' in page.text
    assert "<h1>Iniciar sesión</h1>" in page.text
    # A usual browser header: the best of our languages wins.
    page = await client.get("/login", headers={"Accept-Language": "de-CH, fr-CH;q=0.9, en;q=0.8"})
    assert "<h1>Se connecter</h1>" in page.text
    # Nothing we speak: English.
    page = await client.get("/login", headers={"Accept-Language": "de, ja;q=0.5"})
    assert "<h1>Sign in</h1>" in page.text


async def test_the_chosen_language_beats_accept_language(fresh_db, client) -> None:
    await client.get("/language/fr?next=/login")
    page = await client.get("/login", headers={"Accept-Language": "es"})
    assert "<h1>Se connecter</h1>" in page.text


# --- translated pages ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "fr",
            [
                "Conseil d&#39;administration de Metropolis, Canton 2012",  # the meeting's own title_fr
                "Conseil d&#39;administration",  # the body kind
                ">Convoquée</span>",  # MeetingStatus.convened
                "<dt>Organe</dt>",
                "<dt>Statut</dt>",
                "Mes réunions",
                "Représentant(e) avec droit de vote",
                "Se déconnecter",
            ],
        ),
        (
            "es",
            [
                "Consejo de Administración de Metropolis, Cantón 2012",
                ">Convocada</span>",
                "<dt>Órgano</dt>",
                "<dt>Estado</dt>",
                "Mis reuniones",
                "Representante con derecho a voto",
                "Cerrar sesión",
            ],
        ),
    ],
)
async def test_a_representative_sees_the_meeting_in_their_language(
    demo, client, language: str, expected: list[str]
) -> None:
    signed_in = await client.page_login(REPRESENTATIVE)
    assert signed_in.status_code == 303
    english = await client.get(f"/meetings/{MEETING}")
    assert "Metropolis Board of Directors, Guangzhou 2012" in english.text
    assert ">Convened</span>" in english.text

    await client.get(f"/language/{language}?next=/meetings/{MEETING}")
    page = await client.get(f"/meetings/{MEETING}")
    assert page.status_code == 200
    missing = [text for text in expected if text not in page.text]
    assert not missing, f"not on the {language} page: {missing}"
    assert ">Convened</span>" not in page.text
    assert "Metropolis Board of Directors, Guangzhou 2012" not in page.text


async def test_plural_forms_on_a_page(demo, client) -> None:
    await client.page_login("secretary@metropolis.demo")
    await client.get("/language/fr?next=/organisations/metropolis")
    page = await client.get("/organisations/metropolis")
    assert page.status_code == 200
    assert "1 événement, 2 réunions" in page.text


async def test_a_not_found_page_is_translated(demo, client) -> None:
    await client.page_login(REPRESENTATIVE)
    await client.get("/language/es")
    page = await client.get("/meetings/no-such-meeting")
    assert page.status_code == 404
    assert "Esta reunión no existe." in page.text


# --- translated API errors -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        ("fr", "L'adresse électronique ou le mot de passe est incorrect."),
        ("es-ES,es;q=0.9", "El correo electrónico o la contraseña no son correctos."),
        ("en", "E-mail or password is incorrect."),
    ],
)
async def test_an_api_error_comes_back_translated(demo, client, header: str, detail: str) -> None:
    response = await client.http.post(
        "/api/v1/auth/login",
        json={"email": REPRESENTATIVE, "password": "not-the-password"},
        headers={"Accept-Language": header},
    )
    assert response.status_code == 401
    assert response.json()["detail"] == detail


async def test_a_signed_in_api_error_follows_the_language_cookie(demo, client) -> None:
    assert (await client.api_login(REPRESENTATIVE)).status_code == 200
    await client.get("/language/fr")
    response = await client.get("/api/v1/meetings/no-such-meeting")
    assert response.status_code == 404
    assert response.json()["detail"] == "Cette réunion n'existe pas."


@pytest.mark.parametrize(
    ("language", "sentence"), [("fr", "Il n'y a rien à cette adresse."), ("es", "No hay nada en esta dirección.")]
)
async def test_an_address_no_route_matches_answers_in_the_readers_language(
    fresh_db, client, language, sentence
) -> None:
    """The router refuses an unknown address before the middleware that picks the language runs:
    the 404 page still speaks the language the visitor chose (cookie) or asked for (header)."""
    await client.get(f"/language/{language}?next=/login", follow_redirects=False)
    page = await client.get("/no/such/page")
    assert page.status_code == 404 and f'<html lang="{language}">' in page.text
    assert sentence.replace("'", "&#39;") in page.text or sentence in page.text
    other = "es" if language == "fr" else "fr"
    client.http.cookies.clear()
    by_header = await client.get("/no/such/page", headers={"Accept-Language": other})
    assert f'<html lang="{other}">' in by_header.text
