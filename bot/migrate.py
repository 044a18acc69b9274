"""Bringing the database schema up to date."""

from __future__ import annotations

from bot.database import Database


def upgrade_database(url: str) -> None:
    """Create or upgrade the schema (safe to run on every start)."""
    db = Database(url)
    try:
        db.create_all()
    finally:
        db.dispose()
