"""The index: a knowledge base analysed once, searched many times, and the decision on a question.

Building reads every question, alternative and answer sentence once (texts that repeat across
entries are analysed once) and learns the words the repairs compare questions against; searching
reduces a question to terms, lets `knowledge.scoring` rank the entries, and decides between
answering, suggesting and saying nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from knowledge import index_cache
from knowledge.entry_texts import answer_sentences, phrasings_of
from knowledge.loader import Entry, load_entries
from knowledge.normalize import normalize_text
from knowledge.repairs import Lexicon
from knowledge.results import DEFAULT_ANSWER_THRESHOLD, DEFAULT_SUGGEST_THRESHOLD, Candidate, Decision, SearchResult
from knowledge.scoring import Scored, Scorer, Terms
from knowledge.terms import Analyzer, analyzer_for, put
from knowledge.tokens import tokenize
from knowledge.vocabulary import Vocabulary, load_vocabulary, vocabulary_folder_for

WEAK_FIELD = 0.5  # a term found only in the answer text, not in the question or alternatives
ANSWER_MARGIN = 0.04  # answer only when the best entry leads the next one by this much
MAX_QUERY_LENGTH = 2000  # characters of a question that are read


class KnowledgeIndex:
    """An immutable, thread-safe search index over knowledge-base entries."""

    def __init__(
        self,
        entries: Sequence[Entry],
        analyzer: Analyzer,
        lexicon: Lexicon,
        analysis: index_cache.Analysis,
    ) -> None:
        """Use `build` or `from_path`: this only assembles what they analysed."""
        self.entries: tuple[Entry, ...] = tuple(entries)
        self._by_id = {entry.id: entry for entry in self.entries}
        self._analyzer = analyzer
        self._lexicon = lexicon
        self._scorer = Scorer(self.entries, analysis.phrasings, analysis.questions, analysis.fields)

    @classmethod
    def build(
        cls, entries: Sequence[Entry], vocabulary: Vocabulary | None = None, *, cache_dir: Path | None = None
    ) -> KnowledgeIndex:
        """Index entries; `vocabulary` defaults to the bundled vocabulary files.

        With `cache_dir`, the analysis is read from there when entries, vocabulary and code are
        unchanged, and saved there otherwise (`knowledge.index_cache`).
        """
        vocabulary = vocabulary if vocabulary is not None else load_vocabulary()
        analyzer = analyzer_for(vocabulary)
        directory = cache_dir
        if directory is None:
            analysis, lexicon = _analyse(entries, analyzer)
        else:
            key = index_cache.cache_key(entries, vocabulary)
            found = index_cache.load(directory, key, len(entries))
            if found is None:
                analysis, lexicon = _analyse(entries, analyzer)
                index_cache.save(directory, key, analysis)
            else:
                analysis, lexicon = found, Lexicon.from_tables(analyzer, found.lexicon)
        return cls(entries, analyzer, lexicon, analysis)

    @classmethod
    def from_path(cls, path: Path, *, cache_dir: Path | None = None) -> KnowledgeIndex:
        """Load a knowledge folder (or file) with the bundled vocabulary plus its `vocabulary/` folder."""
        path = Path(path)
        vocabulary = load_vocabulary(vocabulary_folder_for(path))
        return cls.build(load_entries(path), vocabulary, cache_dir=cache_dir)

    def get(self, entry_id: str) -> Entry | None:
        return self._by_id.get(entry_id)

    @property
    def term_count(self) -> int:
        """How many distinct terms the entries hold (for benchmarks and diagnostics)."""
        return len(self._scorer.idf)

    def query_terms(self, query: str) -> dict[str, float]:
        """The weighted terms a question is reduced to (also for explaining results)."""
        tokens = self._lexicon.repair(tokenize(normalize_text(query[:MAX_QUERY_LENGTH])))
        return self._analyzer.terms(tokens)

    def search(
        self,
        query: str,
        *,
        answer_threshold: float = DEFAULT_ANSWER_THRESHOLD,
        suggest_threshold: float = DEFAULT_SUGGEST_THRESHOLD,
        limit: int = 3,
    ) -> SearchResult:
        scored = self._score(query, max(limit, 2), suggest_threshold)
        candidates = tuple(Candidate(self.entries[s.index], round(s.score, 4)) for s in scored[: max(limit, 0)])
        decision: Decision = "none"
        if scored and scored[0].score >= answer_threshold:
            runner_up = scored[1].score if len(scored) > 1 else 0.0
            decision = "answer" if scored[0].score - runner_up >= ANSWER_MARGIN else "suggest"
        elif scored and scored[0].score >= suggest_threshold:
            decision = "suggest"
        return SearchResult(query, decision, candidates, suggest_threshold)

    def explain(self, query: str, limit: int = 3) -> dict[str, Any]:
        """The query's terms and the score parts of the best candidates, for tuning and bug reports."""
        return {
            "terms": {t: round(w, 2) for t, w in self.query_terms(query).items()},
            "candidates": [
                {
                    "id": self.entries[s.index].id,
                    "question": self.entries[s.index].question,
                    "score": round(s.score, 3),
                    "phrasing": round(s.phrasing, 3),
                    "question_coverage": round(s.question, 3),
                }
                for s in self._score(query, limit)
            ],
        }

    def _score(self, query: str, keep: int, shown: float = 0.0) -> list[Scored]:
        """The `keep` best entries; below the top two, only those scoring at least `shown` are exact."""
        return self._scorer.rank(self.query_terms(query), query[:MAX_QUERY_LENGTH], keep, shown)


def _analyse(entries: Sequence[Entry], analyzer: Analyzer) -> tuple[index_cache.Analysis, Lexicon]:
    """Every text of every entry reduced to terms (a text repeated across entries once), and the
    lexicon of their words."""
    lexicon = Lexicon(analyzer)
    cache: dict[str, Terms] = {}

    def analyse(text: str) -> Terms:
        terms = cache.get(text)
        if terms is None:
            tokens = tokenize(normalize_text(text))
            terms = cache[text] = analyzer.terms(tokens)
            lexicon.learn(tokens)
        return terms

    all_phrasings: list[list[Terms]] = []
    questions: list[Terms] = []
    fields: list[Terms] = []
    for entry in entries:
        phrasings = [terms for terms in map(analyse, phrasings_of(entry)) if terms] or [{}]
        merged = _merge(phrasings)
        questions.append(merged)
        merged = dict(merged)
        # Answers are long and repeat across entries: analysed (and cached) sentence by sentence.
        for sentence in answer_sentences(entry):
            for term, weight in analyse(sentence).items():
                put(merged, term, WEAK_FIELD * weight)
        all_phrasings.append(phrasings)
        fields.append(merged)
    lexicon.freeze()
    return index_cache.Analysis(all_phrasings, questions, fields, lexicon.tables()), lexicon


def _merge(dicts: Iterable[Terms]) -> Terms:
    merged: Terms = {}
    for terms in dicts:
        for term, weight in terms.items():
            put(merged, term, weight)
    return merged
