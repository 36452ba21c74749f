from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from governance.schemas import Email, Name, Password
from governance.vocabulary import Language


class LoginIn(BaseModel):
    # Not validated as an address: a typo must get the same answer as a wrong password.
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


class PersonOut(BaseModel):
    id: int
    email: str
    full_name: str
    language: Language
    is_admin: bool
    is_active: bool
    can_log_in: bool


class LoginOut(BaseModel):
    person: PersonOut
    csrf_token: str = Field(description="Send it in the x-csrftoken header of unsafe requests.")


class PersonIn(BaseModel):
    """A person as the secretariat edits them: never a password (the person chooses it
    through an invitation or a reset link)."""

    email: Email
    full_name: Name
    language: Language = Language.en
    is_active: bool = True


class AccountIn(PersonIn):
    """An account created by the server's operator (``governance user add``), with a password."""

    password: Password | None = None


class AccessLinkOut(BaseModel):
    kind: str = Field(description="invitation (new account) or reset (password reset)")
    expires_at: datetime
    delivery: str = Field(description="How the link reaches the person: shown (hand it over yourself) or email.")
    url: str | None = Field(description="The one-time link to hand over (shown once, never stored); null if e-mailed.")


class InvitedPersonOut(PersonOut):
    invitation: AccessLinkOut | None = Field(description="None when the account was created deactivated.")


class PasswordChangeIn(BaseModel):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: Password


class ChosenPasswordIn(BaseModel):
    password: Password
    password_again: str = Field(max_length=1024)


class AccountEventOut(BaseModel):
    kind: str
    at: datetime
    actor_name: str
    detail: dict[str, str]


class SessionOut(BaseModel):
    handle: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    user_agent: str
    client_ip: str
    current: bool
