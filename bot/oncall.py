"""Who is paged: the rotation, unless an agent has put someone else on call for a while; with nobody
on call, the [oncall] fallback user group, or @here in the emergency channel.

Putting someone on call (or ending it) is told, through the outbox: a DM to whoever is on call now,
and one line in the emergency channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import or_, select, update
from sqlmodel import Session, col

from bot.agents import AgentDirectory
from bot.clock import Clock
from bot.config import OncallConfig
from bot.database import Database, rowcount
from bot.errors import UserFacingError
from bot.identifiers import is_user
from bot.models import OncallOverride
from bot.outbox import Outbox, OutboxItem, enqueue_many
from bot.outbox_kinds import OutboxKind, oncall_keys
from bot.rotation import OncallRotation

Source = Literal["override", "rotation", "fallback", "nobody"]


@dataclass(frozen=True)
class OnCall:
    primary: str | None
    secondary: str | None
    source: Source
    since: datetime | None
    until: datetime | None
    override_by: str | None = None

    @property
    def mentions(self) -> list[str]:
        """User or user group IDs to mention, primary first."""
        return [who for who in (self.primary, self.secondary) if who]

    @property
    def pages_here(self) -> bool:
        """Nobody on call and no fallback user group ([oncall] fallback = "here"): a page calls @here."""
        return self.source == "nobody"


class OncallService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        config: OncallConfig,
        agents: AgentDirectory,
        outbox: Outbox | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.config = config
        self.rotation = OncallRotation(config)
        self.fallback = config.fallback_group
        self.agents = agents
        self.outbox = outbox

    def _active_override(self, at: datetime, session: Session | None) -> OncallOverride | None:
        query = (
            select(OncallOverride)
            .where(
                col(OncallOverride.cleared_at).is_(None),
                col(OncallOverride.starts_at) <= at,
                or_(col(OncallOverride.ends_at).is_(None), col(OncallOverride.ends_at) > at),
            )
            .order_by(col(OncallOverride.created_at).desc(), col(OncallOverride.id).desc())
            .limit(1)
        )
        if session is not None:  # inside the caller's transaction (SQLite allows one writer)
            return session.execute(query).scalar_one_or_none()
        with self.db.transaction() as own:
            return own.execute(query).scalar_one_or_none()

    def at(self, when: datetime | None = None, *, session: Session | None = None) -> OnCall:
        """Who is on call at `when` (now by default)."""
        when = when or self.clock.now()
        shift = self.rotation.shift_at(when)
        override = self._active_override(when, session)
        if override is not None:
            return OnCall(
                primary=override.user_id,
                secondary=shift.secondary,
                source="override",
                since=override.starts_at,
                until=override.ends_at,
                override_by=override.created_by,
            )
        if shift.primary:
            return OnCall(shift.primary, shift.secondary, "rotation", shift.start, shift.end)
        if self.fallback:
            return OnCall(self.fallback, None, "fallback", None, None)
        return OnCall(None, None, "nobody", None, None)

    def next(self, when: datetime | None = None) -> OnCall:
        """The next rotation shift after the current one (overrides are not forecast)."""
        when = when or self.clock.now()
        shift = self.rotation.next_shift(when)
        if shift.primary:
            return OnCall(shift.primary, shift.secondary, "rotation", shift.start, shift.end)
        if self.fallback:
            return OnCall(self.fallback, None, "fallback", None, None)
        return OnCall(None, None, "nobody", None, None)

    def set_override(self, user: str, until: datetime | None, actor: str) -> OncallOverride:
        """Put `user` on call from now until `until` (default: the next handoff). Agents only; audited."""
        if not self.agents.is_agent(actor):
            raise UserFacingError("case.error.not_agent")
        now = self.clock.now()
        end = until or self.rotation.shift_at(now).end
        if end <= now:
            raise UserFacingError("oncall.error.until_past")
        override = OncallOverride(user_id=user, starts_at=now, ends_at=end, created_by=actor, created_at=now)
        with self.db.transaction() as session:
            session.add(override)
            session.flush()
            assert override.id is not None
            keys = self._tell(session, override.id, "set", OnCall(user, None, "override", now, end), actor, now)
        self._deliver(keys)
        return override

    def clear_override(self, actor: str) -> int:
        """End every active override now; returns how many were active."""
        if not self.agents.is_agent(actor):
            raise UserFacingError("case.error.not_agent")
        now = self.clock.now()
        active = (
            col(OncallOverride.cleared_at).is_(None),
            or_(col(OncallOverride.ends_at).is_(None), col(OncallOverride.ends_at) > now),
        )
        with self.db.transaction() as session:
            first = session.execute(select(col(OncallOverride.id)).where(*active).order_by(col(OncallOverride.id)))
            first_id = first.scalars().first()
            count = rowcount(
                session.execute(update(OncallOverride).where(*active).values(cleared_at=now, cleared_by=actor))
            )
            keys = self._tell(session, first_id, "clear", self.at(now, session=session), actor, now) if first_id else []
        self._deliver(keys)
        return count

    def _tell(
        self, session: Session, override_id: int, change: str, now_on: OnCall, actor: str, now: datetime
    ) -> list[str]:
        """Queue the DM to whoever is on call after the change, and the emergency channel's line."""
        if self.outbox is None:
            return []
        dm_key, line_key = oncall_keys(override_id, change)
        until = now_on.until.isoformat() if now_on.until else None
        payload = {"change": change, "who": now_on.primary, "until": until, "by": actor}
        items = [OutboxItem(line_key, OutboxKind.ONCALL_LINE, None, payload)]
        if is_user(now_on.primary):
            items.insert(0, OutboxItem(dm_key, OutboxKind.ONCALL_DM, None, {**payload, "user": now_on.primary}))
        return sorted(enqueue_many(session, items, now))

    def _deliver(self, keys: list[str]) -> None:
        if self.outbox is not None and keys:
            self.outbox.deliver_keys(keys)

    def history(self, limit: int = 10) -> list[OncallOverride]:
        with self.db.transaction() as session:
            return list(
                session.execute(select(OncallOverride).order_by(col(OncallOverride.id).desc()).limit(limit)).scalars()
            )
