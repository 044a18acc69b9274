"""The knowledge base: Markdown Q&As, their loader, lint and the Japanese-aware search."""

from pathlib import Path

BUNDLED_KNOWLEDGE = Path(__file__).resolve().parent
