"""Reporting: how support is doing, for a period — cases, first response, FAQ — with no Slack.

The one entry point is `Reports` (bot/reports/service.py):

    reports = Reports(db, clock, ReportRules.from_config(config), entry_questions={...})
    period = reports.period("7d")            # or "30d", "this-week", "last-week", "2026-11", since=/until=
    report = reports.figures(period)          # Report: .cases, .first_response, .faq, .daily
    render_text(report, "ja")                 # the figures as text (bot/reports/text.py)
    render_chart(report, "ja")                # Chart(png, alt_text) (bot/reports/chart.py; imports matplotlib)
    reports.case_rows(period)                 # one CaseRow per case, for write_csv / write_json

Narrower calls for surfaces that show less: `reports.cases(period)`, `reports.first_response(period)`,
`reports.faq(period)`. A period a person typed that makes no sense raises `PeriodError`.
"""

from bot.reports.figures import (
    CaseFigures,
    Day,
    EntryFeedback,
    FaqFigures,
    GapFigure,
    PriorityResponse,
    Report,
    ResponseFigures,
)
from bot.reports.periods import Period, PeriodError
from bot.reports.rules import ReportRules, SlaRules
from bot.reports.service import Reports

__all__ = [
    "CaseFigures",
    "Day",
    "EntryFeedback",
    "FaqFigures",
    "GapFigure",
    "Period",
    "PeriodError",
    "PriorityResponse",
    "Report",
    "ReportRules",
    "Reports",
    "ResponseFigures",
    "SlaRules",
]
