"""A query's candidates: the entries that hold most, found above a sampled floor, are exactly those a
full sort finds (ties taken by the lowest slot)."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge.scoring import CANDIDATES, _best, _candidates


def _by_full_sort(held: np.ndarray) -> set[int]:
    slots = np.flatnonzero(held)
    return {int(s) for s in (_best(slots, held[slots]) if len(slots) > CANDIDATES else slots)}


@pytest.mark.parametrize("seed", range(40))
def test_the_sampled_floor_finds_what_a_full_sort_finds(seed: int) -> None:
    rng = np.random.default_rng(seed)
    size = int(rng.choice([5, 40, 130, 1000, 10_000]))
    # Few distinct values (common words give thousands of equal sums) and many empty slots.
    values = rng.choice(np.array([0.25, 0.5, 0.75, 1.0, 1.5], np.float32), size)
    held = np.where(rng.random(size) < rng.random(), values, np.float32(0.0)).astype(np.float32)
    found = _candidates(held)
    assert {int(s) for s in found} == _by_full_sort(held)
    assert len(found) == min(CANDIDATES, int(np.count_nonzero(held)))
