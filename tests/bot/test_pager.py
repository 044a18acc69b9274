"""The pager without Slack: whom each page calls up the escalation chain, and the outbox rows it becomes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from unittest.mock import Mock

import pytest

from bot.access import Party, Role
from bot.config import EscalationConfig
from bot.oncall import OnCall
from bot.outbox_kinds import OutboxKind
from bot.pager import Pager
from bot.sla_notices import ChainStep, Notice, NoticeKind, Timing

OPENED = datetime(2026, 11, 16, 1, 30, tzinfo=UTC)
DUE = OPENED + timedelta(hours=2)
NOW = DUE + timedelta(hours=1)
CASE = Timing(1, 1, "high", "open", OPENED, DUE)
KEY = f"sla:1:breach:{DUE.isoformat()}"

ROTATION = OnCall("U0ONCALL1", "U0BACKUP1", "rotation", None, None)
GROUP = OnCall("S0SRE", None, "fallback", None, None)
NOBODY = OnCall(None, None, "nobody", None, None)
PAGER = Pager(Mock(), EscalationConfig(cs_lead="U0LEAD", engineers="S0ENG"))


def breach(sequence: int, level: int = 0, steps: tuple[ChainStep, ...] = ()) -> Notice:
    return Notice(NoticeKind.BREACH, CASE, sequence, level=level, steps=steps)


@pytest.mark.parametrize(
    ("on_call", "level", "mentions", "parties"),
    [
        pytest.param(ROTATION, 0, ["U0ONCALL1"], [Party("U0ONCALL1", Role.ONCALL_PRIMARY)], id="on-call-only"),
        pytest.param(
            ROTATION,
            1,
            ["U0ONCALL1", "U0BACKUP1"],
            [Party("U0ONCALL1", Role.ONCALL_PRIMARY), Party("U0BACKUP1", Role.ONCALL_SECONDARY)],
            id="and-the-secondary",
        ),
        pytest.param(
            ROTATION,
            2,
            ["U0ONCALL1", "U0BACKUP1", "U0LEAD"],
            [
                Party("U0ONCALL1", Role.ONCALL_PRIMARY),
                Party("U0BACKUP1", Role.ONCALL_SECONDARY),
                Party("U0LEAD", Role.CS_LEAD),
            ],
            id="and-the-cs-lead",
        ),
        pytest.param(
            GROUP,
            2,
            ["S0SRE", "U0LEAD"],
            [Party("S0SRE", Role.ONCALL_FALLBACK), Party("U0LEAD", Role.CS_LEAD)],
            id="fallback-group",
        ),
        pytest.param(NOBODY, 0, [], [], id="nobody-here"),
        pytest.param(NOBODY, 2, ["U0LEAD"], [Party("U0LEAD", Role.CS_LEAD)], id="nobody-but-the-cs-lead"),
    ],
)
def test_whom_a_page_calls(on_call: OnCall, level: int, mentions: list[str], parties: list[Party]) -> None:
    called = PAGER.called(on_call, level)
    assert (called.mentions, called.parties, called.here) == (mentions, parties, on_call.source == "nobody")


def test_the_page_on_opening_calls_the_person_on_call_not_yet_the_secondary() -> None:
    planned = PAGER.plan(Notice(NoticeKind.PAGE, CASE), ROTATION, NOW)
    (page,) = planned.items
    assert (page.kind, page.key) == (OutboxKind.PAGE, "case:1:emergency:opened")
    assert page.payload == {"mentions": ["U0ONCALL1"], "here": False, "oncall_source": "rotation"}
    assert planned.events == [] and planned.parties == [Party("U0ONCALL1", Role.ONCALL_PRIMARY)]
    (raised,) = PAGER.plan(Notice(NoticeKind.PAGE, CASE, occasion="event7"), ROTATION, NOW).items
    assert raised.key == "case:1:emergency:event7"


def test_a_re_page_replies_under_the_page_edits_it_and_dms_the_person_on_call() -> None:
    planned = PAGER.plan(breach(2), ROTATION, NOW)
    assert [(i.kind, i.key) for i in planned.items] == [
        (OutboxKind.BREACH_PAGE, f"{KEY}:2"),
        (OutboxKind.PAGE_UPDATE, "sla:1:page-update:page:repage2"),
        (OutboxKind.BREACH_DM, f"{KEY}:2:dm"),
    ]
    assert planned.items[0].payload == {"mentions": ["U0ONCALL1"], "here": False, "sequence": 2, "chain": []}
    assert planned.items[2].payload == {"user": "U0ONCALL1", "sequence": 2}
    assert [(e.kind, e.new_value) for e in planned.events] == [("sla_breach", "2")]


def test_a_chain_step_dms_whom_it_adds_once_per_step_and_says_so_in_the_history() -> None:
    planned = PAGER.plan(breach(5, 2, (ChainStep.SECONDARY, ChainStep.CS_LEAD)), ROTATION, NOW)
    chain = [(i.key, i.payload) for i in planned.items if ":chain:" in i.key]
    assert chain == [
        (f"sla:1:chain:{DUE.isoformat()}:secondary", {"user": "U0BACKUP1", "sequence": 5, "step": "secondary"}),
        (f"sla:1:chain:{DUE.isoformat()}:cs_lead", {"user": "U0LEAD", "sequence": 5, "step": "cs_lead"}),
    ]
    assert planned.items[0].payload["chain"] == [
        {"step": "secondary", "who": "U0BACKUP1"},
        {"step": "cs_lead", "who": "U0LEAD"},
    ]
    events = [(e.kind, e.old_value, e.new_value) for e in planned.events]
    assert events == [
        ("sla_breach", None, "5"),
        ("sla_escalated", "U0BACKUP1", "secondary"),
        ("sla_escalated", "U0LEAD", "cs_lead"),
    ]


def test_a_user_group_and_nobody_get_no_dm() -> None:
    for on_call in (GROUP, NOBODY):
        kinds = [i.kind for i in PAGER.plan(breach(3, 1, (ChainStep.SECONDARY,)), on_call, NOW).items]
        assert OutboxKind.BREACH_DM not in kinds
    here = PAGER.plan(breach(1), NOBODY, NOW).items[0]
    assert here.payload["here"] is True and here.payload["mentions"] == []


@pytest.mark.parametrize(
    ("assignee", "on_call", "expected"),
    [
        pytest.param("U0AGENT", ROTATION, ("U0AGENT", []), id="the-assignee-first"),
        pytest.param(
            None, ROTATION, ("U0ONCALL1", [Party("U0ONCALL1", Role.ONCALL_PRIMARY)]), id="high-the-person-on-call"
        ),
        pytest.param(None, None, ("U0LEAD", [Party("U0LEAD", Role.CS_LEAD)]), id="medium-or-low-the-cs-lead"),
        pytest.param(None, NOBODY, (None, []), id="high-nobody-on-call"),
    ],
)
def test_whom_the_warning_mentions(
    assignee: str | None, on_call: OnCall | None, expected: tuple[object, object]
) -> None:
    assert PAGER.responsible(assignee, on_call) == expected
