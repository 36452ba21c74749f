"""Meetings: who chairs (the office, not the person), the lifecycle, statutes first."""

from __future__ import annotations

from governance.meetings.roles import MeetingRole, chair_mandate, meeting_roles
from governance.meetings.tables import Meeting
from governance.organisations.tables import Mandate

SLUG = "metropolis-bod-2012"


def test_chair_follows_the_office():
    president = {"id": 1, "person": 10, "office": "president", "acting_office": None}
    co_president = {"id": 2, "person": 20, "office": "co_president", "acting_office": None}
    acting = {**co_president, "acting_office": "president"}
    member = {"id": 3, "person": 30, "office": "member", "acting_office": None}
    assert chair_mandate([member, president, co_president], None) == president
    # A Co-President acting as President chairs, even beside the President.
    assert chair_mandate([president, acting, member], None) == acting
    # A chair named for the meeting wins.
    assert chair_mandate([president, member], named_chair=3) == member
    assert chair_mandate([member, co_president], None) is None


def test_roles_in_a_meeting():
    mandates = [
        {"id": 1, "person": 10, "office": "president", "acting_office": None},
        {"id": 2, "person": 20, "office": "member", "acting_office": None},
        {"id": 3, "person": 30, "office": "observer", "acting_office": None},
    ]
    common = {"is_admin": False, "is_secretariat": False, "meeting_secretary": None, "named_chair": None}
    assert meeting_roles(person_id=10, mandates=mandates, **common) == {MeetingRole.chair, MeetingRole.representative}
    assert meeting_roles(person_id=20, mandates=mandates, **common) == {MeetingRole.representative}
    assert meeting_roles(person_id=30, mandates=mandates, **common) == {MeetingRole.observer}
    assert meeting_roles(person_id=99, mandates=mandates, **common) == frozenset()
    assert meeting_roles(person_id=99, mandates=mandates, **{**common, "meeting_secretary": 99}) == {
        MeetingRole.secretary
    }


async def test_my_meetings_and_the_meeting_page(demo, client):
    await client.api_login("guangzhou@metropolis.demo")
    mine = (await client.get("/api/v1/meetings")).json()
    assert {m["slug"] for m in mine} == {"metropolis-bod-2012", "mwin-2012"}
    meeting = (await client.get(f"/api/v1/meetings/{SLUG}")).json()
    assert meeting["my_roles"] == ["representative"]
    assert meeting["chair"]["person_name"] == "Jean-Paul Huchon"
    assert meeting["starts_at"].startswith("2012-11-16T09:30:00+08:00")
    page = await client.get(f"/meetings/{SLUG}")
    assert page.status_code == 200
    assert "Guangzhou" in page.text and "Jean-Paul Huchon" in page.text
    # The FMDV board is not Guangzhou's Metropolis representative's business.
    assert (await client.get("/api/v1/meetings/fmdv-bod-2012")).status_code == 403


async def test_the_fmdv_chair_is_the_acting_co_president(demo, client):
    await client.api_login("secretary@fmdv.demo")
    meeting = (await client.get("/api/v1/meetings/fmdv-bod-2012")).json()
    assert meeting["chair"] == {
        "person_name": "Representative of Paris Île-de-France at FMDV (demo)",
        "member_name": "Paris Île-de-France",
        "office": "president",
        "acting": True,
    }
    # The Secretary General is a staff office of the organisation, not a member's seat.
    assert meeting["my_roles"] == ["secretary"]


async def test_lifecycle_belongs_to_the_chair(demo, make_client):
    chair, rep, secretary = make_client(), make_client(), make_client()
    await chair.api_login("paris-idf@metropolis.demo")
    await rep.api_login("guangzhou@metropolis.demo")
    await secretary.api_login("secretary@metropolis.demo")
    url = f"/api/v1/meetings/{SLUG}/status"
    refused = await rep.send("POST", url, json={"status": "open"})
    assert refused.status_code == 403
    assert (await secretary.send("POST", url, json={"status": "open"})).status_code == 403
    opened = await chair.send("POST", url, json={"status": "open"})
    assert opened.status_code == 200 and opened.json()["status"] == "open"
    assert opened.json()["allowed_transitions"] == ["suspended", "closed"]
    illegal = await chair.send("POST", url, json={"status": "draft"})
    assert illegal.status_code == 409
    assert illegal.json()["detail"] == "A meeting that is Open cannot become Draft."
    for status in ("suspended", "open", "closed"):
        assert (await chair.send("POST", url, json={"status": status, "confirm": True})).status_code == 200
    row = await Meeting.select(Meeting.status).where(Meeting.slug == SLUG).first()
    assert row["status"] == "closed"


async def test_an_acting_president_chairs_when_named(demo, client):
    # Before convening, the chair follows the mandates (from convening on, the log's offices decide):
    # the President steps aside and a Vice-President acting as President takes the chair.
    await Meeting.update({Meeting.status: "draft"}).where(Meeting.slug == SLUG)
    await Mandate.update({Mandate.acting_office: "president"}).where(
        (Mandate.person.email == "seoul@metropolis.demo") & (Mandate.office == "vice_president")
    )
    await client.api_login("seoul@metropolis.demo")
    meeting = (await client.get(f"/api/v1/meetings/{SLUG}")).json()
    assert "chair" in meeting["my_roles"]
    assert meeting["chair"]["acting"] is True


async def test_convening_needs_notice_and_statutes(demo, client):
    await client.api_login("secretary@metropolis.demo")
    # Back to draft, then try to convene now for a meeting in 2012: the notice period is gone.
    url = f"/api/v1/meetings/{SLUG}/status"
    assert (await client.send("POST", url, json={"status": "draft"})).status_code == 200
    refused = await client.send("POST", url, json={"status": "convened"})
    assert refused.status_code == 409
    assert "30 days' notice (Art. 11.2 (demo))" in refused.json()["detail"]
    row = await Meeting.select(Meeting.status, Meeting.rule_set).where(Meeting.slug == SLUG).first()
    assert row == {"status": "draft", "rule_set": None}


async def test_remote_meeting_refused_where_statutes_forbid(demo, client):
    await client.api_login("secretary@fmdv.demo")
    body = {
        "slug": "fmdv-remote-2013",
        "body": "bod",
        "title_en": "FMDV Board (remote)",
        "time_zone": "Europe/Paris",
        "starts_at": "2013-03-01T10:00",
        "mode": "remote",
    }
    response = await client.send("POST", "/api/v1/organisations/fmdv/meetings", json=body)
    assert response.status_code == 422
    assert response.json()["errors"]["mode"] == "The statutes do not allow remote participation (Art. 11.7 (demo))."
    assert await Meeting.count().where(Meeting.slug == "fmdv-remote-2013") == 0
    body["mode"] = "in_person"
    created = await client.send("POST", "/api/v1/organisations/fmdv/meetings", json=body)
    assert created.status_code == 201
    assert created.json()["starts_at"] == "2013-03-01T10:00:00+01:00"
    assert created.json()["status"] == "draft"


async def test_meeting_edit_form_keeps_input(demo, client):
    await client.page_login("secretary@metropolis.demo")
    form = await client.get(f"/meetings/{SLUG}/edit")
    assert form.status_code == 200 and 'value="2012-11-16T09:30"' in form.text
    response = await client.post_form(
        f"/meetings/{SLUG}/edit",
        {
            "slug": SLUG,
            "body": "bod",
            "event": "metropolis-guangzhou-2012",
            "title_en": "Renamed <b>board</b>",
            "time_zone": "Asia/Shanghai",
            "starts_at": "2012-11-16T09:30",
            "ends_at": "2012-11-16T08:00",
            "kind": "ordinary",
            "mode": "in_person",
            "convocation": "1",
        },
    )
    assert response.status_code == 422
    assert "The end must come after the start." in response.text
    assert "Renamed &lt;b&gt;board&lt;/b&gt;" in response.text  # kept, and escaped
