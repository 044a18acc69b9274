"""What the teaching tests share: a small knowledge base of another domain (HR), in a folder of its own,
and the services built on it (each with an index of its own: teaching changes the index it is given)."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.clock import Clock
from bot.database import Database
from bot.notify import Notifier
from bot.services import Services, build_services
from bot.settings import Settings
from knowledge import BUNDLED_KNOWLEDGE
from knowledge.search import KnowledgeIndex
from tests.harness import make_config

HR_FAQ = """# 社内FAQ

## 勤怠

### Q: 打刻忘れの修正方法は？

**A**: 勤怠画面の「修正申請」から、日付と時刻を入れて申請してください。上長の承認で反映されます。

### Q: 有給休暇の残日数はどこで見られますか？

**言い換え**: 有休の残りを知りたい

**A**: ホーム画面の「休暇」タブに残日数と次回付与日が出ています。

## 経費

### Q: 経費精算の締め日はいつですか？

**A**: 毎月25日です。25日を過ぎた申請は翌月の精算になります。

### Q: 交通費はどうやって申請しますか？

**A**: 経費画面の「交通費」から、区間と金額を入れて申請してください。定期区間は対象外です。
"""

# What the matcher does with these on HR_FAQ before anything is taught (tests/bot/test_faq_teaching.py checks it).
FORGOT = "出勤ボタン押し忘れた"  # もしかして: 打刻忘れの修正方法は？
FORGOT_AGAIN = "出勤ボタンを押し忘れたときは？"  # the same ask, other words: もしかして too
RECEIPTS = "レシートの締め切り"  # nothing: an agent links it to 経費精算の締め日はいつですか？
PARKING = "会社の駐車場を予約したい"  # nothing, and nothing to link it to: a new entry

AGENT, AGENT2, CUSTOMER, COLLEAGUE = "U0AGENT", "U0AGENT2", "U0CUSTOMER", "U0COLLEAGUE"


def hr_knowledge(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hr.md").write_text(HR_FAQ, encoding="utf-8")
    return folder


def bundled_copy(folder: Path) -> Path:
    """The bundled knowledge base in a folder of its own (tests edit its files)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("faq.md", "support-policy.md"):
        shutil.copyfile(BUNDLED_KNOWLEDGE / name, folder / name)
    return folder


def entry_id(index: KnowledgeIndex, question: str) -> str:
    return next(e.id for e in index.entries if e.question == question)


def teaching_services(db: Database, clock: Clock, knowledge: Path, notifier: Notifier | None = None) -> Services:
    """The services on `knowledge` with an index of their own, as a replica builds them."""
    config = make_config(faq={"knowledge_path": str(knowledge)})
    services = build_services(Settings(database_url=db.url), config, clock=clock, db=db)
    services.agents.group_members = lambda group: {"S0AGENTS": [AGENT2]}.get(group, [])  # U0AGENT2: by group
    if notifier is not None:
        services.attach_notifier(notifier)
    return services
