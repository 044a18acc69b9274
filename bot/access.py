"""Who may act on a case.

- Agents (`[agents]` users and members of `[agents]` user groups) may act on every case.
- Anyone the bot paged or escalated a case to may act on that case: the person on call at the time
  of a page, the secondary and the CS Lead once the escalation chain called them (bot/pager.py), the
  fallback user group's members, the CS Lead (after an L2 escalation, an SLA ping or a warning
  mentioning them) and the L3 engineers (a user, or a user group's members).
- The reporter may resolve their own case (自己解決) and reopen it.
- Whoever a case is assigned to (担当者) is recorded as a party too, and so may act on it.
- Seeing a case (`/case show`, `/case list`): agents see every case; anyone else only the cases
  they reported or are a party to. Another case is "not found", exactly like a number that does not
  exist; assigning a case to someone else is for agents.
- Customers: people from another organisation (Slack Connect users, whose `team_id` differs from the
  workspace's) are never agents, whatever a user group says (bot/agents.py asks Slack who is
  external). Anyone who is not an agent is a customer in a customer's channel (bot/customers.py):
  there they see their own organisation's cases — all of them, and no other — as a reporter does,
  without the team's internal notes.

Whom the bot paged is recorded per case (`case_parties`) in the transaction of the page or the
escalation, so the rule is the same on every replica and after a restart, and holds for the
「対応開始」 buttons of the page and the DM.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from sqlalchemy import bindparam, select, text
from sqlmodel import Session, col

from bot.agents import AgentDirectory
from bot.config import EscalationConfig
from bot.database import is_postgres
from bot.identifiers import is_usergroup
from bot.models import CaseParty, UTCDateTime


class Role(StrEnum):
    """Why someone was called to a case."""

    ONCALL_PRIMARY = "oncall_primary"
    ONCALL_SECONDARY = "oncall_secondary"
    ONCALL_FALLBACK = "oncall_fallback"
    CS_LEAD = "cs_lead"
    ENGINEERS = "engineers"
    ASSIGNEE = "assignee"


class Standing(StrEnum):
    """What a person is to one case."""

    AGENT = "agent"
    PARTY = "party"  # paged or escalated to
    REPORTER = "reporter"
    NONE = "none"


class Action(StrEnum):
    VIEW = "view"  # `/case show`, and the case in `/case list`
    ACKNOWLEDGE = "acknowledge"
    TAKE = "take"  # 「担当する」: assign the case to oneself
    ASSIGN = "assign"  # `/case assign N @someone`: agents only
    RESPOND = "respond"  # a reply in the case thread, counted as the first response
    CHANGE_PRIORITY = "change_priority"
    CHANGE_CUSTOMER = "change_customer"  # `/case customer N id`: agents only
    ESCALATE = "escalate"
    RESOLVE = "resolve"
    REOPEN = "reopen"


_MAY: dict[Standing, frozenset[Action]] = {
    Standing.AGENT: frozenset(Action),
    Standing.PARTY: frozenset(Action) - {Action.ASSIGN, Action.CHANGE_CUSTOMER},
    Standing.REPORTER: frozenset({Action.VIEW, Action.RESOLVE, Action.REOPEN}),
    Standing.NONE: frozenset(),
}


def allows(standing: Standing, action: Action) -> bool:
    return action in _MAY[standing]


def insider(standing: Standing) -> bool:
    """Agents and the people called to a case see its internal notes; its reporter does not."""
    return standing in (Standing.AGENT, Standing.PARTY)


@dataclass(frozen=True)
class Party:
    """A user (U…/W…) or user group (S…) the bot called to a case."""

    who: str
    role: Role

    @property
    def is_group(self) -> bool:
        return is_usergroup(self.who)


@dataclass(frozen=True)
class Viewer:
    """Whose cases someone sees: every case (an agent); a customer's, to a customer in their channel; or
    those they reported, are assigned or were called to — themselves, or through one of `groups` (the
    user groups called to cases they belong to)."""

    user: str
    everything: bool = False
    groups: tuple[str, ...] = ()
    customer: str | None = None  # a customer in their channel: that organisation's cases, and only those


class People(AgentDirectory, Protocol):
    """Agents, and user group membership (which may ask Slack: never call it holding a database lock)."""

    def in_group(self, user_id: str, usergroup: str) -> bool: ...


def customer_standing(standing: Standing, case_customer: str | None, viewer_customer: str) -> Standing:
    """A customer in their channel: their organisation's cases as a reporter sees them; any other, nothing."""
    if case_customer != viewer_customer:
        return Standing.NONE
    return Standing.REPORTER if standing in (Standing.NONE, Standing.PARTY) else standing


def standing_of(people: People, actor: str, reporter: str, parties: Iterable[Party]) -> Standing:
    """The actor's standing on a case reported by `reporter` whose recorded parties are `parties`."""
    if people.is_agent(actor):
        return Standing.AGENT
    parties = list(parties)
    if any(p.who == actor for p in parties if not p.is_group):
        return Standing.PARTY
    groups = dict.fromkeys(p.who for p in parties if p.is_group)
    if any(people.in_group(actor, group) for group in groups):
        return Standing.PARTY
    return Standing.REPORTER if actor == reporter else Standing.NONE


# --- who was called, per case ---------------------------------------------------------------------


def escalation_parties(level: int, escalation: EscalationConfig) -> list[Party]:
    """Whom an escalation (or, for level 2, an SLA ping) calls: the CS Lead or the engineers, when configured."""
    who, role = (escalation.cs_lead, Role.CS_LEAD) if level == 2 else (escalation.engineers, Role.ENGINEERS)
    return [Party(who, role)] if who else []


_PG_INVOLVE = text(
    """
    INSERT INTO case_parties (case_id, party_id, role, added_at)
    SELECT v.case_id, v.party_id, v.role, :now
    FROM json_to_recordset(CAST(:rows AS json)) AS v(case_id integer, party_id text, role text)
    ON CONFLICT (case_id, party_id, role) DO NOTHING
    """
)
# "WHERE true" lets SQLite parse ON CONFLICT after INSERT … SELECT.
_SQLITE_INVOLVE = text(
    """
    INSERT INTO case_parties (case_id, party_id, role, added_at)
    SELECT json_extract(value, '$.case_id'), json_extract(value, '$.party_id'), json_extract(value, '$.role'), :now
    FROM json_each(:rows) WHERE true
    ON CONFLICT (case_id, party_id, role) DO NOTHING
    """
).bindparams(bindparam("now", type_=UTCDateTime()))


def involve(session: Session, rows: Sequence[tuple[int, Party]], now: datetime) -> None:
    """Record (case id, party) pairs in the caller's transaction; one statement, pairs already known are kept."""
    if not rows:
        return
    data = [{"case_id": case_id, "party_id": party.who, "role": str(party.role)} for case_id, party in rows]
    statement = _PG_INVOLVE if is_postgres(session) else _SQLITE_INVOLVE
    session.execute(statement, {"now": now, "rows": json.dumps(data)})


def party_groups(session: Session) -> list[str]:
    """The user groups ever called to a case (the fallback group, the engineers): few, whatever the cases."""
    rows = session.execute(select(col(CaseParty.party_id)).where(col(CaseParty.party_id).like("S%")).distinct())
    return [who for (who,) in rows if is_usergroup(who)]


def parties_of(session: Session, case_id: int) -> list[Party]:
    rows = session.execute(
        select(col(CaseParty.party_id), col(CaseParty.role))
        .where(col(CaseParty.case_id) == case_id)
        .order_by(col(CaseParty.id))
    )
    return [Party(who, Role(role)) for who, role in rows]
