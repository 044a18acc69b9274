"""Answering questions from the knowledge base: decide, claim the message once, queue the reply.

No Slack here: the service is told about a message (channel, ts, text…) and queues domain
messages ("answer entry X in thread Y") in the outbox; the Slack notifier renders them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import func, select
from sqlmodel import col

from bot.clock import Clock
from bot.config import FaqConfig
from bot.database import Database, insert_ignore
from bot.i18n import Language, detect_language
from bot.models import FaqFeedback, FaqReply, UnansweredQuestion
from bot.outbox import Outbox, enqueue
from bot.outbox_kinds import OutboxKind, faq_pick_key, faq_reply_key
from knowledge.search import KnowledgeIndex, SearchResult, looks_like_question

Action = Literal["answered", "suggested", "not_found", "ignored", "duplicate"]

MAX_QUESTION_LENGTH = 2000


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
    ) -> None:
        self.db = db
        self.clock = clock
        self.index = index
        self.config = config
        self.outbox = outbox
        self.language = language

    def search(self, query: str) -> SearchResult:
        return self.index.search(
            query[:MAX_QUESTION_LENGTH],
            answer_threshold=self.config.answer_threshold,
            suggest_threshold=self.config.suggest_threshold,
            limit=self.config.max_suggestions,
        )

    def question_for(self, channel: str, ts: str) -> str | None:
        """The text of a question the bot handled (for prefilling a case when the answer did not help)."""
        with self.db.transaction() as session:
            return session.execute(
                select(col(FaqReply.question)).where(col(FaqReply.channel) == channel, col(FaqReply.message_ts) == ts)
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
    ) -> MessageOutcome:
        """A message somewhere the bot listens. `direct` = a mention or a DM: always reply.

        In channels the bot answers confident matches, offers candidates only for messages
        that look like questions, and otherwise stays quiet. Each (channel, ts) is handled once.
        """
        if thread_ts and thread_ts != ts and self.already_answered_thread(channel, thread_ts):
            return MessageOutcome("ignored")
        question = text.strip()
        if not question:
            return MessageOutcome("ignored")
        result = self.search(question)
        is_question = direct or looks_like_question(question)
        if result.decision == "answer":
            action: Action = "answered"
        elif result.decision == "suggest" and is_question:
            action = "suggested"
        elif is_question:
            action = "not_found"
        else:
            return MessageOutcome("ignored", result)
        reply_thread = thread_ts or ts
        language = detect_language(question, self.language)
        now = self.clock.now()
        key = faq_reply_key(channel, ts)
        best = result.best
        with self.db.transaction() as session:
            claimed = insert_ignore(
                session,
                FaqReply,
                {
                    "channel": channel,
                    "message_ts": ts,
                    "user_id": user,
                    "question": question[:MAX_QUESTION_LENGTH],
                    "decision": result.decision,
                    "entry_id": best.entry.id if best else None,
                    "score": best.score if best else 0.0,
                    "created_at": now,
                },
                ["channel", "message_ts"],
            )
            if not claimed:
                return MessageOutcome("duplicate", result)
            if action == "answered":
                assert result.answer is not None
                enqueue(
                    session,
                    kind=OutboxKind.FAQ_ANSWER,
                    key=key,
                    now=now,
                    payload={
                        "channel": channel,
                        "thread_ts": reply_thread,
                        "entry_id": result.answer.id,
                        "language": language,
                    },
                )
            else:
                # Not answered (a もしかして is a guess): the CS team's writing list (`faq gaps`).
                session.add(
                    UnansweredQuestion(
                        channel=channel,
                        user_id=user,
                        text=question[:MAX_QUESTION_LENGTH],
                        normalized=gap_key(question),
                        created_at=now,
                    )
                )
            if action == "suggested":
                enqueue(
                    session,
                    kind=OutboxKind.FAQ_SUGGEST,
                    key=key,
                    now=now,
                    payload={
                        "channel": channel,
                        "thread_ts": reply_thread,
                        "entry_ids": [entry.id for entry in result.suggestions],
                        "language": language,
                    },
                )
            elif action == "not_found" and direct:
                enqueue(
                    session,
                    kind=OutboxKind.FAQ_NOT_FOUND,
                    key=key,
                    now=now,
                    payload={"channel": channel, "thread_ts": reply_thread, "language": language},
                )
        self.outbox.deliver_keys([key])
        return MessageOutcome(action, result)

    def pick_suggestion(self, *, channel: str, thread_ts: str, entry_id: str, user: str, language: Language) -> bool:
        """Someone picked a "もしかして" candidate: answer it in the thread (once per entry and thread)."""
        if self.index.get(entry_id) is None:
            return False
        key = faq_pick_key(channel, thread_ts, entry_id)
        with self.db.transaction() as session:
            enqueue(
                session,
                kind=OutboxKind.FAQ_ANSWER,
                key=key,
                now=self.clock.now(),
                payload={"channel": channel, "thread_ts": thread_ts, "entry_id": entry_id, "language": language},
            )
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
            inserted = insert_ignore(
                session,
                FaqFeedback,
                {
                    "channel": channel,
                    "message_ts": message_ts,
                    "entry_id": entry_id,
                    "user_id": user,
                    "helpful": helpful,
                    "created_at": now,
                },
                ["channel", "message_ts", "user_id"],
            )
            if not inserted:  # a concurrent double click: the other one counted
                return

    def feedback_summary(self) -> dict[str, tuple[int, int]]:
        """entry id → (helpful, not helpful) counts."""
        with self.db.transaction() as session:
            rows = session.execute(
                select(col(FaqFeedback.entry_id), col(FaqFeedback.helpful), func.count()).group_by(
                    col(FaqFeedback.entry_id), col(FaqFeedback.helpful)
                )
            ).all()
        summary: dict[str, tuple[int, int]] = {}
        for entry_id, helpful, count in rows:
            yes, no = summary.get(entry_id, (0, 0))
            summary[entry_id] = (yes + count, no) if helpful else (yes, no + count)
        return summary

    def gaps(self, *, limit: int = 20, since: timedelta | None = None) -> list[Gap]:
        """The most frequent unanswered questions, most asked first."""
        query = select(
            col(UnansweredQuestion.normalized),
            func.count(),
            func.max(col(UnansweredQuestion.created_at)),
            func.count(func.distinct(col(UnansweredQuestion.channel))),
            func.min(col(UnansweredQuestion.text)),
        ).group_by(col(UnansweredQuestion.normalized))
        if since is not None:
            query = query.where(col(UnansweredQuestion.created_at) >= self.clock.now() - since)
        query = query.order_by(func.count().desc(), func.max(col(UnansweredQuestion.created_at)).desc()).limit(limit)
        with self.db.transaction() as session:
            rows = session.execute(query).all()
        from bot.models import UTCDateTime

        converter = UTCDateTime()
        gaps = []
        for _normalized, count, last, channels, text in rows:
            last_asked = last if isinstance(last, datetime) else datetime.fromisoformat(str(last))
            gaps.append(
                Gap(
                    text=text,
                    count=int(count),
                    last_asked=converter.process_result_value(last_asked, self.db.engine.dialect) or last_asked,
                    channels=int(channels),
                )
            )
        return gaps
