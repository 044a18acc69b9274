"""Configuration: secrets and locations from the environment, behaviour from supportbot.toml.

Every mistake is reported at start with the key that is wrong and how to fix it, never later
as a stack trace in the middle of a request.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BeforeValidator, Field, ValidationError, field_validator, model_validator

from bot.config_faq import FaqConfig
from bot.config_plans import CustomersConfig, PlanConfig, ResponseTarget, plan_problems
from bot.config_problems import validation_problems, without_replaced_keys
from bot.config_section import Section
from bot.durations import parse_duration
from bot.identifiers import is_channel, is_user, is_usergroup
from bot.settings import ConfigError

EXAMPLE_CONFIG_PATH = Path(__file__).resolve().parents[1] / "supportbot.example.toml"

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _duration(value: Any) -> timedelta:
    return parse_duration(value)


Duration = Annotated[timedelta, BeforeValidator(_duration)]


def _check_channel(value: str) -> str:
    if not is_channel(value):
        raise ValueError(
            f'{value!r} is not a Slack channel ID; use the ID (e.g. "C0123ABCD", shown at the bottom '
            "of the channel's details), not its #name"
        )
    return value


def _check_user(value: str) -> str:
    if not is_user(value):
        raise ValueError(
            f'{value!r} is not a Slack user ID; use the member ID (e.g. "U0123ABCD", from the user\'s '
            "profile > ⋮ > Copy member ID), not a name"
        )
    return value


def _check_usergroup(value: str) -> str:
    if not is_usergroup(value):
        raise ValueError(f'{value!r} is not a Slack user group ID (e.g. "S0123ABCD")')
    return value


def _check_user_or_group(value: str) -> str:
    if is_user(value) or is_usergroup(value):
        return value
    raise ValueError(f'{value!r} is neither a Slack user ID ("U0123ABCD") nor a user group ID ("S0123ABCD")')


ChannelId = Annotated[str, BeforeValidator(lambda v: _check_channel(str(v)))]
UserId = Annotated[str, BeforeValidator(lambda v: _check_user(str(v)))]
UsergroupId = Annotated[str, BeforeValidator(lambda v: _check_usergroup(str(v)))]
UserOrGroupId = Annotated[str, BeforeValidator(lambda v: _check_user_or_group(str(v)))]


class ChannelsConfig(Section):
    cases: ChannelId = Field(description="channel ID where new cases are posted")
    emergency: ChannelId = Field(description="channel ID of the emergency channel (e.g. #dev-emergency)")
    faq: list[ChannelId] = Field(
        default_factory=list,
        description="channel IDs where the bot answers questions; [] answers in every channel it is in",
    )


class AgentsConfig(Section):
    users: list[UserId] = Field(default_factory=list, description="user IDs of support agents")
    usergroups: list[UsergroupId] = Field(
        default_factory=list, description="user group IDs whose members are support agents"
    )


class CasesConfig(Section):
    reopen_window: Duration = Field(
        default=timedelta(days=14), description='how long after resolution a case may be reopened, e.g. "14d"'
    )
    title_max_length: int = Field(default=200, ge=20, le=1000, description="longest accepted case title")


class EscalationConfig(Section):
    cs_lead: UserOrGroupId | None = Field(
        default=None, description="L2: the CS Lead (user or user group ID) mentioned on escalation and misses"
    )
    engineers: UserOrGroupId | None = Field(
        default=None, description="L3: the engineers (user or user group ID) mentioned on escalation to L3"
    )
    issue_tracker_url: str | None = Field(
        default=None,
        description="link for filing an engineering ticket on L3 escalation, e.g. a Jira create-issue URL",
    )


SlaTarget = ResponseTarget  # [sla.<priority>]: the targets of the implicit plan (bot/config_plans.py)


class SlaConfig(Section):
    check_interval: Duration = Field(default=timedelta(seconds=60), description="how often the SLA job runs")
    warn_at: float = Field(
        default=0.75, ge=0.0, lt=1.0, description="warn when this share of the target has elapsed (0 = never)"
    )
    renotify: Duration = Field(
        default=timedelta(minutes=30), description='repeat the breach ping until acknowledged ("0" = once)'
    )
    escalate_after: int = Field(
        default=2,
        ge=0,
        le=100,
        description="re-pages nobody acknowledged before the secondary on call is paged too, and as many "
        "more before the CS Lead is (0 = never)",
    )
    high: SlaTarget = SlaTarget(target=timedelta(hours=2), calendar="24x7")
    medium: SlaTarget = SlaTarget(target=timedelta(hours=6), calendar="business")
    low: SlaTarget = SlaTarget(target=timedelta(hours=8), calendar="business")

    @field_validator("check_interval")
    @classmethod
    def _interval_positive(cls, value: timedelta) -> timedelta:
        if value < timedelta(seconds=1):
            raise ValueError('must be at least "1s"')
        return value

    def for_priority(self, priority: str) -> SlaTarget:
        target: SlaTarget = getattr(self, priority)
        return target


def _hhmm(value: Any) -> time:
    if isinstance(value, time):
        return value
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", str(value).strip())
    if not match or int(match.group(1)) > 24 or int(match.group(2)) > 59:
        raise ValueError(f'expected a time such as "10:00", got {value!r}')
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour == 24:
        if minute:
            raise ValueError(f'expected a time such as "18:00", got {value!r}')
        return time(23, 59, 59, 999999)
    return time(hour, minute)


def _timezone(value: Any) -> str:
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f'unknown time zone {value!r}; use an IANA name such as "Asia/Tokyo"') from None
    return str(value)


def _month_day(value: Any) -> str:
    match = re.fullmatch(r"(\d{2})-(\d{2})", str(value).strip())
    try:
        valid = bool(match) and bool(date(2024, int(match.group(1)), int(match.group(2))))  # type: ignore[union-attr]
    except ValueError:  # 2024 is a leap year, so "02-29" is accepted
        valid = False
    if not valid:
        raise ValueError(f'expected a date as "MM-DD" such as "12-29", got {value!r}')
    return str(value).strip()


def _weekday(value: Any) -> str:
    day = str(value).strip().lower()[:3]
    if day not in WEEKDAYS:
        raise ValueError(f"expected one of {', '.join(WEEKDAYS)}, got {value!r}")
    return day


TimeOfDay = Annotated[time, BeforeValidator(_hhmm)]
TimeZoneName = Annotated[str, BeforeValidator(_timezone)]
MonthDay = Annotated[str, BeforeValidator(_month_day)]
Weekday = Annotated[str, BeforeValidator(_weekday)]


class BusinessHoursConfig(Section):
    timezone: TimeZoneName = Field(default="Asia/Tokyo", description="IANA time zone of the support desk")
    days: list[Weekday] = Field(
        default_factory=lambda: ["mon", "tue", "wed", "thu", "fri"], description="working weekdays"
    )
    start: TimeOfDay = Field(default=time(10, 0), description='opening time, e.g. "10:00"')
    end: TimeOfDay = Field(default=time(18, 0), description='closing time, e.g. "18:00"')
    holidays: Literal["JP", "none"] = Field(default="JP", description='"JP" (Japanese public holidays) or "none"')
    closed: list[MonthDay] = Field(
        default_factory=lambda: ["12-29", "12-30", "12-31", "01-02", "01-03"],
        description='company closures every year, as "MM-DD"',
    )

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, value: time, info: Any) -> time:
        start = info.data.get("start")
        if start is not None and value <= start:
            raise ValueError(f"must be later than start ({start:%H:%M})")
        return value

    @field_validator("days")
    @classmethod
    def _some_days(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError('needs at least one working day, e.g. ["mon", "tue", "wed", "thu", "fri"]')
        return value


def _handoff(value: Any) -> str:
    match = re.fullmatch(r"([a-zA-Z]{3})\w*\s+(\d{1,2}:\d{2})", str(value).strip())
    if not match:
        raise ValueError(f'expected a weekday and a time such as "mon 10:00", got {value!r}')
    return f"{_weekday(match.group(1))} {_hhmm(match.group(2)):%H:%M}"


HERE = "here"
"""[oncall] fallback: page @here in the emergency channel (the bot mints it; nothing a user types can)."""


def _fallback(value: Any) -> str:
    text = str(value).strip()
    if text.casefold() == HERE:
        return HERE
    if not is_usergroup(text):
        raise ValueError(f'{value!r} is neither a user group ID (e.g. "S0123ABCD") nor "here"')
    return text


class OncallConfig(Section):
    rotation: list[UserId] = Field(default_factory=list, description="user IDs taking on-call in turn, weekly")
    secondary: list[UserId] = Field(default_factory=list, description="optional secondary rotation")
    handoff: Annotated[str, BeforeValidator(_handoff)] = Field(
        default="mon 10:00", description='when the rotation hands over, e.g. "mon 10:00"'
    )
    timezone: TimeZoneName = Field(default="Asia/Tokyo", description="time zone of the handoff time")
    start_date: str | None = Field(
        default=None, description="the date (YYYY-MM-DD) the first person in rotation was on call; unset = 2024-01-01"
    )
    fallback: Annotated[str, BeforeValidator(_fallback)] = Field(
        default=HERE,
        description='who is paged when nobody is on call: a user group ID ("S0123ABCD"), '
        'or "here" for @here in the emergency channel',
    )

    @property
    def fallback_group(self) -> str | None:
        """The user group paged when nobody is on call; None when that is @here."""
        return None if self.fallback == HERE else self.fallback

    @field_validator("start_date")
    @classmethod
    def _iso_date(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ValueError(f'expected a date as "YYYY-MM-DD", got {value!r}') from None
        return value


class ReportsConfig(Section):
    attainment_goal: float = Field(
        default=0.95,
        gt=0.0,
        le=1.0,
        description="share of cases to answer within their first-response target (the goal line of reports)",
    )
    digest_channel: ChannelId | None = Field(
        default=None, description="channel ID the weekly digest (figures and chart) is posted to; unset = no digest"
    )
    digest_at: Annotated[str, BeforeValidator(_handoff)] = Field(
        default="mon 09:30",
        description='when the weekly digest is posted, in [business_hours] timezone, e.g. "mon 09:30"; '
        "it covers the 7 days before that day",
    )


class BehaviourConfig(Section):
    """Everything in supportbot.toml."""

    language: Literal["ja", "en"] = Field(default="ja", description='"ja" or "en"')
    channels: ChannelsConfig
    agents: AgentsConfig = AgentsConfig()
    faq: FaqConfig = FaqConfig()
    cases: CasesConfig = CasesConfig()
    escalation: EscalationConfig = EscalationConfig()
    sla: SlaConfig = SlaConfig()
    business_hours: BusinessHoursConfig = BusinessHoursConfig()
    oncall: OncallConfig = OncallConfig()
    plans: dict[str, PlanConfig] = Field(default_factory=dict, description="contract plans (bot/config_plans.py)")
    customers: CustomersConfig = CustomersConfig()
    reports: ReportsConfig = ReportsConfig()

    # Where the file was read from, to resolve relative paths.
    base_dir: Path = Field(default=Path("."), exclude=True)

    def knowledge_path(self) -> Path:
        from knowledge import BUNDLED_KNOWLEDGE

        if not self.faq.knowledge_path:
            return BUNDLED_KNOWLEDGE
        path = Path(self.faq.knowledge_path).expanduser()
        return path if path.is_absolute() else (self.base_dir / path)

    @model_validator(mode="after")
    def _plans_fit_together(self) -> BehaviourConfig:
        problems = plan_problems(self.plans, self.customers, self.sla.model_fields_set, self.business_hours)
        if problems:
            raise ValueError("\n".join(problems))
        return self


def parse_behaviour(data: dict[str, Any], source: str, base_dir: Path) -> BehaviourConfig:
    """Validate a TOML document; raise ConfigError naming every wrong key."""
    data, problems = without_replaced_keys(data)
    config: BehaviourConfig | None = None
    try:
        config = BehaviourConfig.model_validate({**data, "base_dir": base_dir})
    except ValidationError as exc:
        problems += validation_problems(exc, BehaviourConfig)
    if problems or config is None:
        lines = [f"{source} has {len(problems)} problem(s):", *(f"  - {problem}" for problem in problems)]
        raise ConfigError("\n".join(lines)) from None
    return config


def load_behaviour(path: Path) -> BehaviourConfig:
    """Read and validate supportbot.toml."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"configuration file {path} not found; copy supportbot.example.toml to {path} and set your "
            "channel and user IDs, or point SUPPORTBOT_CONFIG at your file"
        ) from None
    except IsADirectoryError:
        raise ConfigError(
            f"{path} is a directory, not the configuration file (Docker creates an empty directory when the "
            f"file to bind-mount does not exist); remove it, copy supportbot.example.toml to {path}, set your "
            "channel and user IDs, and start again"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    return parse_behaviour(data, str(path), path.resolve().parent)


def load_default_behaviour() -> BehaviourConfig:
    """The bundled demo configuration the local console runs with."""
    return load_behaviour(EXAMPLE_CONFIG_PATH)
