"""The support desk as the Slack side sees it: its language, time zone, channels and limits.

Listeners (through Bolt's context) and renderers get this instead of the whole configuration.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.business_calendar import BusinessCalendar
from bot.config import BehaviourConfig, ChannelsConfig, EscalationConfig
from bot.i18n import Language
from bot.plans import PlanCatalog
from bot.sla import SlaPolicy, TargetPolicy
from bot.slack.times import format_due


@dataclass(frozen=True)
class Desk:
    language: Language
    timezone: str  # the desk's IANA zone: times are shown in it
    channels: ChannelsConfig
    escalation: EscalationConfig  # who L2/L3 are, for thread lines and CS Lead pings
    title_max_length: int
    reopen_days: int
    oncall_timezone: str  # what `/oncall set … until 18:00` means
    targets: TargetPolicy  # the first-response targets the case form describes
    plans: PlanCatalog  # the plans' labels and targets, for cards, lists and `/case show`

    @classmethod
    def from_config(cls, config: BehaviourConfig, targets: TargetPolicy | None = None) -> Desk:
        """The desk of `config`; `targets`: the policy the SLA clock uses (by default, [sla]'s)."""
        return cls(
            language=Language(config.language),
            timezone=config.business_hours.timezone,
            channels=config.channels,
            escalation=config.escalation,
            title_max_length=config.cases.title_max_length,
            reopen_days=config.cases.reopen_window.days,
            oncall_timezone=config.oncall.timezone,
            targets=targets or SlaPolicy(config.sla, BusinessCalendar(config.business_hours)),
            plans=PlanCatalog.from_config(config),
        )

    def when(self, moment: datetime, language: str | None = None) -> str:
        """A moment as people here read it: 「11/24(月) 12:00」."""
        return format_due(moment, self.timezone, language or self.language)
