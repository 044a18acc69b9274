"""The local console: talk to the real bot without a Slack workspace.

Like Hubot's shell adapter: each typed line becomes a signed Slack payload (a message event, a
slash command, a button click) dispatched into the real Bolt app; the Web API calls the app makes
go to the fake Slack on loopback and are printed as text.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TextIO

from slack_bolt.request import BoltRequest

from bot.clock import ManualClock
from bot.config import BehaviourConfig
from bot.database import Database
from bot.devtools.console_forms import as_slack_text, form_values, parse_assignments
from bot.devtools.console_history import History
from bot.devtools.console_output import HELP, Transcript, name_of, people_names, wait_for_embeddings
from bot.devtools.fake_slack import FROM_ENV, FakeSlack
from bot.devtools.recording import Recorder
from bot.devtools.render_text import Button, TextRenderer
from bot.devtools.signing import (
    block_actions_payload,
    block_suggestion_payload,
    event_body,
    interactivity_body,
    message_action_payload,
    signed_headers,
    slash_command_body,
    view_submission_payload,
)
from bot.durations import parse_duration
from bot.migrate import upgrade_database
from bot.runtime import Runtime
from bot.settings import Settings

CONSOLE_SECRET = "console-signing-secret"
CONSOLE_TOKEN = "xoxb-console"
DEFAULT_CHANNEL = "C0GENERAL"
DEFAULT_USER = "U0CONSOLE"
# Message shortcuts by their name in Slack (manifest.yml) → callback_id; the callback_ids work too.
SHORTCUTS = {"ケースを起票": "case_from_message", "FAQに紐付け": "faq_link", "FAQに追加": "faq_add"}


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
        self.history = History(self.fake.bot_user_id, self._name_of)  # m1, m2 … for `reply` and `shortcut`
        self.transcript = Transcript(self.say, self.renderer, self._name_of, number=self.history.remember_bot)
        self._seen = 0
        wait_for_embeddings(self.runtime.services.index, self.say)  # answer as the running bot answers

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
        return people_names(config, DEFAULT_USER)

    def _name_of(self, ident: str) -> str:
        return name_of(self.config, ident, DEFAULT_USER, DEFAULT_CHANNEL)

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
        word, _, rest = line.partition(" ")
        exact = {"/help": self._help, "help": self._help, "?": self._help, "/whoami": self._whoami}
        exact.update({"/sweep": self._run_jobs, "/messages": self.show_messages})
        by_word = {
            "/as": self._act_as,
            "/in": self._move_to,
            "/clock": self._advance,
            "click": self._click_line,
            "submit": self.submit,
            "reply": self._reply_line,
            "shortcut": lambda rest: self.shortcut(*rest.split()[:2]),
        }
        if line in exact:
            exact[line]()
        elif word in by_word:
            by_word[word](rest.strip())
        elif line.startswith("/"):
            self.command(word, rest)
        elif line.startswith("@bot"):
            self.message(line[len("@bot") :].strip(), mention=True)
        else:
            self.message(line)

    def _help(self) -> None:
        self.say(HELP)

    def _act_as(self, who: str) -> None:
        self.user = self._id(who, "U", "a user ID such as U0AGENT")
        self.say(f"  (now acting as @{self._name_of(self.user)})")

    def _move_to(self, where: str) -> None:
        self.channel = self._id(where, "CDG", "a channel ID such as C0FAQ")
        self.say(f"  (now in #{self._name_of(self.channel)})")

    def _whoami(self) -> None:
        local = self.clock.now().astimezone(_tz(self.config.business_hours.timezone))
        self.say(f"  @{self._name_of(self.user)} in #{self._name_of(self.channel)}, {local:%Y-%m-%d %H:%M %Z}")

    def _click_line(self, rest: str) -> None:
        if not rest.isdigit():
            raise ValueError("click a button by its number, e.g. click 1")
        self.click(int(rest))

    def _reply_line(self, rest: str) -> None:
        ref, _, text = rest.partition(" ")
        if not text.strip():
            raise ValueError("reply mN <text>, e.g. reply m1 締め日は毎月25日です")
        self.reply(ref, text.strip())

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
        self.history.remember(self.channel, stored["ts"], thread_ts, text, self.user)
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
        return as_slack_text(text, {name: uid for uid, name in self._people(self.config).items()}, self._name_of)

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
        values = form_values(view, parse_assignments(assignments), self._search_options, self.say)
        payload = view_submission_payload(view, values, user=self._user_object(), trigger_id=self._trigger())
        self._seen = len(self.fake.calls())
        acked = self._dispatch(interactivity_body(payload))
        if acked and acked.get("response_action") == "errors":
            for field_id, message in (acked.get("errors") or {}).items():
                self.say(f"  ! {field_id}: {message}")
            return
        self.transcript.open_view = None
        if acked and acked.get("response_action") == "update":
            self.transcript.show_view(acked.get("view") or {})
        self._show_new_calls()

    def _search_options(self, view: dict[str, Any], block_id: str, words: str) -> list[dict[str, Any]]:
        """What Slack asks the app while someone types in a searchable picker."""
        element = next(b["element"] for b in view.get("blocks", []) if b.get("block_id") == block_id)
        payload = block_suggestion_payload(
            view, block_id=block_id, action_id=element.get("action_id", ""), value=words, user=self._user_object()
        )
        answer = self._dispatch(interactivity_body(payload)) or {}
        return list(answer.get("options") or [])

    # --- messages and shortcuts ------------------------------------------------------------------

    def show_messages(self) -> None:
        for line in self.history.lines(self.channel):
            self.say(line)

    def reply(self, ref: str, text: str) -> None:
        """A reply in the thread of message `ref`, in its channel."""
        message = self.history.find(ref, self.channel)
        self.channel = message["channel"]
        self.message(text, thread_ts=message["thread_ts"] or message["ts"])

    def shortcut(self, name: str | None = None, ref: str | None = None) -> None:
        """A message shortcut (by callback_id or name) on message `ref`."""
        callback = SHORTCUTS.get(name or "", name)
        if not name or callback not in SHORTCUTS.values():
            raise ValueError(f"name a message shortcut: {', '.join(SHORTCUTS)}")
        target = self.history.find(ref, self.channel)
        message = {"ts": target["ts"], "text": target["text"], "user": target["user"]}
        if target["thread_ts"]:
            message["thread_ts"] = target["thread_ts"]
        payload = message_action_payload(
            str(callback),
            message,
            channel=target["channel"],
            user=self._user_object(),
            response_url=self.fake.new_response_url(),
            trigger_id=self._trigger(),
            team_id=self.fake.team_id,
        )
        self._seen = len(self.fake.calls())
        self._dispatch(interactivity_body(payload))
        self._show_new_calls()

    def _user_object(self) -> dict[str, Any]:
        return {"id": self.user, "username": self._name_of(self.user), "team_id": self.fake.team_id}

    @staticmethod
    def _trigger() -> str:
        return f"trigger.{uuid.uuid4().hex[:8]}"

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
            user=self._user_object(),
            response_url=context.get("response_url") or self.fake.new_response_url(),
            trigger_id=self._trigger(),
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
