"""The teaching forms, submitted: a question linked to an entry (learned at once), a new entry (a draft).

Mistakes are shown next to their field (`response_action: errors`); once done, the form says what
happened (`response_action: update`).
"""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, BoltContext

from bot.errors import UserFacingError
from bot.faq_drafts import NewDraft
from bot.faq_teaching import FaqTeaching
from bot.i18n import t
from bot.slack.blocks import view_values
from bot.slack.desk import Desk
from bot.slack.faq_teach_blocks import done_view
from bot.slack.mrkdwn import escape_text, plain_field
from knowledge.search import KnowledgeIndex

_ENTRY_ERRORS = {"faq.teach.error.entry", "faq.teach.error.unknown_entry"}


def _metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        found = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def on_link_form(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    """「FAQに紐付け」 submitted: the question is a learned phrasing of the entry, searched from now on."""
    teaching: FaqTeaching = context["teaching"]
    knowledge: KnowledgeIndex = context["knowledge"]
    desk: Desk = context["desk"]
    values, metadata = view_values(view), _metadata(view)
    try:
        taught = teaching.link(
            entry_id=values.get("entry") or "",
            text=values.get("question") or "",
            agent=body["user"]["id"],
            channel=metadata.get("channel"),
            message_ts=metadata.get("ts"),
            asked_by=metadata.get("user"),
        )
    except UserFacingError as error:
        field = "entry" if error.key in _ENTRY_ERRORS else "question"
        ack(response_action="errors", errors={field: error.render(desk.language, quote=plain_field)})
        return
    entry = knowledge.get(taught.entry_id)
    text = t(
        "faq.teach.link.done",
        desk.language,
        text=escape_text(taught.text, limit=300),
        entry=escape_text(entry.question if entry else taught.entry_id),
    )
    ack(response_action="update", view=done_view(t("faq.teach.link.title", desk.language), text, desk.language))


def on_add_form(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    """「FAQに追加」 submitted: checked, acknowledged, then saved as a draft and put before the agents."""
    teaching: FaqTeaching = context["teaching"]
    desk: Desk = context["desk"]
    values, metadata = view_values(view), _metadata(view)
    author = body["user"]["id"]
    draft = NewDraft(
        question=values.get("question") or "",
        answer=values.get("answer") or "",
        category=values.get("category") or "",
        escalation=values.get("escalation"),
        links=values.get("links"),
        channel=metadata.get("channel"),
        message_ts=metadata.get("ts"),
    )
    errors = teaching.drafts.check(draft)
    if not teaching.is_agent(author):
        errors["question"] = UserFacingError("faq.teach.not_agent")
    if errors:
        shown = {field: error.render(desk.language, quote=plain_field) for field, error in errors.items()}
        ack(response_action="errors", errors=shown)
        return
    text = t("faq.teach.add.saved", desk.language, question=escape_text(draft.question, limit=200))
    ack(response_action="update", view=done_view(t("faq.teach.add.title", desk.language), text, desk.language))
    teaching.drafts.save(draft, author)  # after the ack: it posts the review message to the agents
