"""Keeping this process's index in step with what was taught (the database) and the knowledge files.

Replicas share nothing but the database. Every teaching change takes the next value of one counter
(`counters.faq_teaching`) as its row's `revision`; each process remembers the revision it has
applied and, when the counter moved, applies the rows changed since — incrementally, through the
index's learning API — without a restart. The knowledge files are watched by each process on its
own: a cheap look at their modification times, and a reload of the changed ones (a broken file
keeps its last good entries; its errors name the file and line).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import select, update
from sqlmodel import Session, col

from bot.database import Database, insert_ignore
from bot.faq_markdown import from_database, links_of, written_entry
from bot.faq_vocabulary import TEACHING_COUNTER, DraftStatus, PhrasingStatus
from bot.models import Counter, FaqDraft, FaqPhrasing
from knowledge.index import KnowledgeIndex
from knowledge.loader import Entry, markdown_files
from knowledge.reload import ReloadResult

log = logging.getLogger(__name__)


def next_revision(session: Session) -> int:
    """The next teaching revision, in the caller's transaction (the counter's row lock orders the changes)."""
    insert_ignore(session, Counter, {"name": TEACHING_COUNTER, "value": 0}, ["name"])
    statement = (
        update(Counter)
        .where(col(Counter.name) == TEACHING_COUNTER)
        .values(value=col(Counter.value) + 1)
        .returning(col(Counter.value))
    )
    return int(session.execute(statement).scalar_one())


def lock_teaching(session: Session) -> None:
    """Take the teaching counter's row lock for the transaction: decisions that read several rows (the
    two-confirmers rule) are made one at a time, so two people confirming at once still teach."""
    insert_ignore(session, Counter, {"name": TEACHING_COUNTER, "value": 0}, ["name"])
    session.execute(select(Counter).where(col(Counter.name) == TEACHING_COUNTER).with_for_update())


def draft_entry(draft: FaqDraft) -> Entry:
    """The entry a draft stands for, as the loader would read it once exported."""
    return written_entry(
        draft.entry_id,
        draft.question,
        draft.answer,
        category=draft.category,
        escalation=draft.escalation,
        links=links_of(draft.links),
    )


class KnowledgeFiles:
    """The Markdown files of a knowledge folder (or one file), and which changed since the last look."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._seen = self._stat()

    def _stat(self) -> dict[Path, tuple[int, int]]:
        try:
            files = markdown_files(self.path)
        except FileNotFoundError:
            return {}
        seen = {}
        for file in files:
            try:
                status = file.stat()
            except OSError:
                continue  # deleted between the listing and the look: the next look sees it gone
            seen[file] = (status.st_mtime_ns, status.st_size)
        return seen

    def all(self) -> list[Path]:
        self._seen = self._stat()
        return sorted(self._seen)

    def changed(self) -> list[Path]:
        """Files added, changed or deleted since the last call."""
        before, now = self._seen, self._stat()
        self._seen = now
        return sorted(path for path in before.keys() | now.keys() if before.get(path) != now.get(path))


class KnowledgeSync:
    """Applies teaching changes and file changes to one process's index."""

    def __init__(self, db: Database, index: KnowledgeIndex, knowledge_path: Path | None = None) -> None:
        self.db = db
        self.index = index
        path = knowledge_path or index.root
        self.files = KnowledgeFiles(path) if path is not None else None
        self.applied = 0  # the teaching revision this index has
        self._lock = threading.Lock()

    # --- the database ------------------------------------------------------------------------

    def pull(self) -> int:
        """Apply the teaching changes made since the last pull (here or on another replica); how many."""
        with self._lock, self.db.transaction() as session:
            current = session.execute(
                select(col(Counter.value)).where(col(Counter.name) == TEACHING_COUNTER)
            ).scalar_one_or_none()
            if current is None or current <= self.applied:
                return 0
            drafts = session.execute(select(FaqDraft).where(col(FaqDraft.revision) > self.applied)).scalars().all()
            phrasings = (
                session.execute(
                    select(FaqPhrasing)
                    .where(col(FaqPhrasing.revision) > self.applied)
                    .order_by(col(FaqPhrasing.revision))
                )
                .scalars()
                .all()
            )
            added = [draft.entry_id for draft in drafts if self._apply_draft(draft)]
            for phrasing in phrasings:
                self._apply_phrasing(phrasing.entry_id, phrasing.text, phrasing.status == PhrasingStatus.LEARNED)
            self._restore_phrasings(session, added)
            revisions = [row.revision for row in (*drafts, *phrasings)]
            self.applied = max([current, *revisions])
            return len(revisions)

    def _apply_draft(self, draft: FaqDraft) -> bool:
        """Serve a live draft, stop serving one that is not; True when its entry was (re-)added."""
        existing = self.index.get(draft.entry_id)
        if draft.status != DraftStatus.LIVE:
            if existing is not None and from_database(existing):
                self.index.remove_entry(draft.entry_id)
            return False
        entry = draft_entry(draft)
        if existing is None:
            self.index.add_entry(entry)
            return True
        if from_database(existing) and existing != entry:
            self.index.replace_entry(draft.entry_id, entry)
        return False  # an exported copy in the files wins over the database's

    def _apply_phrasing(self, entry_id: str, text: str, learned: bool) -> None:
        try:
            if learned:
                self.index.learn_phrasing(entry_id, text)
            else:
                self.index.forget_phrasing(entry_id, text)
        except KeyError:
            log.info("learned phrasing for entry %s kept aside: the entry is not in the knowledge base now", entry_id)

    def _restore_phrasings(self, session: Session, entry_ids: Iterable[str]) -> None:
        """Entries that came (back) into the index get the phrasings learned for them."""
        ids = sorted(set(entry_ids))
        if not ids:
            return
        rows = session.execute(
            select(col(FaqPhrasing.entry_id), col(FaqPhrasing.text)).where(
                col(FaqPhrasing.entry_id).in_(ids), col(FaqPhrasing.status) == PhrasingStatus.LEARNED
            )
        ).all()
        for entry_id, text in rows:
            self._apply_phrasing(entry_id, text, True)

    # --- the files -------------------------------------------------------------------------------

    def reload_files(self, *, force: bool = False) -> list[ReloadResult]:
        """Reload the knowledge files that changed (all of them with `force`: `/faq reload`)."""
        if self.files is None:
            return []
        with self._lock:
            paths = self.files.all() if force else self.files.changed()
            results = [self._reload(path) for path in paths]
        if any(result.added for result in results):
            with self._lock, self.db.transaction() as session:
                self._restore_phrasings(session, (i for result in results for i in result.added))
        return results

    def _reload(self, path: Path) -> ReloadResult:
        result = self.index.reload_file(path.resolve())
        for error in result.errors:
            log.warning("knowledge file not reloaded, the last good version stays: %s", error)
        if result.added or result.changed or result.removed:
            log.info(
                "knowledge file %s reloaded: %d added, %d changed, %d removed",
                result.source,
                len(result.added),
                len(result.changed),
                len(result.removed),
            )
        return result

    def run(self) -> None:
        """The scheduled job: pull what other replicas taught, reload what changed on disk."""
        self.pull()
        self.reload_files()
