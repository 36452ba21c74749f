"""The checks of record format §8, in order; the first that fails raises :class:`Broken`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from governance.verify.broken import Broken, need, short
from governance.verify.bundle import Bundle, check_files, check_manifest
from governance.verify.chain import check_chain, index_polls
from governance.verify.checkpoints import check_checkpoints, check_since, find_receipt
from governance.verify.decisions import check_decisions
from governance.verify.offices import check_minutes
from governance.verify.polls import check_polls

__all__ = ["Broken", "Verified", "verify"]


@dataclass(frozen=True)
class Verified:
    """What a verified bundle was signed with, for the caller to pin: the manifest's key and the
    organisation the record names (whose published keys page lists the keys to trust)."""

    fingerprint: str
    organisation_slug: str
    organisation_name: str
    pinned: bool  # checked against a --key given by the caller


def verify(
    directory: Path,
    *,
    receipt: str | None = None,
    since: Path | None = None,
    key: str | None = None,
    say: Callable[[str], None] = print,
) -> Verified:
    """Run every check in the order of §8; raise :class:`Broken` at the first failure."""
    bundle = Bundle(directory, say)
    manifest = check_manifest(bundle, key)
    check_files(bundle, manifest)
    fingerprint = manifest["key"]["fingerprint"]
    need(
        fingerprint in bundle.retired,
        f"manifest.sig: key {short(fingerprint)} is not among the organisation's keys in record.json",
    )
    exported, retired = manifest.get("exported_at"), bundle.retired[fingerprint]
    need(
        retired is None or (isinstance(exported, str) and exported <= retired),
        f"manifest.sig: exported at {exported} with key {short(fingerprint)}, retired at {retired}",
    )
    check_chain(bundle, manifest)
    index_polls(bundle)
    check_polls(bundle)
    check_decisions(bundle)
    check_checkpoints(bundle)
    check_minutes(bundle, manifest)
    if receipt is not None:
        find_receipt(bundle, receipt)
    if since is not None:
        check_since(bundle, since)
    organisation = bundle.record["organisation"]
    return Verified(fingerprint, str(organisation.get("slug")), str(organisation.get("name")), key is not None)
