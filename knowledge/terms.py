"""Terms: the vocabulary compiled for matching, and texts turned into weighted terms.

A term is a concept of the vocabulary ("#解約", which 解約, キャンセル, cancel subscription and
契約+やめる all become) or, for words the vocabulary does not know, the word's key ("稟議").
Its weight says how much the word tells about the text: nouns more than verbs, a word inside a
recognised phrase little on its own, stopwords (教えて, 確認) little or nothing.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from knowledge import dictionary_pages
from knowledge.normalize import is_katakana, matching_key, normalize_text, to_katakana
from knowledge.tokens import CONTENT_KINDS, PHRASE_KINDS, Token, is_katakana_token, reading_key, tokenize
from knowledge.vocabulary import Vocabulary, load_vocabulary

KIND_WEIGHT = {"noun": 1.0, "ascii": 1.0, "num": 0.8, "verb": 0.6, "adj": 0.7}  # what a word says
COMPONENT_WEIGHT = 0.35  # a word inside a recognised phrase (制限 in レート制限)
COMPOUND_WEIGHT = 0.5  # an unknown compound word as a whole (問い合わせ方法) …
PIECE_WEIGHT = 0.7  # … and each of its parts (問い合わせ, 方法)
SYNONYM_WEIGHT = 0.0  # Sudachi synonym groups as terms: measured, no gain (kept off)
BROADER_WEIGHT = 0.6  # the broader concept of a narrow one (支払い方法 for クレカ)

Keys = tuple[tuple[str, str], ...]  # (key, kind) of each word of a word or phrase


class Analyzer:
    """Turns tokens into weighted terms: concept ids ("#解約") and word keys ("稟議")."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.stopwords = _stopword_keys(vocabulary.stopwords)
        self._stop_weights = _stop_weights_by_term(self.stopwords)
        self.phrases: dict[tuple[str, ...], set[str]] = defaultdict(set)  # word keys -> concepts
        self.broader: dict[str, set[str]] = defaultdict(set)
        self.forms: dict[str, Keys] = {}  # every vocabulary word as written, for repairs
        self.readings: dict[str, Keys] = {}  # … and as read
        group_keys = {group.key for group in vocabulary.groups}
        pending_rules: list[tuple[str, list[tuple[str, ...]]]] = []
        self.actions: set[str] = set()  # concepts named by an action word (削除, 変更, 返金): what English asks map to
        for group in vocabulary.groups:
            concept = "#" + group.key
            named = [t for t in tokenize(normalize_text(group.canonical)) if t.kind in CONTENT_KINDS]
            if len(named) == 1 and (named[0].action or named[0].kind == "verb"):
                self.actions.add(concept)
            for name in group.broader:
                target = matching_key(name)
                self.broader[concept].add("#" + target if target in group_keys else target)
            for variant in group.variants:
                parts = [p.strip() for p in variant.split("+")]
                if len(parts) > 1 and all(parts):
                    pending_rules.append((concept, [_phrase_keys(tokenize(p)) for p in parts]))
                    continue
                tokens = tokenize(variant)
                sequence = tuple((t.key, t.kind) for t in tokens if t.kind in PHRASE_KINDS)
                if sequence:
                    self.phrases[tuple(k for k, _ in sequence)].add(concept)
                    self._remember(variant, tokens, sequence)
        # Each phrase's concepts with their stopword weights, in a fixed order.
        self._concepts = {
            keys: tuple((c, self.stop_weight(c)) for c in concepts) for keys, concepts in self.phrases.items()
        }
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

    def _remember(self, text: str, tokens: list[Token], sequence: Keys) -> None:
        form = matching_key(text)
        if form:
            self.forms.setdefault(form, sequence)
        reading = reading_key("".join(t.reading or to_katakana(t.surface) for t in tokens if t.kind != "space"))
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
        """1.0, or less for a stopword (a concept "#x" by the stopword x)."""
        return self._stop_weights.get(key, 1.0)

    def terms(self, tokens: list[Token]) -> dict[str, float]:
        """Weighted terms of a tokenised text."""
        present: dict[str, float] = {}  # a weight of 0 marks words that only co-occurrence rules see
        clause: list[Token] = []  # a phrase never spans two clauses (spaces are fine: "rate limit")
        for token in tokens:
            if token.kind in PHRASE_KINDS:
                clause.append(token)
            elif token.kind == "punct" and clause:
                self._match_phrases(clause, present)
                clause = []
        if clause:
            self._match_phrases(clause, present)
        self._apply_rules(present)
        self._add_broader(present)
        return {term: weight for term, weight in present.items() if weight > 0.0}

    def _match_phrases(self, sequence: list[Token], present: dict[str, float]) -> None:
        """Longest vocabulary phrase first at each position; other words stand for themselves."""
        longest_from = self.longest_from
        keys = [t.key for t in sequence]
        count = len(keys)
        position = 0
        while position < count:
            key = keys[position]
            length = min(longest_from.get(key, 0), count - position)
            while length > 1:
                phrase = tuple(keys[position : position + length])
                concepts = self._concepts.get(phrase)
                if concepts:
                    _put_all(present, concepts)
                    self._add_phrase_words(sequence[position : position + length], phrase, present)
                    break
                length -= 1
            if length == 1:
                concepts = self._concepts.get((key,))
                if concepts:
                    _put_all(present, concepts)
                    present.setdefault(key, 0.0)  # the word itself only for co-occurrence rules
                else:
                    length = 0
            if length == 0:
                token = sequence[position]
                if token.kind in CONTENT_KINDS:
                    self._add_word(token, present, 1.0)
                length = 1
            position += length

    def _add_phrase_words(self, phrase: list[Token], keys: tuple[str, ...], present: dict[str, float]) -> None:
        """The words of a phrase of several words count a little on their own (制限 in レート制限)."""
        present.setdefault(" ".join(keys), 0.0)
        if all(is_katakana_token(t) for t in phrase):
            return  # ダウン|グレード is one loanword that the tokenizer cut, not two words
        for token in phrase:
            concepts = self._concepts.get((token.key,))
            if not concepts:
                self._add_word(token, present, COMPONENT_WEIGHT)
                continue
            weight = KIND_WEIGHT.get(token.kind, 0.0) * COMPONENT_WEIGHT
            for concept, stop_weight in concepts:
                put(present, concept, weight * stop_weight)
            put(present, token.key, 0.0)

    def _add_word(self, token: Token, present: dict[str, float], factor: float) -> None:
        kind = token.kind
        if kind not in CONTENT_KINDS:
            return
        key = token.key
        weight = KIND_WEIGHT[kind] * factor
        if SYNONYM_WEIGHT and token.synonyms:
            for group in token.synonyms:
                put(present, group, SYNONYM_WEIGHT * weight * self._stop_weights.get(key, 1.0))
        if kind == "num" and not (len(key) == 3 and key[0] in "45"):
            weight = 0.0  # quantities are noise; HTTP status codes (429, 503) are not
        stop_weights = self._stop_weights
        if not token.pieces:
            value = weight * stop_weights.get(key, 1.0)
            if value > present.get(key, -1.0):
                present[key] = value
            return
        # A compound the vocabulary does not know (問い合わせ方法) is mostly its parts, so that
        # "問い合わせの方法" and "連絡方法" still meet it; the whole word adds a bonus.
        put(present, key, COMPOUND_WEIGHT * weight * stop_weights.get(key, 1.0))
        for piece in token.pieces:
            for concept in self.phrases.get((piece,), ()) or (piece,):
                put(present, concept, PIECE_WEIGHT * weight * stop_weights.get(concept, 1.0))

    def _apply_rules(self, present: dict[str, float]) -> None:
        """Concepts made of words anywhere in the text (契約+やめる → 解約)."""
        involved = present.keys() & self.rules_by_term.keys()
        if not involved:
            return
        candidates = {number for term in involved for number in self.rules_by_term[term]}
        for number in sorted(candidates):
            concept, parts = self.rules[number]
            if all(not accepted.isdisjoint(present) for accepted in parts):
                put(present, concept, self.stop_weight(concept))

    def _add_broader(self, present: dict[str, float]) -> None:
        if present.keys().isdisjoint(self.broader.keys()):
            return
        frontier = [(term, weight) for term, weight in present.items() if term in self.broader]
        while frontier:
            term, weight = frontier.pop()
            for target in self.broader.get(term, ()):
                value = weight * BROADER_WEIGHT * self.stop_weight(target)
                if value > present.get(target, 0.0):
                    present[target] = value
                    frontier.append((target, value))


def _phrase_keys(tokens: list[Token]) -> tuple[str, ...]:
    return tuple(t.key for t in tokens if t.kind in PHRASE_KINDS)


def _stopword_keys(stopwords: Mapping[str, float]) -> dict[str, float]:
    """Stopwords by the key their token gets (お客様 → 御客様, 教える → 教える) and as written."""
    keys: dict[str, float] = {}
    for word, weight in stopwords.items():
        keys[matching_key(word)] = weight
        tokens = [t for t in tokenize(normalize_text(word)) if t.kind not in ("space", "punct", "func")]
        if len(tokens) == 1:
            keys.setdefault(tokens[0].key, weight)
    return keys


def _stop_weights_by_term(stopwords: Mapping[str, float]) -> dict[str, float]:
    """Stopword weights by term: a word by itself, a concept "#x" by its name x (one lookup each)."""
    by_term = {word: weight for word, weight in stopwords.items() if not word.startswith("#")}
    by_term.update(("#" + word, weight) for word, weight in stopwords.items())
    return by_term


def _put_all(present: dict[str, float], weighted: tuple[tuple[str, float], ...]) -> None:
    for term, weight in weighted:
        if weight > present.get(term, -1.0):
            present[term] = weight


def put(present: dict[str, float], term: str, weight: float) -> None:
    """Keep a term's highest weight: a word said twice, or said weakly and strongly, counts once."""
    if weight > present.get(term, -1.0):
        present[term] = weight


_analyzers: dict[Any, Analyzer] = {}
_analyzers_lock = threading.Lock()


def analyzer_for(vocabulary: Vocabulary | None) -> Analyzer:
    """Compile a vocabulary once per process; reloading unchanged files reuses it."""
    vocabulary = vocabulary if vocabulary is not None else load_vocabulary()
    fingerprint = (vocabulary.groups, tuple(sorted(vocabulary.stopwords.items())))
    with _analyzers_lock:
        analyzer = _analyzers.get(fingerprint)
        if analyzer is None:
            if len(_analyzers) >= 8:
                _analyzers.clear()
            analyzer = _analyzers[fingerprint] = Analyzer(vocabulary)
            dictionary_pages.release()  # what compiling read: the dictionary file's pages
    return analyzer
