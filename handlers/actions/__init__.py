"""Buttons: on a case's card and pages, and on FAQ answers."""

from __future__ import annotations

import re

from slack_bolt import App

from bot.slack import case_blocks, faq_blocks
from handlers.actions import case_card, faq_answer


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
