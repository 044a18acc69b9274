"""The figures of a report, as plain values: what Slack, the CLI, the digest and the chart present.

`Report.to_json()` is the stable shape of `supportbot report --json`: top-level keys `period`,
`cases`, `first_response`, `faq` (and `daily`); durations in seconds, times ISO 8601 in the desk's zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bot.reports.periods import Period

PRIORITY_ORDER = ("high", "medium", "low")
BACKLOG_BUCKETS = ("under_1_business_day", "1_to_3_business_days", "over_3_business_days")


def share(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide (shown as "—", never as 0 %)."""
    return part / whole if whole else None


def seconds(value: timedelta | None) -> int | None:
    return None if value is None else round(value.total_seconds())


@dataclass(frozen=True)
class Count:
    """How many cases had this value (a customer, a plan); None is "not recorded"."""

    value: str | None
    count: int


@dataclass(frozen=True)
class CaseFigures:
    opened: int
    opened_by_priority: dict[str, int]
    opened_by_customer: list[Count]  # the most frequent first; the rest summed under `others`
    opened_by_customer_others: int
    opened_by_plan: list[Count]  # plan ids, most first; None: opened before cases recorded their plan
    resolved: int  # cases resolved in the period (each case once)
    reopened: int  # cases reopened in the period (each case once)
    open_at_end: int
    backlog_by_age: dict[str, int]  # BACKLOG_BUCKETS → open cases, by age in business days
    backlog_by_priority: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return {
            "opened": self.opened,
            "opened_by_priority": self.opened_by_priority,
            "opened_by_customer": [{"customer": c.value, "count": c.count} for c in self.opened_by_customer],
            "opened_by_customer_others": self.opened_by_customer_others,
            "opened_by_plan": [{"plan": c.value, "count": c.count} for c in self.opened_by_plan],
            "resolved": self.resolved,
            "reopened": self.reopened,
            "open_at_end": self.open_at_end,
            "backlog_by_age": self.backlog_by_age,
            "backlog_by_priority": self.backlog_by_priority,
        }


@dataclass(frozen=True)
class PriorityResponse:
    """First responses of one priority. A case counts in the period where its outcome was decided:
    when it was answered within target (met), or when its target passed unanswered (breached)."""

    priority: str
    target: timedelta  # the default plan's; each case is measured against its own plan's target
    calendar: str  # "business" or "24x7" (the default plan's): how the times below are counted
    met: int
    breached: int
    pending: int  # open at the end, unanswered and not yet due: neither met nor breached
    answered: int  # first responses given in the period
    median: timedelta | None  # time to first response, in the case's calendar
    p90: timedelta | None
    late_median: timedelta | None  # how late the breaches were (answered late, or still waiting at the end)

    @property
    def attainment(self) -> float | None:
        return share(self.met, self.met + self.breached)

    def to_json(self) -> dict[str, Any]:
        return {
            "target_seconds": seconds(self.target),
            "calendar": self.calendar,
            "met": self.met,
            "breached": self.breached,
            "pending": self.pending,
            "attainment": self.attainment,
            "answered": self.answered,
            "median_seconds": seconds(self.median),
            "p90_seconds": seconds(self.p90),
            "late_median_seconds": seconds(self.late_median),
        }


@dataclass(frozen=True)
class ResponseFigures:
    by_priority: list[PriorityResponse]
    late_median: timedelta | None  # over every breach of the period
    breach_pages: int  # first pages for a missed high target, sent in the period
    re_pages: int  # repeated pages (every `renotify` until someone acknowledges)
    attainment_goal: float
    default_plan: str | None = None  # several plans: the targets shown are this plan's, each case counts on its own

    @property
    def met(self) -> int:
        return sum(p.met for p in self.by_priority)

    @property
    def breached(self) -> int:
        return sum(p.breached for p in self.by_priority)

    @property
    def attainment(self) -> float | None:
        return share(self.met, self.met + self.breached)

    def for_priority(self, priority: str) -> PriorityResponse:
        return next(p for p in self.by_priority if p.priority == priority)

    def to_json(self) -> dict[str, Any]:
        return {
            "by_priority": {p.priority: p.to_json() for p in self.by_priority},
            "met": self.met,
            "breached": self.breached,
            "attainment": self.attainment,
            "attainment_goal": self.attainment_goal,
            "targets_of_plan": self.default_plan,
            "late_median_seconds": seconds(self.late_median),
            "breach_pages": self.breach_pages,
            "re_pages": self.re_pages,
        }


@dataclass(frozen=True)
class EntryFeedback:
    entry_id: str
    question: str | None  # the entry's question when the knowledge base still has it
    resolved: int  # 「解決しました」
    unresolved: int  # 「解決しない」
    passed_over: int  # questions it answered where the asker picked another candidate (bot/faq_feedback.py)

    def to_json(self) -> dict[str, Any]:
        return {
            "entry_id": self.entry_id,
            "question": self.question,
            "resolved": self.resolved,
            "unresolved": self.unresolved,
            "passed_over": self.passed_over,
        }


@dataclass(frozen=True)
class GapFigure:
    """A question the knowledge base could not answer, asked `count` times in the period."""

    text: str
    count: int
    last_asked: datetime


@dataclass(frozen=True)
class FaqFigures:
    questions: int  # questions the bot handled, chit-chat excluded
    answered: int
    suggested: int
    silent: int  # nothing good enough to offer (answered "not found" only when asked directly)
    chit_chat: int  # greetings and thanks the bot was mentioned with: left out of the figures
    deflected: int  # answered, and neither marked 「解決しない」 nor followed by a case from the asker
    feedback: list[EntryFeedback]  # every entry voted on or passed over in the period, most votes first
    most_unresolved: list[EntryFeedback]  # the most 「解決しない」 + passed over first
    gaps: list[GapFigure]

    @property
    def deflection_rate(self) -> float | None:
        """Share of the questions the bot settled on its own."""
        return share(self.deflected, self.questions)

    def to_json(self, zone: Any) -> dict[str, Any]:
        return {
            "questions": self.questions,
            "answered": self.answered,
            "suggested": self.suggested,
            "silent": self.silent,
            "answered_share": share(self.answered, self.questions),
            "suggested_share": share(self.suggested, self.questions),
            "silent_share": share(self.silent, self.questions),
            "chit_chat_excluded": self.chit_chat,
            "deflected": self.deflected,
            "deflection_rate": self.deflection_rate,
            "feedback": [f.to_json() for f in self.feedback],
            "most_unresolved": [f.to_json() for f in self.most_unresolved],
            "gaps": [
                {"text": g.text, "count": g.count, "last_asked": g.last_asked.astimezone(zone).isoformat()}
                for g in self.gaps
            ],
        }


@dataclass(frozen=True)
class Day:
    """One local day of the period, for the chart: cases opened by priority, and targets missed."""

    day: date
    opened: dict[str, int]
    breaches: int
    business_day: bool = True  # False on weekends, holidays and closures of the desk


@dataclass(frozen=True)
class Report:
    period: Period
    as_of: datetime  # the period's end, or the moment the report was made if that came first
    cases: CaseFigures
    first_response: ResponseFigures
    faq: FaqFigures
    daily: list[Day] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        zone = self.period.zone
        return {
            "period": {
                "label": self.period.label,
                "since": self.period.local(self.period.since).isoformat(),
                "until": self.period.local(self.period.until).isoformat(),
                "as_of": self.period.local(self.as_of).isoformat(),
                "timezone": self.period.timezone,
            },
            "cases": self.cases.to_json(),
            "first_response": self.first_response.to_json(),
            "faq": self.faq.to_json(zone),
            "daily": [
                {"date": d.day.isoformat(), "business_day": d.business_day, "opened": d.opened, "breaches": d.breaches}
                for d in self.daily
            ],
        }
