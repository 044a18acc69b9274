"""Asks: what a question asks for — the action or attribute — as opposed to what it is about.

「請求書の宛名を変更したい」 is about 請求書 and asks for 宛名 and 変更; an entry on issuing
invoices shares its topic but not its ask, so it must not answer it. The ask is the question's
main predicate: walking back from the end of its question sentence, the first word that says
something (a verb: 消える, 届く; a noun naming an action, Sudachi's サ変可能: 変更, 削除, 代行) —
generic words (する, できる, 方法, 確認 …: low stopword weights) are skipped — together with the
noun it acts on when that is an attribute of something (「AのBを変更」: 宛名 of 請求書).
Background clauses (「昨日機種変更をして、…」) are not the ask.
"""

from __future__ import annotations

from knowledge.terms import Analyzer
from knowledge.tokens import Token, is_hiragana

MIN_ASK_WEIGHT = 0.45  # a word weighing less (a light verb, a stopword) says nothing about the ask
_TOPIC_KINDS = ("noun", "ascii", "affix", "num")
_OBJECT_PARTICLES = ("を", "が", "は", "の")
_SENTENCE_END = ("。", "?", "!", "？", "！", "\n")

Ask = tuple[frozenset[str], float]  # the terms one ask word becomes, and its weight


def asks_of(tokens: list[Token], analyzer: Analyzer) -> list[Ask]:
    """The main ask of a (repaired) question: its predicate and the attribute it acts on."""
    sentence = _question_sentence(tokens)
    for position in range(len(sentence) - 1, -1, -1):
        token = sentence[position]
        if not _is_ask_word(token, analyzer):
            continue
        ask = _ask(token, analyzer)
        if ask is None:
            continue
        found = [ask]
        attribute = _attribute_before(sentence, position)
        if attribute is not None:
            extra = _ask(attribute, analyzer)
            if extra is not None:
                found.append(extra)
        return found
    return []


def _question_sentence(tokens: list[Token]) -> list[Token]:
    """The last sentence that has a content word (the question, after any background)."""
    return split_background(tokens)[1]


def split_background(tokens: list[Token]) -> tuple[list[Token], list[Token]]:
    """(background, question): the question is the last sentence with an ask word (or the last
    sentence), the background every sentence before it — 「昨日機種変更しました。打刻できません」."""
    sentences: list[list[Token]] = [[]]
    for token in tokens:
        sentences[-1].append(token)
        if token.kind == "punct" and token.surface in _SENTENCE_END:
            sentences.append([])
    chosen = next((i for i in range(len(sentences) - 1, -1, -1) if any(_is_ask_word(t) for t in sentences[i])), None)
    if chosen is None:
        chosen = max((i for i, sentence in enumerate(sentences) if sentence), default=0)
    background = [t for sentence in sentences[:chosen] for t in sentence]
    question = [t for sentence in sentences[chosen:] for t in sentence]
    return background, question


def _is_ask_word(token: Token, analyzer: Analyzer | None = None) -> bool:
    """A verb, a noun naming an action, or an English word the vocabulary maps to an action (delete → 削除)."""
    if token.kind == "verb" or (token.kind == "noun" and token.action):
        return True
    return (
        token.kind == "ascii"
        and analyzer is not None
        and not analyzer.terms([token]).keys().isdisjoint(analyzer.actions)
    )


def _ask(token: Token, analyzer: Analyzer) -> Ask | None:
    if is_hiragana(token.surface):
        return None  # typed by sound (「もうけられまsか」): too unsure a reading to judge the ask by
    terms = analyzer.terms([token])
    weight = max(terms.values(), default=0.0)
    return (frozenset(terms), weight) if weight >= MIN_ASK_WEIGHT else None


def _attribute_before(sentence: list[Token], position: int) -> Token | None:
    """The B of 「AのBを〈ask〉」: the noun the ask acts on, when it is an attribute of a topic A."""
    at = position - 1
    if at >= 0 and sentence[at].kind == "func" and sentence[at].surface in _OBJECT_PARTICLES:
        at -= 1
    if at < 2:
        return None
    noun, particle, topic = sentence[at], sentence[at - 1], sentence[at - 2]
    if noun.kind == "noun" and particle.surface == "の" and particle.kind == "func" and topic.kind in _TOPIC_KINDS:
        return noun
    return None
