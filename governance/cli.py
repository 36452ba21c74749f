"""The ``governance`` command: migrate, load the demo, serve, add users, import members."""

from __future__ import annotations

import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import click

from governance.settings import ConfigurationError, environment_name, get_settings


def run(coroutine_function: Callable[[], Awaitable[Any]]) -> Any:
    """Run one async operation with the database started and stopped around it."""
    from governance import db

    async def main() -> Any:
        await db.start()
        try:
            return await coroutine_function()
        finally:
            await db.stop()

    try:
        return asyncio.run(main())
    except ConfigurationError as exc:
        raise click.ClickException(str(exc)) from exc


def fail_on_domain_error(exc: Exception) -> None:
    from governance.forms import as_domain_error

    try:
        error = as_domain_error(exc)
    except Exception:
        raise exc from None
    lines = [error.message, *(f"  {field}: {message}" for field, message in error.fields.items())]
    raise click.ClickException("\n".join(lines))


@click.group()
def main() -> None:
    """Statutory meetings for international associations of cities."""


@main.command()
def migrate() -> None:
    """Create or update the database schema (committed migrations)."""
    from governance import db

    run(db.migrate)
    click.echo(f"Database is up to date ({_where()}).")


@main.command()
@click.option(
    "--password",
    default=None,
    help="Password for every demo account, existing ones included (default: guangzhou-2012 for new accounts "
    "only; existing accounts keep theirs).",
)
@click.option(
    "--simulate", is_flag=True, help="Then play the Board meeting metropolis-bod-2012 (once), from arrivals to close."
)
@click.option("--seed", default=None, type=int, help="Seed of the simulation's choices (default: 2012).")
def demo(password: str | None, simulate: bool, seed: int | None) -> None:
    """Load the Guangzhou 2012 demo (idempotent) and print the demo logins."""
    from governance import db
    from governance.demo import guangzhou
    from governance.demo import simulate as simulation

    if seed is not None and not simulate:
        raise click.UsageError("--seed goes with --simulate.")
    if environment_name() == "production":
        raise click.ClickException(
            "The demo does not run with GOVERNANCE_ENV=production: it creates accounts with a published password."
        )

    async def load() -> tuple[guangzhou.DemoReport, simulation.Simulation | None]:
        await db.migrate()
        report = await guangzhou.load(password)
        played = await simulation.play(simulation.DEFAULT_SEED if seed is None else seed) if simulate else None
        return report, played

    try:
        report, played = run(load)
    except Exception as exc:
        fail_on_domain_error(exc)
        return
    click.echo("Demo loaded: the Metropolis Annual Meeting, Guangzhou, 14-17 November 2012.")
    click.echo(f"Meetings: {', '.join(report.meetings)}")
    if report.kept:
        click.echo(
            f"Password for new demo accounts: {report.password}; the {len(report.kept)} existing accounts "
            "kept theirs (give --password to reset them)."
        )
    else:
        click.echo(f"Password for every demo account: {report.password}")
    click.echo("Demo accounts:")
    for email, what in report.accounts:
        click.echo(f"  {email:<34} {what}")
    if played is not None:
        click.echo("")
        for line in simulation.summary(played):
            click.echo(line)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the app with uvicorn."""
    import uvicorn

    settings = get_settings()
    if settings.is_sqlite and workers > 1:
        raise click.ClickException(
            "SQLite serves from one process (writes are serialised in-process): use --workers 1, "
            "or set DATABASE_URL=postgresql://... for several workers."
        )
    click.echo(f"Serving on http://{host}:{port} ({_where()}, {workers} worker(s))")
    uvicorn.run(
        "governance.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # SSE streams would otherwise hold a graceful shutdown forever.
        timeout_graceful_shutdown=5,
        # Behind a reverse proxy every client would share its address (and one client's
        # failed logins would throttle everyone): trust its headers only when named.
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=settings.trusted_proxies or None,
        access_log=False,
    )


@main.group()
def user() -> None:
    """Manage accounts."""


@user.command("add")
@click.argument("email")
@click.option("--name", required=True, help="Full name.")
@click.option("--admin", is_flag=True, help="Platform administrator.")
@click.option("--language", default="en", type=click.Choice(["en", "fr", "es"]))
@click.option(
    "--secretariat", "organisation", default=None, help="Also put the person on this organisation's secretariat (slug)."
)
@click.option("--password", default=None, help="Password (asked for when omitted; never echoed).")
@click.option(
    "--reset-password",
    is_flag=True,
    help="The account exists: overwrite its password anyway (signs the person out everywhere; they see it on "
    "their account page). Without it an existing account's password is never touched.",
)
def user_add(
    email: str,
    name: str,
    admin: bool,
    language: str,
    organisation: str | None,
    password: str | None,
    reset_password: bool,
) -> None:
    """Create an account (the operator's tool on the server; staff invite people from the back office)."""
    from governance.accounts import links
    from governance.accounts import services as accounts
    from governance.accounts.schemas import AccountIn
    from governance.forms import validate
    from governance.organisations import services as orgs

    existing = run(lambda: accounts.find_person_by_email(email))
    if existing is not None and not reset_password:
        raise click.ClickException(
            f"An account with the e-mail {existing['email']} exists already: its password is not overwritten. "
            "Pass --reset-password to set it anyway (the person is signed out everywhere and sees it on their "
            "account page)."
        )
    if existing is not None and (admin or organisation):
        raise click.UsageError(
            "With --reset-password on an existing account, only the password changes: drop --admin and --secretariat."
        )
    if password is None:
        if not sys.stdin.isatty():
            raise click.ClickException("Give --password, or run in a terminal to be asked for it.")
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise click.ClickException("The passwords differ.")

    async def add() -> dict[str, Any]:
        data = validate(AccountIn, {"email": email, "full_name": name, "language": language, "password": password})
        if existing is not None:
            await links.set_password_by_operator(existing["id"], data.password)
            return existing
        org = await orgs.get_organisation(organisation) if organisation else None
        person = await accounts.create_person(data, is_admin=admin)
        if org is not None:
            await orgs.add_staff(org, person["email"])
        return person

    try:
        person = run(add)
    except Exception as exc:
        fail_on_domain_error(exc)
        return
    if existing is not None:
        click.echo(
            f"Password of {person['email']} (id {person['id']}) reset: signed out everywhere; "
            "recorded on their account page."
        )
        return
    click.echo(f"Created {person['email']} (id {person['id']}){' as platform administrator' if admin else ''}.")


@main.group()
def members() -> None:
    """Manage member cities."""


@members.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--organisation", required=True, help="Organisation slug, e.g. metropolis.")
@click.option("--body", "body_slug", default=None, help="Also seat every member in this body (slug).")
def members_import(file: Path, organisation: str, body_slug: str | None) -> None:
    """Import members from CSV: all lines or none. Columns: slug,name,country,region,category[,fee_YYYY]."""
    from governance.organisations import services as orgs

    raw = file.read_bytes()

    async def do_import() -> Any:
        org = await orgs.get_organisation(organisation)
        body = await orgs.get_body(org, body_slug) if body_slug else None
        return await orgs.import_members(org, raw, body)

    try:
        report = run(do_import)
    except Exception as exc:
        fail_on_domain_error(exc)
        return
    click.echo(f"Imported: {report.created} created, {report.updated} updated, {report.seated} seated.")


def _database_url() -> str:
    try:
        return get_settings().database_url
    except ConfigurationError as exc:
        raise click.ClickException(str(exc)) from exc


@main.command("backup")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="The backup file to write.")
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
def backup_command(out: Path, force: bool) -> None:
    """Back up the database to one file (SQLite online backup; pg_dump). Safe while serving."""
    from governance import backup

    try:
        outcome = backup.backup(_database_url(), out, force=force)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backed up {_where()} to {outcome.path} ({outcome.tables} tables, {outcome.size:,} bytes).")
    click.echo("The signing keys (GOVERNANCE_KEY_DIR) are not in it: keep them safe separately.")
    click.echo(
        "Nor are the keys of open secret polls (GOVERNANCE_VAR_DIR/ballot-keys): a poll open now "
        "can only be counted after a restore if its key file is copied back too."
    )


@main.command("restore")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace what the target database holds.")
def restore_command(file: Path, force: bool) -> None:
    """Restore a backup into the database DATABASE_URL names (empty, unless --force). Stop the server first."""
    from governance import backup

    try:
        outcome = backup.restore(_database_url(), file, force=force)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Restored {file} into {_where()} ({outcome.tables} tables). Then: governance migrate.")


@main.group()
def rules() -> None:
    """The decision rules, as the server applies them when it closes a poll."""


@rules.command("check")
@click.argument("file", type=click.Path(path_type=Path))
def rules_check(file: Path) -> None:
    """Decide every case of a governance-decision-cases/1 FILE; exit 1 on any disagreement."""
    from governance.polls.decision_cases import case_outcome
    from governance.verify.cases import run as run_cases

    sys.exit(run_cases(file, case_outcome))


def _where() -> str:
    settings = get_settings()
    return f"SQLite {settings.sqlite_path}" if settings.is_sqlite else "PostgreSQL"


def _record_commands() -> None:
    from governance.record.cli import keys, record, verify

    main.add_command(record)
    main.add_command(keys)
    main.add_command(verify)


_record_commands()

if __name__ == "__main__":  # pragma: no cover
    main()
