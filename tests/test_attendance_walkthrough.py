"""The Guangzhou Board meeting walked through arrivals, proxies, departures and a second
convocation; every quorum check is asserted against values computed by hand.

The Board: 31 seated members; associates (Gauteng, Guadalajara) do not vote; Dakar and
Antananarivo have not paid their 2012 fee and the rule set removes their vote: 27
voters. Quorum (Art. 11.4 (demo)): at least 1/2 of the voting members, present or
represented: ceil(27/2) = 14. Second convocation (Art. 11.5 (demo)): at least 1/3 with a
minimum of 5: max(5, ceil(27/3)) = 9.
"""

from __future__ import annotations

import datetime as dt

from governance.meetings.tables import Presence, Proxy, QuorumCheck

SLUG = "metropolis-bod-2012"
API = f"/api/v1/meetings/{SLUG}"


async def _last_check() -> tuple:
    row = await QuorumCheck.select().order_by(QuorumCheck.id, ascending=False).first()
    return (
        row["trigger"],
        row["convocation"],
        row["present"],
        row["represented"],
        row["counted"],
        row["total"],
        row["required"],
        row["met"],
    )


async def test_guangzhou_board_walkthrough(demo, make_client):
    desk, chair, berlin = make_client(), make_client(), make_client()
    assert (await desk.api_login("secretary@metropolis.demo")).status_code == 200
    assert (await chair.api_login("paris-idf@metropolis.demo")).status_code == 200
    assert (await berlin.api_login("berlin@metropolis.demo")).status_code == 200
    expected_rows = 0

    async def step(client, method, url, body, expected, **kwargs):
        nonlocal expected_rows
        response = await client.send(method, url, json=body, **kwargs)
        assert response.status_code in (200, 201), f"{url} {body}: {response.status_code} {response.text}"
        expected_rows += 1
        assert await QuorumCheck.count() == expected_rows
        assert await _last_check() == expected, url
        return response

    async def refused(client, url, body, status, text):
        response = await client.send("POST", url, json=body)
        assert response.status_code == status, response.text
        assert text in response.json()["detail"], response.json()
        assert await QuorumCheck.count() == expected_rows  # nothing recorded, nothing changed

    # Eight voting members arrive: each arrival is one quorum check.
    voters = ["paris-idf", "guangzhou", "barcelona", "berlin", "brussels", "seoul", "montreal", "mexico-city"]
    for count, member in enumerate(voters, start=1):
        await step(
            desk,
            "POST",
            f"{API}/arrivals",
            {"member": member},
            (f"arrival:{member}", 1, count, 0, count, 27, 14, False),
        )
    # An associate member and a member in arrears attend but do not count.
    await step(desk, "POST", f"{API}/arrivals", {"member": "gauteng"}, ("arrival:gauteng", 1, 8, 0, 8, 27, 14, False))
    await step(desk, "POST", f"{API}/arrivals", {"member": "dakar"}, ("arrival:dakar", 1, 8, 0, 8, 27, 14, False))
    register = (await desk.get(f"{API}/register")).json()
    dakar = next(m for m in register["members"] if m["member"] == "dakar")
    assert dakar["votes"] is False and dakar["no_vote_reason"] == "Fee for 2012 not paid (Art. 7.3 (demo))."
    gauteng = next(m for m in register["members"] if m["member"] == "gauteng")
    assert gauteng["no_vote_reason"] == "Associate member: no vote (Art. 6 (demo))."

    # Bad input changes nothing.
    await refused(
        desk,
        f"{API}/arrivals",
        {"member": "moscow", "mode": "remote"},
        422,
        "This meeting is held in person: remote participation is not open (Art. 11.7 (demo)).",
    )
    await refused(desk, f"{API}/arrivals", {"member": "paris-idf"}, 409, "already checked in")
    await refused(
        desk,
        f"{API}/arrivals",
        {"member": "barcelona", "person_id": await _person("barcelona-substitute@metropolis.demo")},
        409,
        "a substitute may only replace an absent delegate",
    )
    await refused(desk, f"{API}/arrivals", {"member": "no-such-city"}, 422, "no seat")

    # The chair opens the meeting: from now on proxies need a holder in the room.
    assert (await chair.send("POST", f"{API}/status", json={"status": "open"})).status_code == 200

    # Moscow's proxy to Paris, recorded at the desk and accepted by Paris: it does not count
    # until the secretariat attaches Moscow's signed proxy form.
    given = await step(
        desk,
        "POST",
        f"{API}/proxies",
        {"grantor": "moscow", "holder": "paris-idf"},
        ("proxy-given:moscow:paris-idf", 1, 8, 0, 8, 27, 14, False),
    )
    moscow_proxy = given.json()["id"]
    assert given.json()["missing"] == ["grantor", "holder"]
    await step(
        chair,
        "POST",
        f"{API}/proxies/{moscow_proxy}/accept",
        None,
        ("proxy-accepted:moscow:paris-idf", 1, 8, 0, 8, 27, 14, False),
    )
    await step(
        desk,
        "POST",
        f"{API}/proxies/{moscow_proxy}/form",
        None,
        ("proxy-form:moscow:paris-idf", 1, 8, 1, 9, 27, 14, False),
        files={"file": ("moscow-proxy.pdf", b"%PDF-1.4 signed by the Mayor of Moscow\n%%EOF\n", "application/pdf")},
    )
    # Lyon's proxy to Berlin, accepted by Berlin from its tablet, confirmed by Lyon from its own.
    lyon = await step(
        desk,
        "POST",
        f"{API}/proxies",
        {"grantor": "lyon", "holder": "berlin"},
        ("proxy-given:lyon:berlin", 1, 8, 1, 9, 27, 14, False),
    )
    await step(
        berlin,
        "POST",
        f"{API}/proxies/{lyon.json()['id']}/accept",
        None,
        ("proxy-accepted:lyon:berlin", 1, 8, 1, 9, 27, 14, False),
    )
    lyon_tablet = make_client()
    assert (await lyon_tablet.api_login("lyon@metropolis.demo")).status_code == 200
    await step(
        lyon_tablet,
        "POST",
        f"{API}/proxies/{lyon.json()['id']}/confirm",
        None,
        ("proxy-confirmed:lyon:berlin", 1, 8, 2, 10, 27, 14, False),
    )

    # Every proxy rule refuses with its reason (and the article).
    await refused(
        desk,
        f"{API}/proxies",
        {"grantor": "milan", "holder": "paris-idf"},
        422,
        "Paris Île-de-France already holds 1 proxy, the most the statutes allow (Art. 11.3 (demo))",
    )
    await refused(desk, f"{API}/proxies", {"grantor": "berlin", "holder": "seoul"}, 422, "no chains of proxies")
    await refused(desk, f"{API}/proxies", {"grantor": "istanbul", "holder": "lyon"}, 422, "no chains or cycles")
    await refused(
        desk,
        f"{API}/proxies",
        {"grantor": "toronto", "holder": "gauteng"},
        422,
        "Gauteng Province has no vote in this meeting, so it cannot hold a proxy",
    )
    await refused(desk, f"{API}/proxies", {"grantor": "bogota", "holder": "melbourne"}, 422, "Melbourne is not present")
    await refused(
        desk, f"{API}/proxies", {"grantor": "guangzhou", "holder": "seoul"}, 422, "is present and votes itself"
    )
    await refused(desk, f"{API}/proxies", {"grantor": "seoul", "holder": "seoul"}, 422, "cannot hold its own proxy")
    await refused(
        berlin, f"{API}/proxies", {"grantor": "tehran", "holder": "berlin"}, 403, "Only the member's own representative"
    )

    # 10 < 14: the first convocation fails; the second has its own quorum, 9.
    await step(chair, "POST", f"{API}/second-convocation", None, ("second-convocation", 2, 8, 2, 10, 27, 9, True))
    await refused(chair, f"{API}/second-convocation", None, 409, "already on its second convocation")

    # Berlin leaves: its own vote and Lyon's proxy (held by someone absent) no longer count.
    await refused(
        desk,
        f"{API}/departures",
        {"member": "brussels", "at": (dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)).isoformat()},
        422,
        "a departure cannot come before the arrival",
    )
    await step(
        berlin, "POST", f"{API}/departures", {"member": "berlin"}, ("departure:berlin", 2, 7, 1, 8, 27, 9, False)
    )
    register = (await berlin.get(f"{API}/register")).json()
    assert register["quorum"]["met"] is False
    # Berlin returns: a new stay, the old one kept.
    await step(desk, "POST", f"{API}/arrivals", {"member": "berlin"}, ("arrival:berlin", 2, 8, 2, 10, 27, 9, True))
    assert await Presence.count().where(Presence.member.slug == "berlin") == 2
    # Moscow arrives: its proxy is revoked, it now counts as present.
    await step(desk, "POST", f"{API}/arrivals", {"member": "moscow"}, ("arrival:moscow", 2, 9, 1, 10, 27, 9, True))
    revoked = await Proxy.select(Proxy.revoked_reason).where(Proxy.id == moscow_proxy).first()
    assert revoked["revoked_reason"] == "grantor_arrived"
    await step(
        desk,
        "POST",
        f"{API}/excusals",
        {"member": "melbourne", "reason": "flight cancelled"},
        ("excusal:melbourne", 2, 9, 1, 10, 27, 9, True),
    )

    checks = (await desk.get(f"{API}/quorum-checks")).json()
    assert len(checks) == expected_rows == 21
    assert checks[0]["description"] == "Arrival of Paris Île-de-France"
    assert checks[11]["description"] == "Proxy of Moscow accepted by Paris Île-de-France"
    register = (await desk.get(f"{API}/register")).json()
    paris = next(m for m in register["members"] if m["member"] == "paris-idf")
    assert paris["holds"] == []  # Moscow took its vote back
    berlin_line = next(m for m in register["members"] if m["member"] == "berlin")
    assert berlin_line["holds"] == ["Greater Lyon"] and berlin_line["stays"] == 2


async def _person(email: str) -> int:
    from governance.accounts.tables import Person

    return (await Person.select(Person.id).where(Person.email == email).first())["id"]


async def test_pages_show_the_register_and_what_i_hold(demo, make_client):
    desk, paris = make_client(), make_client()
    await desk.page_login("secretary@metropolis.demo")
    await paris.page_login("paris-idf@metropolis.demo")
    page = await desk.get(f"/meetings/{SLUG}/desk")
    assert page.status_code == 200 and "Attendance register" in page.text and "0 / 14" in page.text
    # One tap at the desk: Paris arrives.
    response = await desk.post_form(
        f"/meetings/{SLUG}/arrivals", {"member": "paris-idf", "back": "desk"}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == f"/meetings/{SLUG}/desk?arrived=paris-idf"
    # Handing over a vote asks first, naming both members; nothing is recorded until confirmed.
    proxy_form = {"grantor": "brussels", "holder": "paris-idf", "back": "desk"}
    asked = await desk.post_form(f"/meetings/{SLUG}/proxies", proxy_form)
    assert asked.status_code == 200
    assert "Give the proxy of Brussels-Capital Region to Paris Île-de-France?" in asked.text
    assert 'name="confirm" value="yes"' in asked.text and await Proxy.count() == 0
    await desk.post_form(f"/meetings/{SLUG}/proxies", {**proxy_form, "confirm": "yes"})
    tablet = await paris.get(f"/meetings/{SLUG}")
    assert "You represent Paris Île-de-France." in tablet.text
    assert "Accept the proxy of Brussels-Capital Region" in tablet.text
    proxy = await Proxy.select(Proxy.id).first()
    await paris.post_form(f"/meetings/{SLUG}/proxies/{proxy['id']}/accept", {})
    tablet = await paris.get(f"/meetings/{SLUG}")
    assert "You also hold the proxy of Brussels-Capital Region." not in tablet.text
    assert (
        "The proxy of Brussels-Capital Region does not count yet: "
        "awaiting the grantor&#39;s confirmation or signed proxy form." in tablet.text
    )
    # Brussels confirms it from its own tablet: now it counts.
    brussels = make_client()
    await brussels.page_login("brussels@metropolis.demo")
    own = await brussels.get(f"/meetings/{SLUG}")
    assert "Confirm the proxy given to Paris Île-de-France" in own.text
    await brussels.post_form(f"/meetings/{SLUG}/proxies/{proxy['id']}/confirm", {})
    tablet = await paris.get(f"/meetings/{SLUG}")
    assert "You also hold the proxy of Brussels-Capital Region." in tablet.text
    # A refusal comes back on the page it came from, with the reason.
    again = await desk.post_form(f"/meetings/{SLUG}/arrivals", {"member": "paris-idf", "back": "desk"})
    assert again.status_code == 409 and "already checked in" in again.text and "Attendance register" in again.text
    projector = await paris.get(f"/meetings/{SLUG}/projector")
    assert projector.status_code == 200 and "2 / 14" in projector.text
    assert (await paris.get(f"/meetings/{SLUG}/desk")).status_code == 403
    search = await desk.get(f"/meetings/{SLUG}/desk?q=guang")
    table = search.text.split('<table id="register"')[1].split("</table>")[0]
    assert "Guangzhou" in table and "Montréal" not in table


async def test_the_cached_register_speaks_each_readers_language(demo, make_client):
    """The register is cached per process: why a member may not vote is put into words when
    read, so a French reader after an English one (same cached register) reads French."""
    english, french = make_client(), make_client()
    await english.api_login("secretary@metropolis.demo")
    await french.api_login("secretary@metropolis.demo")
    french.http.cookies.set("governance_lang", "fr")
    reasons = {}
    for language, client in (("en", english), ("fr", french), ("en again", english)):
        members = (await client.get(f"{API}/register")).json()["members"]
        reasons[language] = {m["member"]: m["no_vote_reason"] for m in members if m["no_vote_reason"]}
    assert reasons["en"] and reasons["en"] == reasons["en again"]
    assert any("not paid" in reason for reason in reasons["en"].values())
    assert any("non payée" in reason for reason in reasons["fr"].values())
    assert not any("not paid" in reason for reason in reasons["fr"].values())
