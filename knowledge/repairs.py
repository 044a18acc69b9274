"""Repairs: a question's words checked against the words the index knows, and fixed.

Only questions are repaired (knowledge-base text is taken as written): kana-only spellings are
read (しはらいほうほう → 支払い方法), typos fixed by one edit (バックアプ, limmit), mistyped kanji
found by their reading (請求所 → 請求書), unknown compounds split into known parts (振込日 → 振込 +
日), and other unknown words replaced through Sudachi's synonym groups (従業員 → 社員).
"""

from __future__ import annotations

import threading
import weakref
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from rapidfuzz.distance import OSA

from knowledge.normalize import is_katakana, matching_key, to_katakana
from knowledge.terms import Analyzer, Keys
from knowledge.tokens import CONTENT_KINDS, Token, is_hiragana, is_katakana_token, reading_key

_GRAMMAR_KINDS = frozenset({"func", "neg", "affix"})
FUZZY_MIN_LENGTH = {"katakana": 4, "ascii": 5}  # shorter words are too easily one edit from another
READING_MIN_LENGTH = 3  # shortest kana reading matched inside a kana-only run
MAX_READING_SPAN = 16  # longest kana reading matched inside a kana-only run


class LexiconTables(NamedTuple):
    known: set[str]  # every word key of the index and the vocabulary
    forms: dict[str, Keys]  # words as written -> their keys
    readings: dict[str, Keys]  # words as read -> their keys
    synonyms: dict[str, tuple[str, str]]  # Sudachi synonym group -> an indexed word of it


def lessons(tokens: list[Token]) -> tuple[list[Token], list[tuple[str, Keys]]]:
    """What a text teaches a lexicon: its content words, in order, and its runs of adjacent
    katakana words, each as the whole word it may be (ダウン|グレード → ダウングレード)."""
    words: list[Token] = []
    runs: list[list[Token]] = []
    run: list[Token] = []
    for token in tokens:
        if token.kind in CONTENT_KINDS:
            words.append(token)
            if is_katakana_token(token):
                if run and run[-1].end == token.start:
                    run.append(token)
                    continue
                if len(run) > 1:
                    runs.append(run)
                run = [token]
                continue
        if len(run) > 1:
            runs.append(run)
        run = []
    if len(run) > 1:
        runs.append(run)
    return words, [(matching_key("".join(t.surface for t in r)), tuple((t.key, t.kind) for t in r)) for r in runs]


class Lexicon:
    """Every word, form and reading of the index and vocabulary, for repairing questions."""

    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer
        self.known: set[str] = set(analyzer.stopwords)
        for keys in analyzer.phrases:
            self.known.update(keys)
        self.forms: dict[str, Keys] = dict(analyzer.forms)
        self.readings: dict[str, Keys] = dict(analyzer.readings)
        self.synonyms: dict[str, tuple[str, str]] = {}  # Sudachi synonym group -> an indexed word of it
        self._learned: set[tuple[str, str]] = set()
        self._deletes: dict[str, set[str]] = {}
        self._frozen = 0  # forms already in the typo table

    def learn(self, tokens: list[Token]) -> None:
        """Add the words of one indexed text."""
        self.learn_lessons(*lessons(tokens))

    def learn_lessons(self, words: list[Token], runs: list[tuple[str, Keys]]) -> None:
        """Add what `lessons` found in a text (perhaps in another process: `knowledge.parallel`)."""
        learned = self._learned
        for token in words:
            if (token.surface, token.key) not in learned:
                self._learn_word(token)
        for form, keys in runs:  # a loanword the tokenizer cut (ダウン|グレード) is also known whole
            self.forms.setdefault(form, keys)

    def _learn_word(self, token: Token) -> None:
        self._learned.add((token.surface, token.key))
        self.known.add(token.key)
        self.known.update(token.pieces)
        word = ((token.key, token.kind),)
        self.forms.setdefault(matching_key(token.surface), word)
        reading = reading_key(token.reading)
        useful = self.analyzer.stopwords.get(token.key, 1.0) > 0.0
        if useful and len(reading) >= READING_MIN_LENGTH:
            self.readings.setdefault(reading, word)
        for group in token.synonyms:
            self.synonyms.setdefault(group, (token.key, token.kind))

    def tables(self) -> LexiconTables:
        """What the lexicon knows, as plain data (for the index cache)."""
        return LexiconTables(self.known, self.forms, self.readings, self.synonyms)

    @classmethod
    def from_tables(cls, analyzer: Analyzer, tables: LexiconTables) -> Lexicon:
        """A lexicon that knows what `tables` say (frozen: nothing more can be learned)."""
        lexicon = cls(analyzer)
        lexicon.known = set(tables.known)
        lexicon.forms = dict(tables.forms)
        lexicon.readings = dict(tables.readings)
        lexicon.synonyms = dict(tables.synonyms)
        lexicon.freeze()
        return lexicon

    def freeze(self) -> None:
        """Build the one-deletion table used for typo repair (katakana and Latin words only): the
        vocabulary's forms come from a table made once per analyzer, only the index's own are added."""
        base = self.analyzer.forms
        self._deletes = _deletions(form for form in self.forms if form not in base)
        self._frozen = len(self.forms)

    def freeze_more(self) -> None:
        """Add the forms learned since the last freeze to the typo table (an incremental change)."""
        if len(self.forms) == self._frozen:
            return
        for form in list(self.forms)[self._frozen :]:
            if _fuzzy_candidate(form) and form not in self.analyzer.forms:
                for probe in _probes(form):
                    self._deletes.setdefault(probe, set()).add(form)
        self._frozen = len(self.forms)

    def knows(self, word: str) -> bool:
        """Whether a word as written (any case or width) is a word of the index or vocabulary."""
        return matching_key(word) in self.forms or matching_key(word) in self.known

    def is_known(self, token: Token) -> bool:
        return token.key in self.known or matching_key(token.surface) in self.forms

    def correct(self, word: str) -> Keys | None:
        """The known word one edit (or one swap) away from `word`, if there is exactly one."""
        if not _fuzzy_candidate(word):
            return None
        found: set[str] = set()
        vocabulary = _vocabulary_deletions(self.analyzer)
        for probe in _probes(word):
            found |= self._deletes.get(probe, set()) | vocabulary.get(probe, frozenset())
        matches = {self.forms[f] for f in found if f != word and OSA.distance(word, f) <= 1}
        return matches.pop() if len(matches) == 1 else None  # ambiguous: no repair beats a wrong one

    def repair(self, tokens: list[Token]) -> list[Token]:
        tokens = self._move_boundaries(tokens)
        tokens = self._split_unknown_compounds(tokens)
        tokens = self._read_kana_runs(tokens)
        tokens = self._join_and_correct_words(tokens)
        tokens = self._read_homophones(tokens)
        return self._use_synonym_groups(tokens)

    def _move_boundaries(self, tokens: list[Token]) -> list[Token]:
        """A word Sudachi cut in the wrong place (再発行 → 再発|行) is cut again where the second
        part becomes a known word (再|発行): a stray one-kanji word no entry uses after a word
        whose last kanji completes it."""
        result: list[Token] = []
        for token in tokens:
            previous = result[-1] if result else None
            if (
                previous is not None
                and len(token.surface) == 1
                and token.kind in ("noun", "affix")
                and not self.is_known(token)
                and previous.kind == "noun"
                and len(previous.surface) >= 2
                and previous.end == token.start
            ):
                keys = self.forms.get(matching_key(previous.surface[-1] + token.surface))
                if keys is not None:
                    head = previous.surface[:-1]
                    result[-1] = Token(head, matching_key(head), "", "affix", previous.start, token.start - 1)
                    result.extend(_synthetic(keys, token.start - 1, token.end))
                    continue
            result.append(token)
        return result

    def _split_unknown_compounds(self, tokens: list[Token]) -> list[Token]:
        """A compound no entry uses (振込日) is matched by its parts (振込, 日) instead."""
        result: list[Token] = []
        for token in tokens:
            if token.pieces and not self.is_known(token) and all(p in self.known for p in token.pieces):
                result.extend(_synthetic(tuple((p, "noun") for p in token.pieces), token.start, token.end))
            else:
                result.append(token)
        return result

    def _read_kana_runs(self, tokens: list[Token]) -> list[Token]:
        """Words typed in hiragana (しはらいほうほう) found by their reading, whatever Sudachi made of them.

        A word found by its reading replaces the tokens it overlaps unless those are known words
        that cover more of the run than it does (Sudachi read that part at least as well).
        """
        result: list[Token] = []
        for run in _hiragana_runs(tokens):
            found = self._words_by_reading(run) if sum(len(t.surface) for t in run) >= READING_MIN_LENGTH else []
            if not found:
                result.extend(run)
                continue
            accepted: list[Token] = []
            dropped: set[int] = set()
            for start, end, words in _spans(found):
                overlapped = [i for i, t in enumerate(run) if t.start < end and start < t.end]
                useful = sum(run[i].end - run[i].start for i in overlapped if self._useful(run[i]))
                # Endings and particles Sudachi read as such (して|い|ます) are not a word typed by sound.
                grammar = all(self._grammar(run[i]) for i in overlapped)
                if useful < end - start and not grammar:
                    accepted.extend(words)
                    dropped.update(overlapped)
            kept = [t for i, t in enumerate(run) if i not in dropped]
            result.extend(sorted(accepted + kept, key=lambda t: t.start))
        return result

    def _words_by_reading(self, run: list[Token]) -> list[Token]:
        """Greedy longest match of known readings over a run of kana."""
        text = to_katakana("".join(t.surface for t in run))
        base = run[0].start
        found: list[Token] = []
        position = 0
        while position < len(text):
            for end in range(min(len(text), position + MAX_READING_SPAN), position + READING_MIN_LENGTH - 1, -1):
                keys = self.readings.get(reading_key(text[position:end]))
                if keys:
                    found.extend(_synthetic(keys, base + position, base + end))
                    position = end
                    break
            else:
                position += 1
        return found

    def _join_and_correct_words(self, tokens: list[Token]) -> list[Token]:
        """Katakana words Sudachi cut (ダウン|グレート) are joined; unknown ones corrected (バックアプ, limmit)."""
        result: list[Token] = []
        index = 0
        while index < len(tokens):
            end = index + 1
            if is_katakana_token(tokens[index]):
                while end < len(tokens) and is_katakana_token(tokens[end]) and tokens[end].start == tokens[end - 1].end:
                    end += 1
            run = tokens[index:end]
            replacement = self._replacement(run)
            result.extend(_synthetic(replacement, run[0].start, run[-1].end) if replacement else run)
            index = end
        return result

    def _replacement(self, run: list[Token]) -> Keys | None:
        word = matching_key("".join(t.surface for t in run))
        if len(run) > 1:
            if word in self.forms:
                return self.forms[word]
            return None if word in self.known else self.correct(word)
        token = run[0]
        if (token.kind == "ascii" or is_katakana_token(token)) and not self.is_known(token):
            return self.correct(word)
        return None

    def _read_homophones(self, tokens: list[Token]) -> list[Token]:
        """A kanji compound typed with the wrong kanji (請求所 for 請求書) found by its reading."""
        # Only where something looks wrong: a suffix or prefix, or a word no entry uses.
        odd = [t.kind == "affix" or (t.kind in CONTENT_KINDS and not self.is_known(t)) for t in tokens]
        result: list[Token] = []
        index = 0
        while index < len(tokens):
            for length in (3, 2):
                keys = self._homophone(tokens, odd, index, length)
                if keys:
                    result.extend(_synthetic(keys, tokens[index].start, tokens[index + length - 1].end))
                    index += length
                    break
            else:
                result.append(tokens[index])
                index += 1
        return result

    def _homophone(self, tokens: list[Token], odd: list[bool], index: int, length: int) -> Keys | None:
        """The known word read like the `length` tokens from `index`, if one of them looks wrong."""
        end = index + length
        if end > len(tokens) or not any(odd[index:end]):
            return None
        span = tokens[index:end]
        if not all(t.reading for t in span) or any(span[i + 1].start != span[i].end for i in range(length - 1)):
            return None
        reading = reading_key("".join(t.reading for t in span))
        return self.readings.get(reading) if len(reading) >= 4 else None

    def _use_synonym_groups(self, tokens: list[Token]) -> list[Token]:
        """A word neither the entries nor the vocabulary use, replaced by an indexed word of the
        same Sudachi synonym group (従業員 → 社員)."""
        result = []
        for token in tokens:
            if token.synonyms and token.kind in CONTENT_KINDS and not self.is_known(token):
                for group in token.synonyms:
                    found = self.synonyms.get(group)
                    if found:
                        token = Token(token.surface, found[0], token.reading, found[1], token.start, token.end)
                        break
            result.append(token)
        return result

    def _grammar(self, token: Token) -> bool:
        """A particle, ending or light verb (する, いる): grammar, not a word of the topic."""
        if token.kind == "verb":
            return self.analyzer.stopwords.get(token.key, 1.0) == 0.0
        return token.kind in _GRAMMAR_KINDS

    def _useful(self, token: Token) -> bool:
        return self.is_known(token) and self.analyzer.stopwords.get(token.key, 1.0) > 0.0


def _fuzzy_candidate(word: str) -> bool:
    if is_katakana(word):
        return len(word) >= FUZZY_MIN_LENGTH["katakana"]
    return word.isascii() and word.isalpha() and len(word) >= FUZZY_MIN_LENGTH["ascii"]


def _synthetic(keys: Keys, start: int, end: int) -> list[Token]:
    return [Token(key, key, "", kind, start, end) for key, kind in keys]


def _spans(found: list[Token]) -> list[tuple[int, int, list[Token]]]:
    """Words found by reading, grouped by the span they were read from (one reading, several words)."""
    spans: list[tuple[int, int, list[Token]]] = []
    for token in found:
        if spans and spans[-1][0] == token.start and spans[-1][1] == token.end:
            spans[-1][2].append(token)
        else:
            spans.append((token.start, token.end, [token]))
    return spans


def _hiragana_runs(tokens: list[Token]) -> Iterator[list[Token]]:
    """Adjacent hiragana tokens together (words typed by sound); every other token alone."""
    run: list[Token] = []
    for token in tokens:
        if is_hiragana(token.surface) and (not run or run[-1].end == token.start):
            run.append(token)
            continue
        if run:
            yield run
        run = [token] if is_hiragana(token.surface) else []
        if not run:
            yield [token]
    if run:
        yield run


def _probes(form: str) -> set[str]:
    """The form itself and every form with one character deleted."""
    return {form} | {form[:i] + form[i + 1 :] for i in range(len(form))}


def _deletions(forms: Iterable[str]) -> dict[str, set[str]]:
    """probe -> the typo-repairable forms it comes from (`_probes`)."""
    deletes: dict[str, set[str]] = defaultdict(set)
    for form in forms:
        if _fuzzy_candidate(form):
            for probe in _probes(form):
                deletes[probe].add(form)
    return dict(deletes)


_vocabulary_tables: weakref.WeakKeyDictionary[Analyzer, dict[str, frozenset[str]]] = weakref.WeakKeyDictionary()
_vocabulary_tables_lock = threading.Lock()


def _vocabulary_deletions(analyzer: Analyzer) -> dict[str, frozenset[str]]:
    """The deletion table of the vocabulary's forms, made once per analyzer (`analyzer_for` makes one per
    vocabulary) and shared by every index built with it, so that a build adds only its own words."""
    with _vocabulary_tables_lock:
        table = _vocabulary_tables.get(analyzer)
        if table is None:
            deletions = _deletions(analyzer.forms)
            table = _vocabulary_tables[analyzer] = {probe: frozenset(forms) for probe, forms in deletions.items()}
        return table
