"""Loops and noise, strangers quoting a reference, bounces and customer-rated priority, on
SQLite and PostgreSQL: what mail intake acknowledges, appends, links and flags."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from mail_helpers import COLLEEN, mail
from sqlalchemy import func, select
from ticket_fixtures import *  # noqa: F403 - the seeded-database fixtures

from deskui.services.actor import Actor
from deskui.services.intake.mail_in import ingest_message
from deskui.services.mail.outbox import ACKNOWLEDGEMENT
from deskui.settings import Settings
from deskui.store.models import Contact, Interaction, OutboundMail, Ticket
from deskui.store.session import Database

HALIFAX = ZoneInfo("America/Halifax")
AT = dt.datetime(2026, 2, 2, 9, 0, tzinfo=HALIFAX)
PETER = "peter@maritime-health.example"  # same organisation as Colleen
RACHEL = "r.hale@oakfield-music.example"  # a Paritor contact


def ingest(desk: Database, raw: bytes, at: dt.datetime = AT, team: str | None = None):
    settings = Settings.model_construct(mail_from="support@desk.example")
    return ingest_message(Actor.of(desk, None, at=at, settings=settings), raw, team=team)


def acknowledgements(desk: Database) -> int:
    with desk.read() as session:
        return int(
            session.scalar(
                select(func.count(OutboundMail.id)).where(OutboundMail.purpose == ACKNOWLEDGEMENT)
            )
            or 0
        )


def tickets_count(desk: Database) -> int:
    with desk.read() as session:
        return int(session.scalar(select(func.count(Ticket.id))) or 0)


def with_headers(raw: bytes, **headers: str) -> bytes:
    head = "".join(f"{name.replace('_', '-')}: {value}\r\n" for name, value in headers.items())
    return head.encode() + raw


@pytest.mark.parametrize(
    "header",
    [
        {"Auto_Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"X_Auto_Response_Suppress": "All"},
        {"List_Id": "<news.maritime-health.example>"},
    ],
)
def test_automatic_mail_is_filed_but_never_acknowledged(desk: Database, header) -> None:
    result = ingest(desk, with_headers(mail(), **header))
    assert result.action == "opened"
    assert acknowledgements(desk) == 0
    assert any("no acknowledgement" in note for note in result.notes)


def test_auto_submitted_no_is_acknowledged(desk: Database) -> None:
    ingest(desk, with_headers(mail(), Auto_Submitted="no"))
    assert acknowledgements(desk) == 1


def test_an_auto_reply_storm_gets_no_acknowledgement(desk: Database) -> None:
    for number in range(100):
        raw = with_headers(
            mail(subject=f"Out of office ({number})", message_id=f"<ooo{number}@mh.example>"),
            Auto_Submitted="auto-replied",
        )
        ingest(desk, raw, at=AT + dt.timedelta(seconds=number))
    assert acknowledgements(desk) == 0


def test_acknowledgements_per_sender_are_capped_per_hour(desk: Database) -> None:
    for number in range(10):
        raw = mail(subject=f"Question {number}", message_id=f"<q{number}@mh.example>")
        ingest(desk, raw, at=AT + dt.timedelta(minutes=number))
    assert acknowledgements(desk) == 3
    # An hour later the sender is acknowledged again.
    ingest(
        desk, mail(subject="Later", message_id="<later@mh.example>"), at=AT + dt.timedelta(hours=2)
    )
    assert acknowledgements(desk) == 4


def test_mailer_daemon_is_never_acknowledged(desk: Database) -> None:
    raw = mail(sender="MAILER-DAEMON@mail.maritime-health.example", message_id="<d1@mh>")
    ingest(desk, raw, team="velsoft")
    assert acknowledgements(desk) == 0


def _dsn(original_id: str, recipient: str) -> bytes:
    report = EmailMessage()
    report["From"] = "Mail Delivery System <MAILER-DAEMON@mx.example>"
    report["To"] = "support@velsoft.example"
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report["Message-ID"] = "<dsn1@mx.example>"
    report["Auto-Submitted"] = "auto-replied"
    report.set_content("Your message could not be delivered.")
    report.make_mixed()
    status = EmailMessage()
    status.set_content(
        f"Reporting-MTA: dns; mx.example\n\nFinal-Recipient: rfc822; {recipient}\n"
        "Action: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\n"
    )
    raw = report.as_string()
    boundary = report.get_boundary()
    assert boundary is not None
    raw = raw.replace("multipart/mixed", 'multipart/report; report-type="delivery-status"', 1)
    tail = f"--{boundary}--"
    extra = (
        f"--{boundary}\nContent-Type: message/delivery-status\n\n"
        f"Reporting-MTA: dns; mx.example\n\nFinal-Recipient: rfc822; {recipient}\n"
        "Action: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\n\n"
        f"--{boundary}\nContent-Type: text/rfc822-headers\n\n"
        f"Message-ID: {original_id}\nSubject: [DSK-000001] Re: x\n\n{tail}"
    )
    return raw.replace(tail, extra).encode()


def test_a_bounce_lands_on_the_ticket_and_flags_the_contact(desk: Database) -> None:
    opened = ingest(desk, mail())
    with desk.read() as session:
        ack_id = session.scalar(select(OutboundMail.message_id))
    assert ack_id is not None
    before = tickets_count(desk)
    result = ingest(desk, _dsn(ack_id, COLLEEN))
    assert (result.action, result.reference) == ("bounce", opened.reference)
    assert tickets_count(desk) == before
    assert acknowledgements(desk) == 1
    with desk.read() as session:
        contact = session.scalars(select(Contact).where(Contact.email == COLLEEN)).one()
        assert contact.mail_bounced_at is not None and "5.1.1" in (contact.mail_bounce_reason or "")
        last = session.scalars(select(Interaction).order_by(Interaction.id.desc())).first()
        assert last is not None and last.meta.get("bounce") is True
        assert "bounced" in last.body


def test_a_bounce_for_unknown_mail_is_quarantined_not_a_ticket(desk: Database) -> None:
    result = ingest(desk, _dsn("<nobody@else>", COLLEEN))
    assert result.action == "quarantined"
    assert tickets_count(desk) == 0


def test_a_stranger_quoting_a_reference_opens_a_linked_ticket(desk: Database) -> None:
    first = ingest(desk, mail())
    ref = first.reference
    # A colleague of the same organisation appends.
    colleague = mail(
        sender=f"Peter <{PETER}>", subject=f"Re: [{ref}] same here", message_id="<p1@mh>"
    )
    assert ingest(desk, colleague).action == "appended"
    # Someone from another client, quoting the reference, gets a ticket of their own.
    stranger = mail(
        sender=f"Rachel Hale <{RACHEL}>",
        subject=f"[{ref}] we have this too",
        message_id="<r1@om>",
    )
    result = ingest(desk, stranger)
    assert result.action == "opened" and result.reference != ref
    assert result.related == ref
    with desk.read() as session:
        notes = session.scalars(
            select(Interaction.body)
            .join(Ticket, Ticket.id == Interaction.ticket_id)
            .where(Ticket.reference == ref, Interaction.kind == "system")
        ).all()
    assert any(result.reference in note for note in notes)


def test_paritor_customers_rate_their_query(desk: Database) -> None:
    high = mail(
        sender=f"Rachel Hale <{RACHEL}>",
        subject="[High] Ensemble will not start",
        message_id="<h1@om>",
    )
    result = ingest(desk, high)
    with desk.read() as session:
        row = session.scalars(select(Ticket).where(Ticket.reference == result.reference)).one()
        assert (row.team.slug, row.requested_priority) == ("paritor", "high")
    line = mail(
        sender=f"Rachel Hale <{RACHEL}>",
        subject="Report layout",
        body="Priority: Low\nThe report header is misspelt.",
        message_id="<l1@om>",
    )
    result = ingest(desk, line)
    enhancement = mail(
        sender=f"Rachel Hale <{RACHEL}>", subject="[Enhancement] dark mode", message_id="<e1@om>"
    )
    enhancement_result = ingest(desk, enhancement)
    with desk.read() as session:
        low = session.scalars(select(Ticket).where(Ticket.reference == result.reference)).one()
        assert low.requested_priority == "low"
        level4 = session.scalars(
            select(Ticket).where(Ticket.reference == enhancement_result.reference)
        ).one()
        assert (level4.requested_priority, level4.priority) == ("level-4", "level-4")
