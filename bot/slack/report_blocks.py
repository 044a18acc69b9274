"""The figures of bot/reports in Slack: `/case stats` (ephemeral Block Kit) and the weekly digest (the chart
uploaded with the figures as its comment).

Nothing is computed here: the lines are bot/reports/text.py's, escaped (FAQ questions and customer
names are text people typed) and cut to Slack's limits — a header, one section per part of the report.
"""

from __future__ import annotations

from bot.i18n import t
from bot.models import OutboxMessage
from bot.outbox_kinds import OutboxKind
from bot.reports import Report, Reports
from bot.reports.chart import Chart, render_chart
from bot.reports.digest import period_of
from bot.reports.text import headline, render_text, sections
from bot.slack.blocks import Block, context, section
from bot.slack.mrkdwn import escape_text, plain_field
from bot.slack.notifier import FileUpload, Renderer, SlackPost

HEADER_LIMIT = 150  # characters in a header block's plain_text
TEXT_LIMIT = 3500  # the fallback `text`: what notifications and screen readers get
ALT_TEXT_LIMIT = 1000  # an image's alt text (Block Kit's image block allows 2000; kept well within)


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


def digest_post(report: Report, chart: Chart, channel: str, language: str) -> SlackPost:
    """The weekly digest: the chart (with its alt text), and the figures as its message, for people who
    do not open the image. The file's name is unique to the week (how a retry finds an earlier upload)."""
    period = report.period
    first, last = f"{period.first_day():%Y-%m-%d}", f"{period.last_day():%Y-%m-%d}"
    intro = f"*{t('digest.intro', language)}* {first} 〜 {last}"
    text = f"{intro}\n```\n{escape_text(render_text(report, language).strip())}\n```"
    upload = FileUpload(
        data=chart.png,
        filename=f"support-digest-{first}.png",
        title=t("digest.chart_title", language, since=first, until=last),
        alt_text=chart.alt_text[:ALT_TEXT_LIMIT],
    )
    return SlackPost(channel=channel, text=text, upload=upload)


def digest_renderers(reports: Reports, language: str) -> dict[str, Renderer]:
    """Outbox kind → the digest, rendered when it is sent (the chart is drawn then, in the sender's thread)."""

    def digest(message: OutboxMessage) -> SlackPost:
        report = reports.figures(period_of(message.payload))
        return digest_post(report, render_chart(report, language), message.payload["channel"], language)

    return {OutboxKind.REPORT_DIGEST: digest}
