"""Postings: the query mass each entry's fields explain, summed over arrays; changed copy on write."""

from __future__ import annotations

import random

import numpy as np
import pytest

from knowledge.postings import Postings


def test_held_sums_the_smaller_of_query_weight_and_strength_times_idf() -> None:
    postings = Postings.build([{"a": 1.0, "b": 0.5}, {"b": 1.0}, None, {"c": 0.75}])
    held = postings.held([("a", 1.0, 2.0), ("b", 0.8, 1.0)])
    assert np.allclose(held, [2.0 + 0.5, 0.8, 0.0, 0.0])
    assert postings.df("b") == 2 and postings.df("z") == 0 and "c" in postings and len(postings) == 3


def test_a_change_makes_a_new_postings_and_leaves_the_old_one_alone() -> None:
    before = Postings.build([{"a": 1.0}, {"a": 0.5, "b": 1.0}])
    after = before.changed(1, {"a": 0.5, "b": 1.0}, {"c": 1.0}, 3)
    assert before.df("b") == 1 and after.df("b") == 0 and after.df("c") == 1 and after.df("a") == 1
    assert np.allclose(after.held([("c", 1.0, 1.0)]), [0.0, 1.0, 0.0])
    added = after.changed(2, None, {"a": 0.25}, 3)
    assert added.df("a") == 2 and np.allclose(added.held([("a", 1.0, 1.0)]), [1.0, 0.0, 0.25])


def test_common_terms_kept_as_rows_give_the_very_same_sums(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(3)
    profiles: list[dict[str, float] | None] = [
        {f"t{rng.randrange(12)}": rng.choice((0.35, 0.6, 0.75, 1.0)) for _ in range(rng.randint(1, 6))}
        for _ in range(300)
    ]
    weighted = [("t0", 1.0, 0.37), ("t5", 0.6, 1.91), ("t11", 0.35, 0.73), ("t3", 0.8, 2.5)]
    sparse = Postings.build(profiles).held(weighted)  # every term below the 256 entries rows start at
    monkeypatch.setattr("knowledge.postings.DENSE_MIN", 1)
    rows = Postings.build(profiles)
    assert rows.held(weighted).tobytes() == sparse.tobytes()  # the rows are made …
    assert rows.held(weighted).tobytes() == sparse.tobytes()  # … and then reused
    assert len(rows._rows) == len(weighted)
