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

This module is the public face; the work is done in `knowledge.tokens` (step 1),
`knowledge.repairs` (2), `knowledge.terms` (3) and `knowledge.index` (4), with the result types in
`knowledge.results`.
"""

from __future__ import annotations

from knowledge.index import KnowledgeIndex
from knowledge.normalize import looks_like_question
from knowledge.results import (
    DEFAULT_ANSWER_THRESHOLD,
    DEFAULT_SUGGEST_THRESHOLD,
    Candidate,
    Decision,
    SearchResult,
)

__all__ = [
    "DEFAULT_ANSWER_THRESHOLD",
    "DEFAULT_SUGGEST_THRESHOLD",
    "Candidate",
    "Decision",
    "KnowledgeIndex",
    "SearchResult",
    "looks_like_question",
]
