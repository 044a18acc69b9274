"""`/case stats [7d|30d|this-month|YYYY-MM]`: how support is doing, ephemeral, for agents.

The figures are bot/reports's; this only checks who asks and which period, and shows them.
"""

from __future__ import annotations

from slack_bolt import BoltContext, Respond

from bot.agents import AgentDirectory
from bot.case_commands import CaseCommand
from bot.i18n import t
from bot.reports import PeriodError, Reports
from bot.slack.desk import Desk
from bot.slack.mrkdwn import escape_text
from bot.slack.report_blocks import stats_message

WORD_LIMIT = 40  # how much of a period nobody can mean is repeated back


def answer_stats(parsed: CaseCommand, user: str, respond: Respond, context: BoltContext) -> None:
    desk: Desk = context["desk"]
    agents: AgentDirectory = context["agents"]
    if not agents.is_agent(user):
        respond(text=t("stats.agents_only", desk.language), response_type="ephemeral")
        return
    reports: Reports = context["reports"]
    try:
        period = reports.period(parsed.word)
    except PeriodError:
        word = escape_text(parsed.word or "", limit=WORD_LIMIT)
        respond(text=t("stats.bad_period", desk.language, word=word), response_type="ephemeral")
        return
    text, blocks = stats_message(reports.figures(period), desk.language)
    respond(text=text, blocks=blocks, response_type="ephemeral")
