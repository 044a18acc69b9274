"""Answering questions from the knowledge base: decide, claim the message once, queue the reply.

No Slack here: the service is told about a message (channel, ts, text…) and queues domain
messages ("answer entry X in thread Y") in the outbox; the Slack notifier renders them. Every
reply carries the question's ts, so its buttons find the question again wherever the reply went
(in a thread, or inline in a DM).

In a customer's channel (bot/customers.py) only entries for customers are answered or suggested
(`Audience.CUSTOMER`, knowledge/loader.py), and the reply is marked for customers: the renderer
leaves out what is for the team (escalation notes and contacts) and uses the customer-facing tone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import func, select
from sqlmodel import Session, col

from bot import faq_feedback
from bot.clock import Clock, as_utc
from bot.config import FaqConfig
from bot.customers import CustomerDirectory
from bot.database import Database, insert_ignore
from bot.faq_vocabulary import PhrasingStatus
from bot.i18n import Language, detect_language
from bot.models import FaqFeedback, FaqMiss, FaqPhrasing, FaqReply, UnansweredQuestion
from bot.outbox import Outbox, enqueue
from bot.outbox_kinds import OutboxKind, faq_pick_key, faq_reply_key
from knowledge.loader import Audience
from knowledge.search import KnowledgeIndex, SearchResult, looks_like_question

Action = Literal["answered", "suggested", "not_found", "ignored", "duplicate"]

MAX_QUESTION_LENGTH = 2000
_KIND_OF_ACTION = {
    "answered": OutboxKind.FAQ_ANSWER,
    "suggested": OutboxKind.FAQ_SUGGEST,
    "not_found": OutboxKind.FAQ_NOT_FOUND,
}


@dataclass(frozen=True)
class MessageOutcome:
    action: Action
    result: SearchResult | None = None


@dataclass(frozen=True)
class Gap:
    """A question people asked that the knowledge base could not answer."""

    text: str
    count: int
    last_asked: datetime
    channels: int


@dataclass(frozen=True)
class AnswerFeedback:
    """What askers made of an entry's answers, all time (`faq feedback`): 「解決しました」, 「解決しない」,
    and how often they picked another candidate offered under it instead. The reports' per-period
    figures are `bot.reports.figures.EntryFeedback`."""

    entry_id: str
    solved: int
    not_solved: int
    passed_over: int


@dataclass(frozen=True)
class Question:
    """A message the bot is asked to handle: where it is, who wrote it, and how to reply."""

    channel: str
    ts: str
    text: str
    user: str | None
    thread_ts: str | None
    direct: bool  # a mention or a DM: always reply
    inline: bool  # a DM: reply in the conversation, not in a thread

    @property
    def reply_thread(self) -> str | None:
        return self.thread_ts or (None if self.inline else self.ts)


def gap_key(text: str) -> str:
    normalized = unicodedata.normalize("NFKC", text).casefold()
    normalized = re.sub(r"[\s\W_]+", "", normalized)
    return normalized[:255]


class FaqService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        index: KnowledgeIndex,
        config: FaqConfig,
        outbox: Outbox,
        *,
        language: Language = Language.JA,
        customers: CustomerDirectory | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.index = index
        self.config = config
        self.outbox = outbox
        self.language = language
        self.customers = customers or CustomerDirectory(db, clock)
        self.on_decision: Callable[[str], None] = lambda action: None  # counts decisions (bot/metrics.py)

    def search(self, query: str, audience: Audience | None = None) -> SearchResult:
        """The knowledge base's answer to `query`; with `audience`, from the entries for it only."""
        return self.index.search(
            query[:MAX_QUESTION_LENGTH],
            answer_threshold=self.config.answer_threshold,
            suggest_threshold=self.config.suggest_threshold,
            limit=self.config.max_suggestions,
            audience=audience,
            answer_confidence=self.config.answer_confidence,
            offer_others_below=self.config.offer_others_below,
        )

    def is_customer_channel(self, channel: str) -> bool:
        """A customer's channel (the directory's): the bot answers there, from entries for customers only."""
        return bool(channel) and self.customers.find_by_channel(channel) is not None

    def audience_in(self, channel: str) -> Audience | None:
        """Whom answers in `channel` are for: customers in a customer's channel; None (everyone) elsewhere."""
        return Audience.CUSTOMER if self.is_customer_channel(channel) else None

    def question_for(self, channel: str, ts: str) -> str | None:
        """The text of a question the bot handled (for prefilling a case when the answer did not help)."""
        reply = self.reply_to(channel, ts)
        return reply.question if reply else None

    def reply_to(self, channel: str, ts: str) -> FaqReply | None:
        """What the bot did with the message (channel, ts): its question, decision and best entry."""
        with self.db.transaction() as session:
            return session.execute(
                select(FaqReply).where(col(FaqReply.channel) == channel, col(FaqReply.message_ts) == ts)
            ).scalar_one_or_none()

    def already_answered_thread(self, channel: str, thread_ts: str) -> bool:
        with self.db.transaction() as session:
            row = session.execute(
                select(col(FaqReply.id)).where(col(FaqReply.channel) == channel, col(FaqReply.message_ts) == thread_ts)
            ).first()
            return row is not None

    def handle_message(
        self,
        *,
        channel: str,
        ts: str,
        text: str,
        user: str | None,
        thread_ts: str | None = None,
        direct: bool = False,
        inline: bool = False,
    ) -> MessageOutcome:
        """A message somewhere the bot listens. `direct` = a mention or a DM: always reply; `inline` = a
        DM: reply in the conversation itself rather than in a thread.

        In channels the bot answers confident matches, offers candidates only for messages
        that look like questions, and otherwise stays quiet. Each (channel, ts) is handled once.
        """
        if thread_ts and thread_ts != ts and self.already_answered_thread(channel, thread_ts):
            return MessageOutcome("ignored")
        asked = Question(channel, ts, text.strip()[:MAX_QUESTION_LENGTH], user, thread_ts, direct, inline)
        if not asked.text:
            return MessageOutcome("ignored")
        audience = self.audience_in(channel)
        result = self.search(asked.text, audience)
        action = self._action(result, direct or looks_like_question(asked.text))
        self.on_decision(action)
        if action == "ignored":
            return MessageOutcome("ignored", result)
        key = faq_reply_key(channel, ts)
        with self.db.transaction() as session:
            if not self._claim(session, asked, result):
                return MessageOutcome("duplicate", result)
            self._queue_reply(session, asked, result, action, key, audience)
        self.outbox.deliver_keys([key])
        return MessageOutcome(action, result)

    @staticmethod
    def _action(result: SearchResult, is_question: bool) -> Action:
        if result.decision == "answer":
            return "answered"
        if not is_question:
            return "ignored"
        return "suggested" if result.decision == "suggest" else "not_found"

    def _claim(self, session: Session, asked: Question, result: SearchResult) -> bool:
        """Record that the bot handles this message; False when someone (a retry, a replica) already did."""
        best = result.best
        values = {
            "channel": asked.channel,
            "message_ts": asked.ts,
            "user_id": asked.user,
            "question": asked.text,
            "decision": result.decision,
            "entry_id": best.entry.id if best else None,
            "score": best.score if best else 0.0,
            "created_at": self.clock.now(),
        }
        return insert_ignore(session, FaqReply, values, ["channel", "message_ts"])

    def _queue_reply(
        self, session: Session, asked: Question, result: SearchResult, action: Action, key: str, audience: str | None
    ) -> None:
        now = self.clock.now()
        payload: dict[str, Any] = {
            "channel": asked.channel,
            "thread_ts": asked.reply_thread,
            "question_ts": asked.ts,
            "language": detect_language(asked.text, self.language),
        }
        if audience is not None:
            payload["audience"] = audience
        if action == "answered":
            assert result.answer is not None
            payload["entry_id"] = result.answer.id
            if result.others:  # an unsure answer: the next candidates under it
                payload["other_ids"] = [entry.id for entry in result.others]
        elif looks_like_question(asked.text):
            # Not answered (a もしかして is a guess): the CS team's writing list (`faq gaps`); chit-chat said
            # to the bot is not a gap.
            session.add(
                UnansweredQuestion(
                    channel=asked.channel,
                    user_id=asked.user,
                    text=asked.text,
                    normalized=gap_key(asked.text),
                    created_at=now,
                )
            )
        if action == "suggested":
            payload["entry_ids"] = [entry.id for entry in result.suggestions]
        if action == "not_found" and not asked.direct:
            return  # in a channel, nothing found: stay quiet
        enqueue(session, kind=_KIND_OF_ACTION[action], key=key, now=now, payload=payload)

    def pick_suggestion(
        self,
        *,
        channel: str,
        question_ts: str,
        thread_ts: str | None,
        entry_id: str,
        user: str,
        language: Language,
    ) -> bool:
        """Someone picked a "もしかして" candidate: answer it where the suggestions are (once per entry and question)."""
        entry, audience = self.index.get(entry_id), self.audience_in(channel)
        if entry is None or (audience is not None and entry.audience != audience):
            return False
        key = faq_pick_key(channel, question_ts, entry_id)
        payload = {
            "channel": channel,
            "thread_ts": thread_ts,
            "question_ts": question_ts,
            "entry_id": entry_id,
            "language": language,
            **({"audience": audience} if audience is not None else {}),
        }
        with self.db.transaction() as session:
            enqueue(session, kind=OutboxKind.FAQ_ANSWER, key=key, now=self.clock.now(), payload=payload)
        self.outbox.deliver_keys([key])
        return True

    def record_feedback(self, *, channel: str, message_ts: str, entry_id: str, user: str, helpful: bool) -> None:
        """「解決しました」/「解決しない」: one vote per person and answer; a second click changes it."""
        now = self.clock.now()
        with self.db.transaction() as session:
            existing = session.execute(
                select(FaqFeedback).where(
                    col(FaqFeedback.channel) == channel,
                    col(FaqFeedback.message_ts) == message_ts,
                    col(FaqFeedback.user_id) == user,
                )
            ).scalar_one_or_none()
            if existing is not None:
                existing.helpful = helpful
                existing.entry_id = entry_id
                existing.created_at = now
                return
            values = {
                "channel": channel,
                "message_ts": message_ts,
                "entry_id": entry_id,
                "user_id": user,
                "helpful": helpful,
                "created_at": now,
            }
            insert_ignore(
                session, FaqFeedback, values, ["channel", "message_ts", "user_id"]
            )  # a double click: one vote

    def record_miss(self, *, channel: str, question_ts: str, user: str) -> None:
        """「どれも違う」: none of the もしかして candidates was it (once per person and question)."""
        values = {"channel": channel, "message_ts": question_ts, "user_id": user, "created_at": self.clock.now()}
        with self.db.transaction() as session:
            insert_ignore(session, FaqMiss, values, ["channel", "message_ts", "user_id"])

    def misses(self) -> int:
        """How many questions someone marked 「どれも違う」."""
        with self.db.transaction() as session:
            query = select(func.count(func.distinct(col(FaqMiss.channel) + ":" + col(FaqMiss.message_ts))))
            return int(session.execute(query).scalar_one())

    def passed_over(self) -> dict[str, int]:
        """entry id → how many of its answers the asker passed over for a candidate offered under them
        (bot/faq_feedback.py): the answer was likely wrong."""
        with self.db.transaction() as session:
            return faq_feedback.passed_over(session)

    def most_unresolved(self, limit: int = 20) -> list[AnswerFeedback]:
        """The answers most often marked 「解決しない」 or passed over for a candidate offered under them
        (`passed_over`), most first: the entries to rewrite first."""
        with self.db.transaction() as session:
            votes, passed = faq_feedback.votes(session), faq_feedback.passed_over(session)
        return [
            AnswerFeedback(entry, *votes.get(entry, (0, 0)), passed.get(entry, 0))
            for entry in faq_feedback.to_fix_first(votes, passed)[:limit]
        ]

    def gaps(self, *, limit: int = 20, since: timedelta | None = None) -> list[Gap]:
        """The most frequent unanswered questions, most asked first: chit-chat left out, and so are
        questions an agent has since linked to an entry (a learned phrasing with the same wording)."""
        linked = select(col(FaqPhrasing.text_key)).where(col(FaqPhrasing.status) == PhrasingStatus.LEARNED)
        query = (
            select(
                col(UnansweredQuestion.normalized),
                func.count(),
                func.max(col(UnansweredQuestion.created_at)),
                func.count(func.distinct(col(UnansweredQuestion.channel))),
                func.min(col(UnansweredQuestion.text)),
            )
            .where(col(UnansweredQuestion.normalized).not_in(linked))
            .group_by(col(UnansweredQuestion.normalized))
        )
        if since is not None:
            query = query.where(col(UnansweredQuestion.created_at) >= self.clock.now() - since)
        query = query.order_by(func.count().desc(), func.max(col(UnansweredQuestion.created_at)).desc())
        with self.db.transaction() as session:
            rows = session.execute(query.limit(limit * 5)).all()
        gaps = [
            Gap(text=text, count=int(count), last_asked=_as_time(last), channels=int(channels))
            for _key, count, last, channels, text in rows
            if looks_like_question(text)
        ]
        return gaps[:limit]


def _as_time(value: object) -> datetime:
    """An aggregate's time as an aware UTC datetime (SQLite returns max() of a timestamp as text)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return as_utc(moment)
