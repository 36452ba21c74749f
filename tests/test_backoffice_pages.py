"""The secretariat's back-office pages, through real HTTP: forms, inline errors, PRG.

Each test drives the pages the way a browser does (CSRF token in every form, 303 after
a change, 4xx with the typed values and inline errors when the input is wrong) and
checks the result in the database through the service functions.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest

from governance.accounts.schemas import AccountIn
from governance.accounts.services import create_person
from governance.meetings import services as meetings
from governance.organisations import services
from governance.organisations.backoffice import defaults, initial
from governance.organisations.schemas import RuleSetIn

ADMIN = "admin@platform.org"
ADMIN_PASSWORD = "correct horse battery"
ORG = "/organisations/uclg"
GA = f"{ORG}/bodies/ga"
ARTICLE = "Art. 12 (demo)"


def text(response: Any) -> str:
    """The page's HTML with entities decoded, for plain-text assertions."""
    return html.unescape(response.text)


def value_of(response: Any, name: str) -> str | None:
    """The value an <input name=...> shows."""
    found = re.search(rf'name="{re.escape(name)}"\s+value="([^"]*)"', response.text)
    return html.unescape(found.group(1)) if found else None


def field_error(response: Any, name: str) -> str | None:
    found = re.search(rf'<p class="error" id="f-{re.escape(name)}-error">(.*?)</p>', response.text, re.S)
    return html.unescape(found.group(1)).strip() if found else None


def assert_forms_carry_csrf(response: Any) -> None:
    forms = re.findall(r'<form method="post".*?</form>', response.text, re.S)
    assert forms, "no form on the page"
    for form in forms:
        assert 'name="_csrf_token"' in form, form[:200]


async def sign_in_admin(client: Any) -> None:
    await create_person(AccountIn(email=ADMIN, full_name="Platform Admin", password=ADMIN_PASSWORD), is_admin=True)
    response = await client.page_login(ADMIN, ADMIN_PASSWORD)
    assert response.status_code == 303


async def post(client: Any, url: str, data: dict[str, str]) -> Any:
    return await client.post_form(url, data, follow_redirects=False)


def rule_set_form(**changes: str) -> dict[str, str]:
    values = defaults(RuleSetIn)
    values.update({name: ARTICLE for name in RuleSetIn.model_fields if name.endswith("_article")})
    values.update(version="1", title="Statutes 2019", effective_from="2019-01-01")
    values.update(changes)
    return values


async def make_organisation_and_body(client: Any) -> None:
    response = await post(
        client,
        "/organisations/new",
        {"slug": "uclg", "short_name": "UCLG", "name_en": "United Cities and Local Governments"},
    )
    assert response.status_code == 303
    response = await post(
        client,
        f"{ORG}/bodies/new",
        {"slug": "ga", "kind": "general_assembly", "name_en": "General Assembly", "decision_prefix": "GA"},
    )
    assert response.status_code == 303


async def org_and_body() -> tuple[dict[str, Any], dict[str, Any]]:
    org = await services.get_organisation("uclg")
    return org, await services.get_body(org, "ga")


# --- organisations and bodies ------------------------------------------------------------


async def test_admin_creates_an_organisation_and_a_body(fresh_db, client):
    await sign_in_admin(client)
    listing = await client.get("/organisations")
    assert listing.status_code == 200
    assert 'href="/organisations/new"' in listing.text

    form = await client.get("/organisations/new")
    assert form.status_code == 200
    assert_forms_carry_csrf(form)

    broken = await post(client, "/organisations/new", {"slug": "Not A Slug", "short_name": "UCLG", "name_en": "UCLG"})
    assert broken.status_code == 422
    assert "Please correct the fields marked below." in text(broken)
    assert field_error(broken, "slug") == "Use lower-case letters, digits and single hyphens, e.g. paris-idf."
    assert value_of(broken, "slug") == "Not A Slug"
    assert value_of(broken, "short_name") == "UCLG"

    await make_organisation_and_body(client)
    org, body = await org_and_body()
    assert org["short_name"] == "UCLG"
    assert body["kind"] == "general_assembly"

    overview = await client.get(ORG)
    assert overview.status_code == 200
    page = text(overview)
    assert "United Cities and Local Governments" in page
    for link in (f'href="{GA}"', f'href="{ORG}/members"', f'href="{ORG}/people"', f'href="{ORG}/meetings"'):
        assert link in overview.text
    assert f'href="{ORG}/staff"' in overview.text

    # A second body with the same code: the form comes back with the database's refusal.
    clash = await post(
        client,
        f"{ORG}/bodies/new",
        {"slug": "ga", "kind": "board", "name_en": "Board", "decision_prefix": "BoD"},
    )
    assert clash.status_code == 409
    assert field_error(clash, "slug") == "This organisation already has a body with this code."
    assert value_of(clash, "name_en") == "Board"

    edited = await post(
        client,
        f"{GA}/edit",
        {"slug": "ga", "kind": "general_assembly", "name_en": "General Assembly", "decision_prefix": "AG"},
    )
    assert edited.status_code == 303
    assert edited.headers["location"] == GA
    assert (await org_and_body())[1]["decision_prefix"] == "AG"

    renamed = await post(
        client,
        f"{ORG}/edit",
        {"slug": "uclg", "short_name": "UCLG", "name_en": "UCLG", "name_fr": "CGLU", "authoritative_language": "fr"},
    )
    assert renamed.status_code == 303
    assert (await services.get_organisation("uclg"))["name_fr"] == "CGLU"


async def test_rule_set_form_keeps_what_was_typed_and_majorities_read_in_words(fresh_db, client):
    await sign_in_admin(client)
    await make_organisation_and_body(client)

    new = await client.get(f"{GA}/rule-sets/new")
    assert new.status_code == 200
    page = text(new)
    for legend in ("Version and dates", "Quorum", "Second convocation", "Proxies", "Secret ballot", "Languages"):
        assert f"<legend>{legend}</legend>" in page
    assert value_of(new, "version") == "1"
    assert value_of(new, "notice_days") == "15"  # the model's default
    assert "copy=" not in new.text  # nothing to start from yet

    broken = await post(client, f"{GA}/rule-sets/new", rule_set_form(quorum_numerator="3", quorum_denominator="2"))
    assert broken.status_code == 422
    assert "Please correct the fields marked below." in text(broken)
    assert field_error(broken, "quorum_numerator") == "A quorum cannot exceed the whole (numerator above denominator)."
    assert value_of(broken, "title") == "Statutes 2019"
    assert value_of(broken, "quorum_numerator") == "3"
    assert value_of(broken, "quorum_article") == ARTICLE
    _, body = await org_and_body()
    assert await services.list_rule_sets(body) == []

    created = await post(client, f"{GA}/rule-sets/new", rule_set_form(remote_allowed=""))
    assert created.status_code == 303
    assert created.headers["location"] == f"{GA}/rule-sets/1"
    stored = await services.get_rule_set(body, 1)
    assert stored["title"] == "Statutes 2019"
    assert stored["quorum_article"] == ARTICLE
    assert stored["proxies_allowed"] is True  # checked by default, sent as "on"

    shown = await client.get(f"{GA}/rule-sets/1")
    assert shown.status_code == 200
    assert value_of(shown, "title") == "Statutes 2019"
    assert_forms_carry_csrf(shown)

    # Starting a new version from the latest copies its values, with the next number.
    offer = await client.get(f"{GA}/rule-sets/new")
    assert f'href="{GA}/rule-sets/new?copy=1"' in offer.text
    copied = await client.get(f"{GA}/rule-sets/new?copy=1")
    assert value_of(copied, "version") == "2"
    assert value_of(copied, "title") == "Statutes 2019"
    assert value_of(copied, "notice_article") == ARTICLE

    # Majorities: a wrong fraction is refused inline; a good one is shown in words.
    majority = {
        "decision_type": "ordinary",
        "threshold_numerator": "3",
        "threshold_denominator": "2",
        "strict": "on",
        "base": "cast_excluding_abstentions",
        "article": ARTICLE,
    }
    refused = await post(client, f"{GA}/rule-sets/1/majorities", majority)
    assert refused.status_code == 422
    assert field_error(refused, "threshold_numerator") == (
        "A majority cannot exceed the whole (numerator above denominator)."
    )
    assert value_of(refused, "threshold_numerator") == "3"
    assert value_of(refused, "title") == "Statutes 2019"  # the rule set form is still there

    accepted = await post(client, f"{GA}/rule-sets/1/majorities", {**majority, "threshold_numerator": "1"})
    assert accepted.status_code == 303
    statutes = {**majority, "decision_type": "statutes", "threshold_numerator": "2", "threshold_denominator": "3"}
    statutes.update(strict="", base="present_or_represented", article="Art. 20")
    assert (await post(client, f"{GA}/rule-sets/1/majorities", statutes)).status_code == 303
    page = text(await client.get(f"{GA}/rule-sets/1"))
    assert "more than 1/2 of votes cast, abstentions excluded (Art. 12 (demo))" in page
    assert "at least 2/3 of members present or represented (Art. 20)" in page

    deleted = await post(client, f"{GA}/rule-sets/1/majorities/statutes/delete", {})
    assert deleted.status_code == 303
    rule_set = await services.get_rule_set(body, 1)
    assert [row["decision_type"] for row in await services.list_majorities(rule_set)] == ["ordinary"]

    # Editing the version (nothing convened yet) saves and redirects to it.
    edited = await post(client, f"{GA}/rule-sets/1", rule_set_form(title="Statutes 2019 (amended)"))
    assert edited.status_code == 303
    assert (await services.get_rule_set(body, 1))["title"] == "Statutes 2019 (amended)"


# --- members, seats, people, mandates --------------------------------------------------------


async def test_members_seats_people_and_mandates(fresh_db, client):
    await sign_in_admin(client)
    await make_organisation_and_body(client)
    org, body = await org_and_body()

    member = {"slug": "paris", "name": "Paris", "country": "France", "region": "europe", "category": "active"}
    assert (await post(client, f"{ORG}/members/new", {**member, "region": "mars"})).status_code == 422
    assert (await post(client, f"{ORG}/members/new", member)).status_code == 303
    edited = await post(client, f"{ORG}/members/paris/edit", {**member, "category": "founding"})
    assert edited.status_code == 303
    assert (await services.get_member(org, "paris"))["category"] == "founding"

    bad_fee = await post(client, f"{ORG}/members/paris/fees", {"year": "1800", "paid": "on"})
    assert bad_fee.status_code == 422
    assert field_error(bad_fee, "year") == "Enter a number of at least 1900."
    assert value_of(bad_fee, "year") == "1800"
    assert value_of(bad_fee, "name") == "Paris"
    assert (await post(client, f"{ORG}/members/paris/fees", {"year": "2024", "paid": "on"})).status_code == 303
    assert (await services.get_member(org, "paris"))["fees"] == {2024: True}

    members = await client.get(f"{ORG}/members")
    assert members.status_code == 200
    page = text(members)
    assert "Paris" in page and "France" in page and "Europe" in page and "Founding member" in page
    assert "2024: paid" in page

    # Seats: the form offers the members without a seat.
    body_page = await client.get(GA)
    assert '<option value="paris"' in body_page.text
    assert (await post(client, f"{GA}/seats", {"member": "paris"})).status_code == 303
    assert [seat["member"] for seat in await services.list_seats(body)] == ["paris"]

    # People: staff never set a password, not even a first one; the person gets an invitation link.
    person = {"email": "anne@paris.fr", "full_name": "Anne", "language": "fr", "is_active": "on"}
    typed = await post(client, f"{ORG}/people/new", {**person, "password": "a long enough password"})
    assert typed.status_code == 403
    assert "Staff never set a person&#39;s password" in typed.text
    assert "a long enough password" not in typed.text
    assert await services.list_people(org) == []
    bad = await post(client, f"{ORG}/people/new", {**person, "email": "not an address"})
    assert bad.status_code == 422
    assert value_of(bad, "full_name") == "Anne"
    added = await post(client, f"{ORG}/people/new", person)
    assert added.status_code == 200
    assert "http://testserver.local/account/link/" in added.text
    people = await services.list_people(org)
    assert [(p["email"], p["can_log_in"], p["managed"]) for p in people] == [("anne@paris.fr", False, True)]
    person_id = people[0]["id"]
    edit_form = await client.get(f"{ORG}/people/{person_id}/edit")
    assert edit_form.status_code == 200
    assert value_of(edit_form, "full_name") == "Anne"
    assert (await post(client, f"{ORG}/people/{person_id}/edit", {**person, "full_name": "Anne H."})).status_code == 303
    assert (await services.get_person(org, person_id))["full_name"] == "Anne H."

    # Mandates.
    mandate = {"person_email": "nobody@paris.fr", "member": "paris", "role": "principal", "office": "president"}
    unknown = await post(client, f"{GA}/mandates/new", mandate)
    assert unknown.status_code == 422
    assert field_error(unknown, "person_email") == "No account has this e-mail address. Add the person first."
    assert value_of(unknown, "person_email") == "nobody@paris.fr"
    created = await post(client, f"{GA}/mandates/new", {**mandate, "person_email": "anne@paris.fr"})
    assert created.status_code == 303
    [row] = await services.list_mandates(body)
    assert (row["person_email"], row["member"], row["office"]) == ("anne@paris.fr", "paris", "president")
    body_page = text(await client.get(GA))
    assert "Anne H." in body_page and "President" in body_page
    edit = await client.get(f"{GA}/mandates/{row['id']}/edit")
    assert edit.status_code == 200
    assert value_of(edit, "person_email") == "anne@paris.fr"
    changed = await post(client, f"{GA}/mandates/{row['id']}/edit", {**mandate, "person_email": "anne@paris.fr"})
    assert changed.status_code == 303
    assert (await post(client, f"{GA}/mandates/{row['id']}/delete", {})).status_code == 303
    assert await services.list_mandates(body) == []

    assert (await post(client, f"{GA}/seats/paris/remove", {})).status_code == 303
    assert await services.list_seats(body) == []


async def test_csv_import_is_all_or_nothing(fresh_db, client):
    await sign_in_admin(client)
    await make_organisation_and_body(client)
    org, body = await org_and_body()

    form = await client.get(f"{ORG}/members/import")
    assert form.status_code == 200
    assert 'enctype="multipart/form-data"' in form.text
    assert 'name="file"' in form.text
    assert "fee_YYYY" in form.text
    assert_forms_carry_csrf(form)

    bad = (
        "slug,name,country,region,category,fee_2024\n"
        "lyon,Lyon,France,europe,active,yes\n"
        "paris,Paris,France,mars,active,yes\n"
        "dakar,Dakar,Senegal,africa,active,maybe\n"
    )
    response = await client.http.post(
        f"{ORG}/members/import",
        data={"_csrf_token": await client.ensure_csrf(), "seat_in_body": "ga"},
        files={"file": ("members.csv", bad.encode(), "text/csv")},
    )
    assert response.status_code == 422
    page = text(response)
    assert "Nothing was imported." in page
    assert "Line 3: region: Choose one of the options" in page
    assert "Line 4: fee_2024 must be yes or no, not maybe" in page
    assert "Line 2" not in page  # the good line is not blamed
    assert '<option value="ga" selected>' in response.text
    assert await services.list_members(org) == []

    missing = await client.http.post(f"{ORG}/members/import", data={"_csrf_token": client.csrf})
    assert missing.status_code == 422
    assert "Nothing was imported" in text(missing)

    good = (
        "slug,name,country,region,category,fee_2024\n"
        "lyon,Lyon,France,europe,active,yes\n"
        "dakar,Dakar,Senegal,africa,,no\n"
    )
    done = await client.http.post(
        f"{ORG}/members/import",
        data={"_csrf_token": client.csrf, "seat_in_body": "ga"},
        files={"file": ("members.csv", good.encode(), "text/csv")},
    )
    assert done.status_code == 303
    shown = await client.get(done.headers["location"])
    assert "2 created, 0 updated, 2 given a seat" in text(shown)
    members = {row["slug"]: row for row in await services.list_members(org)}
    assert set(members) == {"lyon", "dakar"}
    assert members["dakar"]["fees"] == {2024: False}
    assert {seat["member"] for seat in await services.list_seats(body)} == {"lyon", "dakar"}


# --- events and meetings ---------------------------------------------------------------------


async def test_events_and_meetings(fresh_db, client):
    await sign_in_admin(client)
    await make_organisation_and_body(client)
    assert (await post(client, f"{GA}/rule-sets/new", rule_set_form(remote_allowed=""))).status_code == 303
    org, _ = await org_and_body()

    event = {
        "slug": "congress-2019",
        "name_en": "World Congress",
        "city": "Durban",
        "country": "South Africa",
        "starts_on": "2019-11-11",
        "ends_on": "2019-11-10",
        "time_zone": "Africa/Johannesburg",
    }
    backwards = await post(client, f"{ORG}/events/new", event)
    assert backwards.status_code == 422
    assert field_error(backwards, "ends_on") == "The last day cannot come before the first day."
    assert value_of(backwards, "city") == "Durban"
    assert (await post(client, f"{ORG}/events/new", {**event, "ends_on": "2019-11-15"})).status_code == 303
    renamed = {**event, "ends_on": "2019-11-15", "name_en": "World Congress 2019"}
    assert (await post(client, f"{ORG}/events/congress-2019/edit", renamed)).status_code == 303
    assert (await meetings.get_event(org, "congress-2019"))["name_en"] == "World Congress 2019"

    form = await client.get(f"{ORG}/meetings/new")
    assert form.status_code == 200
    assert 'type="datetime-local"' in form.text
    assert '<option value="congress-2019"' in form.text

    meeting = {
        "slug": "ga-2019",
        "body": "ga",
        "event": "congress-2019",
        "title_en": "General Assembly 2019",
        "kind": "ordinary",
        "mode": "remote",
        "time_zone": "Africa/Johannesburg",
        "starts_at": "2019-11-15T09:00",
        "convocation": "1",
    }
    refused = await post(client, f"{ORG}/meetings/new", meeting)
    assert refused.status_code == 422
    assert field_error(refused, "mode") == f"The statutes do not allow remote participation ({ARTICLE})."
    assert value_of(refused, "starts_at") == "2019-11-15T09:00"
    assert value_of(refused, "title_en") == "General Assembly 2019"

    created = await post(client, f"{ORG}/meetings/new", {**meeting, "mode": "in_person"})
    assert created.status_code == 303
    assert created.headers["location"] == "/meetings/ga-2019"
    [row] = await meetings.list_meetings(org)
    assert row["starts_at"].astimezone(dt.UTC) == dt.datetime(2019, 11, 15, 7, 0, tzinfo=dt.UTC)

    listing = await client.get(f"{ORG}/meetings")
    assert 'href="/meetings/ga-2019"' in listing.text
    assert "2019-11-15 09:00 (Africa/Johannesburg)" in text(listing)
    assert "World Congress 2019" in text(listing)
    assert (await client.get("/meetings/ga-2019")).status_code == 200


# --- who may do what -----------------------------------------------------------------------


async def test_secretariat_sees_only_its_organisation(demo, client):
    assert (await client.page_login("secretary@metropolis.demo")).status_code == 303
    listing = await client.get("/organisations")
    assert 'href="/organisations/metropolis"' in listing.text
    assert 'href="/organisations/fmdv"' not in listing.text
    assert 'href="/organisations/new"' not in listing.text
    assert (await client.get("/organisations/new")).status_code == 403
    assert (await client.get("/organisations/fmdv")).status_code == 403
    assert (await client.get("/organisations/metropolis")).status_code == 200

    staff = await client.get("/organisations/metropolis/staff")
    assert staff.status_code == 200
    assert "secretary@metropolis.demo" in staff.text
    assert 'action="/organisations/metropolis/staff"' not in staff.text  # adding staff: admins only
    refused = await post(client, "/organisations/metropolis/staff", {"person_email": "guangzhou@metropolis.demo"})
    assert refused.status_code == 403


async def test_a_rule_set_governing_a_convened_meeting_cannot_be_edited(demo, client):
    await client.page_login("secretary@metropolis.demo")
    org = await services.get_organisation("metropolis")
    board = await services.get_body(org, "bod")
    [latest, *_] = await services.list_rule_sets(board)
    url = f"/organisations/metropolis/bodies/bod/rule-sets/{latest['version']}"
    values = {**initial(RuleSetIn, latest), "title": "Changed after convening"}
    response = await post(client, url, values)
    assert response.status_code == 409
    assert "create a new version instead" in text(response)
    assert value_of(response, "title") == "Changed after convening"
    assert (await services.get_rule_set(board, latest["version"]))["title"] == latest["title"]


@pytest.mark.parametrize(
    "path",
    [
        "/organisations",
        "/organisations/metropolis",
        "/organisations/metropolis/edit",
        "/organisations/metropolis/staff",
        "/organisations/metropolis/bodies/new",
        "/organisations/metropolis/bodies/bod",
        "/organisations/metropolis/bodies/bod/edit",
        "/organisations/metropolis/bodies/bod/rule-sets/new",
        "/organisations/metropolis/bodies/bod/mandates/new",
        "/organisations/metropolis/members",
        "/organisations/metropolis/members/new",
        "/organisations/metropolis/members/guangzhou/edit",
        "/organisations/metropolis/members/import",
        "/organisations/metropolis/people",
        "/organisations/metropolis/people/new",
        "/organisations/metropolis/meetings",
        "/organisations/metropolis/events/new",
        "/organisations/metropolis/meetings/new",
    ],
)
async def test_every_page_renders_with_breadcrumbs_and_csrf(demo, client, path):
    await client.page_login("secretary@metropolis.demo")
    response = await client.get(path)
    assert response.status_code == 200, path
    assert_forms_carry_csrf(response)
    if path != "/organisations":
        assert '<p class="breadcrumbs">' in response.text
