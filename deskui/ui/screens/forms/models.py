"""What each ticket form accepts, as pydantic models: the checks a form can make before it asks
the database, with messages worded like the services' own.

Field names are the services' (``body``, ``reason``, ``summary``, ``breach_reason``, ``eta``,
…), so an error from either lands beside the same field. Context passed to ``model_validate``:
``zone`` (the agent's, for reading a typed ETA), ``now`` and ``breached`` (for the resolve form).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ValidationInfo, field_validator

ETA_FORMAT = "YYYY-MM-DD HH:MM"


def _required(what: str) -> AfterValidator:
    def check(value: str | None) -> str:
        text = (value or "").strip()
        if not text:
            raise ValueError(f"{what} is required")
        return text

    return AfterValidator(check)


def _chosen(what: str) -> BeforeValidator:
    def check(value: object) -> object:
        if value is None or value == "":
            raise ValueError(f"choose {what}")
        return value

    return BeforeValidator(check)


def _optional_text(value: str | None) -> str:
    return (value or "").strip()


OptionalText = Annotated[str, BeforeValidator(_optional_text)]


class AssignValues(BaseModel):
    assignee: Annotated[str, _chosen("who to assign it to")]


class ContactValues(BaseModel):
    kind: Annotated[str, _chosen("how they got in touch")]
    author_name: OptionalText = ""
    body: Annotated[str, _required("what the customer said")]


class ReplyValues(BaseModel):
    kind: Annotated[str, _chosen("how you replied")]
    body: Annotated[str, _required("what was said to the customer")]
    # An email's subject ("" : "[REF] Re: <the ticket's subject>").
    subject: OptionalText = ""


class RemoteSessionValues(BaseModel):
    body: Annotated[str, _required("what was done in the session")]
    minutes: int | None = None

    @field_validator("minutes", mode="before")
    @classmethod
    def _minutes(cls, value: object) -> int | None:
        text = str(value or "").strip()
        if not text:
            return None
        if not text.isdigit() or int(text) <= 0:
            raise ValueError("a whole number of minutes, at least 1")
        return int(text)


class NoteValues(BaseModel):
    body: Annotated[str, _required("the note")]


class PriorityValues(BaseModel):
    priority: Annotated[str, _chosen("the new priority")]
    reason: Annotated[str, _required("a reason for the change")]


class WaitingValues(BaseModel):
    note: OptionalText = ""


class EtaValues(BaseModel):
    """``eta`` typed in the agent's zone (or with an explicit UTC offset)."""

    eta: dt.datetime
    note: OptionalText = ""

    @field_validator("eta", mode="before")
    @classmethod
    def _read(cls, value: object, info: ValidationInfo) -> dt.datetime:
        text = str(value or "").strip()
        if not text:
            raise ValueError(f"the ETA is required ({ETA_FORMAT})")
        try:
            eta = dt.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"write the ETA as {ETA_FORMAT} (your time zone)") from None
        context = info.context or {}
        if eta.tzinfo is None:
            zone = context.get("zone")
            eta = eta.replace(tzinfo=zone if isinstance(zone, dt.tzinfo) else dt.UTC)
        now = context.get("now")
        if isinstance(now, dt.datetime) and eta <= now:
            raise ValueError("must be later than now")
        return eta


class ResolveValues(BaseModel):
    """A summary always; a breach reason when a clock was breached (context ``breached``);
    whether the summary is emailed to the client (``yes``/``no``)."""

    summary: Annotated[str, _required("a resolution summary")]
    breach_reason: OptionalText = ""
    tell_client: str | None = "no"

    @field_validator("breach_reason")
    @classmethod
    def _breach(cls, value: str, info: ValidationInfo) -> str:
        if not value and (info.context or {}).get("breached"):
            raise ValueError("the SLA was breached: give the reason for the breach")
        return value


class ReopenValues(BaseModel):
    reason: Annotated[str, _required("a reason for reopening")]
