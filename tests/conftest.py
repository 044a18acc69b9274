"""Shared fixtures: databases (SQLite always, PostgreSQL when reachable), clocks, the fake Slack."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pytest
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from sqlmodel import SQLModel

from bot.clock import ManualClock
from bot.database import Database, DatabaseUnavailable, temporary_postgres_database
from bot.devtools.fake_slack import FakeSlack
from bot.devtools.recording import RECORD_ENV
from bot.runtime import Runtime
from bot.slack import client as slack_client
from knowledge import BUNDLED_KNOWLEDGE
from knowledge.search import KnowledgeIndex
from tests.conformance_check import session_verdict
from tests.e2e import E2E_INDEX_CACHE_ENV
from tests.harness import AppHarness, make_runtime

POSTGRES_URL = os.environ.get("SUPPORTBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("SUPPORTBOT_REQUIRE_POSTGRES") == "1"

# A Monday, 10:30 in Tokyo: inside business hours, so SLA arithmetic in tests is easy to read.
MONDAY_MORNING = datetime(2026, 11, 16, 1, 30, tzinfo=UTC)
# Checked last, over everything the session sent to the fake Slack (tests/test_slack_conformance.py).
CONFORMANCE_TEST = "test_slack_conformance.py::test_everything_sent_to_slack_in_this_session_conforms"


def pytest_configure(config: pytest.Config) -> None:
    """Record the session's Slack traffic (every FakeSlack, the console, the e2e processes' answers) to one file,
    and give the session's bot processes one FAQ index cache folder (E2E_INDEX_CACHE_ENV), so that the bundled
    base's vectors are embedded once, not at every start. Under pytest-xdist the controller makes both before
    the workers start, and they inherit them."""
    _provide(config, RECORD_ENV, _new_record_file)
    _provide(config, E2E_INDEX_CACHE_ENV, lambda: Path(tempfile.mkdtemp(prefix="supportbot-index-cache-")))
    # The fake Slack drops connections and answers 5xx on purpose: the in-process clients retry at once
    # (the same retries, counted as in production) instead of after slack-sdk's 0.5-1.5 s backoff.
    slack_client.RETRY_INTERVAL = FixedValueRetryIntervalCalculator(0.01)


def _new_record_file() -> Path:
    handle, path = tempfile.mkstemp(prefix="supportbot-slack-", suffix=".jsonl")
    os.close(handle)
    return Path(path)


def _provide(config: pytest.Config, name: str, make: Callable[[], Path]) -> None:
    """Point the environment variable `name` at a new temporary path for the session, removed at its end;
    a path the caller already named is kept as it is."""
    if not os.environ.get(name):
        path = make()
        os.environ[name] = str(path)
        config.stash.setdefault(_PROVIDED, []).append((name, path))


def pytest_unconfigure(config: pytest.Config) -> None:
    for name, path in config.stash.get(_PROVIDED, []):
        os.environ.pop(name, None)
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The end-to-end tests (the slowest: processes, outages) go first, so that under pytest-xdist none
    is left running alone at the end. The conformance check reads what every other test sent: it runs
    last, or, in a pytest-xdist worker (which cannot know when the others are done), not at all: the
    controller checks at the end instead."""
    last = [item for item in items if item.nodeid.endswith(CONFORMANCE_TEST)]
    items[:] = sorted((item for item in items if item not in last), key=lambda item: "/e2e/" not in item.nodeid)
    if hasattr(config, "workerinput"):
        config.hook.pytest_deselected(items=last)
    else:
        items.extend(last)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Under pytest-xdist, the controller judges the whole session's Slack traffic once every worker is done."""
    if not session.config.pluginmanager.hasplugin("dsession"):
        return
    verdict = session_verdict()
    session.config.stash[_CONFORMANCE] = verdict
    if verdict.startswith("FAILED") and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    verdict = config.stash.get(_CONFORMANCE, None)
    if verdict is not None:
        terminalreporter.write_sep("=", "Slack conformance of the session (tests/conformance_check.py)")
        terminalreporter.write_line(verdict)


_PROVIDED = pytest.StashKey[list[tuple[str, Path]]]()
_CONFORMANCE = pytest.StashKey[str]()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    try:
        with temporary_postgres_database(POSTGRES_URL, "supportbot_test") as url:
            yield url
    except DatabaseUnavailable:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required (SUPPORTBOT_REQUIRE_POSTGRES=1) but {POSTGRES_URL} is unreachable")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}")


@pytest.fixture(scope="session")
def _postgres_db(postgres_url: str) -> Iterator[Database]:
    db = Database(postgres_url)
    db.create_all()
    yield db
    db.dispose()


def _empty(db: Database) -> None:
    """Empty every table and restart ids at 1, in one round trip: DELETE is several times faster than
    TRUNCATE on tiny tables."""
    with db.engine.begin() as connection:
        connection.exec_driver_sql(_emptying_sql())


@cache
def _emptying_sql() -> str:
    statements = [f'DELETE FROM "{table.name}"' for table in reversed(SQLModel.metadata.sorted_tables)]
    for table in SQLModel.metadata.sorted_tables:
        for column in table.primary_key.columns:
            if column.autoincrement is True or (column.autoincrement == "auto" and column.type.python_type is int):
                sequence = f"pg_get_serial_sequence('\"{table.name}\"', '{column.name}')"
                statements.append(f"SELECT setval({sequence}, 1, false)")
    return ";\n".join(statements)


@pytest.fixture(scope="session")
def _sqlite_schema(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite database with every table, made once: a copy costs a tenth of `create_all`."""
    path = tmp_path_factory.mktemp("sqlite-schema") / "schema.db"
    db = Database(f"sqlite:///{path}")
    db.create_all()
    db.dispose()
    return path


@pytest.fixture
def sqlite_db(tmp_path: Path, _sqlite_schema: Path) -> Iterator[Database]:
    path = tmp_path / "test.db"
    shutil.copyfile(_sqlite_schema, path)
    db = Database(f"sqlite:///{path}")
    yield db
    db.dispose()


@pytest.fixture
def postgres_db(_postgres_db: Database) -> Iterator[Database]:
    _empty(_postgres_db)
    yield _postgres_db


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest) -> Database:
    """Each test using `db` runs on SQLite and on PostgreSQL."""
    if request.param == "postgres":
        return request.getfixturevalue("postgres_db")
    return request.getfixturevalue("sqlite_db")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(MONDAY_MORNING)


@pytest.fixture(scope="session")
def knowledge_index() -> KnowledgeIndex:
    """The bundled knowledge base, indexed once for the whole session."""
    return KnowledgeIndex.from_path(BUNDLED_KNOWLEDGE)


@pytest.fixture
def runtime(db: Database, clock: ManualClock, fake_slack: FakeSlack, knowledge_index: KnowledgeIndex) -> Runtime:
    """The wired bot (services, app, outbox → fake Slack) on `db`, with the default test config."""
    return make_runtime(fake=fake_slack, db=db, clock=clock, index=knowledge_index)


@pytest.fixture
def app(
    db: Database, clock: ManualClock, fake_slack: FakeSlack, knowledge_index: KnowledgeIndex
) -> Iterator[AppHarness]:
    """The production HTTP app on loopback, against the fake Slack, with the default test config."""
    harness = AppHarness(fake=fake_slack, db=db, clock=clock, index=knowledge_index)
    yield harness
    harness.stop()


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack(
        users={
            "U0AGENT": {"real_name": "Agent Sato"},
            "U0AGENT2": {"real_name": "Agent Suzuki"},
            "U0CUSTOMER": {"real_name": "Customer Tanaka"},
            "U0LEAD": {"real_name": "Lead Ito"},
            "U0ONCALL1": {"real_name": "Oncall Kato"},
            "U0ONCALL2": {"real_name": "Oncall Yamada"},
        },
        usergroups={"S0AGENTS": ["U0AGENT2"], "S0SRE": ["U0ONCALL1", "U0ONCALL2"]},
    )
    fake.start()
    yield fake
    fake.stop()
