"""Block Kit for FAQ answers, "もしかして" suggestions and `/faq` results.

Nothing for everyone carries scores or source lines: those are for agents (`/faq` shows them to
agents only). Replies for customers (in a customer's channel) leave out the escalation note (it names
the team's contacts) and speak in the customer-facing tone. Every reply that did not answer — もしかして, nothing found — offers 「ケースを起票」,
and もしかして offers 「どれも違う」 too, so no reply is a dead end. Buttons carry the question's ts
(`answer_value`), so they find the question wherever the reply was posted.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.faq_markdown import from_database
from bot.i18n import Language, t
from bot.slack.blocks import SHOWN_LIMIT, Block, button
from bot.slack.blocks import actions as _actions
from bot.slack.blocks import context as _context
from bot.slack.blocks import section as _section
from bot.slack.mrkdwn import escape, escape_text, link, markdown_to_mrkdwn
from knowledge.loader import Entry
from knowledge.search import SearchResult

ACTION_RESOLVED = "faq_resolved"
ACTION_UNRESOLVED = "faq_unresolved"
ACTION_PICK_PREFIX = "faq_pick_"
ACTION_SHOW = "faq_show"
ACTION_OPEN_CASE = "faq_open_case"
ACTION_NONE_MATCH = "faq_none_match"
ACTION_CONFIRM_CANDIDATE = "faq_confirm_candidate"
MAX_SHOWN_SUGGESTIONS = 5


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


def answer_value(entry_id: str | None, question_ts: str | None) -> str:
    """A button's value: the entry it is about and the question it answers."""
    return json.dumps({"e": entry_id or "", "q": question_ts or ""}, separators=(",", ":"))


def parse_value(value: str | None, message: dict[str, Any] | None = None) -> tuple[str, str | None]:
    """(entry id, question ts) from a button's value; buttons posted before the value carried the
    question hold the bare entry id, and their question is the thread's first message."""
    value = value or ""
    if value.startswith("{"):
        try:
            data = json.loads(value)
            return str(data.get("e") or ""), str(data.get("q") or "") or None
        except ValueError:
            pass
    message = message or {}
    return value, message.get("thread_ts") or message.get("ts")


def entry_blocks(entry: Entry, language: str, *, details: bool = False, customer: bool = False) -> list[Block]:
    """The answer itself: question, answer, steps, escalation, related docs; with `details` (agents
    only) also where it is written; for a `customer`, without the escalation note."""
    blocks: list[Block] = [_section(f"*Q. {escape(entry.question)}*")]
    blocks += [_section(chunk) for chunk in _chunks(markdown_to_mrkdwn(entry.answer))]
    for label, body in entry.sections:
        blocks += [_section(chunk) for chunk in _chunks(f"*{escape(label)}*\n{markdown_to_mrkdwn(body)}")]
    if entry.escalation and not customer:
        blocks.append(_context(f"🔺 *{t('faq.answer.escalation', language)}*: {markdown_to_mrkdwn(entry.escalation)}"))
    if entry.links:
        links = " · ".join(link(item.url, item.title) for item in entry.links)
        blocks.append(_context(f"📎 *{t('faq.answer.related', language)}*: {links}"))
    if details:
        blocks.append(_context(source_line(entry, language)))
    return blocks


def source_line(entry: Entry, language: str) -> str:
    """Where an entry is written: its file and line, or that it was written in Slack (not exported yet)."""
    category = f" · {escape(entry.category)}" if entry.category else ""
    where = t("faq.answer.source_slack", language) if from_database(entry) else f"`{escape(entry.location)}`"
    return f"{t('faq.answer.source', language)}: {where}{category}"


def answer_message(
    entry: Entry,
    language: str,
    question_ts: str | None = None,
    *,
    customer: bool = False,
    others: Sequence[Entry] = (),
) -> tuple[str, list[Block]]:
    """An answer, with the two feedback buttons (for a `customer`: only what customers may read); an
    unsure answer (`SearchResult.others`) then offers the next candidates, each a button that posts its answer."""
    value = answer_value(entry.id, question_ts)
    blocks = entry_blocks(entry, language, customer=customer)
    blocks.append(
        _actions(
            f"faq_feedback:{language}",
            [
                button(t("faq.answer.resolved_button", language), ACTION_RESOLVED, value, style="primary"),
                button(t("faq.answer.unresolved_button", language), ACTION_UNRESOLVED, value),
            ],
        )
    )
    if others:
        blocks.append(_context(t("faq.answer.others", language)))
        blocks.append(_actions(f"faq_others:{language}", _pick_buttons(others, question_ts)))
    return t("faq.answer.fallback", language, question=escape(entry.question)), blocks


def _pick_buttons(entries: Sequence[Entry], question_ts: str | None) -> list[Block]:
    """A button per candidate: a click posts its answer where the buttons are (`handlers.actions.faq_answer.on_pick`)."""
    return [
        button(entry.question, f"{ACTION_PICK_PREFIX}{index}", answer_value(entry.id, question_ts))
        for index, entry in enumerate(entries)
    ]


def suggestions_message(
    entries: list[Entry], language: str, question_ts: str | None = None, *, customer: bool = False
) -> tuple[str, list[Block]]:
    """Candidate questions as buttons (a click posts that answer), then 「どれも違う」 and 「ケースを起票」."""
    shown = entries[:MAX_SHOWN_SUGGESTIONS]
    blocks: list[Block] = [
        _section(t("faq.suggest.intro.customer" if customer else "faq.suggest.intro", language)),
        _actions(f"faq_suggestions:{language}", _pick_buttons(shown, question_ts)),
        _actions(
            f"faq_no_match:{language}",
            [
                button(t("faq.button.none_match", language), ACTION_NONE_MATCH, answer_value(None, question_ts)),
                button(t("faq.button.open_case", language), ACTION_OPEN_CASE, answer_value(None, question_ts)),
            ],
        ),
    ]
    questions = " / ".join(escape(entry.question) for entry in shown)
    return t("faq.suggest.fallback", language, questions=questions), blocks


def not_found_message(
    language: str, question_ts: str | None = None, *, customer: bool = False
) -> tuple[str, list[Block]]:
    text = t("faq.not_found.customer" if customer else "faq.not_found", language)
    case = button(t("faq.button.open_case", language), ACTION_OPEN_CASE, answer_value(None, question_ts))
    return text, [_section(text), _actions(f"faq_not_found:{language}", [case])]


def candidate_message(entry: Entry, phrasing_id: int, language: str) -> tuple[str, list[Block]]:
    """A confirmed suggestion waiting for an agent: one click learns it."""
    text = t("faq.teach.candidate.text", language, entry=escape(entry.question))
    confirm = button(t("faq.teach.candidate.button", language), ACTION_CONFIRM_CANDIDATE, str(phrasing_id))
    return text, [_context(text), _actions(f"faq_candidate:{language}", [confirm])]


def search_results_blocks(
    query: str, result: SearchResult, language: str, *, details: bool = False, customer: bool = False
) -> tuple[str, list[Block]]:
    """`/faq 質問`: the top matches, privately; the best one in full. With `details` (agents): the
    scores, the decision the bot would take, and where each entry is written; for a `customer`, what
    customers may read."""
    shown = escape_text(query, limit=100)
    candidates = [c for c in result.candidates if c.score > 0][:3]
    if not candidates or (result.decision == "none" and not details):
        text = t("faq.command.none", language, query=shown)
        return text, [_section(text)]
    blocks: list[Block] = [_section(f"*{t('faq.command.results', language, query=shown)}*")]
    if details:
        decision = t(f"faq.decision.{'confirmed' if result.confirmed else result.decision}", language)
        if result.confidence is not None:  # the learned judge's (knowledge.confidence)
            decision += t("faq.decision.confidence", language, confidence=f"{result.confidence:.2f}")
        blocks.append(_context(t("faq.command.decision", language, decision=decision)))
    for position, candidate in enumerate(candidates):
        blocks.append({"type": "divider"})
        extra = f"\n{t('faq.command.score', language, score=f'{candidate.score:.2f}')}" if details else ""
        if position == 0:
            blocks += entry_blocks(candidate.entry, language, details=details, customer=customer)
            if details:
                blocks.append(_context(extra.strip()))
        else:
            blocks.append(
                {
                    "type": "section",
                    "text": {"type": "mrkdwn", "text": f"*Q. {escape(candidate.entry.question)}*{extra}"},
                    "block_id": f"faq_result_{position}:{language}",
                    "accessory": button(t("faq.command.show_button", language), ACTION_SHOW, candidate.entry.id),
                }
            )
    return t("faq.command.results", language, query=shown), blocks
