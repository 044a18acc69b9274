"""Cases in a period: opened (by priority, by customer), resolved, reopened, and the backlog at its end."""

from __future__ import annotations

from bot.clock import ManualClock
from bot.reports import Reports
from bot.reports.history import History
from bot.reports.periods import resolve_period
from bot.reports.text import render_text
from tests.bot.reports.conftest import Write, jst


def week(reports: Reports, since: str = "2026-11-16", until: str = "2026-11-22"):  # type: ignore[no-untyped-def]
    return reports.period(since=since, until=until)


def test_opened_by_priority_and_customer(history: History, write: Write, reports: Reports) -> None:
    history.open(jst(11, 16, 11), "high", customer="北斗システム")
    history.open(jst(11, 17, 11), "medium", customer="北斗システム")
    history.open(jst(11, 18, 11), "medium", customer="みなと物流")
    history.open(jst(11, 19, 11), "low")
    history.open(jst(11, 15, 23, 59), "low", customer="みなと物流")  # the Sunday before: another week
    write(history)
    cases = reports.cases(week(reports))
    assert cases.opened == 4
    assert cases.opened_by_priority == {"high": 1, "medium": 2, "low": 1}
    assert [(c.value, c.count) for c in cases.opened_by_customer] == [("北斗システム", 2), ("みなと物流", 1), (None, 1)]
    assert cases.opened_by_customer_others == 0
    assert [(c.value, c.count) for c in cases.opened_by_plan] == [(None, 4)]  # written without a plan


def test_opened_by_customer_and_plan_when_cases_record_them(history: History, write: Write, reports: Reports) -> None:
    history.open(jst(11, 16, 11), "high", customer="株式会社アクメ", customer_id="acme", plan="premier")
    history.open(jst(11, 17, 11), "medium", customer="株式会社アクメ", customer_id="acme", plan="premier")
    history.open(jst(11, 18, 11), "medium", customer="ベータ商事", customer_id="beta", plan="standard")
    history.open(jst(11, 19, 11), "low", plan="standard")  # no customer known: the default plan
    history.open(jst(11, 19, 12), "low", plan="standard")
    write(history)
    report = reports.figures(week(reports))
    cases = report.cases
    assert [(c.value, c.count) for c in cases.opened_by_customer] == [
        ("株式会社アクメ", 2),
        (None, 2),
        ("ベータ商事", 1),
    ]
    assert [(c.value, c.count) for c in cases.opened_by_plan] == [("standard", 3), ("premier", 2)]
    assert report.to_json()["cases"]["opened_by_plan"] == [
        {"plan": "standard", "count": 3},
        {"plan": "premier", "count": 2},
    ]
    text = render_text(report, "ja")
    assert "顧客別: 株式会社アクメ 2, (未記入) 2, ベータ商事 1" in text
    assert "プラン別: standard 3, premier 2" in text
    assert "By plan: standard 3, premier 2" in render_text(report, "en")


def test_no_plan_line_before_cases_record_their_plan(history: History, write: Write, reports: Reports) -> None:
    history.open(jst(11, 16, 11), "high")
    write(history)
    assert "プラン別" not in render_text(reports.figures(week(reports)), "ja")


def test_a_reopened_case_counts_once_in_opened_and_once_in_resolved(
    history: History, write: Write, reports: Reports
) -> None:
    case = history.open(jst(11, 16, 11), "medium")
    history.respond(case, jst(11, 16, 12))
    history.resolve(case, jst(11, 17, 12))
    history.reopen(case, jst(11, 18, 12))
    history.resolve(case, jst(11, 19, 12))
    other = history.open(jst(11, 10, 11), "low")  # opened the week before, resolved in this one
    history.self_resolve(other, jst(11, 16, 15))
    write(history)
    cases = reports.cases(week(reports))
    assert (cases.opened, cases.resolved, cases.reopened, cases.open_at_end) == (1, 2, 1, 0)


def test_backlog_ages_are_business_days_at_the_periods_end(
    history: History, write: Write, reports: Reports, report_clock: ManualClock
) -> None:
    report_clock.set(jst(11, 24, 12))  # Tuesday noon, after Monday 11/23 (勤労感謝の日)
    history.open(jst(11, 24, 11), "low")  # 1 business hour old
    history.open(jst(11, 20, 12, 1), "low")  # Friday 12:01: just under one business day (7h59m)
    history.open(jst(11, 20, 12), "medium")  # Friday 12:00: exactly one business day
    history.open(jst(11, 18, 12, 1), "medium")  # just under three business days
    history.open(jst(11, 18, 12), "high")  # exactly three: over
    done = history.open(jst(11, 2, 11), "low")
    history.resolve(done, jst(11, 4, 11))
    write(history)
    cases = reports.cases(reports.period("7d"))
    assert cases.backlog_by_age == {
        "under_1_business_day": 2,
        "1_to_3_business_days": 2,
        "over_3_business_days": 1,
    }
    assert cases.open_at_end == 5
    assert cases.backlog_by_priority == {"high": 1, "medium": 2, "low": 2}


def test_a_past_periods_backlog_is_read_from_the_history(history: History, write: Write, reports: Reports) -> None:
    resolved_later = history.open(jst(11, 18, 11), "medium")  # open at the end of that week, resolved after it
    history.respond(resolved_later, jst(11, 18, 12))
    history.resolve(resolved_later, jst(11, 24, 12))
    closed_then = history.open(jst(11, 17, 11), "low")  # resolved that week, reopened after it: closed then
    history.resolve(closed_then, jst(11, 19, 11))
    history.reopen(closed_then, jst(11, 25, 11))
    reopened_then = history.open(jst(11, 16, 11), "low")  # resolved, then reopened within the week: open then
    history.resolve(reopened_then, jst(11, 17, 11))
    history.reopen(reopened_then, jst(11, 20, 11))
    history.resolve(reopened_then, jst(11, 26, 11))
    history.open(jst(11, 24, 11), "high")  # opened after that week: not in its backlog
    write(history)
    cases = reports.cases(week(reports))
    assert cases.open_at_end == 2
    assert cases.backlog_by_priority == {"high": 0, "medium": 1, "low": 1}
    # now, the backlog is what is open today
    assert reports.cases(reports.period("today")).open_at_end == 2  # the high case, and closed_then reopened


def test_adjacent_periods_never_double_count(history: History, write: Write, reports: Reports) -> None:
    history.open(jst(11, 22, 23, 59), "low")
    history.open(jst(11, 23, 0, 0), "low")  # exactly at the boundary: the second week's
    boundary = history.open(jst(11, 20, 11), "medium")
    history.respond(boundary, jst(11, 20, 12))
    history.resolve(boundary, jst(11, 23, 0, 0))
    write(history)
    now = jst(12, 1)
    first = resolve_period(now, "Asia/Tokyo", since="2026-11-16", until="2026-11-22")
    second = resolve_period(now, "Asia/Tokyo", since="2026-11-23", until="2026-11-29")
    both = resolve_period(now, "Asia/Tokyo", since="2026-11-16", until="2026-11-29")
    a, b, total = reports.cases(first), reports.cases(second), reports.cases(both)
    assert (a.opened, b.opened, total.opened) == (2, 1, 3)
    assert (a.resolved, b.resolved, total.resolved) == (0, 1, 1)
