"""`supportbot report`: the figures (text or JSON), the per-case export (CSV or JSON) and the chart.

supportbot report [--period 7d|30d|this-month|YYYY-MM | --since DATE [--until DATE]] [--json]
supportbot report cases --since DATE [--until DATE] [--format csv|json] [--out FILE]
supportbot report chart --out FILE.png [--period … | --since … --until …]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from bot.config import BehaviourConfig
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.reports.service import Reports

EXIT_USAGE = 2
Loader = Callable[[], tuple[Settings, BehaviourConfig]]


def entry_questions(config: BehaviourConfig) -> dict[str, str]:
    """entry id → question, so reports can name FAQ entries (parsing only; the search index is not built)."""
    from knowledge.loader import load_entries

    try:
        return {entry.id: entry.question for entry in load_entries(config.knowledge_path())}
    except (FileNotFoundError, OSError):
        return {}


def open_reports(settings: Settings, config: BehaviourConfig) -> Reports:
    from bot.clock import SystemClock
    from bot.database import Database
    from bot.migrate import upgrade_database
    from bot.reports.rules import ReportRules
    from bot.reports.service import Reports

    upgrade_database(settings.database_url)
    db = Database(settings.database_url)
    return Reports(db, SystemClock(), ReportRules.from_config(config), entry_questions=entry_questions(config))


def _period(reports: Reports, args: argparse.Namespace) -> Any:
    return reports.period(getattr(args, "period", None), since=args.since, until=args.until)


def cmd_report(args: argparse.Namespace, load: Loader) -> int:
    from bot.reports.text import render_text

    settings, config = load()
    reports = open_reports(settings, config)
    report = reports.figures(_period(reports, args))
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print(render_text(report, args.language or config.language), end="")
    return 0


def cmd_cases(args: argparse.Namespace, load: Loader) -> int:
    from bot.reports.export import write_csv, write_json

    settings, config = load()
    reports = open_reports(settings, config)
    period = _period(reports, args)
    write = write_csv if args.format == "csv" else write_json
    with ExitStack() as stack:
        out: IO[str] = sys.stdout
        if args.out:
            # newline="" keeps the CSV's \r\n line ends as they are (the csv module's advice)
            out = stack.enter_context(Path(args.out).open("w", encoding="utf-8", newline=""))
        count = write(reports.case_rows(period), out, config.business_hours.timezone)
    if args.out:
        print(f"{count} case(s) written to {args.out}", file=sys.stderr)
    return 0


def cmd_chart(args: argparse.Namespace, load: Loader) -> int:
    from bot.reports.chart import render_chart
    from bot.reports.periods import PeriodError
    from bot.reports.service import MAX_DAILY_DAYS

    settings, config = load()
    reports = open_reports(settings, config)
    period = _period(reports, args)
    if len(period.days()) > MAX_DAILY_DAYS:
        raise PeriodError(f"the chart shows at most {MAX_DAILY_DAYS} days; choose a shorter period")
    report = reports.figures(period)
    chart = render_chart(report, args.language or config.language)
    Path(args.out).write_bytes(chart.png)
    Path(args.out).with_suffix(".txt").write_text(chart.alt_text + "\n", encoding="utf-8")
    print(f"chart written to {args.out} (alt text: {Path(args.out).with_suffix('.txt')})", file=sys.stderr)
    return 0


def _period_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--period", help="7d (default), 30d, today, this-week, last-week, this-month or YYYY-MM")
    parser.add_argument("--since", metavar="DATE", help="first day (YYYY-MM-DD, in [business_hours] timezone)")
    parser.add_argument("--until", metavar="DATE", help="last day included (default: today)")


def add_parser(sub: Any, load: Loader) -> None:
    """Add `report` and its subcommands to the `supportbot` parser; `load` reads settings and config."""

    def run(command: Callable[[argparse.Namespace, Loader], int]) -> Callable[[argparse.Namespace], int]:
        def wrapped(args: argparse.Namespace) -> int:
            from bot.reports.periods import PeriodError

            try:
                return command(args, load)
            except PeriodError as exc:
                print(f"supportbot report: {exc}", file=sys.stderr)
                return EXIT_USAGE

        return wrapped

    report = sub.add_parser("report", help="support figures: cases, first response, FAQ (text, JSON, CSV, chart)")
    _period_options(report)
    report.add_argument("--json", action="store_true", help="one JSON object: period, cases, first_response, faq")
    report.add_argument("--language", choices=("ja", "en"), help="default: the configured language")
    report.set_defaults(func=run(cmd_report))
    commands = report.add_subparsers(dest="report_command")

    cases = commands.add_parser("cases", help="one row per case opened in the period (CSV for Excel, or JSON)")
    _period_options(cases)
    cases.add_argument("--format", choices=("csv", "json"), default="csv")
    cases.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    cases.set_defaults(func=run(cmd_cases))

    chart = commands.add_parser("chart", help="the digest's chart as PNG (alt text next to it as .txt)")
    _period_options(chart)
    chart.add_argument("--out", metavar="FILE.png", required=True)
    chart.add_argument("--language", choices=("ja", "en"), help="default: the configured language")
    chart.set_defaults(func=run(cmd_chart))
