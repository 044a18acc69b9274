"""Block Kit for teaching the FAQ: the two modals, the entry picker's options, a draft's review
message, and what agents see in `/faq gaps`, `/faq learned` and `/faq reload`."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from bot.faq import Gap
from bot.faq_sync import draft_entry
from bot.faq_teaching import Learned
from bot.faq_vocabulary import DraftStatus, PhrasingStatus, TeachKind
from bot.i18n import t
from bot.identifiers import is_user
from bot.models import FaqDraft, FaqPhrasing
from bot.slack.blocks import Block, actions, button, context, option, plain, section, text_input
from bot.slack.desk import Desk
from bot.slack.faq_blocks import ACTION_CONFIRM_CANDIDATE, entry_blocks
from bot.slack.mrkdwn import escape_text, mention_user
from knowledge.loader import Entry
from knowledge.reload import ReloadResult

SHORTCUT_LINK = "faq_link"  # 「FAQに紐付け」 on any message
SHORTCUT_ADD = "faq_add"  # 「FAQに追加」 on an agent's reply
VIEW_LINK = "faq_link_view"
VIEW_ADD = "faq_add_view"
ACTION_ENTRY = "faq_entry"  # the searchable picker (external_select): its options come from app.options
ACTION_LINK_GAP = "faq_link_gap"
ACTION_APPROVE = "faq_draft_approve"
ACTION_DISCARD = "faq_draft_discard"
ACTION_REMOVE = "faq_learned_remove"
MAX_OPTIONS = 100  # Slack shows at most 100 options
OPTION_TEXT = 75
MAX_LISTED = 20  # items of /faq gaps and /faq learned: within a message's 50 blocks
PHRASING_INPUT = 500
ANSWER_INPUT = 3000


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def entry_option(entry: Entry) -> dict[str, Any]:
    """An entry in the picker: its question, and its category under it."""
    return option(_short(entry.question, OPTION_TEXT), entry.id, _short(entry.category, OPTION_TEXT) or None)


def entry_options(entries: Sequence[Entry]) -> list[dict[str, Any]]:
    return [entry_option(entry) for entry in entries if len(entry.id) <= 150][:MAX_OPTIONS]


def _modal(
    callback_id: str, title: str, submit: str, language: str, metadata: dict[str, Any], blocks: list[Block]
) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": json.dumps(metadata)[:3000],
        "title": plain(title),
        "submit": plain(submit),
        "close": plain(t("case.modal.cancel", language)),
        "blocks": blocks,
    }


def link_modal(question: str, language: str, metadata: dict[str, Any], best: Entry | None) -> dict[str, Any]:
    """「FAQに紐付け」: the question (editable) and a searchable picker, the best match already chosen."""
    picker: dict[str, Any] = {
        "type": "external_select",
        "action_id": ACTION_ENTRY,
        "min_query_length": 1,
        "placeholder": plain(t("faq.teach.field.entry_placeholder", language)),
    }
    if best is not None:
        picker["initial_option"] = entry_option(best)
    blocks = [
        section(t("faq.teach.link.intro", language)),
        text_input(
            "question",
            t("faq.teach.field.question", language),
            multiline=True,
            optional=False,
            initial=question[:PHRASING_INPUT],
            max_length=PHRASING_INPUT,
        ),
        {"type": "input", "block_id": "entry", "label": plain(t("faq.teach.field.entry", language)), "element": picker},
    ]
    title, submit = t("faq.teach.link.title", language), t("faq.teach.link.submit", language)
    return _modal(VIEW_LINK, title, submit, language, metadata, blocks)


def add_modal(
    question: str, answer: str, categories: Sequence[str], category: str | None, language: str, metadata: dict[str, Any]
) -> dict[str, Any]:
    """「FAQに追加」: question and answer prefilled from the thread, a category, escalation and docs."""
    blocks = [
        section(t("faq.teach.add.intro", language)),
        text_input(
            "question",
            t("faq.teach.field.question", language),
            optional=False,
            initial=question[:PHRASING_INPUT],
            max_length=PHRASING_INPUT,
        ),
        text_input(
            "answer",
            t("faq.teach.field.answer", language),
            multiline=True,
            optional=False,
            initial=answer[:ANSWER_INPUT],
            max_length=ANSWER_INPUT,
        ),
    ]
    choices = [option(_short(name, OPTION_TEXT), name) for name in categories if name and len(name) <= 150]
    if choices:
        element: dict[str, Any] = {"type": "static_select", "action_id": "value", "options": choices[:MAX_OPTIONS]}
        initial = next((c for c in element["options"] if c["value"] == category), None)
        if initial is not None:
            element["initial_option"] = initial
        label = plain(t("faq.teach.field.category", language))
        blocks.append({"type": "input", "block_id": "category", "label": label, "element": element})
    blocks.append(text_input("escalation", t("faq.teach.field.escalation", language), max_length=PHRASING_INPUT))
    blocks.append(
        text_input(
            "links",
            t("faq.teach.field.links", language),
            multiline=True,
            max_length=ANSWER_INPUT,
            placeholder=t("faq.teach.field.links_hint", language),
        )
    )
    title, submit = t("faq.teach.add.title", language), t("faq.teach.add.submit", language)
    return _modal(VIEW_ADD, title, submit, language, metadata, blocks)


def done_view(title: str, text: str, language: str) -> dict[str, Any]:
    """What a modal turns into once its work is done: what happened, and a close button."""
    return {
        "type": "modal",
        "title": plain(title),
        "close": plain(t("faq.teach.done.close", language)),
        "blocks": [section(text)],
    }


# --- the draft's review message --------------------------------------------------------------------------


def draft_message(draft: FaqDraft, language: str, decided: str | None = None) -> tuple[str, list[Block]]:
    """A draft before the agents: the entry as it will answer, and approve / discard (or what was decided)."""
    author = mention_user(draft.created_by) if is_user(draft.created_by) else escape_text(draft.created_by)
    blocks: list[Block] = [section(t("faq.teach.draft.text", language, author=author)), {"type": "divider"}]
    blocks += entry_blocks(draft_entry(draft), language)
    if draft.category:
        blocks.append(context(f"{t('faq.teach.field.category', language)}: {escape_text(draft.category)}"))
    if decided:
        blocks.append(section(decided))
    elif draft.status == DraftStatus.DRAFT:
        value = str(draft.id)
        approve = button(t("faq.teach.draft.approve", language), ACTION_APPROVE, value, style="primary")
        discard = button(t("faq.teach.draft.discard", language), ACTION_DISCARD, value, style="danger")
        blocks.append(actions(f"faq_draft:{language}", [approve, discard]))
    return t("faq.teach.draft.fallback", language, question=escape_text(draft.question, limit=200)), blocks[:50]


def decision_line(draft: FaqDraft, agent: str, language: str) -> str:
    key = "faq.teach.draft.approved" if draft.status == DraftStatus.LIVE else "faq.teach.draft.discarded"
    return t(key, language, agent=mention_user(agent), question=escape_text(draft.question, limit=200))


# --- what agents see in /faq ---------------------------------------------------------------------------------


def gaps_blocks(gaps: Sequence[Gap], desk: Desk, language: str) -> tuple[str, list[Block]]:
    """`/faq gaps`: the unanswered questions, each with 「FAQに紐付け」."""
    if not gaps:
        text = t("faq.gaps.none", language)
        return text, [section(text)]
    header = t("faq.gaps.header", language)
    blocks: list[Block] = [section(header)]
    for gap in gaps[:MAX_LISTED]:
        line = t("faq.gaps.line", language, count=gap.count, when=desk.when(gap.last_asked, language))
        blocks.append(
            {
                **section(f"*{escape_text(gap.text, limit=300)}*\n{line}"),
                "accessory": button(t("faq.gaps.link_button", language), ACTION_LINK_GAP, gap.text[:1900]),
            }
        )
    return header, blocks


def learned_blocks(
    learned: Learned, question_of: Callable[[str], str | None], desk: Desk, language: str
) -> tuple[str, list[Block]]:
    """`/faq learned`: newest first, each with what an agent can do with it."""
    items: list[tuple[str, list[Block]]] = [
        *((f"{p.created_at.isoformat()}", _phrasing_blocks(p, question_of, desk, language)) for p in learned.phrasings),
        *((f"{d.created_at.isoformat()}", _draft_blocks(d, desk, language)) for d in learned.drafts),
    ]
    if not items:
        text = t("faq.learned.none", language)
        return text, [section(text)]
    header = t("faq.learned.header", language)
    blocks: list[Block] = [section(header)]
    for _when, item in sorted(items, key=lambda pair: pair[0], reverse=True)[:MAX_LISTED]:
        blocks += item
    return header, blocks


def _by_line(who: str | None, when: Any, desk: Desk, language: str) -> str:
    person = mention_user(who) if who and is_user(who) else escape_text(who or "-")
    return t("faq.learned.by", language, who=person, when=desk.when(when, language))


def _phrasing_blocks(
    row: FaqPhrasing, question_of: Callable[[str], str | None], desk: Desk, language: str
) -> list[Block]:
    ident = f"{TeachKind.PHRASING}{row.id}"
    entry = question_of(row.entry_id) or row.entry_id
    text = t(
        "faq.learned.phrasing",
        language,
        id=ident,
        status=t(f"faq.status.{row.status}", language),
        text=escape_text(row.text, limit=200),
        entry=escape_text(entry, limit=100),
    )
    text += "\n" + _by_line(row.learned_by or row.created_by, row.learned_at or row.created_at, desk, language)
    remove = button(t("faq.learned.remove_button", language), ACTION_REMOVE, ident)
    if row.status != PhrasingStatus.CANDIDATE:
        return [{**section(text), "accessory": remove}]
    confirm = button(t("faq.learned.confirm_button", language), ACTION_CONFIRM_CANDIDATE, str(row.id), style="primary")
    return [section(text), actions(f"faq_learned_{ident}:{language}", [confirm, remove])]


def _draft_blocks(row: FaqDraft, desk: Desk, language: str) -> list[Block]:
    ident = f"{TeachKind.ENTRY}{row.id}"
    status = t(f"faq.status.{row.status}", language)
    text = t("faq.learned.entry", language, id=ident, status=status, question=escape_text(row.question, limit=200))
    text += "\n" + _by_line(row.reviewed_by or row.created_by, row.reviewed_at or row.created_at, desk, language)
    if row.status != DraftStatus.DRAFT:
        return [{**section(text), "accessory": button(t("faq.learned.remove_button", language), ACTION_REMOVE, ident)}]
    value = str(row.id)
    approve = button(t("faq.teach.draft.approve", language), ACTION_APPROVE, value, style="primary")
    discard = button(t("faq.teach.draft.discard", language), ACTION_DISCARD, value)
    return [section(text), actions(f"faq_learned_{ident}:{language}", [approve, discard])]


def reload_text(results: Sequence[ReloadResult], language: str) -> str:
    """`/faq reload`: what changed per file, and each broken file with its line."""
    lines = [t("faq.reload.done", language)]
    for result in results:
        for error in result.errors:
            location = f"{error.source}:{error.line}"
            lines.append(
                t("faq.reload.error", language, location=escape_text(location), message=escape_text(error.message))
            )
        if result.ok and (result.added or result.changed or result.removed):
            lines.append(
                t(
                    "faq.reload.file",
                    language,
                    file=escape_text(result.source),
                    added=len(result.added),
                    changed=len(result.changed),
                    removed=len(result.removed),
                )
            )
    if len(lines) == 1:
        lines.append(t("faq.reload.unchanged", language))
    return "\n".join(lines)[:3000]
