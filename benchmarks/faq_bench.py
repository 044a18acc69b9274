"""Speed and memory of the FAQ search on a realistic 10,000-entry knowledge base.

Usage:
    python benchmarks/faq_bench.py [--entries 10000] [--queries 2000] [--seed 7]

The generated base is written like a real help centre: words are drawn from Sudachi's own
dictionary (tens of thousands of real nouns and verbs) with Zipf-like frequencies — a few words
in thousands of entries, most in a handful — into questions, answers of 50–200 characters, steps
and some 言い換え, spread over 200 files of 50 entries. Queries are paraphrase-like: words of an
entry's question and answer in another order, typos, kana, and some unrelated chat.

Measured (wall clock and CPU time of the measuring thread: the machine is shared, so the CPU
figures say what the search itself costs):

- the build in memory (cold: everything analysed) and from the index cache
  (SUPPORTBOT_FAQ_INDEX_CACHE), both using both cores where the build can;
- query latency: mean, p50, p99;
- learning one phrasing and reloading one changed file of 50 entries (incremental updates);
- the resident memory of a process that imports the bot and builds the index, as `supportbot run` does.

Prints one JSON object, ending with each goal and whether it is met.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from knowledge import BUNDLED_KNOWLEDGE  # noqa: E402
from knowledge.loader import load_entries  # noqa: E402
from knowledge.search import KnowledgeIndex  # noqa: E402
from knowledge.tokens import sudachi  # noqa: E402

FILES = 200
GOALS = {
    "query_mean_ms": 0.5,
    "query_p99_ms": 1.0,
    "cold_build_s": 3.0,
    "cached_build_s": 0.5,
    "learn_phrasing_ms": 50.0,
    "reload_file_ms": 50.0,
    "run_rss_mb": 300.0,  # peak of a bot-like process building the base cold …
    "run_rss_from_cache_mb": 300.0,  # … and from the index cache (SUPPORTBOT_FAQ_INDEX_CACHE)
}
_QUESTION_FORMS = (
    "{a}の{b}を{v}には？",
    "{a}で{b}を{v}ことはできますか？",
    "{a}の{b}が{v}ない",
    "{b}の{a}はどこで{v}？",
    "{a}と{b}の違いは？",
    "{a}の{b}に上限はありますか？",
)
_ANSWER_FORMS = (
    "{a}の{b}は管理画面の{c}から{v}できます。",
    "{a}を{v}場合は、先に{b}を確認してください。",
    "{c}プランでは{a}の{b}に対応していません。",
    "{a}は{b}ごとに最大{n}件まで登録できます。",
    "{b}が{v}ときは{c}の設定を見直してください。",
    "反映まで{n}分ほどかかることがあります。",
    "詳しくは{a}ガイドの{b}の章をご覧ください。",
)


class Words:
    """Real words from Sudachi's dictionary, drawn with Zipf-like frequencies."""

    def __init__(self, seed: int, nouns: int = 40_000, verbs: int = 4_000) -> None:
        rng = random.Random(seed)
        found_nouns, found_verbs = _dictionary_words()
        rng.shuffle(found_nouns)
        rng.shuffle(found_verbs)
        self.nouns, self.verbs = found_nouns[:nouns], found_verbs[:verbs]
        self._noun_weights = _cumulative_zipf(len(self.nouns))
        self._verb_weights = _cumulative_zipf(len(self.verbs))
        self.rng = rng
        self.used: set[str] = set()  # the distinct dictionary words drawn so far

    def noun(self) -> str:
        word = self.rng.choices(self.nouns, cum_weights=self._noun_weights, k=1)[0]
        self.used.add(word)
        return word

    def verb(self) -> str:
        word = self.rng.choices(self.verbs, cum_weights=self._verb_weights, k=1)[0]
        self.used.add(word)
        return word

    def fill(self, form: str) -> str:
        return form.format(a=self.noun(), b=self.noun(), c=self.noun(), v=self.verb(), n=self.rng.randint(2, 500))


def _dictionary_words() -> tuple[list[str], list[str]]:
    from sudachipy import Dictionary

    dictionary = Dictionary(dict="core")
    if not hasattr(dictionary, "entries"):
        raise SystemExit("faq_bench needs SudachiPy 0.7 or newer (Dictionary.entries) for its word list")
    nouns, verbs = set(), set()
    for morpheme in dictionary.entries():
        pos, surface = morpheme.part_of_speech(), morpheme.surface()
        if surface.isascii() or any(c.isdigit() for c in surface):
            continue
        if pos[0] == "名詞" and pos[1] == "普通名詞" and pos[2] in ("一般", "サ変可能") and 2 <= len(surface) <= 6:
            nouns.add(surface)
        elif pos[0] == "動詞" and pos[1] == "一般" and pos[5] == "終止形-一般" and 2 <= len(surface) <= 5:
            verbs.add(morpheme.dictionary_form())
    return sorted(nouns), sorted(verbs)


def _cumulative_zipf(count: int) -> list[float]:
    total, cumulative = 0.0, []
    for rank in range(count):
        total += 1.0 / (rank + 1) ** 1.0
        cumulative.append(total)
    return cumulative


def generate_files(folder: Path, count: int, words: Words) -> None:
    """`count` entries in FILES Markdown files of the bundled format."""
    rng = words.rng
    per_file = max(1, count // FILES)
    number = 0
    seen: set[str] = set()
    for file_number in range(FILES):
        lines = [f"# ナレッジ {file_number}", ""]
        for _category in range(per_file // 10 or 1):
            lines += [f"## {words.noun()}について", ""]
            for _ in range(10 if per_file >= 10 else per_file):
                if number >= count:
                    break
                question = words.fill(rng.choice(_QUESTION_FORMS))
                if question in seen:
                    continue
                seen.add(question)
                lines += [f"### Q: {question}", ""]
                if rng.random() < 0.4:
                    alternatives = [words.fill(rng.choice(_QUESTION_FORMS)) for _ in range(rng.randint(1, 3))]
                    lines += [f"**言い換え**: {' / '.join(alternatives)}", ""]
                answer = ""
                while len(answer) < rng.randint(50, 200):
                    answer += words.fill(rng.choice(_ANSWER_FORMS))
                lines += [f"**A**: {answer[:200]}", ""]
                if rng.random() < 0.3:
                    lines += [f"**手順**: 管理画面 > {words.noun()} > {words.noun()}", ""]
                number += 1
            if number >= count:
                break
        (folder / f"kb{file_number:03d}.md").write_text("\n".join(lines), encoding="utf-8")


def generated_queries(index: KnowledgeIndex, count: int, words: Words) -> list[str]:
    """Paraphrase-like queries: an entry's words reordered, cut, misspelt, in kana; some chat."""
    rng = words.rng
    entries = index.entries
    chatter = ["お疲れさまです", "今日のランチどこ行きます？", "Good morning!", "来週の定例はキャンセルです"]
    queries = []
    for _ in range(count):
        entry = rng.choice(entries)
        style = rng.random()
        text = entry.question.rstrip("？")
        if style < 0.3:
            queries.append(text)
        elif style < 0.6:
            sentence = entry.answer.split("。")[0]
            queries.append(f"{sentence[: rng.randint(8, 30)]}って{words.verb()}？")
        elif style < 0.75:
            position = rng.randrange(len(text))
            queries.append(text[:position] + text[position + 1 :])
        elif style < 0.9:
            queries.append(f"{words.noun()}の{words.noun()}を{words.verb()}方法")
        else:
            queries.append(rng.choice(chatter))
    return queries


def _ms(seconds: float) -> float:
    return round(seconds * 1000.0, 3)


def measure_queries(index: KnowledgeIndex, queries: list[str]) -> dict[str, Any]:
    index.search(queries[0])  # warm up: Sudachi for this thread
    wall: list[float] = []
    cpu: list[float] = []
    gc.collect()
    for query in queries:
        w0, c0 = time.perf_counter(), time.thread_time()
        index.search(query)
        cpu.append(time.thread_time() - c0)
        wall.append(time.perf_counter() - w0)
    return {"count": len(queries), "wall": _stats(wall), "cpu": _stats(cpu)}


def _stats(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "mean_ms": _ms(statistics.fmean(ordered)),
        "p50_ms": _ms(statistics.median(ordered)),
        "p99_ms": _ms(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]),
    }


def timed(action: Callable[[], Any]) -> tuple[Any, dict[str, float]]:
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return result, {"wall_s": round(time.perf_counter() - wall, 3), "cpu_s": round(time.process_time() - cpu, 3)}


def measure_updates(index: KnowledgeIndex, folder: Path, words: Words) -> dict[str, Any]:
    """Learning a phrasing, and reloading one changed file, each an incremental update."""
    rng = words.rng
    learn: list[float] = []
    for entry in rng.sample(list(index.entries), 50):
        started = time.perf_counter()
        index.learn_phrasing(entry.id, f"{words.noun()}の{words.noun()}を{words.verb()}には")
        learn.append(time.perf_counter() - started)
    reload: list[float] = []
    for number in rng.sample(range(FILES), 10):
        path = folder / f"kb{number:03d}.md"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("**A**: ", f"**A**: {words.noun()}は", 1), encoding="utf-8")
        started = time.perf_counter()
        result = index.reload_file(path)
        reload.append(time.perf_counter() - started)
        assert result.ok and result.changed, result
    return {"learn_phrasing": _stats(learn), "reload_file_of_50_entries": _stats(reload)}


def run_rss_mb(folder: Path, cache: Path | None = None) -> dict[str, float]:
    """Resident memory (peak, and after the build, of which the process's own memory and the pages
    of files it maps: mostly Sudachi's dictionary) of a process that loads what `supportbot run`
    loads and builds the index, cold or, with `cache`, from the index cache. The peak is VmHWM, not
    ru_maxrss: Linux carries over to a child the resident size of the process it was forked from
    (this benchmark's own, ~500 MB) into ru_maxrss."""
    code = (
        "import slack_bolt, sqlalchemy, apscheduler, waitress\n"
        "import bot.app, bot.services\n"
        "from pathlib import Path\n"
        "from knowledge.search import KnowledgeIndex\n"
        f"cache = {str(cache) if cache else None!r}\n"
        f"index = KnowledgeIndex.from_path({str(folder)!r}, cache_dir=Path(cache) if cache else None)\n"
        "index.search('テスト')\n"
        "status = dict(line.split(':', 1) for line in open('/proc/self/status'))\n"
        "print(*(status[name].split()[0] for name in ('VmHWM', 'VmRSS', 'RssAnon', 'RssFile')))\n"
    )
    output = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    peak, current, anon, mapped = (int(value) / 1024.0 for value in output.stdout.split()[-4:])
    return {
        "peak_mb": round(peak, 1),
        "after_build_mb": round(current, 1),
        "after_build_own_mb": round(anon, 1),
        "after_build_files_mb": round(mapped, 1),
    }


def goals(report: dict[str, Any]) -> list[dict[str, Any]]:
    generated = report["generated"]
    figures = {
        "query_mean_ms": generated["queries"]["cpu"]["mean_ms"],
        "query_p99_ms": generated["queries"]["cpu"]["p99_ms"],
        "cold_build_s": generated["build"]["wall_s"],
        "cached_build_s": generated["cached_build"]["wall_s"],
        "learn_phrasing_ms": generated["updates"]["learn_phrasing"]["mean_ms"],
        "reload_file_ms": generated["updates"]["reload_file_of_50_entries"]["mean_ms"],
        "run_rss_mb": generated["run_rss"]["peak_mb"],
        "run_rss_from_cache_mb": generated["run_rss_from_cache"]["peak_mb"],
    }
    return [
        {"goal": name, "figure": figures[name], "limit": limit, "met": figures[name] <= limit}
        for name, limit in GOALS.items()
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=10_000, help="size of the generated knowledge base")
    parser.add_argument("--queries", type=int, default=2_000, help="queries per knowledge base")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    load_at_start = os.getloadavg()
    sudachi()
    words = Words(args.seed)

    bundled, bundled_build = timed(lambda: KnowledgeIndex.from_path(BUNDLED_KNOWLEDGE))
    bundled_queries = [e.question for e in bundled.entries] + [a for e in bundled.entries for a in e.alternatives]
    bundled_queries = [bundled_queries[i % len(bundled_queries)] for i in range(args.queries)]

    with tempfile.TemporaryDirectory(prefix="faq-bench-") as temporary:
        folder = Path(temporary) / "kb"
        folder.mkdir()
        generate_files(folder, args.entries, words)
        distinct_words = len(words.used)
        entries = load_entries(folder)
        index, build = timed(lambda: KnowledgeIndex.from_path(folder))
        queries = generated_queries(index, args.queries, words)
        cache = Path(temporary) / "cache"
        _, filling = timed(lambda: KnowledgeIndex.from_path(folder, cache_dir=cache))
        _, cached = timed(lambda: KnowledgeIndex.from_path(folder, cache_dir=cache))
        report: dict[str, Any] = {
            "machine": {"cpus": os.cpu_count(), "load_average_1m_at_start": round(load_at_start[0], 2)},
            "bundled": {
                "entries": len(bundled.entries),
                "build": bundled_build,
                "queries": measure_queries(bundled, bundled_queries),
            },
            "generated": {
                "entries": len(entries),
                "distinct_words": distinct_words,
                "distinct_terms": index.term_count,
                "build": build,
                "cache_filling_build": filling,
                "cached_build": cached,
                "queries": measure_queries(index, queries),
                "updates": measure_updates(index, folder, words),
            },
        }
        del index
        gc.collect()
        report["generated"]["run_rss"] = run_rss_mb(folder)
        KnowledgeIndex.from_path(folder, cache_dir=cache)  # the files changed since: the cache again
        gc.collect()
        report["generated"]["run_rss_from_cache"] = run_rss_mb(folder, cache)
    report["machine"]["load_average_1m_at_end"] = round(os.getloadavg()[0], 2)
    report["goals"] = goals(report)
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
