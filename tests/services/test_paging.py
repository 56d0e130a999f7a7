"""Paging on the seeded sample data (SQLite and PostgreSQL) against a real SMTP server and a
real HTTP server on loopback: Kenco's on-call agent on a weekday night, a weekend and
Thanksgiving; daytime tickets only at the top priority; escalation to the secondary and the
supervisor, stopped by an acknowledgement; a dead webhook retried with backoff, then failed."""

from __future__ import annotations

import datetime as dt

import pytest
from oncall_fixtures import *  # noqa: F403 (fixtures)
from pager_servers import *  # noqa: F403 (fixtures)
from pager_servers import Hook, Inbox, free_port

from deskui.domain.vocabulary import PageChannel, PageStatus
from deskui.services.actor import Actor
from deskui.services.errors import TicketStateError, TicketValidationError
from deskui.services.intake import open_ticket
from deskui.services.oncall.delivery import deliver_due, pager_tick
from deskui.services.oncall.paging import acknowledge_pages, list_pages
from deskui.services.oncall.status import on_call_line
from deskui.services.tickets.draft import TicketDraft
from deskui.services.tickets.lifecycle import get_ticket
from deskui.settings import Settings
from deskui.store.session import Database

# Tuesday 23:00, Saturday noon, Thanksgiving noon and Tuesday noon, Eastern (UTC-5).
WEEKDAY_NIGHT = dt.datetime(2026, 11, 25, 4, 0, tzinfo=dt.UTC)
WEEKEND = dt.datetime(2026, 12, 5, 17, 0, tzinfo=dt.UTC)
THANKSGIVING = dt.datetime(2026, 11, 26, 17, 0, tzinfo=dt.UTC)
WEEKDAY_NOON = dt.datetime(2026, 11, 24, 17, 0, tzinfo=dt.UTC)
# Monday 7 December 22:00 Eastern: dpatel primary, lchen secondary, jmorales the supervisor.
ESCALATION_NIGHT = dt.datetime(2026, 12, 8, 3, 0, tzinfo=dt.UTC)


def settings(inbox: Inbox | None, hook: Hook | str | None, **more: object) -> Settings:
    url = hook.url if isinstance(hook, Hook) else hook
    return Settings(
        smtp_host="127.0.0.1" if inbox is not None else None,
        smtp_port=inbox.port if inbox is not None else 25,
        smtp_timeout_seconds=5,
        mail_from="pager@kenco.example",
        pager_webhook_url=url,
        pager_webhook_timeout_seconds=5,
        **more,
    )


def open_kenco(database: Database, at: dt.datetime, priority: str = "training") -> str:
    draft = TicketDraft(
        team="kenco",
        subject="Scanner at dock 4 will not sign in",
        channel="phone",
        category="technical",
        organisation="acme-foods",
        requester_name="Maria Lopez",
        priority=priority,
    )
    return open_ticket(Actor.of(database, None, at=at), draft).reference


def page_log(database: Database, ref: str, at: dt.datetime) -> list[tuple[str, dict[str, object]]]:
    view = get_ticket(database, ref, now=at)
    return [(e.body, e.meta) for e in view.interactions if e.kind == "page"]


@pytest.mark.parametrize(
    ("at", "handle", "email"),
    [
        (WEEKDAY_NIGHT, "lchen", "lin.chen@kenco.example"),
        (WEEKEND, "jmorales", "jorge.morales@kenco.example"),
        (THANKSGIVING, "lchen", "lin.chen@kenco.example"),
    ],
    ids=["weekday-night", "weekend", "thanksgiving"],
)
def test_after_hours_pages_the_primary_by_email_and_webhook(
    seeded: Database, smtp_inbox: Inbox, webhook: Hook, at: dt.datetime, handle: str, email: str
) -> None:
    ref = open_kenco(seeded, at)
    queued = list_pages(seeded, ticket=ref)
    assert {(p.agent, p.channel, p.level, p.status) for p in queued} == {
        (handle, PageChannel.EMAIL, 0, PageStatus.PENDING),
        (handle, PageChannel.WEBHOOK, 0, PageStatus.PENDING),
    }
    [(body, meta)] = page_log(seeded, ref, at)
    assert meta["page"] == "queued" and meta["agent"] == handle and meta["level"] == 0
    assert meta["reason"] == "after hours"
    assert "as primary by email and webhook" in body

    config = settings(smtp_inbox, webhook, pager_ticket_url="https://desk.example/t/{reference}")
    summary = pager_tick(seeded, config, at)
    assert sorted(o.result for o in summary.outcomes) == ["sent", "sent"]
    assert summary.escalated == []

    [mail] = smtp_inbox.received
    assert mail["To"] == email
    assert mail["Subject"].startswith(f"[{ref}] PAGE (training)")
    assert f"deskui pager ack {ref} --as {handle}" in mail.get_payload()
    [post] = webhook.posts
    view = get_ticket(seeded, ref, now=at)
    assert post == {
        "ticket": view.ticket_id,
        "reference": ref,
        "subject": "Scanner at dock 4 will not sign in",
        "priority": "training",
        "organisation": "Acme Foods Distribution",
        "level": 0,
        "agent": handle,
        "url": f"https://desk.example/t/{ref}",
    }
    assert webhook.headers[0]["Content-Type"] == "application/json"

    pages = list_pages(seeded, ticket=ref)
    assert {p.status for p in pages} == {PageStatus.SENT}
    assert {p.target for p in pages} == {email, webhook.url}
    assert all(p.sent_at == at and p.attempts == 1 for p in pages)
    sent = [meta for _, meta in page_log(seeded, ref, at) if meta["page"] == "sent"]
    assert sorted(m["channel"] for m in sent) == ["email", "webhook"]
    assert {m["agent"] for m in sent} == {handle}

    # Nothing is left to deliver: a second pass sends nothing again.
    assert deliver_due(seeded, config, at + dt.timedelta(minutes=1)) == []


def test_an_sms_gateway_address_is_paged_like_email(
    seeded: Database, smtp_inbox: Inbox, webhook: Hook
) -> None:
    ref = open_kenco(seeded, WEEKEND)
    config = settings(smtp_inbox, webhook, pager_addresses={"jmorales": "5551234@sms.example"})
    pager_tick(seeded, config, WEEKEND)
    assert [m["To"] for m in smtp_inbox.received] == ["5551234@sms.example"]
    [email] = [p for p in list_pages(seeded, ticket=ref) if p.channel is PageChannel.EMAIL]
    assert email.target == "5551234@sms.example"


def test_a_daytime_ticket_pages_only_at_the_top_priority(
    seeded: Database, smtp_inbox: Inbox, webhook: Hook
) -> None:
    normal = open_kenco(seeded, WEEKDAY_NOON, priority="software-error")
    assert list_pages(seeded, ticket=normal) == []
    assert page_log(seeded, normal, WEEKDAY_NOON) == []

    top = open_kenco(seeded, WEEKDAY_NOON, priority="location-down")
    [(_, meta)] = page_log(seeded, top, WEEKDAY_NOON)
    assert meta["reason"] == "top priority" and meta["agent"] == "lchen"
    pager_tick(seeded, settings(smtp_inbox, webhook), WEEKDAY_NOON)
    assert [m["To"] for m in smtp_inbox.received] == ["lin.chen@kenco.example"]
    assert [p["reference"] for p in webhook.posts] == [top]


def test_a_team_without_a_rotation_never_pages(seeded: Database) -> None:
    draft = TicketDraft(
        team="itworks",
        subject="Grades will not post",
        channel="email",
        category="technical",
        priority="medium",
    )
    ref = open_ticket(Actor.of(seeded, None, at=WEEKDAY_NIGHT), draft).reference
    assert list_pages(seeded, ticket=ref) == []


def test_no_acknowledgement_escalates_to_the_secondary_then_the_supervisor(
    seeded: Database, smtp_inbox: Inbox, webhook: Hook
) -> None:
    config = settings(smtp_inbox, webhook)
    start = ESCALATION_NIGHT
    ref = open_kenco(seeded, start)
    pager_tick(seeded, config, start)

    def levels() -> list[tuple[int, str]]:
        return sorted({(p.level, p.agent) for p in list_pages(seeded, ticket=ref)})

    assert levels() == [(0, "dpatel")]
    assert pager_tick(seeded, config, start + dt.timedelta(minutes=14)).escalated == []
    summary = pager_tick(seeded, config, start + dt.timedelta(minutes=15))
    assert summary.escalated == [ref]
    assert levels() == [(0, "dpatel"), (1, "lchen")]
    assert sorted(o.result for o in summary.outcomes) == ["sent", "sent"]
    assert pager_tick(seeded, config, start + dt.timedelta(minutes=29)).escalated == []
    assert pager_tick(seeded, config, start + dt.timedelta(minutes=30)).escalated == [ref]
    # Every supervisor of the team: Jorge, and Alex who supervises every team of the desk.
    assert levels() == [(0, "dpatel"), (1, "lchen"), (2, "amorgan"), (2, "jmorales")]
    # The supervisors are the last level.
    assert pager_tick(seeded, config, start + dt.timedelta(hours=3)).escalated == []
    assert [m["To"] for m in smtp_inbox.received] == [
        "dev.patel@kenco.example",
        "lin.chen@kenco.example",
        "alex.morgan@deskui.example",
        "jorge.morales@kenco.example",
    ]
    assert [p["level"] for p in webhook.posts] == [0, 1, 2, 2]
    queued = [m for _, m in page_log(seeded, ref, start) if m["page"] == "queued"]
    assert [(m["agent"], m["level"]) for m in queued] == [
        ("dpatel", 0),
        ("lchen", 1),
        ("amorgan", 2),
        ("jmorales", 2),
    ]
    assert queued[1]["reason"] == "no acknowledgement 15 minutes after the first page"
    assert queued[3]["reason"] == "no acknowledgement 30 minutes after the first page"


def test_a_setting_sets_the_escalation_time_when_the_rotation_has_none(
    seeded: Database, smtp_inbox: Inbox, webhook: Hook
) -> None:
    from sqlalchemy import update

    from deskui.store.models import OnCallRotation

    with seeded.write() as session:
        session.execute(update(OnCallRotation).values(escalation_minutes=None, spec={}))
    config = settings(smtp_inbox, webhook, pager_escalation_minutes=5)
    ref = open_kenco(seeded, ESCALATION_NIGHT)
    assert pager_tick(seeded, config, ESCALATION_NIGHT + dt.timedelta(minutes=4)).escalated == []
    assert pager_tick(seeded, config, ESCALATION_NIGHT + dt.timedelta(minutes=5)).escalated == [ref]
    # Twice the escalation time for the supervisor when the rotation says nothing.
    assert pager_tick(seeded, config, ESCALATION_NIGHT + dt.timedelta(minutes=9)).escalated == []
    assert pager_tick(seeded, config, ESCALATION_NIGHT + dt.timedelta(minutes=10)).escalated == [
        ref
    ]


def test_a_late_pass_pages_every_level_that_is_due(
    seeded: Database, smtp_inbox: Inbox, webhook: Hook
) -> None:
    ref = open_kenco(seeded, ESCALATION_NIGHT)
    late = ESCALATION_NIGHT + dt.timedelta(minutes=45)
    summary = pager_tick(seeded, settings(smtp_inbox, webhook), late)
    assert summary.escalated == [ref]
    assert sorted({(p.level, p.agent) for p in list_pages(seeded, ticket=ref)}) == [
        (0, "dpatel"),
        (1, "lchen"),
        (2, "amorgan"),
        (2, "jmorales"),
    ]
    assert len(smtp_inbox.received) == 4


def test_an_acknowledgement_stops_escalation(
    seeded: Database, smtp_inbox: Inbox, webhook: Hook
) -> None:
    config = settings(smtp_inbox, webhook)
    start = ESCALATION_NIGHT
    ref = open_kenco(seeded, start)
    pager_tick(seeded, config, start)
    before = get_ticket(seeded, ref, now=start)
    assert (
        acknowledge_pages(Actor.of(seeded, "dpatel", at=start + dt.timedelta(minutes=7)), ref) == 2
    )
    after = get_ticket(seeded, ref, now=start + dt.timedelta(minutes=7))
    # The SLA clocks, status and assignee are untouched by the pager's acknowledgement.
    assert after.status == before.status == "new"
    assert [(c.clock, c.due_at, c.met_at) for c in after.clocks] == [
        (c.clock, c.due_at, c.met_at) for c in before.clocks
    ]
    assert pager_tick(seeded, config, start + dt.timedelta(hours=1)).escalated == []
    pages = list_pages(seeded, ticket=ref)
    assert {(p.level, p.status) for p in pages} == {(0, PageStatus.ACKNOWLEDGED)}
    assert {p.acknowledged_at for p in pages} == {start + dt.timedelta(minutes=7)}
    acks = [(b, m) for b, m in page_log(seeded, ref, start) if m["page"] == "acknowledged"]
    [(body, meta)] = acks
    assert meta["agent"] == "dpatel" and "Dev Patel (dpatel)" in body
    with pytest.raises(TicketStateError, match="no unacknowledged pages"):
        acknowledge_pages(Actor.of(seeded, "dpatel", at=start + dt.timedelta(minutes=8)), ref)


def test_a_dead_webhook_is_retried_with_backoff_then_failed_and_shown(
    seeded: Database, smtp_inbox: Inbox
) -> None:
    dead = f"http://127.0.0.1:{free_port()}/page"
    config = settings(smtp_inbox, dead, pager_max_attempts=3, pager_retry_seconds=60)
    at = WEEKDAY_NIGHT
    ref = open_kenco(seeded, at)

    def webhook_page():  # type: ignore[no-untyped-def]
        [page] = [p for p in list_pages(seeded, ticket=ref) if p.channel is PageChannel.WEBHOOK]
        return page

    outcomes = {o.channel: o.result for o in deliver_due(seeded, config, at)}
    assert outcomes == {PageChannel.EMAIL: "sent", PageChannel.WEBHOOK: "retrying"}
    page = webhook_page()
    assert (page.status, page.attempts) == (PageStatus.PENDING, 1)
    assert page.next_attempt_at == at + dt.timedelta(seconds=60)
    assert page.last_error is not None and dead in page.last_error
    # Not due yet: nothing is sent.
    assert deliver_due(seeded, config, at + dt.timedelta(seconds=59)) == []
    [second] = deliver_due(seeded, config, at + dt.timedelta(seconds=60))
    assert second.result == "retrying"
    assert webhook_page().next_attempt_at == at + dt.timedelta(seconds=60 + 120)
    assert deliver_due(seeded, config, at + dt.timedelta(seconds=179)) == []
    [third] = deliver_due(seeded, config, at + dt.timedelta(seconds=180))
    assert third.result == "failed"
    page = webhook_page()
    assert (page.status, page.attempts, page.next_attempt_at) == (PageStatus.FAILED, 3, None)
    assert [p.id for p in list_pages(seeded, status="failed")] == [page.id]
    assert deliver_due(seeded, config, at + dt.timedelta(hours=1)) == []
    bodies = [body for body, meta in page_log(seeded, ref, at) if meta.get("channel") == "webhook"]
    assert [b.split(":")[0] for b in bodies] == [
        "page to Lin Chen (lchen) by webhook failed (attempt 1 of 3)",
        "page to Lin Chen (lchen) by webhook failed (attempt 2 of 3)",
        "page to Lin Chen (lchen) by webhook failed after 3 attempts",
    ]


def test_the_header_line_names_who_is_on_call_and_counts_failed_pages(seeded: Database) -> None:
    assert on_call_line(seeded, "dpatel", WEEKDAY_NIGHT) == "on call: kenco lchen/jmorales"
    assert on_call_line(seeded, "mbrennan", WEEKDAY_NIGHT) is None  # IT Works: no rotation
    ref = open_kenco(seeded, WEEKDAY_NIGHT)
    deliver_due(seeded, settings(None, None), WEEKDAY_NIGHT)  # nothing configured: both fail
    assert on_call_line(seeded, "dpatel", WEEKDAY_NIGHT) == (
        "on call: kenco lchen/jmorales · 2 pages failed"
    )
    acknowledge_pages(Actor.of(seeded, "lchen", at=WEEKDAY_NIGHT), ref)
    assert on_call_line(seeded, "dpatel", WEEKDAY_NIGHT) == "on call: kenco lchen/jmorales"


def test_an_http_error_is_retried_and_then_delivered(
    seeded: Database, smtp_inbox: Inbox, webhook: Hook
) -> None:
    webhook.status = 503
    config = settings(smtp_inbox, webhook)
    ref = open_kenco(seeded, WEEKDAY_NIGHT)
    deliver_due(seeded, config, WEEKDAY_NIGHT)
    [page] = [p for p in list_pages(seeded, ticket=ref) if p.channel is PageChannel.WEBHOOK]
    assert page.last_error == f"webhook {webhook.url} answered HTTP 503"
    webhook.status = 204
    [outcome] = deliver_due(seeded, config, WEEKDAY_NIGHT + dt.timedelta(minutes=1))
    assert outcome.result == "sent"
    assert len(webhook.posts) == 2


def test_unconfigured_channels_fail_at_once_and_are_logged(seeded: Database) -> None:
    ref = open_kenco(seeded, WEEKDAY_NIGHT)
    outcomes = deliver_due(seeded, settings(None, None), WEEKDAY_NIGHT)
    assert {o.result for o in outcomes} == {"failed"}
    errors = sorted(str(o.error) for o in outcomes)
    assert errors == [
        "no SMTP server configured (set DESKUI_SMTP_HOST)",
        "no pager webhook configured (set DESKUI_PAGER_WEBHOOK_URL)",
    ]
    failed = [b for b, m in page_log(seeded, ref, WEEKDAY_NIGHT) if m["page"] == "failed"]
    assert len(failed) == 2 and all("failed after 1 attempt:" in b for b in failed)


def test_bad_input(seeded: Database) -> None:
    with pytest.raises(TicketValidationError, match="unknown page status 'lost'"):
        list_pages(seeded, status="lost")
    ref = open_kenco(seeded, WEEKDAY_NOON)
    with pytest.raises(TicketStateError, match="no unacknowledged pages"):
        acknowledge_pages(Actor.of(seeded, "dpatel", at=WEEKDAY_NOON), ref)
    with pytest.raises(ValueError, match="aware"):
        deliver_due(seeded, Settings(), dt.datetime(2026, 11, 25, 4, 0))
