"""The demo loads through the services, idempotently, and the app answers."""

from __future__ import annotations

from governance.accounts.tables import Person
from governance.demo import guangzhou
from governance.meetings.tables import Meeting
from governance.organisations.tables import Mandate, Member, MemberFee, RuleSet, Seat
from tests.support.database import DEMO_PASSWORD


async def _counts() -> dict[str, int]:
    return {
        "people": await Person.count(),
        "members": await Member.count(),
        "fees": await MemberFee.count(),
        "seats": await Seat.count(),
        "mandates": await Mandate.count(),
        "rule_sets": await RuleSet.count(),
        "meetings": await Meeting.count(),
    }


async def test_health_answers(client, fresh_db):
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_demo_loader_is_idempotent(fresh_db):
    first = await guangzhou.load(DEMO_PASSWORD)
    counts = await _counts()
    hashes = {row["email"]: row["password_hash"] for row in await Person.select(Person.email, Person.password_hash)}
    second = await guangzhou.load(DEMO_PASSWORD)
    assert await _counts() == counts
    assert {row["email"]: row["password_hash"] for row in await Person.select(Person.email, Person.password_hash)} == (
        hashes
    )
    assert first.meetings == second.meetings == ["metropolis-bod-2012", "mwin-2012", "fmdv-bod-2012"]
    # The Board of about 30 cities, the 15-member FMDV board, three convened meetings.
    assert await Seat.count().where(Seat.body.organisation.slug == "metropolis", Seat.body.slug == "bod") == 31
    assert await Seat.count().where(Seat.body.organisation.slug == "fmdv") == 15
    statuses = await Meeting.select(Meeting.slug, Meeting.status)
    assert {row["slug"]: row["status"] for row in statuses} == {
        "metropolis-bod-2012": "convened",
        "mwin-2012": "convened",
        "fmdv-bod-2012": "convened",
    }


async def test_demo_accounts_sign_in(client, demo):
    for email in ("secretary@metropolis.demo", "secretary@fmdv.demo", "guangzhou@metropolis.demo", "dakar@fmdv.demo"):
        response = await client.api_login(email)
        assert response.status_code == 200, email
        assert response.json()["person"]["email"] == email


async def test_demo_password_can_be_changed(fresh_db, client):
    await guangzhou.load("another-password-2012")
    assert (await client.api_login("guangzhou@metropolis.demo", "another-password-2012")).status_code == 200
    await guangzhou.load(DEMO_PASSWORD)
    assert (await client.api_login("guangzhou@metropolis.demo", "another-password-2012")).status_code == 401
    assert (await client.api_login("guangzhou@metropolis.demo", DEMO_PASSWORD)).status_code == 200


async def test_unknown_addresses_get_a_404_page_or_problem(client, fresh_db):
    page = await client.get("/no/such/page")
    assert page.status_code == 404
    assert "There is nothing at this address." in page.text
    api = await client.get("/api/v1/no-such-thing")
    assert api.status_code == 404
    assert api.headers["content-type"].startswith("application/problem+json")
    assert api.json()["detail"] == "There is nothing at this address."
    wrong_method = await client.send("DELETE", "/login")
    assert wrong_method.status_code == 405
