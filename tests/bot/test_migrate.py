from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from bot.database import Database, temporary_postgres_database
from bot.migrate import pending_migrations, upgrade_database
from tests.conftest import POSTGRES_URL


@pytest.fixture
def empty_postgres(postgres_url: str) -> Iterator[str]:
    """A database of its own, empty, so migrations start from nothing."""
    with temporary_postgres_database(POSTGRES_URL, "supportbot_migrate") as url:
        yield url


def schema_differences(url: str) -> list:
    db = Database(url)
    try:
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, SQLModel.metadata)
    finally:
        db.dispose()


def test_migrations_build_the_models_schema_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    assert pending_migrations(url)
    upgrade_database(url)
    assert pending_migrations(url) == []
    assert schema_differences(url) == []
    upgrade_database(url)  # running again at the next start changes nothing


@pytest.mark.postgres
def test_migrations_build_the_models_schema_on_postgres(empty_postgres: str) -> None:
    upgrade_database(empty_postgres)
    assert pending_migrations(empty_postgres) == []
    assert schema_differences(empty_postgres) == []


@pytest.mark.postgres
def test_two_replicas_starting_together_migrate_once(empty_postgres: str) -> None:
    script = f"from bot.migrate import upgrade_database; upgrade_database({empty_postgres!r})"
    replicas = [subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE) for _ in range(2)]
    outcomes = [(p.wait(timeout=60), p.stderr.read().decode() if p.stderr else "") for p in replicas]
    assert [code for code, _ in outcomes] == [0, 0], outcomes
    assert pending_migrations(empty_postgres) == []
    assert schema_differences(empty_postgres) == []
