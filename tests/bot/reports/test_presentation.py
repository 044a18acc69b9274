"""The figures as text and as the digest's chart (PNG and alt text); matplotlib only when drawing."""

from __future__ import annotations

import json
import struct
import subprocess
import sys

from bot.reports import Report, Reports
from bot.reports.chart import japanese_font, render_chart
from bot.reports.history import History
from bot.reports.text import render_text
from tests.bot.reports.conftest import Write, jst


def sample_week(history: History, write: Write, reports: Reports) -> Report:
    late = history.open(jst(11, 16, 9), "high", customer="北斗システム")
    history.page(late, jst(11, 16, 11), 1)
    history.respond(late, jst(11, 16, 11, 20))
    history.respond(history.open(jst(11, 17, 11), "medium"), jst(11, 17, 12))
    history.open(jst(11, 21, 11), "low")  # Saturday
    history.vote(history.ask(jst(11, 17, 11), "SSOは？", "answer", entry_id="faq-sso"), jst(11, 17, 12), helpful=False)
    passed_over = history.ask(jst(11, 18, 11), "CSVの文字コードは？", "answer", entry_id="faq-sso")
    history.pick(passed_over, jst(11, 18, 11, 1), "faq-csv")  # the asker picked the candidate under the answer
    history.ask(jst(11, 17, 11), "見積書を発行してもらえますか？", "none")
    write(history)
    return reports.figures(reports.period(since="2026-11-16", until="2026-11-22"))


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_text_report_in_japanese_and_english(history: History, write: Write, reports: Reports) -> None:
    report = sample_week(history, write, reports)
    ja = render_text(report, "ja")
    assert "サポートレポート 2026-11-16 〜 2026-11-22 (Asia/Tokyo)" in ja
    assert "起票 3件 (高 1 / 中 1 / 低 1)" in ja
    assert "高 (目標 2時間・24時間): 達成率 0% (達成 0 / 超過 1 / 対応待ち 0)" in ja
    assert "超過の遅れ 中央値 20分" in ja and "呼び出し 1回・再呼び出し 0回" in ja
    assert "「解決しない」やほかの候補が選ばれることが多い回答:" in ja
    assert "SSOはどのIdPに対応していますか？ — 解決しない 1 / ほかの候補が選ばれた 1 / 解決しました 0" in ja
    assert "見積書を発行してもらえますか？ (1回)" in ja
    en = render_text(report, "en")
    assert "Opened 3 (High 1 / Medium 1 / Low 1)" in en and "attainment —" in en  # low: nothing decided
    assert "SSOはどのIdPに対応していますか？ — not solved 1 / passed over 1 / solved 0" in en


def test_json_has_the_stable_top_level_keys(history: History, write: Write, reports: Reports) -> None:
    data = json.loads(json.dumps(sample_week(history, write, reports).to_json(), ensure_ascii=False))
    assert set(data) == {"period", "cases", "first_response", "faq", "daily"}
    assert (
        data["period"]["since"] == "2026-11-16T00:00:00+09:00"
        and data["period"]["until"] == "2026-11-23T00:00:00+09:00"
    )
    assert data["first_response"]["by_priority"]["high"]["late_median_seconds"] == 1200
    assert [d["business_day"] for d in data["daily"]] == [True] * 5 + [False] * 2


def test_chart_is_a_png_with_japanese_labels_and_alt_text(history: History, write: Write, reports: Reports) -> None:
    report = sample_week(history, write, reports)
    assert japanese_font() is not None  # IPAexGothic from the matplotlib-fontja wheel, offline
    chart = render_chart(report, "ja")
    assert chart.language == "ja"
    width, height = png_size(chart.png)
    assert (width, height) == (1210, 484)
    assert "起票 3件 (高 1, 中 1, 低 1)" in chart.alt_text and "超過 1件 (11/16 1)" in chart.alt_text
    assert "高 0%" in chart.alt_text and len(chart.alt_text) < 1000
    english = render_chart(report, "en")
    assert english.language == "en" and "3 opened" in english.alt_text


def test_bot_start_up_does_not_import_matplotlib() -> None:
    code = (
        "import sys, bot.cli, bot.reports, bot.runtime, bot.reports.chart; "
        "print(any(m.startswith('matplotlib') for m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
