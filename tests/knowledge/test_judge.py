"""The judge: answer only when the best entry is high and clearly ahead; its parameters are data."""

from __future__ import annotations

import json

import pytest

from knowledge.judge import JUDGE_FILE, PROFILES, JudgeParams, decide, judge_params

PARAMS = JudgeParams(margin=0.2, high_score=0.6, high_margin=0.05)


@pytest.mark.parametrize(
    ("scores", "decision"),
    [
        ([], "none"),
        ([0.05], "none"),
        ([0.2, 0.1], "suggest"),  # close, but below the answer threshold
        ([0.5, 0.1], "answer"),  # high enough and clearly ahead
        ([0.5, 0.4], "suggest"),  # high enough, not ahead enough
        ([0.7, 0.6], "answer"),  # very high and still ahead
        ([0.7, 0.68], "suggest"),  # very high, a tie
        ([0.5], "answer"),
    ],
)
def test_decide(scores: list[float], decision: str) -> None:
    assert decide(scores, 0.35, 0.1, PARAMS) == decision


def test_every_profile_is_in_the_data_file() -> None:
    data = json.loads(JUDGE_FILE.read_text(encoding="utf-8"))
    for profile in PROFILES:
        params = judge_params(profile)
        assert params == JudgeParams(**data[profile])
        assert 0 <= params.high_margin <= params.margin <= 1 and 0 < params.high_score <= 1
    assert judge_params("lexical").dense_weight == 0.0 < judge_params("dense").dense_weight
