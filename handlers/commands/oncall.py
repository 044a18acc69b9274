"""`/oncall`: who is on call now and next; agents put someone else on call for a while, or clear it.

The end is read by bot/oncall_until.py (`until +8h`, `until 18:00`, `until 月曜 10:00`, …); the change is
told to the person now on call and in the emergency channel (bot/oncall.py, through the outbox).
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot.clock import Clock
from bot.errors import UserFacingError
from bot.i18n import t
from bot.identifiers import USER_ID
from bot.oncall import OnCall, OncallService
from bot.oncall_until import parse_until
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
    _set(ack, text, command["user_id"], respond, oncall, desk, context["clock"])


def _set(ack: Ack, text: str, user: str, respond: Respond, oncall: OncallService, desk: Desk, clock: Clock) -> None:
    """`/oncall set @someone [until …]`: a mistake is answered in the ack, nothing changes."""
    match = _SET.match(text)
    if not match:
        ack(text=t("oncall.error.user", desk.language))
        return
    try:
        end = match.group("until")
        until = parse_until(end, clock.now(), desk.oncall_timezone) if end else None
    except UserFacingError as error:
        ack(text=error.render(desk.language, quote=escape_text))
        return
    ack()
    override = oncall.set_override(match.group("user"), until, user)
    assert override.ends_at is not None
    who, ends = mention(override.user_id), desk.when(override.ends_at)
    respond(text=t("oncall.set", desk.language, who=who, until=ends), response_type="ephemeral")


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
