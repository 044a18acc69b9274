"""`/oncall`: who is on call now and next; agents put someone else on call or clear it."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App, Respond

from bot.errors import UserFacingError
from bot.i18n import t
from bot.oncall import OnCall
from bot.services import Services
from bot.slack.mrkdwn import escape_text, mention
from bot.slack.times import format_due

_SET = re.compile(r"^set\s+<@(?P<user>[UW][A-Z0-9]+)(?:\|[^>]*)?>\s*(?:until\s+(?P<until>.+))?$", re.IGNORECASE)


def register(app: App, services: Services) -> None:
    config = services.config
    language = config.language
    display_tz = config.business_hours.timezone

    def when(moment: datetime) -> str:
        return format_due(moment, display_tz, language)

    def describe(on_call: OnCall) -> str:
        if not on_call.primary:
            return t("oncall.nobody", language)
        text = mention(on_call.primary)
        if on_call.secondary:
            text += t("oncall.secondary", language, who=mention(on_call.secondary))
        return text

    def status() -> str:
        now_on = services.oncall.at()
        if now_on.source == "nobody":
            return t("oncall.nobody", language)
        until = t("oncall.until", language, until=when(now_on.until)) if now_on.until else ""
        lines = [t("oncall.now", language, who=describe(now_on), until=until)]
        if now_on.source == "override" and now_on.override_by:
            lines[0] += t("oncall.override", language, by=mention(now_on.override_by))
        upcoming = services.oncall.next()
        if upcoming.source == "rotation" and upcoming.since:
            lines.append(t("oncall.next", language, who=describe(upcoming), start=when(upcoming.since)))
        return "\n".join(lines)

    def parse_until(text: str) -> datetime:
        try:
            local = datetime.strptime(text.strip(), "%Y-%m-%d %H:%M")
        except ValueError:
            raise UserFacingError("oncall.error.until") from None
        return local.replace(tzinfo=ZoneInfo(config.oncall.timezone))

    def change(verb: str, user: str, target: str | None, until: datetime | None) -> str:
        """Set or clear an override; what to tell the person. Refusals go to handlers/errors.py."""
        if verb == "clear":
            count = services.oncall.clear_override(user)
            return t("oncall.cleared", language, count=count) + "\n" + status()
        assert target is not None
        override = services.oncall.set_override(target, until, user)
        assert override.ends_at is not None
        return t("oncall.set", language, who=mention(override.user_id), until=when(override.ends_at))

    @app.command("/oncall")
    def oncall_command(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        text = (command.get("text") or "").strip()
        user = command["user_id"]
        verb = text.split(None, 1)[0].lower() if text else ""
        if verb in ("", "show", "now"):
            ack(text=status())
            return
        if verb not in ("set", "clear"):
            ack(text=t("oncall.usage", language))
            return
        target = until = None
        if verb == "set":
            match = _SET.match(text)
            if not match:
                ack(text=t("oncall.error.user", language))
                return
            target = match.group("user")
            try:
                until = parse_until(match.group("until")) if match.group("until") else None
            except UserFacingError as error:
                ack(text=error.render(language, quote=escape_text))
                return
        ack()
        respond(text=change(verb, user, target, until), response_type="ephemeral")
