"""`supportbot report`: figures as text and JSON, the per-case export, the chart, and polite refusals."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from bot.database import Database
from bot.migrate import upgrade_database
from bot.reports import ReportRules
from bot.reports.history import History
from bot.reports.sample import main as write_sample
from tests.harness import make_config

TOKYO = ZoneInfo("Asia/Tokyo")


def last_monday() -> date:
    today = datetime.now(TOKYO).date()
    return today - timedelta(days=today.weekday() + 7)


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=TOKYO).astimezone(UTC)


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """A database with last week's cases (a high one answered late), as `supportbot` finds it from the environment."""
    for name in ("SLACK_BOT_TOKEN", "SUPPORTBOT_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    upgrade_database(url)
    history = History(ReportRules.from_config(make_config()).sla)
    monday = last_monday()
    late = history.open(at(monday, 11), "high", customer="北斗システム", title="全員ログインできない")
    history.respond(late, at(monday, 14))
    history.resolve(
        history.open(at(monday + timedelta(days=1), 11), "medium", title="CSV"), at(monday, 15) + timedelta(days=1)
    )
    history.open(at(monday + timedelta(days=2), 11), "low", title="質問")
    db = Database(url)
    history.write(db)
    db.dispose()
    return url


def test_report_json_has_period_cases_first_response_faq(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--period", "last-week", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"period", "cases", "first_response", "faq"} <= set(data)
    assert data["period"]["since"] == f"{last_monday().isoformat()}T00:00:00+09:00"
    assert data["cases"]["opened"] == 3 and data["cases"]["resolved"] == 1
    assert data["first_response"]["by_priority"]["high"]["breached"] == 1
    assert data["faq"]["questions"] == 0 and data["faq"]["deflection_rate"] is None


def test_report_text_by_default(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--period", "last-week"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("サポートレポート") and "起票 3件 (高 1 / 中 1 / 低 1)" in out
    assert main(["report", "--period", "last-week", "--language", "en"]) == 0
    assert "Opened 3 (High 1 / Medium 1 / Low 1)" in capsys.readouterr().out


def test_cases_csv_has_a_header_and_one_row_per_case(
    database: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    since = last_monday().isoformat()
    assert main(["report", "cases", "--since", since, "--format", "csv", "--out", "cases.csv"]) == 0
    assert "3 case(s) written to cases.csv" in capsys.readouterr().err
    raw = (tmp_path / "cases.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw and b"\r\r\n" not in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["number", "title", "customer"] and len(rows) == 4
    assert [r[1] for r in rows[1:]] == ["全員ログインできない", "CSV", "質問"]
    assert main(["report", "cases", "--since", since, "--format", "json"]) == 0
    assert [row["number"] for row in json.loads(capsys.readouterr().out)] == [1, 2, 3]


def test_chart_writes_a_png_and_its_alt_text(database: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["report", "chart", "--period", "last-week", "--out", "digest.png"]) == 0
    png = (tmp_path / "digest.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    assert "起票 3件" in (tmp_path / "digest.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["report", "--period", "week"], "unknown period 'week'"),
        (["report", "--period", "7d", "--since", "2026-11-01"], "not both"),
        (["report", "cases", "--since", "yesterday"], "not a date"),
        (["report", "chart", "--out", "x.png", "--since", "2026-01-01", "--until", "2026-06-30"], "at most 92 days"),
    ],
)
def test_a_period_that_makes_no_sense_is_refused(
    database: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_the_readme_sample_is_the_same_every_time(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    figures = []
    for name in ("one", "two"):
        url = f"sqlite:///{tmp_path / name}.db"
        assert write_sample(["--database", url]) == 0
        db = Database(url)
        from bot.clock import ManualClock
        from bot.reports import Reports

        reports = Reports(db, ManualClock(datetime(2026, 12, 1, tzinfo=UTC)), ReportRules.from_config(make_config()))
        figures.append(reports.figures(reports.period(since="2026-11-02", until="2026-11-08")).to_json())
        db.dispose()
    assert figures[0] == figures[1]
    assert write_sample(["--database", f"sqlite:///{tmp_path / 'one'}.db"]) == 1  # never added to other data
    assert "already has" in capsys.readouterr().err
    assert figures[0]["cases"]["opened"] > 20 and figures[0]["first_response"]["re_pages"] > 0
