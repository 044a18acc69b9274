"""The README's Slack examples come from the real app and the fake Slack, and are reproducible."""

from __future__ import annotations

from pathlib import Path

from bot.devtools.slack_examples import main

DOCS = Path(__file__).resolve().parents[3] / "docs"


def test_the_examples_are_made_by_the_app_and_match_the_readme(tmp_path: Path) -> None:
    assert main(["--out", str(tmp_path)]) == 0
    home = (tmp_path / "app-home-example.txt").read_text(encoding="utf-8")
    assert "*自分の担当 (" in home and "[1] 担当する  [2] 対応開始" in home and "FAQに紐付け" in home
    stats = (tmp_path / "case-stats-example.txt").read_text(encoding="utf-8")
    assert stats.startswith("/case stats (ephemeral)") and "■ 初回応答" in stats
    assert (tmp_path / "digest-example.png").read_bytes().startswith(b"\x89PNG")
    for name in ("app-home-example.txt", "case-stats-example.txt", "digest-example.txt"):  # docs/ is up to date
        assert (DOCS / name).read_text(encoding="utf-8") == (tmp_path / name).read_text(encoding="utf-8"), name
