"""Page objects: what a person sees and does, so the journeys read like the meeting.

Selectors live here, by role and visible text where the page offers them. Every
"within seconds" is Playwright's ``expect`` with a generous timeout, never a sleep.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, TimeoutError, expect

PASSWORD = "guangzhou-2012"
SLUG = "metropolis-bod-2012"
ORG = "metropolis"
LIVE = 15_000  # ms: "within seconds", generously (two cores shared with other work)
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
expect.set_options(timeout=LIVE)


def email(member: str) -> str:
    return f"{member}@{ORG}.demo"


def open_device(browser: Browser, base_url: str, viewport: dict[str, int] | None = None, **options: Any) -> Page:
    """A separate device (its own cookies and session), confirming every hx-confirm dialog."""
    context: BrowserContext = browser.new_context(base_url=base_url, viewport=viewport or TABLET, **options)
    context.set_default_timeout(LIVE)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    return page


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
    """Someone at a device: signs in, goes to pages."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def sign_in(self, address: str, password: str = PASSWORD) -> Person:
        page = self.page
        page.goto("/login")
        page.locator("#email").fill(address)
        page.locator("#password").fill(password)
        page.locator("main form button[type=submit]").click()
        expect(page.locator("header nav").first).to_contain_text(re.compile("Sign out|Se déconnecter|Cerrar sesión|."))
        page.wait_for_url(re.compile(r"^(?!.*/login).*$"))
        return self

    def switch_language(self, code: str) -> None:
        self.page.locator(f"nav.languages a[hreflang={code}]").click()
        expect(self.page.locator("html")).to_have_attribute("lang", code)

    def open_meeting_page(self) -> Page:
        return self.go(f"/meetings/{SLUG}")

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
        page = self.open_meeting_page()
        page.get_by_role("button", name=button).click()
        expect(page.get_by_role("button", name=button)).to_have_count(0)

    def go(self, path: str) -> Page:
        self.page.goto(path)
        return self.page

    def settled(self) -> None:
        """Wait until htmx has finished swapping: content it swaps in gets its behaviour (the
        desk's search box, boosted forms) only when it settles, so typing earlier is lost."""
        self.page.wait_for_function(
            "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
        )

    def screenshot(self, name: str, full_page: bool = False) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / name), full_page=full_page)

    def close(self) -> None:
        self.page.context.close()


class Secretary(Person):
    def import_members(self, csv_path: Path, body: str) -> None:
        page = self.go(f"/organisations/{ORG}/members/import")
        page.locator("#f-file").set_input_files(str(csv_path))
        page.locator("#f-seat_in_body").select_option(body)
        page.get_by_role("button", name="Import").click()
        page.wait_for_load_state("load")

    def desk(self) -> Page:
        return self.go(f"/meetings/{SLUG}/desk")

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
        page = self.go(f"/meetings/{SLUG}/display-links")
        page.locator("#label").fill(label)
        page.get_by_role("button", name="Open a display link").click()
        url = page.locator("code.display-url")
        expect(url).to_be_visible()
        return url.inner_text().strip()


class Chair(Person):
    def console(self) -> Page:
        page = self.go(f"/meetings/{SLUG}/console")
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
        page = self.go(f"/meetings/{SLUG}")
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
                page.locator("details.propose textarea").fill(text, timeout=2000)
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
        page = self.go(f"/meetings/{SLUG}/projector")
        expect(page.locator(".projector section.quorum")).to_be_visible()
        return page

    @property
    def poll(self) -> Any:
        return self.page.locator("section.poll")


def progress(count: int, size: int) -> re.Pattern[str]:
    """The "n of N voted" line, in any of the three languages."""
    return re.compile(rf"\b{count}\s+(of|sur|de)\s+{size}\b")
