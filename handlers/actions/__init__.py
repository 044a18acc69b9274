"""Buttons: on a case's card and pages, on FAQ replies, and the teaching buttons agents use."""

from __future__ import annotations

import re

from slack_bolt import App

from bot.slack import case_blocks, faq_blocks, faq_teach_blocks
from handlers.actions import case_card, faq_answer, faq_teach


def register(app: App) -> None:
    app.action(case_blocks.ACTION_ACK)(case_card.on_ack)
    app.action(case_blocks.ACTION_TAKE)(case_card.on_take)
    app.action(case_blocks.ACTION_DESCRIPTION)(case_card.on_description)
    app.action(case_blocks.ACTION_ESCALATE)(case_card.on_escalate)
    app.action(case_blocks.ACTION_RESOLVE)(case_card.on_resolve)
    app.action(case_blocks.ACTION_REOPEN)(case_card.on_reopen)
    app.action(case_blocks.ACTION_NEW_LINKED)(case_card.on_new_linked)
    app.action(faq_blocks.ACTION_RESOLVED)(faq_answer.on_resolved)
    app.action(faq_blocks.ACTION_UNRESOLVED)(faq_answer.on_unresolved)
    app.action(re.compile(rf"^{faq_blocks.ACTION_PICK_PREFIX}\d+$"))(faq_answer.on_pick)
    app.action(faq_blocks.ACTION_SHOW)(faq_answer.on_show)
    app.action(faq_blocks.ACTION_OPEN_CASE)(faq_answer.on_open_case)
    app.action(faq_blocks.ACTION_NONE_MATCH)(faq_answer.on_none_match)
    app.action(faq_blocks.ACTION_CONFIRM_CANDIDATE)(faq_teach.on_confirm_candidate)
    app.action(faq_teach_blocks.ACTION_APPROVE)(faq_teach.on_approve)
    app.action(faq_teach_blocks.ACTION_DISCARD)(faq_teach.on_discard)
    app.action(faq_teach_blocks.ACTION_REMOVE)(faq_teach.on_remove)
    app.action(faq_teach_blocks.ACTION_LINK_GAP)(faq_teach.on_link_gap)
