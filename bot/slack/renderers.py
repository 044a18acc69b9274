"""Outbox kind → Slack message. Rendering happens at delivery time, from the current state."""

from __future__ import annotations

from typing import Protocol

from slack_sdk import WebClient

from bot.clock import Clock
from bot.models import Case, CaseEvent, OutboxMessage
from bot.notify import Obsolete, PermanentDeliveryError
from bot.outbox_kinds import OutboxKind
from bot.sla_clock import awaits_first_response
from bot.slack import case_blocks, faq_blocks, sla_blocks
from bot.slack.desk import Desk
from bot.slack.directory import permalink
from bot.slack.notifier import Renderer, SlackPost, require
from knowledge.loader import Entry


class Entries(Protocol):
    def get(self, entry_id: str) -> Entry | None: ...


class CaseRecords(Protocol):
    def get_by_id(self, case_id: int) -> Case | None: ...

    def event(self, event_id: int) -> CaseEvent | None: ...


def faq_renderers(entries: Entries) -> dict[str, Renderer]:
    def answer(message: OutboxMessage) -> SlackPost:
        payload = message.payload
        entry = entries.get(payload["entry_id"])
        if entry is None:
            raise PermanentDeliveryError(f"knowledge entry {payload['entry_id']} no longer exists")
        text, blocks = faq_blocks.answer_message(entry, payload.get("language", "ja"))
        return SlackPost(channel=payload["channel"], thread_ts=payload["thread_ts"], text=text, blocks=blocks)

    def suggest(message: OutboxMessage) -> SlackPost:
        payload = message.payload
        found = [e for e in (entries.get(i) for i in payload["entry_ids"]) if e is not None]
        if not found:
            raise PermanentDeliveryError("none of the suggested entries exists any more")
        text, blocks = faq_blocks.suggestions_message(found, payload.get("language", "ja"))
        return SlackPost(channel=payload["channel"], thread_ts=payload["thread_ts"], text=text, blocks=blocks)

    def not_found(message: OutboxMessage) -> SlackPost:
        payload = message.payload
        text, blocks = faq_blocks.not_found_message(payload.get("language", "ja"))
        return SlackPost(channel=payload["channel"], thread_ts=payload["thread_ts"], text=text, blocks=blocks)

    return {OutboxKind.FAQ_ANSWER: answer, OutboxKind.FAQ_SUGGEST: suggest, OutboxKind.FAQ_NOT_FOUND: not_found}


class CaseRenderers:
    """The case card, its thread lines, and the SLA clock's notices (pages, warnings, CS Lead pings)."""

    def __init__(self, cases: CaseRecords, clock: Clock, desk: Desk, client: WebClient) -> None:
        self.cases = cases
        self.clock = clock
        self.desk = desk
        self.client = client

    def by_kind(self) -> dict[str, Renderer]:
        return {
            OutboxKind.CASE_CARD: self.card,
            OutboxKind.CASE_CARD_UPDATE: self.card_update,
            OutboxKind.CASE_THREAD: self.thread,
            OutboxKind.PAGE: self.page,
            OutboxKind.BREACH_PAGE: self.page,
            OutboxKind.BREACH_DM: self.page,
            OutboxKind.SLA_WARNING: self.in_thread,
            OutboxKind.SLA_LEAD: self.in_thread,
        }

    def _load(self, message: OutboxMessage) -> Case:
        case = self.cases.get_by_id(message.case_id) if message.case_id else None
        if case is None:
            raise PermanentDeliveryError(f"case {message.case_id} does not exist")
        return case

    def _still_waiting(self, message: OutboxMessage) -> Case:
        """The SLA clock's rule: a notice is worth sending only while nobody has answered the case."""
        case = self._load(message)
        if not awaits_first_response(case):
            raise Obsolete(f"case #{case.number} was answered before this {message.kind} went out")
        return case

    def _card_ts(self, case: Case) -> str:
        return str(require(case.message_ts, f"the card of case #{case.number}"))

    def card(self, message: OutboxMessage) -> SlackPost:
        case = self._load(message)
        text, blocks = case_blocks.card(case, self.clock.now(), self.desk.language, self.desk.timezone)
        return SlackPost(channel=self.desk.channels.cases, text=text, blocks=blocks)

    def card_update(self, message: OutboxMessage) -> SlackPost:
        case = self._load(message)
        ts = self._card_ts(case)
        text, blocks = case_blocks.card(case, self.clock.now(), self.desk.language, self.desk.timezone)
        channel = case.message_channel or self.desk.channels.cases
        return SlackPost(channel=channel, update_ts=ts, text=text, blocks=blocks)

    def thread(self, message: OutboxMessage) -> SlackPost:
        case = self._load(message)
        ts = self._card_ts(case)
        event = self.cases.event(int(message.payload["event_id"]))
        if event is None:
            raise PermanentDeliveryError(f"case event {message.payload['event_id']} does not exist")
        desk = self.desk
        text = case_blocks.event_line(event, case, desk.language, desk.timezone, desk.escalation)
        return SlackPost(channel=case.message_channel or desk.channels.cases, thread_ts=ts, text=text)

    def page(self, message: OutboxMessage) -> SlackPost:
        """The one renderer of pages: a high case opened or raised, a breach, and the DM that goes with it."""
        case = self._still_waiting(message)
        link = permalink(self.client, case.message_channel, case.message_ts)
        now, language, payload = self.clock.now(), self.desk.language, message.payload
        if message.kind == OutboxKind.BREACH_DM:
            text, blocks = sla_blocks.breach_dm(case, link, now, language)
            return SlackPost(channel=payload["user"], text=text, blocks=blocks)
        mentions, here = list(payload.get("mentions") or []), bool(payload.get("here"))
        if message.kind == OutboxKind.BREACH_PAGE:
            text, blocks = sla_blocks.breach(case, mentions, link, now, language, here=here)
        else:
            text, blocks = sla_blocks.emergency(case, mentions, link, now, language, self.desk.timezone, here=here)
        return SlackPost(channel=self.desk.channels.emergency, text=text, blocks=blocks)

    def in_thread(self, message: OutboxMessage) -> SlackPost:
        """The warning before the due time and the CS Lead ping after it, in the case's thread."""
        case = self._still_waiting(message)
        ts = self._card_ts(case)
        desk = self.desk
        if message.kind == OutboxKind.SLA_WARNING:
            text = sla_blocks.warning(case, self.clock.now(), desk.language, desk.timezone)
        else:
            text = sla_blocks.lead(case, desk.escalation.cs_lead, desk.language, desk.timezone)
        return SlackPost(channel=case.message_channel or desk.channels.cases, thread_ts=ts, text=text)


def all_renderers(
    entries: Entries, cases: CaseRecords, clock: Clock, desk: Desk, client: WebClient
) -> dict[str, Renderer]:
    return {**faq_renderers(entries), **CaseRenderers(cases, clock, desk, client).by_kind()}
