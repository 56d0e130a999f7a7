"""Agents' SSH public keys: add one from an OpenSSH ``.pub`` file, list them, remove one.

The SSH server signs an agent in by the key's record, so a key is checked before it is stored:
a known type, valid base64 whose blob names the same type, and not already held by anyone.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import struct
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from deskui.domain.ssh_keys import parse_ssh_key, ssh_fingerprint
from deskui.services.authorization import require_admin
from deskui.services.errors import NotFoundError, ServiceError
from deskui.store.models import Agent, SshKey
from deskui.store.session import Database

KEY_TYPES = (
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
)
# The column's width; a longer comment is refused rather than cut.
_COMMENT_LIMIT = 200


class KeyFileError(ServiceError):
    """The text is not one OpenSSH public key this desk accepts."""


class DuplicateKeyError(ServiceError):
    """The key is already stored (for this agent or another)."""


class UnknownAgentError(NotFoundError):
    """No agent has the handle asked for."""


class UnknownKeyError(NotFoundError):
    """The agent holds no key with the fingerprint asked for."""


@dataclass(frozen=True, slots=True)
class PublicKey:
    """A checked OpenSSH public key."""

    key_type: str
    key_text: str
    comment: str
    fingerprint: str


@dataclass(frozen=True, slots=True)
class KeyView:
    """A stored key as listed."""

    handle: str
    key_type: str
    fingerprint: str
    comment: str
    added_at: dt.datetime


def parse_public_key(text: str) -> PublicKey:
    """The one key in a ``.pub`` file's text (blank and ``#`` lines are skipped)."""
    if "PRIVATE KEY" in text:
        raise KeyFileError("this is a private key; give the public key (the .pub file)")
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    if not lines:
        raise KeyFileError("the key file is empty")
    if len(lines) > 1:
        raise KeyFileError(f"the key file holds {len(lines)} lines; give one public key")
    try:
        key_type, key_text, comment = parse_ssh_key(lines[0])
    except ValueError as exc:
        raise KeyFileError(str(exc)) from None
    if key_type not in KEY_TYPES:
        raise KeyFileError(f"unsupported key type {key_type!r} (accepted: {', '.join(KEY_TYPES)})")
    try:
        fingerprint = ssh_fingerprint(key_text)
    except ValueError as exc:
        raise KeyFileError(str(exc)) from None
    inner = _blob_type(base64.b64decode(key_text))
    if inner != key_type:
        raise KeyFileError(f"the key says {key_type!r} but its data is {inner or 'not a key'!r}")
    if len(comment) > _COMMENT_LIMIT:
        raise KeyFileError(f"the key comment is longer than {_COMMENT_LIMIT} characters")
    if any(not ch.isprintable() for ch in comment):
        raise KeyFileError("the key comment holds control characters")
    return PublicKey(key_type, key_text, comment, fingerprint)


def _blob_type(blob: bytes) -> str | None:
    """The key type a public key blob starts with (an SSH ``string``), if it has one."""
    if len(blob) < 4:
        return None
    (length,) = struct.unpack(">I", blob[:4])
    if length == 0 or length > 64 or len(blob) < 4 + length:
        return None
    try:
        return blob[4 : 4 + length].decode("ascii")
    except (UnicodeDecodeError, binascii.Error):
        return None


def add_key(
    database: Database, handle: str, text: str, *, at: dt.datetime, by: str | None = None
) -> KeyView:
    """Store the key in ``text`` for ``handle``; refused if the key is held already.
    ``by`` is the agent doing it (must be an admin); ``None`` is the operator's shell."""
    key = parse_public_key(text)
    require_admin(database, by, action="manage SSH keys", target=handle, at=at)
    with database.write() as session:
        agent = _agent(session, handle)
        holder = session.scalar(
            select(Agent.handle).join(SshKey.agent).where(SshKey.fingerprint == key.fingerprint)
        )
        if holder is not None:
            whose = "this agent" if holder == handle else f"agent {holder!r}"
            raise DuplicateKeyError(f"key {key.fingerprint} is already stored for {whose}")
        row = SshKey(
            agent_id=agent.id,
            key_type=key.key_type,
            key_text=key.key_text,
            fingerprint=key.fingerprint,
            comment=key.comment,
            added_at=at,
        )
        session.add(row)
        return KeyView(handle, key.key_type, key.fingerprint, key.comment, at)


def list_keys(database: Database, handle: str | None = None) -> list[KeyView]:
    """Every stored key (or ``handle``'s), by handle then date added."""
    with database.read() as session:
        query = select(SshKey).join(SshKey.agent).options(joinedload(SshKey.agent))
        if handle is not None:
            agent = _agent(session, handle)
            query = query.where(SshKey.agent_id == agent.id)
        rows = session.scalars(query.order_by(Agent.handle, SshKey.added_at, SshKey.id))
        return [
            KeyView(row.agent.handle, row.key_type, row.fingerprint, row.comment, row.added_at)
            for row in rows
        ]


def remove_key(
    database: Database,
    handle: str,
    fingerprint: str,
    *,
    by: str | None = None,
    at: dt.datetime | None = None,
) -> KeyView:
    """Remove ``handle``'s key with ``fingerprint``; returns what was removed. ``by`` as for
    ``add_key``."""
    when = at or dt.datetime.now(dt.UTC)
    require_admin(database, by, action="manage SSH keys", target=handle, at=when)
    with database.write() as session:
        agent = _agent(session, handle)
        row = session.scalar(
            select(SshKey).where(SshKey.agent_id == agent.id, SshKey.fingerprint == fingerprint)
        )
        if row is None:
            raise UnknownKeyError(f"agent {handle!r} has no key {fingerprint!r}")
        view = KeyView(handle, row.key_type, row.fingerprint, row.comment, row.added_at)
        session.delete(row)
        return view


def _agent(session: Session, handle: str) -> Agent:
    agent = session.scalar(select(Agent).where(Agent.handle == handle))
    if agent is None:
        raise UnknownAgentError(f"unknown agent {handle!r}")
    return agent


@dataclass(frozen=True, slots=True)
class KeyOwner:
    """Who signs in with a key: the agent and the roles the desk gives them."""

    handle: str
    name: str
    roles: tuple[str, ...]
    fingerprint: str


def key_owner(database: Database, blob: bytes) -> KeyOwner | None:
    """The active agent holding the public key whose SSH wire blob is ``blob``, if any.

    The SSH server asks this for every key a client offers; the agent comes from the key's
    record alone (never from the SSH user name). A retired agent's keys sign no one in.
    """
    key_text = base64.b64encode(blob).decode("ascii")
    fingerprint = ssh_fingerprint(key_text)
    with database.read() as session:
        row = session.scalar(
            select(SshKey)
            .where(SshKey.fingerprint == fingerprint)
            .options(joinedload(SshKey.agent))
        )
        # The fingerprint picks the row; the whole key must match too, so a hash collision
        # (or a hand-edited row) signs no one in.
        if row is None or row.key_text != key_text or not row.agent.active:
            return None
        roles = tuple(sorted(str(role.value) for role in row.agent.roles))
        return KeyOwner(row.agent.handle, row.agent.name, roles, fingerprint)
