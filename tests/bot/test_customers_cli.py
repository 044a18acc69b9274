"""`supportbot customers import|list|export` as a CS team uses them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main

CONFIG = """
[channels]
cases = "C0CASES"
emergency = "C0EMERG"

[plans.standard]
label = "Standard"
high   = { target = "2h", calendar = "24x7" }
medium = { target = "6h", calendar = "business" }
low    = { target = "8h", calendar = "business" }

[plans.premier]
label = "Premier"
high   = { target = "1h", calendar = "24x7" }
medium = { target = "2h", calendar = "24x7" }
low    = { target = "4h", calendar = "business" }

[customers]
default_plan = "standard"
"""
GOOD = (
    "\ufeffid,name,plan,channels,contract_end,notes\r\n"
    "acme,株式会社アクメ,premier,C0ACME C0ACMEINT,2099-03-31,夜間は携帯へ\r\n"
    "old,Old Co.,,C0OLD,2020-03-31,\r\n"
)


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "supportbot.toml").write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("SUPPORTBOT_CONFIG", str(tmp_path / "supportbot.toml"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'bot.db'}")


def write(tmp_path: Path, name: str, text: str) -> str:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return name


def test_import_then_list(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["customers", "import", write(tmp_path, "customers.csv", GOOD)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "customers.csv: 2 added, 0 changed, 0 unchanged, 0 rejected",
        "  added     line 2: acme",
        "  added     line 3: old",
    ]
    assert main(["customers", "list"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "id    name            plan        channels          contract_end",
        "acme  株式会社アクメ  premier     C0ACME C0ACMEINT  2099-03-31",
        "old   Old Co.         (standard)  C0OLD             2020-03-31 (契約期間外)",
    ]


def test_list_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    main(["customers", "import", write(tmp_path, "customers.csv", GOOD)])
    capsys.readouterr()
    assert main(["customers", "list", "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(c["id"], c["plan"], c["plan_in_effect"], c["contract_ended"]) for c in lines] == [
        ("acme", "premier", "premier", False),
        ("old", None, "standard", True),
    ]
    assert lines[0]["channels"] == ["C0ACME", "C0ACMEINT"] and lines[0]["notes"] == "夜間は携帯へ"


def test_a_rejected_line_changes_nothing_and_exits_non_zero(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = GOOD + "gold,Gold Co.,gold,C0GOLD,,\r\n"
    assert main(["customers", "import", write(tmp_path, "customers.csv", bad)]) == 1
    out = capsys.readouterr().out
    assert "customers.csv: 2 added, 0 changed, 0 unchanged, 1 rejected" in out
    assert "  rejected  line 4: gold: unknown plan 'gold' (plans: standard, premier)" in out
    assert "Nothing was changed." in out
    main(["customers", "list"])
    assert "No customers yet" in capsys.readouterr().out


def test_partial_imports_the_good_lines_and_still_exits_non_zero(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = GOOD + ",Nameless id,,,,\r\n"
    assert main(["customers", "import", "--partial", write(tmp_path, "customers.csv", bad)]) == 1
    assert "  rejected  line 4: (no id): missing id" in capsys.readouterr().out
    main(["customers", "list", "--json"])
    assert len(capsys.readouterr().out.splitlines()) == 2


def test_an_unreadable_file_is_explained(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["customers", "import", "missing.csv"]) == 1
    assert "supportbot: cannot read missing.csv" in capsys.readouterr().err


def test_export_round_trips_through_import(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    main(["customers", "import", write(tmp_path, "customers.csv", GOOD)])
    assert main(["customers", "export", "-o", "export.csv"]) == 0
    exported = (tmp_path / "export.csv").read_bytes()
    assert exported.startswith(b"\xef\xbb\xbfid,name,plan,channels,contract_end,notes\r\n")  # Excel-friendly
    assert main(["customers", "export", "--output", "export.toml"]) == 0
    capsys.readouterr()
    for name in ("export.csv", "export.toml"):
        assert main(["customers", "import", name]) == 0
        assert f"{name}: 0 added, 0 changed, 2 unchanged, 0 rejected" in capsys.readouterr().out


def test_export_to_standard_output(capsysbinary: pytest.CaptureFixture[bytes], tmp_path: Path) -> None:
    main(["customers", "import", write(tmp_path, "customers.csv", GOOD)])
    capsysbinary.readouterr()
    assert main(["customers", "export", "--format", "toml"]) == 0
    out = capsysbinary.readouterr().out.decode()
    assert '[[customers]]\nid = "acme"\nname = "株式会社アクメ"\nplan = "premier"' in out


def readme_block(language: str) -> str:
    """The first ```language block of the README's "Customers and plans" section."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Customers and plans") :]
    start = section.index(f"```{language}\n") + len(language) + 4
    return section[start : section.index("```", start)]


def test_the_readmes_plans_and_customers_example_work(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = '[channels]\ncases = "C0CASES"\nemergency = "C0EMERG"\n' + readme_block("toml")
    write(tmp_path, "supportbot.toml", config)
    assert main(["customers", "import", write(tmp_path, "customers.csv", readme_block("csv"))]) == 0
    assert "customers.csv: 2 added, 0 changed, 0 unchanged, 0 rejected" in capsys.readouterr().out
