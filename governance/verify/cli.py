"""``python -m governance.verify DIR [--receipt CODE] [--since CHECKPOINT_FILE] [--key FINGERPRINT]``.

``python -m governance.verify --rules FILE.json`` runs decision cases through the verifier's own rules.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from governance.verify import cases
from governance.verify.checks import Broken, verify

UNPINNED = 2  # every check held, against the bundle's own key: not a pinned OK


def main(argv: list[str] | None = None) -> int:
    """Verify an exported record: 0 when everything holds against the key given with --key, 1
    naming the first broken thing, 2 when everything holds but no --key pinned the signer."""
    parser = argparse.ArgumentParser(
        prog="python -m governance.verify",
        description="Verify an exported meeting record (docs/record-format.md, section 8).",
    )
    parser.add_argument(
        "directory", type=Path, nargs="?", help="the bundle: record.json, manifest.json, manifest.sig"
    )
    parser.add_argument(
        "--rules",
        metavar="FILE.json",
        type=Path,
        help="decision cases (governance-decision-cases/1) to decide with the verifier's own rules",
    )
    parser.add_argument("--receipt", metavar="CODE", help="a receipt code (ABCDE-FGHIJ) to look for")
    parser.add_argument(
        "--since", metavar="CHECKPOINT_FILE", type=Path, help="an earlier checkpoint the log must extend"
    )
    parser.add_argument("--key", metavar="FINGERPRINT", help="the fingerprint the manifest's key must have")
    args = parser.parse_args(argv)
    if args.rules is not None:
        return cases.run(args.rules)
    if args.directory is None:
        parser.error("give the bundle's directory, or --rules FILE.json")
    print(f"Verifying the record in {args.directory}")
    try:
        verified = verify(args.directory, receipt=args.receipt, since=args.since, key=args.key)
    except Broken as broken:
        print(f"FAILED: {broken}")
        return 1
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
        # A shape no check foresaw: still a failure, never a traceback.
        print(f"FAILED: record.json or manifest.json malformed ({type(error).__name__}: {error})")
        return 1
    if not verified.pinned:
        # Every check held, but only against the key the bundle brought with it: anyone can
        # sign a bundle with a key of their own. Exit 2 so a script cannot take it for OK.
        print("Every check holds.")
        print(
            f"UNPINNED: the manifest's own key {verified.fingerprint} was used; compare it with "
            f"{verified.organisation_name}'s keys page /organisations/{verified.organisation_slug}/keys, "
            "or pass --key"
        )
        return UNPINNED
    print("OK: every check holds.")
    return 0
