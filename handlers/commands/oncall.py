"""`/oncall`: who is on call now and next; agents put someone else on call for a while, or clear it."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack, BoltContext, Respond

from bot.errors import UserFacingError
from bot.i18n import t
from bot.identifiers import USER_ID
from bot.oncall import OnCall, OncallService
from bot.slack.desk import Desk
from bot.slack.mrkdwn import escape_text, mention

_SET = re.compile(rf"^set\s+<@(?P<user>{USER_ID.pattern})(?:\|[^>]*)?>\s*(?:until\s+(?P<until>.+))?$", re.IGNORECASE)


def on_oncall_command(ack: Ack, command: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    desk: Desk = context["desk"]
    oncall: OncallService = context["oncall"]
    text = (command.get("text") or "").strip()
    verb = text.split(None, 1)[0].lower() if text else ""
    if verb in ("", "show", "now"):
        ack(text=status(oncall, desk))
        return
    if verb == "clear":
        ack()
        count = oncall.clear_override(command["user_id"])  # refusals go to handlers/errors.py
        respond(
            text=t("oncall.cleared", desk.language, count=count) + "\n" + status(oncall, desk),
            response_type="ephemeral",
        )
        return
    if verb != "set":
        ack(text=t("oncall.usage", desk.language))
        return
    _set(ack, text, command["user_id"], respond, oncall, desk)


def _set(ack: Ack, text: str, user: str, respond: Respond, oncall: OncallService, desk: Desk) -> None:
    """`/oncall set @someone [until YYYY-MM-DD HH:MM]`: a mistake is answered in the ack, nothing changes."""
    match = _SET.match(text)
    if not match:
        ack(text=t("oncall.error.user", desk.language))
        return
    try:
        until = parse_until(match.group("until"), desk.oncall_timezone) if match.group("until") else None
    except UserFacingError as error:
        ack(text=error.render(desk.language, quote=escape_text))
        return
    ack()
    override = oncall.set_override(match.group("user"), until, user)
    assert override.ends_at is not None
    who, ends = mention(override.user_id), desk.when(override.ends_at)
    respond(text=t("oncall.set", desk.language, who=who, until=ends), response_type="ephemeral")


def parse_until(text: str, timezone: str) -> datetime:
    try:
        local = datetime.strptime(text.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise UserFacingError("oncall.error.until") from None
    return local.replace(tzinfo=ZoneInfo(timezone))


def describe(on_call: OnCall, desk: Desk) -> str:
    if not on_call.primary:
        return t("oncall.nobody", desk.language)
    text = mention(on_call.primary)
    if on_call.secondary:
        text += t("oncall.secondary", desk.language, who=mention(on_call.secondary))
    return text


def status(oncall: OncallService, desk: Desk) -> str:
    """Who is on call now (and since when, and who put them there), and who is next."""
    language, now_on = desk.language, oncall.at()
    if now_on.source == "nobody":
        return t("oncall.nobody", language)
    until = t("oncall.until", language, until=desk.when(now_on.until)) if now_on.until else ""
    lines = [t("oncall.now", language, who=describe(now_on, desk), until=until)]
    if now_on.source == "override" and now_on.override_by:
        lines[0] += t("oncall.override", language, by=mention(now_on.override_by))
    upcoming = oncall.next()
    if upcoming.source == "rotation" and upcoming.since:
        lines.append(t("oncall.next", language, who=describe(upcoming, desk), start=desk.when(upcoming.since)))
    return "\n".join(lines)
