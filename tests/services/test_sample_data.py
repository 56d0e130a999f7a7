"""The sample-data loader: the shipped directory loads clean with the agreed names, and
broken copies (made in tmp dirs) give one ``FILE:LINE: FIELD: REASON`` line per problem,
all problems at once."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from deskui.domain.catalog.errors import Problem, SampleDataError
from deskui.services.catalog.load import (
    Catalog,
    load_catalog_from_directory,
)
from deskui.services.catalog.sample_files import read_yaml

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"

CALENDARS = {
    "itworks-et",
    "velsoft-halifax",
    "keystone-england",
    "kenco-24x7",
    "kenco-business",
    "paritor-uk",
}
POLICIES = {"itworks-standard", "velsoft-support", "keystone-sla", "kenco-wes", "paritor-ensemble"}
TEAM_CALENDARS = {
    "kenco": "kenco-business",
    "itworks": "itworks-et",
    "keystone": "keystone-england",
    "velsoft": "velsoft-halifax",
    "paritor": "paritor-uk",
}
LINE = re.compile(r"^(?P<file>[^:]+\.yaml):(?P<line>\d+): (?P<field>\S+): (?P<reason>.+)$")


# ---- helpers -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> Catalog:
    return load_catalog_from_directory(SAMPLE_DATA)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A private copy of the shipped sample data to break."""
    target = tmp_path / "sample_data"
    target.mkdir()
    for source in SAMPLE_DATA.glob("*.yaml"):
        shutil.copy(source, target / source.name)
    return target


def edit(path: Path, old: str, new: str) -> int:
    """Replace the one occurrence of ``old`` with ``new``; return the line ``new`` starts on.

    Fails if ``old`` is not there exactly once, so a change to the sample cannot turn a test
    into one that breaks nothing.
    """
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path.name}"
    start = text.index(old)
    path.write_text(text[:start] + new + text[start + len(old) :])
    return text[:start].count("\n") + 1


def line_of(path: Path, needle: str) -> int:
    text = path.read_text()
    assert text.count(needle) == 1, f"{needle!r} occurs {text.count(needle)} times"
    return text[: text.index(needle)].count("\n") + 1


def index_of(path: Path, section: str, key: str, name: str) -> int:
    entries = yaml.safe_load(path.read_text())[section]
    return next(i for i, entry in enumerate(entries) if entry.get(key) == name)


def problems(directory: Path) -> list[str]:
    with pytest.raises(SampleDataError) as caught:
        load_catalog_from_directory(directory)
    lines = str(caught.value).splitlines()
    assert len(lines) == len(caught.value.problems)
    return lines


def only(lines: list[str]) -> str:
    assert len(lines) == 1, "\n".join(lines)
    return lines[0]


# ---- the shipped sample ------------------------------------------------------------------


def test_shipped_sample_loads_with_the_agreed_names(shipped: Catalog) -> None:
    assert set(shipped.calendars) == CALENDARS
    assert set(shipped.policies) == POLICIES
    assert {slug: team.calendar for slug, team in shipped.teams.items()} == TEAM_CALENDARS
    assert shipped.desk.reference_prefix == "DSK"


def test_every_priority_states_a_resolution_target(shipped: Catalog) -> None:
    for policy in shipped.policies.values():
        for priority in policy.priorities:
            assert "resolution" in priority.targets, (policy.name, priority.slug)


def test_shipped_products_and_teams(shipped: Catalog) -> None:
    assert {"kenco-wes", "khaos-control", "velsoft-elearning", "paritor-ensemble"} <= set(
        shipped.products
    )
    itworks = {slug for slug, p in shipped.products.items() if p.team == "itworks"}
    assert itworks == {"itworks-admissions", "itworks-finance", "itworks-student-records"}
    for product in shipped.products.values():
        assert product.team in shipped.teams


def test_shipped_organisations_cover_every_desk_with_contracts(shipped: Catalog) -> None:
    today = dt.date(2026, 11, 23)
    per_team: dict[str, int] = {}
    expired = 0
    non_liaisons = 0
    zones = set()
    for org in shipped.organisations.values():
        teams = {c.team for c in org.contracts}
        assert len(teams) == 1, org.slug
        team = teams.pop()
        per_team[team] = per_team.get(team, 0) + 1
        expired += sum(1 for c in org.contracts if c.active_to and c.active_to < today)
        liaisons = {mail for c in org.contracts for mail in c.liaisons}
        non_liaisons += sum(1 for c in org.contacts if c.email not in liaisons)
        zones |= {org.timezone} | {c.timezone for c in org.contacts if c.timezone}
        for contract in org.contracts:
            assert shipped.teams[contract.team].policy == contract.policy
    assert set(per_team) == set(TEAM_CALENDARS)
    assert all(2 <= count <= 3 for count in per_team.values()), per_team
    assert expired >= 1
    assert non_liaisons >= 1
    desk_zones = {shipped.calendars[c].timezone for c in TEAM_CALENDARS.values()}
    assert zones - desk_zones, "some customers should be in another zone than their desk"
    northwind = shipped.organisations["northwind-logistics"]
    assert northwind.active_contracts(today) == ()


def test_shipped_agents(shipped: Catalog) -> None:
    agents = shipped.agents
    assert 15 <= len(agents) <= 20
    titles = {a.title: a for a in agents.values()}
    for title in ("Manager of Software Development", "VP Technology"):
        assert "approver" in titles[title].roles
        assert titles[title].teams == ("kenco",)
    assert "training" in titles["Training Specialist"].skills.categories
    assert sum(a.title == "Project Manager" for a in agents.values()) >= 2
    assert any("admin" in a.roles for a in agents.values())
    for team in TEAM_CALENDARS:
        members = [a for a in agents.values() if team in a.teams]
        assert any("supervisor" in a.roles for a in members), team
    assert all(a.ssh_keys == () for a in agents.values())
    for org in shipped.organisations.values():
        if org.project_manager:
            assert agents[org.project_manager].title == "Project Manager"


def test_shipped_itworks_triage_and_modification_steps(shipped: Catalog) -> None:
    checklist = shipped.checklist_for("itworks-standard", "itworks")
    assert checklist is not None
    assert list(checklist.steps) == ["1", "2", "3", "4", "5"]
    assert list(checklist.steps["5"].substeps) == ["5a", "5b", "5c"]
    outcomes = checklist.outcomes()
    assert {o.reclassify for o in outcomes} >= {"training", "change-request"}
    assert "modification" in {o.start for o in outcomes}
    steps = shipped.modification_steps_for("itworks-standard", "itworks")
    assert steps is not None
    assert list(steps.steps) == [str(n) for n in range(1, 8)]
    assert {s.records for s in steps.steps.values()} >= {"eta", "release"}
    for team, calendar in TEAM_CALENDARS.items():
        policy = shipped.teams[team].policy
        assert shipped.checklist_for(policy, team) is not None, (team, calendar)


def test_shipped_routing_follows_issue_5(shipped: Catalog) -> None:
    def rule(team: str, category: str, *, entitled: bool = True) -> str:
        for candidate in shipped.routing_rules:
            if candidate.matches(team, category, entitled=entitled):
                return candidate.strategy
        raise AssertionError(f"no rule for {team} {category}")

    assert rule("itworks", "training") == "project-manager-then-skill"
    assert rule("itworks", "technical") == "least-loaded-product-specialist"
    assert rule("itworks", "change-request") == "approvers-queue"
    assert rule("itworks", "enhancement") == "approvers-queue"
    assert rule("kenco", "change-request") == "approvers-queue"
    for team in TEAM_CALENDARS:
        assert rule(team, "technical", entitled=False) == "supervisor"
        assert rule(team, "technical") != "supervisor"


def test_shipped_kenco_rotation(shipped: Catalog) -> None:
    rotation = shipped.rotation_for("kenco")
    assert rotation is not None
    assert len(rotation.agents) >= 2
    assert {o.kind for o in rotation.overrides} == {"holiday", "swap"}
    assert (
        rotation.escalation.secondary_after_minutes < rotation.escalation.supervisor_after_minutes
    )


# ---- broken copies: one problem each -----------------------------------------------------


def test_bad_yaml_syntax_names_file_and_line(copy: Path) -> None:
    teams = copy / "teams.yaml"
    line = edit(teams, "  - slug: velsoft\n", "  - slug: velsoft\n    name: [unclosed\n")
    message = only(problems(copy))
    assert message.startswith(f"{teams}:")
    reported = int(message.split(":")[1])
    assert line <= reported <= line + 2
    assert "not valid YAML" in message


def test_bad_yaml_does_not_hide_problems_in_other_files(copy: Path) -> None:
    edit(copy / "teams.yaml", "  - slug: velsoft\n", "  - slug: velsoft\n\tname: tab\n")
    zone = edit(copy / "agents.yaml", "timezone: America/Chicago", "timezone: Chicago")
    lines = problems(copy)
    assert len(lines) == 2, lines
    assert any("teams.yaml:" in m and "not valid YAML" in m for m in lines)
    assert any(m.startswith(f"{copy / 'agents.yaml'}:{zone}:") for m in lines)
    # Teams could not be read, so nothing is reported as naming an unknown team.
    assert not any("unknown team" in m for m in lines)


def test_unknown_calendar_in_a_policy(copy: Path) -> None:
    policies = copy / "policies.yaml"
    index = index_of(policies, "policies", "name", "itworks-standard")
    line = edit(policies, "calendar: itworks-et\n", "calendar: itworks-eastern\n")
    assert only(problems(copy)) == (
        f"{policies}:{line}: policies[{index}].calendar: unknown calendar 'itworks-eastern' "
        "(known: " + ", ".join(sorted(CALENDARS)) + ")"
    )


def test_unknown_calendar_in_an_on_calendar_target(copy: Path) -> None:
    policies = copy / "policies.yaml"
    index = index_of(policies, "policies", "name", "kenco-wes")
    priorities = yaml.safe_load(policies.read_text())["policies"][index]["priorities"]
    p_index = next(i for i, p in enumerate(priorities) if p["slug"] == "software-error")
    old = (
        "          response: 1h on kenco-24x7\n"
        "          resolution: negotiated\n"
        "      - slug: training"
    )
    line = edit(policies, old, old.replace("on kenco-24x7", "on kenco-247"))
    message = only(problems(copy))
    assert message.startswith(
        f"{policies}:{line}: policies[{index}].priorities[{p_index}].targets.response: "
        "unknown calendar 'kenco-247'"
    )


def test_priority_missing_its_resolution_target(copy: Path) -> None:
    policies = copy / "policies.yaml"
    index = index_of(policies, "policies", "name", "velsoft-support")
    old = "          acknowledgement: 2h\n          response: 4h\n          resolution: 1d\n"
    targets_line = (
        edit(policies, old, "          acknowledgement: 2h\n          response: 4h\n") - 1
    )
    assert policies.read_text().splitlines()[targets_line - 1].strip() == "targets:"
    message = only(problems(copy))
    assert message.startswith(
        f"{policies}:{targets_line}: policies[{index}].priorities[0].targets: resolution is missing"
    )
    assert "priority missing a target" in message


def test_explicit_none_and_negotiated_resolutions_are_fine(copy: Path) -> None:
    policies = copy / "policies.yaml"
    edit(
        policies,
        "          response: 4h\n          resolution: 1d\n",
        "          response: 4h\n          resolution: none\n",
    )
    catalog = load_catalog_from_directory(copy)
    high = catalog.policies["velsoft-support"].priorities[0]
    assert high.targets["resolution"] is None


def test_liaison_who_is_not_a_contact(copy: Path) -> None:
    orgs = copy / "organisations.yaml"
    index = index_of(orgs, "organisations", "slug", "pacific-state-college")
    line = edit(
        orgs,
        "        liaisons: [linda.tran@pacific-state.example]\n",
        "        liaisons:\n          - linda.tran@pacific-state.example\n"
        "          - Stranger@Pacific-State.example\n",
    )
    assert only(problems(copy)) == (
        f"{orgs}:{line + 2}: organisations[{index}].contracts[0].liaisons[1]: liaison "
        "'stranger@pacific-state.example' is not a contact of organisation "
        "'pacific-state-college'"
    )


def test_bad_time_zone(copy: Path) -> None:
    orgs = copy / "organisations.yaml"
    index = index_of(orgs, "organisations", "slug", "prairie-safety-institute")
    line = edit(orgs, "timezone: America/Winnipeg", "timezone: America/Winipeg")
    assert only(problems(copy)) == (
        f"{orgs}:{line}: organisations[{index}].timezone: 'America/Winipeg' is not an IANA "
        "time zone (like 'Europe/London')"
    )


def test_unknown_key_lists_the_allowed_ones(copy: Path) -> None:
    agents = copy / "agents.yaml"
    index = index_of(agents, "agents", "handle", "mbrennan")
    line = (
        edit(
            agents,
            "    title: Training Specialist\n",
            "    title: Training Specialist\n    colour: blue\n",
        )
        + 1
    )
    message = only(problems(copy))
    assert message.startswith(f"{agents}:{line}: agents[{index}].colour: unknown key 'colour'")
    assert "allowed here: handle, name, email" in message


def test_unknown_nested_key_lists_that_models_keys(copy: Path) -> None:
    oncall = copy / "oncall.yaml"
    line = edit(oncall, "      secondary_after_minutes: 15\n", "      secondary_after_minute: 15\n")
    message = only(problems(copy))
    assert message.startswith(
        f"{oncall}:{line}: oncall_rotations[0].escalation.secondary_after_minute: unknown key"
    )
    assert "allowed here: secondary_after_minutes, supervisor_after_minutes" in message


def test_unknown_top_level_section(copy: Path) -> None:
    extra = copy / "extras.yaml"
    extra.write_text("# extra\nqueues:\n  - name: x\n")
    assert only(problems(copy)).startswith(f"{extra}:2: queues: unknown section 'queues'")


def test_missing_field_points_at_its_mapping(copy: Path) -> None:
    agents = copy / "agents.yaml"
    index = index_of(agents, "agents", "handle", "jleblanc")
    line = edit(
        agents, "  - handle: jleblanc\n    name: Jacques LeBlanc\n", "  - handle: jleblanc\n"
    )
    assert only(problems(copy)) == f"{agents}:{line}: agents[{index}]: name is missing"


def test_unquoted_time_of_day_says_to_quote_it(copy: Path) -> None:
    oncall = copy / "oncall.yaml"
    line = edit(oncall, 'time: "09:00"', "time: 17:00")
    assert only(problems(copy)) == (
        f"{oncall}:{line}: oncall_rotations[0].handover.time: write times of day in quotes, "
        "like '17:00'"
    )


def test_key_given_twice(copy: Path) -> None:
    products = copy / "products.yaml"
    line = edit(products, "    team: velsoft\n", "    team: velsoft\n    team: paritor\n") + 1
    assert only(problems(copy)).startswith(f"{products}:{line}: products[")
    assert f"key given twice (first on line {line - 1})" in only(problems(copy))


def test_name_defined_twice(copy: Path) -> None:
    teams = copy / "teams.yaml"
    line = edit(
        teams,
        "  - slug: paritor\n",
        "  - slug: velsoft\n    name: Velsoft again\n    calendar: velsoft-halifax\n"
        "    policy: velsoft-support\n  - slug: paritor\n",
    )
    message = only(problems(copy))
    assert message == (
        f"{teams}:{line}: teams[4].slug: team 'velsoft' is defined twice (first at teams[3])"
    )


# ---- cross-references --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "old", "new", "field", "reason"),
    [
        (
            "teams.yaml",
            "calendar: paritor-uk",
            "calendar: paritor-england",
            "teams[4].calendar",
            "unknown calendar 'paritor-england'",
        ),
        (
            "teams.yaml",
            "policy: paritor-ensemble",
            "policy: paritor",
            "teams[4].policy",
            "unknown policy 'paritor'",
        ),
        (
            "products.yaml",
            "team: keystone",
            "team: khaos",
            "products[4].team",
            "unknown team 'khaos'",
        ),
        (
            "organisations.yaml",
            "project_manager: pgreene",
            "project_manager: pgreen",
            "organisations[4].project_manager",
            "unknown agent 'pgreen'",
        ),
        (
            "organisations.yaml",
            "policy: keystone-sla\n        team: keystone\n        active_from: 2024",
            "policy: keystone\n        team: keystone\n        active_from: 2024",
            "organisations[6].contracts[0].policy",
            "unknown policy 'keystone'",
        ),
        (
            "agents.yaml",
            "skills: {products: [khaos-control], categories: [technical, change",
            "skills: {products: [khaos], categories: [technical, change",
            "agents[11].skills.products[0]",
            "unknown product 'khaos'",
        ),
        (
            "agents.yaml",
            "teams: [kenco, itworks, keystone, velsoft, paritor]",
            "teams: [kenco, itworks, keystone, velsoft, paritr]",
            "agents[16].teams[4]",
            "unknown team 'paritr'",
        ),
        (
            "routing.yaml",
            "fallback: {agent: mbrennan}",
            "fallback: {agent: mbrenan}",
            "routing_rules[5].fallback.agent",
            "unknown agent 'mbrenan'",
        ),
        (
            "routing.yaml",
            "fallback: {agent: ehughes}",
            "fallback: {agent: gharris}",
            "routing_rules[16].fallback.agent",
            "agent 'gharris' is not in team 'paritor'",
        ),
        (
            "routing.yaml",
            "  - team: velsoft\n    strategy: least",
            "  - team: velsfot\n    strategy: least",
            "routing_rules[14].team",
            "unknown team 'velsfot'",
        ),
        (
            "oncall.yaml",
            "agents: [dpatel, lchen, jmorales]",
            "agents: [dpatel, lchen, owilliams]",
            "oncall_rotations[0].agents[2]",
            "agent 'owilliams' is not in team 'kenco'",
        ),
        (
            "oncall.yaml",
            "primary: lchen",
            "primary: lchan",
            "oncall_rotations[0].overrides[0].primary",
            "unknown agent 'lchan'",
        ),
        (
            "triage.yaml",
            "  - slug: velsoft-triage\n    policy: velsoft-support",
            "  - slug: velsoft-triage\n    policy: velsoft",
            "triage_checklists[3].policy",
            "unknown policy 'velsoft'",
        ),
    ],
)
def test_cross_reference_problems(
    copy: Path, file: str, old: str, new: str, field: str, reason: str
) -> None:
    path = copy / file
    value = reason.split("'")[1]
    # The line of the offending value inside the replacement text.
    at = re.search(rf"(?<![\w-]){re.escape(value)}(?![\w-])", new)
    assert at, value
    line = edit(path, old, new) + new[: at.start()].count("\n")
    message = only(problems(copy))
    match = LINE.match(message)
    assert match, message
    assert (match["file"], int(match["line"])) == (str(path), line)
    assert match["field"] == field
    assert match["reason"].startswith(reason)


def test_modification_outcome_needs_modification_steps(copy: Path) -> None:
    triage = copy / "triage.yaml"
    edit(
        triage,
        "  - slug: itworks-modification\n    policy: itworks-standard\n",
        "  - slug: itworks-modification\n    team: itworks\n",
    )
    message = only(problems(copy))
    assert "triage_checklists[0].steps: an outcome starts the modification steps" in message


def test_every_problem_is_listed_sorted_by_file_and_line(copy: Path) -> None:
    expected = {
        (
            copy / "policies.yaml",
            edit(copy / "policies.yaml", "calendar: itworks-et\n", "calendar: nowhere\n"),
        ),
        (
            copy / "organisations.yaml",
            edit(copy / "organisations.yaml", "timezone: America/Winnipeg", "timezone: Mars/Base"),
        ),
        (
            copy / "agents.yaml",
            edit(copy / "agents.yaml", "roles: [admin, supervisor]", "roles: [admin, overlord]"),
        ),
        (
            copy / "routing.yaml",
            edit(copy / "routing.yaml", "fallback: {agent: mbrennan}", "fallback: {agent: nobody}"),
        ),
        (
            copy / "desk.yaml",
            edit(copy / "desk.yaml", "reference_prefix: DSK", "reference_prefix: dsk"),
        ),
    }
    lines = problems(copy)
    found = set()
    for message in lines:
        match = LINE.match(message)
        assert match, message
        found.add((Path(match["file"]), int(match["line"])))
    assert found == expected
    keys = [(m.split(":")[0], int(m.split(":")[1])) for m in lines]
    assert keys == sorted(keys)


def test_missing_desk_section(copy: Path) -> None:
    (copy / "desk.yaml").unlink()
    assert only(problems(copy)) == f"{copy}: desk: missing: no file defines it"


def test_section_in_two_files(copy: Path) -> None:
    extra = copy / "more_teams.yaml"
    extra.write_text("teams: []\n")
    # Files are read in name order: the second one to hold the section is reported.
    assert only(problems(copy)) == (
        f"{copy / 'teams.yaml'}:{line_of(copy / 'teams.yaml', 'teams:')}: teams: section "
        f"'teams' is already in {extra}; keep one of them"
    )


def test_not_a_directory(tmp_path: Path) -> None:
    assert only(problems(tmp_path / "absent")) == f"{tmp_path / 'absent'}: not a directory"


# ---- the line-keeping reader -------------------------------------------------------------


def test_reader_keeps_lines_keys_as_text_and_merges(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(
        "base: &base\n  a: 1\nsteps:\n  1: one\n  on: two\nlist:\n  - <<: *base\n    b: 2\n"
    )
    document, found = read_yaml(path, "x.yaml")
    assert found == []
    assert document is not None
    assert document.data == {
        "base": {"a": 1},
        "steps": {"1": "one", "on": "two"},
        "list": [{"a": 1, "b": 2}],
    }
    assert document.lines[("steps", "1")] == 4
    assert document.lines[("list", 0)] == 7
    assert document.lines[("list", 0, "b")] == 8
    assert document.line_of(("steps", "missing", 3)) == 3


def test_reader_refuses_recursive_aliases(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("a: &x\n  - *x\n")
    _, found = read_yaml(path, "x.yaml")
    assert [p.reason for p in found] == ["an alias refers to itself"]


def test_problem_format_without_line_or_field() -> None:
    assert str(Problem("d", None, (), "not a directory")) == "d: not a directory"
    assert str(Problem("f.yaml", 3, ("a", 0, "b"), "bad")) == "f.yaml:3: a[0].b: bad"


def test_contact_email_shared_by_two_organisations(copy: Path) -> None:
    orgs = copy / "organisations.yaml"
    index = index_of(orgs, "organisations", "slug", "glenbrook-academy")
    line = edit(
        orgs,
        "        email: f.grant@glenbrook-academy.example\n",
        "        email: r.hale@oakfield-music.example\n",
    )
    messages = problems(copy)
    assert messages[0] == (
        f"{orgs}:{line}: organisations[{index}].contacts[0].email: "
        "'r.hale@oakfield-music.example' is already a contact of organisation "
        "'oakfield-music-service'"
    )
    # Glenbrook's liaisons now name an address that is not among its contacts.
    assert all("is not a contact of organisation 'glenbrook-academy'" in m for m in messages[1:])


@pytest.mark.parametrize(
    ("file", "old", "new", "field", "reason"),
    [
        (
            "triage.yaml",
            "      5:\n        text: Is it data related?",
            "      6:\n        text: Is it data related?",
            "triage_checklists[0].steps",
            "steps must be numbered 1, 2, 3, 4, 5 in order",
        ),
        (
            "triage.yaml",
            "          5b:\n",
            "          5d:\n",
            "triage_checklists[0].steps",
            "sub-steps of step 5 must be 5a, 5b, 5c in order",
        ),
        (
            "triage.yaml",
            "          - when: the client's hardware or network is at fault\n"
            "            reclassify: hardware-network\n",
            "          - when: the client's hardware or network is at fault\n",
            "triage_checklists[0].steps.2.outcomes[0]",
            "an outcome needs reclassify or start",
        ),
        (
            "triage.yaml",
            "            reclassify: training\n            note: Goes",
            "            reclassify: trainng\n            note: Goes",
            "triage_checklists[0].steps.1.outcomes[0].reclassify",
            "input should be 'technical'",
        ),
        (
            "triage.yaml",
            "    policy: itworks-standard\n    title: IT Works technical triage",
            "    policy: itworks-standard\n    team: itworks\n    title: IT Works technical triage",
            "triage_checklists[0]",
            "give exactly one of policy or team",
        ),
        (
            "oncall.yaml",
            "starts: 2026-01-05",
            "starts: 2026-01-06",
            "oncall_rotations[0]",
            "starts 2026-01-06 is a tue, not the handover weekday mon",
        ),
        (
            "oncall.yaml",
            "supervisor_after_minutes: 30",
            "supervisor_after_minutes: 10",
            "oncall_rotations[0].escalation",
            "supervisor_after_minutes must be later",
        ),
        (
            "oncall.yaml",
            "end: 2026-11-30 09:00",
            "end: 2026-11-20 09:00",
            "oncall_rotations[0].overrides[0]",
            "end must be after start",
        ),
        (
            "organisations.yaml",
            "active_to: 2025-03-31",
            "active_to: 2023-03-31",
            "organisations[2].contracts[0]",
            "active_to 2023-03-31 is before active_from",
        ),
        (
            "organisations.yaml",
            "email: kevin.park@northwind-logistics.example",
            "email: kevin.park-at-northwind",
            "organisations[2].contacts[0].email",
            "'kevin.park-at-northwind' is not an email",
        ),
        (
            "agents.yaml",
            "roles: [agent, supervisor, approver]\n    teams: [itworks]",
            "roles: [agent, supervisor, agent]\n    teams: [itworks]",
            "agents[5].roles",
            "'agent' is listed twice",
        ),
        (
            "agents.yaml",
            "ssh_keys: []\n\n  # ---- The whole desk",
            "ssh_keys: [not-a-key]\n\n  # ---- The whole desk",
            "agents[15].ssh_keys[0]",
            "not an OpenSSH public key line",
        ),
        (
            "routing.yaml",
            "fallback: {strategy: on-call}",
            "fallback: {strategy: on-call, agent: x}",
            "routing_rules[11].fallback",
            "give exactly one of strategy or agent",
        ),
        (
            "desk.yaml",
            "reopen_window: 5d",
            "reopen_window: 5 days",
            "desk.reopen_window",
            "'5 days' is not a duration",
        ),
    ],
)
def test_entry_problems(copy: Path, file: str, old: str, new: str, field: str, reason: str) -> None:
    path = copy / file
    edit(path, old, new)
    message = only(problems(copy))
    match = LINE.match(message)
    assert match, message
    assert match["file"] == str(path)
    assert match["field"] == field
    assert reason in match["reason"], message
    # The line shown is where that field (or the mapping holding it) starts.
    document, _ = read_yaml(path, str(path))
    assert document is not None
    parts = tuple(int(p) if p.isdigit() and not after_dot else p for p, after_dot in _split(field))
    assert int(match["line"]) == document.line_of(parts)


def _split(field: str) -> list[tuple[str, bool]]:
    """``a[0].b.1`` → ``[("a", True), ("0", False), ("b", True), ("1", True)]``: list
    positions are in brackets, mapping keys after dots."""
    out: list[tuple[str, bool]] = []
    for segment in field.split("."):
        name, *indexes = segment.replace("]", "").split("[")
        out.append((name, True))
        out.extend((index, False) for index in indexes)
    return out


def test_every_spec_round_trips_through_json(shipped: Catalog) -> None:
    """What the store keeps as JSON reads back into the same spec."""
    groups: list[object] = [
        shipped.calendars,
        shipped.policies,
        shipped.teams,
        shipped.products,
        shipped.organisations,
        shipped.agents,
        shipped.triage_checklists,
        shipped.oncall_rotations,
        shipped.modification_steps,
    ]
    specs = [spec for group in groups for spec in group.values()]  # type: ignore[attr-defined]
    specs += [shipped.desk, *shipped.routing_rules]
    for spec in specs:
        dumped = json.loads(json.dumps(spec.model_dump(mode="json")))
        assert type(spec).model_validate(dumped) == spec


def test_contract_dates_and_routing_matches(shipped: Catalog) -> None:
    glenbrook = shipped.organisations["glenbrook-academy"]
    assert [c.reference for c in glenbrook.active_contracts(dt.date(2025, 9, 15))] == []
    assert [c.reference for c in glenbrook.active_contracts(dt.date(2025, 8, 31))] == [
        "PAR-GLEN-2023"
    ]
    assert [c.reference for c in glenbrook.active_contracts(dt.date(2030, 1, 1))] == [
        "PAR-GLEN-2025"
    ]
    contact = glenbrook.contact("F.Grant@Glenbrook-Academy.example")
    assert contact is not None
    assert glenbrook.contact_timezone(contact) == "Europe/London"
    rule = shipped.routing_rules[0]
    assert rule.matches("kenco", "technical", entitled=False)
    assert not rule.matches("kenco", "technical", entitled=True)
    assert not rule.matches("itworks", "technical", entitled=False)
