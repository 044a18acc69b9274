"""Reporting tests: histories written at chosen instants, read back through `Reports`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from bot.database import Database
from bot.reports import ReportRules, Reports
from bot.reports.history import History
from tests.harness import make_config

TOKYO = ZoneInfo("Asia/Tokyo")
PLANS = {  # two plans: Premier answers medium cases within 2 hours around the clock, Standard within 6 business hours
    "standard": {
        "label": "Standard",
        "high": {"target": "2h", "calendar": "24x7"},
        "medium": {"target": "6h", "calendar": "business"},
        "low": {"target": "8h", "calendar": "business"},
    },
    "premier": {
        "label": "Premier",
        "high": {"target": "1h", "calendar": "24x7"},
        "medium": {"target": "2h", "calendar": "24x7"},
        "low": {"target": "4h", "calendar": "business"},
    },
}


def jst(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2026) -> datetime:
    """A wall-clock time in Tokyo, as UTC (November 2026: 3rd and 23rd are holidays, the 16th a Monday)."""
    return datetime(year, month, day, hour, minute, tzinfo=TOKYO).astimezone(UTC)


@pytest.fixture
def rules() -> ReportRules:
    return ReportRules.from_config(make_config())


@pytest.fixture
def history(rules: ReportRules) -> History:
    return History(rules.sla)


@pytest.fixture
def report_clock() -> ManualClock:
    return ManualClock(jst(12, 1, 12))


@pytest.fixture
def reports(db: Database, report_clock: ManualClock, rules: ReportRules) -> Reports:
    return Reports(db, report_clock, rules, entry_questions={"faq-sso": "SSOはどのIdPに対応していますか？"})


Write = Callable[[History], None]


@pytest.fixture
def write(db: Database) -> Write:
    return lambda history: history.write(db)
