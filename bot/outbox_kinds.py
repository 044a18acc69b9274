"""What the outbox carries: the kind of each message and its unique key, in one place.

Both are stored (`outbox.kind`, `outbox.dedupe_key`), so their values never change: a row queued
by the previous version is still delivered after an upgrade, and a key decided twice (two
replicas, a restart) is still one row. Keys are unique per (case, kind, sequence).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum


class OutboxKind(StrEnum):
    FAQ_ANSWER = "faq.answer"
    FAQ_SUGGEST = "faq.suggest"
    FAQ_NOT_FOUND = "faq.not_found"
    # Teaching (bot/faq_teaching.py): a candidate phrasing's note to agents, a draft entry's review message.
    FAQ_CANDIDATE = "faq.candidate"
    FAQ_DRAFT = "faq.draft"
    CASE_CARD = "case.card"
    CASE_CARD_UPDATE = "case.card_update"
    CASE_THREAD = "case.thread"
    # The pages (bot/sla_clock.py's Pager, one renderer): a high case opened or raised to high, a
    # breach in the emergency channel, and the DM to the person on call that goes with a breach.
    PAGE = "case.emergency"
    BREACH_PAGE = "sla.breach"
    BREACH_DM = "sla.breach_dm"
    # A page or on-call DM edited in place: the re-page count, then who acknowledged or resolved it.
    PAGE_UPDATE = "sla.page_update"
    # In the case's thread: the warning before the due time, the CS Lead ping after it.
    SLA_WARNING = "sla.warning"
    SLA_LEAD = "sla.lead"
    # What the reporter is told (bot/case_notices.py): in the FAQ thread the case came from, or by DM.
    CASE_REPORTER = "case.reporter"
    # `/oncall set` and `/oncall clear`: a DM to whoever is now on call, a line in the emergency channel.
    ONCALL_DM = "oncall.dm"
    ONCALL_LINE = "oncall.line"
    # The answer to a request recorded before its ack (bot/intake.py): the case's number, or why not.
    INTAKE_REPLY = "intake.reply"
    # The weekly digest (bot/reports/digest.py): the week's figures and chart, one file upload.
    REPORT_DIGEST = "report.digest"
    # The answer to whoever changed a case by a `/case` verb or a card button (bot/case_answers.py).
    CASE_ANSWER = "case.answer"


PAGES = frozenset({OutboxKind.PAGE, OutboxKind.BREACH_PAGE, OutboxKind.BREACH_DM})
SLA_NOTICES = PAGES | {OutboxKind.SLA_WARNING, OutboxKind.SLA_LEAD}
"""Messages that only matter while the case waits for its first response (bot/sla_clock.py)."""


# --- keys --------------------------------------------------------------------------------------------


def faq_reply_key(channel: str, ts: str) -> str:
    return f"faq:{channel}:{ts}"


FAQ_PICK_MARK = ":pick:"  # in the key of every answer someone picked (`faq_pick_key`): how picks are found


def faq_pick_key(channel: str, question_ts: str, entry_id: str) -> str:
    return f"faq:{channel}:{question_ts}{FAQ_PICK_MARK}{entry_id}"


def faq_candidate_key(phrasing_id: int) -> str:
    return f"faq:phrasing:{phrasing_id}:candidate"


def faq_draft_key(draft_id: int) -> str:
    return f"faq:draft:{draft_id}:review"


def card_key(case_id: int) -> str:
    return f"case:{case_id}:card"


def thread_line_key(case_id: int, event_id: int) -> str:
    return f"case:{case_id}:event:{event_id}"


def card_update_key(case_id: int, event_id: int) -> str:
    return f"case:{case_id}:card:{event_id}"


def card_refresh_key(after: str) -> str:
    """The card update that follows a delivered message (a breach page makes the card read "…超過")."""
    return f"{after}:card"


def page_key(case_id: int, occasion: str) -> str:
    """A high case's page when it opens ("opened") or is raised to high ("event<id>")."""
    return f"case:{case_id}:emergency:{occasion}"


def warning_key(case_id: int, priority: str, due_at: datetime) -> str:
    return f"sla:{case_id}:warning:{priority}:{due_at.isoformat()}"


def breach_key(case_id: int, due_at: datetime, sequence: int) -> str:
    return f"sla:{case_id}:breach:{due_at.isoformat()}:{sequence}"


def dm_key(page: str) -> str:
    """The DM to the person on call that goes with a page."""
    return f"{page}:dm"


def chain_key(case_id: int, due_at: datetime, step: str) -> str:
    """The escalation chain's step for a case nobody acknowledged: once per (case, due time, step)."""
    return f"sla:{case_id}:chain:{due_at.isoformat()}:{step}"


def page_update_key(case_id: int, target: int | str, occasion: str) -> str:
    """An edit of the case's page or one of its DMs (`target`: an outbox id, or "page"), for one occasion."""
    return f"sla:{case_id}:page-update:{target}:{occasion}"


def reporter_key(case_id: int, event_id: int) -> str:
    """What the reporter is told about one change of their case."""
    return f"case:{case_id}:reporter:{event_id}"


def oncall_keys(override_id: int, change: str) -> tuple[str, str]:
    """The DM and the emergency channel's line for one `/oncall set` or `/oncall clear`."""
    return f"oncall:{override_id}:{change}:dm", f"oncall:{override_id}:{change}:line"


def lead_key(case_id: int, due_at: datetime) -> str:
    return f"sla:{case_id}:lead:{due_at.isoformat()}"


def intake_reply_key(request_id: str) -> str:
    """The one answer to an acknowledged request (its identity: bot/intake.py's Received.request_id)."""
    return f"intake:{request_id}:reply"


def digest_key(period_key: str) -> str:
    """The weekly digest of the week starting `period_key` (YYYY-MM-DD)."""
    return f"report:digest:{period_key}"


def case_answer_key(case_id: int, event_id: int) -> str:
    """The answer to the person whose request made the change `event_id`."""
    return f"case:{case_id}:answer:{event_id}"
