"""One row per case for spreadsheets: CSV that Excel opens (BOM, ISO local times, no formulas), and JSON."""

from __future__ import annotations

import csv
import io
import json

from bot.clock import ManualClock
from bot.reports import Reports
from bot.reports.export import COLUMNS, write_csv, write_json
from bot.reports.history import History
from tests.bot.reports.conftest import Write, jst


def test_csv_has_a_bom_a_header_and_one_row_per_case(
    history: History, write: Write, reports: Reports, report_clock: ManualClock
) -> None:
    report_clock.set(jst(11, 18, 12))
    answered = history.open(
        jst(11, 16, 11),
        "medium",
        customer="北斗システム",
        customer_id="hokuto",
        plan="standard",
        title="CSVが文字化けする",
    )
    history.respond(answered, jst(11, 16, 12))
    history.resolve(answered, jst(11, 16, 15))
    history.reopen(answered, jst(11, 17, 10))
    history.resolve(answered, jst(11, 17, 11))
    history.open(jst(11, 16, 12), "high", title='=HYPERLINK("http://evil")')  # unanswered, past due
    history.open(jst(11, 10, 12), "low")  # opened before --since
    write(history)
    out = io.StringIO()
    count = write_csv(reports.case_rows(reports.period(since="2026-11-16")), out, "Asia/Tokyo")
    text = out.getvalue()
    assert text.startswith("\ufeff") and count == 2
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert (
        tuple(rows[0])
        == COLUMNS
        == (
            "number",
            "title",
            "customer",
            "plan",
            "priority",
            "status",
            "reporter",
            "assignee",
            "opened",
            "first_response",
            "due",
            "breached",
            "resolved",
            "reopened_count",
        )
    )
    first, second = rows
    assert first["number"] == "1" and first["title"] == "CSVが文字化けする" and first["customer"] == "北斗システム"
    assert first["opened"] == "2026-11-16T11:00:00+09:00" and first["first_response"] == "2026-11-16T12:00:00+09:00"
    assert first["due"] == "2026-11-16T17:00:00+09:00" and first["breached"] == "no"
    assert first["resolved"] == "2026-11-17T11:00:00+09:00" and first["reopened_count"] == "1"
    assert first["plan"] == "standard" and first["assignee"] == ""  # this history assigns nobody
    assert second["plan"] == "" and second["customer"] == ""  # opened before cases recorded a plan, no customer
    assert second["title"] == '\'=HYPERLINK("http://evil")'  # shown as text, never run as a formula
    assert second["breached"] == "yes" and second["first_response"] == "" and second["status"] == "open"


def test_json_export_has_the_same_columns(history: History, write: Write, reports: Reports) -> None:
    history.self_resolve(history.open(jst(11, 16, 11), "medium"), jst(11, 16, 11, 30))
    write(history)
    out = io.StringIO()
    write_json(reports.case_rows(reports.period(since="2026-11-16")), out, "Asia/Tokyo")
    rows = json.loads(out.getvalue())
    assert len(rows) == 1 and tuple(rows[0]) == COLUMNS
    assert rows[0]["breached"] is False  # closed by the reporter before its due time
    assert rows[0]["plan"] is None and rows[0]["reopened_count"] == 0  # no plan recorded: null
    empty = io.StringIO()
    write_json(iter(()), empty, "Asia/Tokyo")
    assert json.loads(empty.getvalue()) == []


def test_the_export_reads_any_number_of_cases_in_batches(
    history: History, write: Write, reports: Reports, monkeypatch: object
) -> None:
    import bot.reports.export as export

    for n in range(7):
        history.open(jst(11, 16, 11, n), "low")
    write(history)
    monkeypatch.setattr(export, "BATCH", 3)  # type: ignore[attr-defined]
    assert [row.number for row in reports.case_rows(reports.period(since="2026-11-16"))] == list(range(1, 8))
