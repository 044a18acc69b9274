"""Made-up but plausible support activity, the same every time: for the README's example report and
chart, the CLI tests and the benchmark.

    python -m bot.reports.sample --database sqlite:///report-sample.db

writes five weeks (2026-10-12 to 2026-11-15, in Asia/Tokyo, with the 11/3 holiday): cases of every
priority with first responses on time and late, pages for missed high targets, resolutions and
reopenings, and FAQ questions with answers, votes and gaps. `--scale` multiplies the volume.
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.config import load_default_behaviour
from bot.config_plans import IMPLICIT_PLAN_ID
from bot.reports.history import CaseDraft, History, ReplyDraft
from bot.reports.rules import ReportRules
from knowledge import BUNDLED_KNOWLEDGE
from knowledge.loader import load_entries

FIRST_DAY = date(2026, 10, 12)
DAYS = 35
SEED = 12
CUSTOMERS = ("北斗システム", "みなと物流", "青空フーズ", "さくら製作所", "東雲メディカル", "Globex Japan", None)
SAMPLE_PLAN = IMPLICIT_PLAN_ID
PRIORITIES = (("high", 0.12), ("medium", 0.5), ("low", 0.38))
GAPS = (
    ("見積書を発行してもらえますか？", 6),
    ("オンプレミス版は提供していますか？", 4),
    ("請求書の宛名を変更できますか？", 3),
    ("IPアドレス制限はできますか？", 3),
    ("監査ログはどこで見られますか？", 2),
    ("APIのレート制限を教えてください", 2),
    ("スマホアプリはありますか？", 1),
)
CHIT_CHAT = ("お疲れさまです", "ありがとうございます！", "よろしくお願いします")
USERS = tuple(f"U0USER{n:02d}" for n in range(1, 41))
AGENTS = ("U0AGENT", "U0AGENT2", "U0AGENT3")


@dataclass
class Day:
    """One local day of the scenario and what happens on it."""

    day: date
    business: bool
    cases: int
    questions: int


class Scenario:
    def __init__(self, rules: ReportRules, *, seed: int = SEED, scale: float = 1.0, end: datetime) -> None:
        self.rules = rules
        self.random = random.Random(seed)
        self.scale = scale
        self.end = end  # nothing happens at or after this instant
        self.zone = ZoneInfo(rules.timezone)
        self.history = History(rules.sla)
        self.entries = [entry.id for entry in load_entries(BUNDLED_KNOWLEDGE)]
        self.weak = set(self.entries[3:5])  # answers people often find unhelpful

    def at(self, day: date, hour: float) -> datetime:
        local = datetime.combine(day, time(0), tzinfo=self.zone) + timedelta(hours=hour)
        return local.astimezone(UTC)

    def plan(self, day: date) -> Day:
        business = self.rules.business.is_business_day(day)
        cases = self.random.randint(5, 11) if business else self.random.randint(0, 2)
        questions = self.random.randint(14, 26) if business else self.random.randint(1, 4)
        return Day(day, business, round(cases * self.scale), round(questions * self.scale))

    def run(self, first_day: date, days: int) -> History:
        for offset in range(days):
            plan = self.plan(first_day + timedelta(days=offset))
            for _ in range(plan.cases):
                self.case(plan)
            for _ in range(plan.questions):
                self.question(plan)
        return self.history

    # --- cases -----------------------------------------------------------------------------

    def case(self, plan: Day) -> None:
        rng = self.random
        hour = rng.uniform(9.0, 19.5) if plan.business or rng.random() < 0.5 else rng.uniform(0, 24)
        created = self.at(plan.day, hour)
        priority = rng.choices([p for p, _ in PRIORITIES], [w for _, w in PRIORITIES])[0]
        case = self.history.open(  # the bundled configuration has one plan: every case opens under it
            created, priority, customer=rng.choice(CUSTOMERS), title=f"問い合わせ {plan.day:%m/%d}", plan=SAMPLE_PLAN
        )
        calendar, target = self.rules.sla.calendar(priority), self.rules.sla.target(priority)
        roll = rng.random()
        if roll < 0.84:
            answered: datetime | None = calendar.add(created, target * rng.uniform(0.05, 0.9))
        elif roll < 0.97:
            answered = calendar.add(created, target * rng.uniform(1.05, 2.5))
        else:
            answered = None
        # Never answered: the reporter found the answer themselves (自己解決), before or after the due time.
        closed = None if answered else created + target * rng.uniform(0.5, 3)
        if priority == "high":
            self.pages(case, answered or closed)
        if answered is None:
            if closed is not None and closed < self.end:
                self.history.self_resolve(case, closed)
            return
        if answered >= self.end:
            return
        self.history.respond(case, answered, by=rng.choice(AGENTS))
        self.resolution(case, answered)

    def pages(self, case: CaseDraft, stopped: datetime | None) -> None:
        """Pages every 30 minutes from the due time until someone answers (or the reporter closes it)."""
        due = case.due_at
        for sequence in range(1, 5):
            at = due + timedelta(minutes=30 * (sequence - 1))
            if at >= self.end or (stopped is not None and stopped <= at):
                return
            self.history.page(case, at, sequence)

    def resolution(self, case: CaseDraft, answered: datetime) -> None:
        rng = self.random
        business = self.rules.business
        hours = rng.uniform(0.5, 20) if rng.random() > 0.05 else rng.uniform(24, 60)  # a few take days
        resolved = business.add(answered, timedelta(hours=hours))
        if resolved >= self.end:
            return
        self.history.resolve(case, resolved)
        if rng.random() < 0.06:
            reopened = resolved + timedelta(days=rng.uniform(0.5, 3))
            if reopened < self.end:
                self.history.reopen(case, reopened)
                again = business.add(reopened, timedelta(hours=rng.uniform(1, 12)))
                if again < self.end:
                    self.history.resolve(case, again)

    # --- FAQ -------------------------------------------------------------------------------

    def question(self, plan: Day) -> None:
        rng = self.random
        asked = self.at(plan.day, rng.uniform(9.0, 19.0))
        user = rng.choice(USERS)
        roll = rng.random()
        if roll < 0.62:
            entry = self.entries[min(int(rng.expovariate(0.25)), len(self.entries) - 1)]
            reply = self.history.ask(asked, "FAQの質問", "answer", entry_id=entry, user=user)
            self.feedback(reply, entry)
        elif roll < 0.85:
            self.history.ask(asked, "それっぽい質問", "suggest", user=user)
        elif roll < 0.97:
            text = rng.choices([g for g, _ in GAPS], [w for _, w in GAPS])[0]
            self.history.ask(asked, text, "none", user=user)
        else:
            self.history.ask(asked, rng.choice(CHIT_CHAT), "none", user=user)

    def feedback(self, reply: ReplyDraft, entry: str) -> None:
        rng = self.random
        if rng.random() > 0.4:
            return
        helpful = rng.random() > (0.55 if entry in self.weak else 0.15)
        voted = reply.created_at + timedelta(minutes=rng.uniform(1, 30))
        if voted >= self.end:
            return
        self.history.vote(reply, voted, helpful=helpful)
        if not helpful and rng.random() < 0.5:
            opened = voted + timedelta(minutes=5)
            case = self.history.open(
                opened, "low", reporter=reply.user_id, title="FAQで解決しなかった", plan=SAMPLE_PLAN
            )
            answered = self.rules.business.add(opened, timedelta(hours=2))
            if answered < self.end:
                self.history.respond(case, answered)
                self.resolution(case, answered)


def sample_history(
    rules: ReportRules, *, first_day: date = FIRST_DAY, days: int = DAYS, scale: float = 1.0, seed: int = SEED
) -> History:
    zone = ZoneInfo(rules.timezone)
    end = datetime.combine(first_day + timedelta(days=days), time(0), tzinfo=zone).astimezone(UTC)
    return Scenario(rules, seed=seed, scale=scale, end=end).run(first_day, days)


def main(argv: list[str] | None = None) -> int:
    from sqlalchemy import func, select

    from bot.database import Database
    from bot.migrate import upgrade_database
    from bot.models import Case

    parser = argparse.ArgumentParser(prog="python -m bot.reports.sample", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database", default="sqlite:///report-sample.db", help="SQLAlchemy URL (default: %(default)s)"
    )
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the number of cases and questions")
    parser.add_argument("--days", type=int, default=DAYS)
    args = parser.parse_args(argv)
    upgrade_database(args.database)
    db = Database(args.database)
    with db.transaction() as session:
        existing = session.execute(select(func.count()).select_from(Case)).scalar_one()
    if existing:
        db.dispose()
        print(f"{args.database} already has {existing} cases; the sample goes into an empty database", file=sys.stderr)
        return 1
    history = sample_history(ReportRules.from_config(load_default_behaviour()), days=args.days, scale=args.scale)
    history.write(db)
    db.dispose()
    print(f"{len(history.cases)} cases and {len(history.replies)} FAQ questions written to {args.database}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
