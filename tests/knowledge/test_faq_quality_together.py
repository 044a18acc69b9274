"""`benchmarks/faq_quality.py`: `--together` (several sets' knowledge bases searched as one larger base) and the
bot's settings it measures with."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
import faq_quality  # noqa: E402


def test_the_named_sets_are_searched_as_one_base(capsys: pytest.CaptureFixture[str]) -> None:
    sets = ["--set", "hr", "--set", "ec"]
    assert faq_quality.main(["--together", "--split", "tuning", *sets, "--dense", "off"]) == 0
    (report,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    alone = [faq_quality.load_index(faq_quality.SETS / name) for name in ("hr", "ec")]
    assert report["set"] == "ec+hr" and report["entries"] == sum(len(index.entries) for index in alone)
    assert (
        report["shared_headings"] == 0 and report["in_scope"] == 360 and 0.0 < report["top1"] < 1.0
    )  # both tuning halves: 180 in scope each
    assert report["after_teaching"]["taught"] == 360  # both sets' phrasings, each for its own entry


def test_together_needs_the_sets_and_one_split() -> None:
    with pytest.raises(SystemExit, match="--together needs"):
        faq_quality.main(["--together", "--split", "heldout", "--dense", "off"])


def test_the_answer_confidence_reaches_every_search(monkeypatch: pytest.MonkeyPatch) -> None:
    """`--answer-confidence` measures the bot as `[faq] answer_confidence` would set it."""
    for name in ("MAX_SUGGESTIONS", "OFFER_OTHERS_BELOW", "ANSWER_CONFIDENCE"):
        monkeypatch.setattr(faq_quality, name, getattr(faq_quality, name))  # restored afterwards
    seen: list[float] = []
    evaluate = faq_quality.evaluation.evaluate

    def recorded(*args: object, **kwargs: object) -> dict[str, object]:
        seen.append(float(kwargs["answer_confidence"]))  # type: ignore[arg-type]
        return evaluate(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(faq_quality.evaluation, "evaluate", recorded)
    assert faq_quality.main(["--set", "hr", "--split", "tuning", "--dense", "off", "--answer-confidence", "0.9"]) == 0
    assert seen and set(seen) == {0.9}
