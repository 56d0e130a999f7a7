"""Client organisations, their contacts and their support contracts."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, field_validator, model_validator

from deskui.domain.catalog.fields import SPEC_CONFIG, Email, Handle, Slug, TimeZoneName, distinct
from deskui.domain.entitlement import active_on


class ContactSpec(BaseModel):
    """A person at the client; the time zone defaults to the organisation's."""

    model_config = SPEC_CONFIG

    name: str = Field(min_length=1)
    email: Email
    phone: str | None = None
    timezone: TimeZoneName | None = None
    # Free text such as "IT manager" or "administrative contact".
    role: str = ""


class ContractSpec(BaseModel):
    """Support entitlement: a policy and team for a date range, open to the liaisons only."""

    model_config = SPEC_CONFIG

    reference: str = ""
    policy: Slug
    team: Slug
    active_from: dt.date
    # Open-ended when left out.
    active_to: dt.date | None = None
    # Emails of the contacts allowed to raise tickets under this contract.
    liaisons: Annotated[tuple[Email, ...], AfterValidator(distinct)] = ()

    @model_validator(mode="after")
    def _dates(self) -> ContractSpec:
        if self.active_to is not None and self.active_to < self.active_from:
            raise ValueError(f"active_to {self.active_to} is before active_from {self.active_from}")
        return self

    def active_on(self, day: dt.date) -> bool:
        return active_on(self.active_from, self.active_to, day)


class OrganisationSpec(BaseModel):
    """A client organisation."""

    model_config = SPEC_CONFIG

    slug: Slug
    name: str = Field(min_length=1)
    timezone: TimeZoneName
    # The agent who ran this client's implementation; training questions go to them first.
    project_manager: Handle | None = None
    contacts: tuple[ContactSpec, ...] = ()
    contracts: tuple[ContractSpec, ...] = ()

    @field_validator("contacts")
    @classmethod
    def _unique_contacts(cls, contacts: tuple[ContactSpec, ...]) -> tuple[ContactSpec, ...]:
        distinct(tuple(c.email for c in contacts))
        return contacts

    def contact(self, email: str) -> ContactSpec | None:
        wanted = email.lower()
        return next((c for c in self.contacts if c.email == wanted), None)

    def contact_timezone(self, contact: ContactSpec) -> str:
        return contact.timezone or self.timezone

    def active_contracts(self, day: dt.date) -> tuple[ContractSpec, ...]:
        return tuple(c for c in self.contracts if c.active_on(day))
