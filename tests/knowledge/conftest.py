"""Fixtures of the knowledge tests."""

from __future__ import annotations

import pytest

from knowledge import BUNDLED_KNOWLEDGE
from knowledge.search import KnowledgeIndex


@pytest.fixture(scope="session")
def index() -> KnowledgeIndex:
    """The bundled FAQ (knowledge/faq.md), indexed once: indexes are immutable."""
    return KnowledgeIndex.from_path(BUNDLED_KNOWLEDGE / "faq.md")
