"""What each change tells the reporter, and which notes they may read: bot/case_notices.py's rules as a table."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.case_notices import reason_for, tells_reporter
from bot.case_vocabulary import EventKind
from bot.models import Case, CaseEvent

NOW = datetime(2026, 11, 16, 1, 30, tzinfo=UTC)
REPORTER, AGENT = "U0CUSTOMER", "U0AGENT"


def case(**fields: object) -> Case:
    values: dict[str, object] = {"number": 1, "title": "t", "priority": "low", "reporter_id": REPORTER}
    values.update(fields)
    return Case(created_at=NOW, updated_at=NOW, due_at=NOW, **values)


@pytest.mark.parametrize(
    ("kind", "actor", "origin_thread", "told"),
    [
        (EventKind.ACKNOWLEDGED, AGENT, None, True),
        (EventKind.FIRST_RESPONSE, AGENT, None, True),
        (EventKind.PRIORITY_CHANGED, AGENT, None, True),
        (EventKind.ESCALATED, AGENT, None, True),
        (EventKind.RESOLVED, AGENT, None, True),
        (EventKind.REOPENED, AGENT, None, True),
        (EventKind.REOPENED, REPORTER, None, False),  # what they did themselves
        (EventKind.SELF_RESOLVED, REPORTER, None, False),
        (EventKind.ASSIGNED, AGENT, None, False),  # the team's business
        (EventKind.SLA_WARNING, "supportbot", None, False),
        (EventKind.OPENED, REPORTER, None, False),  # `/case` elsewhere: they were answered already
        (EventKind.OPENED, REPORTER, "1795300000.000100", True),  # the FAQ thread learns the number
    ],
)
def test_what_the_reporter_is_told(kind: EventKind, actor: str, origin_thread: str | None, told: bool) -> None:
    opened = case(origin_channel="C0FAQ", origin_thread_ts=origin_thread)
    assert tells_reporter(kind, actor, opened) is told


def event(kind: EventKind, actor: str = AGENT) -> CaseEvent:
    return CaseEvent(id=1, case_id=1, kind=kind, actor_id=actor, at=NOW, reason="note")


@pytest.mark.parametrize(
    ("kind", "actor", "insider", "shown"),
    [
        (EventKind.ESCALATED, AGENT, True, True),  # the team reads its notes
        (EventKind.ESCALATED, AGENT, False, False),  # escalation notes are internal
        (EventKind.RESOLVED, AGENT, False, False),
        (EventKind.REOPENED, AGENT, False, False),
        (EventKind.PRIORITY_CHANGED, AGENT, False, True),  # explains a change the reporter is told about
        (EventKind.SELF_RESOLVED, REPORTER, False, True),  # their own note
        (EventKind.REOPENED, REPORTER, False, True),
    ],
)
def test_which_notes_the_reporter_reads(kind: EventKind, actor: str, insider: bool, shown: bool) -> None:
    assert (reason_for(event(kind, actor), REPORTER, insider=insider) == "note") is shown
