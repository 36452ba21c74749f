"""Step 8 of record format §8, from the record's side: the offices that must sign the minutes
(the statutes' signatories, or those the last offices_fixed event names) and their holders,
and the contents the log records as signed; ``minutes`` checks the signatures themselves."""

from __future__ import annotations

from typing import Any

from governance.verify.broken import Broken
from governance.verify.bundle import Bundle


def check_minutes(bundle: Bundle, manifest: dict[str, Any]) -> None:
    # Imported here: X.509 is loaded only for a bundle that carries minutes.
    from governance.verify import minutes

    names = set(manifest.get("files", {}))
    if "minutes.json" not in names:
        return
    files = {name: bundle.read(name) for name in names if name.startswith("minutes")}
    rule_set = bundle.record.get("rule_set") or {}
    offices = [o.strip() for o in (rule_set.get("minutes_signatories") or "").split(",") if o.strip()]
    signed = {e.payload.get("hash") for e in bundle.events if e.type == "minutes_signed"}
    # Who holds each office for this meeting: the last offices_fixed event (convening, opening).
    fixed = [e.payload for e in bundle.events if e.type == "offices_fixed"]
    recorded = fixed[-1] if fixed else None
    if recorded is not None and isinstance(recorded.get("signatories"), list) and recorded["signatories"]:
        offices = [str(o) for o in recorded["signatories"]]
    try:
        minutes.check(
            files,
            meeting=bundle.record["meeting"]["slug"],
            organisation_keys=[k.public_key for k in bundle.keys],
            retired_at={k.public_key: bundle.retired.get(k.fingerprint) for k in bundle.keys},
            recorded=recorded,
            required_offices=offices,
            signed_hashes={h for h in signed if isinstance(h, str)},
            poll_roots={pid: p.get("merkle_root") for pid, p in bundle.polls.items()},
            say=bundle.say,
        )
    except minutes.MinutesBroken as error:
        raise Broken(str(error)) from error
