"""`knowledge.embedding_queue`: the indexes of one process share one queue per model, so a text two
indexes want at the same time is embedded once, and a text no living index wants is not embedded."""

from __future__ import annotations

import gc
import threading
from collections.abc import Mapping, Sequence

import numpy as np
import pytest

from knowledge.dense_vectors import DenseVectors
from knowledge.embedding_queue import BATCH


class HeldModel:
    """Embeds only while `gate` is open; records every text it embedded."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.started = threading.Event()
        self.embedded: list[str] = []
        self.fail = False

    def passage(self, texts: Sequence[str]) -> np.ndarray:
        self.started.set()
        assert self.gate.wait(5)
        if self.fail:
            raise RuntimeError("the model broke")
        self.embedded.extend(texts)
        return np.ones((len(texts), 4), dtype=np.float32)

    def query(self, text: str) -> np.ndarray:
        return np.ones(4, dtype=np.float32)


TEXTS = [f"text {n}" for n in range(BATCH * 3)]


def test_an_index_built_while_another_is_embedding_waits_for_the_same_batches() -> None:
    """A reload while the first index is still embedding: every text is embedded once, and both indexes
    end with all their vectors."""
    model = HeldModel()
    first = DenseVectors(model)
    first.want(TEXTS)
    assert model.started.wait(5)  # the first batch is being embedded, the others are waiting
    second = DenseVectors(model)
    second.want([*TEXTS, "only the second"])
    model.gate.set()
    assert first.wait(5) and second.wait(5)
    assert sorted(model.embedded) == sorted([*TEXTS, "only the second"])
    assert all(first.has(text) and second.has(text) for text in TEXTS) and second.has("only the second")
    assert not first.has("only the second")


def test_texts_no_living_index_wants_are_not_embedded() -> None:
    """An index dropped (replaced by a reload) before its texts were embedded costs only the batch in hand."""
    model = HeldModel()
    dropped = DenseVectors(model)
    dropped.want(TEXTS)
    assert model.started.wait(5)
    del dropped
    gc.collect()
    keeper = DenseVectors(model)
    keeper.want(["kept"])
    model.gate.set()
    assert keeper.wait(5) and keeper.has("kept")
    assert sorted(model.embedded) == sorted([*TEXTS[:BATCH], "kept"])


def test_a_failing_model_leaves_the_texts_without_vectors_and_wakes_the_waiters() -> None:
    model = HeldModel()
    model.fail = True
    model.gate.set()
    vectors = DenseVectors(model)
    vectors.want(TEXTS[:3])
    assert vectors.wait(5) and not vectors.has(TEXTS[0]) and vectors.version == 0


def test_a_receiver_that_fails_does_not_stop_the_others(caplog: pytest.LogCaptureFixture) -> None:
    class Broken(DenseVectors):
        def received(self, texts: Sequence[str], vectors: Mapping[str, np.ndarray]) -> None:
            raise OSError("disk full")

    model = HeldModel()
    broken = Broken(model)
    broken.want(TEXTS[:2])
    assert model.started.wait(5)
    fine = DenseVectors(model)
    fine.want([TEXTS[0], "later"])
    model.gate.set()
    assert fine.wait(5) and fine.has(TEXTS[0]) and fine.has("later")
    assert "could not be handed over" in caplog.text
