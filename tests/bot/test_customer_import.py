"""Importing customer files: every rejection with its line, all-or-nothing, --partial, BOM, round trips."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.customer_files import CustomerFileError, read_csv, read_customer_file, read_toml, write_csv, write_toml
from bot.customer_import import ImportReport, import_customers
from bot.customers import CustomerData, CustomerDirectory
from bot.database import Database

PLANS = ("standard", "premier")
HEADER = "id,name,plan,channels,contract_end,notes\n"


@pytest.fixture
def directory(db: Database, clock: ManualClock) -> CustomerDirectory:
    return CustomerDirectory(db, clock)


def run(directory: CustomerDirectory, csv_text: str, *, partial: bool = False) -> ImportReport:
    return import_customers(directory, read_csv(csv_text), PLANS, partial=partial)


def reasons(report: ImportReport) -> dict[str, list[str]]:
    return {r.location: list(r.reasons) for r in report.rejected}


def snapshot(directory: CustomerDirectory) -> list:
    return [(record.data(), record.updated_at) for record in directory.all()]


def test_a_clean_file_is_imported_and_reported(directory: CustomerDirectory) -> None:
    report = run(
        directory,
        HEADER + 'acme,株式会社アクメ,premier,C0ACME C0ACMEINT,2027-03-31,"VIP, call first\nsecond line"\n'
        "beta,Beta Inc.,,C0BETA,,\n",
    )
    assert report.applied and report.rejected == []
    assert [(o.location, o.customer_id, o.change) for o in report.outcomes] == [
        ("line 2", "acme", "added"),
        ("line 4", "beta", "added"),  # acme's note spans lines 2–3
    ]
    acme = directory.get("acme")
    assert acme is not None and acme.notes == "VIP, call first\nsecond line" and acme.plan == "premier"
    assert directory.find_by_channel("C0BETA").id == "beta"  # type: ignore[union-attr]


def test_changes_are_reported_with_the_fields_that_changed(directory: CustomerDirectory) -> None:
    run(directory, HEADER + "acme,Acme,standard,C0ACME,,\nbeta,Beta,,C0BETA,,\n")
    report = run(directory, HEADER + "acme,Acme,premier,C0ACME C0ACMEINT,,\nbeta,Beta,,C0BETA,,\ngamma,G,,,,\n")
    assert [(o.customer_id, o.change, o.changed_fields) for o in report.outcomes] == [
        ("acme", "changed", ("plan", "channels")),
        ("beta", "unchanged", ()),
        ("gamma", "added", ()),
    ]


def test_every_rejection_names_its_line_and_reason_and_nothing_changes(directory: CustomerDirectory) -> None:
    run(directory, HEADER + "acme,Acme,standard,C0ACME,,\nomega,Omega,,C0OMEGA,,\n")
    before = snapshot(directory)
    report = run(
        directory,
        HEADER
        + "acme,Acme Corp,premier,C0ACME,,\n"  # 2: fine on its own
        + ",No id,,,,\n"  # 3
        + "nameless,,,,,\n"  # 4
        + "gold,Gold,gold,,,\n"  # 5
        + "chan,Chan,,#support,,\n"  # 6
        + "date,Date,,,31/03/2027,\n"  # 7
        + "dup,Dup one,,,,\n"  # 8
        + "dup,Dup two,,,,\n"  # 9
        + "x1,X one,,C0SHARED,,\n"  # 10
        + "x2,X two,,C0SHARED,,\n"  # 11
        + "taker,Taker,,C0OMEGA,,\n"  # 12: omega keeps it (omega is not in this file)
        + "wide,Wide,,,,,extra\n",  # 13
    )
    assert not report.applied
    found = reasons(report)
    assert list(found) == [f"line {n}" for n in range(3, 14)]
    assert found["line 3"] == ['missing id (a short unique key such as "acme")']
    assert found["line 4"] == ["missing name (the organisation's name as agents search for it)"]
    assert found["line 5"][0].startswith("unknown plan 'gold' (plans: standard, premier)")
    assert found["line 6"][0].startswith("'#support' is not a Slack channel ID")
    assert found["line 7"][0].startswith("bad contract_end '31/03/2027'")
    assert found["line 8"] == ["duplicate id 'dup' (also on line 9); keep one row per customer"]
    assert found["line 9"] == ["duplicate id 'dup' (also on line 8); keep one row per customer"]
    assert found["line 10"] == ["channel C0SHARED is also claimed by line 11 (x2); a channel belongs to one customer"]
    assert found["line 11"] == ["channel C0SHARED is also claimed by line 10 (x1); a channel belongs to one customer"]
    assert found["line 12"][0].startswith("channel C0OMEGA belongs to customer 'omega', who is not in this file")
    assert found["line 13"][0].startswith("has 7 values for 6 columns")
    assert [o.customer_id for o in report.outcomes] == ["acme"]  # what would have been written
    assert snapshot(directory) == before


def test_partial_imports_the_good_lines_and_still_reports_the_rest(directory: CustomerDirectory) -> None:
    report = run(directory, HEADER + "acme,Acme,,C0ACME,,\ngold,Gold,gold,,,\nbeta,Beta,,,,\n", partial=True)
    assert report.applied
    assert list(reasons(report)) == ["line 3"]
    assert [record.id for record in directory.all()] == ["acme", "beta"]


def test_a_channel_can_move_between_customers_in_the_file(directory: CustomerDirectory) -> None:
    run(directory, HEADER + "acme,Acme,,C0ACME C0ACMEJP,,\n")
    report = run(directory, HEADER + "acme-jp,Acme Japan,,C0ACMEJP,,\nacme,Acme,,C0ACME,,\n")
    assert report.rejected == [] and report.applied
    assert directory.channel_owners() == {"C0ACME": "acme", "C0ACMEJP": "acme-jp"}


def test_a_channel_stays_with_a_customer_whose_row_was_rejected(directory: CustomerDirectory) -> None:
    run(directory, HEADER + "acme,Acme,,C0ACME C0ACMEJP,,\n")
    report = run(directory, HEADER + "acme-jp,Acme Japan,,C0ACMEJP,,\nacme,Acme,gold,C0ACME,,\n", partial=True)
    assert reasons(report)["line 2"] == ["channel C0ACMEJP stays with customer 'acme', whose row (line 3) was rejected"]
    assert directory.channel_owners() == {"C0ACME": "acme", "C0ACMEJP": "acme"}


def test_excel_csv_with_a_bom_and_crlf_is_read(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_bytes(
        ("\ufeff" + HEADER + "acme,株式会社アクメ,premier,C0ACME,2027/3/31,\n").replace("\n", "\r\n").encode()
    )
    rows = read_customer_file(path)
    assert [(row.location, row.values["id"], row.values["contract_end"]) for row in rows] == [
        ("line 2", "acme", "2027/3/31")
    ]


def test_shift_jis_files_are_refused_with_how_to_save_them(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_bytes((HEADER + "acme,株式会社アクメ,,,,\n").encode("cp932"))
    with pytest.raises(CustomerFileError, match=r"is not UTF-8 text .*「CSV UTF-8 \(コンマ区切り\)」"):
        read_customer_file(path)


def test_a_wrong_header_is_refused_naming_the_columns() -> None:
    with pytest.raises(CustomerFileError, match=r"line 1: the header must name the columns id,name,plan,channels"):
        read_csv("id,name,tier\nacme,Acme,gold\n")
    assert read_csv("Notes,ID,Name,Plan,Channels,Contract_End\n,acme,Acme,,,\n")[0].values["id"] == "acme"
    assert read_csv(HEADER + "\n\n") == []  # blank lines are skipped


def test_toml_files_are_read_with_line_numbers() -> None:
    rows = read_toml(
        '[[customers]]\nid = "acme"\nname = "Acme"\nchannels = ["C0ACME"]\ncontract_end = 2027-03-31\n\n'
        '[[customers]]\nid = "beta"\nname = "Beta"\ntier = "gold"\n'
    )
    assert [row.location for row in rows] == ["line 1", "line 7"]
    assert rows[0].values["contract_end"] == date(2027, 3, 31)
    assert rows[1].problems == ("unknown key 'tier' (known: id, name, plan, channels, contract_end, notes)",)
    inline = read_toml('customers = [{ id = "a", name = "A" }, { id = "b", name = "B" }]')
    assert [row.location for row in inline] == ["entry 1", "entry 2"]
    with pytest.raises(CustomerFileError, match="expected only \\[\\[customers\\]\\] tables"):
        read_toml("[plans]\nx = 1\n")
    with pytest.raises(CustomerFileError, match="not valid TOML"):
        read_toml("[[customers]\n")


TRICKY = [
    CustomerData(
        "acme", '株式会社アクメ, "本社"', "premier", ("C0ACME", "C0ACMEINT"), date(2027, 3, 31), "VIP\n夜間は携帯へ"
    ),
    CustomerData("beta", "Beta", None, (), None, None),
    CustomerData("gamma", "Gamma\\Tab\tTab", "standard", ("C0GAMMA",), None, "a = b # not a comment"),
]


@pytest.mark.parametrize("file_format", ["csv", "toml"])
def test_export_then_import_changes_nothing(directory: CustomerDirectory, tmp_path: Path, file_format: str) -> None:
    directory.upsert_many(TRICKY)
    before = snapshot(directory)
    text = write_csv(directory.all()) if file_format == "csv" else write_toml(directory.all())
    path = tmp_path / f"customers.{file_format}"
    path.write_bytes(text.encode("utf-8-sig" if file_format == "csv" else "utf-8"))
    report = import_customers(directory, read_customer_file(path), PLANS)
    assert report.rejected == []
    assert [o.change for o in report.outcomes] == ["unchanged"] * 3
    assert snapshot(directory) == before
    assert [record.data() for record in directory.all()] == TRICKY
