"""Hypothesis-driven posts to the main page forms: sign-in, member, person, agenda item,
motion and the minutes' narrative.

Texts are drawn from all of Unicode but surrogates (right-to-left scripts, emoji,
combining marks, control characters and NUL included), plus hand-picked edge cases. For
every post: no 5xx; either the text is stored (stripped, as the forms do) and shown
escaped on the page that lists it, or the form comes back with an inline error and
nothing was written (the table's row count is unchanged).

Hypothesis generates the examples up front (``phases=[generate]``, a fixed seed, no
shrinking); the posts then run in the test's event loop, where the database pool lives.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from governance.accounts import sessions
from governance.accounts.tables import Person
from governance.agenda.tables import AgendaItem, Motion
from governance.organisations.tables import Member
from tests.support.polls import API, SLUG

EXAMPLES = int(os.environ.get("GOVERNANCE_FORM_FUZZ_EXAMPLES", "60"))
EDGES = [
    "الرباط",
    "Ciudad de México 🇲🇽",
    "\u202eevil\u202c",
    "a\x00b",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "{{ 7*7 }}",
    "%s%n%x",
    "\r\n\r\n",
    "x" * 20_001,
]
TEXT = st.one_of(
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=300),
    st.sampled_from(EDGES),
)


def examples(strategy: Any, count: int = EXAMPLES) -> list[Any]:
    drawn: list[Any] = []

    @settings(
        max_examples=count,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(value: Any) -> None:
        drawn.append(value)

    collect()
    return drawn


def shown_escaped(value: str, page: str) -> bool:
    """As Jinja's autoescape writes it (markupsafe); whitespace runs may be wrapped."""
    escaped = str(escape(value))
    return escaped in page or " ".join(escaped.split()) in " ".join(page.split())


class Tally:
    def __init__(self) -> None:
        self.stored = self.refused = 0

    def __repr__(self) -> str:
        return f"{self.stored} stored, {self.refused} refused"


async def _post(client: Any, url: str, data: dict[str, str], table: Any, tally: Tally) -> bool:
    """Post; True when stored (a redirect, or a new person's invitation link page), False
    when refused inline (nothing written)."""
    before = await table.count()
    response = await client.post_form(url, data, follow_redirects=False)
    assert response.status_code < 500, (url, data, response.status_code, response.text[-500:])
    invited = response.status_code == 200 and "/account/link/" in response.text
    if response.status_code in (302, 303) or invited:
        tally.stored += 1
        return True
    assert response.status_code in (400, 409, 413, 422), (url, response.status_code)
    assert response.headers["content-type"].startswith("text/html")
    assert 'class="error' in response.text or "role=\"alert\"" in response.text, response.text[-1500:]
    assert await table.count() == before, "a refused form wrote something"
    tally.refused += 1
    return False


async def test_member_and_person_forms(demo, make_client):
    secretary = make_client()
    assert (await secretary.page_login("secretary@metropolis.demo")).status_code == 303
    members, people = Tally(), Tally()
    for index, (name, country) in enumerate(examples(st.tuples(TEXT, TEXT))):
        data = {"slug": f"fuzz-{index}", "name": name, "country": country, "region": "europe", "category": "active"}
        if await _post(secretary, "/organisations/metropolis/members/new", data, Member, members):
            row = await Member.select(Member.name, Member.country).where(Member.slug == f"fuzz-{index}").first()
            assert row == {"name": name.strip(), "country": country.strip()}
            listing = (await secretary.get("/organisations/metropolis/members")).text
            assert shown_escaped(row["name"], listing)
    for index, full_name in enumerate(examples(TEXT)):
        data = {"email": f"fuzz{index}@example.org", "full_name": full_name, "language": "fr"}
        if await _post(secretary, "/organisations/metropolis/people/new", data, Person, people):
            row = await Person.select(Person.full_name).where(Person.email == f"fuzz{index}@example.org").first()
            assert row["full_name"] == full_name.strip()
            assert shown_escaped(row["full_name"], (await secretary.get("/organisations/metropolis/people")).text)
    print(f"\nform fuzz: members {members}; people {people}")
    assert members.stored and members.refused and people.stored


async def test_agenda_item_and_motion_forms(demo, make_client):
    desk, chair = make_client(), make_client()
    assert (await desk.page_login("secretary@metropolis.demo")).status_code == 303
    await chair.api_login("paris-idf@metropolis.demo")
    items, motions = Tally(), Tally()
    for index, (title, rapporteur) in enumerate(examples(st.tuples(TEXT, TEXT))):
        data = {"number": f"{20 + index}", "title_en": title, "rapporteur": rapporteur, "kind": "information"}
        if await _post(desk, f"/meetings/{SLUG}/agenda/items", data, AgendaItem, items):
            row = await AgendaItem.select(AgendaItem.title_en).where(AgendaItem.number == f"{20 + index}").first()
            assert row["title_en"] == title.strip()
    # Motions need the meeting open and an item taken up.
    await desk.send("POST", f"{API}/arrivals", json={"member": "paris-idf"})
    await chair.send("POST", f"{API}/status", json={"status": "open"})
    agenda = (await chair.get(f"{API}/agenda")).json()
    await chair.send("POST", f"{API}/agenda/items/{agenda[0]['id']}/open")
    for text in examples(TEXT):
        data = {"item": str(agenda[0]["id"]), "mover": "seoul", "text_fr": text}
        if await _post(desk, f"/meetings/{SLUG}/motions", data, Motion, motions):
            page = (await desk.get(f"/meetings/{SLUG}/console?language=fr")).text
            assert "<script>alert(1)" not in page
    print(f"\nform fuzz: agenda items {items}; motions {motions}")
    assert items.stored and items.refused and motions.stored


async def test_sign_in_form(demo, make_client):
    refused = 0
    for index, (email, password) in enumerate(examples(st.tuples(TEXT, TEXT))):
        client = make_client()  # one per attempt: the per-client throttle would answer 429 after 30
        token = await client.ensure_csrf()
        response = await client.http.post(
            "/login", data={"email": email, "password": password, "_csrf_token": token}, follow_redirects=False
        )
        assert response.status_code in (400, 401, 422, 429), (index, response.status_code, response.text[-300:])
        assert sessions.COOKIE_NAME not in client.http.cookies  # no session for a failed sign-in
        refused += 1
    assert refused == EXAMPLES


async def test_minutes_narrative_form(demo, make_client):
    from governance.demo import simulate
    from governance.minutes.tables import MinutesVersion

    report = await simulate.play(simulate.DEFAULT_SEED, with_minutes=False)
    assert report.played, report.message
    secretary = make_client()
    assert (await secretary.page_login("secretary@metropolis.demo")).status_code == 303
    base = f"/meetings/{SLUG}/minutes"
    assert (await secretary.post_form(f"{base}/draft", follow_redirects=False)).status_code == 303
    narratives = Tally()
    for text in examples(TEXT, EXAMPLES // 2):
        latest = await MinutesVersion.select(MinutesVersion.version).order_by(MinutesVersion.version, ascending=False)
        version = latest[0]["version"]
        if await _post(secretary, f"{base}/{version}/edit", {"narrative_4": text}, MinutesVersion, narratives):
            document = (await secretary.get(f"{base}/{version + 1}")).text
            for paragraph in (p.strip() for p in text.replace("\r", "\n").split("\n\n")):
                # Paragraphs are kept; each is shown escaped (line breaks may become <br>).
                first_line = paragraph.split("\n")[0].strip()
                assert not first_line or shown_escaped(first_line, document), first_line[:80]
    print(f"\nform fuzz: minutes narratives {narratives}")
    assert narratives.stored
    # The PDF the signatories sign renders whatever the narrative holds.
    from governance.meetings.services import meeting_context
    from governance.minutes import services as minutes

    principal = await simulate.principal_for("secretary@metropolis.demo")
    context = await meeting_context(SLUG, principal)
    latest = (await minutes.latest(context))["version"]
    controls = "".join(chr(c) for c in range(32) if chr(c) not in "\n\r")
    hostile = controls + " الرباط 👨‍👩‍👧 \u202eevil\u202c " + "x" * 5000
    edited = await minutes.edit(context, principal, latest, {"4": hostile})
    pdf = await minutes._render_pdf(context, edited)
    assert pdf.startswith(b"%PDF-")
