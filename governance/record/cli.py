"""``governance record export``, ``governance keys``, ``governance verify`` (the record's commands)."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def record() -> None:
    """The verifiable record of a meeting."""


@record.command("export")
@click.argument("meeting")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Directory")
def export_record(meeting: str, out: Path) -> None:
    """Write MEETING's signed bundle (MEETING: an id or a slug, e.g. metropolis-bod-2012)."""
    from governance import export
    from governance.cli import fail_on_domain_error, run

    try:
        manifest = run(lambda: export.export(meeting, out))
    except Exception as exc:
        fail_on_domain_error(exc)
        return
    head = manifest["log_head"]
    click.echo(f"Exported {manifest['meeting']} to {out}: {head['height']} events, head {head['hash'][:16]}...")
    click.echo(f"Signed by {manifest['key']['name']}, key fingerprint {manifest['key']['fingerprint']}.")
    click.echo(f"Check it with: governance verify {out} --key {manifest['key']['fingerprint']}")
    click.echo("(compare that fingerprint with the organisation's public keys page first)")


@click.group()
def keys() -> None:
    """Organisations' Ed25519 signing keys (files under GOVERNANCE_KEY_DIR)."""


@keys.command("generate")
@click.argument("organisation")
def generate_key(organisation: str) -> None:
    """Generate a new signing key for ORGANISATION (the current one is retired, still listed)."""
    from governance.cli import fail_on_domain_error, run
    from governance.record import keys as signing

    try:
        made = run(lambda: signing.generate(organisation))
    except Exception as exc:
        fail_on_domain_error(exc)
        return
    click.echo(f"New key {made['name']}: fingerprint {made['fingerprint']}")
    click.echo(f"Private key written to {made['path']} (mode 0600). Keep a safe copy.")


@keys.command("list")
@click.argument("organisation")
def list_keys(organisation: str) -> None:
    """ORGANISATION's public keys and fingerprints."""
    from governance.cli import fail_on_domain_error, run
    from governance.record import keys as signing

    try:
        rows = run(lambda: signing.list_keys(organisation))
    except Exception as exc:
        fail_on_domain_error(exc)
        return
    for row in rows:
        state = f"retired {row['retired_at']:%Y-%m-%d}" if row["retired_at"] else "current"
        click.echo(f"{row['fingerprint']}  {row['public_key']}  {state}")


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("arguments", nargs=-1, type=click.UNPROCESSED)
def verify(arguments: tuple[str, ...]) -> None:
    """Verify offline an exported bundle, DIR [--receipt CODE] [--since FILE] [--key FINGERPRINT],
    or signed minutes, FILE.pdf [--key FINGERPRINT]."""
    from governance.verify import main as verify_main

    if arguments and arguments[0].lower().endswith(".pdf") and Path(arguments[0]).is_file():
        raise SystemExit(_verify_pdf(Path(arguments[0]), list(arguments[1:])))
    raise SystemExit(verify_main(list(arguments)))


def _verify_pdf(path: Path, rest: list[str]) -> int:
    """Signed minutes alone: PAdES signatures (pyHanko) chained to the organisation keys of the
    record embedded in the PDF; --key pins the key (compare it with the public keys page)."""
    from governance.minutes.checking import check_pdf_offline

    key = rest[rest.index("--key") + 1] if "--key" in rest and rest.index("--key") + 1 < len(rest) else None
    report = check_pdf_offline(path.read_bytes(), key)
    click.echo(f"Verifying the signed minutes {path}")
    for line in report.lines:
        click.echo(f"  {line}")
    if not report.ok:
        click.echo("FAILED: " + report.verdict)
        return 1
    if key is None:
        # Checked against the organisation keys the PDF carries: anyone can make a PDF with keys
        # of their own. Exit 2 (as for bundles) so that a script cannot take it for a pinned OK.
        click.echo(report.verdict)
        click.echo(
            f"UNPINNED: the PDF's own organisation key {report.key or '?'} was used; compare it with "
            "the organisation's keys page, or pass --key"
        )
        return 2
    click.echo("OK: " + report.verdict)
    return 0
