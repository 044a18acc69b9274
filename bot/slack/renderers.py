"""Outbox kind → Slack message. Rendering happens at delivery time, from the current state."""

from __future__ import annotations

from typing import Any, Protocol

from slack_sdk import WebClient

from bot.clock import Clock
from bot.i18n import Language
from bot.models import Case, CaseEvent, FaqDraft, OutboxMessage
from bot.notify import Obsolete, PermanentDeliveryError
from bot.outbox_kinds import OutboxKind
from bot.sla_clock import awaits_first_response
from bot.slack import case_blocks, faq_blocks, faq_teach_blocks, sla_blocks
from bot.slack.desk import Desk
from bot.slack.directory import permalink
from bot.slack.notifier import Renderer, SlackPost, require
from knowledge.loader import Entry


class Entries(Protocol):
    def get(self, entry_id: str) -> Entry | None: ...


class Drafts(Protocol):
    def get(self, draft_id: int) -> FaqDraft | None: ...


class CaseRecords(Protocol):
    def get_by_id(self, case_id: int) -> Case | None: ...

    def event(self, event_id: int) -> CaseEvent | None: ...


def faq_renderers(entries: Entries, drafts: Drafts | None = None) -> dict[str, Renderer]:
    def entry_of(entry_id: str) -> Entry:
        entry = entries.get(entry_id)
        if entry is None:
            raise PermanentDeliveryError(f"knowledge entry {entry_id} no longer exists")
        return entry

    def where(payload: dict[str, Any], text: str, blocks: list[dict[str, Any]]) -> SlackPost:
        return SlackPost(channel=payload["channel"], thread_ts=payload.get("thread_ts"), text=text, blocks=blocks)

    def answer(message: OutboxMessage) -> SlackPost:
        payload = message.payload
        entry = entry_of(payload["entry_id"])
        return where(payload, *faq_blocks.answer_message(entry, _language(payload), payload.get("question_ts")))

    def suggest(message: OutboxMessage) -> SlackPost:
        payload = message.payload
        found = [e for e in (entries.get(i) for i in payload["entry_ids"]) if e is not None]
        if not found:
            raise PermanentDeliveryError("none of the suggested entries exists any more")
        return where(payload, *faq_blocks.suggestions_message(found, _language(payload), payload.get("question_ts")))

    def not_found(message: OutboxMessage) -> SlackPost:
        payload = message.payload
        return where(payload, *faq_blocks.not_found_message(_language(payload), payload.get("question_ts")))

    def candidate(message: OutboxMessage) -> SlackPost:
        payload = message.payload
        entry = entry_of(payload["entry_id"])
        return where(payload, *faq_blocks.candidate_message(entry, int(payload["phrasing_id"]), _language(payload)))

    def draft(message: OutboxMessage) -> SlackPost:
        payload = message.payload
        found = drafts.get(int(payload["draft_id"])) if drafts is not None else None
        if found is None:
            raise PermanentDeliveryError(f"FAQ draft {payload['draft_id']} does not exist")
        return where(payload, *faq_teach_blocks.draft_message(found, _language(payload)))

    return {
        OutboxKind.FAQ_ANSWER: answer,
        OutboxKind.FAQ_SUGGEST: suggest,
        OutboxKind.FAQ_NOT_FOUND: not_found,
        OutboxKind.FAQ_CANDIDATE: candidate,
        OutboxKind.FAQ_DRAFT: draft,
    }


def _language(payload: dict[str, Any]) -> Language:
    return Language.of(payload.get("language"), Language.JA)


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
    entries: Entries, cases: CaseRecords, clock: Clock, desk: Desk, client: WebClient, drafts: Drafts | None = None
) -> dict[str, Renderer]:
    return {**faq_renderers(entries, drafts), **CaseRenderers(cases, clock, desk, client).by_kind()}
