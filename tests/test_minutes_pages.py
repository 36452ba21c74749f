"""The minutes over the pages, as people use them: the secretary drafts and edits the played
Guangzhou Board's minutes and circulates them, a member comments, the chair approves, the
President and the Secretary General set their signing passphrases and sign, the secretary
publishes; the document reads in three languages, the authoritative one marked as such,
and every refusal comes back inline with its status."""

from __future__ import annotations

import re

import pytest

from governance.demo import simulate
from governance.minutes.tables import MinutesSignature, MinutesVersion

SLUG = "metropolis-bod-2012"
BASE = f"/meetings/{SLUG}/minutes"
SECRETARY, PRESIDENT = "secretary@metropolis.demo", "paris-idf@metropolis.demo"
MEMBER, OBSERVER = "guangzhou@metropolis.demo", "observer@metropolis.demo"
NARRATIVE = "Le Trésorier présente le budget 2013.\r\n\r\nUn membre écrit : <script>alert(1)</script>"


@pytest.fixture
async def played(demo):
    # The meeting only: these tests take the minutes themselves, page by page.
    report = await simulate.play(simulate.DEFAULT_SEED, with_minutes=False)
    assert report.played, report.message
    return report


async def signed_in(make_client, email: str):
    client = make_client()
    assert (await client.page_login(email)).status_code == 303
    return client


def redirected_back(response) -> bool:
    return response.status_code == 303 and response.headers["location"] == BASE


async def test_minutes_from_draft_to_publication_over_the_pages(played, make_client):
    secretary = await signed_in(make_client, SECRETARY)
    page = await secretary.get(BASE)
    assert page.status_code == 200 and "Draft from the record" in page.text
    assert redirected_back(await secretary.post_form(f"{BASE}/draft", follow_redirects=False))

    # The narrative editor: one textarea per agenda item, the item's facts beside it.
    page = await secretary.get(BASE)
    assert all(f'name="narrative_{n}"' in page.text for n in range(1, 9))
    assert "Facts from the record (read-only)" in page.text and "BoD-2012-03" in page.text
    edited = await secretary.post_form(f"{BASE}/1/edit", {"narrative_4": NARRATIVE}, follow_redirects=False)
    assert redirected_back(edited)
    assert [r["version"] for r in await MinutesVersion.select(MinutesVersion.version)] == [1, 2]
    # Saving the same narratives again makes no version; editing an old version conflicts.
    same = await secretary.post_form(f"{BASE}/2/edit", {"narrative_4": NARRATIVE})
    assert same.status_code == 422 and "Nothing changed" in same.text
    stale = await secretary.post_form(f"{BASE}/1/edit", {"narrative_4": "Autre texte."})
    assert stale.status_code == 409 and "version 1 is not the latest" in stale.text
    assert 'name="narrative_4"' in stale.text and "Autre texte." in stale.text  # what was typed is kept

    # The narrative is plain text: escaped on the document and in the diff, paragraphs kept.
    document = await secretary.get(f"{BASE}/2")
    assert document.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document.text
    assert "<script>alert(1)" not in document.text
    assert "<p>Le Trésorier présente le budget 2013.</p>" in document.text
    diff = await secretary.get(f"{BASE}/2/diff?from=1")
    assert diff.status_code == 200
    inserted = re.findall(r"<ins>(.*?)</ins>", diff.text, re.S)
    assert any("Le Trésorier présente le budget 2013." in line for line in inserted)
    assert "<script>alert(1)" not in diff.text
    assert (await secretary.get(f"{BASE}/2/diff?from=9")).status_code == 404

    # Circulated: the members comment; an observer may not.
    assert redirected_back(await secretary.post_form(f"{BASE}/2/circulate", follow_redirects=False))
    again = await secretary.post_form(f"{BASE}/2/circulate")
    assert again.status_code == 409 and "Version 2 is circulated." in again.text
    member = await signed_in(make_client, MEMBER)
    empty = await member.post_form(f"{BASE}/2/comment", {"text": "  "})
    assert empty.status_code == 422 and "Write a comment" in empty.text
    commented = await member.post_form(f"{BASE}/2/comment", {"text": "Please name the Treasurer."})
    assert commented.status_code == 303
    observer = await signed_in(make_client, OBSERVER)
    assert (await observer.post_form(f"{BASE}/2/comment", {"text": "An observer's view."})).status_code == 403
    page = await observer.get(BASE)
    assert "Please name the Treasurer." in page.text and f'action="{BASE}/2/comment"' not in page.text

    # The chair approves (a member may not).
    assert (await member.post_form(f"{BASE}/2/approve")).status_code == 403
    chair = await signed_in(make_client, PRESIDENT)
    page = await chair.get(BASE)
    assert "Approve version 2" in page.text
    wrong_decision = await chair.post_form(f"{BASE}/2/approve", {"decision": "BoD-2099-01"})
    assert wrong_decision.status_code == 422 and "No adopted decision BoD-2099-01" in wrong_decision.text
    assert redirected_back(await chair.post_form(f"{BASE}/2/approve", follow_redirects=False))

    # Signing passphrases, set on the account page (typed twice).
    form = await chair.get("/account/signing-key")
    assert form.status_code == 200 and 'type="password"' in form.text and "No signing key yet." in form.text
    mismatch = await chair.post_form("/account/signing-key", {"passphrase": "paris-signs-2012", "confirm": "paris"})
    assert mismatch.status_code == 422 and "The two passphrases differ" in mismatch.text
    short = await chair.post_form("/account/signing-key", {"passphrase": "short", "confirm": "short"})
    assert short.status_code == 422 and "at least 10 characters" in short.text
    for client, passphrase in ((chair, "paris-signs-2012"), (secretary, "secretariat-signs-2012")):
        saved = await client.post_form(
            "/account/signing-key", {"passphrase": passphrase, "confirm": passphrase}, follow_redirects=False
        )
        assert saved.status_code == 303 and saved.headers["location"] == "/account/signing-key?saved=1"
        shown = await client.get("/account/signing-key?saved=1")
        assert "Your new signing key is ready." in shown.text and "Metropolis" in shown.text

    # The President signs: a wrong passphrase is refused (403, the reason inline, nothing signed).
    page = await chair.get(BASE)
    assert "Sign as President" in page.text and 'autocomplete="off"' in page.text
    assert "Sign as Secretary General" not in page.text
    refused = await chair.post_form(f"{BASE}/2/sign", {"office": "president", "passphrase": "wrong-passphrase"})
    assert refused.status_code == 403
    assert "This signing passphrase does not open your key: nothing was signed." in refused.text
    assert "wrong-passphrase" not in refused.text
    assert await MinutesSignature.count() == 0
    as_secretary_general = {"office": "secretary_general", "passphrase": "paris-signs-2012"}
    not_mine = await chair.post_form(f"{BASE}/2/sign", as_secretary_general)
    assert not_mine.status_code == 403 and "You do not hold the office" in not_mine.text
    impostor = await member.post_form(f"{BASE}/2/sign", {"office": "president", "passphrase": "x" * 12})
    assert impostor.status_code == 403
    signed = await chair.post_form(
        f"{BASE}/2/sign", {"office": "president", "passphrase": "paris-signs-2012"}, follow_redirects=False
    )
    assert redirected_back(signed)
    early = await secretary.post_form(f"{BASE}/2/publish")
    assert early.status_code == 409
    page = await secretary.get(BASE)
    assert "Sign as Secretary General" in page.text
    signed = await secretary.post_form(
        f"{BASE}/2/sign",
        {"office": "secretary_general", "passphrase": "secretariat-signs-2012"},
        follow_redirects=False,
    )
    assert redirected_back(signed)
    assert redirected_back(await secretary.post_form(f"{BASE}/2/publish", follow_redirects=False))
    version = await MinutesVersion.select().where(MinutesVersion.version == 2).first()
    assert version["status"] == "published"

    # The published document: both signatures, every decision, the authoritative language marked.
    french = await member.get(f"{BASE}/2?lang=fr")
    assert french.status_code == 200
    assert 'class="authority authoritative"' in french.text and "Version faisant foi (FR)" in french.text
    assert '<article class="minutes-doc" lang="fr">' in french.text
    for number in range(1, 6):
        assert f"BoD-2012-0{number}" in french.text
    signatures = await MinutesSignature.select(MinutesSignature.fingerprint, MinutesSignature.person.full_name)
    assert len(signatures) == 2
    for signature in signatures:
        assert signature["person.full_name"] in french.text
        assert signature["fingerprint"][:4] + " " + signature["fingerprint"][4:8] in french.text
    english = await member.get(f"{BASE}/2?lang=en")
    assert 'class="authority translation"' in english.text
    assert "Translation — not authoritative; the authoritative version is in FR" in english.text
    assert "Version 2 — published" in english.text
    # The rule set's languages clause, with its article (rule 16).
    assert "Languages of the statutes: English, Français, Español (Art. 20 (demo))." in english.text
    spanish = await member.get(f"{BASE}/2?lang=es")
    assert '<article class="minutes-doc" lang="es">' in spanish.text and "authority translation" in spanish.text
    # The first version was never signed.
    first = await member.get(f"{BASE}/1?lang=en")
    assert "Not yet signed." in first.text and "Version 1 — draft" in first.text


async def test_minutes_pages_refuse_cleanly(played, make_client):
    secretary = await signed_in(make_client, SECRETARY)
    assert (await secretary.get(f"{BASE}/1")).status_code == 404
    assert (await secretary.get(f"{BASE}/1/diff")).status_code == 422
    nothing = await secretary.post_form(f"{BASE}/1/circulate")
    assert nothing.status_code == 409 and "version 1 is not the latest" in nothing.text
    await secretary.post_form(f"{BASE}/draft")
    empty = await secretary.post_form(f"{BASE}/1/edit", {})
    assert empty.status_code == 422 and "There is no narrative to save." in empty.text
    unknown = await secretary.post_form(f"{BASE}/1/edit", {"narrative_99": "x"})
    assert unknown.status_code == 422 and "No agenda item 99." in unknown.text
    too_long = await secretary.post_form(f"{BASE}/1/edit", {"narrative_2": "x" * 20_001})
    assert too_long.status_code == 422 and "At most 20000 characters." in too_long.text
    member = await signed_in(make_client, MEMBER)
    assert (await member.post_form(f"{BASE}/draft")).status_code == 403
    early = await member.post_form(f"{BASE}/1/comment", {"text": "Too early."})
    assert early.status_code == 409 and "Comments are taken while the minutes are circulated." in early.text
    # A signing office needs a passphrase and an office to sign for.
    chair = await signed_in(make_client, PRESIDENT)
    missing = await chair.post_form(f"{BASE}/1/sign", {"office": "president"})
    assert missing.status_code == 422 and "Enter your signing passphrase." in missing.text
    no_key = await chair.post_form(f"{BASE}/1/sign", {"office": "president", "passphrase": "paris-signs-2012"})
    assert no_key.status_code == 409 and "Set your signing passphrase first" in no_key.text


async def test_the_standalone_document_is_printable_and_self_contained(played):
    from governance.meetings.services import meeting_context
    from governance.minutes import services as minutes
    from governance.minutes.document import render_document

    principal = await simulate.principal_for(SECRETARY)
    context = await meeting_context(SLUG, principal)
    await minutes.draft(context, principal)
    row = await minutes.edit(context, principal, 1, {"4": "Ligne 1\n\n</style><script>alert(1)</script>"})
    content = minutes.content_of(row)
    html = render_document(content, language="es", authoritative_language="fr", status="draft")
    assert html.startswith("<!doctype html>") and '<html lang="es">' in html
    assert "size: A4" in html and "counter(page)" in html and "counter(pages)" in html and "DejaVu Serif" in html
    # No script, no external resource; the narrative escaped, even inside the style sheet's reach.
    assert "<script" not in html and "<link" not in html and "src=" not in html and "http" not in html.lower()
    assert html.count("</style>") == 1 and "&lt;/style&gt;&lt;script&gt;" in html
    assert "Traducción — no auténtica; la versión auténtica está en FR" in html
    assert '"Versi\\f3 n 2 \\2014  borrador"' in html  # the page header: "Versión 2 — borrador"
    assert "Aún no firmada." in html and "BoD-2012-05" in html
    # Generated wording in the chosen language, and the texts too where they exist in it (issue 20).
    assert "El Consejo aprueba el orden del día." in html
    assert "Le Conseil adopte l'ordre du jour." not in html.replace("&#39;", "'")
    assert "Asistencia" in html and "Attendance" not in html
    french = render_document(content, language="fr", authoritative_language="fr", status="approved")
    assert "Version faisant foi (FR)" in french and '<html lang="fr">' in french
    opening = "À l'ouverture : 24 des 27 membres ayant droit de vote sont présents ou représentés ; 14 requis"
    assert opening in french.replace("&#39;", "'")


async def test_a_comment_with_control_characters_is_refused_alike_on_both_engines(demo, make_client):
    from governance.demo import simulate
    from governance.meetings.services import meeting_context
    from governance.minutes import services as minutes
    from governance.minutes.tables import MinutesComment

    report = await simulate.play(simulate.DEFAULT_SEED, with_minutes=False)
    assert report.played, report.message
    context = await meeting_context(SLUG, await simulate.principal_for("secretary@metropolis.demo"))
    secretary = await simulate.principal_for("secretary@metropolis.demo")
    await minutes.draft(context, secretary)
    await minutes.circulate(context, secretary, 1)
    member = make_client()
    await member.page_login("guangzhou@metropolis.demo")
    refused = await member.post_form(f"{BASE}/1/comment", {"text": "Bad\x00byte"})
    assert refused.status_code == 422 and "control characters" in refused.text
    assert await MinutesComment.count() == 0
    kept = await member.post_form(f"{BASE}/1/comment", {"text": "Line one\nLine two\twith a tab."})
    assert kept.status_code in (200, 303) and await MinutesComment.count() == 1
