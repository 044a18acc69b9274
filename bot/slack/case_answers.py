"""The answer to whoever changed a case (bot/case_answers.py), worded when the outbox sends it.

To the request's response_url while Slack still takes it (bot/slack/intake_replies.py's lifetime),
else by DM. Worded from the facts the change queued, so a later change does not alter the answer.
"""

from __future__ import annotations

from datetime import datetime

from bot.case_vocabulary import EventKind
from bot.clock import Clock
from bot.i18n import t
from bot.models import Case, OutboxMessage
from bot.slack import case_replies
from bot.slack.desk import Desk
from bot.slack.intake_replies import answer_post
from bot.slack.mrkdwn import mention
from bot.slack.notifier import Renderer, SlackPost

_PLAIN = {
    EventKind.ACKNOWLEDGED: "case.acknowledged",
    EventKind.RESOLVED: "case.resolved",
    EventKind.SELF_RESOLVED: "case.self_resolved",
    EventKind.REOPENED: "case.reopened",
}


def answer_text(kind: str, new: str | None, user: str, case: Case, desk: Desk) -> str:
    """What `user` is told about the change they made (an EventKind of bot.case_answers.ANSWERED)."""
    if kind in _PLAIN:
        return t(_PLAIN[EventKind(kind)], desk.language, number=case.number)
    if kind == EventKind.ASSIGNED:
        key = "case.taken" if new == user else "case.assigned"
        return t(key, desk.language, number=case.number, user=mention(new or ""))
    if kind == EventKind.PRIORITY_CHANGED:
        return case_replies.priority_changed(case, desk)
    if kind == EventKind.CUSTOMER_CHANGED:
        return case_replies.customer_changed(case, desk)
    return case_replies.escalated(case, desk)


def case_answer_renderer(clock: Clock, desk: Desk) -> Renderer:
    def render(message: OutboxMessage) -> SlackPost:
        payload = message.payload
        facts = dict(payload["case"])
        facts["due_at"] = datetime.fromisoformat(facts["due_at"]) if facts.get("due_at") else None
        to = payload["reply_to"]
        text = answer_text(payload["kind"], payload.get("new"), to["user"], Case(**facts), desk)
        return answer_post(to, text, datetime.fromisoformat(payload["at"]), clock)

    return render
