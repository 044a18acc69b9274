"""Importing a customer list: check every row, then write all of it or — only when asked — the good part.

A row is rejected for its own faults (missing id or name, unknown plan, bad channel ID, bad date) and
for ambiguity, which rejects every row involved because nobody can tell which one is right: the same
id twice, or a channel claimed by two rows. A channel that stays with a customer outside the file (or
whose row was rejected) cannot be taken either. Any rejection changes nothing, unless `partial`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, fields

from bot.customer_files import SourceRow
from bot.customers import (
    Change,
    CustomerData,
    CustomerDirectory,
    InvalidCustomer,
    claimed_channels,
    claimed_id,
    parse_customer,
)


@dataclass(frozen=True)
class Outcome:
    """A row that was (or, when nothing was applied, would have been) written."""

    location: str
    customer_id: str
    change: Change
    changed_fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rejection:
    location: str
    customer_id: str
    reasons: tuple[str, ...]


@dataclass
class ImportReport:
    outcomes: list[Outcome] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    applied: bool = False

    def of(self, change: Change) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.change == change]


@dataclass
class _Row:
    source: SourceRow
    claimed_id: str
    claimed_channels: set[str]
    data: CustomerData | None = None
    reasons: list[str] = field(default_factory=list)


def import_customers(
    directory: CustomerDirectory, rows: Sequence[SourceRow], plan_ids: Collection[str], *, partial: bool = False
) -> ImportReport:
    """Check `rows` against the plans and the directory; write them unless a row is rejected
    (with `partial`, write the accepted rows anyway)."""
    checked = [_check(row, plan_ids) for row in rows]
    _reject_ambiguity(checked)
    _reject_taken_channels(checked, directory.channel_owners())
    existing = {record.id: record.data() for record in directory.all()}
    report = ImportReport()
    accepted: list[CustomerData] = []
    for row in checked:
        if row.reasons or row.data is None:
            report.rejected.append(Rejection(row.source.location, row.claimed_id, tuple(row.reasons)))
            continue
        before = existing.get(row.data.id)
        report.outcomes.append(_outcome(row.source.location, before, row.data))
        if before != row.data:
            accepted.append(row.data)
    if report.rejected and not partial:
        return report
    if accepted:
        directory.upsert_many(accepted)
    report.applied = True
    return report


def _check(row: SourceRow, plan_ids: Collection[str]) -> _Row:
    checked = _Row(row, claimed_id(row.values), claimed_channels(row.values), reasons=list(row.problems))
    try:
        checked.data = parse_customer(row.values, plan_ids)
    except InvalidCustomer as exc:
        checked.reasons += exc.problems
    return checked


def _reject_ambiguity(rows: Sequence[_Row]) -> None:
    by_id: dict[str, list[_Row]] = defaultdict(list)
    by_channel: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        if row.claimed_id:
            by_id[row.claimed_id].append(row)
        for channel in row.claimed_channels:
            by_channel[channel].append(row)
    for same in by_id.values():
        for row in same if len(same) > 1 else ():
            others = ", ".join(other.source.location for other in same if other is not row)
            row.reasons.append(f"duplicate id {row.claimed_id!r} (also on {others}); keep one row per customer")
    for channel, claimants in sorted(by_channel.items()):
        for row in claimants if len(claimants) > 1 else ():
            others = ", ".join(f"{o.source.location} ({o.claimed_id})" for o in claimants if o is not row)
            row.reasons.append(f"channel {channel} is also claimed by {others}; a channel belongs to one customer")


def _reject_taken_channels(rows: Sequence[_Row], owners: dict[str, str]) -> None:
    """Reject rows claiming a channel that another customer keeps, until no more rows fall out
    (a rejected row keeps its stored channels, which may be what another row wanted)."""
    rejected_lines = {row.claimed_id: row.source.location for row in rows if row.reasons}
    while True:
        accepted = {row.data.id: row for row in rows if row.data is not None and not row.reasons}
        kept = {channel: owner for channel, owner in owners.items() if owner not in accepted}
        newly = []
        for row in accepted.values():
            for channel in sorted(row.claimed_channels):
                owner = kept.get(channel)
                if owner is not None:
                    row.reasons.append(_taken(channel, owner, rejected_lines.get(owner)))
                    newly.append(row)
        if not newly:
            return
        rejected_lines.update({row.claimed_id: row.source.location for row in newly})


def _taken(channel: str, owner: str, owner_line: str | None) -> str:
    if owner_line is not None:
        return f"channel {channel} stays with customer {owner!r}, whose row ({owner_line}) was rejected"
    return (
        f"channel {channel} belongs to customer {owner!r}, who is not in this file; add {owner!r} to the "
        "file without that channel (export, edit, import) to move it"
    )


def _outcome(location: str, before: CustomerData | None, after: CustomerData) -> Outcome:
    if before is None:
        return Outcome(location, after.id, "added")
    changed = tuple(f.name for f in fields(CustomerData) if getattr(before, f.name) != getattr(after, f.name))
    return Outcome(location, after.id, "changed" if changed else "unchanged", changed)
