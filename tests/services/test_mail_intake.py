"""Mail intake, the quarantine and the acknowledgement outbox, on SQLite and PostgreSQL.

Velsoft (Mon-Fri 08:00-16:30 America/Halifax) in February 2026: Colleen is a liaison of
Maritime Health; the reopen window is five working days of the Velsoft calendar.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from mail_helpers import COLLEEN, Inbox, free_port, mail
from mail_helpers import smtp_server as smtp_server  # the fixture
from sqlalchemy import select
from ticket_fixtures import *  # noqa: F403 - the seeded-database fixtures

from deskui.domain.vocabulary import InteractionKind
from deskui.services import tickets
from deskui.services.actor import Actor
from deskui.services.errors import ServiceError, TicketValidationError
from deskui.services.intake.mail_in import ORIGINAL_NAME, ingest_message
from deskui.services.intake.quarantine import (
    dismiss_quarantined,
    list_quarantine,
    read_quarantined,
    retry_quarantined,
)
from deskui.services.mail.outbox import outbox, send_pending
from deskui.settings import Settings
from deskui.store.models import Attachment, Interaction, MailMessage, MailQuarantine, Ticket
from deskui.store.session import Database

HALIFAX = ZoneInfo("America/Halifax")


def hfx(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 2, day, hour, minute, tzinfo=HALIFAX)


# The desk's From address: acknowledgements get Message-IDs in its domain.
DESK_SETTINGS = {"mail_from": "help@desk.example"}


def desk_settings(**options: object) -> Settings:
    """The settings mail intake reads (body limit, category, priorities), with ``options``."""
    return Settings.model_construct(**{**DESK_SETTINGS, **options})


def ingest(
    desk: Database,
    raw: bytes,
    at: dt.datetime | None = None,
    team: str | None = None,
    **options: object,
):
    actor = Actor.of(desk, None, at=at or hfx(2, 9), settings=desk_settings(**options))
    return ingest_message(actor, raw, team=team)


def ticket(desk: Database, ref: str) -> Ticket:
    with desk.read() as session:
        return session.scalars(select(Ticket).where(Ticket.reference == ref)).one()


def entries(desk: Database, ref: str) -> list[Interaction]:
    with desk.read() as session:
        ticket_id = session.scalars(select(Ticket.id).where(Ticket.reference == ref)).one()
        return list(
            session.scalars(
                select(Interaction)
                .where(Interaction.ticket_id == ticket_id)
                .order_by(Interaction.id)
            )
        )


# ---- new tickets ---------------------------------------------------------------------------


def test_a_new_message_opens_a_routed_ticket_with_its_attachments(desk: Database) -> None:
    pdf = b"%PDF-1.4 \x00\x01 binary"
    result = ingest(desk, mail(attachments=(("screen shot.pdf", "application/pdf", pdf),)))
    assert result.action == "opened" and result.reference is not None
    row = ticket(desk, result.reference)
    assert (row.channel.value, row.status.value, row.subject) == (
        "email",
        "new",
        "Course player shows a blank page",
    )
    assert row.contact_id is not None and not row.flag_no_entitlement
    assert row.assignee_id is not None  # routed (Velsoft: no product, the supervisor fallback)
    opening, routed = entries(desk, result.reference)
    assert opening.kind is InteractionKind.EMAIL_IN
    assert opening.body == "Since this morning no learner can open the course."
    assert opening.attachments == [
        {"name": "screen shot.pdf", "size": len(pdf), "content_type": "application/pdf"}
    ]
    assert opening.meta["message_id"] == "<m1@maritime-health.example>"
    assert routed.kind is InteractionKind.ASSIGNMENT_CHANGE
    with desk.read() as session:
        [kept] = session.scalars(select(Attachment)).all()
        assert (kept.filename, kept.data, kept.interaction_id) == (
            "screen shot.pdf",
            pdf,
            opening.id,
        )
        threads = {m.message_id: m.direction for m in session.scalars(select(MailMessage))}
    # The customer's message and the queued acknowledgement both thread to the ticket.
    assert threads["<m1@maritime-health.example>"] == "inbound"
    [queued] = outbox(desk)
    assert queued.status == "pending" and queued.to_address == COLLEEN
    assert queued.subject == f"[{result.reference}] Re: Course player shows a blank page"
    assert threads[ingest_queued_id(desk)] == "outbound"


def ingest_queued_id(desk: Database) -> str:
    with desk.read() as session:
        return session.scalars(
            select(MailMessage.message_id).where(MailMessage.direction == "outbound")
        ).one()


def test_an_unknown_sender_is_logged_flagged_and_sent_to_a_supervisor(desk: Database) -> None:
    raw = mail(sender="someone@nowhere.example", message_id="<u1@nowhere.example>")
    result = ingest(desk, raw, team="velsoft")
    row = ticket(desk, result.reference)
    assert row.flag_no_entitlement and row.organisation_id is None
    assert row.requester_email == "someone@nowhere.example"
    routed = entries(desk, result.reference)[-1]
    assert routed.meta["strategy"] == "supervisor"


def test_an_unknown_sender_without_a_team_is_quarantined(desk: Database) -> None:
    raw = mail(sender="someone@nowhere.example")
    result = ingest(desk, raw)
    assert result.action == "quarantined"
    assert "cannot tell which team" in (result.reason or "")
    [held] = list_quarantine(desk)
    assert held.sender == "someone@nowhere.example" and held.subject.startswith("Course")
    with desk.read() as session:
        assert session.get(MailQuarantine, held.id).raw == raw  # byte for byte
    # Retried with the team chosen: filed, and the row is marked reviewed.
    again = retry_quarantined(Actor.of(desk, "cmacdonald", at=hfx(2, 10)), held.id, team="velsoft")
    assert again.action == "opened"
    assert list_quarantine(desk) == []
    [reviewed] = list_quarantine(desk, include_reviewed=True)
    assert reviewed.reviewed_by == "cmacdonald" and again.reference in reviewed.review_note


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty input"),
        (b"just some words with no header\r\n", "no headers"),
        (b"Subject: hello\r\n\r\nno sender\r\n", "no From header"),
        (b"From: not an address\r\nSubject: x\r\n\r\nbody\r\n", "no usable email address"),
    ],
)
def test_unfileable_messages_are_quarantined_with_the_reason(
    desk: Database, raw: bytes, reason: str
) -> None:
    result = ingest(desk, raw, team="velsoft")
    assert result.action == "quarantined" and reason in (result.reason or "")
    view = read_quarantined(desk, result.quarantine_id)
    assert view.size == len(raw) and reason in view.reason
    with pytest.raises(TicketValidationError, match="say why"):
        dismiss_quarantined(Actor.of(desk, "cmacdonald", at=hfx(2, 10)), view.id, "  ")
    dismiss_quarantined(Actor.of(desk, "cmacdonald", at=hfx(2, 10)), view.id, "spam")
    assert list_quarantine(desk) == []
    with pytest.raises(ServiceError, match="already reviewed"):
        dismiss_quarantined(Actor.of(desk, "cmacdonald", at=hfx(2, 11)), view.id, "again")


def test_bad_charset_missing_subject_and_a_huge_body(desk: Database) -> None:
    raw = (
        b"From: Colleen <colleen@maritime-health.example>\r\n"
        b"Message-ID: <c1@maritime-health.example>\r\n"
        b"Content-Type: text/plain; charset=x-no-such-charset\r\n\r\n"
        b"caf\xe9 " + b"x" * 3000 + b"\r\n"
    )
    result = ingest(desk, raw, mail_body_limit=1000)
    assert result.action == "opened"
    row = ticket(desk, result.reference)
    assert row.subject == "(no subject)"
    opening = entries(desk, result.reference)[0]
    assert opening.body.startswith("caf\ufffd x")
    assert "the log keeps the first 1000" in opening.body
    assert opening.meta["truncated"] is True
    assert any("character set" in note for note in opening.meta["mail_notes"])
    assert [a["name"] for a in opening.attachments] == [ORIGINAL_NAME]
    with desk.read() as session:
        assert session.scalars(select(Attachment.data)).one() == raw


def test_the_same_message_twice_is_filed_once(desk: Database) -> None:
    first = ingest(desk, mail())
    again = ingest(desk, mail(), at=hfx(2, 9, 5))
    assert (again.action, again.reference) == ("duplicate", first.reference)
    assert len(entries(desk, first.reference)) == 2


# ---- replies -------------------------------------------------------------------------------


def test_a_reply_by_reference_or_message_id_appends(desk: Database) -> None:
    ref = ingest(desk, mail()).reference
    by_subject = ingest(
        desk,
        mail(subject=f"Re: [{ref}] still broken", message_id="<m2@x>", body="Still broken."),
        at=hfx(2, 10),
    )
    assert (by_subject.action, by_subject.reference) == ("appended", ref)
    by_thread = ingest(
        desk,
        mail(subject="Re: the course", message_id="<m3@x>", in_reply_to=ingest_queued_id(desk)),
        at=hfx(2, 11),
    )
    assert (by_thread.action, by_thread.reference) == ("appended", ref)
    log = entries(desk, ref)
    assert [e.kind for e in log][-2:] == [InteractionKind.EMAIL_IN, InteractionKind.EMAIL_IN]
    assert log[-2].body == "Still broken."


def test_a_reply_resumes_a_waiting_ticket(desk: Database) -> None:
    ref = ingest(desk, mail()).reference
    tickets.assign(Actor.of(desk, "amorgan", at=hfx(2, 9, 1)), ref, None)
    tickets.acknowledge(Actor.of(desk, "cmacdonald", at=hfx(2, 9, 2)), ref)
    tickets.set_waiting(Actor.of(desk, "cmacdonald", at=hfx(2, 9, 3)), ref, True)
    result = ingest(desk, mail(subject=f"[{ref}] here it is", message_id="<m2@x>"), hfx(2, 11))
    assert (result.action, result.effect) == ("appended", "resumed")
    row = ticket(desk, ref)
    assert row.status.value == "in-progress" and row.paused_at is None
    last = entries(desk, ref)[-1]
    assert last.meta == {"from": "waiting-on-customer", "to": "in-progress", "customer": True}


def resolved_ticket(desk: Database) -> str:
    ref = ingest(desk, mail()).reference
    tickets.assign(Actor.of(desk, "amorgan", at=hfx(2, 9, 1)), ref, None)
    tickets.acknowledge(Actor.of(desk, "cmacdonald", at=hfx(2, 9, 2)), ref)
    tickets.resolve(Actor.of(desk, "cmacdonald", at=hfx(2, 10)), ref, "Cleared the cache")
    return ref


def test_a_reply_within_the_reopen_window_reopens(desk: Database) -> None:
    ref = resolved_ticket(desk)
    # Monday 10:00 → the next Monday 10:00 is exactly five working days.
    result = ingest(desk, mail(subject=f"[{ref}] back again", message_id="<m2@x>"), hfx(9, 10))
    assert (result.action, result.effect) == ("appended", "reopened")
    assert ticket(desk, ref).status.value == "in-progress"
    assert entries(desk, ref)[-1].meta["reopened"] is True


def test_a_reply_after_the_window_opens_a_new_ticket_naming_the_old(desk: Database) -> None:
    ref = resolved_ticket(desk)
    result = ingest(desk, mail(subject=f"[{ref}] back again", message_id="<m2@x>"), hfx(9, 10, 1))
    assert result.action == "opened" and result.follows == ref
    assert result.reference != ref
    assert ticket(desk, ref).status.value == "resolved"
    opening = entries(desk, result.reference)[0]
    assert opening.meta["follows"] == ref and ref in opening.body


# ---- the outbox ----------------------------------------------------------------------------


def test_the_acknowledgement_is_sent_and_meets_the_clock(
    desk: Database, smtp_server: tuple[object, Inbox]
) -> None:
    controller, inbox = smtp_server
    settings = Settings(
        smtp_host="127.0.0.1", smtp_port=controller.port, mail_from="help@desk.example"
    )
    ref = ingest(desk, mail()).reference
    [result] = send_pending(desk, settings, at=hfx(2, 9, 1))
    assert (result.outcome, result.reference) == ("sent", ref)
    [got] = inbox.received
    assert got["Subject"].startswith(f"[{ref}] ") and got["To"] == COLLEEN
    assert got["Message-ID"] == ingest_queued_id(desk)
    row = ticket(desk, ref)
    assert row.acknowledged_at == hfx(2, 9, 1) and row.status.value == "new"
    last = entries(desk, ref)[-1]
    assert last.kind is InteractionKind.ACKNOWLEDGEMENT
    assert last.body == f"automatic acknowledgement sent to {COLLEEN}"
    assert send_pending(desk, settings, at=hfx(2, 9, 2)) == []  # nothing sent twice


def test_a_failed_send_is_kept_retried_with_backoff_and_logged(
    desk: Database, smtp_server: tuple[object, Inbox]
) -> None:
    dead = Settings(smtp_host="127.0.0.1", smtp_port=free_port(), smtp_timeout_seconds=2)
    ref = ingest(desk, mail()).reference
    [first] = send_pending(desk, dead, at=hfx(2, 9, 1))
    assert first.outcome == "retry" and "failed" in (first.error or "")
    [queued] = outbox(desk)
    assert (queued.status, queued.attempts) == ("pending", 1)
    assert queued.next_attempt_at == hfx(2, 9, 2) and queued.last_error
    assert "not sent yet (attempt 1)" in entries(desk, ref)[-1].body
    assert send_pending(desk, dead, at=hfx(2, 9, 1) + dt.timedelta(seconds=30)) == []  # not due yet
    controller, inbox = smtp_server
    live = Settings(smtp_host="127.0.0.1", smtp_port=controller.port)
    [second] = send_pending(desk, live, at=hfx(2, 9, 3))
    assert second.outcome == "sent" and len(inbox.received) == 1
    assert ticket(desk, ref).acknowledged_at == hfx(2, 9, 3)


def test_after_the_last_attempt_the_mail_is_failed_and_logged(desk: Database) -> None:
    dead = Settings(
        smtp_host="127.0.0.1", smtp_port=free_port(), smtp_timeout_seconds=2, mail_max_attempts=2
    )
    ref = ingest(desk, mail()).reference
    assert send_pending(desk, dead, at=hfx(2, 9, 1))[0].outcome == "retry"
    assert send_pending(desk, dead, at=hfx(2, 9, 5))[0].outcome == "failed"
    [queued] = outbox(desk)
    assert (queued.status, queued.attempts) == ("failed", 2)
    assert "giving up" in entries(desk, ref)[-1].body
    assert ticket(desk, ref).acknowledged_at is None


def test_the_priority_a_mail_ticket_gets(desk: Database) -> None:
    # Velsoft names no default: the configured one for the policy, else the lowest.
    configured = ingest(desk, mail(), mail_priorities={"velsoft-support": "high"})
    assert ticket(desk, configured.reference).priority == "high"
    lowest = ingest(desk, mail(message_id="<m9@x>"), at=hfx(2, 9, 1))
    assert ticket(desk, lowest.reference).priority == "medium"
