"""Closing the loop with the client: resolve with a logged reply, and record their feedback.

``contact_and_resolve`` is how the processes end a ticket ("the client is contacted with the
resolution … closed as resolved but kept"): a reply to the client (``email-out`` or
``call-out``, the reply service, so it meets the response clock if still open) then the
resolution, each its own logged action. Closing later keeps the ticket; a customer reply
within the reopen window reopens it (``deskui.services.tickets.lifecycle.reopen``).

``record_feedback`` keeps the client's 1–5 rating and comment on a resolved or closed ticket
(a ``feedback`` row and a ``feedback`` log entry ``{"score"}`` with the comment as its body).
"""

from __future__ import annotations

from deskui.domain.vocabulary import DONE_STATUSES, Direction, InteractionKind, Status
from deskui.services import tickets
from deskui.services.actor import Actor
from deskui.services.errors import TicketStateError, TicketValidationError
from deskui.services.tickets.unit_of_work import ticket_write
from deskui.store.models import Feedback

__all__ = ["SCORES", "contact_and_resolve", "parse_score", "record_feedback"]

SCORES = range(1, 6)


def contact_and_resolve(
    actor: Actor,
    ref: str,
    message: str,
    summary: str,
    *,
    kind: InteractionKind | str = InteractionKind.EMAIL_OUT,
    breach_reason: str | None = None,
) -> int:
    """Tell the client the resolution (a logged reply), then resolve; the new version.

    The reply is logged first and stays logged even if resolving is refused (a breached
    clock with no ``breach_reason``): the client was told either way.
    """
    # One instant for both entries, even on a running clock.
    actor = actor.at(actor.now())
    tickets.reply(actor, ref, kind, message)
    return tickets.resolve(actor, ref, summary, breach_reason=breach_reason)


def parse_score(value: int | str) -> int:
    """``value`` as a score 1–5; ``TicketValidationError`` on ``score`` otherwise."""
    try:
        score = int(str(value).strip())
    except ValueError:
        raise TicketValidationError(
            "score", f"{value!r} is not a whole number from 1 to 5"
        ) from None
    if score not in SCORES:
        raise TicketValidationError("score", f"{score} is not from 1 to 5")
    return score


def record_feedback(
    actor: Actor,
    ref: str,
    score: int | str,
    comment: str = "",
) -> int:
    """Record the client's rating of a resolved or closed ticket; the new version.

    ``by`` is the agent who took the feedback down (``None``: it came in by itself).
    """
    at = actor.now()
    rating = parse_score(score)
    text = (comment or "").strip()
    with ticket_write(actor, ref, at=at) as edit:
        session = edit.session
        ticket = edit.ticket
        status = Status(ticket.status)
        if status not in DONE_STATUSES:
            raise TicketStateError(
                f"{ticket.reference} is {status.value}: feedback is recorded once it is "
                "resolved or closed"
            )
        session.add(
            Feedback(
                ticket_id=ticket.id, contact_id=ticket.contact_id, score=rating, comment=text, at=at
            )
        )
        edit.log(
            InteractionKind.FEEDBACK,
            text,
            {"score": rating},
            author_name=ticket.requester_name or None,
            direction=Direction.IN,
        )
        return edit.finish("feedback", score=rating)
