"""Outbox kind → Slack message. Rendering happens at delivery time, from the current state."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from slack_sdk import WebClient

from bot.case_vocabulary import EventKind
from bot.clock import Clock
from bot.i18n import Language
from bot.models import Case, CaseEvent, FaqDraft, OutboxMessage
from bot.notify import NotReady, Obsolete, PermanentDeliveryError
from bot.outbox import PENDING, SENDING, SENT, UNCERTAIN
from bot.outbox_kinds import OutboxKind
from bot.pager import PAGE_TARGET
from bot.sla_clock import awaits_first_response
from bot.slack import case_blocks, faq_blocks, faq_teach_blocks, oncall_notes, reporter_notes, sla_blocks
from bot.slack.blocks import Block
from bot.slack.case_answers import case_answer_renderer
from bot.slack.desk import Desk
from bot.slack.directory import UserNames, permalink
from bot.slack.intake_replies import intake_reply_renderer
from bot.slack.notifier import Renderer, SlackPost, require
from knowledge.loader import Audience, Entry


class Entries(Protocol):
    def get(self, entry_id: str) -> Entry | None: ...


class Drafts(Protocol):
    def get(self, draft_id: int) -> FaqDraft | None: ...


class CaseRecords(Protocol):
    def get_by_id(self, case_id: int) -> Case | None: ...

    def as_opened(self, case_id: int) -> Case | None: ...

    def event(self, event_id: int) -> CaseEvent | None: ...

    def page_message(self, case_id: int, target: int | str) -> OutboxMessage | None: ...


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
        customer, question_ts = _for_customer(payload), payload.get("question_ts")
        others = [e for e in (entries.get(i) for i in payload.get("other_ids", ())) if e is not None]
        return where(
            payload,
            *faq_blocks.answer_message(entry, _language(payload), question_ts, customer=customer, others=others),
        )

    def suggest(message: OutboxMessage) -> SlackPost:
        payload = message.payload
        found = [e for e in (entries.get(i) for i in payload["entry_ids"]) if e is not None]
        if not found:
            raise PermanentDeliveryError("none of the suggested entries exists any more")
        language, question_ts, customer = _language(payload), payload.get("question_ts"), _for_customer(payload)
        return where(payload, *faq_blocks.suggestions_message(found, language, question_ts, customer=customer))

    def not_found(message: OutboxMessage) -> SlackPost:
        payload = message.payload
        customer = _for_customer(payload)
        return where(
            payload, *faq_blocks.not_found_message(_language(payload), payload.get("question_ts"), customer=customer)
        )

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


def _for_customer(payload: dict[str, Any]) -> bool:
    """A reply in a customer's channel (bot/faq.py marks it): only what customers may read."""
    return payload.get("audience") == Audience.CUSTOMER


def _language(payload: dict[str, Any]) -> Language:
    return Language.of(payload.get("language"), Language.JA)


class CaseRenderers:
    """The case card, its thread lines, the SLA clock's notices (pages, re-pages, DMs, their edits,
    warnings, CS Lead pings), what the reporter is told, and the on-call notices."""

    def __init__(self, cases: CaseRecords, clock: Clock, desk: Desk, client: WebClient) -> None:
        self.cases = cases
        self.clock = clock
        self.desk = desk
        self.client = client
        self.names = UserNames(client)

    def by_kind(self) -> dict[str, Renderer]:
        return {
            OutboxKind.CASE_CARD: self.card,
            OutboxKind.CASE_CARD_UPDATE: self.card_update,
            OutboxKind.CASE_THREAD: self.thread,
            OutboxKind.PAGE: self.page,
            OutboxKind.BREACH_PAGE: self.page,
            OutboxKind.BREACH_DM: self.dm,
            OutboxKind.PAGE_UPDATE: self.page_update,
            OutboxKind.SLA_WARNING: self.in_thread,
            OutboxKind.SLA_LEAD: self.in_thread,
            OutboxKind.CASE_REPORTER: self.reporter,
            OutboxKind.ONCALL_DM: self.oncall,
            OutboxKind.ONCALL_LINE: self.oncall,
        }

    def _load(self, message: OutboxMessage, *, as_opened: bool = False) -> Case:
        read = self.cases.as_opened if as_opened else self.cases.get_by_id
        case = read(message.case_id) if message.case_id else None
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

    def _card_link(self, case: Case) -> str | None:
        return permalink(self.client, case.message_channel, case.message_ts)

    def card(self, message: OutboxMessage) -> SlackPost:
        case = self._load(message, as_opened=True)
        text, blocks = case_blocks.card(
            case, self.clock.now(), self.desk.language, self.desk.timezone, plans=self.desk.plans
        )
        return SlackPost(channel=self.desk.channels.cases, text=text, blocks=blocks)

    def card_update(self, message: OutboxMessage) -> SlackPost:
        case = self._load(message)
        ts = self._card_ts(case)
        text, blocks = case_blocks.card(
            case, self.clock.now(), self.desk.language, self.desk.timezone, plans=self.desk.plans
        )
        channel = case.message_channel or self.desk.channels.cases
        return SlackPost(channel=channel, update_ts=ts, text=text, blocks=blocks)

    def thread(self, message: OutboxMessage) -> SlackPost:
        case = self._load(message)
        ts = self._card_ts(case)
        event = self._event(message)
        desk = self.desk
        text = case_blocks.event_line(event, case, desk.language, desk.timezone, desk.escalation)
        return SlackPost(channel=case.message_channel or desk.channels.cases, thread_ts=ts, text=text)

    def _event(self, message: OutboxMessage) -> CaseEvent:
        event = self.cases.event(int(message.payload["event_id"]))
        if event is None:
            raise PermanentDeliveryError(f"case event {message.payload['event_id']} does not exist")
        return event

    # --- pages (bot/pager.py) --------------------------------------------------------------------------

    def _top_page(self, case: Case, page: OutboxMessage) -> tuple[str, list[Block]]:
        payload, desk = page.payload, self.desk
        mentions, here = list(payload.get("mentions") or []), bool(payload.get("here"))
        link = self._card_link(case)
        late = payload.get("received_at")  # opened late (bot/intake.py): when it was received
        received = desk.when(datetime.fromisoformat(late)) if late else None
        now = self.clock.now()
        return sla_blocks.emergency(
            case, mentions, link, now, desk.language, desk.timezone, here=here, received=received
        )

    def _dm(self, case: Case, dm: OutboxMessage) -> tuple[str, list[Block]]:
        desk, link = self.desk, self._card_link(case)
        return sla_blocks.page_dm(case, dm.payload, link, dm.created_at, self.clock.now(), desk.language, desk.timezone)

    def page(self, message: OutboxMessage) -> SlackPost:
        """The case's first page is its one message in the emergency channel; later ones reply in its thread."""
        case = self._still_waiting(message)
        first = self.cases.page_message(case.id or 0, PAGE_TARGET)
        emergency = self.desk.channels.emergency
        if first is None or first.id == message.id:
            text, blocks = self._top_page(case, message)
            return SlackPost(channel=emergency, text=text, blocks=blocks)
        if first.state != SENT or not first.sent_ts:
            raise NotReady(f"the page of case #{case.number} is not in the channel yet")
        if message.kind == OutboxKind.PAGE:  # raised to high again: said in the thread, the button is above
            text, blocks = self._top_page(case, message)
            blocks = [b for b in blocks if b.get("type") != "actions"]
        else:
            text, blocks = sla_blocks.repage(
                case, message.payload, self._card_link(case), self.clock.now(), self.desk.language
            )
        return SlackPost(channel=first.sent_channel or emergency, thread_ts=first.sent_ts, text=text, blocks=blocks)

    def dm(self, message: OutboxMessage) -> SlackPost:
        case = self._still_waiting(message)
        text, blocks = self._dm(case, message)
        return SlackPost(channel=message.payload["user"], text=text, blocks=blocks)

    def page_update(self, message: OutboxMessage) -> SlackPost:
        """The page or a DM, edited in place with the case as it is now."""
        case = self._load(message)
        target = self.cases.page_message(case.id or 0, message.payload.get("target") or PAGE_TARGET)
        if target is not None and target.state in (PENDING, SENDING, UNCERTAIN):
            raise NotReady(f"outbox {target.id} is not sent yet")
        if target is None or target.state != SENT or not target.sent_ts or not target.sent_channel:
            raise Obsolete(f"case #{case.number} has no such page to edit")
        text, blocks = self._dm(case, target) if target.kind == OutboxKind.BREACH_DM else self._top_page(case, target)
        return SlackPost(channel=target.sent_channel, update_ts=target.sent_ts, text=text, blocks=blocks)

    def in_thread(self, message: OutboxMessage) -> SlackPost:
        """The warning before the due time and the CS Lead ping after it, in the case's thread."""
        case = self._still_waiting(message)
        ts = self._card_ts(case)
        desk = self.desk
        if message.kind == OutboxKind.SLA_WARNING:
            responsible = message.payload.get("mention")
            text = sla_blocks.warning(case, self.clock.now(), desk.language, desk.timezone, responsible)
        else:
            text = sla_blocks.lead(case, desk.escalation.cs_lead, desk.language, desk.timezone)
        return SlackPost(channel=case.message_channel or desk.channels.cases, thread_ts=ts, text=text)

    # --- the reporter, on-call --------------------------------------------------------------------------

    def reporter(self, message: OutboxMessage) -> SlackPost:
        """What the reporter is told, where they opened the case, in the case's language."""
        case, event = self._load(message), self._event(message)
        card_link = None
        if event.kind == EventKind.OPENED:  # with a link to the card, once it is posted
            self._card_ts(case)
            card_link = self._card_link(case)
        language = case.language or self.desk.language
        text = reporter_notes.note(
            case, event, language, self.names, card_link=card_link, reopen_days=self.desk.reopen_days
        )
        channel, thread_ts = reporter_notes.place(case)
        return SlackPost(channel=channel, thread_ts=thread_ts, text=text)

    def oncall(self, message: OutboxMessage) -> SlackPost:
        """`/oncall set` and `/oncall clear`: the DM to whoever is on call now, the emergency channel's line."""
        payload, desk = message.payload, self.desk
        text = oncall_notes.notice(message.kind, payload, desk.language, desk.when)
        channel = payload["user"] if message.kind == OutboxKind.ONCALL_DM else desk.channels.emergency
        return SlackPost(channel=channel, text=text)


def all_renderers(
    entries: Entries, cases: CaseRecords, clock: Clock, desk: Desk, client: WebClient, drafts: Drafts | None = None
) -> dict[str, Renderer]:
    return {
        **faq_renderers(entries, drafts),
        **CaseRenderers(cases, clock, desk, client).by_kind(),
        OutboxKind.INTAKE_REPLY: intake_reply_renderer(cases, clock, desk),
        OutboxKind.CASE_ANSWER: case_answer_renderer(clock, desk),
    }
