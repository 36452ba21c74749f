"""A signatory's Ed25519 key, sealed under their own signing passphrase (issue: signatures are
advanced; the key is under the signer's sole control).

The private key is encrypted with AES-256-GCM (``cryptography``) under a key derived from
the passphrase with argon2id (``argon2-cffi``'s raw hash, RFC 9106's second recommended
profile: 64 MiB, 3 passes). Nobody, the server's operator included, can sign without the
passphrase; a wrong passphrase fails the GCM tag and is refused. Plain functions over bytes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# RFC 9106 §4, second recommended option (memory-constrained): argon2id, t=3, m=64 MiB, p=4.
PRODUCTION = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}
# Tests only (GOVERNANCE_ARGON2_PROFILE=fast), like the password hashes.
FAST = {"time_cost": 1, "memory_cost": 8192, "parallelism": 1}
MINIMUM_LENGTH = 10


class WrongPassphrase(Exception):
    """The passphrase does not open this key."""


def _parameters() -> dict[str, int]:
    from governance.settings import get_settings

    return FAST if get_settings().argon2_profile == "fast" else PRODUCTION


def _derive(passphrase: str, salt: bytes, parameters: dict[str, int]) -> bytes:
    return hash_secret_raw(passphrase.encode(), salt, hash_len=32, type=Type.ID, **parameters)


def raw_public(private: Ed25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(public_key: bytes) -> str:
    return hashlib.sha256(public_key).hexdigest()


def seal(private: Ed25519PrivateKey, passphrase: str) -> str:
    """The sealed private key as JSON text (parameters, salt, nonce, ciphertext; base64)."""
    parameters = _parameters()
    salt, nonce = os.urandom(16), os.urandom(12)
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    # The public key is the associated data: a sealed blob cannot be swapped onto another key.
    ciphertext = AESGCM(_derive(passphrase, salt, parameters)).encrypt(nonce, raw, raw_public(private))
    b64 = base64.b64encode
    return json.dumps(
        {
            "kdf": "argon2id",
            **parameters,
            "salt": b64(salt).decode(),
            "cipher": "aes-256-gcm",
            "nonce": b64(nonce).decode(),
            "ciphertext": b64(ciphertext).decode(),
        },
        sort_keys=True,
    )


def unseal(sealed: str, passphrase: str, public_key: bytes) -> Ed25519PrivateKey:
    data = json.loads(sealed)
    parameters = {k: int(data[k]) for k in ("time_cost", "memory_cost", "parallelism")}
    key = _derive(passphrase, base64.b64decode(data["salt"]), parameters)
    try:
        raw = AESGCM(key).decrypt(base64.b64decode(data["nonce"]), base64.b64decode(data["ciphertext"]), public_key)
    except InvalidTag as exc:
        raise WrongPassphrase from exc
    private = Ed25519PrivateKey.from_private_bytes(raw)
    if raw_public(private) != public_key:  # pragma: no cover - GCM's tag already binds them
        raise WrongPassphrase
    return private
