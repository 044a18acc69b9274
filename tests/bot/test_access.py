"""The "who may act" rule (issue 9, defect 1) as plain data: no database, no Slack."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from bot.access import (
    Action,
    Party,
    Role,
    Standing,
    allows,
    customer_standing,
    escalation_parties,
    insider,
    standing_of,
)
from bot.agents import ConfiguredAgents
from bot.config import AgentsConfig, EscalationConfig


@dataclass
class People:
    agents: set[str] = field(default_factory=lambda: {"U0AGENT"})
    groups: dict[str, set[str]] = field(default_factory=lambda: {"S0ENG": {"U0ENG1"}, "S0SRE": {"U0SRE1"}})
    group_lookups: list[str] = field(default_factory=list)

    def is_agent(self, user_id: str) -> bool:
        return user_id in self.agents

    def in_group(self, user_id: str, usergroup: str) -> bool:
        self.group_lookups.append(usergroup)
        return user_id in self.groups.get(usergroup, set())


PAGED = [Party("U0ONCALL1", Role.ONCALL_PRIMARY), Party("U0ONCALL2", Role.ONCALL_SECONDARY)]
ESCALATED = [Party("U0LEAD", Role.CS_LEAD), Party("S0ENG", Role.ENGINEERS)]


@pytest.mark.parametrize(
    ("actor", "parties", "expected"),
    [
        ("U0AGENT", [], Standing.AGENT),  # agents act on every case
        ("U0AGENT", PAGED, Standing.AGENT),
        ("U0ONCALL1", PAGED, Standing.PARTY),
        ("U0ONCALL2", PAGED, Standing.PARTY),
        ("U0ONCALL1", [], Standing.NONE),  # another case: not paged for it
        ("U0LEAD", ESCALATED, Standing.PARTY),
        ("U0ENG1", ESCALATED, Standing.PARTY),  # a member of the engineers' user group
        ("U0SRE1", ESCALATED, Standing.NONE),
        ("U0SRE1", [Party("S0SRE", Role.ONCALL_FALLBACK)], Standing.PARTY),
        ("U0CUSTOMER", PAGED, Standing.REPORTER),
        ("U0OTHER", PAGED + ESCALATED, Standing.NONE),
    ],
)
def test_standing(actor: str, parties: list[Party], expected: Standing) -> None:
    assert standing_of(People(), actor, "U0CUSTOMER", parties) is expected


def test_a_paged_reporter_has_every_right_of_the_paged() -> None:
    assert standing_of(People(), "U0ONCALL1", "U0ONCALL1", PAGED) is Standing.PARTY


def test_groups_are_asked_only_when_needed_and_once_each() -> None:
    people = People()
    standing_of(people, "U0AGENT", "U0CUSTOMER", ESCALATED)
    standing_of(people, "U0LEAD", "U0CUSTOMER", [*ESCALATED, Party("S0ENG", Role.ENGINEERS)])
    assert people.group_lookups == []
    standing_of(people, "U0OTHER", "U0CUSTOMER", [*ESCALATED, Party("S0ENG", Role.ONCALL_FALLBACK)])
    assert people.group_lookups == ["S0ENG"]


@pytest.mark.parametrize("action", list(Action))
def test_agents_may_do_everything_the_people_called_all_but_assign_others_nothing(action: Action) -> None:
    assert allows(Standing.AGENT, action)
    assert allows(Standing.PARTY, action) is (action not in (Action.ASSIGN, Action.CHANGE_CUSTOMER))
    assert not allows(Standing.NONE, action)


def test_the_reporter_may_see_resolve_and_reopen_only() -> None:
    assert {a for a in Action if allows(Standing.REPORTER, a)} == {Action.VIEW, Action.RESOLVE, Action.REOPEN}


def test_only_agents_and_the_people_called_read_the_teams_notes() -> None:
    assert [s for s in Standing if insider(s)] == [Standing.AGENT, Standing.PARTY]


def test_whom_an_escalation_calls() -> None:
    escalation = EscalationConfig(cs_lead="U0LEAD", engineers="S0ENG")
    assert escalation_parties(2, escalation) == [Party("U0LEAD", Role.CS_LEAD)]
    assert escalation_parties(3, escalation) == [Party("S0ENG", Role.ENGINEERS)]
    assert escalation_parties(3, EscalationConfig()) == []


def test_a_customer_in_their_channel_sees_their_organisations_cases_as_a_reporter_and_no_other() -> None:
    assert customer_standing(Standing.NONE, "acme", "acme") is Standing.REPORTER
    assert customer_standing(Standing.PARTY, "acme", "acme") is Standing.REPORTER  # no internal notes
    assert customer_standing(Standing.REPORTER, "beta", "acme") is Standing.NONE
    assert customer_standing(Standing.REPORTER, None, "acme") is Standing.NONE


def test_people_from_another_organisation_are_never_agents() -> None:
    config = AgentsConfig(users=["U0EXT", "U0AGENT"], usergroups=["S0AGENTS"])
    agents = ConfiguredAgents(config, group_members=lambda group: ["U0EXT2"], external=lambda user: user != "U0AGENT")
    assert agents.is_agent("U0AGENT")
    assert not agents.is_agent("U0EXT") and not agents.is_agent("U0EXT2")
