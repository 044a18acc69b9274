"""`supportbot faq gaps|feedback|questions|learned|export`: what the FAQ could not answer, what did not
help, the questions asked (for `faq check`), and what the team taught it in Slack — listed, taken
back, or written into the Markdown files for review.

Times are shown in the desk's time zone ([business_hours] timezone).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.config import BehaviourConfig
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.faq_teaching import Learned
    from bot.services import Services

Load = Callable[[], tuple[Settings, BehaviourConfig]]
EXIT_REFUSED = 1


@contextmanager
def _services(load: Load) -> Iterator[Services]:
    from bot.migrate import upgrade_database
    from bot.services import build_services

    settings, config = load()
    upgrade_database(settings.database_url)
    services = build_services(settings, config)
    try:
        yield services
    finally:
        services.close()


def _local(moment: datetime, config: BehaviourConfig) -> str:
    return f"{moment.astimezone(ZoneInfo(config.business_hours.timezone)):%Y-%m-%d %H:%M}"


def _print_json(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        print(json.dumps(row, ensure_ascii=False))


def cmd_gaps(args: argparse.Namespace, *, load: Load) -> int:
    with _services(load) as services:
        since = timedelta(days=args.days) if args.days else None
        gaps = services.faq.gaps(limit=args.limit, since=since)
        config = services.config
    if args.json:
        _print_json([{**vars(gap), "last_asked": gap.last_asked.isoformat()} for gap in gaps])
        return 0
    if not gaps:
        print("No unanswered questions recorded yet.")
        return 0
    print(f"{'count':>5}  {'last asked (' + config.business_hours.timezone + ')':<22}  question")
    for gap in gaps:
        print(f"{gap.count:>5}  {_local(gap.last_asked, config):<22}  {gap.text}")
    return 0


def cmd_feedback(args: argparse.Namespace, *, load: Load) -> int:
    """The answers most often marked 「解決しない」 or passed over for a candidate offered under them
    (the asker picked another entry: the answer was likely wrong): the entries to rewrite first."""
    with _services(load) as services:
        rows = services.faq.most_unresolved(args.limit)
        misses = services.faq.misses()
        index = services.index
    found = []
    for row in rows:
        entry = index.get(row.entry_id)
        question = entry.question if entry else f"{row.entry_id} (no longer in the files)"
        found.append({"question": question, **vars(row)})
    if args.json:
        _print_json(found)
        return 0
    if not found:
        print("No answer has been marked 「解決しない」 or passed over yet.")
    else:
        print(f"{'not solved':>10}  {'passed over':>11}  {'solved':>6}  entry")
        for line in found:
            print(f"{line['not_solved']:>10}  {line['passed_over']:>11}  {line['solved']:>6}  {line['question']}")
    print(f"「どれも違う」 under もしかして: {misses} question(s)")
    return 0


def cmd_learned_list(args: argparse.Namespace, *, load: Load) -> int:
    with _services(load) as services:
        learned = services.teaching.learned(everything=args.all)
        rows = _learned_rows(learned, services)
    if args.json:
        _print_json(rows)
        return 0
    if not rows:
        print("Nothing taught in Slack yet.")
        return 0
    print(f"{'id':<6} {'status':<10} {'exported':<8} {'by':<12} {'when':<16}  what")
    for row in rows:
        exported = "yes" if row["exported"] else "-"
        print(f"{row['id']:<6} {row['status']:<10} {exported:<8} {row['by']:<12} {row['when']:<16}  {row['what']}")
    return 0


def _learned_rows(learned: Learned, services: Services) -> list[dict[str, Any]]:
    config, index = services.config, services.index
    rows = []
    for phrasing in learned.phrasings:
        entry = index.get(phrasing.entry_id)
        rows.append(
            {
                "id": f"p{phrasing.id}",
                "status": phrasing.status,
                "what": f"「{phrasing.text}」 → {entry.question if entry else phrasing.entry_id}",
                "entry_id": phrasing.entry_id,
                "by": phrasing.learned_by or phrasing.created_by,
                "when": _local(phrasing.learned_at or phrasing.created_at, config),
                "from": f"{phrasing.channel}/{phrasing.message_ts}" if phrasing.message_ts else None,
                "exported": phrasing.exported_at is not None,
            }
        )
    for draft in learned.drafts:
        rows.append(
            {
                "id": f"e{draft.id}",
                "status": draft.status,
                "what": f"new entry 「{draft.question}」 [{draft.category or '-'}]",
                "entry_id": draft.entry_id,
                "by": draft.reviewed_by or draft.created_by,
                "when": _local(draft.reviewed_at or draft.created_at, config),
                "from": f"{draft.channel}/{draft.message_ts}" if draft.message_ts else None,
                "exported": draft.exported_at is not None,
            }
        )
    return rows


def cmd_learned_remove(args: argparse.Namespace, *, load: Load) -> int:
    from bot.errors import UserFacingError

    with _services(load) as services:
        try:
            what = services.teaching.remove(args.id, args.by, check_agent=False)
        except UserFacingError as exc:
            print(f"supportbot: {exc.render('en')}", file=sys.stderr)
            return EXIT_REFUSED
    print(f"removed {args.id}: {what} (every replica stops using it within its next sync)")
    return 0


def cmd_export(args: argparse.Namespace, *, load: Load) -> int:
    from bot.faq_export import export_taught

    with _services(load) as services:
        knowledge = services.config.knowledge_path()
        out = Path(args.out) if args.out else None
        report = export_taught(services.db, services.clock, knowledge, out, again=args.again)
    where = out or (knowledge if knowledge.is_dir() else knowledge.parent)
    for source, count in sorted(report.phrasings.items()):
        print(f"{where / source}: {count} 言い換え added")
    for source, count in sorted(report.entries.items()):
        print(f"{where / source}: {count} new entr{'y' if count == 1 else 'ies'} added")
    if report.already:
        print(f"{report.already} learned phrasing(s) were in the files already")
    for entry_id in sorted(set(report.orphans)):
        print(f"kept for later: phrasings of entry {entry_id}, which is in no file now", file=sys.stderr)
    if not report.written:
        print("Nothing new to export.")
    else:
        print("Review the changes (git diff), run `supportbot faq lint`, and commit them.")
    return 0


QUESTION_COLUMNS = ("question", "heading", "bot", "evidence", "asked", "last_asked")


def cmd_questions(args: argparse.Namespace, *, load: Load) -> int:
    """The questions asked in Slack as a check file (`faq check`): labelled where Slack says, "?" elsewhere."""
    from bot.faq_questions import asked_questions
    from knowledge.evaluation import UNLABELLED

    with _services(load) as services:
        rows = asked_questions(services.db, services.index, services.clock.now() - timedelta(days=args.days))
        config = services.config
    with contextlib.ExitStack() as files:
        out = (
            files.enter_context(Path(args.out).open("w", encoding="utf-8-sig", newline="")) if args.out else sys.stdout
        )
        writer = csv.writer(out)
        writer.writerow(QUESTION_COLUMNS)
        for row in rows:
            last = row["last_asked"]
            writer.writerow([*(row[c] for c in QUESTION_COLUMNS[:-1]), _local(last, config) if last else ""])
    to_label = sum(row["heading"] == UNLABELLED for row in rows)
    print(
        f"{len(rows)} questions, {len(rows) - to_label} labelled from Slack, {to_label} to label (“{UNLABELLED}”: "
        "write the heading that answers it, or leave the cell empty when the FAQ does not cover it)",
        file=sys.stderr,
    )
    return 0


def add_commands(faq: Any, *, load: Load) -> None:
    """The commands, under `supportbot faq`'s subparsers."""
    gaps = faq.add_parser("gaps", help="the most frequent questions the bot could not answer (chit-chat left out)")
    gaps.add_argument("--limit", type=int, default=20)
    gaps.add_argument("--days", type=int, default=None, help="only the last N days")
    gaps.add_argument("--json", action="store_true")
    gaps.set_defaults(func=lambda args: cmd_gaps(args, load=load))

    feedback = faq.add_parser(
        "feedback",
        help="the answers most often marked 「解決しない」 or passed over for a candidate offered under them",
    )
    feedback.add_argument("--limit", type=int, default=20)
    feedback.add_argument("--json", action="store_true")
    feedback.set_defaults(func=lambda args: cmd_feedback(args, load=load))

    questions = faq.add_parser("questions", help="the questions asked in Slack, as a CSV for `faq check`")
    questions.add_argument("--days", type=int, default=30, help="the last N days (default: 30)")
    questions.add_argument("--out", metavar="FILE", help="write the CSV here (UTF-8 with a BOM, for Excel)")
    questions.set_defaults(func=lambda args: cmd_questions(args, load=load))

    learned = faq.add_parser("learned", help="what was taught in Slack").add_subparsers(
        dest="learned_command", required=True
    )
    listing = learned.add_parser("list", help="candidates, learned phrasings, drafts and entries written in Slack")
    listing.add_argument("--all", action="store_true", help="removed and discarded ones too")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=lambda args: cmd_learned_list(args, load=load))
    remove = learned.add_parser("remove", help="take back a phrasing (p12) or an entry written in Slack (e3)")
    remove.add_argument("id", help="as `faq learned list` shows it, e.g. p12 or e3")
    remove.add_argument("--by", default="cli", help="who removes it, for the record (default: cli)")
    remove.set_defaults(func=lambda args: cmd_learned_remove(args, load=load))

    export = faq.add_parser("export", help="write what was taught into the Markdown files, for review and commit")
    export.add_argument("--out", metavar="DIR", help="write the knowledge files here (default: the knowledge folder)")
    export.add_argument("--again", action="store_true", help="also rows exported before, where the files lack them")
    export.set_defaults(func=lambda args: cmd_export(args, load=load))
