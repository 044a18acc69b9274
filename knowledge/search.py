"""FAQ search: find the knowledge-base entry a support question is about, or say there is none.

How a question is matched (each step exists because of a way people really ask):

1. Text is normalised (`knowledge.normalize`) and tokenised with Sudachi. Words are keyed by
   their dictionary form, conjugation families share a key (振り込む / 振り込み), particles and
   endings are dropped.
2. Only for questions: words the knowledge base does not know are repaired against the words
   it does know — kana-only spellings by reading (しはらいほうほう → 支払い方法), typos by one
   edit (バックアプ, limmit), mistyped kanji by reading (請求所 → 請求書), unknown compounds by
   their parts (振込日 → 振込 + 日), other words through Sudachi's synonym groups (従業員 → 社員).
3. Words and phrases become concepts through the vocabulary files (解約 = 退会 = cancel
   subscription = 契約+やめる …), so that different wordings meet.
4. Each entry is scored with two coverages, each term weighted by how rare it is (IDF):
   how much of one of the entry's phrasings (its question or an alternative) the question
   covers, and how much of the question the entry explains (question and alternatives fully,
   answer text by half). Both must be high to answer: an out-of-scope question that shares a
   word with an entry (「APIキーはどこで発行」 vs "API rate limits") covers only part of it and
   brings words the entry cannot explain. A tenth of the score is how alike the wording is
   character by character, so that only a question asked exactly as written scores 1.0.

Scores are in 0..1: at or above the answer threshold the bot answers, at or above the suggest
threshold it offers candidates. An inverted index over questions and alternatives finds the
candidates, so a query never scores every entry of a large knowledge base.
"""

from __future__ import annotations

import heapq
import math
import re
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA
from sudachipy import Dictionary, SplitMode

from knowledge.loader import Entry, load_entries
from knowledge.normalize import (
    compact,
    fold_long_vowel,
    is_kana,
    is_katakana,
    looks_like_question,
    matching_key,
    normalize_text,
    to_katakana,
)
from knowledge.vocabulary import Vocabulary, load_vocabulary, vocabulary_folder_for

__all__ = [
    "DEFAULT_ANSWER_THRESHOLD",
    "DEFAULT_SUGGEST_THRESHOLD",
    "Candidate",
    "Decision",
    "KnowledgeIndex",
    "SearchResult",
    "looks_like_question",
]

# Tuned with benchmarks/faq_quality.py on the development set and on check sets of our own.
DEFAULT_ANSWER_THRESHOLD = 0.50
DEFAULT_SUGGEST_THRESHOLD = 0.40

Decision = Literal["answer", "suggest", "none"]

# --- weights ------------------------------------------------------------------------------------
KIND_WEIGHT = {"noun": 1.0, "ascii": 1.0, "num": 0.8, "verb": 0.6, "adj": 0.7}  # what a word says
COMPONENT_WEIGHT = 0.35  # a word inside a recognised phrase (制限 in レート制限)
COMPOUND_WEIGHT = 0.5  # an unknown compound word as a whole (問い合わせ方法) …
PIECE_WEIGHT = 0.7  # … and each of its parts (問い合わせ, 方法)
BROADER_WEIGHT = 0.6  # the broader concept of a narrow one (支払い方法 for クレカ)
WEAK_FIELD = 0.5  # a term found only in the answer text, not in the question or alternatives
OOV_FACTOR = 0.6  # a question word no entry contains, relative to the rarest indexed word
MIN_MASS_FACTOR = 1.0  # a phrasing needs at least one rare word's worth of evidence to be covered
PHRASING_WEIGHT = 0.6  # share of phrasing coverage in the score (the rest: question coverage)
WORDING_WEIGHT = 0.1  # share of character similarity to the closest phrasing in the score
ANSWER_MARGIN = 0.04  # answer only when the best entry leads the next one by this much

# --- limits -------------------------------------------------------------------------------------
MIN_CANDIDATE_SCORE = 0.3  # query terms that together cannot lift an entry this high find no candidates
MAX_EXACT = 24  # candidates scored exactly, chosen by how much of the query their questions hold
SEED_ENTRIES = 32  # entries holding the rarest query terms together, scored first to set the bar …
SEED_TERMS = 4  # … found by intersecting the entries of up to this many of the rarest terms
FUZZY_MIN_LENGTH = {"katakana": 4, "ascii": 5}  # shorter words are too easily one edit from another
READING_MIN_LENGTH = 3  # shortest kana reading matched inside a kana-only run
MAX_READING_SPAN = 16
MAX_QUERY_LENGTH = 2000  # characters of a question that are read
MAX_CHUNK = 4000  # characters given to Sudachi at once (its input limit is in bytes)

_NEGATIONS = {"ない", "ず", "ぬ", "ん", "無い"}
_PHRASE_KINDS = frozenset({"noun", "ascii", "num", "verb", "adj", "neg", "affix", "other"})
_CONTENT_KINDS = frozenset({"noun", "ascii", "num", "verb", "adj"})


# --- public result types ------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    entry: Entry
    score: float  # 0..1, comparable with the thresholds


@dataclass(frozen=True)
class SearchResult:
    query: str
    decision: Decision
    candidates: tuple[Candidate, ...]  # ranked best first (at most `limit`)
    suggest_threshold: float = DEFAULT_SUGGEST_THRESHOLD

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def answer(self) -> Entry | None:
        """The entry to answer with, only when the decision is "answer"."""
        return self.candidates[0].entry if self.decision == "answer" and self.candidates else None

    @property
    def suggestions(self) -> tuple[Entry, ...]:
        """Candidates at or above the suggest threshold, only when the decision is "suggest"."""
        if self.decision != "suggest":
            return ()
        return tuple(c.entry for c in self.candidates if c.score >= self.suggest_threshold)


# --- tokens: Sudachi, loaded once, one tokenizer per thread -------------------------------------

_dictionary_lock = threading.Lock()
_dictionary: Any = None
_local = threading.local()


def _sudachi() -> Any:
    """This thread's Sudachi tokenizer (Sudachi's tokenizers must not be shared between threads)."""
    tokenizer = getattr(_local, "tokenizer", None)
    if tokenizer is None:
        global _dictionary
        with _dictionary_lock:
            if _dictionary is None:
                _dictionary = Dictionary(dict="core")
            tokenizer = _dictionary.tokenizer(mode=SplitMode.C)
        _local.tokenizer = tokenizer
    return tokenizer


@dataclass(slots=True)
class _Token:
    surface: str  # as written (normalised)
    key: str  # what matching compares: the dictionary form, normalised and stemmed
    reading: str  # katakana reading of the surface ("" when unknown)
    kind: str  # noun, ascii, num, verb, adj, neg, func, affix, other, space, punct
    start: int
    end: int
    pieces: tuple[str, ...] = ()  # keys of the parts of a compound word (請求書払い → 請求書, 払い)
    synonyms: tuple[str, ...] = ()  # Sudachi's synonym groups of the word


@lru_cache(maxsize=4096)
def _kind_of(pos: tuple[str, ...], normalized: str) -> str:
    major, minor = pos[0], pos[1]
    if major == "名詞":
        return "num" if minor == "数詞" else "noun"
    if major == "動詞":
        return "verb"
    if major in ("形容詞", "形状詞"):
        return "adj"
    if major == "助動詞":
        return "neg" if normalized in _NEGATIONS else "func"
    if major == "助詞":
        return "func"
    if major == "空白":
        return "space"
    if major in ("補助記号", "記号"):
        return "punct"
    if major in ("接頭辞", "接尾辞"):
        return "affix"
    return "other"  # adverbs, pronouns, interjections, conjunctions


def _stem(word: str, kind: str) -> str:
    """Words of one conjugation family share a key: the word up to its last kanji.

    振り込む / 振り込み → 振り込, 取り消す / 取り消し → 取り消, 間違う / 間違える → 間違.
    Only verbs, adjectives and nouns ending in okurigana are cut; 請求書 or メール stay whole, and
    so do words whose stem would be one kanji (出す / 出る, 届く / 届ける mean different things).
    """
    if kind not in ("verb", "adj", "noun") or not word or not _is_hiragana(word[-1]):
        return word
    last_kanji = max((i for i, c in enumerate(word) if _is_kanji(c)), default=-1)
    if last_kanji < 1 or (kind == "noun" and not _is_hiragana(word[last_kanji + 1 :])):
        return word
    return word[: last_kanji + 1]


def _is_kanji(char: str) -> bool:
    return "一" <= char <= "鿿" or char in "々〆ヶ"


def _is_hiragana(text: str) -> bool:
    return bool(text) and all("ぁ" <= c <= "ゖ" or c == "ー" for c in text)


def _stem_ascii(word: str) -> str:
    """Plural -s off English words (users → user); other forms are listed in the vocabulary."""
    if len(word) >= 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) >= 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _ascii_key(surface: str, normalized: str) -> str:
    """English words by their loanword when Sudachi knows one (users → ユーザー), else by stem."""
    if is_katakana(matching_key(normalized)):
        return matching_key(normalized)
    stem = _stem_ascii(surface.replace(" ", ""))
    return _english_lemma(stem) if stem != surface else stem


@lru_cache(maxsize=8192)
def _english_lemma(stem: str) -> str:
    tokens = list(_sudachi().tokenize(stem))
    if len(tokens) == 1 and is_katakana(matching_key(tokens[0].normalized_form())):
        return matching_key(tokens[0].normalized_form())
    return stem


def _is_ascii_word(text: str) -> bool:
    return text.isascii() and any(c.isalnum() for c in text)


# What a dictionary word becomes, whatever sentence it is in. Analysing each word once per
# process keeps index builds fast: most words of a knowledge base repeat.
_WordInfo = tuple[str, str, str, tuple[str, ...], tuple[str, ...]]  # key, kind, reading, pieces, synonyms
_word_cache: dict[tuple[int, str], _WordInfo] = {}
_WORD_CACHE_LIMIT = 200_000


def _word_info(m: Any, surface: str) -> _WordInfo:
    cache_key = (m.word_id(), surface)  # unknown words share an id, so the surface tells them apart
    info = _word_cache.get(cache_key)
    if info is not None:
        return info
    normalized = m.normalized_form()
    kind = _kind_of(tuple(m.part_of_speech()), normalized)
    reading = m.reading_form()
    if kind in ("noun", "num") and _is_ascii_word(surface):
        key = _ascii_key(surface, normalized)
        kind = "num" if surface.isdigit() else "ascii"
    else:
        key = "ない" if kind == "neg" else matching_key(_stem(normalized, kind))
    reading = fold_long_vowel(to_katakana(reading)) if is_kana(reading) else ""
    pieces: tuple[str, ...] = ()
    if kind == "noun" and len(surface) >= 3:
        parts = m.split(SplitMode.B)
        if len(parts) < 2:
            parts = m.split(SplitMode.A)
        if len(parts) > 1:
            keys = (matching_key(_stem(p.normalized_form(), "noun")) for p in parts)
            pieces = tuple(k for k in keys if len(k) >= 2)
    synonyms = tuple(f"~{g}" for g in m.synonym_group_ids()) if kind in _CONTENT_KINDS else ()
    info = (key, kind, reading, pieces, synonyms)
    if len(_word_cache) < _WORD_CACHE_LIMIT:
        _word_cache[cache_key] = info
    return info


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    for offset, chunk in _chunks(text):
        for m in _sudachi().tokenize(chunk):
            surface = m.surface()
            key, kind, reading, pieces, synonyms = _word_info(m, surface)
            if kind in ("verb", "adj") and _after_te(tokens) and m.part_of_speech()[1] == "非自立可能":
                kind = "func"  # subsidiary verbs: 届いて(いる), 消して(しまう), 教えて(ください)
            start, end = offset + m.begin(), offset + m.end()
            tokens.append(_Token(surface, key, reading, kind, start, end, pieces, synonyms))
    return tokens


def _after_te(tokens: list[_Token]) -> bool:
    return bool(tokens) and tokens[-1].kind == "func" and tokens[-1].surface in ("て", "で")


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    """Sudachi refuses very long input: long texts go in pieces, cut at a newline or space."""
    start = 0
    while len(text) - start > MAX_CHUNK:
        cut = max(text.rfind("\n", start, start + MAX_CHUNK), text.rfind(" ", start, start + MAX_CHUNK))
        end = cut + 1 if cut > start else start + MAX_CHUNK
        yield start, text[start:end]
        start = end
    yield start, text[start:]


def _is_katakana_token(token: _Token) -> bool:
    return token.kind in _CONTENT_KINDS and _is_katakana_word(token.surface)


@lru_cache(maxsize=65536)
def _is_katakana_word(surface: str) -> bool:
    return is_katakana(surface)


# --- terms: the vocabulary compiled for matching ------------------------------------------------

Keys = tuple[tuple[str, str], ...]  # (key, kind) of each word of a word or phrase


class _Analyzer:
    """Turns tokens into weighted terms: concept ids ("#解約") and word keys ("稟議")."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.stopwords = _stopword_keys(vocabulary.stopwords)
        self.phrases: dict[tuple[str, ...], set[str]] = defaultdict(set)  # word keys -> concepts
        self.broader: dict[str, set[str]] = defaultdict(set)
        self.forms: dict[str, Keys] = {}  # every vocabulary word as written, for repairs
        self.readings: dict[str, Keys] = {}  # … and as read
        group_keys = {group.key for group in vocabulary.groups}
        pending_rules: list[tuple[str, list[tuple[str, ...]]]] = []
        for group in vocabulary.groups:
            concept = "#" + group.key
            for name in group.broader:
                target = matching_key(name)
                self.broader[concept].add("#" + target if target in group_keys else target)
            for variant in group.variants:
                parts = [p.strip() for p in variant.split("+")]
                if len(parts) > 1 and all(parts):
                    pending_rules.append((concept, [_phrase_keys(_tokenize(p)) for p in parts]))
                    continue
                tokens = _tokenize(variant)
                sequence = tuple((t.key, t.kind) for t in tokens if t.kind in _PHRASE_KINDS)
                if sequence:
                    self.phrases[tuple(k for k, _ in sequence)].add(concept)
                    self._remember(variant, tokens, sequence)
        # Longest phrase starting with each word, so that most words need one lookup at most.
        self.longest_from: dict[str, int] = {}
        for keys in self.phrases:
            self.longest_from[keys[0]] = max(self.longest_from.get(keys[0], 0), len(keys))
        # Co-occurrence rules ("契約+やめる"): each part is satisfied by any of its terms.
        self.rules: list[tuple[str, tuple[frozenset[str], ...]]] = []
        self.rules_by_term: dict[str, list[int]] = defaultdict(list)
        for concept, part_keys in pending_rules:
            if all(part_keys):
                self._add_rule(concept, part_keys)

    def _remember(self, text: str, tokens: list[_Token], sequence: Keys) -> None:
        form = matching_key(text)
        if form:
            self.forms.setdefault(form, sequence)
        reading = _reading_key("".join(t.reading or to_katakana(t.surface) for t in tokens if t.kind != "space"))
        if reading and is_katakana(reading):
            self.readings.setdefault(reading, sequence)

    def _add_rule(self, concept: str, parts: list[tuple[str, ...]]) -> None:
        accepted_parts = []
        for keys in parts:
            terms = {" ".join(keys), *self.phrases.get(keys, ())}
            if len(keys) == 1:
                terms.add(keys[0])
            accepted_parts.append(frozenset(terms))
        number = len(self.rules)
        self.rules.append((concept, tuple(accepted_parts)))
        for accepted in accepted_parts:
            for term in accepted:
                self.rules_by_term[term].append(number)

    def stop_weight(self, key: str) -> float:
        weight = self.stopwords.get(key[1:] if key.startswith("#") else key)
        return 1.0 if weight is None else weight

    def terms(self, tokens: list[_Token]) -> dict[str, float]:
        """Weighted terms of a tokenised text."""
        present: dict[str, float] = {}  # a weight of 0 marks words that only co-occurrence rules see
        for clause in _clauses(tokens):
            self._match_phrases([t for t in clause if t.kind in _PHRASE_KINDS], present)
        self._apply_rules(present)
        self._add_broader(present)
        return {term: weight for term, weight in present.items() if weight > 0.0}

    def _match_phrases(self, sequence: list[_Token], present: dict[str, float]) -> None:
        """Longest vocabulary phrase first at each position; other words stand for themselves."""
        position = 0
        while position < len(sequence):
            length = min(self.longest_from.get(sequence[position].key, 0), len(sequence) - position)
            while length > 0:
                keys = tuple(t.key for t in sequence[position : position + length])
                concepts = self.phrases.get(keys)
                if concepts:
                    for concept in concepts:
                        _put(present, concept, self.stop_weight(concept))
                    self._add_phrase_words(sequence[position : position + length], keys, present)
                    break
                length -= 1
            if length == 0:
                self._add_word(sequence[position], present, 1.0)
                length = 1
            position += length

    def _add_phrase_words(self, phrase: list[_Token], keys: tuple[str, ...], present: dict[str, float]) -> None:
        """The words of a matched phrase count a little on their own (制限 in レート制限)."""
        present.setdefault(" ".join(keys), 0.0)
        if len(phrase) == 1:
            _put(present, keys[0], 0.0)
            return
        if all(_is_katakana_token(t) for t in phrase):
            return  # ダウン|グレード is one loanword that the tokenizer cut, not two words
        for token in phrase:
            concepts = self.phrases.get((token.key,))
            if not concepts:
                self._add_word(token, present, COMPONENT_WEIGHT)
                continue
            weight = KIND_WEIGHT.get(token.kind, 0.0) * COMPONENT_WEIGHT
            for concept in concepts:
                _put(present, concept, weight * self.stop_weight(concept))
            _put(present, token.key, 0.0)

    def _add_word(self, token: _Token, present: dict[str, float], factor: float) -> None:
        if token.kind not in _CONTENT_KINDS:
            return
        weight = KIND_WEIGHT[token.kind] * factor
        if token.kind == "num" and not (len(token.key) == 3 and token.key[0] in "45"):
            weight = 0.0  # quantities are noise; HTTP status codes (429, 503) are not
        if not token.pieces:
            _put(present, token.key, weight * self.stop_weight(token.key))
            return
        # A compound the vocabulary does not know (問い合わせ方法) is mostly its parts, so that
        # "問い合わせの方法" and "連絡方法" still meet it; the whole word adds a bonus.
        _put(present, token.key, COMPOUND_WEIGHT * weight * self.stop_weight(token.key))
        for piece in token.pieces:
            for concept in self.phrases.get((piece,), ()) or (piece,):
                _put(present, concept, PIECE_WEIGHT * weight * self.stop_weight(concept))

    def _apply_rules(self, present: dict[str, float]) -> None:
        """Concepts made of words anywhere in the text (契約+やめる → 解約)."""
        candidates = {number for term in present for number in self.rules_by_term.get(term, ())}
        for number in sorted(candidates):
            concept, parts = self.rules[number]
            if all(any(term in present for term in accepted) for accepted in parts):
                _put(present, concept, self.stop_weight(concept))

    def _add_broader(self, present: dict[str, float]) -> None:
        frontier = [(term, weight) for term, weight in present.items() if term in self.broader]
        while frontier:
            term, weight = frontier.pop()
            for target in self.broader.get(term, ()):
                value = weight * BROADER_WEIGHT * self.stop_weight(target)
                if value > present.get(target, 0.0):
                    present[target] = value
                    frontier.append((target, value))


def _phrase_keys(tokens: list[_Token]) -> tuple[str, ...]:
    return tuple(t.key for t in tokens if t.kind in _PHRASE_KINDS)


def _stopword_keys(stopwords: Mapping[str, float]) -> dict[str, float]:
    """Stopwords by the key their token gets (お客様 → 御客様, 教える → 教える) and as written."""
    keys: dict[str, float] = {}
    for word, weight in stopwords.items():
        keys[matching_key(word)] = weight
        tokens = [t for t in _tokenize(normalize_text(word)) if t.kind not in ("space", "punct", "func")]
        if len(tokens) == 1:
            keys.setdefault(tokens[0].key, weight)
    return keys


def _put(present: dict[str, float], term: str, weight: float) -> None:
    if weight > present.get(term, -1.0):
        present[term] = weight


def _clauses(tokens: list[_Token]) -> Iterator[list[_Token]]:
    """Split at punctuation: a phrase never spans two clauses (spaces are fine: "rate limit")."""
    clause: list[_Token] = []
    for token in tokens:
        if token.kind == "punct":
            if clause:
                yield clause
            clause = []
        else:
            clause.append(token)
    if clause:
        yield clause


_analyzers: dict[Any, _Analyzer] = {}
_analyzers_lock = threading.Lock()


def _analyzer_for(vocabulary: Vocabulary | None) -> _Analyzer:
    """Compile a vocabulary once per process; reloading unchanged files reuses it."""
    vocabulary = vocabulary if vocabulary is not None else load_vocabulary()
    fingerprint = (vocabulary.groups, tuple(sorted(vocabulary.stopwords.items())))
    with _analyzers_lock:
        analyzer = _analyzers.get(fingerprint)
        if analyzer is None:
            if len(_analyzers) >= 8:
                _analyzers.clear()
            analyzer = _analyzers[fingerprint] = _Analyzer(vocabulary)
    return analyzer


# --- repairs: questions against the words the index knows ---------------------------------------


class _Lexicon:
    """Every word, form and reading of the index and vocabulary, for repairing questions."""

    def __init__(self, analyzer: _Analyzer) -> None:
        self.analyzer = analyzer
        self.known: set[str] = set(analyzer.stopwords)
        for keys in analyzer.phrases:
            self.known.update(keys)
        self.forms: dict[str, Keys] = dict(analyzer.forms)
        self.readings: dict[str, Keys] = dict(analyzer.readings)
        self.synonyms: dict[str, tuple[str, str]] = {}  # Sudachi synonym group -> an indexed word of it
        self._learned: set[tuple[str, str]] = set()
        self._deletes: dict[str, set[str]] = {}

    def learn(self, tokens: list[_Token]) -> None:
        """Add the words of one indexed text."""
        for token in tokens:
            if token.kind not in _CONTENT_KINDS or (token.surface, token.key) in self._learned:
                continue
            self._learned.add((token.surface, token.key))
            self.known.add(token.key)
            self.known.update(token.pieces)
            word = ((token.key, token.kind),)
            self.forms.setdefault(matching_key(token.surface), word)
            reading = _reading_key(token.reading)
            useful = self.analyzer.stopwords.get(token.key, 1.0) > 0.0
            if useful and len(reading) >= READING_MIN_LENGTH:
                self.readings.setdefault(reading, word)
            for group in token.synonyms:
                self.synonyms.setdefault(group, (token.key, token.kind))
        for run in _katakana_runs(tokens):
            if len(run) > 1:  # a loanword the tokenizer cut (ダウン|グレード) is also known whole
                form = matching_key("".join(t.surface for t in run))
                self.forms.setdefault(form, tuple((t.key, t.kind) for t in run))

    def freeze(self) -> None:
        """Build the one-deletion table used for typo repair (katakana and Latin words only)."""
        deletes: dict[str, set[str]] = defaultdict(set)
        for form in self.forms:
            if _fuzzy_candidate(form):
                deletes[form].add(form)
                for i in range(len(form)):
                    deletes[form[:i] + form[i + 1 :]].add(form)
        self._deletes = dict(deletes)

    def is_known(self, token: _Token) -> bool:
        return token.key in self.known or matching_key(token.surface) in self.forms

    def correct(self, word: str) -> Keys | None:
        """The known word one edit (or one swap) away from `word`, if there is exactly one."""
        if not _fuzzy_candidate(word):
            return None
        found: set[str] = set()
        for probe in {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}:
            found |= self._deletes.get(probe, set())
        matches = {self.forms[f] for f in found if f != word and OSA.distance(word, f) <= 1}
        return matches.pop() if len(matches) == 1 else None  # ambiguous: no repair beats a wrong one

    def repair(self, tokens: list[_Token]) -> list[_Token]:
        tokens = self._split_unknown_compounds(tokens)
        tokens = self._read_kana_runs(tokens)
        tokens = self._join_and_correct_words(tokens)
        tokens = self._read_homophones(tokens)
        return self._use_synonym_groups(tokens)

    def _split_unknown_compounds(self, tokens: list[_Token]) -> list[_Token]:
        """A compound no entry uses (振込日) is matched by its parts (振込, 日) instead."""
        result: list[_Token] = []
        for token in tokens:
            if token.pieces and not self.is_known(token) and all(p in self.known for p in token.pieces):
                result.extend(_synthetic(tuple((p, "noun") for p in token.pieces), token.start, token.end))
            else:
                result.append(token)
        return result

    def _read_kana_runs(self, tokens: list[_Token]) -> list[_Token]:
        """Words typed in hiragana (しはらいほうほう) found by their reading, whatever Sudachi made of them."""
        result: list[_Token] = []
        for run in _hiragana_runs(tokens):
            found = self._words_by_reading(run) if sum(len(t.surface) for t in run) >= READING_MIN_LENGTH else []
            covered_by_sudachi = sum(t.end - t.start for t in run if t.kind in _CONTENT_KINDS and self._useful(t))
            if sum(t.end - t.start for t in found) <= covered_by_sudachi:
                result.extend(run)  # Sudachi read the run at least as well as the readings do
                continue
            spans = [(t.start, t.end) for t in found]
            kept = [t for t in run if not any(t.start < end and start < t.end for start, end in spans)]
            result.extend(sorted(found + kept, key=lambda t: t.start))
        return result

    def _words_by_reading(self, run: list[_Token]) -> list[_Token]:
        """Greedy longest match of known readings over a run of kana."""
        text = to_katakana("".join(t.surface for t in run))
        base = run[0].start
        found: list[_Token] = []
        position = 0
        while position < len(text):
            for end in range(min(len(text), position + MAX_READING_SPAN), position + READING_MIN_LENGTH - 1, -1):
                keys = self.readings.get(_reading_key(text[position:end]))
                if keys:
                    found.extend(_synthetic(keys, base + position, base + end))
                    position = end
                    break
            else:
                position += 1
        return found

    def _join_and_correct_words(self, tokens: list[_Token]) -> list[_Token]:
        """Katakana words Sudachi cut (ダウン|グレート) are joined; unknown ones corrected (バックアプ, limmit)."""
        result: list[_Token] = []
        index = 0
        while index < len(tokens):
            end = index + 1
            if _is_katakana_token(tokens[index]):
                while (
                    end < len(tokens) and _is_katakana_token(tokens[end]) and tokens[end].start == tokens[end - 1].end
                ):
                    end += 1
            run = tokens[index:end]
            replacement = self._replacement(run)
            result.extend(_synthetic(replacement, run[0].start, run[-1].end) if replacement else run)
            index = end
        return result

    def _replacement(self, run: list[_Token]) -> Keys | None:
        word = matching_key("".join(t.surface for t in run))
        if len(run) > 1:
            if word in self.forms:
                return self.forms[word]
            return None if word in self.known else self.correct(word)
        token = run[0]
        if (token.kind == "ascii" or _is_katakana_token(token)) and not self.is_known(token):
            return self.correct(word)
        return None

    def _read_homophones(self, tokens: list[_Token]) -> list[_Token]:
        """A kanji compound typed with the wrong kanji (請求所 for 請求書) found by its reading."""
        result: list[_Token] = []
        index = 0
        while index < len(tokens):
            for length in (3, 2):
                keys = self._homophone(tokens[index : index + length], length)
                if keys:
                    result.extend(_synthetic(keys, tokens[index].start, tokens[index + length - 1].end))
                    index += length
                    break
            else:
                result.append(tokens[index])
                index += 1
        return result

    def _homophone(self, span: list[_Token], length: int) -> Keys | None:
        if len(span) < length or not all(t.reading for t in span):
            return None
        if any(span[i + 1].start != span[i].end for i in range(length - 1)):
            return None
        # Only where something looks wrong: a suffix or prefix, or a word no entry uses.
        if not any(t.kind == "affix" or (t.kind in _CONTENT_KINDS and not self.is_known(t)) for t in span):
            return None
        reading = _reading_key("".join(t.reading for t in span))
        return self.readings.get(reading) if len(reading) >= 4 else None

    def _use_synonym_groups(self, tokens: list[_Token]) -> list[_Token]:
        """A word neither the entries nor the vocabulary use, replaced by an indexed word of the
        same Sudachi synonym group (従業員 → 社員)."""
        result = []
        for token in tokens:
            if token.synonyms and token.kind in _CONTENT_KINDS and not self.is_known(token):
                for group in token.synonyms:
                    found = self.synonyms.get(group)
                    if found:
                        token = _Token(token.surface, found[0], token.reading, found[1], token.start, token.end)
                        break
            result.append(token)
        return result

    def _useful(self, token: _Token) -> bool:
        return self.is_known(token) and self.analyzer.stopwords.get(token.key, 1.0) > 0.0


def _reading_key(reading: str) -> str:
    """Readings compared without long-vowel marks: ユーザースウ, ゆーざーすう and ユーザスウ meet."""
    return reading.replace("ー", "")


def _fuzzy_candidate(word: str) -> bool:
    if is_katakana(word):
        return len(word) >= FUZZY_MIN_LENGTH["katakana"]
    return word.isascii() and word.isalpha() and len(word) >= FUZZY_MIN_LENGTH["ascii"]


def _synthetic(keys: Keys, start: int, end: int) -> list[_Token]:
    return [_Token(key, key, "", kind, start, end) for key, kind in keys]


def _katakana_runs(tokens: list[_Token]) -> Iterator[list[_Token]]:
    run: list[_Token] = []
    for token in tokens:
        if _is_katakana_token(token) and run and run[-1].end == token.start:
            run.append(token)
            continue
        if run:
            yield run
        run = [token] if _is_katakana_token(token) else []
    if run:
        yield run


def _hiragana_runs(tokens: list[_Token]) -> Iterator[list[_Token]]:
    """Adjacent hiragana tokens together (words typed by sound); every other token alone."""
    run: list[_Token] = []
    for token in tokens:
        if _is_hiragana(token.surface) and (not run or run[-1].end == token.start):
            run.append(token)
            continue
        if run:
            yield run
        run = [token] if _is_hiragana(token.surface) else []
        if not run:
            yield [token]
    if run:
        yield run


# --- the index ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scored:
    index: int
    score: float
    phrasing: float  # best coverage of one of the entry's phrasings
    question: float  # share of the question the entry explains


class KnowledgeIndex:
    """An immutable, thread-safe search index over knowledge-base entries."""

    def __init__(
        self,
        entries: Sequence[Entry],
        analyzer: _Analyzer,
        lexicon: _Lexicon,
        phrasings: list[list[dict[str, float]]],
        fields: list[dict[str, float]],
    ) -> None:
        self.entries: tuple[Entry, ...] = tuple(entries)
        self._by_id = {entry.id: entry for entry in self.entries}
        self._analyzer = analyzer
        self._lexicon = lexicon
        self._phrasings = phrasings  # per entry: the terms of its question and of each alternative
        self._fields = fields  # per entry: all its terms (answer text at WEAK_FIELD)
        count = len(self.entries)
        df: dict[str, int] = defaultdict(int)
        for terms in fields:
            for term in terms:
                df[term] += 1
        self._idf = {term: _idf(count, n) for term, n in df.items()}
        self._rare = _idf(count, 1)
        self._oov = OOV_FACTOR * self._rare
        self._min_mass = MIN_MASS_FACTOR * self._rare
        # term -> {entry: weight in its question fields × idf}. Only question fields find
        # candidates: an entry that matches by its answer text alone cannot reach a useful score.
        self._postings: dict[str, dict[int, float]] = defaultdict(dict)
        for index, entry_phrasings in enumerate(phrasings):
            for term, weight in _merge(entry_phrasings).items():
                self._postings[term][index] = weight * self._idf[term]
        self._compact: dict[int, tuple[str, ...]] = {}  # phrasings for `_wording`, filled when first needed
        self._phrase_mass = [
            [max(sum(w * self._idf[t] for t, w in terms.items()), self._min_mass) for terms in entry_phrasings]
            for entry_phrasings in phrasings
        ]

    @classmethod
    def build(cls, entries: Sequence[Entry], vocabulary: Vocabulary | None = None) -> KnowledgeIndex:
        """Index entries; `vocabulary` defaults to the bundled vocabulary files."""
        analyzer = _analyzer_for(vocabulary)
        lexicon = _Lexicon(analyzer)
        cache: dict[str, dict[str, float]] = {}

        def analyse(text: str) -> dict[str, float]:
            terms = cache.get(text)
            if terms is None:
                tokens = _tokenize(normalize_text(text))
                terms = cache[text] = analyzer.terms(tokens)
                lexicon.learn(tokens)
            return terms

        all_phrasings: list[list[dict[str, float]]] = []
        fields: list[dict[str, float]] = []
        for entry in entries:
            phrasings = [terms for terms in map(analyse, _phrasings_of(entry)) if terms] or [{}]
            merged = _merge(phrasings)
            # Answers are long and repeat across entries: analysed (and cached) sentence by sentence.
            for sentence in _answer_sentences(entry):
                for term, weight in analyse(sentence).items():
                    _put(merged, term, WEAK_FIELD * weight)
            all_phrasings.append(phrasings)
            fields.append(merged)
        lexicon.freeze()
        return cls(entries, analyzer, lexicon, all_phrasings, fields)

    @classmethod
    def from_path(cls, path: Path) -> KnowledgeIndex:
        """Load a knowledge folder (or file) with the bundled vocabulary plus its `vocabulary/` folder."""
        path = Path(path)
        vocabulary = load_vocabulary(vocabulary_folder_for(path))
        return cls.build(load_entries(path), vocabulary)

    def get(self, entry_id: str) -> Entry | None:
        return self._by_id.get(entry_id)

    @property
    def term_count(self) -> int:
        """How many distinct terms the entries hold (for benchmarks and diagnostics)."""
        return len(self._idf)

    def query_terms(self, query: str) -> dict[str, float]:
        """The weighted terms a question is reduced to (also for explaining results)."""
        tokens = self._lexicon.repair(_tokenize(normalize_text(query[:MAX_QUERY_LENGTH])))
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

    def _score(self, query: str, keep: int, shown: float = 0.0) -> list[_Scored]:
        """The `keep` best entries; below the top two, only those scoring at least `shown` are exact."""
        terms = self.query_terms(query)
        weighted: list[tuple[str, float, float]] = []  # term, query weight, idf
        total = 0.0
        for term, weight in terms.items():
            idf = self._idf.get(term)
            if idf is None:
                # A vocabulary concept no entry mentions is a topic we do not cover; an unknown
                # word may just be context ("稟議", "来週"), so it counts for less.
                total += weight * (self._rare if term.startswith("#") else self._oov)
            else:
                total += weight * idf
                weighted.append((term, weight, idf))
        if not weighted or keep <= 0:
            return []
        coverages = self._coverages(weighted, total, keep, shown)
        coverages.sort(key=lambda c: (-c[0], c[1]))
        wording = compact(query[:MAX_QUERY_LENGTH])
        best: list[_Scored] = []
        for coverage, index, phrasing, question in coverages:
            if len(best) >= keep and best[keep - 1].score >= (1.0 - WORDING_WEIGHT) * coverage + WORDING_WEIGHT:
                break  # even identical wording could not lift this one (or any after it) into the top
            score = (1.0 - WORDING_WEIGHT) * coverage + WORDING_WEIGHT * self._wording(index, wording)
            best.append(_Scored(index, score, phrasing, question))
            best.sort(key=lambda s: (-s.score, s.index))
        return best[:keep]

    def _coverages(
        self, weighted: list[tuple[str, float, float]], total: float, keep: int, shown: float
    ) -> list[tuple[float, int, float, float]]:
        """(coverage, entry, phrasing coverage, question coverage) of the entries worth scoring.

        Entries are found through the postings of the query's terms, rarest first. Common terms
        (in thousands of entries) are not walked when, all together, they could not lift an entry
        above what the entries found through the rare terms already score (MaxScore): a few
        entries that hold the rarest terms together are scored first to learn that bar.
        """
        terms = sorted(weighted, key=lambda w: -w[1] * w[2])
        reach = [  # the most each term can add to an entry's coverage
            PHRASING_WEIGHT * min(w * idf / self._min_mass, 1.0) + (1.0 - PHRASING_WEIGHT) * w * idf / total
            for _, w, idf in terms
        ]
        results: dict[int, tuple[float, int, float, float]] = {}

        def evaluate(index: int) -> None:
            if index not in results:
                question = min(self._explained(index, weighted) / total, 1.0)
                phrasing = self._phrasing_coverage(index, weighted)
                coverage = PHRASING_WEIGHT * phrasing + (1.0 - PHRASING_WEIGHT) * question
                results[index] = (coverage, index, phrasing, question)

        for index in self._seed(terms):
            evaluate(index)
        found = sorted((r[0] for r in results.values()), reverse=True) + [0.0] * keep
        # An entry not found yet matters only if it could enter the top two (which decide), or the
        # top `keep` at or above the suggest threshold (which are shown).
        bar = min(found[1], max(found[keep - 1], (shown - WORDING_WEIGHT) / (1.0 - WORDING_WEIGHT)))
        # Wording adds at most WORDING_WEIGHT, so coverage `rest` can never beat coverage `bar` if
        # (1 - w) * rest + w < (1 - w) * bar.
        floor = max(
            (MIN_CANDIDATE_SCORE - WORDING_WEIGHT) / (1.0 - WORDING_WEIGHT),
            bar - WORDING_WEIGHT / (1.0 - WORDING_WEIGHT),
        )
        covered: dict[int, float] = {}
        get = covered.get
        remaining = sum(reach)  # the most this term and all commoner ones can give one entry
        for (term, weight, idf), term_reach in zip(terms, reach, strict=True):
            postings = self._postings.get(term, {})
            cap = weight * idf
            if remaining >= floor:  # an entry first met here may still reach the bar
                for index, value in postings.items():
                    covered[index] = get(index, 0.0) + (value if value <= cap else cap)
            elif len(postings) < len(covered):  # from here on, only entries already met are updated
                for index, value in postings.items():
                    if index in covered:
                        covered[index] += value if value <= cap else cap
            else:
                for index in covered:
                    held = postings.get(index)
                    if held:
                        covered[index] += held if held <= cap else cap
            remaining -= term_reach
        for index in heapq.nlargest(MAX_EXACT, covered, key=covered.__getitem__):
            evaluate(index)
        return [r for r in results.values() if r[0] > 0.0]

    def _seed(self, terms: list[tuple[str, float, float]]) -> list[int]:
        """A few entries that hold the query's rarest terms together: likely the best ones."""
        ordered = sorted((t for t, _, _ in terms if t in self._postings), key=lambda t: len(self._postings[t]))
        if not ordered:
            return []
        seed = set(self._postings[ordered[0]])
        for term in ordered[1:SEED_TERMS]:
            if len(seed) <= SEED_ENTRIES:
                break
            narrower = seed & self._postings[term].keys()
            if narrower:
                seed = narrower
        return sorted(seed)[:SEED_ENTRIES]

    def _wording(self, index: int, wording: str) -> float:
        """How alike the question and the entry's closest phrasing are, character by character.

        A small part of the score: it ranks the closer wording first among entries that cover
        a question equally, and keeps 1.0 for a question asked exactly as written.
        """
        phrasings = self._compact.get(index)
        if phrasings is None:
            phrasings = self._compact[index] = tuple(compact(t) for t in _phrasings_of(self.entries[index]))
        return max((fuzz.ratio(wording, p) / 100.0 for p in phrasings), default=0.0)

    def _explained(self, index: int, weighted: list[tuple[str, float, float]]) -> float:
        """Query mass the entry explains: question fields fully, answer text by WEAK_FIELD."""
        fields = self._fields[index]
        mass = 0.0
        for term, weight, idf in weighted:
            field_weight = fields.get(term)
            if field_weight:
                mass += min(weight, field_weight) * idf
        return mass

    def _phrasing_coverage(self, index: int, weighted: list[tuple[str, float, float]]) -> float:
        """How much of the entry's best-covered phrasing (question or an alternative) the query covers."""
        best = 0.0
        for terms, mass in zip(self._phrasings[index], self._phrase_mass[index], strict=True):
            covered = 0.0
            for term, weight, idf in weighted:
                phrase_weight = terms.get(term)
                if phrase_weight:
                    covered += min(weight, phrase_weight) * idf
            best = max(best, covered / mass)
        return min(best, 1.0)


def _merge(dicts: Iterable[dict[str, float]]) -> dict[str, float]:
    merged: dict[str, float] = {}
    for terms in dicts:
        for term, weight in terms.items():
            _put(merged, term, weight)
    return merged


def _idf(count: int, df: int) -> float:
    """BM25's idf: always positive, highest for terms in one entry."""
    return math.log(1.0 + (count - df + 0.5) / (df + 0.5))


def _phrasings_of(entry: Entry) -> list[str]:
    """The question, its parts outside and inside brackets, and each alternative wording."""
    texts = [entry.question]
    outside, inside = _split_brackets(entry.question)
    texts.extend(part for part in (outside, *inside) if part and part != entry.question)
    texts.extend(entry.alternatives)
    return texts


def _split_brackets(text: str) -> tuple[str, list[str]]:
    """「ログインできない (パスワードを忘れた)」 → ("ログインできない", ["パスワードを忘れた"])."""
    inside: list[str] = []
    outside: list[str] = []
    depth = 0
    current: list[str] = []
    for char in text:
        if char in "(（":
            if depth == 0:
                outside.append("".join(current))
                current = []
            depth += 1
        elif char in ")）" and depth:
            depth -= 1
            if depth == 0:
                inside.append("".join(current))
                current = []
        else:
            current.append(char)
    (inside if depth else outside).append("".join(current))
    return "".join(outside).strip(), [i.strip() for i in inside if i.strip()]


_SENTENCE_END = re.compile(r"(?<=[。！？!?])|\n+")


def _answer_sentences(entry: Entry) -> list[str]:
    """Answer, sections, category and link titles, cut into sentences (which repeat across entries)."""
    texts = [entry.answer, entry.category]
    texts.extend(body for _, body in entry.sections)
    texts.extend(link.title for link in entry.links)
    return [s.strip() for text in texts for s in _SENTENCE_END.split(text) if s.strip()]
