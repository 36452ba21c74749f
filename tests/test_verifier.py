"""The independent verifier (docs/record-format.md §8) against bundles built from scratch."""

from __future__ import annotations

import ast
import base64
import hashlib
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from governance.verify import main, note
from governance.verify import merkle as verify_merkle
from governance.verify.canonical import CanonicalError, dumps, loads, loads_canonical
from governance.verify.rules import Majority, Turnout, election_round, motion_outcome, required
from tests.record_builder import RecordBuilder, checkpoint_note, mth, receipt_code, seal
from tests.support.record import build, fails_with, load, run


@pytest.fixture
def bundle(tmp_path: Path) -> tuple[Path, RecordBuilder]:
    builder = build()
    return builder.write(tmp_path / "bundle"), builder


def save(directory: Path, builder: RecordBuilder, record: dict[str, Any]) -> None:
    """Rewrite record.json and re-sign the manifest, as a forger holding the key would."""
    (directory / "record.json").write_text(json.dumps(record, indent=1, ensure_ascii=False))
    seal(directory, builder.key, builder.key_name)


def resort(poll: dict[str, Any]) -> None:
    poll["leaves"].sort(key=lambda leaf: hashlib.sha256(leaf.encode()).hexdigest())


# --- the valid bundle -----------------------------------------------------------------------------


def test_valid_bundle_verifies(bundle: tuple[Path, RecordBuilder], capsys: pytest.CaptureFixture[str]) -> None:
    directory, builder = bundle
    status, out = run(capsys, directory)
    assert status == 0, out
    assert "OK: every check holds." in out
    assert "poll 1 (motion 1, round 1, roll_call, motion): 5 ballots" in out
    assert "-> adopted (recomputed) OK" in out and "-> rejected (recomputed) OK" in out
    assert "barcelona 2, chicago 3, durban 0 -> elected: chicago (recomputed)" in out
    assert out.count(", log ") == 3 and f"key {builder.key_name}" not in out


def test_key_option(bundle: tuple[Path, RecordBuilder], capsys: pytest.CaptureFixture[str]) -> None:
    directory, _ = bundle
    fingerprint = json.loads((directory / "manifest.json").read_text())["key"]["fingerprint"]
    assert run(capsys, directory, "--key", fingerprint.upper())[0] == 0
    fails_with(
        capsys, f"manifest.sig: signed by key {fingerprint}, not by --key {'0' * 64}", directory, "--key", "0" * 64
    )


# --- ballots --------------------------------------------------------------------------------------


def test_ballot_added(bundle: tuple[Path, RecordBuilder], capsys: pytest.CaptureFixture[str]) -> None:
    directory, builder = bundle
    record = load(directory)
    record["polls"][1]["leaves"].append(dumps({"poll": 2, "choice": "yes", "weight": 1, "nonce": "ab" * 16}).decode())
    resort(record["polls"][1])
    save(directory, builder, record)
    fails_with(capsys, "poll 2: 6 ballots but 5 participants", directory)


def test_ballot_removed(bundle: tuple[Path, RecordBuilder], capsys: pytest.CaptureFixture[str]) -> None:
    directory, builder = bundle
    record = load(directory)
    del record["polls"][1]["leaves"][2]
    save(directory, builder, record)
    fails_with(capsys, "poll 2: 4 ballots but 5 participants", directory)


def test_secret_ballots_in_casting_order_are_refused(
    bundle: tuple[Path, RecordBuilder], capsys: pytest.CaptureFixture[str]
) -> None:
    """Secret leaves carry no order but their receipts' (docs/threat-model.md): a bundle that
    lists them in any other order (the order they were cast, say) fails."""
    directory, builder = bundle
    record = load(directory)
    record["polls"][1]["leaves"].reverse()
    save(directory, builder, record)
    fails_with(capsys, "poll 2: ballot 2 is out of receipt order", directory)


def test_a_secret_ballot_naming_its_member_is_refused(
    bundle: tuple[Path, RecordBuilder], capsys: pytest.CaptureFixture[str]
) -> None:
    directory, builder = bundle
    record = load(directory)
    leaves = record["polls"][1]["leaves"]
    leaves[0] = dumps({**json.loads(leaves[0]), "member": "accra"}).decode()
    resort(record["polls"][1])
    number = 1 + next(i for i, leaf in enumerate(leaves) if '"member"' in leaf)
    save(directory, builder, record)
    fails_with(capsys, f"poll 2: ballot {number} has keys other than choice, nonce, poll, weight", directory)


def test_ballot_changed(bundle: tuple[Path, RecordBuilder], capsys: pytest.CaptureFixture[str]) -> None:
    directory, builder = bundle
    record = load(directory)
    leaves = record["polls"][1]["leaves"]
    index = next(i for i, leaf in enumerate(leaves) if json.loads(leaf)["choice"] == "no")
    leaves[index] = leaves[index].replace('"choice":"no"', '"choice":"yes"')
    resort(record["polls"][1])
    save(directory, builder, record)
    fails_with(capsys, "poll 2: Merkle root differs from poll_closed", directory)


def test_weight_inflated(bundle: tuple[Path, RecordBuilder], capsys: pytest.CaptureFixture[str]) -> None:
    directory, builder = bundle
    record = load(directory)
    leaves = record["polls"][1]["leaves"]
    index = next(i for i, leaf in enumerate(leaves) if json.loads(leaf)["weight"] == 1)
    leaves[index] = leaves[index].replace('"weight":1', '"weight":2')
    resort(record["polls"][1])
    save(directory, builder, record)
    fails_with(capsys, "poll 2: total ballot weight 7 differs from participants' weight 6", directory)


def test_participant_added(bundle: tuple[Path, RecordBuilder], capsys: pytest.CaptureFixture[str]) -> None:
    directory, builder = bundle
    record = load(directory)
    record["polls"][0]["participation"] = sorted([*record["polls"][0]["participation"], "essen"])
    save(directory, builder, record)
    fails_with(capsys, "poll 1: 5 ballots but 6 participants", directory)


def test_recorded_outcome_changed(bundle: tuple[Path, RecordBuilder], capsys: pytest.CaptureFixture[str]) -> None:
    directory, builder = bundle
    record = load(directory)
    record["polls"][1]["result"]["outcome"] = "adopted"
    save(directory, builder, record)
    fails_with(capsys, "poll 2: result outcome differs from poll_closed", directory)


def test_roll_call_ballot_for_another_member(
    bundle: tuple[Path, RecordBuilder], capsys: pytest.CaptureFixture[str]
) -> None:
    directory, builder = bundle
    record = load(directory)
    poll = record["polls"][0]
    poll["participation"] = sorted(set(poll["participation"]) - {"chicago"} | {"essen"})
    save(directory, builder, record)
    fails_with(capsys, "poll 1: the roll-call ballots' members are not the participants", directory)


# --- the log --------------------------------------------------------------------------------------


def test_event_body_rewritten(bundle: tuple[Path, RecordBuilder], capsys: pytest.CaptureFixture[str]) -> None:
    directory, builder = bundle
    record = load(directory)
    record["events"][3]["body"] = record["events"][3]["body"].replace("arrival:durban", "arrival:fes")
    save(directory, builder, record)
    fails_with(capsys, "event 4: hash does not match its body", directory)


def test_event_dropped(bundle: tuple[Path, RecordBuilder], capsys: pytest.CaptureFixture[str]) -> None:
    directory, builder = bundle
    record = load(directory)
    del record["events"][4]
    save(directory, builder, record)
    fails_with(capsys, "event 6: found where height 5 belongs (events missing or out of order)", directory)


def test_events_reordered(bundle: tuple[Path, RecordBuilder], capsys: pytest.CaptureFixture[str]) -> None:
    directory, builder = bundle
    record = load(directory)
    events = record["events"]
    events[2], events[3] = events[3], events[2]
    save(directory, builder, record)
    fails_with(capsys, "event 4: found where height 3 belongs (events missing or out of order)", directory)


def test_event_rehashed_breaks_the_chain(
    bundle: tuple[Path, RecordBuilder], capsys: pytest.CaptureFixture[str]
) -> None:
    directory, builder = bundle
    record = load(directory)
    body = record["events"][3]["body"].replace("arrival:durban", "arrival:fes")
    record["events"][3] = {"body": body, "hash": hashlib.sha256(body.encode()).hexdigest()}
    save(directory, builder, record)
    fails_with(capsys, "event 5: parent is not the hash of event 4", directory)


# --- the bundle's files and signatures ------------------------------------------------------------


def test_record_changed_without_manifest(
    bundle: tuple[Path, RecordBuilder], capsys: pytest.CaptureFixture[str]
) -> None:
    directory, _ = bundle
    path = directory / "record.json"
    path.write_bytes(path.read_bytes().replace(b"World Council", b"World Councim", 1))
    fails_with(capsys, "record.json: SHA-256 differs from manifest", directory)


def test_manifest_signed_by_another_key(bundle: tuple[Path, RecordBuilder], capsys: pytest.CaptureFixture[str]) -> None:
    directory, _ = bundle
    manifest = (directory / "manifest.json").read_bytes()
    (directory / "manifest.sig").write_bytes(Ed25519PrivateKey.generate().sign(manifest))
    fingerprint = json.loads(manifest)["key"]["fingerprint"]
    fails_with(capsys, f"manifest.sig: not a valid signature by key {fingerprint}", directory)


def test_checkpoint_by_an_unlisted_key(bundle: tuple[Path, RecordBuilder], capsys: pytest.CaptureFixture[str]) -> None:
    directory, builder = bundle
    record = load(directory)
    other = RecordBuilder(members={}, organisation=builder.organisation)
    record["keys"][0] = other.record()["keys"][0]
    save(directory, other, record)  # the bundle signed by the one listed key, the checkpoints not
    fails_with(capsys, "poll 1: checkpoint: no valid signature by a listed key", directory)


def test_a_manifest_signed_by_a_key_the_record_does_not_list(
    bundle: tuple[Path, RecordBuilder], capsys: pytest.CaptureFixture[str]
) -> None:
    directory, builder = bundle
    other = RecordBuilder(members={}, organisation=builder.organisation)
    save(directory, other, load(directory))
    status, out = run(capsys, directory)
    assert status == 1 and "is not among the organisation's keys in record.json" in out, out


def test_without_key_every_check_holds_but_the_answer_is_unpinned(
    bundle: tuple[Path, RecordBuilder], capsys: pytest.CaptureFixture[str]
) -> None:
    """A forger can sign a bundle with a fresh key of their own: without --key the verifier
    says so and exits 2, never a plain OK a script could mistake for a pinned one."""
    directory, builder = bundle
    status = main([str(directory)])
    out = capsys.readouterr().out
    fingerprint = json.loads((directory / "manifest.json").read_text())["key"]["fingerprint"]
    assert status == 2, out
    assert "OK:" not in out and "Every check holds." in out
    assert out.rstrip().endswith(
        f"UNPINNED: the manifest's own key {fingerprint} was used; compare it with "
        f"United Cities's keys page /organisations/{builder.organisation}/keys, "
        "or pass --key"
    ), out


def test_a_key_signs_nothing_after_its_retirement(
    bundle: tuple[Path, RecordBuilder], capsys: pytest.CaptureFixture[str]
) -> None:
    """A retired key may have leaked: a checkpoint or an export it signed after its retirement
    fails, even by the organisation's own listed key."""
    directory, builder = bundle
    record = load(directory)
    record["keys"][0]["retired_at"] = "2000-01-01T00:00:00.000000Z"
    save(directory, builder, record)
    fails_with(capsys, "manifest.sig: exported at 2012-11-15T09:00:00.000000Z with key", directory)
    # Exported with the current key, but the checkpoints were signed by the retired one.
    other = RecordBuilder(members={}, organisation=builder.organisation)
    record["keys"].append(other.record()["keys"][0])
    save(directory, other, record)
    fails_with(capsys, "poll 1: checkpoint: signed at 2012-", directory)



# --- --receipt and --since ------------------------------------------------------------------------


def test_receipt(bundle: tuple[Path, RecordBuilder], capsys: pytest.CaptureFixture[str]) -> None:
    directory, builder = bundle
    code = receipt_code(builder.polls[1]["leaves"][3])
    status, out = run(capsys, directory, "--receipt", code.lower().replace("-", ""))
    assert status == 0, out
    assert f"receipt {code}: found in poll 2" in out
    fails_with(capsys, "receipt ABCDE-FGHIJ: not found", directory, "--receipt", "ABCDE-FGHIJ")


def test_since(bundle: tuple[Path, RecordBuilder], capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    directory, builder = bundle
    earlier = tmp_path / "earlier.txt"
    earlier.write_text(builder.polls[0]["checkpoint"])
    status, out = run(capsys, directory, "--since", earlier)
    assert status == 0, out
    assert "7. --since: the log extends the checkpoint at height" in out
    origin = f"governance/{builder.organisation}/{builder.meeting}/poll/1"
    forged = checkpoint_note(origin, 5, "00" * 32, 12, "ab" * 32, builder.key_name, builder.key)
    earlier.write_text(forged)
    fails_with(capsys, "--since: the log does not extend the checkpoint at height 12", directory, "--since", earlier)


# --- the building blocks --------------------------------------------------------------------------


def independent_mth(leaves: list[bytes]) -> bytes:
    """RFC 9162 §2.1 again, splitting at the largest power of two by repeated halving of a range."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 2 ** (len(leaves) - 1).bit_length() // 2
    assert k < len(leaves) <= 2 * k
    return hashlib.sha256(b"\x01" + independent_mth(leaves[:k]) + independent_mth(leaves[k:])).digest()


@pytest.mark.parametrize("size", [0, 1, 2, 3, 5, 8])
def test_merkle_root(size: int) -> None:
    leaves = [bytes([i]) * (i + 1) for i in range(size)]
    assert verify_merkle.root(leaves) == independent_mth(leaves) == mth(leaves)


def test_merkle_root_known_values() -> None:
    """The Certificate Transparency test vectors (leaves of RFC 6962's reference tests)."""
    data = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
    leaves = [bytes.fromhex(d) for d in data]
    assert verify_merkle.root([]).hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert verify_merkle.root(leaves[:1]).hex() == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    assert verify_merkle.root(leaves).hex() == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"


def test_canonical_json() -> None:
    assert dumps({"b": [1, None, True], "a": "é"}) == '{"a":"é","b":[1,null,true]}'.encode()
    with pytest.raises(CanonicalError):
        dumps({"a": 1.0})
    for text in (b'{"a":1.5}', b'{"a":1e3}', b"[NaN]", b'{"a":1,"a":2}', b"[9007199254740993]"):
        with pytest.raises(CanonicalError):
            loads(text)
    with pytest.raises(CanonicalError):
        loads_canonical(b'{"b":1, "a":2}')
    assert loads_canonical(b'{"a":2,"b":1}') == {"a": 2, "b": 1}


def test_majority_arithmetic() -> None:
    half = Majority(Fraction(1, 2), True, "present")
    two_thirds = Majority(Fraction(2, 3), False, "present")
    assert required(half, 27) == 14 and required(two_thirds, 27) == 18 and required(half, 0) == 1
    cast = Majority(Fraction(1, 2), True, "cast_excluding_abstentions")
    turnout = Turnout(present=10, represented=2, members=20)
    tie = {"yes": 3, "no": 3, "abstain": 1, "chair_vote": "yes"}
    assert motion_outcome(cast, "chair_prevails", turnout, secret=False, **tie)[0] == "adopted"
    assert motion_outcome(cast, "chair_prevails", turnout, secret=True, **tie)[0] == "rejected"
    assert motion_outcome(cast, "new_round", turnout, secret=True, **tie)[0] == "tie_new_round"
    assert motion_outcome(cast, "casting_vote", turnout, secret=False, **tie)[0] == "tie_casting_vote"
    everyone = Majority(Fraction(1, 2), True, "all_members")
    assert motion_outcome(everyone, "fails", turnout, yes=10, no=0, abstain=0, secret=True, chair_vote=None)[0] == (
        "rejected"
    )


def test_election_rounds() -> None:
    cast = Majority(Fraction(1, 2), True, "cast_excluding_abstentions")
    turnout = Turnout(present=9, represented=0, members=9)
    ballots = [((1,), 3), ((2,), 3), ((3,), 2), ((), 1)]
    first = election_round(
        method="absolute_then_relative",
        round_number=1,
        seats=1,
        majority=cast,
        candidates=[1, 2, 3],
        ballots=ballots,
        turnout=turnout,
    )
    assert (first.outcome, first.elected, first.valid, first.blank) == ("next_round", [], 8, 1)
    third = election_round(
        method="absolute_then_relative",
        round_number=3,
        seats=1,
        majority=cast,
        candidates=[1, 2, 3],
        ballots=ballots,
        turnout=turnout,
    )
    assert (third.outcome, third.tied) == ("tie", [1, 2])
    runoff = election_round(
        method="runoff_top_two",
        round_number=2,
        seats=1,
        majority=cast,
        candidates=[1, 2],
        ballots=[((1,), 4), ((2,), 3), (None, 2)],
        turnout=turnout,
    )
    assert (runoff.outcome, runoff.elected, runoff.abstain) == ("elected", [1], 2)


def test_verifier_imports_only_the_standard_library_and_cryptography() -> None:
    package = Path(__file__).resolve().parent.parent / "governance" / "verify"
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else ([node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            )
            for name in names:
                top = name.split(".")[0]
                assert (
                    top in {"__future__", "cryptography", "governance"} or top in __import__("sys").stdlib_module_names
                )
                assert top != "governance" or name.startswith("governance.verify"), f"{path.name} imports {name}"


def test_receipt_code_is_the_first_50_bits_of_the_receipt() -> None:
    leaf = '{"choice":"yes","nonce":"00112233445566778899aabbccddeeff","poll":1,"weight":1}'
    code = receipt_code(leaf)
    assert note.receipt_code(leaf.encode()) == code and len(code) == 11 and code[5] == "-"
    decoded = base64.b32decode(code.replace("-", "") + "AAAAAA")
    digest = hashlib.sha256(leaf.encode()).digest()
    assert decoded[:6] == digest[:6] and decoded[6] >> 6 == digest[6] >> 6
    assert note.normalise_code(code.lower().replace("-", " ")) == code


def tied(tie_rule: str, outcome: str, chair: str | None = None) -> RecordBuilder:
    """A roll call tied 2-2 (Accra yes with two votes; Barcelona and Chicago no)."""
    b = RecordBuilder(members={"accra": True, "barcelona": True, "chicago": True}, weights={"accra": 2})
    for slug in ("accra", "barcelona", "chicago"):
        b.arrive(slug)
    result: dict[str, Any] = {"yes": 2, "no": 2, "abstain": 0, "blank": 0, "outcome": outcome, "arithmetic": "tie"}
    if chair is not None:
        result["chair"] = chair
    b.poll(
        method="roll_call", votes={"accra": "yes", "barcelona": "no", "chicago": "no"}, tie_rule=tie_rule, result=result
    )
    return b


@pytest.mark.parametrize(("chair", "outcome"), [("accra", "adopted"), ("barcelona", "rejected"), (None, "rejected")])
def test_chair_prevails_in_a_roll_call(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], chair: str | None, outcome: str
) -> None:
    assert run(capsys, tied("chair_prevails", outcome, chair).write(tmp_path))[0] == 0
    wrong = {"adopted": "rejected", "rejected": "adopted"}[outcome]
    fails_with(
        capsys,
        f"poll 1: recorded outcome '{wrong}', recomputed '{outcome}'",
        tied("chair_prevails", wrong, chair).write(tmp_path / "wrong"),
    )


def test_casting_vote(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    b = tied("casting_vote", "tie_casting_vote")
    b.append("casting_vote", {"poll": 1, "office": "president", "choice": "yes", "outcome": "adopted"})
    b.decide(1, "adopted")
    status, out = run(capsys, b.write(tmp_path / "good"))
    assert status == 0, out
    assert "casting vote (president): yes -> adopted" in out
    b = tied("casting_vote", "tie_casting_vote")
    b.append("casting_vote", {"poll": 1, "office": "president", "choice": "yes", "outcome": "rejected"})
    fails_with(capsys, "poll 1: casting vote yes records outcome 'rejected'", b.write(tmp_path / "bad"))


# --- decisions only from votes (rule 18), void and open polls, rights frozen at the opening ------


def sitting() -> RecordBuilder:
    """Accra (two votes), Barcelona and Chicago attend; motion 1 on item 3 is moved."""
    b = RecordBuilder(members={"accra": True, "barcelona": True, "chicago": True}, weights={"accra": 2})
    for slug in ("accra", "barcelona", "chicago"):
        b.arrive(slug)
    b.append("motion_proposed", {"motion": 1, "item": "3", "kind": "main", "amends": None})
    return b


def test_void_and_open_polls_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    b = sitting()
    b.poll(method="roll_call", votes={"accra": "yes"}, motion=1, status="void")
    b.poll(method="secret", votes={"accra": "yes", "chicago": "no"}, motion=1, round_number=2, status="open")
    status, out = run(capsys, b.write(tmp_path / "open"))
    assert status == 0, out
    assert "poll 1 (motion 1, round 1, roll_call, motion): void (motion taken back to debate); its ballots" in out
    assert "poll 2 (motion 1, round 2, secret, motion): open at export (2 of 3 voted), not counted" in out
    # A void poll with a result (its ballots counted after all) is refused.
    record = load(b.write(tmp_path / "counted"))
    record["polls"][0]["result"] = {"yes": 2, "no": 0, "abstain": 0, "outcome": "adopted"}
    save(tmp_path / "counted", b, record)
    fails_with(capsys, "poll 1: void, yet record.json gives it ballots or a result", tmp_path / "counted")
    # Nor does a casting vote settle a void poll.
    b = sitting()
    b.poll(method="roll_call", votes={"accra": "yes"}, motion=1, status="void", tie_rule="casting_vote")
    b.append("casting_vote", {"poll": 1, "office": "president", "choice": "yes", "outcome": "adopted"})
    b.decide(1, "adopted")
    fails_with(capsys, "poll 1: void, yet a casting vote settles it", b.write(tmp_path / "cast"))


def test_a_motion_adopted_without_a_vote_fails_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    b = sitting()
    b.poll(method="roll_call", votes={"accra": "no", "barcelona": "yes"}, motion=1, outcome="rejected")
    b.append("motion_proposed", {"motion": 2, "item": "4", "kind": "main", "amends": None})
    b.decide(2, "adopted")  # nobody voted on motion 2
    fails_with(
        capsys, "motion 2 (item 4) is recorded adopted (event 11), but no vote decided it", b.write(tmp_path / "a")
    )
    # A vote that decided its motion is followed by the motion's new status, at that point of the log.
    b = sitting()
    b.poll(method="roll_call", votes={"accra": "yes", "barcelona": "no"}, motion=1, decide=False)
    fails_with(
        capsys,
        "motion 1 (item 3): poll 1 (event 7) adopted it, but the log ends without recording it adopted",
        b.write(tmp_path / "b"),
    )
    b.decide(1, "rejected")
    fails_with(
        capsys,
        "motion 1 (item 3): poll 1 (event 7) adopted it, but the next event (9, motion_rejected)",
        b.write(tmp_path / "c"),
    )
    # The record's list of motions says what the log says.
    b = sitting()
    b.poll(method="roll_call", votes={"accra": "no", "barcelona": "yes"}, motion=1)
    record = load(b.write(tmp_path / "d"))
    record["motions"] = [{"id": 1, "item": "3", "title": "Budget 2013", "kind": "main", "status": "adopted"}]
    save(tmp_path / "d", b, record)
    fails_with(
        capsys, "motion 1 (item 3, Budget 2013) is recorded adopted, but the log leaves it rejected", tmp_path / "d"
    )
    record["motions"] = [{"id": 2, "item": "4", "title": "Next meeting", "kind": "main", "status": "adopted"}]
    save(tmp_path / "d", b, record)
    fails_with(capsys, "motion 2 (item 4, Next meeting) is recorded adopted, but no vote decided it", tmp_path / "d")


def test_the_agenda_and_amendments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    b = sitting()
    b.append("motion_proposed", {"motion": 2, "item": "3", "kind": "amendment", "amends": 1})
    b.poll(method="roll_call", votes={"accra": "no", "barcelona": "yes"}, motion=1)
    # An amendment falls with its main motion: withdrawn, no vote needed.
    b.append("motion_withdrawn", {"motion": 2, "by": 1})
    status, out = run(capsys, b.write(tmp_path / "amendment"))
    assert status == 0, out
    assert "motion 1 (item 3): rejected by poll 1 (event 10) OK" in out
    b.append("agenda_adopted", {"motion": 1})
    fails_with(
        capsys,
        "the agenda is recorded adopted (event 12), but motion 1 (item 3) was not adopted by a vote",
        b.write(tmp_path / "agenda"),
    )
    b = sitting()
    b.poll(method="roll_call", votes={"accra": "yes"}, motion=1)
    b.append("agenda_adopted", {"motion": 1})
    status, out = run(capsys, b.write(tmp_path / "adopted"))
    assert status == 0 and "the agenda adopted with motion 1 (item 3) OK" in out, out


def test_a_casting_vote_removed_leaves_a_decision_without_a_vote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    b = tied("casting_vote", "tie_casting_vote")
    b.append("casting_vote", {"poll": 1, "office": "president", "choice": "no", "outcome": "rejected"})
    b.decide(1, "rejected")
    status, out = run(capsys, b.write(tmp_path / "good"))
    assert status == 0, out
    assert "motion 1: rejected by the casting vote on poll 1 (event 9) OK" in out
    b = tied("casting_vote", "tie_casting_vote")
    b.decide(1, "rejected")
    fails_with(capsys, "motion 1 is recorded rejected (event 8), but no vote decided it", b.write(tmp_path / "bad"))


def test_rights_come_from_the_opening_not_from_the_members_today(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    b = sitting()
    b.poll(method="roll_call", votes={"accra": "yes", "barcelona": "no", "chicago": "yes"}, motion=1)
    b.members["barcelona"] = False  # its fee marked unpaid after the meeting
    status, out = run(capsys, b.write(tmp_path / "frozen"))
    assert status == 0, out
    record = load(tmp_path / "frozen")
    assert [m["votes"] for m in record["members"] if m["slug"] == "barcelona"] == [False]
    # A record from before electorate_fixed named the voters is read with the members' rights at export.
    b = sitting()
    b.frozen_rights = False
    b.poll(method="roll_call", votes={"accra": "yes", "barcelona": "no", "chicago": "yes"}, motion=1)
    assert run(capsys, b.write(tmp_path / "legacy"))[0] == 0
    b.members["barcelona"] = False
    fails_with(capsys, "poll 1: elector barcelona has no right to vote", b.write(tmp_path / "legacy-changed"))
    # What the opening froze: who had the right to vote (all three), and the weight of all members.
    b = sitting()
    b.poll(method="roll_call", votes={"accra": "yes"}, motion=1)
    record = load(b.write(tmp_path / "dropped"))
    fixed_event = next(e for e in record["events"] if '"electorate_fixed"' in e["body"])
    assert '"members_weight":4' in fixed_event["body"]
    assert '"voters":["accra","barcelona","chicago"]' in fixed_event["body"]


def test_an_election_unopposed_needs_no_vote(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    b = sitting()
    b.append("elected_unopposed", {"motion": 1, "elected": [b.member_id("chicago")]})
    b.decide(1, "adopted")
    status, out = run(capsys, b.write(tmp_path / "unopposed"))
    assert status == 0, out
    assert "motion 1 (item 3): adopted by an election unopposed, no vote held (the statutes allow it)" in out


# --- proxies carry the grantor's consent (issue 17, item 6) ---------------------------------------


@pytest.mark.parametrize("consent", ["form", "confirmed"])
def test_a_proxy_with_its_grantors_form_or_confirmation_verifies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], consent: str
) -> None:
    directory = build(proxy_consent=consent).write(tmp_path / "bundle")
    status, out = run(capsys, str(directory))
    assert status == 0, out


def test_a_proxy_that_carries_a_vote_without_its_grantors_consent_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = build(proxy_consent="none").write(tmp_path / "bundle")
    fails_with(capsys, "poll 1: the proxy of fes to accra carries a vote without the grantor's", str(directory))
