"""Bringing the database schema up to date with the Alembic migrations in `migrations/`."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

import migrations
from bot.database import Database

log = logging.getLogger(__name__)

MIGRATIONS = Path(migrations.__file__).resolve().parent
# Alembic's context is process-global: one migration at a time per process (replicas are processes,
# and take turns through a PostgreSQL advisory lock in migrations/env.py).
_IN_PROCESS = threading.Lock()


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_database(url: str) -> None:
    """Apply every pending migration (safe on every start; replicas take turns on PostgreSQL)."""
    db = Database(url)
    try:
        with _IN_PROCESS, db.engine.connect() as connection:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()
    finally:
        db.dispose()


def pending_migrations(url: str) -> list[str]:
    """Revisions not yet applied (`supportbot doctor` lists them; `supportbot run` applies them at start)."""
    db = Database(url)
    try:
        with db.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
        script = ScriptDirectory.from_config(alembic_config(url))
        heads = set(script.get_heads())
        if current == heads:
            return []
        return [rev.revision for rev in script.walk_revisions() if rev.revision not in current][::-1]
    finally:
        db.dispose()
