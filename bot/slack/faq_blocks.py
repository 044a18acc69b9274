"""Block Kit for FAQ answers, "もしかして" suggestions and `/faq` results."""

from __future__ import annotations

from bot.i18n import Language, t
from bot.slack.blocks import SHOWN_LIMIT, Block, button
from bot.slack.blocks import context as _context
from bot.slack.blocks import section as _section
from bot.slack.mrkdwn import escape, escape_text, link, markdown_to_mrkdwn
from knowledge.loader import Entry
from knowledge.search import SearchResult

ACTION_RESOLVED = "faq_resolved"
ACTION_UNRESOLVED = "faq_unresolved"
ACTION_PICK_PREFIX = "faq_pick_"
ACTION_SHOW = "faq_show"


def _chunks(text: str) -> list[str]:
    """Split long mrkdwn at line breaks so every section stays under Slack's limit."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        if len(current) + len(line) + 1 > SHOWN_LIMIT and current:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    return chunks or [""]


def block_language(block_id: str | None, default: Language) -> Language:
    """The language a message was rendered in, carried in its block_id ("faq_feedback:en")."""
    _, _, language = (block_id or "").rpartition(":")
    return Language.of(language, default)


def entry_blocks(entry: Entry, language: str) -> list[Block]:
    """The answer itself: question, answer, steps, escalation, related docs and source."""
    blocks: list[Block] = [_section(f"*Q. {escape(entry.question)}*")]
    blocks += [_section(chunk) for chunk in _chunks(markdown_to_mrkdwn(entry.answer))]
    for label, body in entry.sections:
        blocks += [_section(chunk) for chunk in _chunks(f"*{escape(label)}*\n{markdown_to_mrkdwn(body)}")]
    if entry.escalation:
        blocks.append(_context(f"🔺 *{t('faq.answer.escalation', language)}*: {markdown_to_mrkdwn(entry.escalation)}"))
    if entry.links:
        links = " · ".join(link(item.url, item.title) for item in entry.links)
        blocks.append(_context(f"📎 *{t('faq.answer.related', language)}*: {links}"))
    source = f"{entry.source}:{entry.line}"
    category = f" · {escape(entry.category)}" if entry.category else ""
    blocks.append(_context(f"{t('faq.answer.source', language)}: `{escape(source)}`{category}"))
    return blocks


def answer_message(entry: Entry, language: str) -> tuple[str, list[Block]]:
    """An answer in a thread, with the two feedback buttons."""
    blocks = entry_blocks(entry, language)
    blocks.append(
        {
            "type": "actions",
            "block_id": f"faq_feedback:{language}",
            "elements": [
                button(t("faq.answer.resolved_button", language), ACTION_RESOLVED, entry.id, style="primary"),
                button(t("faq.answer.unresolved_button", language), ACTION_UNRESOLVED, entry.id),
            ],
        }
    )
    return t("faq.answer.fallback", language, question=escape(entry.question)), blocks


def suggestions_message(entries: list[Entry], language: str) -> tuple[str, list[Block]]:
    """Up to three candidate questions as buttons; a click posts that answer in the thread."""
    blocks: list[Block] = [
        _section(t("faq.suggest.intro", language)),
        {
            "type": "actions",
            "block_id": f"faq_suggestions:{language}",
            "elements": [
                button(entry.question, f"{ACTION_PICK_PREFIX}{index}", entry.id)
                for index, entry in enumerate(entries[:5])
            ],
        },
    ]
    questions = " / ".join(escape(entry.question) for entry in entries)
    return t("faq.suggest.fallback", language, questions=questions), blocks


def not_found_message(language: str) -> tuple[str, list[Block]]:
    text = t("faq.not_found", language)
    return text, [_section(text)]


def search_results_blocks(query: str, result: SearchResult, language: str) -> tuple[str, list[Block]]:
    """`/faq 質問`: the top matches, privately; the best one in full."""
    shown = escape_text(query, limit=100)
    candidates = [c for c in result.candidates if c.score > 0][:3]
    if not candidates or result.decision == "none":
        text = t("faq.command.none", language, query=shown)
        return text, [_section(text)]
    blocks: list[Block] = [_section(f"*{t('faq.command.results', language, query=shown)}*")]
    for position, candidate in enumerate(candidates):
        blocks.append({"type": "divider"})
        score = t("faq.command.score", language, score=f"{candidate.score:.2f}")
        if position == 0:
            blocks += entry_blocks(candidate.entry, language)
            blocks.append(_context(score))
        else:
            blocks.append(
                {
                    "type": "section",
                    "text": {"type": "mrkdwn", "text": f"*Q. {escape(candidate.entry.question)}*\n{score}"},
                    "block_id": f"faq_result_{position}:{language}",
                    "accessory": button(t("faq.command.show_button", language), ACTION_SHOW, candidate.entry.id),
                }
            )
    return t("faq.command.results", language, query=shown), blocks
