"""Turn a chunk's arrays into the rows inserted into ``ticket`` and ``interaction``.

Rows are tuples in column order, with every value already encoded as the typed column would
store it, so the insert needs no per-value Python processing (that was most of the time):
instants as SQLite's ``YYYY-MM-DD HH:MM:SS.ffffff`` UTC text (checked against SQLAlchemy's
own SQLite ``DATETIME`` formatting) or aware datetimes for PostgreSQL, enums as their value
strings, JSON as text.

The log of each ticket is what the ticket services would have written for the same history
(``deskui.services.tickets.lifecycle``), so clocks recomputed from it (``ticket_clocks``) agree with
the stored columns: the opening contact; the acknowledgement that took it; the first reply;
the move to in progress, to waiting on the customer or to resolved (with the resolution
summary, and the breach reason when a clock was met late); the closing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy.dialects import sqlite

from deskui.domain.sla.policy import CLOCKS
from deskui.domain.vocabulary import Channel, Direction, InteractionKind, Status
from deskui.services.catalog.generate.attributes import CATEGORIES, CHANNELS, Attributes
from deskui.services.catalog.generate.mixes import BREACH_REASON, REPLIES, RESOLUTIONS
from deskui.services.catalog.generate.targets import NONE
from deskui.services.catalog.generate.timeline import STATUSES, Timeline
from deskui.services.catalog.generate.world import World

Ints = npt.NDArray[np.int64]

# As deskui.services.tickets.lifecycle logs them (web forms arrive as a system entry).
OPENING_KINDS: dict[Channel, InteractionKind] = {
    Channel.PHONE: InteractionKind.CALL_IN,
    Channel.EMAIL: InteractionKind.EMAIL_IN,
    Channel.FAX: InteractionKind.FAX_IN,
    Channel.ANSWERPHONE: InteractionKind.ANSWERPHONE,
    Channel.WEB: InteractionKind.SYSTEM,
    Channel.WALK_IN: InteractionKind.CALL_IN,
}
_SPOKEN = frozenset({Channel.PHONE, Channel.ANSWERPHONE, Channel.WALK_IN})
# As deskui.services.tickets.unit_of_work sets them; every other kind is internal.
_DIRECTIONS: dict[str, str] = {
    **{
        kind.value: Direction.IN.value
        for kind in (
            InteractionKind.CALL_IN,
            InteractionKind.EMAIL_IN,
            InteractionKind.FAX_IN,
            InteractionKind.ANSWERPHONE,
        )
    },
    **{
        kind.value: Direction.OUT.value
        for kind in (
            InteractionKind.CALL_OUT,
            InteractionKind.EMAIL_OUT,
            InteractionKind.REMOTE_SESSION,
        )
    },
}

# numpy 2's string ufuncs; numpy 1.26 has the same functions in ``np.char``.
_STRINGS: Any = getattr(np, "strings", np.char)

TICKET_COLUMNS = (
    "id",
    "reference",
    "team_id",
    "organisation_id",
    "contact_id",
    "contract_id",
    "requester_name",
    "requester_email",
    "product_id",
    "channel",
    "category",
    "subject",
    "description",
    "requested_priority",
    "policy_id",
    "priority",
    "priority_rank",
    "status",
    "assignee_id",
    "created_at",
    "opened_at",
    "updated_at",
    "acknowledged_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "ack_due_at",
    "response_due_at",
    "resolution_due_at",
    "next_due_at",
    "next_clock",
    "paused_at",
    "paused_business_seconds",
    "eta_at",
    "version",
    "flag_non_liaison",
    "flag_no_entitlement",
    "reclassified_from",
)
LOG_COLUMNS = (
    "id",
    "ticket_id",
    "at",
    "kind",
    "direction",
    "author_agent_id",
    "author_name",
    "body",
    "meta",
    "attachments",
)


class Encoder:
    """Column values for one dialect."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self._sqlite_text = dialect == "sqlite" and _numpy_text_matches_sqlalchemy()

    def instants(self, values: Ints) -> list[Any]:
        """Epoch seconds (``NONE`` = no instant) as the ``UTCDateTime`` column stores them."""
        if self._sqlite_text:
            text = _STRINGS.add(
                _STRINGS.replace(
                    np.datetime_as_string(values.astype("datetime64[s]"), unit="s"), "T", " "
                ),
                ".000000",
            ).astype(object)
            text[values == NONE] = None
            return list(text.tolist())
        stamp, utc = dt.datetime.fromtimestamp, dt.UTC
        if self.dialect == "sqlite":
            process = sqlite.DATETIME().bind_processor(sqlite.dialect())
            assert process is not None
            return [
                None if v == NONE else process(stamp(v, utc).replace(tzinfo=None))
                for v in values.tolist()
            ]
        return [None if v == NONE else stamp(v, utc) for v in values.tolist()]


def _numpy_text_matches_sqlalchemy() -> bool:
    """Whether SQLAlchemy still writes SQLite datetimes the way ``instants`` formats them."""
    process = sqlite.DATETIME().bind_processor(sqlite.dialect())
    if process is None:
        return False
    sample = np.array([1_234_567_890], dtype=np.int64)
    ours = np.datetime_as_string(sample.astype("datetime64[s]"), unit="s")[0]
    expected = process(dt.datetime(2009, 2, 13, 23, 31, 30))
    return bool(f"{str(ours).replace('T', ' ')}.000000" == expected == "2009-02-13 23:31:30.000000")


def _lookup(values: Sequence[Any], index: Ints) -> list[Any]:
    """``values[index[i]]`` for each ``i``; ``NONE`` gives ``None``."""
    table = np.empty(len(values) + 1, dtype=object)
    table[: len(values)] = values
    table[-1] = None  # index -1 (NONE) lands here
    return list(table[index].tolist())


def ticket_rows(
    world: World,
    encoder: Encoder,
    ids: Ints,
    references: list[str],
    opened: Ints,
    contract: Ints,
    entitled: npt.NDArray[np.bool_],
    who: Attributes,
    life: Timeline,
    versions: Ints,
    descriptions: list[str],
) -> list[tuple[Any, ...]]:
    """One tuple per ticket, values in ``TICKET_COLUMNS`` order."""
    taken = life.status != STATUSES.index(Status.NEW)
    contacts = {c.id: c for o in world.organisations for c in o.contacts}
    contact_ids = who.contact.tolist()
    names = [contacts[c].name if c in contacts else "" for c in contact_ids]
    emails = [contacts[c].email if c in contacts else None for c in contact_ids]
    policy_slugs = [[p.slug for p in spec.priorities] for spec in world.policies]
    opened_text = encoder.instants(opened)
    n = len(ids)
    columns: dict[str, list[Any]] = {
        "id": ids.tolist(),
        "reference": references,
        "team_id": _lookup([t.id for t in world.teams], who.team),
        "organisation_id": _lookup([o.id for o in world.organisations], who.organisation),
        "contact_id": [None if c == NONE else c for c in contact_ids],
        "contract_id": _lookup([c.id for c in world.contracts], np.where(entitled, contract, NONE)),
        "requester_name": names,
        "requester_email": emails,
        "product_id": _lookup([p.id for p in world.products], who.product),
        "channel": _lookup([c.value for c in CHANNELS], who.channel),
        "category": _lookup([c.value for c in CATEGORIES], who.category),
        "subject": who.subject,
        "description": descriptions,
        "requested_priority": who.requested,
        "policy_id": _lookup(world.policy_ids, who.policy),
        "priority": [
            policy_slugs[p][r] for p, r in zip(who.policy.tolist(), who.rank.tolist(), strict=True)
        ],
        "priority_rank": who.rank.tolist(),
        "status": _lookup([s.value for s in STATUSES], life.status),
        "assignee_id": [
            None if a == NONE else a for a in np.where(taken, who.agent, NONE).tolist()
        ],
        "created_at": opened_text,
        "opened_at": opened_text,
        "updated_at": encoder.instants(life.updated_at),
        "acknowledged_at": encoder.instants(life.acknowledged_at),
        "first_response_at": encoder.instants(life.first_response_at),
        "resolved_at": encoder.instants(life.resolved_at),
        "closed_at": encoder.instants(life.closed_at),
        "ack_due_at": encoder.instants(life.ack_due),
        "response_due_at": encoder.instants(life.response_due),
        "resolution_due_at": encoder.instants(life.resolution_due),
        "next_due_at": encoder.instants(life.next_due),
        "next_clock": _lookup([c.value for c in CLOCKS], life.next_clock),
        "paused_at": encoder.instants(life.paused_at),
        "paused_business_seconds": [0] * n,
        "eta_at": [None] * n,
        "version": versions.tolist(),
        "flag_non_liaison": who.non_liaison.tolist(),
        "flag_no_entitlement": (~entitled).tolist(),
        "reclassified_from": [None] * n,
    }
    return list(zip(*(columns[name] for name in TICKET_COLUMNS), strict=True))


@dataclass(frozen=True)
class _Entries:
    """Log entries of one kind for some of a chunk's tickets (``ticket``: their positions)."""

    ticket: Ints
    seq: int  # order among a ticket's entries at the same instant
    at: Ints
    kind: list[str]
    author: Ints  # agent id, or NONE
    author_name: list[str | None]
    body: list[str]
    meta: list[str]


class LogPlan:
    """The log entries of a chunk, ordered by ticket and then by when they happened."""

    def __init__(
        self,
        world: World,
        opened: Ints,
        who: Attributes,
        life: Timeline,
        descriptions: list[str],
        rng: np.random.Generator,
    ) -> None:
        n = len(opened)
        taken = life.acknowledged_at != NONE
        agent = np.where(taken, who.agent, NONE)
        requester = {c.id: c.name for o in world.organisations for c in o.contacts}
        parts = [
            _Entries(
                ticket=np.arange(n),
                seq=0,
                at=opened,
                kind=_lookup([OPENING_KINDS[c].value for c in CHANNELS], who.channel),
                author=np.full(n, NONE, dtype=np.int64),
                author_name=[requester.get(c) or None for c in who.contact.tolist()],
                body=descriptions,
                meta=_lookup(
                    [json.dumps({"opening": True, "channel": c.value}) for c in CHANNELS],
                    who.channel,
                ),
            )
        ]
        acks = np.flatnonzero(taken)
        parts.append(
            _agent_entries(
                acks,
                1,
                life.acknowledged_at,
                InteractionKind.ACKNOWLEDGEMENT.value,
                agent,
                [""] * len(acks),
                [
                    json.dumps(
                        {"from": "new", "to": "acknowledged", "assignee": world.handles.get(a)}
                    )
                    for a in agent[acks].tolist()
                ],
            )
        )
        replies = np.flatnonzero(life.first_response_at != NONE)
        reply_kinds = [
            (InteractionKind.CALL_OUT if c in _SPOKEN else InteractionKind.EMAIL_OUT).value
            for c in CHANNELS
        ]
        parts.append(
            _agent_entries(
                replies,
                2,
                life.first_response_at,
                _lookup(reply_kinds, who.channel[replies]),
                agent,
                _lookup(REPLIES, rng.integers(len(REPLIES), size=len(replies))),
                ["{}"] * len(replies),
            )
        )
        waiting_note = "Asked the customer for more details."
        for seq, instants, before, after, body in (
            (3, life.started_at, Status.ACKNOWLEDGED, Status.IN_PROGRESS, ""),
            (4, life.paused_at, Status.ACKNOWLEDGED, Status.WAITING_ON_CUSTOMER, waiting_note),
            (6, life.closed_at, Status.RESOLVED, Status.CLOSED, ""),
        ):
            rows = np.flatnonzero(instants != NONE)
            meta = json.dumps({"from": before.value, "to": after.value})
            parts.append(
                _agent_entries(
                    rows,
                    seq,
                    instants,
                    InteractionKind.STATUS_CHANGE.value,
                    agent,
                    [body] * len(rows),
                    [meta] * len(rows),
                )
            )
        resolved = np.flatnonzero(life.resolved_at != NONE)
        late = life.late[:, resolved].astype(np.int64)
        pattern = late[0] + 2 * late[1] + 4 * late[2]
        parts.append(
            _agent_entries(
                resolved,
                5,
                life.resolved_at,
                InteractionKind.STATUS_CHANGE.value,
                agent,
                _lookup(RESOLUTIONS, rng.integers(len(RESOLUTIONS), size=len(resolved))),
                _lookup([_resolved_meta(mask) for mask in range(8)], pattern),
            )
        )

        ticket = np.concatenate([p.ticket for p in parts])
        seqs = np.concatenate([np.full(len(p.ticket), p.seq, dtype=np.int64) for p in parts])
        order = np.lexsort((seqs, ticket))
        self.ticket = ticket[order]
        self.at = np.concatenate([p.at for p in parts])[order]
        self.author = np.concatenate([p.author for p in parts])[order]
        self.kind = _reorder([p.kind for p in parts], order)
        self.author_name = _reorder([p.author_name for p in parts], order)
        self.body = _reorder([p.body for p in parts], order)
        self.meta = _reorder([p.meta for p in parts], order)
        # Entries per ticket: one version per logged action.
        self.counts = np.bincount(self.ticket, minlength=n)

    def __len__(self) -> int:
        return len(self.ticket)

    def rows(self, encoder: Encoder, ids: Ints, ticket_ids: Ints) -> list[tuple[Any, ...]]:
        """One tuple per entry, values in ``LOG_COLUMNS`` order."""
        directions = [_DIRECTIONS.get(kind, Direction.INTERNAL.value) for kind in self.kind]
        columns: dict[str, list[Any]] = {
            "id": ids.tolist(),
            "ticket_id": ticket_ids[self.ticket].tolist(),
            "at": encoder.instants(self.at),
            "kind": self.kind,
            "direction": directions,
            "author_agent_id": [None if a == NONE else a for a in self.author.tolist()],
            "author_name": self.author_name,
            "body": self.body,
            "meta": self.meta,
            "attachments": ["[]"] * len(self.kind),
        }
        return list(zip(*(columns[name] for name in LOG_COLUMNS), strict=True))


def _agent_entries(
    rows: Ints,
    seq: int,
    instants: Ints,
    kind: str | list[str],
    agent: Ints,
    body: list[str],
    meta: list[str],
) -> _Entries:
    return _Entries(
        ticket=rows,
        seq=seq,
        at=instants[rows],
        kind=[kind] * len(rows) if isinstance(kind, str) else kind,
        author=agent[rows],
        author_name=[None] * len(rows),
        body=body,
        meta=meta,
    )


def _resolved_meta(late_mask: int) -> str:
    meta: dict[str, Any] = {"from": Status.ACKNOWLEDGED.value, "to": Status.RESOLVED.value}
    late = [clock.value for bit, clock in enumerate(CLOCKS) if late_mask >> bit & 1]
    if late:
        meta["breach_reason"] = BREACH_REASON
        meta["breached"] = late
    return json.dumps(meta)


def _reorder(parts: Sequence[Sequence[Any]], order: Ints) -> list[Any]:
    joined = np.empty(sum(len(p) for p in parts), dtype=object)
    position = 0
    for part in parts:
        joined[position : position + len(part)] = part
        position += len(part)
    return list(joined[order].tolist())
