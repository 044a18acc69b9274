"""The `supportbot` command: run, shell, faq ask/lint/gaps/feedback/learned/export, customers import/list/export,
report, db upgrade, doctor."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.error import URLError

from bot.config import BehaviourConfig, load_behaviour, load_default_behaviour
from bot.config_faq import FaqConfig
from bot.customers_cli import add_commands as add_customer_commands
from bot.faq_admin_cli import add_commands as add_faq_commands
from bot.settings import ConfigError, Settings

EXIT_CONFIG = 2
EXIT_UNAVAILABLE = 3  # a dependency (database, Slack) refused at start; a supervisor may retry


def _load_dotenv() -> None:
    """Read `.env` from the working directory if there is one (real environment variables win)."""
    try:
        from dotenv import load_dotenv
    except ImportError:  # pragma: no cover - a dependency, but never fatal
        return
    load_dotenv(Path.cwd() / ".env", override=False)


def _settings() -> Settings:
    _load_dotenv()
    return Settings.from_env()


def _behaviour(settings: Settings, *, demo_ok: bool) -> BehaviourConfig:
    """supportbot.toml; when allowed (the console, the FAQ tools) and there is no such file, the bundled
    example configuration — saying so when SUPPORTBOT_CONFIG named the file."""
    if settings.config_path.exists() or not demo_ok:
        return load_behaviour(settings.config_path)
    if settings.config_path_given:
        print(
            f"{settings.config_path} (SUPPORTBOT_CONFIG) does not exist: using the example configuration "
            "(supportbot.example.toml) until you create it.",
            file=sys.stderr,
        )
    return load_default_behaviour()


def _settings_and_behaviour() -> tuple[Settings, BehaviourConfig]:
    """For data tools: the environment, and supportbot.toml (the demo configuration if there is none)."""
    settings = _settings()
    return settings, _behaviour(settings, demo_ok=True)


# --- run / shell ---------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings()
    from bot.logs import configure_logging

    configure_logging(
        settings.log_level,
        settings.log_format,
        secrets=[s for s in (settings.slack_bot_token, settings.slack_signing_secret, settings.slack_app_token) if s],
    )
    if not settings.has_slack:
        print(
            "SLACK_BOT_TOKEN is not set, so supportbot starts the local console (no Slack needed).\n"
            "To connect to Slack: create the app from manifest.yml, copy .env.example to .env, set\n"
            "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode), copy\n"
            "supportbot.example.toml to supportbot.toml with your channel IDs, and run `make run` again.\n",
            file=sys.stderr,
        )
        return cmd_shell(args)
    settings.require_slack()
    config = _behaviour(settings, demo_ok=False)
    from slack_bolt.error import BoltError
    from sqlalchemy.exc import OperationalError

    from bot.migrate import upgrade_database
    from bot.runtime import Runtime

    try:
        upgrade_database(settings.database_url)
    except OperationalError as exc:
        location = settings.database_url.split("@")[-1]
        print(
            f"supportbot: cannot reach the database at {location}: {exc.orig}\n"
            "Check DATABASE_URL and that the server runs (`supportbot doctor` checks everything).",
            file=sys.stderr,
        )
        return EXIT_UNAVAILABLE
    try:
        runtime = Runtime(settings, config)
    except BoltError as exc:
        print(
            f"supportbot: Slack did not accept the app's credentials: {exc}\n"
            "Check SLACK_BOT_TOKEN (and SLACK_API_BASE_URL); `supportbot doctor` says what is wrong.",
            file=sys.stderr,
        )
        return EXIT_UNAVAILABLE
    except (URLError, TimeoutError, ConnectionError) as exc:
        print(
            f"supportbot: cannot reach Slack at {settings.slack_api_base_url}: {getattr(exc, 'reason', None) or exc}\n"
            "Check the network (a proxy, a firewall) and SLACK_API_BASE_URL; `supportbot doctor` checks everything.",
            file=sys.stderr,
        )
        return EXIT_UNAVAILABLE
    if settings.socket_mode:
        runtime.serve_socket_mode(port=args.port)
    else:
        runtime.serve_http(port=args.port)
    return 0


def cmd_shell(args: argparse.Namespace) -> int:
    settings = _settings()
    config = _behaviour(settings, demo_ok=True)
    from bot.devtools.console import Console  # development tools: only when the console is asked for
    from bot.devtools.recording import Recorder
    from bot.logs import configure_logging

    # The console's own output is the conversation; logs only when something is wrong (or asked for).
    configure_logging("DEBUG" if settings.log_level == "DEBUG" else "WARNING", "text")

    lines: list[str] | None = getattr(args, "execute", None)
    record = getattr(args, "record", None)
    with Console(settings, config, record=Recorder(record) if record else None) as console:
        if lines:
            for line in lines:
                console.handle(line)
            return 0
        console.interact()
    return 0


# --- faq -----------------------------------------------------------------------------------


def _index_and_faq(args: argparse.Namespace) -> tuple[object, FaqConfig]:
    """The knowledge base to search (`--knowledge`, or the configured one) and the team's `[faq]` settings."""
    from knowledge import soft_terms
    from knowledge.search import KnowledgeIndex

    settings = _settings()
    config = _behaviour(settings, demo_ok=True)
    path = Path(args.knowledge) if args.knowledge else config.knowledge_path()
    soft_terms.configure(config.faq.soft_terms)
    index = KnowledgeIndex.from_path(path, dense=config.faq.dense, cache_dir=settings.faq_index_cache)
    index.wait_dense()  # one question or a file of them: rank as the bot does once warm
    return index, config.faq


def cmd_faq_ask(args: argparse.Namespace) -> int:
    from bot.faq_cli import ask
    from knowledge.search import KnowledgeIndex

    index, faq = _index_and_faq(args)
    assert isinstance(index, KnowledgeIndex)
    # Words on the command line are one question (`faq ask 返金 して ほしい`); stdin has one a line.
    questions = [" ".join(args.question)] if args.question else [line.rstrip("\n") for line in sys.stdin]
    ask(
        index,
        questions,
        answer_threshold=faq.answer_threshold,
        suggest_threshold=faq.suggest_threshold,
        limit=faq.max_suggestions,
        as_json=args.json or not args.question,
        explain=args.explain,
        answer_confidence=faq.answer_confidence,
        offer_others_below=faq.offer_others_below,
    )
    return 0


def cmd_faq_check(args: argparse.Namespace) -> int:
    from bot.faq_check_cli import check, read_questions
    from knowledge.search import KnowledgeIndex

    questions = read_questions(Path(args.questions))
    if questions is None:
        return 2
    index, faq = _index_and_faq(args)
    assert isinstance(index, KnowledgeIndex)
    return check(
        index,
        questions,
        faq.answer_threshold,
        faq.suggest_threshold,
        faq.max_suggestions,
        as_json=args.json,
        misses=args.misses,
        min_right=args.min_right,
        max_out_of_scope=args.max_out_of_scope,
        answer_confidence=faq.answer_confidence,
        offer_others_below=faq.offer_others_below,
    )


def cmd_faq_lint(args: argparse.Namespace) -> int:
    from knowledge.lint import lint_path

    if args.path:
        path = Path(args.path)
    else:
        settings = _settings()
        path = _behaviour(settings, demo_ok=True).knowledge_path()
    try:
        findings = lint_path(path)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    errors = [f for f in findings if f.level == "error"]
    for finding in findings:
        print(finding)
    print(f"{path}: {len(errors)} error(s), {len(findings) - len(errors)} warning(s)")
    return 1 if errors else 0


# --- db ------------------------------------------------------------------------------------


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from bot.migrate import upgrade_database

    settings = _settings()
    upgrade_database(settings.database_url)
    print(f"database is up to date ({settings.database_url.split('@')[-1]})")
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from bot.doctor import run_doctor

    return run_doctor(_settings())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="supportbot", description="Slack bot for first-line customer support")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="start the bot (the local console when no Slack token is set)")
    run.add_argument(
        "--port",
        type=int,
        default=None,
        help="HTTP port; in Socket Mode for /healthz and /readyz (default: $PORT or 3000)",
    )
    run.set_defaults(func=cmd_run)

    shell = sub.add_parser("shell", help="the local console: talk to the bot without Slack")
    shell.add_argument("-e", "--execute", action="append", metavar="LINE", help="run this line and exit (repeatable)")
    shell.add_argument(
        "--record", metavar="FILE", help="append the Slack traffic to FILE for the conformance checker (JSON lines)"
    )
    shell.set_defaults(func=cmd_shell)

    faq = sub.add_parser("faq", help="knowledge base tools").add_subparsers(dest="faq_command", required=True)
    ask = faq.add_parser("ask", help="ask the knowledge base; questions from stdin when none given")
    ask.add_argument("question", nargs="*", help="the question (its words, quoted or not)")
    ask.add_argument("--json", action="store_true", help="one JSON object per question")
    ask.add_argument("--explain", action="store_true", help="which words matched which field, and why the decision")
    ask.add_argument("--knowledge", metavar="PATH", help="a Markdown file or folder to search instead")
    ask.set_defaults(func=cmd_faq_ask)
    check = faq.add_parser("check", help="measure the bot on your own labelled questions (.jsonl, .csv or .tsv)")
    check.add_argument(
        "questions",
        help='a .jsonl file ({"q": question, "expected": heading or null}), or .csv/.tsv: question, heading',
    )
    check.add_argument("--json", action="store_true", help="one JSON object: the figures and the threshold sweep")
    check.add_argument("--misses", action="store_true", help="list every question the bot got wrong or missed")
    check.add_argument("--knowledge", metavar="PATH", help="a Markdown file or folder to search instead")
    check.add_argument("--min-right", type=float, metavar="R", help="exit 1 when fewer are answered right (CI)")
    check.add_argument("--max-out-of-scope", type=float, metavar="O", help="exit 1 when more out of scope are answered")
    check.set_defaults(func=cmd_faq_check)
    lint = faq.add_parser("lint", help="check the knowledge base for placeholders, duplicates, empty answers")
    lint.add_argument("path", nargs="?", help="file or folder (default: the configured knowledge base)")
    lint.set_defaults(func=cmd_faq_lint)
    add_faq_commands(faq, load=_settings_and_behaviour)  # gaps, feedback, learned, export

    add_customer_commands(sub, load=_settings_and_behaviour)

    from bot.reports.cli import add_parser as add_report_parser

    add_report_parser(sub, _settings_and_behaviour)

    db = sub.add_parser("db", help="database tools").add_subparsers(dest="db_command", required=True)
    upgrade = db.add_parser("upgrade", help="apply database migrations")
    upgrade.set_defaults(func=cmd_db_upgrade)

    doctor = sub.add_parser("doctor", help="check configuration, database, knowledge base and Slack setup")
    doctor.set_defaults(func=cmd_doctor)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ConfigError as exc:
        print(f"supportbot: configuration error\n{exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
