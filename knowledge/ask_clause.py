"""The ask clause: the part of a long message that asks, as opposed to its background.

「36協定の特別条項を結んでいるのですが、その上限時間をシステムに登録できますか？」 asks in its last
clause; the first one says why. In a long message the background's words dilute the share of the
question an entry explains (a right entry scores low) and pull in entries about the background.
So the message is cut into clauses — sentences, and the clauses Japanese joins with 〜が、〜けど、
〜ので、〜て、 — and the last clause that asks (a question ending, 教えて, 方法, どうすれば, 〜たい,
how / can I …: `ASK_MARKERS`, general grammar, not words of any FAQ) is the ask. Words said only
in the background keep `BACKGROUND_WEIGHT` of their weight: they still find and rank entries,
but count less in what an entry must explain. A message with one clause, or with no clause that
asks (a symptom told as a story), is left as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.asks import Ask
from knowledge.scoring import Query
from knowledge.terms import Analyzer
from knowledge.tokens import Token

Terms = dict[str, float]

BACKGROUND_WEIGHT = 0.2  # what a word said only in the background keeps of its weight
MIN_ASK_MASS = 1.5  # an ask clause this light (「何か条件はありますか」) takes the clause before it too

SENTENCE_ENDS = frozenset({"。", "?", "!", "？", "！", "\n", "."})
QUESTION_ENDS = frozenset({"?", "？"})
# Conjunctive particles that end a clause when a comma follows: 〜ですが、 〜けど、 〜ので、 〜して、
CLAUSE_PARTICLES = frozenset({"が", "けど", "けれど", "けれども", "ので", "で", "て", "から", "し", "のに", "ものの"})
CLAUSE_COMMAS = frozenset({"、", ",", "，"})
# Words that make a clause a request or a question (surface forms as Sudachi cuts them; English
# lower-cased). The sentence-final か is found by position (`_asks_by_ending`), not listed here.
ASK_MARKERS = frozenset(
    {
        # Japanese: asking to be told, how-to, wanting, ability, possibility
        "教え", "教えて", "知り", "知りたい", "方法", "手順", "やり方", "どう", "どうやって",
        "どうすれ", "どうしたら", "どこ", "いつ", "なぜ", "何故", "どれ", "どの", "たい", "ほしい",
        "欲しい", "ください", "下さい", "いただけ", "頂け", "もらえ", "可能", "でしょう",
        # English question words and requests
        "how", "what", "where", "when", "why", "which", "who", "can", "could", "should", "want",
        "need", "please", "help",
    }
)  # fmt: skip
_FINAL_PARTICLE_FOLLOWERS = frozenset({"ね", "な", "しら", "かな"})


@dataclass(frozen=True)
class AskFocus:
    """A query's terms reweighted around its ask, and the ask's text (for `--explain`)."""

    terms: Terms
    ask: str  # the ask clause(s) as written; "" when the whole message counts


def clauses(tokens: Sequence[Token]) -> list[list[Token]]:
    """Sentences and comma-joined clauses, in order (punctuation kept with the clause it ends)."""
    found: list[list[Token]] = [[]]
    for position, token in enumerate(tokens):
        found[-1].append(token)
        if token.kind == "punct" and token.surface in SENTENCE_ENDS:
            found.append([])
        elif token.kind == "punct" and token.surface in CLAUSE_COMMAS and position > 0:
            before = tokens[position - 1]
            if before.kind == "func" and before.surface in CLAUSE_PARTICLES:
                found.append([])
    return [clause for clause in found if any(t.kind not in ("punct", "space") for t in clause)]


def asks(clause: Sequence[Token]) -> bool:
    """Whether a clause asks: a question mark, a marker word, or a sentence-final か."""
    words = [t for t in clause if t.kind != "space"]
    for position, token in enumerate(words):
        surface = token.surface.lower()
        if token.kind == "punct":
            if surface in QUESTION_ENDS:
                return True
            continue
        if surface in ASK_MARKERS or _asks_by_ending(words, position):
            return True
    return False


def _asks_by_ending(words: Sequence[Token], position: int) -> bool:
    """か at the end of a clause (〜できますか。 〜ありますかね) — not 何か, 〜か教えて is a marker anyway."""
    token = words[position]
    if token.kind != "func" or token.surface != "か" or position == 0:
        return False
    following = words[position + 1] if position + 1 < len(words) else None
    return following is None or following.kind == "punct" or following.surface in _FINAL_PARTICLE_FOLLOWERS


def ask_span(parts: Sequence[Sequence[Token]], analyzer: Analyzer) -> tuple[int, int] | None:
    """(first, last + 1) of the ask clauses: the last clause that asks, and the clauses before it
    while it weighs less than MIN_ASK_MASS; None when no clause asks or every clause is the ask."""
    last = next((i for i in range(len(parts) - 1, -1, -1) if asks(parts[i])), None)
    if last is None:
        return None
    first = last
    while first > 0 and sum(analyzer.terms(_joined(parts[first : last + 1])).values()) < MIN_ASK_MASS:
        first -= 1
    if first == 0 and last == len(parts) - 1:
        return None
    return first, last + 1


def focus(tokens: Sequence[Token], analyzer: Analyzer, terms: Terms) -> AskFocus:
    """`terms` (the whole message's) with the words said only outside the ask down-weighted."""
    parts = clauses(tokens)
    span = ask_span(parts, analyzer) if len(parts) > 1 else None
    if span is None:
        return AskFocus(terms, "")
    asked = _joined(parts[span[0] : span[1]])
    in_ask = analyzer.terms(asked)
    weighted = {t: (w if t in in_ask else w * BACKGROUND_WEIGHT) for t, w in terms.items()}
    return AskFocus(weighted, "".join(t.surface for t in asked).strip())


def _joined(parts: Sequence[Sequence[Token]]) -> list[Token]:
    return [token for part in parts for token in part]


def query(text: str, tokens: Sequence[Token], analyzer: Analyzer, asks: Sequence[Ask], wording: str) -> Query:
    """The scoring query of a tokenised question: its terms, and their focus on its ask when it has one."""
    terms = analyzer.terms(list(tokens))
    focused = focus(tokens, analyzer, terms)
    return Query(text, terms, asks, wording, focused.ask, focused.terms if focused.ask else None)
