"""The audit trail: who did what to which data, appended in the same transaction as the act.

Every access to response data and every change to accounts, waves and exclusions leaves an
entry. Entries are written here and nowhere else; the table refuses UPDATE and DELETE in the
database itself (see `survey.storage.models.APPEND_ONLY_SQLITE`), so not even a purge can rewrite it.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from survey.storage.db import Database
from survey.storage.models import AuditEntry

# Every action name the app records, with what it means for an auditor reading the log.
ACTIONS: Final[dict[str, str]] = {
    "login.success": "登录成功",
    "login.failure": "登录失败",
    "login.locked": "因多次登录失败锁定账户（旧版本的记录）",
    "login.throttled": "登录失败次数过多，暂不受理",
    "logout": "退出登录",
    "results.view": "查看结果",
    "responses.view": "查看答卷或意见原文",
    "download": "下载答卷数据",
    "exclusion.add": "排除答卷",
    "exclusion.remove": "撤销排除",
    "user.add": "新增账户",
    "user.change": "修改账户",
    "wave.publish": "发布批次结果",
    "wave.unpublish": "撤回批次结果",
    "invitations.create": "生成邀请码",
    "audit.export": "导出审计日志",
    "purge": "按保存期限删除答卷",
    "fieldwork.frame_import": "导入电话调查名单",
    "fieldwork.open": "开始或调整电话调查",
    "fieldwork.close": "结束电话调查",
    "fieldwork.draw": "抽取电话调查样本",
    "fieldwork.release": "发放电话调查样本",
    "fieldwork.purge": "删除已结束电话调查的号码",
    "case.take": "电话访问：领取个案",
    "case.open": "电话访问：查看个案（显示号码）",
    "case.outcome": "电话访问：记录拨打结果",
}
ANONYMOUS: Final = "anonymous"
PAGE_SIZE: Final = 200


def cli_actor() -> str:
    """The actor recorded for a command run on a server: the operating-system account."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "cli:unknown"


def record(
    session: Session,
    at: datetime,
    actor: str,
    action: str,
    target: str = "",
    detail: Mapping[str, Any] | None = None,
    source: str = "",
) -> None:
    """Append one entry inside the caller's transaction, so the act and its trace commit together."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; add it to survey.storage.audit.ACTIONS")
    session.add(
        AuditEntry(
            at=at,
            actor=actor[:254],
            action=action,
            target=target[:200],
            detail=dict(detail or {}),
            source=source,
        )
    )


def append(db: Database, at: datetime, actor: str, action: str, **fields: Any) -> None:
    """`record` in a transaction of its own, for acts that write nothing else (views, downloads)."""
    with db.transaction() as session:
        record(session, at, actor, action, **fields)


@dataclass(frozen=True)
class Filters:
    """Which entries to read; every field empty means all. Times are aware UTC, `until` exclusive.

    They become a WHERE clause, so the database does the filtering: a filter that matches only
    old entries costs one query, not a scan of the log in Python.
    """

    action: str = ""
    actor: str = ""  # part of the actor, any case; LIKE's wildcards match themselves
    since: datetime | None = None
    until: datetime | None = None

    def where(self) -> list[ColumnElement[bool]]:
        """The SQL conditions for the filters that are set."""
        conditions: list[ColumnElement[bool]] = []
        if self.action:
            conditions.append(AuditEntry.action == self.action)
        if self.actor:
            conditions.append(AuditEntry.actor.icontains(self.actor, autoescape=True))
        if self.since is not None:
            conditions.append(AuditEntry.at >= self.since)
        if self.until is not None:
            conditions.append(AuditEntry.at < self.until)
        return conditions

    def describe(self) -> dict[str, str]:
        """The filters that are set, as an export's audit entry records them."""
        shown = {
            "action": self.action,
            "actor": self.actor,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }
        return {key: value for key, value in shown.items() if value}


EVERYTHING: Final = Filters()


def entries(
    db: Database,
    before_id: int | None = None,
    limit: int = PAGE_SIZE,
    filters: Filters = EVERYTHING,
) -> list[AuditEntry]:
    """A page of matching entries, newest first; `before_id` continues from the previous page.

    Keyset paging on the primary key: a deep page costs what the first one does (OFFSET would
    read and discard every entry before it).
    """
    query = select(AuditEntry).where(*filters.where()).order_by(AuditEntry.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    with db.transaction() as session:
        return list(session.scalars(query))


def all_entries(
    db: Database, chunk: int = 5000, filters: Filters = EVERYTHING
) -> Iterator[AuditEntry]:
    """Every matching entry, oldest first, read `chunk` at a time so an export never holds the
    whole log. Each chunk is its own short transaction: a slow client keeps no snapshot open."""
    query = select(AuditEntry).where(*filters.where()).order_by(AuditEntry.id).limit(chunk)
    last = 0
    while True:
        with db.transaction() as session:
            rows = list(session.scalars(query.where(AuditEntry.id > last)))
        yield from rows
        if len(rows) < chunk:  # the last chunk: no need to ask for an empty one
            return
        last = rows[-1].id
