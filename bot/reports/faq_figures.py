"""FAQ figures for a period: questions handled and how, feedback per entry, deflection, and gaps.

A question is a message the bot handled (`faq_replies`); greetings and thanks it was mentioned
with are chit-chat and left out. Deflection: the bot answered, nobody marked the answer
「解決しない」, and the asker did not open a case within `FOLLOW_UP` of the answer.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from bot import faq_feedback
from bot.clock import as_utc
from bot.models import Case, FaqFeedback, FaqReply, OutboxMessage, UnansweredQuestion
from bot.reports.figures import EntryFeedback, FaqFigures, GapFigure
from bot.reports.query import as_time, chunked, within
from knowledge.normalize import looks_like_question

FOLLOW_UP = timedelta(hours=24)
TOP_UNRESOLVED = 5
TOP_GAPS = 10
ANSWER, SUGGEST, NONE = "answer", "suggest", "none"  # faq_replies.decision


def decisions(session: Session, since: datetime, end: datetime) -> dict[str, int]:
    query = (
        select(col(FaqReply.decision), func.count())
        .where(within(col(FaqReply.created_at), since, end))
        .group_by(col(FaqReply.decision))
    )
    return {decision: int(count) for decision, count in session.execute(query).all()}


def chit_chat(session: Session, since: datetime, end: datetime) -> int:
    """Unanswered messages that were not questions (「お疲れさまです」 said to the bot): counted per text."""
    query = (
        select(col(FaqReply.question), func.count())
        .where(col(FaqReply.decision) == NONE, within(col(FaqReply.created_at), since, end))
        .group_by(col(FaqReply.question))
    )
    return sum(int(count) for text, count in session.execute(query).all() if not looks_like_question(text or ""))


def _unhelpful_answers(session: Session, replies: Sequence[Any], since: datetime) -> set[str]:
    """Outbox keys of the answers (to these questions) someone marked 「解決しない」.

    Votes are stored against the bot's answer message; the outbox row that posted it links it to the
    question (its key is faq:<channel>:<question ts>, bot/faq.py). A vote comes after its answer.
    """
    votes = select(col(FaqFeedback.channel), col(FaqFeedback.message_ts)).where(
        col(FaqFeedback.created_at) >= since, col(FaqFeedback.helpful).is_(False)
    )
    unhelpful = {(channel, ts) for channel, ts in session.execute(votes).all()}
    if not unhelpful:
        return set()
    found = set()
    for keys in chunked(_answer_key(r.channel, r.message_ts) for r in replies):
        query = select(
            col(OutboxMessage.dedupe_key), col(OutboxMessage.sent_channel), col(OutboxMessage.sent_ts)
        ).where(col(OutboxMessage.dedupe_key).in_(keys))
        found |= {key for key, channel, ts in session.execute(query).all() if (channel, ts) in unhelpful}
    return found


def _answer_key(channel: str, ts: str) -> str:
    return f"faq:{channel}:{ts}"


def deflected(session: Session, since: datetime, end: datetime) -> int:
    """Answers in [since, end) not marked 「解決しない」 by anyone and not followed by a case from the asker."""
    query = select(
        col(FaqReply.channel), col(FaqReply.message_ts), col(FaqReply.user_id), col(FaqReply.created_at)
    ).where(col(FaqReply.decision) == ANSWER, within(col(FaqReply.created_at), since, end))
    answers = session.execute(query).all()
    if not answers:
        return 0
    unhelpful = _unhelpful_answers(session, answers, since)
    opened: dict[str, list[datetime]] = defaultdict(list)
    cases = select(col(Case.reporter_id), col(Case.created_at)).where(
        within(col(Case.created_at), since, end + FOLLOW_UP)
    )
    for reporter, created in session.execute(cases).all():
        opened[reporter].append(as_utc(created))
    for times in opened.values():
        times.sort()
    return sum(
        1
        for channel, ts, user, answered in answers
        if _answer_key(channel, ts) not in unhelpful and not _followed(opened.get(user or "", []), as_utc(answered))
    )


def _followed(case_times: list[datetime], answered: datetime) -> bool:
    index = bisect.bisect_left(case_times, answered)
    return index < len(case_times) and case_times[index] < answered + FOLLOW_UP


def feedback(session: Session, since: datetime, end: datetime, questions: Mapping[str, str]) -> list[EntryFeedback]:
    """Per entry, the votes cast (or last changed) in the period and the answers passed over in it
    (bot/faq_feedback.py), most votes first."""
    votes, passed = faq_feedback.votes(session, since, end), faq_feedback.passed_over(session, since, end)
    entries = [
        EntryFeedback(entry, questions.get(entry), *votes.get(entry, (0, 0)), passed.get(entry, 0))
        for entry in votes.keys() | passed.keys()
    ]
    return sorted(entries, key=lambda e: (-(e.resolved + e.unresolved), -e.unresolved, -e.passed_over, e.entry_id))


def gaps(session: Session, since: datetime, end: datetime, limit: int = TOP_GAPS) -> list[GapFigure]:
    """The most frequent unanswered questions of the period, chit-chat excluded."""
    count = func.count()
    query = (
        select(col(UnansweredQuestion.normalized), count, func.min(col(UnansweredQuestion.text)))
        .add_columns(func.max(col(UnansweredQuestion.created_at)).label("last"))
        .where(within(col(UnansweredQuestion.created_at), since, end))
        .group_by(col(UnansweredQuestion.normalized))
        .order_by(count.desc(), col(UnansweredQuestion.normalized))
        .limit(limit * 5)
    )
    found = []
    for _key, times, text, last in session.execute(query).all():
        if looks_like_question(text):
            found.append(GapFigure(text=text, count=int(times), last_asked=as_time(last)))
    return found[:limit]


def faq_figures(session: Session, since: datetime, end: datetime, questions: Mapping[str, str]) -> FaqFigures:
    counts = decisions(session, since, end)
    small_talk = chit_chat(session, since, end)
    answered, suggested = counts.get(ANSWER, 0), counts.get(SUGGEST, 0)
    silent = counts.get(NONE, 0) - small_talk
    votes = feedback(session, since, end, questions)
    return FaqFigures(
        questions=answered + suggested + silent,
        answered=answered,
        suggested=suggested,
        silent=silent,
        chit_chat=small_talk,
        deflected=deflected(session, since, end),
        feedback=votes,
        most_unresolved=most_unresolved(votes),
        gaps=gaps(session, since, end),
    )


def most_unresolved(votes: list[EntryFeedback]) -> list[EntryFeedback]:
    """The entries most often marked 「解決しない」 or passed over, ranked as `faq feedback` ranks them."""
    by_entry = {e.entry_id: e for e in votes}
    ranked = faq_feedback.to_fix_first(
        {e.entry_id: (e.resolved, e.unresolved) for e in votes}, {e.entry_id: e.passed_over for e in votes}
    )
    return [by_entry[entry] for entry in ranked[:TOP_UNRESOLVED]]


def faq_to_fix(
    session: Session, since: datetime, end: datetime, questions: Mapping[str, str]
) -> tuple[list[GapFigure], list[EntryFeedback]]:
    """Only what the FAQ most needs: its gaps and its least helpful answers (App Home), not every figure."""
    return gaps(session, since, end), most_unresolved(feedback(session, since, end, questions))
