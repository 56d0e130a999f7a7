"""Agents' web sign-in secrets for ``deskui serve web``: issue one, check one, audit refusals.

``deskui agent web-login HANDLE`` issues a random secret, shown once and stored only as a
salted scrypt hash (``hashlib.scrypt``, OpenSSL's); issuing again replaces it, so a lost or
leaked secret is revoked by issuing a new one (or by ``--revoke``). A refused sign-in is
written to the audit trail (``audit_refusal``, action ``web sign-in``) with the address it
came from, whatever the reason: a wrong secret, an unknown or retired agent, or too many tries.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from deskui.services.authorization import require_admin
from deskui.services.errors import NotFoundError
from deskui.store.models import Agent, AuditRefusal, WebLogin
from deskui.store.session import Database

SIGN_IN_ACTION = "web sign-in"
# scrypt's cost: 16 MiB and some 50 ms a check, which makes guessing slow without making a
# sign-in slow. Stored with each hash, so raising it later keeps old secrets valid.
_N, _R, _P = 2**14, 8, 1
_SALT_BYTES = 16
_HASH_BYTES = 32
# The actor and target columns' widths: what a stranger types is cut to fit.
_ACTOR_LIMIT = 64
_TARGET_LIMIT = 200


class UnknownAgentError(NotFoundError):
    """No active agent has the handle asked for."""


@dataclass(frozen=True, slots=True)
class WebAgent:
    """Who a web sign-in signs in."""

    handle: str
    name: str


def hash_secret(secret: str) -> str:
    """``scrypt$N$r$p$salt$hash`` of ``secret`` with a fresh random salt."""
    salt = os.urandom(_SALT_BYTES)
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=_HASH_BYTES)
    return "$".join(("scrypt", str(_N), str(_R), str(_P), _b64(salt), _b64(digest)))


def secret_matches(secret: str, stored: str) -> bool:
    """Whether ``secret`` is the one hashed in ``stored`` (compared in constant time)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            secret.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except ValueError:  # a hand-edited or cut row signs no one in
        return False
    return hmac.compare_digest(actual, expected)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# Checked against when the handle is unknown, so that a wrong handle takes as long as a wrong
# secret and the timing does not tell which handles exist.
_DECOY_HASH = hash_secret(secrets.token_urlsafe(18))


def issue_web_login(
    database: Database, handle: str, *, at: dt.datetime, by: str | None = None
) -> str:
    """A new secret for ``handle`` (replacing any earlier one); shown once, stored hashed.
    ``by`` is the agent doing it (must be an admin); ``None`` is the operator's shell."""
    require_admin(database, by, action="issue web logins", target=handle, at=at)
    secret = secrets.token_urlsafe(18)
    hashed = hash_secret(secret)
    with database.write() as session:
        agent = _active_agent(session, handle)
        row = session.get(WebLogin, agent.id)
        if row is None:
            session.add(WebLogin(agent_id=agent.id, secret_hash=hashed, issued_at=at))
        else:
            row.secret_hash, row.issued_at = hashed, at
    return secret


def revoke_web_login(
    database: Database, handle: str, *, at: dt.datetime, by: str | None = None
) -> bool:
    """Remove ``handle``'s web secret; whether there was one. ``by`` as for issuing."""
    require_admin(database, by, action="issue web logins", target=handle, at=at)
    with database.write() as session:
        agent = session.scalar(select(Agent).where(Agent.handle == handle))
        if agent is None:
            raise UnknownAgentError(f"unknown agent {handle!r}")
        row = session.get(WebLogin, agent.id)
        if row is None:
            return False
        session.delete(row)
        return True


def check_web_login(database: Database, handle: str, secret: str) -> WebAgent | None:
    """The active agent ``handle`` if ``secret`` is their current web secret, else ``None``."""
    with database.read() as session:
        row = session.execute(
            select(Agent.handle, Agent.name, Agent.active, WebLogin.secret_hash)
            .join(WebLogin, WebLogin.agent_id == Agent.id)
            .where(Agent.handle == handle)
        ).one_or_none()
    if row is None:
        secret_matches(secret, _DECOY_HASH)
        return None
    if not secret_matches(secret, row.secret_hash) or not row.active:
        return None
    return WebAgent(row.handle, row.name)


def record_sign_in_refusal(
    database: Database, *, handle: str, remote: str, reason: str, at: dt.datetime
) -> None:
    """Write one refused web sign-in to the audit trail (its own transaction)."""
    with database.write() as session:
        agent_id = session.scalar(select(Agent.id).where(Agent.handle == handle))
        session.add(
            AuditRefusal(
                at=at,
                agent_id=agent_id,
                actor=handle[:_ACTOR_LIMIT] or "(none)",
                action=SIGN_IN_ACTION,
                target=f"from {remote}"[:_TARGET_LIMIT],
                reason=reason,
            )
        )


def _active_agent(session: Session, handle: str) -> Agent:
    agent = session.scalar(select(Agent).where(Agent.handle == handle))
    if agent is None or not agent.active:
        raise UnknownAgentError(f"unknown agent {handle!r} (give an active agent's handle)")
    return agent
