"""One queue per embedding model: the entry texts every index of the process wants, embedded once.

Each index asks for the vectors of its entries' texts (`knowledge.dense_vectors.DenseVectors`), and
embedding them takes a while: seconds for a small base, minutes for a large one. An index built while
another is still embedding — a reload when the files change, `faq check`, the next test — wants
mostly the same texts. With a thread per index each text was embedded once per index at the same time
(the test suite, which builds an index in most tests, embedded the bundled base many times over). Here one
thread per model works through one queue; an index that wants a text already queued or in the batch
being embedded waits for that batch, and a text that no living index wants any more is skipped.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import numpy as np

log = logging.getLogger(__name__)

BATCH = 8  # texts a model embeds in one call


class Receiver(Protocol):
    """Who wanted texts: told once each batch is done (`vectors` is empty when the model failed)."""

    def received(self, texts: Sequence[str], vectors: Mapping[str, np.ndarray]) -> None: ...


Wanting = list["weakref.ref[Receiver]"]
Remember = Callable[[Any, Mapping[str, np.ndarray]], None]  # keeps a model's new vectors (`dense_vectors._remember`)


class EmbeddingQueue:
    """The texts waiting for one model, each with the receivers that want it, and the one thread that
    embeds them in order, a batch at a time."""

    def __init__(self, remember: Remember | None = None) -> None:
        self._remember = remember  # told each batch's vectors
        self._waiting: OrderedDict[str, Wanting] = OrderedDict()
        self._embedding: dict[str, Wanting] = {}  # the batch the model is embedding now
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None

    def want(self, model: Any, receiver: Receiver, texts: Sequence[str]) -> None:
        """Embed these texts with `model` and tell `receiver`; a text already waiting or being embedded is
        not embedded again."""
        ref: weakref.ref[Receiver] = weakref.ref(receiver)
        with self._lock:
            for text in texts:
                wanting = self._embedding.get(text)
                if wanting is None:
                    wanting = self._waiting.setdefault(text, [])
                wanting.append(ref)
            if self._worker is None or not self._worker.is_alive():
                # The thread holds the model while it works, the queue does not: a model nobody uses can go.
                self._worker = threading.Thread(target=self._work, args=(model,), name="faq-dense", daemon=True)
                self._worker.start()

    def _next_batch(self) -> dict[str, Wanting]:
        """The next texts that a living receiver still wants (under the lock)."""
        batch: dict[str, Wanting] = {}
        while self._waiting and len(batch) < BATCH:
            text, wanting = self._waiting.popitem(last=False)
            living = [ref for ref in wanting if ref() is not None]
            if living:
                batch[text] = living
        return batch

    def _work(self, model: Any) -> None:
        while True:
            with self._lock:
                self._embedding = self._next_batch()
                if not self._embedding:
                    self._worker = None
                    return
                texts = list(self._embedding)
            vectors = self._embed(model, texts)
            with self._lock:
                wanting, self._embedding = self._embedding, {}
            _tell(wanting, texts, vectors)

    def _embed(self, model: Any, texts: list[str]) -> dict[str, np.ndarray]:
        try:
            computed = np.asarray(model.passage(texts), dtype=np.float32).reshape(len(texts), -1)
        except Exception as error:  # the lexical matcher keeps going; these texts stay without vectors
            log.warning("dense embedding failed: %s", error)
            return {}
        vectors = dict(zip(texts, computed, strict=True))
        if self._remember is not None:
            self._remember(model, vectors)
        return vectors


def _tell(wanting: Mapping[str, Wanting], texts: Sequence[str], vectors: Mapping[str, np.ndarray]) -> None:
    """Tell each living receiver which of its texts are done, with their vectors."""
    mine: dict[int, tuple[Receiver, list[str]]] = {}
    for text in texts:
        for ref in wanting[text]:
            receiver = ref()
            if receiver is not None:
                mine.setdefault(id(receiver), (receiver, []))[1].append(text)
    for receiver, done in mine.values():
        try:
            receiver.received(done, {text: vectors[text] for text in done if text in vectors})
        except Exception:  # one receiver's failure must not keep the others waiting
            log.exception("dense vectors could not be handed over")


_queues: weakref.WeakKeyDictionary[Any, EmbeddingQueue] = weakref.WeakKeyDictionary()
_queues_lock = threading.Lock()


def queue_for(model: Any, remember: Remember | None = None) -> EmbeddingQueue:
    """The process's queue for `model`; a model that cannot be weakly referenced gets a queue of its own
    each time (its indexes then embed separately, as they did before)."""
    with _queues_lock:
        try:
            queue = _queues.get(model)
        except TypeError:
            return EmbeddingQueue(remember)
        if queue is None:
            queue = _queues[model] = EmbeddingQueue(remember)
        return queue
