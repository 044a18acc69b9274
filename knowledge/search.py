"""FAQ search: find the knowledge-base entry a support question is about, or say there is none.

How a question is matched (each step exists because of a way people really ask):

1. Text is normalised (`knowledge.normalize`; romaji left by the input method, `knowledge.romaji`)
   and tokenised with Sudachi (`knowledge.tokens`): words keyed by dictionary form, verbs by the
   form their noun takes (忘れる / 打刻忘れ), particles and endings dropped.
2. Only for questions: words the knowledge base does not know are repaired against the words it
   does know (`knowledge.repairs`): kana by reading, typos by one edit, wrong kanji by reading,
   compounds by their parts, words cut in the wrong place, Sudachi's synonym groups.
3. Words and phrases become concepts through the vocabulary files (`knowledge.terms`), and the
   question's ask — its main predicate and the attribute it acts on — is found (`knowledge.asks`).
4. Every field of every entry finds it (`knowledge.entry_texts`, `knowledge.analysis`): question,
   言い換え and learned phrasings fully, answer, steps, category and escalation less. The entries
   that explain most of the question are found on numpy postings (`knowledge.postings`) and scored
   (`knowledge.scoring`) with shares that mean the same on any base: how much of the question the
   entry explains, how much of its best phrasing the question covers, whether it covers the ask.
5. `knowledge.index` decides: answer (a high score, clearly ahead of the next entry), suggest
   (もしかして) or nothing; with the embeddings (`knowledge.dense`), a learned judge weighs the
   evidence of both into the probability that the first entry is right (`knowledge.confidence`);
   `explain` says why (`knowledge.explain`). The index changes entry by
   entry while it serves (learned phrasings, new entries, a reloaded file: `knowledge.reload`).

This module is the public face; the result types are in `knowledge.results`.
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
