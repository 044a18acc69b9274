"""The reporting service: one call per question a CS Lead asks, each over one database transaction.

Slack (App Home, `/case stats`, the weekly digest), the CLI and the chart all go through `Reports`;
none of them computes a figure of its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, Protocol

from bot.clock import Clock
from bot.database import Database
from bot.reports.case_figures import case_figures, opened_per_day
from bot.reports.export import CaseRow, case_rows
from bot.reports.faq_figures import faq_figures, faq_to_fix
from bot.reports.figures import CaseFigures, Day, EntryFeedback, FaqFigures, GapFigure, Report, ResponseFigures
from bot.reports.periods import Period, resolve_period
from bot.reports.response_figures import response_figures
from bot.reports.rules import ReportRules

MAX_DAILY_DAYS = 92
"""Periods longer than this get no daily series (a chart of hundreds of bars says nothing)."""


class Reports:
    def __init__(
        self, db: Database, clock: Clock, rules: ReportRules, *, entry_questions: Mapping[str, str] | None = None
    ) -> None:
        self.db = db
        self.clock = clock
        self.rules = rules
        self.entry_questions = entry_questions or {}

    def period(self, period: str | None = None, *, since: str | None = None, until: str | None = None) -> Period:
        """The period a person asked for (`7d`, `this-month`, `2026-11`, dates…); PeriodError if it makes no sense."""
        return resolve_period(self.clock.now(), self.rules.timezone, period=period, since=since, until=until)

    def figures(self, period: Period | None = None) -> Report:
        """Every figure of the period (default: the last 7 days), as of its end or now."""
        period = period or self.period()
        end = period.end(self.clock.now())
        with self.db.transaction() as session:
            cases = case_figures(session, period.since, end, self.rules)
            first_response, breaches = response_figures(session, self.rules, period.since, end)
            faq = faq_figures(session, period.since, end, self.entry_questions)
            days = [(day, start, min(stop, end)) for day, start, stop in period.days() if start < end]
            daily = opened_per_day(session, days) if len(days) <= MAX_DAILY_DAYS else []
        series = [
            Day(day, opened, sum(1 for t in breaches if start <= t < stop), self.rules.business.is_business_day(day))
            for (day, start, stop), opened in zip(days, daily, strict=False)
        ]
        return Report(period, end, cases, first_response, faq, series)

    def cases(self, period: Period) -> CaseFigures:
        with self.db.transaction() as session:
            return case_figures(session, period.since, self._end(period), self.rules)

    def first_response(self, period: Period) -> ResponseFigures:
        with self.db.transaction() as session:
            return response_figures(session, self.rules, period.since, self._end(period))[0]

    def faq(self, period: Period) -> FaqFigures:
        with self.db.transaction() as session:
            return faq_figures(session, period.since, self._end(period), self.entry_questions)

    def faq_to_fix(self, period: Period) -> tuple[list[GapFigure], list[EntryFeedback]]:
        """The FAQ's most frequent unanswered questions and the answers most often marked 「解決しない」 or passed over."""
        with self.db.transaction() as session:
            return faq_to_fix(session, period.since, self._end(period), self.entry_questions)

    def case_rows(self, period: Period) -> Iterator[CaseRow]:
        """One row per case opened in the period, oldest first, streamed (exports of any size)."""
        yield from case_rows(self.db, period.since, period.until, self.clock.now())

    def _end(self, period: Period) -> datetime:
        return period.end(self.clock.now())


class Entries(Protocol):
    @property
    def entries(self) -> tuple[Any, ...]: ...

    def get(self, entry_id: str) -> Any: ...


class EntryQuestions(Mapping[str, str]):
    """entry id → question, read from the running bot's knowledge index (taught entries too, as of now)."""

    def __init__(self, index: Entries) -> None:
        self._index = index

    def __getitem__(self, entry_id: str) -> str:
        entry = self._index.get(entry_id)
        if entry is None:
            raise KeyError(entry_id)
        return str(entry.question)

    def __iter__(self) -> Iterator[str]:
        return iter([entry.id for entry in self._index.entries])

    def __len__(self) -> int:
        return len(self._index.entries)
