"""Who is paged: the weekly rotation at its handoff, agents' overrides (stored and audited), the fallback."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.agents import ConfiguredAgents
from bot.clock import ManualClock
from bot.database import Database
from bot.errors import UserFacingError
from bot.oncall import OnCall, OncallService
from tests.harness import make_config

JST = ZoneInfo("Asia/Tokyo")
MICROSECOND = timedelta(microseconds=1)


def jst(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JST)


def service(db: Database, clock: ManualClock, **oncall: Any) -> OncallService:
    """The service with the test config; keyword arguments replace [oncall] keys."""
    config = make_config(oncall=oncall) if oncall else make_config()
    return OncallService(db, clock, config.oncall, ConfiguredAgents(config.agents))


# The test rotation is [U0ONCALL1, U0ONCALL2], handing over on Mondays at 10:00 Tokyo time;
# U0ONCALL1 has the week starting Monday 2026-11-16 10:00. Rotation-only tests use SQLite alone
# (no override rows, nothing database-specific); override tests run on both databases.


def test_the_rotation_changes_exactly_at_the_handoff(sqlite_db: Database, clock: ManualClock) -> None:
    oncall = service(sqlite_db, clock)
    handoff = jst("2026-11-23T10:00")
    before = oncall.at(handoff - MICROSECOND)
    assert (before.primary, before.source) == ("U0ONCALL1", "rotation")
    assert (before.since, before.until) == (jst("2026-11-16T10:00"), handoff)
    at = oncall.at(handoff)
    assert (at.primary, at.since, at.until) == ("U0ONCALL2", handoff, jst("2026-11-30T10:00"))
    assert oncall.at(jst("2026-11-30T10:00")).primary == "U0ONCALL1"


def test_now_and_next_follow_the_clock(sqlite_db: Database, clock: ManualClock) -> None:
    oncall = service(sqlite_db, clock)
    assert oncall.at().primary == "U0ONCALL1"
    upcoming = oncall.next()
    assert (upcoming.primary, upcoming.since) == ("U0ONCALL2", jst("2026-11-23T10:00"))
    clock.set(jst("2026-11-23T10:00"))
    assert oncall.at().primary == "U0ONCALL2" and oncall.next().primary == "U0ONCALL1"


def test_secondary_rotation_is_mentioned_after_the_primary(sqlite_db: Database, clock: ManualClock) -> None:
    oncall = service(sqlite_db, clock, secondary=["U0BACKUP1", "U0BACKUP2"])
    now = oncall.at()
    assert (now.primary, now.secondary) == ("U0ONCALL1", "U0BACKUP1")
    assert now.mentions == ["U0ONCALL1", "U0BACKUP1"]
    assert oncall.at(jst("2026-11-23T10:00")).mentions == ["U0ONCALL2", "U0BACKUP2"]


def test_an_override_lasts_until_the_next_handoff_by_default(db: Database, clock: ManualClock) -> None:
    oncall = service(db, clock, secondary=["U0BACKUP1"])
    override = oncall.set_override("U0AGENT2", None, "U0AGENT")
    assert (override.starts_at, override.ends_at) == (clock.now(), jst("2026-11-23T10:00"))
    now = oncall.at()
    assert now == OnCall("U0AGENT2", "U0BACKUP1", "override", clock.now(), jst("2026-11-23T10:00"), "U0AGENT")
    assert oncall.at(jst("2026-11-23T10:00") - MICROSECOND).primary == "U0AGENT2"
    assert oncall.at(jst("2026-11-23T10:00")).primary == "U0ONCALL2"  # the rotation takes over again
    assert oncall.at(clock.now() - MICROSECOND).primary == "U0ONCALL1"  # not retroactive


def test_an_override_with_an_end_crosses_handoffs(db: Database, clock: ManualClock) -> None:
    oncall = service(db, clock)
    oncall.set_override("U0AGENT2", jst("2026-12-01T10:00"), "U0AGENT")
    assert oncall.at(jst("2026-11-24T09:00")).primary == "U0AGENT2"
    assert oncall.at(jst("2026-12-01T10:00")).primary == "U0ONCALL1"


def test_the_latest_override_wins(db: Database, clock: ManualClock) -> None:
    oncall = service(db, clock)
    oncall.set_override("U0AGENT2", jst("2026-12-01T10:00"), "U0AGENT")
    clock.advance(timedelta(minutes=5))
    oncall.set_override("U0AGENT", None, "U0AGENT")
    assert oncall.at().primary == "U0AGENT"


def test_clearing_ends_overrides_and_both_stay_in_the_audit_trail(db: Database, clock: ManualClock) -> None:
    oncall = service(db, clock)
    oncall.set_override("U0AGENT2", None, "U0AGENT")
    clock.advance(timedelta(hours=1))
    assert oncall.clear_override("U0AGENT") == 1
    assert oncall.at().primary == "U0ONCALL1"
    assert oncall.clear_override("U0AGENT") == 0
    (row,) = oncall.history()
    assert (row.user_id, row.created_by, row.created_at) == ("U0AGENT2", "U0AGENT", clock.now() - timedelta(hours=1))
    assert (row.cleared_by, row.cleared_at) == ("U0AGENT", clock.now())


def test_only_agents_set_or_clear_overrides(db: Database, clock: ManualClock) -> None:
    oncall = service(db, clock)
    with pytest.raises(UserFacingError) as error:
        oncall.set_override("U0CUSTOMER", None, "U0CUSTOMER")
    assert error.value.key == "case.error.not_agent"
    oncall.set_override("U0AGENT2", None, "U0AGENT")
    with pytest.raises(UserFacingError):
        oncall.clear_override("U0CUSTOMER")
    assert oncall.at().primary == "U0AGENT2" and len(oncall.history()) == 1


def test_an_override_ending_in_the_past_is_refused(db: Database, clock: ManualClock) -> None:
    oncall = service(db, clock)
    with pytest.raises(UserFacingError) as error:
        oncall.set_override("U0AGENT2", clock.now(), "U0AGENT")
    assert error.value.key == "oncall.error.until_past"
    assert oncall.history() == []


def test_the_fallback_user_group_is_paged_when_nobody_is_on_the_rotation(db: Database, clock: ManualClock) -> None:
    oncall = service(db, clock, rotation=[], fallback="S0SRE")
    now = oncall.at()
    assert (now.primary, now.source, now.mentions, now.pages_here) == ("S0SRE", "fallback", ["S0SRE"], False)
    assert oncall.next().source == "fallback"
    oncall.set_override("U0AGENT2", jst("2026-11-17T10:00"), "U0AGENT")
    assert oncall.at().primary == "U0AGENT2"  # an override also covers a desk without a rotation


def test_nobody_when_nothing_is_configured(sqlite_db: Database, clock: ManualClock) -> None:
    now = service(sqlite_db, clock, rotation=[]).at()
    assert (now.source, now.mentions, now.pages_here) == ("nobody", [], True)  # [oncall] fallback = "here"
