"""What askers made of the FAQ's answers, per entry: one count for `supportbot faq feedback` (all time,
bot/faq.py) and for the reports and App Home (a period, bot/reports/faq_figures.py).

Two signals: the 「解決しました」/「解決しない」 votes, and answers *passed over* — the asker picked another
candidate offered under an unsure answer (an outbox FAQ_ANSWER whose key holds `FAQ_PICK_MARK`, for a
question the bot answered), so that answer was likely wrong. A period is half-open, [since, end), as the
reports' are; None on either side leaves it open.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlmodel import Session, col

from bot.models import FaqFeedback, FaqReply, OutboxMessage
from bot.outbox_kinds import FAQ_PICK_MARK, OutboxKind

CHUNK = 500  # question ts looked up per query
Question = tuple[str, str]  # (channel, ts) of the question the bot answered


def _during(column: Any, since: datetime | None, end: datetime | None) -> list[ColumnElement[bool]]:
    """since <= column < end, leaving out a side that is None (all time: no condition at all)."""
    conditions = []
    if since is not None:
        conditions.append(column >= since)
    if end is not None:
        conditions.append(column < end)
    return conditions


def votes(session: Session, since: datetime | None = None, end: datetime | None = None) -> dict[str, tuple[int, int]]:
    """entry id → (「解決しました」, 「解決しない」) votes cast, or last changed, in the period."""
    query = (
        select(col(FaqFeedback.entry_id), col(FaqFeedback.helpful), func.count())
        .where(*_during(col(FaqFeedback.created_at), since, end))
        .group_by(col(FaqFeedback.entry_id), col(FaqFeedback.helpful))
    )
    summary: dict[str, tuple[int, int]] = {}
    for entry_id, helpful, count in session.execute(query).all():
        yes, no = summary.get(entry_id, (0, 0))
        summary[entry_id] = (yes + int(count), no) if helpful else (yes, no + int(count))
    return summary


def passed_over(session: Session, since: datetime | None = None, end: datetime | None = None) -> dict[str, int]:
    """entry id → how many questions it answered where the asker picked another entry in the period.
    A question counts once however many candidates were picked; a もしかして pick (a question the bot
    did not answer) and a pick of the answer's own entry pass nothing over."""
    picks = select(col(OutboxMessage.payload)).where(
        col(OutboxMessage.kind) == OutboxKind.FAQ_ANSWER,
        col(OutboxMessage.dedupe_key).contains(FAQ_PICK_MARK),
        *_during(col(OutboxMessage.created_at), since, end),
    )
    picked: dict[Question, set[str]] = defaultdict(set)
    for pick in session.execute(picks).scalars():
        picked[(str(pick.get("channel")), str(pick.get("question_ts")))].add(str(pick.get("entry_id")))
    answered = _answers(session, picked)
    return dict(Counter(entry for question, entry in answered.items() if picked[question] - {entry}))


def _answers(session: Session, questions: Iterable[Question]) -> dict[Question, str]:
    """(channel, ts) → the entry the bot answered with, for those of `questions` it answered."""
    wanted = set(questions)
    stamps = sorted({ts for _, ts in wanted})
    found: dict[Question, str] = {}
    for start in range(0, len(stamps), CHUNK):
        query = select(col(FaqReply.channel), col(FaqReply.message_ts), col(FaqReply.entry_id)).where(
            col(FaqReply.decision) == "answer", col(FaqReply.message_ts).in_(stamps[start : start + CHUNK])
        )
        found |= {(c, ts): e for c, ts, e in session.execute(query).all() if (c, ts) in wanted and e is not None}
    return found


def to_fix_first(voted: Mapping[str, tuple[int, int]], passed: Mapping[str, int]) -> list[str]:
    """The entries marked 「解決しない」 or passed over, by the two added together, most first (then the
    fewest 「解決しました」): the answers to rewrite first, in `faq feedback`, the reports and App Home alike."""

    def badness(entry: str) -> tuple[int, int, str]:
        solved, not_solved = voted.get(entry, (0, 0))
        return -(not_solved + passed.get(entry, 0)), solved, entry

    unresolved = {entry for entry, (_, not_solved) in voted.items() if not_solved}
    return sorted(unresolved | {entry for entry, count in passed.items() if count}, key=badness)
