"""The local console: talk to the real bot without a Slack workspace.

Like Hubot's shell adapter: each typed line becomes a signed Slack payload (a message event, a
slash command, a button click) dispatched into the real Bolt app; the Web API calls the app makes
go to the fake Slack on loopback and are printed as text.
"""

from __future__ import annotations

import json
import re
import shlex
import sys
import tempfile
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TextIO

from slack_bolt.request import BoltRequest

from bot.clock import ManualClock
from bot.config import BehaviourConfig, Settings
from bot.database import Database
from bot.devtools.console_output import Transcript
from bot.devtools.fake_slack import FROM_ENV, FakeSlack
from bot.devtools.recording import Recorder
from bot.devtools.render_text import Button, TextRenderer
from bot.devtools.signing import (
    block_actions_payload,
    event_body,
    interactivity_body,
    signed_headers,
    slash_command_body,
)
from bot.durations import parse_duration
from bot.migrate import upgrade_database
from bot.runtime import Runtime

CONSOLE_SECRET = "console-signing-secret"
CONSOLE_TOKEN = "xoxb-console"
DEFAULT_CHANNEL = "C0GENERAL"
DEFAULT_USER = "U0CONSOLE"

HELP = """\
Type a question to ask it in the current channel, or:
  @bot <text>          mention the bot (answers even chit-chat)
  /faq <question>      private FAQ search
  /case …              support cases: /case 高 件名, /case list, /case ack 1, /case help
  /oncall …            who is on call; /oncall set @oncall2, /oncall clear
  /as U123             act as another user          /in C123   switch channel
  click N              press button [N] from the output
  submit k=v ...       fill in and submit the open form, e.g. submit title="ログインできない" priority=高
  /clock +2h           move the clock forward and run the scheduled jobs
  /sweep               run the scheduled jobs now
  /whoami              current user, channel and time
  /help                this text                     /quit      leave
"""


class Console:
    def __init__(
        self,
        settings: Settings,
        config: BehaviourConfig,
        *,
        out: TextIO | None = None,
        start: datetime | None = None,
        record: Recorder | None = None,
    ) -> None:
        """`record`: where to write the Slack traffic for the conformance checker (default:
        SUPPORTBOT_SLACK_RECORD, see bot.devtools.recording)."""
        self.out = out or sys.stdout
        self.config = config
        users = {uid: {"real_name": name} for uid, name in self._people(config).items()}
        groups = [*config.agents.usergroups, config.escalation.cs_lead, config.escalation.engineers]
        groups.append(config.oncall.fallback_group)
        usergroups: dict[str, list[str]] = {g: [] for g in groups if g and g.startswith("S")}
        self.fake = FakeSlack(users=users, usergroups=usergroups, record=record or FROM_ENV).start()
        self.clock = ManualClock(start or datetime.now(UTC))
        # Slack's message timestamps follow the console's clock, as they follow real time in Slack.
        self.fake.ts_clock = lambda: self.clock.now().timestamp()
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        if not settings.database_url_given:
            # A fresh database per session keeps the demo repeatable (case #1 every time) and never
            # mixes console data into a real bot's database; DATABASE_URL keeps it instead.
            self._scratch = tempfile.TemporaryDirectory(prefix="supportbot-console-")
            settings = replace(settings, database_url=f"sqlite:///{self._scratch.name}/console.db")
        console_settings = replace(
            settings,
            slack_bot_token=CONSOLE_TOKEN,
            slack_signing_secret=CONSOLE_SECRET,
            slack_app_token=None,
            slack_api_base_url=self.fake.base_url,
        )
        upgrade_database(console_settings.database_url)
        self.runtime = Runtime(
            console_settings,
            config,
            clock=self.clock,
            db=Database(console_settings.database_url),
            process_before_response=True,
        )
        self.user = config.agents.users[0] if config.agents.users else DEFAULT_USER
        self.channel = config.channels.faq[0] if config.channels.faq else DEFAULT_CHANNEL
        self.renderer = TextRenderer(name_of=self._name_of)
        self.transcript = Transcript(self.say, self.renderer, self._name_of)
        self._seen = 0

    # --- lifecycle ------------------------------------------------------------------------

    def __enter__(self) -> Console:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.runtime.stop()
        self.fake.stop()
        if self._scratch is not None:
            self._scratch.cleanup()

    # --- naming -----------------------------------------------------------------------------

    @staticmethod
    def _people(config: BehaviourConfig) -> dict[str, str]:
        """Friendly names for the IDs in the configuration, so the output reads like Slack."""
        people: dict[str, str] = {DEFAULT_USER: "you"}

        def name(ids: list[str], label: str) -> None:
            for index, uid in enumerate(ids):
                people.setdefault(uid, f"{label}{index + 1}" if len(ids) > 1 else label)

        name(list(config.agents.users), "agent")
        name(list(config.oncall.rotation), "oncall")
        name(list(config.oncall.secondary), "secondary")
        for label in ("cs_lead", "engineers"):
            value = getattr(config.escalation, label)
            if value:
                people.setdefault(value, label.replace("_", "-"))
        if config.oncall.fallback_group:
            people.setdefault(config.oncall.fallback_group, "oncall-fallback")
        return people

    def _name_of(self, ident: str) -> str:
        channels = self.config.channels
        names = {channels.cases: "cases", channels.emergency: "emergency", DEFAULT_CHANNEL: "general"}
        names.update({c: "faq" if len(channels.faq) == 1 else f"faq{i + 1}" for i, c in enumerate(channels.faq)})
        names.update(self._people(self.config))
        return names.get(ident, ident)

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    # --- input ------------------------------------------------------------------------------

    def interact(self) -> None:
        self.say("supportbot local console — no Slack needed. Type /help for commands, /quit to leave.")
        self.say(f"You are @{self._name_of(self.user)} in #{self._name_of(self.channel)}.")
        while True:
            try:
                line = input(f"{self._name_of(self.user)}@#{self._name_of(self.channel)}> ")
            except (EOFError, KeyboardInterrupt):
                self.say()
                return
            if line.strip() in ("/quit", "/exit", "quit", "exit"):
                return
            self.handle(line)

    def handle(self, line: str) -> None:
        line = line.strip()
        if not line:
            return
        try:
            self._handle(line)
        except ValueError as exc:
            self.say(f"  ! {exc}")

    def _handle(self, line: str) -> None:
        if line in ("/help", "help", "?"):
            self.say(HELP)
        elif line.startswith("/as "):
            self.user = self._id(line[4:], "U", "a user ID such as U0AGENT")
            self.say(f"  (now acting as @{self._name_of(self.user)})")
        elif line.startswith("/in "):
            self.channel = self._id(line[4:], "CDG", "a channel ID such as C0FAQ")
            self.say(f"  (now in #{self._name_of(self.channel)})")
        elif line == "/whoami":
            local = self.clock.now().astimezone(_tz(self.config.business_hours.timezone))
            self.say(f"  @{self._name_of(self.user)} in #{self._name_of(self.channel)}, {local:%Y-%m-%d %H:%M %Z}")
        elif line.startswith("/clock"):
            self._advance(line[len("/clock") :].strip())
        elif line == "/sweep":
            self._run_jobs()
        elif re.fullmatch(r"click\s+\d+", line):
            self.click(int(line.split()[1]))
        elif line.startswith("submit"):
            self.submit(line[len("submit") :].strip())
        elif line.startswith("/"):
            command, _, text = line.partition(" ")
            self.command(command, text)
        elif line.startswith("@bot"):
            self.message(line[len("@bot") :].strip(), mention=True)
        else:
            self.message(line)

    @staticmethod
    def _id(text: str, prefixes: str, what: str) -> str:
        value = text.strip().lstrip("@#").upper()
        if not re.fullmatch(rf"[{prefixes}][A-Z0-9]+", value):
            raise ValueError(f"expected {what}")
        return value

    # --- Slack payloads --------------------------------------------------------------------

    def _dispatch(self, body: str) -> dict[str, Any] | None:
        headers: dict[str, Any] = dict(signed_headers(body, CONSOLE_SECRET))
        response = self.runtime.app.dispatch(BoltRequest(body=body, headers=headers))
        content_type = (response.headers.get("content-type") or [""])[0]
        self.fake.record_ack(body, status=response.status, content_type=content_type, body=response.body or "")
        if response.status >= 400:
            self.say(f"  ! the app answered HTTP {response.status}: {response.body}")
            return None
        if response.body:
            try:
                parsed = json.loads(response.body)
            except ValueError:
                return {"text": response.body}
            return parsed if isinstance(parsed, dict) else None
        return None

    def message(self, text: str, *, mention: bool = False, thread_ts: str | None = None) -> None:
        text = self._as_slack_text(text)
        if mention:
            text = f"<@{self.fake.bot_user_id}> {text}"
        stored = self.fake.add_message(self.channel, text, user=self.user, thread_ts=thread_ts)
        event = {
            "type": "message",
            "channel": self.channel,
            "user": self.user,
            "text": text,
            "ts": stored["ts"],
            "event_ts": stored["ts"],
            "channel_type": "im" if self.channel.startswith("D") else "channel",
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        self._seen = len(self.fake.calls())
        self._dispatch(event_body(event))
        if mention:
            self._dispatch(event_body({**event, "type": "app_mention"}))
        self._show_new_calls()

    def _as_slack_text(self, text: str) -> str:
        """What Slack makes of typed text: & < > escaped, @name and @U… turned into mention tokens."""
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        ids = {name: uid for uid, name in self._people(self.config).items()}

        def token(match: re.Match[str]) -> str:
            word = match.group(1)
            uid = word.upper() if re.fullmatch(r"[UW][A-Z0-9]+", word.upper()) else ids.get(word)
            return f"<@{uid}|{self._name_of(uid)}>" if uid else match.group(0)

        return re.sub(r"@([\w-]+)", token, text)

    def command(self, command: str, text: str) -> None:
        response_url = self.fake.new_response_url()
        body = slash_command_body(
            command,
            self._as_slack_text(text),
            user_id=self.user,
            channel_id=self.channel,
            response_url=response_url,
            trigger_id=f"trigger.{uuid.uuid4().hex[:8]}",
        )
        self._seen = len(self.fake.calls())
        acked = self._dispatch(body)
        self.renderer.reset_buttons()
        if acked:
            self.transcript.ephemeral(acked, response_url, self.channel)
        self._show_new_calls(reset=False)

    def click(self, number: int) -> None:
        button = next((b for b in self.renderer.buttons if b.number == number), None)
        if button is None:
            raise ValueError(f"no button [{number}] in the last output")
        self._seen = len(self.fake.calls())
        self._dispatch(interactivity_body(self._block_action(button)))
        self._show_new_calls()

    def submit(self, assignments: str) -> None:
        """Submit the open modal with `field=value` pairs (labels or block ids as field names)."""
        view = self.transcript.open_view
        if view is None:
            raise ValueError("no form is open (type /case to open one)")
        try:
            pairs = dict(part.split("=", 1) for part in shlex.split(assignments))
        except ValueError:
            raise ValueError('write fields as key=value, e.g. submit title="ログインできない" priority=高') from None
        values: dict[str, Any] = {}
        for block in view.get("blocks", []):
            if block.get("type") != "input":
                continue
            block_id = block.get("block_id", "")
            element = block.get("element", {})
            raw = pairs.get(block_id)
            if raw is None:
                label = (block.get("label") or {}).get("text", "")
                raw = pairs.get(label)
            values[block_id] = {"value": self._input_value(element, raw)}
        payload = {
            "type": "view_submission",
            "team": {"id": self.fake.team_id, "domain": "fake"},
            "user": {"id": self.user, "username": self._name_of(self.user), "team_id": self.fake.team_id},
            "api_app_id": "A0APP",
            "trigger_id": f"trigger.{uuid.uuid4().hex[:8]}",
            "view": {**view, "state": {"values": values}},
        }
        self._seen = len(self.fake.calls())
        acked = self._dispatch(interactivity_body(payload))
        if acked and acked.get("response_action") == "errors":
            for field_id, message in (acked.get("errors") or {}).items():
                self.say(f"  ! {field_id}: {message}")
            return
        self.transcript.open_view = None
        self._show_new_calls()

    @staticmethod
    def _input_value(element: dict[str, Any], raw: str | None) -> dict[str, Any]:
        kind = element.get("type")
        if kind in ("radio_buttons", "static_select"):
            options = element.get("options", [])
            chosen = None
            if raw is not None:
                from bot.priorities import parse_priority

                wanted = {raw, parse_priority(raw) or raw}
                chosen = next(
                    (o for o in options if o.get("value") in wanted or raw in o.get("text", {}).get("text", "")),
                    None,
                )
            chosen = chosen or element.get("initial_option")
            return {"type": kind, "selected_option": chosen}
        return {"type": kind, "value": raw if raw is not None else element.get("initial_value")}

    def _block_action(self, button: Button) -> dict[str, Any]:
        context = {**button.context}
        if context.get("channel"):
            context["channel_name"] = self._name_of(context["channel"])
        return block_actions_payload(
            {
                "type": "button",
                "action_id": button.action_id,
                "block_id": button.block_id,
                "value": button.value,
                "text": {"type": "plain_text", "text": button.text},
            },
            user={"id": self.user, "username": self._name_of(self.user), "team_id": self.fake.team_id},
            response_url=context.get("response_url") or self.fake.new_response_url(),
            trigger_id=f"trigger.{uuid.uuid4().hex[:8]}",
            context=context,
            team_id=self.fake.team_id,
        )

    # --- output --------------------------------------------------------------------------------

    def _show_new_calls(self, *, reset: bool = True) -> None:
        if reset:
            self.renderer.reset_buttons()
        calls = self.fake.calls()[self._seen :]
        self._seen += len(calls)
        self.transcript.show(calls, self.channel)

    # --- time ------------------------------------------------------------------------------------

    def _advance(self, spec: str) -> None:
        if not spec:
            raise ValueError("use /clock +2h (or +30m, +1d)")
        delta = parse_duration(spec.lstrip("+"))
        self.clock.advance(delta)
        local = self.clock.now().astimezone(_tz(self.config.business_hours.timezone))
        self.say(f"  (the clock is now {local:%Y-%m-%d %H:%M %Z})")
        self._run_jobs()

    def _run_jobs(self) -> None:
        from scheduler import jobs

        self._seen = len(self.fake.calls())
        jobs.run_all(self.runtime.services)
        self._show_new_calls()


def _tz(name: str) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)
