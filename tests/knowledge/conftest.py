"""Fixtures of the knowledge tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from knowledge import BUNDLED_KNOWLEDGE
from knowledge.normalize import normalize_text
from knowledge.search import KnowledgeIndex
from knowledge.terms import analyzer_for
from knowledge.tokens import tokenize


@pytest.fixture(scope="session")
def index() -> KnowledgeIndex:
    """The bundled FAQ (knowledge/faq.md), indexed once: indexes are immutable."""
    return KnowledgeIndex.from_path(BUNDLED_KNOWLEDGE / "faq.md")


@pytest.fixture(scope="session")
def concepts_of() -> Callable[[str], set[str]]:
    """The vocabulary concepts (#…) a text is read as, with the bundled vocabulary only."""
    analyzer = analyzer_for(None)
    return lambda text: {term for term in analyzer.terms(tokenize(normalize_text(text))) if term.startswith("#")}
