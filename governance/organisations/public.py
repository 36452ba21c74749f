"""What anyone may read about an organisation, signed in or not: its signing keys.

Public by design (docs/record-format.md §6): whoever checks an exported bundle or a
checkpoint compares the key's fingerprint with the one published here. These routes
have no guard, as every public route of the application (the sign-in page, /health);
they show public keys only, never anything from the back office.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template
from pydantic import BaseModel, Field

from governance.organisations import services
from governance.record import keys
from governance.web import page

Req = Request[Any, Any, Any]


class PublicKeyOut(BaseModel):
    name: str = Field(description="The signed-note key name (governance/<organisation>)")
    public_key: str = Field(description="The raw 32-byte Ed25519 public key, base64")
    fingerprint: str = Field(description="hex(SHA-256(raw public key)): what `governance verify --key` expects")
    created_at: dt.datetime
    retired_at: dt.datetime | None
    current: bool


def _out(row: dict[str, Any]) -> PublicKeyOut:
    return PublicKeyOut(**row, current=row["retired_at"] is None)


class PublicKeysPage(Controller):
    path = "/organisations/{org:str}/keys"
    include_in_schema = False

    @get("/")
    async def keys_page(self, org: str) -> Template:
        organisation = await services.get_organisation(org)
        rows = [_out(row) for row in await keys.list_keys(org)]
        # The current key first, then the retired ones, newest first.
        rows.sort(key=lambda k: (not k.current, -k.created_at.timestamp()))
        return page("organisations/keys.html", org=organisation, keys=rows)


class PublicKeysApi(Controller):
    path = "/api/v1/organisations/{org:str}/keys"
    tags = ["organisations"]

    @get("/", summary="The organisation's signing keys (public: compare fingerprints with a bundle's)")
    async def list_keys(self, org: str) -> list[PublicKeyOut]:
        return [_out(row) for row in await keys.list_keys(org)]


PUBLIC_HANDLERS = [PublicKeysPage, PublicKeysApi]
