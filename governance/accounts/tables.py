"""Accounts: people who log in, their sessions, and failed logins (for throttling).

The schema itself (types, constraints) is in ``piccolo_migrations``; these classes
mirror it for queries. ``tests/test_schema.py`` checks that the two agree.
"""

from piccolo.columns import Boolean, ForeignKey, OnDelete, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Person(Table, tablename="person"):
    id = Serial(primary_key=True)
    email = Varchar(length=254)
    full_name = Varchar(length=200)
    # None: the person cannot log in (e.g. imported, not yet invited).
    password_hash = Varchar(length=255, null=True, default=None)
    is_admin = Boolean(default=False)
    is_active = Boolean(default=True)
    language = Varchar(length=2, default="en")
    created_at = Timestamptz(default=TimestamptzNow())


class AuthSession(Table, tablename="auth_session"):
    # SHA-256 of the cookie's token: a database leak does not leak usable sessions.
    id = Varchar(length=64, primary_key=True)
    # Random handle shown on the "my sessions" page to revoke one; not the token.
    handle = Varchar(length=32)
    person = ForeignKey(references=Person, null=False, on_delete=OnDelete.cascade)
    created_at = Timestamptz(default=TimestamptzNow())
    last_seen_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    user_agent = Varchar(length=300, default="")
    client_ip = Varchar(length=64, default="")


class LoginFailure(Table, tablename="login_failure"):
    id = Serial(primary_key=True)
    # Hashes, not addresses: the table never stores what people typed.
    account_key = Varchar(length=64)
    client_key = Varchar(length=64)
    failed_at = Timestamptz(default=TimestamptzNow())


class AccessLink(Table, tablename="access_link"):
    """A one-time link that lets a person choose their own password (invitation or reset)."""

    # SHA-256 of the link's token: the token itself is never stored.
    id = Varchar(length=64, primary_key=True)
    person = ForeignKey(references=Person, null=False, on_delete=OnDelete.cascade)
    kind = Varchar(length=16)  # "invitation" | "reset"
    created_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class AccountEvent(Table, tablename="account_event"):
    """What was done to an account and by whom; the person sees them on their account page."""

    id = Serial(primary_key=True)
    person = ForeignKey(references=Person, null=False, on_delete=OnDelete.cascade)
    kind = Varchar(length=32)
    actor = ForeignKey(references=Person, null=True, on_delete=OnDelete.set_null)
    # The actor's name at the time (or "operator (command line)"): kept if the actor goes.
    actor_name = Varchar(length=254)
    detail = Varchar(length=600, default="")
    at = Timestamptz(default=TimestamptzNow())
