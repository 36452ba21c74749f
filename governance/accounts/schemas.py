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
    email: Email
    full_name: Name
    language: Language = Language.en
    is_active: bool = True
    password: Password | None = Field(default=None, description="Leave empty to keep (or not set) a password.")


class SessionOut(BaseModel):
    handle: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    user_agent: str
    client_ip: str
    current: bool
