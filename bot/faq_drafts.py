"""New entries written in Slack from a thread's answer: a draft, put before the agents, live once one
approves it (served from the same Markdown `supportbot faq export` writes, bot/faq_markdown.py).

The agent rule and what follows a change (the index pulls it, Slack hears of it) are the teaching
service's (bot/faq_teaching.py), handed in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.clock import Clock
from bot.database import Database
from bot.errors import UserFacingError
from bot.faq_markdown import draft_entry_id, links_data, one_line, parse_links
from bot.faq_sync import next_revision
from bot.faq_vocabulary import DraftStatus
from bot.i18n import Language
from bot.models import FaqDraft
from bot.outbox import enqueue
from bot.outbox_kinds import OutboxKind, faq_draft_key
from knowledge.index import KnowledgeIndex

MAX_PHRASING_LENGTH = 500
MAX_ANSWER_LENGTH = 3000

Gate = Callable[[str | None], None]  # raises UserFacingError for anyone who may not teach
Changed = Callable[[Sequence[str]], None]  # after a commit: apply to the index, deliver these outbox keys


@dataclass(frozen=True)
class NewDraft:
    """An entry written in Slack, as the agent submitted it (links as 「タイトル URL」 lines)."""

    question: str
    answer: str
    category: str = ""
    escalation: str | None = None
    links: str | None = None
    channel: str | None = None
    message_ts: str | None = None


def check_phrasing(text: str | None) -> str:
    """A question or phrasing as it is stored: one line, not empty, not too long (UserFacingError otherwise)."""
    text = one_line(text or "")
    if not text:
        raise UserFacingError("faq.teach.error.question")
    if len(text) > MAX_PHRASING_LENGTH:
        raise UserFacingError("faq.teach.error.too_long", limit=MAX_PHRASING_LENGTH, length=len(text))
    return text


class FaqDrafts:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        index: KnowledgeIndex,
        *,
        require_agent: Gate,
        changed: Changed,
        review_channel: str,
        language: Language,
    ) -> None:
        self.db = db
        self.clock = clock
        self.index = index
        self.require_agent = require_agent
        self.changed = changed
        self.review_channel = review_channel
        self.language = language

    def check(self, draft: NewDraft) -> dict[str, UserFacingError]:
        """What `save` would refuse, by field (question, answer, links)."""
        errors: dict[str, UserFacingError] = {}
        try:
            question = check_phrasing(draft.question)
            existing = self.index.get(draft_entry_id(question)) or next(
                (e for e in self.index.entries if one_line(e.question) == question), None
            )
            if existing is not None:
                errors["question"] = UserFacingError("faq.teach.error.exists", question=existing.question)
        except UserFacingError as error:
            errors["question"] = error
        answer = (draft.answer or "").strip()
        if not answer:
            errors["answer"] = UserFacingError("faq.teach.error.answer")
        elif len(answer) > MAX_ANSWER_LENGTH:
            errors["answer"] = UserFacingError("faq.teach.error.too_long", limit=MAX_ANSWER_LENGTH, length=len(answer))
        try:
            parse_links(draft.links)
        except ValueError as error:
            errors["links"] = UserFacingError("faq.teach.error.link_line", line=error.args[0])
        return errors

    def save(self, draft: NewDraft, author: str) -> FaqDraft:
        """An agent's new entry: saved as a draft, and put before the agents (the review channel)."""
        self.require_agent(author)
        errors = self.check(draft)
        if errors:
            raise next(iter(errors.values()))
        question = one_line(draft.question)
        row = FaqDraft(
            entry_id=draft_entry_id(question),
            question=question,
            answer=draft.answer.strip(),
            category=one_line(draft.category)[:200],
            escalation=one_line(draft.escalation or "") or None,
            links=links_data(parse_links(draft.links)),
            status=DraftStatus.DRAFT,
            channel=draft.channel,
            message_ts=draft.message_ts,
            created_by=author,
            created_at=self.clock.now(),
        )
        with self.db.transaction() as session:
            row.revision = next_revision(session)
            session.add(row)
            session.flush()
            assert row.id is not None
            payload = {"channel": self.review_channel, "draft_id": row.id, "language": self.language}
            enqueue(
                session, kind=OutboxKind.FAQ_DRAFT, key=faq_draft_key(row.id), now=self.clock.now(), payload=payload
            )
        self.changed([faq_draft_key(row.id)])
        return row

    def get(self, draft_id: int) -> FaqDraft | None:
        with self.db.transaction() as session:
            return session.get(FaqDraft, draft_id)

    def approve(self, draft_id: int, agent: str) -> FaqDraft:
        """Live: the entry answers questions from now on (here at once, other replicas at their next pull)."""
        return self._decide(draft_id, agent, DraftStatus.LIVE)

    def discard(self, draft_id: int, agent: str) -> FaqDraft:
        return self._decide(draft_id, agent, DraftStatus.DISCARDED)

    def _decide(self, draft_id: int, agent: str, status: DraftStatus) -> FaqDraft:
        self.require_agent(agent)
        with self.db.transaction() as session:
            row = session.get(FaqDraft, draft_id, with_for_update=True)
            if row is None or row.status != DraftStatus.DRAFT:
                raise UserFacingError("faq.teach.draft.decided")
            if status == DraftStatus.LIVE and self.index.get(row.entry_id) is not None:
                raise UserFacingError("faq.teach.error.exists", question=row.question)
            row.status, row.reviewed_by, row.reviewed_at = status, agent, self.clock.now()
            row.revision = next_revision(session)
        self.changed(())
        return row
