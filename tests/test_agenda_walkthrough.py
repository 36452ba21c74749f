"""The Guangzhou Board agenda: adopt the agenda, approve the previous minutes, a budget
motion with an amendment, a recusal, a postponed item, each decided by putting the question
(unanimous consent); states, decision numbers and the log of who did what are asserted."""

from __future__ import annotations

from governance.agenda.tables import AgendaItem, Motion, MotionText
from governance.meetings.tables import Meeting
from tests.support.polls import VOTERS

SLUG = "metropolis-bod-2012"
API = f"/api/v1/meetings/{SLUG}"


async def test_guangzhou_board_agenda(demo, make_client):
    clients = {}
    for name, email in {
        "desk": "secretary@metropolis.demo",
        "chair": "paris-idf@metropolis.demo",
        "treasurer": "barcelona@metropolis.demo",
        "berlin": "berlin@metropolis.demo",
        "brussels": "brussels@metropolis.demo",
        "guangzhou": "guangzhou@metropolis.demo",
        "seoul": "seoul@metropolis.demo",
        "lyon": "lyon@metropolis.demo",
        "milan": "milan@metropolis.demo",
    }.items():
        clients[name] = make_client()
        assert (await clients[name].api_login(email)).status_code == 200
    desk, chair = clients["desk"], clients["chair"]

    async def ok(client, method, url, body=None, status=(200, 201)):
        response = await client.send(method, url, json=body)
        assert response.status_code in status, f"{method} {url}: {response.status_code} {response.text}"
        return response.json()

    async def refused(client, method, url, body, status, text):
        response = await client.send(method, url, json=body)
        assert response.status_code == status, f"{url}: {response.status_code} {response.text}"
        assert text in response.json()["detail"], response.json()["detail"]

    for member in VOTERS:  # fifteen of the 27 voting members: quorum (14) for every vote
        await ok(desk, "POST", f"{API}/arrivals", {"member": member})
    items = {item["number"]: item["id"] for item in await ok(desk, "GET", f"{API}/agenda")}
    assert list(items) == ["1", "2", "3", "4", "5", "6", "7", "8"]
    assert (await ok(chair, "POST", f"{API}/status", {"status": "open"}))["status"] == "open"
    # Nothing before the agenda is adopted; only the chair drives it.
    await refused(chair, "POST", f"{API}/agenda/items/{items['4']}/open", None, 409, "Adopt the agenda first")
    await refused(desk, "POST", f"{API}/agenda/items/{items['1']}/open", None, 403, "Only the chair drives")

    async def carry(motion_id: int) -> dict:
        """The chair puts the question on a seconded motion; nobody objects: adopted by that vote."""
        item = (await ok(desk, "GET", f"{API}/motions/{motion_id}"))["item"]
        put = await ok(chair, "POST", f"{API}/agenda/items/{item}/question", {"motion": motion_id})
        assert put["poll"]["method"] == "unanimous_consent" and put["motion"]["status"] == "voting"
        await ok(chair, "POST", f"{API}/polls/{put['poll']['id']}/close")
        return await ok(desk, "GET", f"{API}/motions/{motion_id}")

    # 1. Adoption of the agenda: a motion moved by the secretariat, seconded by Berlin.
    await ok(chair, "POST", f"{API}/agenda/items/{items['1']}/open")
    motion = await ok(
        desk, "POST", f"{API}/motions", {"item": items["1"], "text_fr": "Le Conseil adopte l'ordre du jour."}
    )
    assert motion["texts"] == [{"language": "fr", "text": "Le Conseil adopte l'ordre du jour.", "authoritative": True}]
    await refused(chair, "POST", f"{API}/motions/{motion['id']}/status", {"status": "debate"}, 409, "needs a seconder")
    await ok(clients["berlin"], "POST", f"{API}/motions/{motion['id']}/second")
    adopted = await carry(motion["id"])
    assert adopted["status"] == "adopted" and adopted["decision_number"] == "BoD-2012-01"
    assert (await Meeting.select(Meeting.agenda_adopted_at).where(Meeting.slug == SLUG).first())["agenda_adopted_at"]

    # 2. Approval of the previous minutes: moved by Guangzhou, seconded by Seoul.
    await ok(chair, "POST", f"{API}/agenda/items/{items['2']}/open")
    minutes = await ok(
        clients["guangzhou"],
        "POST",
        f"{API}/motions",
        {"item": items["2"], "text_fr": "Le procès-verbal de la précédente réunion est approuvé."},
    )
    await ok(clients["seoul"], "POST", f"{API}/motions/{minutes['id']}/second")
    assert (await carry(minutes["id"]))["decision_number"] == "BoD-2012-02"
    # Item 1 closed when item 2 was taken up: no motion on a closed item.
    await refused(
        desk, "POST", f"{API}/motions", {"item": items["1"], "text_fr": "Encore ?"}, 409, "no motion can be made on it"
    )

    # 4. Budget 2013: the Treasurer moves, Guangzhou steps aside, Berlin amends.
    await ok(chair, "POST", f"{API}/agenda/items/{items['4']}/open")
    budget = await ok(
        clients["treasurer"],
        "POST",
        f"{API}/motions",
        {
            "item": items["4"],
            "text_fr": "Le Conseil approuve le budget 2013 de 3 200 000 euros.",
            "text_en": "The Board approves the 2013 budget of EUR 3,200,000.",
        },
    )
    await ok(clients["berlin"], "POST", f"{API}/motions/{budget['id']}/second")
    await ok(chair, "POST", f"{API}/motions/{budget['id']}/status", {"status": "debate"})
    recusal = await ok(
        clients["guangzhou"],
        "POST",
        f"{API}/agenda/items/{items['4']}/recusals",
        {"reason": "Guangzhou hosts the meeting and receives a grant under this budget"},
    )
    assert recusal["member"] == "guangzhou"
    amendment = await ok(
        clients["berlin"],
        "POST",
        f"{API}/motions",
        {
            "item": items["4"],
            "kind": "amendment",
            "amends": budget["id"],
            "text_fr": "Le Conseil approuve le budget 2013 de 3 000 000 euros.",
            "text_en": "The Board approves the 2013 budget of EUR 3,000,000.",
        },
    )
    assert amendment["depth"] == 1 and amendment["decision_type"] == "budget"
    await refused(
        clients["seoul"],
        "POST",
        f"{API}/motions",
        {"item": items["4"], "kind": "amendment", "amends": amendment["id"], "text_fr": "3 100 000 euros."},
        409,
        "The statutes allow amendments 1 level deep",
    )
    await refused(
        clients["berlin"],
        "POST",
        f"{API}/motions/{amendment['id']}/second",
        None,
        409,
        "Nobody can second their own motion",
    )
    await ok(clients["brussels"], "POST", f"{API}/motions/{amendment['id']}/second")
    await refused(
        chair, "POST", f"{API}/motions/{budget['id']}/status", {"status": "voting"}, 409, "amendments are voted first"
    )
    diff = (await desk.get(f"{API}/motions/{amendment['id']}/diff?language=en")).json()
    assert ["del", "3,200,000."] in diff and ["ins", "3,000,000."] in diff
    amended = await carry(amendment["id"])
    assert amended["decision_number"] is None  # an amendment is not a decision of its own
    budget_now = await ok(desk, "GET", f"{API}/motions/{budget['id']}")
    assert budget_now["version"] == 2
    assert {t["language"]: t["text"] for t in budget_now["texts"]}["en"] == (
        "The Board approves the 2013 budget of EUR 3,000,000."
    )
    assert await MotionText.count().where(MotionText.motion == budget["id"]) == 4  # both versions kept
    assert (await carry(budget["id"]))["decision_number"] == "BoD-2012-03"

    # 5. Admission of new members: postponed by a procedural motion.
    await ok(chair, "POST", f"{API}/agenda/items/{items['5']}/open")
    admission = await ok(
        desk,
        "POST",
        f"{API}/motions",
        {"item": items["5"], "mover": "seoul", "text_fr": "Le Conseil admet la ville de Lisbonne."},
    )
    await ok(clients["milan"], "POST", f"{API}/motions/{admission['id']}/second")
    await ok(chair, "POST", f"{API}/motions/{admission['id']}/status", {"status": "debate"})
    postpone = await ok(
        clients["lyon"],
        "POST",
        f"{API}/motions",
        {
            "item": items["5"],
            "kind": "procedural",
            "procedure": "postpone",
            "text_fr": "Reporter ce point à la prochaine réunion.",
        },
    )
    await ok(clients["milan"], "POST", f"{API}/motions/{postpone['id']}/second")
    assert (await carry(postpone["id"]))["decision_number"] == "BoD-2012-04"
    assert (await ok(desk, "GET", f"{API}/motions/{admission['id']}"))["status"] == "postponed"
    item5 = await AgendaItem.select(AgendaItem.status).where(AgendaItem.id == items["5"]).first()
    assert item5["status"] == "postponed"

    # Changing the adopted agenda needs a decision first.
    new_item = {"number": "9", "title_en": "Urban innovation award", "kind": "information"}
    await refused(desk, "POST", f"{API}/agenda/items", new_item, 409, "The agenda is adopted")
    await ok(chair, "POST", f"{API}/agenda/items/{items['6']}/open")
    amend_agenda = await ok(
        clients["seoul"],
        "POST",
        f"{API}/motions",
        {
            "item": items["6"],
            "kind": "procedural",
            "procedure": "amend_agenda",
            "text_fr": "Ajouter un point sur le prix de l'innovation urbaine.",
        },
    )
    await ok(clients["brussels"], "POST", f"{API}/motions/{amend_agenda['id']}/second")
    assert (await carry(amend_agenda["id"]))["decision_number"] == "BoD-2012-05"
    await refused(desk, "POST", f"{API}/agenda/items", new_item, 403, "Only the chair drives")
    assert (await ok(chair, "POST", f"{API}/agenda/items", new_item))["number"] == "9"
    await refused(chair, "POST", f"{API}/agenda/items", {**new_item, "number": "10"}, 409, "The agenda is adopted")

    # Decision numbers are unique and monotonic for the body and year.
    numbers = [
        row["decision_number"]
        for row in await Motion.select(Motion.decision_number)
        .where(Motion.decision_number.is_not_null())
        .order_by(Motion.decision_sequence)
    ]
    assert numbers == ["BoD-2012-01", "BoD-2012-02", "BoD-2012-03", "BoD-2012-04", "BoD-2012-05"]

    # The log says who did what.
    events = await ok(desk, "GET", f"{API}/log")
    by_kind = [(e["kind"], e["actor"]) for e in events]
    assert ("recusal_declared", "Chen Jianhua") in by_kind
    assert ("motion_seconded", "Representative of Brussels-Capital Region (demo)") in by_kind
    adopted_budget = next(e for e in events if e["kind"] == "motion_adopted" and e["payload"]["motion"] == budget["id"])
    assert adopted_budget["actor"] == "Jean-Paul Huchon" and adopted_budget["payload"]["decision"] == "BoD-2012-03"
    assert ("agenda_adopted", "Jean-Paul Huchon") in by_kind
    assert ("item_postponed", "Jean-Paul Huchon") in by_kind
    kinds = [e["kind"] for e in events]
    assert kinds.index("motion_amended") < kinds.index("motion_adopted", kinds.index("motion_amended"))
    recusals = await ok(desk, "GET", f"{API}/recusals")
    assert [r["member"] for r in recusals] == ["guangzhou"]


async def test_console_projector_and_tablet_show_the_agenda(demo, make_client):
    chair, tablet = make_client(), make_client()
    await chair.page_login("paris-idf@metropolis.demo")
    await tablet.page_login("guangzhou@metropolis.demo")
    await chair.send("POST", f"{API}/status", json={"status": "open"})
    item = (await chair.get(f"{API}/agenda")).json()[0]
    console = await chair.get(f"/meetings/{SLUG}/console")
    assert "Take up" in console.text and "Adoption of the agenda" in console.text
    taken = await chair.post_form(
        f"/meetings/{SLUG}/agenda/items/{item['id']}/open", {"back": "console"}, follow_redirects=False
    )
    assert taken.status_code == 303
    await tablet.post_form(
        f"/meetings/{SLUG}/motions",
        {"item": str(item["id"]), "kind": "main", "text_fr": "Le Conseil adopte l'ordre du jour."},
    )
    # The tablet reads in English: the French text is marked authoritative, one tap away.
    page = await tablet.get(f"/meetings/{SLUG}")
    assert "Le Conseil adopte l&#39;ordre du jour." in page.text
    projector = await tablet.get(f"/meetings/{SLUG}/projector")
    assert "1. Adoption of the agenda" in projector.text
    refused = await tablet.post_form(f"/meetings/{SLUG}/agenda/items/{item['id']}/close", {})
    assert refused.status_code == 403 and "Only the chair drives" in refused.text
