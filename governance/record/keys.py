"""Organisations' Ed25519 signing keys (docs/record-format.md §6).

The private key is a PKCS#8 PEM file (mode 0600) in ``GOVERNANCE_KEY_DIR``, never in the
database; the public key and its fingerprint are rows, published on the organisation's
keys page. Rotation adds a key and retires the current one, which stays listed so that
old checkpoints and bundles still verify. Signing uses ``cryptography``'s Ed25519.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from governance.db import reading, writing
from governance.errors import Conflict, NotFound
from governance.i18n import gettext as _
from governance.organisations.tables import Organisation
from governance.record.tables import OrganisationKey
from governance.settings import get_settings

Row = dict[str, Any]


@dataclass(frozen=True)
class Signer:
    name: str  # the signed-note key name
    public_key: bytes  # raw 32 bytes
    fingerprint: str
    private_key: Ed25519PrivateKey

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data)


def key_name(organisation_slug: str) -> str:
    return f"governance/{organisation_slug}"


def fingerprint_of(public_key: bytes) -> str:
    return hashlib.sha256(public_key).hexdigest()


def _path(organisation_slug: str, fingerprint: str) -> Path:
    return get_settings().key_dir / f"{organisation_slug}-{fingerprint[:16]}.pem"


async def _organisation(slug: str) -> Row:
    async with reading():
        organisation = await Organisation.select(Organisation.id, Organisation.slug).where(
            Organisation.slug == slug
        ).first()
    if organisation is None:
        raise NotFound(_("No such organisation."))
    return organisation


async def list_keys(organisation_slug: str) -> list[Row]:
    organisation = await _organisation(organisation_slug)
    async with reading():
        return (
            await OrganisationKey.select(
                OrganisationKey.name,
                OrganisationKey.public_key,
                OrganisationKey.fingerprint,
                OrganisationKey.created_at,
                OrganisationKey.retired_at,
            )
            .where(OrganisationKey.organisation == organisation["id"])
            .order_by(OrganisationKey.created_at)
        )


async def generate(organisation_slug: str) -> Row:
    """A new current key for the organisation; the previous one is retired (kept listed, its
    private file deleted)."""
    organisation = await _organisation(organisation_slug)
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    fingerprint = fingerprint_of(public)
    path = _path(organisation["slug"], fingerprint)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # Created 0600 from the start: never readable by anyone else, even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    now = dt.datetime.now(dt.UTC)
    try:
        async with writing():
            retired = await OrganisationKey.update({OrganisationKey.retired_at: now}).where(
                (OrganisationKey.organisation == organisation["id"]) & OrganisationKey.retired_at.is_null()
            ).returning(OrganisationKey.fingerprint)
            await OrganisationKey.insert(
                OrganisationKey(
                    organisation=organisation["id"],
                    name=key_name(organisation["slug"]),
                    public_key=base64.b64encode(public).decode(),
                    fingerprint=fingerprint,
                    created_at=now,
                )
            )
    except BaseException:
        path.unlink(missing_ok=True)  # no orphan key file for a key the database never listed
        raise
    for row in retired:
        # A retired key signs nothing again (it may have leaked): its private half goes. Its
        # public half stays listed, so what it signed while current still verifies.
        _path(organisation["slug"], row["fingerprint"]).unlink(missing_ok=True)
    return {"name": key_name(organisation["slug"]), "fingerprint": fingerprint, "path": str(path)}


async def ensure(organisation_slug: str) -> Row | None:
    """Generate a key if the organisation has no usable current one (the demo, a first start)."""
    if await signer(organisation_slug) is not None:
        return None
    return await generate(organisation_slug)


async def signer(organisation_slug: str) -> Signer | None:
    """The organisation's current key with its private part, or None if it has none here."""
    async with reading():
        row = (
            await OrganisationKey.select(OrganisationKey.name, OrganisationKey.public_key, OrganisationKey.fingerprint)
            .where((OrganisationKey.organisation.slug == organisation_slug) & OrganisationKey.retired_at.is_null())
            .first()
        )
    if row is None:
        return None
    path = _path(organisation_slug, row["fingerprint"])
    if not path.exists():
        return None
    private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(private, Ed25519PrivateKey):
        raise Conflict(_("The signing key file is not an Ed25519 key."))
    public = base64.b64decode(row["public_key"])
    if private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw) != public:
        raise Conflict(_("The signing key file does not match the published public key."))
    return Signer(row["name"], public, row["fingerprint"], private)
