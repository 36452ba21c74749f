"""Sealed ballots: an open secret poll's ballots are stored encrypted under a key the database
never holds (docs/threat-model.md).

Why: a cast writes the member's participation and the ballot in one transaction (so that a
crash loses or doubles nothing), and every row a transaction writes carries its order (SQLite's
rowid, PostgreSQL's heap position and ``xmin``, the WAL). So the ballot row *is* linked to its
member, by whoever reads the database, its WAL or a backup. What makes that link worthless is
that the row says nothing: the ballot is sealed with AES-256-GCM under a key made for the poll
when it opens and kept in a file on the application host (``<var>/ballot-keys``), never in the
database or its backups. The row's lookup key (to find a retried or changed ballot by its
nonce) is an HMAC under the same key. Every sealed row has the same length whatever the choice
(the plaintext is padded). At the close (or a void) the ballots are unsealed and written out in
receipt order, the sealed rows deleted (and their superseded versions erased), and the key file
deleted: from then on not even the application host can say which sealed row held which ballot.

Whoever can read the key file while the poll is open (root on the application host) can link,
as they could read the server's memory; that is the limit the threat model names.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from governance.settings import get_settings

# Ballot contents are at most 1,000 characters (casting refuses longer ones); with the weight,
# the nonce and the JSON around them every plaintext fits, padded, in this many bytes.
PLAINTEXT_SIZE = 1200
NONCE_SIZE = 12  # AES-GCM's nonce (random per seal; not the ballot's nonce)


class KeyMissing(Exception):
    """This host holds no key for the poll (another host's poll, or the key was lost)."""


def _directory() -> Path:
    return get_settings().var_dir / "ballot-keys"


def _path(poll_id: int) -> Path:
    return _directory() / f"poll-{int(poll_id)}.key"


# Keys read from their files, by poll and the file's identity (inode, modification time): another
# process (a worker, the CLI) may make the key of a poll id this process saw before (a new
# database in tests, a restored copy), so a stat per use checks the cached key is still the file's.
_KEYS: dict[int, tuple[tuple[int, int], bytes]] = {}


def create_key(poll_id: int) -> None:
    """Make the poll's key and write it durably (before any ballot can be sealed with it)."""
    directory = _directory()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = _path(poll_id)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(descriptor, secrets.token_bytes(32))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    with contextlib.suppress(OSError):  # the directory entry too, where the filesystem allows
        handle = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
    _KEYS.pop(poll_id, None)


def key(poll_id: int) -> bytes:
    path = _path(poll_id)
    try:
        status = path.stat()
    except FileNotFoundError:
        _KEYS.pop(poll_id, None)
        raise KeyMissing(poll_id) from None
    identity = (status.st_ino, status.st_mtime_ns)
    cached = _KEYS.get(poll_id)
    if cached is not None and cached[0] == identity:
        return cached[1]
    found = path.read_bytes()
    if len(found) != 32:
        raise KeyMissing(poll_id)
    _KEYS[poll_id] = (identity, found)
    return found


def destroy_key(poll_id: int) -> None:
    """Delete the poll's key once its ballots are unsealed and committed."""
    _KEYS.pop(poll_id, None)
    with contextlib.suppress(FileNotFoundError):
        _path(poll_id).unlink()


def lookup(poll_id: int, nonce: str) -> str:
    """The sealed row's lookup key for a ballot nonce: unlinkable to the nonce without the key."""
    return hmac.new(key(poll_id), b"lookup:" + nonce.encode(), hashlib.sha256).hexdigest()


def seal(poll_id: int, choice: str, weight: int, nonce: str) -> bytes:
    plain = json.dumps([choice, weight, nonce], separators=(",", ":")).encode()
    if len(plain) > PLAINTEXT_SIZE:
        raise ValueError("a ballot too long to seal")
    padded = plain + b" " * (PLAINTEXT_SIZE - len(plain))
    iv = secrets.token_bytes(NONCE_SIZE)
    return iv + AESGCM(key(poll_id)).encrypt(iv, padded, str(poll_id).encode())


def unseal(poll_id: int, sealed: bytes) -> tuple[str, int, str]:
    """(choice, weight, nonce) of a sealed ballot of this poll."""
    plain = AESGCM(key(poll_id)).decrypt(sealed[:NONCE_SIZE], sealed[NONCE_SIZE:], str(poll_id).encode())
    choice, weight, nonce = json.loads(plain.rstrip(b" "))
    return str(choice), int(weight), str(nonce)
