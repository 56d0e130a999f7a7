"""The new-ticket form (``n`` on the queue): organisation by search, contact, team, product,
channel, category, both priorities with the policy's definitions beside them, subject, text.

It is an ``ActionForm``: checks first (``NewTicketValues``), errors beside the fields, the
write in a thread worker, nothing typed ever cleared (a refusal or the database being away
leaves every field as it was). What it adds is live: typing an organisation lists the
matches (and completes the name), choosing one fills its contacts and contract team, and the
entitlement line says which contract and policy apply and flags "no entitlement" or "not a
liaison" — shown, never blocking. The priority lists are the applicable policy's, and the
definitions of the chosen priorities are shown under them.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ValidationInfo, field_validator
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.suggester import SuggestFromList
from textual.widgets import Button, Footer, Input, Label, Select, Static

from deskui.domain.untrusted import one_line
from deskui.services.actor import Actor
from deskui.services.intake.form import (
    Entitlement,
    IntakeChoices,
    OrganisationFacts,
    entitlement,
    organisation_facts,
)
from deskui.services.intake.opening import open_ticket
from deskui.services.tickets.draft import TicketDraft
from deskui.services.tickets.views import TicketView
from deskui.ui.landing import land
from deskui.ui.screens.forms.base import ActionForm, FieldSpec

OTHER_CONTACT = "-"  # the contact choice for a caller who is not on file
MATCHES_SHOWN = 5


def _text(value: object) -> str:
    return str(value or "").strip()


def _chosen(what: str) -> BeforeValidator:
    def check(value: object) -> object:
        if value is None or value == "":
            raise ValueError(f"choose {what}")
        return value

    return BeforeValidator(check)


class NewTicketValues(BaseModel):
    """What the form accepts. Context ``organisations``: lower-cased slug or name → slug."""

    organisation: str | None = None
    contact_email: str | None = None
    requester_name: str = ""
    requester_email: str = ""
    team: Annotated[str, _chosen("the team that handles it")]
    product: str | None = None
    channel: Annotated[str, _chosen("how it came in")]
    category: Annotated[str, _chosen("what kind of issue it is")]
    requested_priority: str | None = None
    priority: Annotated[str, _chosen("the priority you assign")]
    subject: str
    description: str

    @field_validator("organisation", mode="before")
    @classmethod
    def _organisation(cls, value: object, info: ValidationInfo) -> str | None:
        text = _text(value)
        if not text:
            return None
        known: dict[str, str] = (info.context or {}).get("organisations", {})
        slug = known.get(text.lower())
        if slug is None:
            raise ValueError(f"no organisation matches {text!r}: pick one of the suggestions")
        return slug

    @field_validator("contact_email", "product", "requested_priority", mode="before")
    @classmethod
    def _optional_choice(cls, value: object) -> str | None:
        text = _text(value)
        return None if text in ("", OTHER_CONTACT) else text

    @field_validator("requester_name", mode="before")
    @classmethod
    def _trimmed(cls, value: object) -> str:
        return _text(value)

    @field_validator("requester_email", mode="before")
    @classmethod
    def _someone(cls, value: object, info: ValidationInfo) -> str:
        # Checked here (after contact and name) so the message lands beside these fields.
        text = _text(value)
        nobody = info.data.get("contact_email") is None and not info.data.get("requester_name")
        if nobody and not text:
            raise ValueError("choose a contact above, or type the caller's name or email")
        return text

    @field_validator("subject", mode="before")
    @classmethod
    def _subject(cls, value: object) -> str:
        text = _text(value)
        if not text:
            raise ValueError("a subject is required")
        return text

    @field_validator("description", mode="before")
    @classmethod
    def _description(cls, value: object) -> str:
        text = _text(value)
        if not text:
            raise ValueError("what the customer said is required")
        return text

    def draft(self) -> TicketDraft:
        return TicketDraft(
            team=self.team,
            subject=self.subject,
            channel=self.channel,
            category=self.category,
            description=self.description,
            organisation=self.organisation,
            contact_email=self.contact_email,
            requester_name=self.requester_name,
            requester_email=self.requester_email or None,
            product=self.product,
            requested_priority=self.requested_priority,
            priority=self.priority,
        )


def _fields(choices: IntakeChoices) -> list[FieldSpec]:
    def options(items: Any) -> tuple[tuple[str, str], ...]:
        return tuple((item.label, item.value) for item in items)

    return [
        FieldSpec("organisation", "Organisation", placeholder="type to search"),
        FieldSpec(
            "contact_email",
            "Contact",
            "select",
            options=((("Someone not on file (type below)", OTHER_CONTACT),)),
            value=OTHER_CONTACT,
        ),
        FieldSpec("requester_name", "Caller's name (not on file)"),
        FieldSpec("requester_email", "Caller's email (not on file)"),
        FieldSpec("team", "Team", "select", options=options(choices.teams), required=True),
        FieldSpec("product", "Product", "select", options=options(choices.products)),
        FieldSpec("channel", "Channel", "select", options=options(choices.channels), required=True),
        FieldSpec(
            "category", "Category", "select", options=options(choices.categories), required=True
        ),
        FieldSpec("requested_priority", "Priority the customer asked for", "select"),
        FieldSpec("priority", "Priority you assign", "select", required=True),
        FieldSpec("subject", "Subject", required=True),
        FieldSpec("description", "What the customer said", "text", required=True),
    ]


class NewTicketForm(ActionForm[NewTicketValues]):
    """``n`` on the queue. After saving, ``opened`` is the new ticket."""

    DEFAULT_CSS: ClassVar[str] = """
    NewTicketForm #dialog { width: 96; }
    NewTicketForm .field-label { margin-top: 0; color: $text-muted; }
    NewTicketForm TextArea { height: 4; }
    NewTicketForm .intake-note { color: $text-muted; }
    NewTicketForm #entitlement.-flagged { color: $warning; text-style: bold; }
    """

    def __init__(self, actor: Actor, choices: IntakeChoices) -> None:
        self.actor = actor
        self.choices = choices
        known: dict[str, str] = {}
        for item in choices.organisations:
            known[item.value.lower()] = item.value
            known[item.label.lower()] = item.value
        # Kept typed here too: the form's context (what validation sees) is untyped.
        self.known_organisations = known
        self.opened: TicketView | None = None
        self.facts: OrganisationFacts | None = None
        self.entitlement: Entitlement | None = None
        super().__init__(
            "New ticket",
            _fields(choices),
            NewTicketValues,
            self._open,
            context={"organisations": known},
            intro="Entitlement is checked as you type; it never stops a ticket being logged.",
            submit_label="Open ticket",
            id="new-ticket",
        )

    # ------------------------------------------------------------------ layout
    _NOTES: ClassVar[dict[str, str]] = {
        "organisation": "org-matches",
        "team": "entitlement",
        "priority": "priority-help",
    }

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            with VerticalScroll(id="fields"):
                yield Static(Content(self.form_title), classes="form-title")
                yield Static("", id="draft-note")
                yield Static(Content(str(self.intro)), classes="form-intro")
                for spec in self.fields:
                    marker = " *" if spec.required else ""
                    yield Label(Content(spec.label + marker), classes="field-label")
                    yield self._widget(spec)
                    yield Static("", id=f"error-{spec.name}", classes="field-error")
                    note = self._NOTES.get(spec.name)
                    if note is not None:
                        yield Static("", id=note, classes="intake-note")
                yield Static("", id="form-error")
            with Horizontal(classes="form-buttons"):
                yield Button(self.submit_label, id="save", variant="primary")
                yield Button("Cancel", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        # Twelve fields: one line each (no borders) so most of the form fits on 80×24.
        for widget in self.query(Input):
            widget.compact = True
        for choice in self.query(Select):
            choice.compact = True
        names = [item.label for item in self.choices.organisations]
        self.query_one("#field-organisation", Input).suggester = SuggestFromList(
            names, case_sensitive=False
        )

    # ------------------------------------------------------------------ the write
    def _open(self, values: NewTicketValues, _version: int | None) -> None:
        # Routed, and acknowledged by mail if it came from the web (queued in the outbox).
        self.opened = open_ticket(self.actor, values.draft(), route=True, acknowledge=True)

    # ------------------------------------------------------------------ live help
    def _matches(self, text: str) -> list[tuple[str, str]]:
        wanted = text.strip().lower()
        if not wanted:
            return []
        return [
            (item.value, item.label)
            for item in self.choices.organisations
            if wanted in item.label.lower() or wanted in item.value
        ]

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "field-organisation":
            return
        event.stop()
        matches = self._matches(event.value)
        note = self.query_one("#org-matches", Static)
        if not event.value.strip():
            note.update("")
        elif not matches:
            note.update(Content("No organisation matches: the ticket can still be logged."))
        else:
            shown = ", ".join(
                f"{one_line(label)} ({slug})" for slug, label in matches[:MATCHES_SHOWN]
            )
            more = (
                f" and {len(matches) - MATCHES_SHOWN} more" if len(matches) > MATCHES_SHOWN else ""
            )
            note.update(Content(f"Matches: {shown}{more}"))
        slug = self.known_organisations.get(event.value.strip().lower())
        if slug is None and len(matches) == 1 and event.value.strip().lower() == matches[0][0]:
            slug = matches[0][0]
        if slug is not None and (self.facts is None or self.facts.slug != slug):
            self._load_organisation(slug)
        elif slug is None and self.facts is not None:
            self.facts = None
            self._set_contacts(None)
            self._check_entitlement()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "field-organisation":
            # Enter takes the first match and moves on, rather than saving a half-filled form.
            event.stop()
            matches = self._matches(event.value)
            if matches and self.known_organisations.get(event.value.strip().lower()) is None:
                event.input.value = matches[0][1]
            self.query_one("#field-contact_email", Select).focus()
            return
        super().on_input_submitted(event)

    def on_select_changed(self, event: Select.Changed) -> None:
        name = (event.select.id or "").removeprefix("field-")
        if name == "team":
            self._offer_team_products(event.value)
        if name in ("team", "contact_email"):
            self._check_entitlement()
        elif name in ("priority", "requested_priority"):
            self._show_definitions()

    def _offer_team_products(self, team: object) -> None:
        """Only the chosen team's products (all of them while no team is chosen); a product
        already chosen stays when the new team has it too."""
        offered = (
            self.choices.products
            if team is Select.NULL
            else self.choices.team_products.get(str(team), ())
        )
        select = self.query_one("#field-product", Select)
        chosen = select.value
        select.set_options([(Content(item.label), item.value) for item in offered])
        if chosen is not Select.NULL and chosen in {item.value for item in offered}:
            select.value = chosen

    @work(thread=True, exclusive=True, group="intake-organisation")
    def _load_organisation(self, slug: str) -> None:
        try:
            facts = organisation_facts(self.actor.database, slug, now=self.actor.now())
        except Exception as exc:  # the database is away: say so, keep everything typed
            land(self, self.show_error, None, f"Could not look it up: {exc}")
            return
        land(self, self._organisation_loaded, facts)

    def _organisation_loaded(self, facts: OrganisationFacts | None) -> None:
        self.facts = facts
        self._set_contacts(facts)
        team = self.query_one("#field-team", Select)
        if facts is not None and len(facts.contract_teams) == 1 and team.value is Select.NULL:
            team.value = facts.contract_teams[0]
        self._check_entitlement()

    def _set_contacts(self, facts: OrganisationFacts | None) -> None:
        select = self.query_one("#field-contact_email", Select)
        current = select.value
        options: list[tuple[Content, str]] = []
        if facts is not None:
            for contact in facts.contacts:
                role = f", {contact.role}" if contact.role else ""
                options.append((Content(f"{contact.name} <{contact.email}>{role}"), contact.email))
        options.append((Content("Someone not on file (type below)"), OTHER_CONTACT))
        select.set_options(options)
        values = [value for _, value in options]
        # A contact still chosen stays; otherwise the organisation's first contact.
        keep = current in values and current != OTHER_CONTACT
        select.value = current if keep else values[0]

    def _selected(self, name: str) -> str | None:
        value = self.query_one(f"#field-{name}", Select).value
        return None if value is Select.NULL else str(value)

    def _check_entitlement(self) -> None:
        team = self._selected("team")
        contact = self._selected("contact_email")
        organisation = self.facts.slug if self.facts is not None else None
        if team is None:
            self.query_one("#entitlement", Static).update(
                Content("Choose the team to see the contract and priorities.")
            )
            return
        self._load_entitlement(organisation, team, None if contact == OTHER_CONTACT else contact)

    @work(thread=True, exclusive=True, group="intake-entitlement")
    def _load_entitlement(self, organisation: str | None, team: str, contact: str | None) -> None:
        try:
            found = entitlement(
                self.actor.database, organisation, team, contact, now=self.actor.now()
            )
        except Exception as exc:
            land(self, self.show_error, None, f"Could not look it up: {exc}")
            return
        land(self, self._entitlement_loaded, found)

    def _entitlement_loaded(self, found: Entitlement | None) -> None:
        self.entitlement = found
        line = self.query_one("#entitlement", Static)
        if found is None:
            line.update("")
            return
        contract = f"contract {found.contract}" if found.contract else "no active contract"
        text = f"{contract} · policy {found.policy}"
        if found.flags:
            text += " · ⚑ " + ", ".join(found.flags)
        line.update(Content(text))
        line.set_class(bool(found.flags), "-flagged")
        options = [(Content(f"{p.label} ({p.slug})"), p.slug) for p in found.priorities]
        for name in ("requested_priority", "priority"):
            select = self.query_one(f"#field-{name}", Select)
            current = select.value
            select.set_options(options)
            if current in [slug for _, slug in options]:
                select.value = current
            elif name == "priority" and found.default_priority is not None:
                select.value = found.default_priority
        self._show_definitions()

    def _show_definitions(self) -> None:
        help_box = self.query_one("#priority-help", Static)
        if self.entitlement is None:
            help_box.update("")
            return
        chosen = {self._selected("requested_priority"), self._selected("priority")}
        lines = []
        for priority in self.entitlement.priorities:
            marker = "▶ " if priority.slug in chosen else "  "
            definition = one_line(priority.definition) or "(no definition)"
            lines.append(f"{marker}{priority.label}: {definition}")
        help_box.update(Content("\n".join(lines)))
