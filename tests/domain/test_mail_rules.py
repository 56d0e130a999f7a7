"""The pure mail rules: which mail is never auto-answered, stated priorities, enhancements,
canned-reply placeholders and fuzzy ranking."""

from __future__ import annotations

import pytest

from deskui.domain.catalog.team_mail import TeamMailSpec
from deskui.domain.mail_rules import (
    fill_template,
    first_name,
    fuzzy_rank,
    is_enhancement,
    no_acknowledgement_reason,
    stated_priority,
)

SENDER = "colleen@maritime-health.example"


@pytest.mark.parametrize(
    ("headers", "sender", "silent"),
    [
        ({}, SENDER, False),
        ({"Auto-Submitted": "no"}, SENDER, False),
        ({"Auto-Submitted": "No; owner-email=x@y"}, SENDER, False),
        ({"Auto-Submitted": "auto-replied"}, SENDER, True),
        ({"Auto-Submitted": "auto-generated"}, SENDER, True),
        ({"Precedence": "bulk"}, SENDER, True),
        ({"Precedence": "List"}, SENDER, True),
        ({"Precedence": "first-class"}, SENDER, False),
        ({"X-Auto-Response-Suppress": "OOF, AutoReply"}, SENDER, True),
        ({"List-Id": "<news.example>"}, SENDER, True),
        ({}, "MAILER-DAEMON@mx.example", True),
        ({}, "postmaster@mx.example", True),
        ({}, "noreply@shop.example", True),
        ({}, "daemon.fan@example", False),
    ],
)
def test_no_acknowledgement_reason(headers: dict, sender: str, silent: bool) -> None:
    assert (no_acknowledgement_reason(headers, sender) is not None) is silent


WORDS = {"high": ("High", "Urgent"), "medium": ("Medium",), "low": ("Low",)}


@pytest.mark.parametrize(
    ("subject", "body", "expected"),
    [
        ("[High] Ensemble will not start", "", "high"),
        ("Re: [DSK-000001] [urgent] still down", "", "high"),
        ("Report header", "Hello\nPriority: low\nthanks", "low"),
        ("Report header", "priority :  Medium ", "medium"),
        ("High hopes", "no tag here", None),
        ("[Critical] down", "", None),
    ],
)
def test_stated_priority(subject: str, body: str, expected: str | None) -> None:
    assert stated_priority(subject, body, WORDS) == expected


def test_enhancements_by_address_or_tag() -> None:
    spec = TeamMailSpec(
        enhancement_addresses=("ideas@paritor.example",),
        enhancement_tags=("Enhancement", "Level 4"),
        enhancement_priority="level-4",
    )
    assert is_enhancement("Dark mode", ["IDEAS@paritor.example"], spec)
    assert is_enhancement("[level 4] dark mode", [], spec)
    assert not is_enhancement("Dark mode", ["support@paritor.example"], spec)


def test_enhancement_words_need_a_priority() -> None:
    with pytest.raises(ValueError, match="enhancement_priority"):
        TeamMailSpec(enhancement_tags=("Enhancement",))


def test_templates_fill_what_they_know_and_keep_the_rest() -> None:
    text = "Hello {first_name}, {reference} by {eta}. {unknown} {"
    assert fill_template("Hello {first_name}, {reference}", {"first_name": "Ann"}) == (
        "Hello Ann, {reference}"
    )
    assert fill_template(text, {"first_name": "Ann"}) == text  # a stray brace: as written
    assert first_name("  Colleen Doyle ") == "Colleen"
    assert first_name("") == "there"


def test_fuzzy_rank_prefers_word_starts_and_runs() -> None:
    names = ["Estimate from development", "Training issue answered", "Need more detail"]
    assert fuzzy_rank("trn ans", names)[0] == "Training issue answered"
    assert fuzzy_rank("est", names)[0] == "Estimate from development"
    assert fuzzy_rank("zzz", names) == []
    assert fuzzy_rank("", names) == names
