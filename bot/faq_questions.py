"""The questions people asked the bot in Slack, labelled where Slack says which entry answers them.

A team's own check set (`supportbot faq check`) is best made of real questions. The bot has them
(`FaqReply`), and often knows the answer's entry from what people did:

- an agent linked the question to an entry, or someone confirmed a もしかして pick (`FaqPhrasing`,
  learned or candidate);
- someone marked an answer 「解決しました」 (`FaqFeedback` on the bot's answer, whose outbox row
  says which question it answered), and nobody marked that entry 「解決しない」 for it.

Everything else is left for the team to label ("?"): `faq check` skips those rows until a heading
(or an empty cell: not covered by the FAQ) replaces the "?". 「どれも違う」 and 「解決しない」 are
shown as evidence. Chit-chat is left out, as in `faq gaps`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from bot.database import Database
from bot.faq import gap_key
from bot.faq_vocabulary import PhrasingStatus
from bot.models import FaqFeedback, FaqMiss, FaqPhrasing, FaqReply, OutboxMessage
from bot.outbox_kinds import OutboxKind
from knowledge.evaluation import UNLABELLED
from knowledge.normalize import looks_like_question
from knowledge.search import KnowledgeIndex

Message = tuple[str, str]  # (channel, ts)


@dataclass
class AskedQuestion:
    """One wording people asked (its latest spelling), how often, and what is known of its answer."""

    text: str
    asked: int = 0
    last_asked: datetime | None = None
    bot: str = ""  # what the bot did the last time: answer: heading / suggest / none
    linked: str | None = None  # entry id an agent or a confirmed pick gave it
    helpful: Counter[str] = field(default_factory=Counter)  # entry id -> 「解決しました」
    unhelpful: Counter[str] = field(default_factory=Counter)  # entry id -> 「解決しない」
    misses: int = 0  # 「どれも違う」

    def label(self) -> str | None:
        """The entry id that answers it, when Slack says so."""
        if self.linked is not None:
            return self.linked
        voted = [(n, entry) for entry, n in self.helpful.items() if n > self.unhelpful[entry]]
        return max(voted)[1] if voted else None

    def evidence(self) -> str:
        parts = ["linked in Slack"] if self.linked else []
        counts = (
            ("解決しました", sum(self.helpful.values())),
            ("解決しない", sum(self.unhelpful.values())),
            ("どれも違う", self.misses),
        )
        parts += [f"{name} ×{count}" for name, count in counts if count]
        return ", ".join(parts)


def asked_questions(db: Database, index: KnowledgeIndex, since: datetime) -> list[dict[str, Any]]:
    """The questions asked since `since`, most asked first, as rows for a check file."""
    found: dict[str, AskedQuestion] = {}
    by_message: dict[Message, AskedQuestion] = {}
    with db.transaction() as session:
        replies = session.exec(select(FaqReply).where(col(FaqReply.created_at) >= since)).all()
        for reply in sorted(replies, key=lambda r: r.created_at):
            if reply.question and looks_like_question(reply.question):
                asked = found.setdefault(gap_key(reply.question), AskedQuestion(reply.question))
                _asked_again(asked, reply, index)
                by_message[(reply.channel, reply.message_ts)] = asked
        _add_votes(session, by_message, since)
        for miss in session.exec(select(FaqMiss).where(col(FaqMiss.created_at) >= since)).all():
            if (hit := by_message.get((miss.channel, miss.message_ts))) is not None:
                hit.misses += 1
        taught = session.exec(select(FaqPhrasing).where(col(FaqPhrasing.status) != PhrasingStatus.REMOVED)).all()
        for phrasing in sorted(taught, key=lambda p: p.status == PhrasingStatus.LEARNED):  # learned last: it wins
            if (hit := found.get(phrasing.text_key)) is not None:
                hit.linked = phrasing.entry_id
    ranked = sorted(found.values(), key=lambda a: (-a.asked, -(a.last_asked or since).timestamp(), a.text))
    return [_row(asked, index) for asked in ranked]


def _asked_again(asked: AskedQuestion, reply: FaqReply, index: KnowledgeIndex) -> None:
    asked.text = reply.question or asked.text  # the latest spelling
    asked.asked += 1
    asked.last_asked = reply.created_at
    entry = index.get(reply.entry_id) if reply.entry_id else None
    asked.bot = f"answer: {entry.question}" if reply.decision == "answer" and entry else reply.decision


def _add_votes(session: Session, by_message: dict[Message, AskedQuestion], since: datetime) -> None:
    """「解決しました」/「解決しない」 are on the bot's answer: its outbox row names the question."""
    answered: dict[Message, Message] = {}
    sent = select(OutboxMessage).where(
        col(OutboxMessage.kind) == OutboxKind.FAQ_ANSWER, col(OutboxMessage.sent_at) >= since - timedelta(days=1)
    )
    for message in session.exec(sent).all():
        if message.sent_channel and message.sent_ts and message.payload.get("question_ts"):
            question = (message.payload.get("channel") or message.sent_channel, message.payload["question_ts"])
            answered[(message.sent_channel, message.sent_ts)] = question
    for vote in session.exec(select(FaqFeedback).where(col(FaqFeedback.created_at) >= since)).all():
        asked = by_message.get(answered.get((vote.channel, vote.message_ts), ("", "")))
        if asked is not None:
            (asked.helpful if vote.helpful else asked.unhelpful)[vote.entry_id] += 1


def _row(asked: AskedQuestion, index: KnowledgeIndex) -> dict[str, Any]:
    label = asked.label()
    entry = index.get(label) if label else None
    return {
        "question": asked.text,
        "heading": entry.question if entry else UNLABELLED,
        "bot": asked.bot,
        "evidence": asked.evidence(),
        "asked": asked.asked,
        "last_asked": asked.last_asked,
    }
