"""The customer directory: organisations, their plan and contract, and their Slack channels.

A customer has any number of channels (a shared Slack Connect channel, an internal per-customer
channel); a channel belongs to at most one customer — the channel ID is the key of its row. Reads
return frozen `CustomerRecord`s, never live ORM rows. What makes a customer valid is decided here
(`parse_customer`); which plans exist is the configuration's business, passed in.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Literal

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import case, delete, or_, select
from sqlmodel import Session, col

from bot.clock import Clock
from bot.config import ChannelId
from bot.database import Database
from bot.models import Customer, CustomerChannel

CUSTOMER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
NAME_MAX_LENGTH = 200
SEARCH_LIMIT_MAX = 100
_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})")
_CHANNEL = TypeAdapter(ChannelId)

Change = Literal["added", "changed", "unchanged"]


@dataclass(frozen=True)
class CustomerData:
    """A customer as written in an import file or a form, already checked by `parse_customer`."""

    id: str
    name: str
    plan: str | None = None
    channels: tuple[str, ...] = ()
    contract_end: date | None = None
    notes: str | None = None


@dataclass(frozen=True, kw_only=True)
class CustomerRecord(CustomerData):
    """A customer as stored."""

    created_at: datetime
    updated_at: datetime

    def data(self) -> CustomerData:
        return CustomerData(**{f.name: getattr(self, f.name) for f in fields(CustomerData)})


class InvalidCustomer(ValueError):
    """One customer's fields are wrong; `problems` says each and how to fix it."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class ChannelTaken(ValueError):
    """A channel already belongs to another customer."""

    def __init__(self, channel: str, owner: str) -> None:
        super().__init__(f"channel {channel} belongs to customer {owner!r}")
        self.channel = channel
        self.owner = owner


def search_key(text: str) -> str:
    """How searches compare names and ids: NFKC (full/half width), case-folded, without spaces."""
    return "".join(unicodedata.normalize("NFKC", text or "").casefold().split())


def _clean(value: object) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip() if value is not None else ""


def parse_customer(values: Mapping[str, object], plan_ids: Collection[str]) -> CustomerData:
    """Check one customer's fields (strings from CSV, or TOML values); raise InvalidCustomer."""
    problems: list[str] = []
    customer_id = claimed_id(values)
    if not customer_id:
        problems.append('missing id (a short unique key such as "acme")')
    elif not CUSTOMER_ID.match(customer_id):
        problems.append(f'bad id {customer_id!r}: use letters, digits, ".", "-" and "_" (up to 64), e.g. "acme"')
    name = str(values.get("name") or "").strip()
    if not name:
        problems.append("missing name (the organisation's name as agents search for it)")
    elif len(name) > NAME_MAX_LENGTH:
        problems.append(f"name is longer than {NAME_MAX_LENGTH} characters")
    plan = _clean(values.get("plan")) or None
    if plan is not None and plan not in plan_ids:
        problems.append(
            f"unknown plan {plan!r} (plans: {', '.join(plan_ids)}); use one of them, or add "
            f"[plans.{plan}] to supportbot.toml first"
        )
    channels = _channels(values.get("channels"), problems)
    contract_end = _contract_end(values.get("contract_end"), problems)
    notes = str(values.get("notes") or "").strip() or None
    if problems:
        raise InvalidCustomer(problems)
    return CustomerData(customer_id, name, plan, channels, contract_end, notes)


def claimed_id(values: Mapping[str, object]) -> str:
    """The id a row claims, as `parse_customer` reads it, even when other fields are wrong."""
    return _clean(values.get("id"))


def claimed_channels(values: Mapping[str, object]) -> set[str]:
    """The channels a row claims, as `parse_customer` reads them, even when other fields are wrong."""
    value = values.get("channels")
    items = value if isinstance(value, list | tuple) else _clean(value).replace(",", " ").split()
    return {_clean(item) for item in items} - {""}


def _channels(value: object, problems: list[str]) -> tuple[str, ...]:
    channels: set[str] = set()
    for item in sorted(claimed_channels({"channels": value})):
        try:
            channels.add(_CHANNEL.validate_python(item))
        except ValidationError as exc:
            problems.append(str(exc.errors()[0]["msg"]).removeprefix("Value error, "))
    return tuple(sorted(channels))


def _contract_end(value: object, problems: list[str]) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _clean(value)
    if not text:
        return None
    match = _DATE.fullmatch(text)
    try:
        if match:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        pass
    problems.append(f"bad contract_end {text!r}: write the last day of the contract as YYYY-MM-DD, e.g. 2027-03-31")
    return None


class CustomerDirectory:
    """Customers in the database: look-ups for cases and pickers, upserts for imports."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def get(self, customer_id: str) -> CustomerRecord | None:
        with self.db.transaction() as session:
            return customer_by_id(session, customer_id)

    def find_by_channel(self, channel_id: str) -> CustomerRecord | None:
        """The customer whose channel this is, or None for an internal channel."""
        with self.db.transaction() as session:
            return customer_by_channel(session, channel_id)

    def search(self, query: str, *, limit: int = 20) -> list[CustomerRecord]:
        """Customers whose id or name contains `query` (NFKC, any case, spaces ignored): exact id
        first, then id prefixes, name prefixes, other matches, each by name. At most `limit` (≤ 100)."""
        key = search_key(query)
        limit = max(1, min(limit, SEARCH_LIMIT_MAX))
        statement = select(Customer).order_by(col(Customer.name_key), col(Customer.id)).limit(limit)
        if key:
            rank = case(
                (col(Customer.id_key) == key, 0),
                (col(Customer.id_key).startswith(key, autoescape=True), 1),
                (col(Customer.name_key).startswith(key, autoescape=True), 2),
                else_=3,
            )
            matches = or_(
                col(Customer.id_key).contains(key, autoescape=True),
                col(Customer.name_key).contains(key, autoescape=True),
            )
            statement = statement.where(matches).order_by(None).order_by(rank, col(Customer.name_key))
        with self.db.transaction() as session:
            return _records(session, list(session.scalars(statement)))

    def all(self) -> list[CustomerRecord]:
        """Every customer, by id."""
        with self.db.transaction() as session:
            return _records(session, list(session.scalars(select(Customer).order_by(col(Customer.id)))))

    def channel_owners(self) -> dict[str, str]:
        """Channel ID → customer id, for checking an import before writing it."""
        with self.db.transaction() as session:
            return {link.channel_id: link.customer_id for link in session.scalars(select(CustomerChannel))}

    def upsert(self, customer: CustomerData) -> Change:
        return self.upsert_many([customer])[0]

    def upsert_many(self, customers: Sequence[CustomerData]) -> list[Change]:
        """Add or update customers in one transaction; a customer's channels become exactly the given
        ones. Raises ChannelTaken (changing nothing) when a channel stays with another customer."""
        if len({c.id for c in customers}) != len(customers):
            raise ValueError("the same customer id is given twice")
        now = self.clock.now()
        with self.db.transaction() as session:
            rows = {c.id: session.get(Customer, c.id) for c in customers}
            current = {r.id: r for r in _records(session, [row for row in rows.values() if row])}
            changed = [c for c in customers if c.id not in current or current[c.id].data() != c]
            _release_channels(session, changed)
            owners = {link.channel_id: link.customer_id for link in session.scalars(select(CustomerChannel))}
            for customer in changed:
                _write(session, rows[customer.id], customer, now, owners)
        return [
            "added" if c.id not in current else "changed" if current[c.id].data() != c else "unchanged"
            for c in customers
        ]


def _release_channels(session: Session, customers: Iterable[CustomerData]) -> None:
    """Delete the channel rows these customers give up, so others in the same batch may take them."""
    for customer in customers:
        session.execute(
            delete(CustomerChannel).where(
                col(CustomerChannel.customer_id) == customer.id,
                col(CustomerChannel.channel_id).not_in(customer.channels),
            )
        )


def _write(
    session: Session, row: Customer | None, customer: CustomerData, now: datetime, owners: dict[str, str]
) -> None:
    values = {
        "name": customer.name,
        "plan": customer.plan,
        "contract_end": customer.contract_end,
        "notes": customer.notes,
        "id_key": search_key(customer.id),
        "name_key": search_key(customer.name),
        "updated_at": now,
    }
    if row is None:
        row = Customer.model_validate({"id": customer.id, "created_at": now, **values})
    else:
        row.sqlmodel_update(values)
    session.add(row)
    session.flush()
    for channel in customer.channels:
        owner = owners.get(channel)
        if owner is not None and owner != customer.id:
            raise ChannelTaken(channel, owner)
        if owner is None:
            session.add(CustomerChannel(channel_id=channel, customer_id=customer.id))
            owners[channel] = customer.id


def customer_by_id(session: Session, customer_id: str) -> CustomerRecord | None:
    """CustomerDirectory.get in the caller's transaction (a batch of new cases: bot/intake_batch.py)."""
    row = session.get(Customer, customer_id)
    return _records(session, [row])[0] if row else None


def customer_by_channel(session: Session, channel_id: str) -> CustomerRecord | None:
    """CustomerDirectory.find_by_channel in the caller's transaction."""
    link = session.get(CustomerChannel, channel_id)
    row = session.get(Customer, link.customer_id) if link else None
    return _records(session, [row])[0] if row else None


def _records(session: Session, rows: Sequence[Customer]) -> list[CustomerRecord]:
    ids = [row.id for row in rows]
    channels: dict[str, list[str]] = {customer_id: [] for customer_id in ids}
    if ids:
        links = session.scalars(select(CustomerChannel).where(col(CustomerChannel.customer_id).in_(ids)))
        for link in links:
            channels[link.customer_id].append(link.channel_id)
    return [
        CustomerRecord(
            id=row.id,
            name=row.name,
            plan=row.plan,
            channels=tuple(sorted(channels[row.id])),
            contract_end=row.contract_end,
            notes=row.notes,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )
        for row in rows
    ]
