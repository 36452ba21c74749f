"""Page objects: what a person sees and does, so the journeys read like the meeting.

Selectors live here, by role and visible text where the page offers them. People reach
their pages as people do: the site's address, then taps on links (``Person.tap``); a page
is loaded by its URL (``Person.go``) only where that is the point. What one device does,
another sees within ``LIVE`` (2 s): Playwright's ``expect``, never a sleep.

Every device is watched (``Watch``): a console error, an uncaught exception or a CSP
violation on any of its pages fails the test (``conftest.py``), and its trusted taps and
keystrokes are counted, so that the journeys measure the core tasks (``Tally``).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, TimeoutError, expect

PASSWORD = "guangzhou-2012"
SLUG = "metropolis-bod-2012"
ORG = "metropolis"
# ms: what one device does, every other device shows within 2 s (issue 19), counted from the
# moment the acting device saw its own answer.
LIVE = 2_000
# ms: a device's own page loads and answers, generously (two cores shared with other work).
PATIENT = 15_000
AXE = Path(__file__).with_name("vendor") / "axe.min.js"
# Where screenshots go: the README's own (docs/screenshots) only when asked to refresh them
# (GOVERNANCE_REFRESH_SCREENSHOTS=1), so that a test run leaves the working tree as it found it;
# otherwise $GOVERNANCE_SCREENSHOTS, or the run's temporary directory (set by conftest.py).
README_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SCREENSHOTS = README_SCREENSHOTS
TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}
# A grantor's signed proxy form, as the desk scans it (a PDF is told by its first bytes).
PROXY_FORM = b"%PDF-1.4\n% Proxy form signed by the grantor's principal (test)\n%%EOF\n"
# The meeting's card in "My meetings", in any of the three languages.
MEETING_TITLE = re.compile(
    "^(Metropolis Board of Directors, Guangzhou 2012|Conseil d'administration de Metropolis, Canton 2012"
    "|Consejo de Administración de Metropolis, Cantón 2012)$"
)
expect.set_options(timeout=PATIENT)


def email(member: str) -> str:
    return f"{member}@{ORG}.demo"


# --- what every device's pages report ------------------------------------------------------------

# Runs in every page of a watched device before its own scripts: CSP violations (the browser
# fires ``securitypolicyviolation`` at the document), and the person's own taps and keys
# (``isTrusted``: Playwright's clicks and key presses are, a script's are not).
WATCH_SCRIPT = """
(() => {
  const report = (kind, detail) => {
    try { window.__governanceWatch(kind, detail); } catch (e) { /* the device is closing */ }
  };
  document.addEventListener("securitypolicyviolation", (e) => report("csp", `${e.violatedDirective} blocked`
    + ` ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber} ${e.sample || ""}`
    + ` on ${(e.target && e.target.outerHTML || "").slice(0, 300)}`), true);
  window.addEventListener("pointerdown", (e) => { if (e.isTrusted) report("tap", e.target.tagName); }, true);
  window.addEventListener("keydown", (e) => { if (e.isTrusted) report("key", e.key); }, true);
})();
"""


@dataclass
class Tally:
    """Taps and keystrokes of one device, as its pages saw them."""

    taps: int = 0
    keys: int = 0


@dataclass
class Watch:
    """What went wrong on a device's pages, and what its person did."""

    name: str
    problems: list[str] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)


# Every device opened by this run; conftest.py fails a test whose devices reported a problem.
WATCHES: list[Watch] = []
_WATCH_BY_PAGE: dict[int, Watch] = {}
# Console messages a test expects for a moment (``tolerated``): the pattern and why.
TOLERATED: list[tuple[re.Pattern[str], str]] = []


@contextlib.contextmanager
def tolerated(pattern: str, why: str, page: Page) -> Iterator[None]:
    """Console errors matching ``pattern`` are expected from ``page`` while the block runs
    (say ``why``)."""
    entry = (re.compile(pattern), why)
    TOLERATED.append(entry)
    try:
        yield
        # The page's messages arrive over the connection in order: after one round trip,
        # every message the block caused has been seen (and tolerated).
        page.evaluate("() => 0")
    finally:
        TOLERATED.remove(entry)


def _report(watch: Watch, kind: str, detail: str) -> None:
    if kind == "tap":
        watch.tally.taps += 1
    elif kind == "key":
        watch.tally.keys += 1
    elif not any(pattern.search(detail) for pattern, _ in TOLERATED):
        watch.problems.append(f"{watch.name}: {kind}: {detail}")


def _accept(watch: Watch, dialog: Any) -> None:
    """A confirmation (hx-confirm) is answered with one tap on OK."""
    watch.tally.taps += 1
    dialog.accept()


def open_device(browser: Browser, base_url: str, viewport: dict[str, int] | None = None, **options: Any) -> Page:
    """A separate device (its own cookies and session), confirming every hx-confirm dialog,
    watched: console errors, uncaught exceptions and CSP violations are kept as problems."""
    context: BrowserContext = browser.new_context(base_url=base_url, viewport=viewport or TABLET, **options)
    context.set_default_timeout(PATIENT)
    watch = Watch(f"device {len(WATCHES) + 1} ({(viewport or TABLET)['width']}px)")
    WATCHES.append(watch)
    context.expose_binding("__governanceWatch", lambda source, kind, detail: _report(watch, kind, str(detail)))
    context.add_init_script(WATCH_SCRIPT)
    page = context.new_page()
    page.on("dialog", lambda dialog: _accept(watch, dialog))
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and _report(watch, "console", f"{message.text} ({page.url} {message.location.get('url', '')})")
        ),
    )
    page.on("pageerror", lambda error: _report(watch, "uncaught", f"{error} ({page.url})"))
    _WATCH_BY_PAGE[id(page)] = watch
    return page


def watch_of(page: Page) -> Watch:
    return _WATCH_BY_PAGE[id(page)]


# --- accessibility -------------------------------------------------------------------------------


@dataclass
class Axe:
    """axe-core, vendored from npm, run in the page; serious and critical violations fail."""

    checked: dict[str, str] = field(default_factory=dict)  # page type -> URL
    minor: dict[str, list[str]] = field(default_factory=dict)  # rule -> page types (moderate, minor)
    source: str = field(default_factory=lambda: AXE.read_text(encoding="utf-8"))

    def violations(self, page: Page) -> list[dict[str, Any]]:
        """axe's violations on the page as it is now (WCAG 2.1 A and AA, and best practices)."""
        page.wait_for_load_state("load")
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            # Evaluated through the DevTools protocol: the page's CSP (script-src 'self') does not apply.
            page.evaluate(f"() => {{ {self.source}\n }}")
        result = page.evaluate(
            "async () => await axe.run(document, {resultTypes: ['violations'],"
            " runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
        )
        return result["violations"]

    def check(self, page: Page, page_type: str) -> None:
        """No serious or critical violation on this page; remembered as checked."""
        violations = self.violations(page)
        bad = [v for v in violations if v["impact"] in ("serious", "critical")]
        for v in violations:
            if v not in bad:
                self.minor.setdefault(v["id"], []).append(page_type)
        report = [
            {
                "rule": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [(n["target"], n.get("failureSummary", "")[:300]) for n in v["nodes"][:5]],
            }
            for v in bad
        ]
        assert not bad, f"axe: {page_type} ({page.url}):\n{json.dumps(report, indent=1, ensure_ascii=False)}"
        self.checked[page_type] = page.url


# --- people and their pages ----------------------------------------------------------------------


class Person:
    """Someone at a device: signs in, taps their way to pages."""

    def __init__(self, page: Page) -> None:
        self.page = page

    @property
    def tally(self) -> Tally:
        """Every tap and keystroke on this device so far."""
        return watch_of(self.page).tally

    @contextlib.contextmanager
    def counting(self) -> Iterator[Tally]:
        """The taps and keystrokes of the block, filled in when it ends."""
        start, counted = Tally(self.tally.taps, self.tally.keys), Tally()
        yield counted
        # The page reports over the same connection, in order: one round trip, and every
        # event of the block has been counted.
        self.page.evaluate("() => 0")
        counted.taps, counted.keys = self.tally.taps - start.taps, self.tally.keys - start.keys

    @property
    def path(self) -> str:
        return re.sub(r"^https?://[^/]+", "", self.page.url).split("?")[0].split("#")[0]

    def sign_in(self, address: str, password: str = PASSWORD) -> Person:
        """From the site's address: the sign-in form (the e-mail field has the focus), the
        address, Tab, the password, Enter; "My meetings" follows."""
        page = self.page
        page.goto("/")
        expect(page.locator("#email")).to_be_focused()
        page.keyboard.type(address)
        page.keyboard.press("Tab")
        page.keyboard.type(password)
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/meetings$"))
        expect(page.locator("header nav").first).to_contain_text(re.compile("Sign out|Se déconnecter|Cerrar sesión"))
        return self

    def switch_language(self, code: str) -> None:
        self.page.locator(f"nav.languages a[hreflang={code}]").click()
        expect(self.page.locator("html")).to_have_attribute("lang", code)

    def tap(self, name: str | re.Pattern[str], path: str | None = None, role: str = "link") -> Page:
        """One tap on the link (or button) that reads ``name``; waits for the page it brings
        (``path``, when given) to have settled: a second tap while the first is in flight
        races it (the later answer to arrive wins hx-boost's body swap)."""
        self.settled()
        self.page.get_by_role(role, name=name, exact=True).first.click()  # type: ignore[arg-type]
        if path is not None:
            expect(self.page).to_have_url(re.compile(rf"^[^?#]*{re.escape(path)}([?#].*)?$"))
        self.settled()
        return self.page

    def to_meeting(self, slug: str = SLUG, title: str | re.Pattern[str] = MEETING_TITLE) -> Page:
        """The meeting's page, by taps: "My meetings" (unless there already), then its card."""
        if self.path == f"/meetings/{slug}":
            return self.page
        if self.path != "/meetings":
            self.tap(re.compile("^(My meetings|Mes réunions|Mis reuniones)$"), "/meetings")
        return self.tap(title, f"/meetings/{slug}")

    def open_meeting_page(self) -> Page:
        return self.to_meeting()

    def meeting_page_link(
        self, name: str, path: str, slug: str = SLUG, title: str | re.Pattern[str] = MEETING_TITLE
    ) -> Page:
        """A page of the meeting, by taps: the meeting's page, then its link there."""
        if self.path == f"/meetings/{slug}{path}":
            return self.page
        self.to_meeting(slug, title)
        return self.tap(name, f"/meetings/{slug}{path}")

    def minutes(self) -> Page:
        self.to_meeting()
        return self.tap("Minutes", f"/meetings/{SLUG}/minutes")

    def close_meeting(self, untreated: list[str], check: Callable[[Page], None] | None = None) -> None:
        """Close the meeting: the confirmation step names the items never taken up."""
        page = self.open_meeting_page()
        page.get_by_role("button", name="Close the meeting").click()
        expect(page.locator("h1")).to_have_text("Close the meeting?")
        expect(page.locator("p.consequence")).to_contain_text(
            f"{len(untreated)} items were not taken up: they will be recorded as not dealt with"
        )
        for title in untreated:
            expect(page.locator("ul.untreated")).to_contain_text(title)
        if check:
            check(page)
        page.get_by_role("button", name="Close the meeting for good").click()
        expect(page.get_by_role("link", name="Minutes")).to_be_visible()

    def change_status(self, button: str) -> None:
        page = self.to_meeting()
        page.get_by_role("button", name=button).click()
        expect(page.get_by_role("button", name=button)).to_have_count(0)

    def go(self, path: str) -> Page:
        """Load ``path`` by its URL (typed, bookmarked): only where that way is the point."""
        self.page.goto(path)
        return self.page

    def settled(self) -> None:
        """Wait until htmx has finished swapping: content it swaps in gets its behaviour (the
        desk's search box, boosted forms) only when it settles, so typing earlier is lost."""
        self.page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")

    def screenshot(self, name: str, full_page: bool = False) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / name), full_page=full_page)

    def close(self) -> None:
        self.page.context.close()


class Secretary(Person):
    def import_members(self, csv_path: Path, body: str) -> None:
        """On the import page: the file, the body its members sit in, "Import"."""
        page = self.page
        page.locator("#f-file").set_input_files(str(csv_path))
        page.locator("#f-seat_in_body").select_option(body)
        page.get_by_role("button", name="Import").click()
        page.wait_for_load_state("load")

    def desk(self, slug: str = SLUG, title: str | re.Pattern[str] = MEETING_TITLE) -> Page:
        """The desk, freshly tapped to from the meeting's page (its register as it is now)."""
        self.to_meeting(slug, title)
        return self.tap("Secretary's desk", f"/meetings/{slug}/desk")

    def register_row(self, member_name: str) -> Any:
        return self.page.locator("#register tbody tr").filter(
            has=self.page.locator("th", has_text=re.compile(rf"^\s*{re.escape(member_name)}(\s|$)"))
        )

    def register_arrival(self, member_name: str, typed: str | None = None) -> int:
        """The desk's fast path: a few letters in the search, then Enter (the search keeps the
        focus and its text, selected, so the next name replaces it). Returns the keystrokes."""
        page = self.page
        self.settled()
        search = page.locator("#q")
        if not search.evaluate("element => element === document.activeElement"):
            search.focus()
            search.select_text()
        text = typed if typed is not None else member_name.lower()
        page.keyboard.type(text)
        page.keyboard.press("Enter")
        expect(page.locator(".desk-notice")).to_contain_text(f"Arrival of {member_name} recorded")
        expect(self.register_row(member_name)).to_contain_text(re.compile("Present|Remote"))
        expect(search).to_have_value(text)
        expect(search).to_be_focused()
        self.settled()
        return len(text) + 1

    def record_proxy(self, grantor: str, holder: str, check: Callable[[Page], None] | None = None) -> None:
        page = self.page
        # The lists start empty: nobody's vote is handed over by a stray tap.
        expect(page.locator("#grantor")).to_have_value("")
        expect(page.locator("#holder")).to_have_value("")
        page.locator("#grantor").select_option(grantor)
        page.locator("#holder").select_option(holder)
        page.locator("#instructions").fill("Vote as you see fit.")
        page.get_by_role("button", name="Record the proxy").click()
        # Handing over a vote asks first, naming both members.
        expect(page.locator("h1")).to_contain_text("Give the proxy of")
        if check:
            check(page)
        page.get_by_role("button", name="Give the proxy").click()
        # Recorded at the desk, the proxy is validated at once but counts only with the grantor's
        # signed form (or the grantor's own confirmation); its holder accepts it on the tablet.
        form = {"name": f"proxy-{grantor}.pdf", "mimeType": "application/pdf", "buffer": PROXY_FORM}
        page.get_by_label("Signed proxy form (PDF, PNG or JPEG)").set_input_files(form)
        page.get_by_role("button", name="Attach the signed form").click()
        expect(page.get_by_role("link", name="Signed form", exact=True)).to_be_visible()

    def open_display_link(self, label: str) -> str:
        """Open a display link for the room's screen; its URL (shown once)."""
        page = self.meeting_page_link("Display links", "/display-links")
        page.locator("#label").fill(label)
        page.get_by_role("button", name="Open a display link").click()
        url = page.locator("code.display-url")
        expect(url).to_be_visible()
        return url.inner_text().strip()


class Chair(Person):
    def console(self) -> Page:
        """The console, by taps from the meeting's page; a console already open stays as it
        is (it follows the meeting live: no reload)."""
        page = self.meeting_page_link("Chair's console", "/console")
        expect(page.get_by_role("heading", name="Chair's console")).to_be_visible()
        return page

    def agenda_row(self, number: str) -> Any:
        return self.page.locator("ol.agenda-list > li").filter(has_text=re.compile(rf"^\s*{number}\. "))

    def take_up(self, number: str) -> None:
        self.agenda_row(number).get_by_role("button", name="Take up").click()
        expect(self.page.locator("h2.current-item")).to_contain_text(f"{number}. ")

    def close_item(self, number: str) -> None:
        self.agenda_row(number).get_by_role("button", name="Close the item").click()
        expect(self.agenda_row(number).get_by_role("button", name="Close the item")).to_have_count(0)

    def motion(self, text: str, kind: str = "Motion") -> Any:
        """The motion (or "Amendment") of the current item that reads ``text``, or, once an
        amendment rewrote it, the only one of its kind."""
        of_kind = self.page.locator("article.motion").filter(
            has=self.page.locator("header > strong", has_text=re.compile(f"^{kind}$"))
        )
        return of_kind.filter(has_text=text).or_(of_kind).first

    def step(self, text: str, button: str, kind: str = "Motion") -> None:
        """Move the motion along ("Open debate", "Put to the vote", ...)."""
        self.motion(text, kind).get_by_role("button", name=button, exact=True).click()
        expect(self.motion(text, kind).get_by_role("button", name=button, exact=True)).to_have_count(0)

    def open_poll(self, text: str, method_button: str, kind: str = "Motion") -> None:
        self.motion(text, kind).get_by_role("button", name=method_button).click()
        expect(self.page.locator("section.poll")).to_contain_text("Vote in progress")

    def close_poll(self) -> None:
        poll = self.page.locator("section.poll")
        poll.get_by_role("button", name=re.compile("Close the vote|No objection: adopted")).click()
        expect(poll).to_contain_text("Result of the vote")


class Tablet(Person):
    """A member's tablet on the meeting page; follows the meeting live."""

    def meeting(self) -> Page:
        """The meeting's page, by taps ("My meetings", the card); stays if already there."""
        page = self.to_meeting()
        # The live stream is connected once htmx's SSE extension opened its EventSource.
        expect(page.locator("section.quorum")).to_be_visible()
        return page

    @property
    def poll(self) -> Any:
        return self.page.locator("section.poll")

    @property
    def agenda(self) -> Any:
        return self.page.locator("section.agenda")

    def check_in(self, member_name: str) -> None:
        self.page.get_by_role("button", name=f"Check in for {member_name}").click()
        expect(self.page.get_by_role("button", name=f"Check in for {member_name}")).to_have_count(0)

    def accept_proxy(self, grantor_name: str) -> None:
        self.page.get_by_role("button", name=f"Accept the proxy of {grantor_name}").click()
        expect(self.page.locator("main")).to_contain_text(f"You also hold the proxy of {grantor_name}")

    def propose(self, text: str, amends: bool = False) -> None:
        page = self.page
        for attempt in range(3):
            # A live update re-renders the agenda (and folds the form): start again if one lands.
            try:
                page.locator("details.propose > summary").click()
                if amends:
                    page.locator("#kind").select_option("amendment", timeout=2000)
                    page.locator("#amends").select_option(index=1, timeout=2000)  # the one motion open
                # Typed key by key, as the member does: the keystrokes are counted.
                if attempt:  # what the interrupted attempt typed (fill("") presses Delete: not first)
                    page.locator("details.propose textarea").fill("", timeout=2000)
                page.locator("details.propose textarea").press_sequentially(text, timeout=5000)
                page.get_by_role("button", name="Propose", exact=True).click(timeout=2000)
                break
            except TimeoutError:
                if attempt == 2:
                    raise
        expect(self.agenda.locator("article.motion").filter(has_text=text).first).to_be_visible()

    def start_proposal(self, text: str) -> Any:
        """Open the proposal form and type ``text`` without sending it; returns the text area."""
        self.page.locator("details.propose > summary").click()
        area = self.page.locator("details.propose textarea")
        area.fill(text)
        return area

    def second(self, text: str) -> None:
        motion = self.agenda.locator("article.motion").filter(has_text=text)
        motion.get_by_role("button", name=re.compile("^(Second|Appuyer|Secundar)")).click()
        expect(motion.get_by_role("button", name=re.compile("^(Second|Appuyer|Secundar)"))).to_have_count(0)

    def ballot_for(self, member_name: str) -> Any:
        return self.poll.locator("form.vote").filter(has_text=member_name)

    def choose(self, member_name: str, choice: str) -> None:
        """Press a choice on the ballot of ``member_name``; the confirmation page follows."""
        self.ballot_for(member_name).get_by_role("button", name=choice, exact=True).click()
        expect(self.page.locator("section.confirm h1")).to_contain_text(member_name)

    def confirm(self) -> str:
        self.page.locator("section.confirm form button.primary").click()
        return self.receipt()

    def receipt(self) -> str:
        code = self.page.locator("p.receipt code")
        expect(code).to_be_visible()
        return code.inner_text().strip()

    def back_to_meeting(self) -> None:
        self.page.locator("section.confirm a.button.primary").click()
        expect(self.poll).to_be_visible()


class Projector(Person):
    def show(self) -> Page:
        """The projector page, by taps from the meeting's page; stays if already there."""
        page = self.meeting_page_link("Projector", "/projector")
        expect(page.locator(".projector section.quorum")).to_be_visible()
        return page

    @property
    def poll(self) -> Any:
        return self.page.locator("section.poll")


def progress(count: int, size: int) -> re.Pattern[str]:
    """The "n of N voted" line, in any of the three languages."""
    return re.compile(rf"\b{count}\s+(of|sur|de)\s+{size}\b")
