"""First response: attainment, times in each case's calendar, breaches and how late, pages."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from bot.database import Database
from bot.reports import ReportRules, Reports
from bot.reports.history import History
from bot.reports.response_figures import percentile
from bot.reports.text import render_text
from tests.bot.reports.conftest import PLANS, Write, jst
from tests.harness import make_config

H, M = timedelta(hours=1), timedelta(minutes=1)


def test_business_time_medians_skip_the_weekend_and_the_holiday(
    history: History, write: Write, reports: Reports
) -> None:
    # Friday 11/20 17:00, answered Tuesday 11/24 11:00 (Monday 11/23 is 勤労感謝の日): 1 h + 1 h of business time.
    history.respond(history.open(jst(11, 20, 17), "medium"), jst(11, 24, 11))
    # Tuesday 11/24 10:30, answered 14:30: 4 h.
    history.respond(history.open(jst(11, 24, 10, 30), "medium"), jst(11, 24, 14, 30))
    # Saturday 11/21 09:00, answered Tuesday 10:15: counted from Tuesday's opening, 15 min.
    history.respond(history.open(jst(11, 21, 9), "medium"), jst(11, 24, 10, 15))
    # High is 24x7: Saturday 09:00, answered 10:30 the same day, 1.5 h of wall-clock time.
    history.respond(history.open(jst(11, 21, 9), "high"), jst(11, 21, 10, 30))
    write(history)
    response = reports.first_response(reports.period(since="2026-11-20", until="2026-11-26"))
    medium = response.for_priority("medium")
    assert (medium.answered, medium.met, medium.breached) == (3, 3, 0)
    assert medium.median == 2 * H
    assert medium.p90 == 4 * H - (4 * H - 2 * H) * 0.2  # linear between the two longest: 3h36m
    assert medium.calendar == "business" and medium.target == 6 * H
    high = response.for_priority("high")
    assert (high.median, high.calendar, high.attainment) == (90 * M, "24x7", 1.0)
    assert response.for_priority("low").attainment is None  # nothing decided: no figure, not 0 %


def test_breaches_and_how_late_in_business_time(history: History, write: Write, reports: Reports) -> None:
    # Due Monday 11/16 16:00 (6 business hours from 10:00), answered Tuesday 11:00: late by 2 + 1 business hours.
    history.respond(history.open(jst(11, 16, 10), "medium"), jst(11, 17, 11))
    # Due Monday 18:00, answered Tuesday 10:30: late by 30 business minutes (a night is not lateness).
    history.respond(history.open(jst(11, 16, 12), "medium"), jst(11, 17, 10, 30))
    # Due Monday 16:00, answered at 15:59: met.
    history.respond(history.open(jst(11, 16, 10), "medium"), jst(11, 16, 15, 59))
    # Answered exactly at its due time: breached (the SLA sweep pages at the due time).
    history.respond(history.open(jst(11, 16, 10), "medium"), jst(11, 16, 16))
    write(history)
    medium = reports.first_response(reports.period(since="2026-11-16", until="2026-11-22")).for_priority("medium")
    assert (medium.met, medium.breached) == (1, 3)
    assert medium.attainment == 0.25
    assert medium.late_median == 30 * M


def test_cases_open_at_the_end_are_pending_until_they_breach(
    history: History, write: Write, reports: Reports, report_clock: ManualClock
) -> None:
    report_clock.set(jst(11, 16, 13))  # Monday 13:00
    history.open(jst(11, 16, 10, 30), "high")  # due 12:30: breached by now, still unanswered
    history.open(jst(11, 16, 12), "high")  # due 14:00: pending
    history.open(jst(11, 16, 12, 30), "medium")  # pending
    write(history)
    response = reports.first_response(reports.period("today"))
    high = response.for_priority("high")
    assert (high.met, high.breached, high.pending) == (0, 1, 1)
    assert high.late_median == 30 * M  # late so far, at the report's end
    assert response.for_priority("medium").pending == 1 and response.for_priority("medium").breached == 0
    report_clock.set(jst(11, 16, 14, 30))
    high = reports.first_response(reports.period("today")).for_priority("high")
    assert (high.breached, high.pending) == (2, 0)


def test_an_outcome_counts_where_it_was_decided_and_only_there(
    history: History, write: Write, reports: Reports
) -> None:
    # Opened Sunday 23:30, answered Monday 00:30 within 2 h: met in the week of the answer.
    history.respond(history.open(jst(11, 15, 23, 30), "high"), jst(11, 16, 0, 30))
    # Opened Sunday 23:00, due Monday 01:00, answered Monday 09:00: breached in the week of the due time.
    history.respond(history.open(jst(11, 15, 23), "high"), jst(11, 16, 9))
    # Opened Sunday 21:00, due 23:00, never answered: breached in the first week, and only there.
    history.open(jst(11, 15, 21), "high")
    write(history)
    first = reports.first_response(reports.period(since="2026-11-09", until="2026-11-15")).for_priority("high")
    second = reports.first_response(reports.period(since="2026-11-16", until="2026-11-22")).for_priority("high")
    both = reports.first_response(reports.period(since="2026-11-09", until="2026-11-22")).for_priority("high")
    assert (first.met, first.breached, second.met, second.breached) == (0, 1, 1, 1)
    assert (both.met, both.breached) == (first.met + second.met, first.breached + second.breached)
    assert second.answered == 2 and first.answered == 0


def test_a_case_the_reporter_closed_before_its_due_time_has_no_outcome(
    history: History, write: Write, reports: Reports
) -> None:
    history.self_resolve(history.open(jst(11, 16, 10), "medium"), jst(11, 16, 11))  # before due: no outcome
    history.self_resolve(history.open(jst(11, 16, 10), "medium"), jst(11, 17, 11))  # after due: breached
    write(history)
    medium = reports.first_response(reports.period(since="2026-11-16", until="2026-11-22")).for_priority("medium")
    assert (medium.met, medium.breached, medium.answered) == (0, 1, 0)


def test_pages_and_re_pages_sent_in_the_period(history: History, write: Write, reports: Reports) -> None:
    late = history.open(jst(11, 16, 9), "high")  # due 11:00
    history.page(late, jst(11, 16, 11), 1)
    history.page(late, jst(11, 16, 11, 30), 2)
    history.page(late, jst(11, 16, 12), 3)
    history.respond(late, jst(11, 16, 12, 10))
    before = history.open(jst(11, 15, 20), "high")  # paged on Sunday: the week before
    history.page(before, jst(11, 15, 22), 1)
    write(history)
    response = reports.first_response(reports.period(since="2026-11-16", until="2026-11-22"))
    assert (response.breach_pages, response.re_pages) == (1, 2)
    assert response.breached == 1 and response.late_median == 70 * M


def test_percentile_interpolates_like_numpy() -> None:
    values = [timedelta(minutes=m) for m in (10, 20, 30, 40)]
    assert percentile(values, 0.5) == timedelta(minutes=25)
    assert percentile(values, 0.9) == timedelta(minutes=37)
    assert percentile([timedelta(minutes=5)], 0.9) == timedelta(minutes=5)
    assert percentile([], 0.5) is None


def test_each_case_counts_against_its_own_plan(db: Database, report_clock: ManualClock) -> None:
    rules = ReportRules.from_config(make_config(plans=PLANS, customers={"default_plan": "standard"}))
    reports, history = Reports(db, report_clock, rules), History(rules.sla)
    # Friday 11/20 17:00, answered Tuesday 11/24 10:30 (Monday 11/23 is 勤労感謝の日): on Standard
    # (6 business hours) 1.5 h of business time, met; on Premier (2 h around the clock) 89.5 h, breached.
    standard = history.open(jst(11, 20, 17), "medium", plan="standard", customer="ベータ商事")
    premier = history.open(jst(11, 20, 17), "medium", plan="premier", customer="株式会社アクメ", customer_id="acme")
    unplanned = history.open(jst(11, 20, 17), "medium")  # no plan stored: the default plan (Standard)
    for case in (standard, premier, unplanned):
        history.respond(case, jst(11, 24, 10, 30))
    assert premier.due_at == jst(11, 20, 19) and standard.due_at == unplanned.due_at == jst(11, 24, 15)
    # Premier, Saturday 11/21 09:00, answered 10:00 the same day: 1 h of wall-clock time, met.
    history.respond(history.open(jst(11, 21, 9), "medium", plan="premier"), jst(11, 21, 10))
    history.write(db)
    medium = reports.first_response(reports.period(since="2026-11-20", until="2026-11-26")).for_priority("medium")
    assert (medium.met, medium.breached, medium.answered) == (3, 1, 4)
    assert medium.attainment == 0.75
    # Waits: 1 h (Premier, Saturday), 1.5 h, 1.5 h (Standard, business time), 89.5 h (Premier, wall-clock).
    assert medium.median == 90 * M
    # Premier's breach was due Friday 19:00 and answered Tuesday 10:30: 87.5 h late, counted around the clock.
    assert medium.late_median == 87 * H + 30 * M
    assert (medium.target, medium.calendar) == (6 * H, "business")  # the default plan's, for the heading
    report = reports.figures(reports.period(since="2026-11-20", until="2026-11-26"))
    assert report.to_json()["first_response"]["targets_of_plan"] == "standard"
    assert "(目標は既定プラン standard のもの。各ケースは起票時のプランの目標で集計)" in render_text(report, "ja")
