"""Teaching the FAQ from Slack: the rules of what is learned, from whom, and when.

- *Confirmed suggestions.* Someone picks a もしかして candidate and then clicks 「解決しました」: the
  question becomes a candidate phrasing of that entry. It is learned when an agent confirms it (one
  click), or at once when two different people confirmed the same entry for similar questions.
- *Links.* An agent links a message (or an unanswered question) to an entry: learned at once.
- *New entries.* An agent writes one from a thread's answer: a draft, live once an agent approves it
  (`self.drafts`, bot/faq_drafts.py).
- Only agents teach, remove or approve; anyone else is refused politely and nothing changes.

Every change is written first (with its revision, bot/faq_sync.py) and then applied to this
process's index, so the next question is answered with it; other replicas pull it. Slack is told
through the outbox (the candidate's note in the thread, the draft's review message).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from bot.agents import AgentDirectory
from bot.clock import Clock
from bot.database import Database, insert_ignore
from bot.errors import UserFacingError
from bot.faq import MAX_QUESTION_LENGTH, gap_key
from bot.faq_drafts import FaqDrafts, check_phrasing
from bot.faq_markdown import one_line
from bot.faq_sync import KnowledgeSync, lock_teaching, next_revision
from bot.faq_vocabulary import DraftStatus, PhrasingOrigin, PhrasingStatus, TeachKind
from bot.i18n import Language
from bot.models import FaqConfirmation, FaqDraft, FaqPhrasing, FaqReply
from bot.outbox import Outbox, enqueue
from bot.outbox_kinds import OutboxKind, faq_candidate_key
from knowledge.index import KnowledgeIndex
from knowledge.loader import Entry
from knowledge.reload import ReloadResult

SIMILAR = 0.5  # weighted overlap of two questions' terms from which they ask the same thing
CONFIRMERS_TO_LEARN = 2


@dataclass(frozen=True)
class Taught:
    """A phrasing after a teaching action: its row id, entry, wording and where it stands now."""

    id: int
    entry_id: str
    text: str
    status: PhrasingStatus


@dataclass(frozen=True)
class Learned:
    """What `/faq learned` and `supportbot faq learned list` show."""

    phrasings: list[FaqPhrasing] = field(default_factory=list)
    drafts: list[FaqDraft] = field(default_factory=list)


def similarity(index: KnowledgeIndex, a: str, b: str) -> float:
    """How much two questions ask the same thing: the weighted overlap of their terms (0–1), as the
    matcher reads them (synonyms, readings, typos repaired)."""
    terms_a, terms_b = index.query_terms(a), index.query_terms(b)
    union = sum(max(terms_a.get(t, 0.0), terms_b.get(t, 0.0)) for t in terms_a.keys() | terms_b.keys())
    if not union:
        return 1.0 if gap_key(a) == gap_key(b) else 0.0
    return sum(min(terms_a[t], terms_b[t]) for t in terms_a.keys() & terms_b.keys()) / union


def parse_id(text: str) -> tuple[TeachKind, int]:
    """ "p12" → a phrasing, "e3" → an entry written in Slack; ValueError for anything else."""
    text = text.strip().lower().lstrip("#")
    kind, number = text[:1], text[1:]
    if kind not in tuple(TeachKind) or not number.isdigit():
        raise ValueError(text)
    return TeachKind(kind), int(number)


class FaqTeaching:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        index: KnowledgeIndex,
        agents: AgentDirectory,
        outbox: Outbox,
        sync: KnowledgeSync,
        *,
        review_channel: str,
        language: Language = Language.JA,
    ) -> None:
        self.db = db
        self.clock = clock
        self.index = index
        self.agents = agents
        self.outbox = outbox
        self.sync = sync
        self.drafts = FaqDrafts(
            db,
            clock,
            index,
            require_agent=self.require_agent,
            changed=self._changed,
            review_channel=review_channel,
            language=language,
        )

    # --- who -------------------------------------------------------------------------------------

    def is_agent(self, user: str | None) -> bool:
        return bool(user) and self.agents.is_agent(str(user))

    def require_agent(self, user: str | None) -> None:
        """Only agents teach: anyone else gets a polite refusal (and nothing changes)."""
        if not self.is_agent(user):
            raise UserFacingError("faq.teach.not_agent")

    # --- confirmed suggestions ---------------------------------------------------------------------

    def suggestion_resolved(
        self, *, channel: str, question_ts: str, thread_ts: str | None, entry_id: str, user: str, language: str
    ) -> Taught | None:
        """「解決しました」 on an answer: when it was a picked もしかして (or a candidate an unsure answer
        offered), the question becomes a candidate phrasing of the entry (learned at once when an agent
        clicked, or at the second person)."""
        agent = self.is_agent(user)  # may ask Slack: never inside the transaction
        with self.db.transaction() as session:
            lock_teaching(session)
            reply = session.execute(
                select(FaqReply).where(col(FaqReply.channel) == channel, col(FaqReply.message_ts) == question_ts)
            ).scalar_one_or_none()
            if reply is None or not picked(reply, entry_id) or self.index.get(entry_id) is None:
                return None  # the bot's own answer (nothing to learn), or not a question the bot handled
            row = self._phrasing(session, entry_id, reply.question, PhrasingOrigin.SUGGESTION, user, reply, question_ts)
            if row.status == PhrasingStatus.REMOVED:
                return None  # an agent took this one back: a click does not bring it back
            insert_ignore(
                session,
                FaqConfirmation,
                {"phrasing_id": row.id, "user_id": user, "created_at": self.clock.now()},
                ["phrasing_id", "user_id"],
            )
            if row.status == PhrasingStatus.CANDIDATE:
                self._learn_confirmed(session, row, user, agent)
            if row.status == PhrasingStatus.CANDIDATE:
                self._ask_agents(session, row, channel, thread_ts, language)
            taught = _taught(row)
        self._changed([faq_candidate_key(taught.id)])
        return taught

    def _learn_confirmed(self, session: Session, row: FaqPhrasing, user: str, agent: bool) -> None:
        if agent:
            self._learn(session, [row], user)
            return
        similar = [
            row,
            *(c for c in self._candidates(session, row) if similarity(self.index, row.text, c.text) >= SIMILAR),
        ]
        confirmers = set(
            session.execute(
                select(col(FaqConfirmation.user_id)).where(
                    col(FaqConfirmation.phrasing_id).in_([p.id for p in similar])
                )
            ).scalars()
        )
        if len(confirmers) >= CONFIRMERS_TO_LEARN:
            self._learn(session, similar, user)

    def _candidates(self, session: Session, row: FaqPhrasing) -> Sequence[FaqPhrasing]:
        """The entry's other candidate phrasings."""
        return (
            session.execute(
                select(FaqPhrasing).where(
                    col(FaqPhrasing.entry_id) == row.entry_id,
                    col(FaqPhrasing.status) == PhrasingStatus.CANDIDATE,
                    col(FaqPhrasing.id) != row.id,
                )
            )
            .scalars()
            .all()
        )

    def _ask_agents(
        self, session: Session, row: FaqPhrasing, channel: str, thread_ts: str | None, language: str
    ) -> None:
        """The candidate's note where the answer is, with a button only agents may use."""
        payload = {
            "channel": channel,
            "thread_ts": thread_ts,
            "phrasing_id": row.id,
            "entry_id": row.entry_id,
            "language": language,
        }
        assert row.id is not None
        enqueue(
            session, kind=OutboxKind.FAQ_CANDIDATE, key=faq_candidate_key(row.id), now=self.clock.now(), payload=payload
        )

    def confirm(self, phrasing_id: int, agent: str) -> Taught:
        """An agent's click on a candidate: learned."""
        self.require_agent(agent)
        with self.db.transaction() as session:
            row = session.get(FaqPhrasing, phrasing_id, with_for_update=True)
            if row is None or row.status != PhrasingStatus.CANDIDATE:
                raise UserFacingError("faq.teach.candidate.gone")
            insert_ignore(
                session,
                FaqConfirmation,
                {"phrasing_id": row.id, "user_id": agent, "created_at": self.clock.now()},
                ["phrasing_id", "user_id"],
            )
            self._learn(session, [row], agent)
            taught = _taught(row)
        self._changed()
        return taught

    # --- links -------------------------------------------------------------------------------------------

    def link(
        self,
        *,
        entry_id: str,
        text: str,
        agent: str,
        channel: str | None = None,
        message_ts: str | None = None,
        asked_by: str | None = None,
    ) -> Taught:
        """An agent links a question to an entry: learned at once."""
        self.require_agent(agent)
        text = check_phrasing(text)
        if not entry_id:
            raise UserFacingError("faq.teach.error.entry")
        if self.index.get(entry_id) is None:
            raise UserFacingError("faq.teach.error.unknown_entry")
        with self.db.transaction() as session:
            origin = PhrasingOrigin.LINK
            row = self._phrasing(session, entry_id, text, origin, agent, None, message_ts, channel, asked_by)
            if row.status != PhrasingStatus.LEARNED:
                row.origin = origin
                self._learn(session, [row], agent)
            self._unlink_elsewhere(session, row, agent)
            taught = _taught(row)
        self._changed()
        return taught

    def _unlink_elsewhere(self, session: Session, row: FaqPhrasing, agent: str) -> None:
        """An agent's link says what the question means: the same wording learned for another entry goes."""
        others = session.execute(
            select(FaqPhrasing).where(
                col(FaqPhrasing.text_key) == row.text_key,
                col(FaqPhrasing.entry_id) != row.entry_id,
                col(FaqPhrasing.status) != PhrasingStatus.REMOVED,
            )
        ).scalars()
        for other in others:
            other.status, other.removed_by, other.removed_at = PhrasingStatus.REMOVED, agent, self.clock.now()
            other.revision = next_revision(session)

    # --- what was learned, and taking it back ----------------------------------------------------------

    def learned(self, *, everything: bool = False) -> Learned:
        """Candidates, learned phrasings, drafts and live entries (with `everything`: removed ones too)."""
        kept_phrasings = [PhrasingStatus.CANDIDATE, PhrasingStatus.LEARNED]
        kept_drafts = [DraftStatus.DRAFT, DraftStatus.LIVE]
        phrasings = select(FaqPhrasing).order_by(col(FaqPhrasing.id).desc())
        drafts = select(FaqDraft).order_by(col(FaqDraft.id).desc())
        if not everything:
            phrasings = phrasings.where(col(FaqPhrasing.status).in_(kept_phrasings))
            drafts = drafts.where(col(FaqDraft.status).in_(kept_drafts))
        with self.db.transaction() as session:
            return Learned(list(session.execute(phrasings).scalars()), list(session.execute(drafts).scalars()))

    def remove(self, ident: str, actor: str, *, check_agent: bool = True) -> str:
        """Take back a phrasing ("p12") or an entry written in Slack ("e3"); returns what it was.
        `check_agent=False` for the command line, whose user is the operator."""
        if check_agent:
            self.require_agent(actor)
        try:
            kind, number = parse_id(ident)
        except ValueError:
            raise UserFacingError("faq.teach.error.not_found", id=ident) from None
        with self.db.transaction() as session:
            row: FaqPhrasing | FaqDraft | None = (
                session.get(FaqPhrasing, number, with_for_update=True)
                if kind is TeachKind.PHRASING
                else session.get(FaqDraft, number, with_for_update=True)
            )
            if row is None or row.status in (PhrasingStatus.REMOVED, DraftStatus.REMOVED, DraftStatus.DISCARDED):
                raise UserFacingError("faq.teach.error.not_found", id=ident)
            if isinstance(row, FaqPhrasing):
                row.status, what = PhrasingStatus.REMOVED, row.text
            else:
                row.status = DraftStatus.REMOVED if row.status == DraftStatus.LIVE else DraftStatus.DISCARDED
                what = row.question
            row.removed_by, row.removed_at = actor, self.clock.now()
            row.revision = next_revision(session)
        self._changed()
        return what

    def reload(self, agent: str) -> list[ReloadResult]:
        """`/faq reload`: every knowledge file read again now (a broken one keeps its last good version)."""
        self.require_agent(agent)
        return self.sync.reload_files(force=True)

    def find_entries(self, query: str, *, limit: int = 100) -> list[Entry]:
        """Entries for a searchable picker: those whose question or category contains the words first,
        then the best matches of the search."""
        words = one_line(query).casefold().split()
        found: dict[str, Entry] = {}
        if not words:
            return list(self.index.entries[:limit])
        for entry in self.index.entries:
            haystack = f"{entry.question} {entry.category}".casefold()
            if all(word in haystack for word in words):
                found.setdefault(entry.id, entry)
        result = self.index.search(query, answer_threshold=1.0, suggest_threshold=0.0, limit=limit)
        for candidate in result.candidates:
            if candidate.score > 0:
                found.setdefault(candidate.entry.id, candidate.entry)
        return list(found.values())[:limit]

    # --- rows ----------------------------------------------------------------------------------------------

    def _phrasing(
        self,
        session: Session,
        entry_id: str,
        text: str,
        origin: PhrasingOrigin,
        by: str,
        reply: FaqReply | None,
        message_ts: str | None,
        channel: str | None = None,
        asked_by: str | None = None,
    ) -> FaqPhrasing:
        """The row of this wording for this entry, made a candidate when it is new (locked for the change)."""
        text = one_line(text)[:MAX_QUESTION_LENGTH]
        key = gap_key(text)
        values = {
            "entry_id": entry_id,
            "text": text,
            "text_key": key,
            "status": PhrasingStatus.CANDIDATE,
            "origin": origin,
            "asked_by": reply.user_id if reply else asked_by,
            "channel": reply.channel if reply else channel,
            "message_ts": message_ts,
            "created_by": by,
            "created_at": self.clock.now(),
            "revision": 0,
        }
        insert_ignore(session, FaqPhrasing, values, ["entry_id", "text_key"])
        return session.execute(
            select(FaqPhrasing)
            .where(col(FaqPhrasing.entry_id) == entry_id, col(FaqPhrasing.text_key) == key)
            .with_for_update()
        ).scalar_one()

    def _learn(self, session: Session, rows: Sequence[FaqPhrasing], by: str) -> None:
        now: datetime = self.clock.now()
        for row in rows:
            row.status, row.learned_by, row.learned_at = PhrasingStatus.LEARNED, by, now
            row.removed_by = row.removed_at = None
            row.revision = next_revision(session)

    def _changed(self, keys: Sequence[str] = ()) -> None:
        """After the commit: this process's index learns it now; Slack hears of it."""
        self.sync.pull()
        if keys:
            self.outbox.deliver_keys(keys)


def _taught(row: FaqPhrasing) -> Taught:
    assert row.id is not None
    return Taught(row.id, row.entry_id, row.text, PhrasingStatus(row.status))


def picked(reply: FaqReply, entry_id: str) -> bool:
    """Whether `entry_id` was picked by the asker rather than the bot's own answer: a もしかして
    candidate, or one of the candidates an unsure answer offered under it (the answer was not it)."""
    return reply.decision == "suggest" or (reply.decision == "answer" and reply.entry_id != entry_id)
