"""Entry vectors: each text of the FAQ embedded once, in a background thread (`knowledge.dense` uses them).

Vectors are kept by text: an index never embeds the same text twice, and neither do the indexes a
process builds after it (a reload when the files change, `supportbot faq check`), which take the
texts that did not change from what this process has already computed — or, while it is still
computing them, wait for the same batch (`knowledge.embedding_queue`); with an index cache folder
they are saved there too, for the next start. Questions' vectors are remembered too (the most recent
QUESTIONS_REMEMBERED): a question asked again is not embedded again.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import weakref
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from knowledge import dense_adapter, embedding_queue

log = logging.getLogger(__name__)

_CACHE_NAME = "dense-e5-small.npz"
MAX_REMEMBERED = 50_000  # passage vectors a process keeps per model (≈ 75 MB at 384 dimensions)
_remembered: weakref.WeakKeyDictionary[Any, dict[str, np.ndarray]] = weakref.WeakKeyDictionary()
_remembered_lock = threading.Lock()
QUESTIONS_REMEMBERED = 4_096  # question vectors a process keeps per model, the most recently asked
_questions: weakref.WeakKeyDictionary[Any, OrderedDict[str, np.ndarray]] = weakref.WeakKeyDictionary()


def _remember(model: Any, vectors: Mapping[str, np.ndarray]) -> None:
    """Keep the passage vectors `model` computed, by text, for the indexes this process builds later: an
    index rebuilt when its files change embeds only the texts that changed, cache folder or not. Emptied
    when it would outgrow `MAX_REMEMBERED`; a model that cannot be weakly referenced keeps none."""
    with _remembered_lock:
        try:
            known = _remembered.setdefault(model, {})
        except TypeError:
            return
        if len(known) + len(vectors) > MAX_REMEMBERED:
            known.clear()
        known.update(vectors)


def _recall(model: Any, texts: Sequence[str]) -> dict[str, np.ndarray]:
    """The vectors of these texts that `model` has computed in this process (`_remember`)."""
    with _remembered_lock:
        try:
            known = _remembered.get(model, {})
        except TypeError:
            return {}
        return {text: known[text] for text in texts if text in known}


def _question_vector(model: Any, text: str) -> np.ndarray:
    """The model's vector of a question, remembered for the process (the last QUESTIONS_REMEMBERED, per
    model): a question asked again — support questions repeat, and the benchmarks ask each one before
    and after teaching — is not embedded again (the embedding is most of a search's time)."""
    with _remembered_lock:
        try:
            asked = _questions.setdefault(model, OrderedDict())
        except TypeError:
            asked = None
        if asked is not None and text in asked:
            asked.move_to_end(text)
            return asked[text].copy()
    vector = np.asarray(model.query(text), dtype=np.float32).reshape(-1)
    if asked is not None:
        with _remembered_lock:
            asked[text] = vector.copy()
            while len(asked) > QUESTIONS_REMEMBERED:
                asked.popitem(last=False)
    return vector


def forget_questions() -> None:
    """Forget the remembered question vectors: the next search embeds its question as a new one would be."""
    with _remembered_lock:
        _questions.clear()


class DenseVectors:
    """Vectors of entry texts, computed in the background (one thread per model for the whole process:
    `knowledge.embedding_queue`); thread-safe."""

    def __init__(self, model: Any, cache_dir: Path | None = None) -> None:
        self._model = model
        self._query_map = dense_adapter.current()
        self._vectors: dict[str, np.ndarray] = {}
        self._pending: set[str] = set()
        self._lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()
        self.version = 0  # changes whenever vectors are added
        self._cache = cache_dir / _CACHE_NAME if cache_dir is not None else None
        self._load_cache()

    def want(self, texts: Sequence[str]) -> None:
        """Compute the vectors of these texts (those not known yet) in the background."""
        with self._lock:
            new = [t for t in dict.fromkeys(texts) if t not in self._vectors and t not in self._pending]
            found = _recall(self._model, new)
            if found:
                self._vectors.update(found)
                self.version += 1
                new = [t for t in new if t not in found]
            if not new:
                return
            self._pending.update(new)
            self._idle.clear()
            embedding_queue.queue_for(self._model, _remember).want(self._model, self, new)

    def received(self, texts: Sequence[str], vectors: Mapping[str, np.ndarray]) -> None:
        """The queue has done these texts (`vectors` lacks those the model failed on); once none is left,
        the vectors are saved to the cache folder and waiters are woken."""
        with self._lock:
            if vectors:
                self._vectors.update(vectors)
                self.version += 1
            self._pending.difference_update(texts)
            if self._pending:
                return
            self._save_cache()
            self._idle.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until every wanted text has its vector; False on timeout."""
        return self._idle.wait(timeout)

    def has(self, text: str) -> bool:
        return text in self._vectors

    def get(self, text: str) -> np.ndarray | None:
        return self._vectors.get(text)

    @property
    def question_map(self) -> float | None:
        """How much of the question map's direction each question gets (None: unmapped)."""
        return dense_adapter.BLEND if self._query_map is not None else None

    def query(self, text: str) -> np.ndarray:
        """A question's vector, mapped towards how entries are written (`knowledge.dense_adapter`)."""
        return dense_adapter.adapted(_question_vector(self._model, text), self._query_map)

    def _load_cache(self) -> None:
        if self._cache is None or not self._cache.exists():
            return
        try:
            with np.load(self._cache, allow_pickle=False) as data:
                self._vectors.update(zip(data["texts"].tolist(), data["vectors"], strict=True))
        except (OSError, ValueError, KeyError) as error:
            log.warning("ignoring the dense cache %s: %s", self._cache, error)

    def _save_cache(self) -> None:
        if self._cache is None or not self._vectors:
            return
        tmp: Path | None = None
        try:
            self._cache.parent.mkdir(parents=True, exist_ok=True)
            texts = list(self._vectors)
            # A file of its own, then one rename: replicas sharing the folder never write into each other's file.
            descriptor, name = tempfile.mkstemp(dir=self._cache.parent, prefix=".tmp-", suffix=".npz")
            tmp = Path(name)
            with os.fdopen(descriptor, "wb") as out:
                np.savez(out, texts=np.array(texts), vectors=np.stack([self._vectors[t] for t in texts]))
            tmp.replace(self._cache)
        except OSError as error:
            log.warning("could not save the dense cache %s: %s", self._cache, error)
            if tmp is not None:
                tmp.unlink(missing_ok=True)
