"""The figures of bot/reports as Block Kit: `/case stats` (ephemeral) and the weekly digest's message.

Nothing is computed here: the lines are bot/reports/text.py's, escaped (FAQ questions and customer
names are text people typed) and cut to Slack's limits — a header, one section per part of the report.
"""

from __future__ import annotations

from bot.i18n import t
from bot.reports import Report
from bot.reports.text import headline, sections
from bot.slack.blocks import Block, context, section
from bot.slack.mrkdwn import escape_text, plain_field

HEADER_LIMIT = 150  # characters in a header block's plain_text
TEXT_LIMIT = 3500  # the fallback `text`: what notifications and screen readers get


def report_blocks(report: Report, language: str, *, footer: str | None = None) -> tuple[str, list[Block]]:
    """The report as (fallback text, blocks): a header, when the figures were taken, one section per part."""
    title, as_of = headline(report, language)
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": plain_field(title, limit=HEADER_LIMIT)}},
        context(escape_text(as_of)),
    ]
    text_lines = [f"{title}  {as_of}"]
    for heading, *lines in sections(report, language):
        body = "\n".join(escape_text(line) for line in lines)
        blocks += [{"type": "divider"}, section(f"*{escape_text(heading)}*\n{body}")]
        text_lines += [heading, *lines]
    if footer:
        blocks.append(context(footer))
    return escape_text("\n".join(text_lines), limit=TEXT_LIMIT), blocks


def stats_message(report: Report, language: str) -> tuple[str, list[Block]]:
    """`/case stats`: the report, and which periods can be asked for."""
    return report_blocks(report, language, footer=t("stats.footer", language))
