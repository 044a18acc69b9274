"""`supportbot customers import|list|export`: the customer directory from the command line."""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import BehaviourConfig
from bot.settings import Settings

# The database, calendar and plan modules load when a command runs, so `supportbot --help` stays quick.
if TYPE_CHECKING:
    from bot.customer_import import ImportReport
    from bot.customers import CustomerDirectory, CustomerRecord
    from bot.plans import PlanCatalog

Load = Callable[[], tuple[Settings, BehaviourConfig]]
EXIT_REJECTED = 1


@contextmanager
def _directory(settings: Settings) -> Iterator[CustomerDirectory]:
    from bot.clock import SystemClock
    from bot.customers import CustomerDirectory
    from bot.database import Database
    from bot.migrate import upgrade_database

    upgrade_database(settings.database_url)
    db = Database(settings.database_url)
    try:
        yield CustomerDirectory(db, SystemClock())
    finally:
        db.dispose()


def cmd_import(args: argparse.Namespace, *, load: Load) -> int:
    from bot.customer_files import CustomerFileError, read_customer_file
    from bot.customer_import import import_customers
    from bot.plans import PlanCatalog

    settings, config = load()
    path = Path(args.file)
    try:
        rows = read_customer_file(path, args.format)
    except CustomerFileError as exc:
        print(f"supportbot: {exc}", file=sys.stderr)
        return EXIT_REJECTED
    with _directory(settings) as directory:
        report = import_customers(directory, rows, PlanCatalog.from_config(config).ids, partial=args.partial)
    _print_report(path, report)
    return EXIT_REJECTED if report.rejected else 0


def _print_report(path: Path, report: ImportReport) -> None:
    counts = [f"{len(report.of(change))} {change}" for change in ("added", "changed", "unchanged")]
    print(f"{path}: {', '.join(counts)}, {len(report.rejected)} rejected")
    for outcome in report.outcomes:
        if outcome.change != "unchanged":
            detail = f" ({', '.join(outcome.changed_fields)})" if outcome.changed_fields else ""
            print(f"  {outcome.change:<9} {outcome.location}: {outcome.customer_id}{detail}")
    for rejection in report.rejected:
        who = rejection.customer_id or "(no id)"
        for reason in rejection.reasons:
            print(f"  rejected  {rejection.location}: {who}: {reason}")
    if report.rejected and not report.applied:
        print("Nothing was changed. Fix the rejected lines and import again (or use --partial for the others).")
    elif report.rejected and report.outcomes:
        print("The other lines were imported (--partial); the rejected ones were left out.")
    elif report.rejected:
        print("No line could be imported.")


def cmd_list(args: argparse.Namespace, *, load: Load) -> int:
    from bot.clock import SystemClock
    from bot.i18n import t
    from bot.plans import PlanCatalog

    settings, config = load()
    catalog = PlanCatalog.from_config(config)
    with _directory(settings) as directory:
        customers = directory.all()
    now = SystemClock().now()
    if args.json:
        for customer in customers:
            plan = catalog.plan_for(customer)
            entry = {
                "id": customer.id,
                "name": customer.name,
                "plan": customer.plan,
                "plan_in_effect": plan.id,
                "channels": list(customer.channels),
                "contract_end": customer.contract_end.isoformat() if customer.contract_end else None,
                "contract_ended": plan.contract_ended(customer.contract_end, now),
                "notes": customer.notes,
                "updated_at": customer.updated_at.isoformat(),
            }
            print(json.dumps(entry, ensure_ascii=False))
        return 0
    if not customers:
        print("No customers yet. Import them with `supportbot customers import customers.csv`.")
        return 0
    ended = t("plan.flag.contract_ended", config.language)
    table: list[tuple[str, ...]] = [("id", "name", "plan", "channels", "contract_end")]
    for customer in customers:
        plan = catalog.plan_for(customer)
        contract = customer.contract_end.isoformat() if customer.contract_end else ""
        if plan.contract_ended(customer.contract_end, now):
            contract += f" ({ended})"
        table.append((customer.id, customer.name, _plan_cell(customer, catalog), " ".join(customer.channels), contract))
    _print_table(table)
    return 0


def _plan_cell(customer: CustomerRecord, catalog: PlanCatalog) -> str:
    if not customer.plan:
        return f"({catalog.default.id})"
    return customer.plan if customer.plan in catalog else f"{customer.plan} (not configured)"


def _print_table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [cell + " " * (width - _width(cell)) for cell, width in zip(row, widths, strict=True)]
        print("  ".join(cells).rstrip())


def _width(text: str) -> int:
    """Columns a terminal gives the text: two for full-width (Japanese) characters."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def cmd_export(args: argparse.Namespace, *, load: Load) -> int:
    from bot.customer_files import format_of, write_csv, write_toml

    settings, _config = load()
    file_format = args.format or (format_of(Path(args.output)) if args.output else "csv")
    with _directory(settings) as directory:
        customers = directory.all()
    text = write_csv(customers) if file_format == "csv" else write_toml(customers)
    # CSV starts with a BOM so that Excel reads the Japanese as UTF-8; import accepts either.
    data = text.encode("utf-8-sig" if file_format == "csv" else "utf-8")
    if args.output:
        Path(args.output).write_bytes(data)
        print(f"wrote {len(customers)} customer(s) to {args.output}", file=sys.stderr)
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    return 0


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser], *, load: Load) -> None:
    """Register `customers import|list|export`; `load` reads the settings and supportbot.toml."""
    customers = sub.add_parser("customers", help="the customer directory: import, list, export")
    commands = customers.add_subparsers(dest="customers_command", required=True)
    importer = commands.add_parser("import", help="add or update customers from a CSV or TOML file")
    importer.add_argument("file", help="CSV (id,name,plan,channels,contract_end,notes) or .toml")
    importer.add_argument("--format", choices=("csv", "toml"), help="default: from the file name")
    importer.add_argument("--partial", action="store_true", help="import the good lines even if some are rejected")
    importer.set_defaults(func=partial(cmd_import, load=load))
    lister = commands.add_parser("list", help="the customers, their plans, channels and contract ends")
    lister.add_argument("--json", action="store_true", help="one JSON object per customer")
    lister.set_defaults(func=partial(cmd_list, load=load))
    exporter = commands.add_parser("export", help="write the customers in the import format")
    exporter.add_argument("--format", choices=("csv", "toml"), help="default: csv, or from --output's name")
    exporter.add_argument("--output", "-o", metavar="FILE", help="default: standard output")
    exporter.set_defaults(func=partial(cmd_export, load=load))
