"""Shared pieces of the reference-data routes: request field types that refuse unknown
fields and unstorable text, response models read from the tables, and paging."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
    create_model,
)
from sqlalchemy import JSON, ColumnElement, Select, String
from sqlalchemy import Enum as SqlEnum
from sqlalchemy.orm import Session

from core.errors import ValidationError
from core.models import (
    Account,
    CannedReply,
    Company,
    Contact,
    CustomFieldDef,
    Department,
    KbArticle,
    LeavePeriod,
    SalesTeam,
    Stage,
    Subject,
    Tag,
    Team,
    TicketSubtype,
    User,
)
from core.models.base import Base
from sync.server.schemas import ID_PATTERN, clean_text
from sync.server.services import resources as svc

# --- request field types -----------------------------------------------------------------


Clean = AfterValidator(clean_text)
Name80 = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80), Clean
]
Name120 = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120), Clean
]
Name200 = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), Clean
]
Title300 = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), Clean
]
Short40 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40), Clean]
Email = Annotated[str, StringConstraints(max_length=254), Clean]
LongText = Annotated[str, StringConstraints(max_length=100_000), Clean]
Body = Annotated[str, StringConstraints(min_length=1, max_length=100_000), Clean]
Ref = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Sequence_ = Annotated[StrictInt, Field(ge=0, le=1_000_000)]
Version = Annotated[StrictInt, Field(ge=0, le=2**31 - 1)]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]


def clean_query(value: str | None) -> str | None:
    return None if value is None else clean_text(value)


Search = Annotated[str | None, Query(max_length=200), AfterValidator(clean_query)]
RefQuery = Annotated[str | None, Query(pattern=ID_PATTERN)]
Color = Annotated[str, StringConstraints(pattern=r"^#[0-9A-Fa-f]{6}([0-9A-Fa-f]{2})?$")]
FieldKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,59}$")]
Password = Annotated[str, StringConstraints(min_length=8, max_length=1024), Clean]


class In(BaseModel):
    """Unknown fields are refused (422)."""

    model_config = ConfigDict(extra="forbid")


class Patch(In):
    """Only the fields sent change; `base_version` guards against lost updates."""

    base_version: Version | None = None

    def changes(self, *not_null: str) -> dict[str, Any]:
        sent = self.model_dump(exclude_unset=True, exclude={"base_version"})
        for key in sorted(set(not_null) & sent.keys()):
            if sent[key] is None:
                raise ValidationError(key, f"{key} cannot be empty.", code="required")
        return sent


# --- responses: the row's columns, read from the table so no column is forgotten --------


def _python_type(column: Any) -> Any:
    if isinstance(column.type, JSON):
        return Any
    if isinstance(column.type, SqlEnum) and column.type.enum_class is not None:
        return column.type.enum_class
    if isinstance(column.type, String):
        return str
    return column.type.python_type


def out_model(
    model: type[Base], name: str, *, hidden: frozenset[str] = frozenset(), **extra: Any
) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for column in model.__table__.columns:
        if column.name in hidden:
            continue
        kind = _python_type(column)
        fields[column.name] = (kind | None if column.nullable and kind is not Any else kind, ...)
    fields.update(extra)
    return create_model(name, __config__=ConfigDict(from_attributes=True), **fields)


def page_model(item: type[BaseModel]) -> type[BaseModel]:
    return create_model(
        item.__name__.removesuffix("Out") + "Page",
        items=(list[item], ...),  # type: ignore[valid-type]
        next_offset=(int | None, ...),
    )


class TeamMemberOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    user_id: str
    assignable: bool


class TeamFollowerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    user_id: str | None
    contact_id: str | None


ContactOut = out_model(Contact, "ContactOut")
AccountOut = out_model(Account, "AccountOut")
CompanyOut = out_model(Company, "CompanyOut")
UserOut = out_model(User, "DirectoryUserOut", hidden=frozenset({"password_hash"}))
TeamOut = out_model(
    Team, "TeamOut", members=(list[TeamMemberOut], ...), followers=(list[TeamFollowerOut], ...)
)
StageOut = out_model(Stage, "StageOut")
DepartmentOut = out_model(Department, "DepartmentOut")
SubjectOut = out_model(Subject, "SubjectOut")
SubtypeOut = out_model(TicketSubtype, "SubtypeOut")
FieldOut = out_model(CustomFieldDef, "CustomFieldOut")
TagOut = out_model(Tag, "TagOut")
KbOut = out_model(KbArticle, "KbArticleOut")
CannedOut = out_model(CannedReply, "CannedReplyOut")
SalesTeamOut = out_model(SalesTeam, "SalesTeamOut", member_ids=(list[str], ...))
LeaveOut = out_model(LeavePeriod, "LeavePeriodOut")


def _page(p: svc.Page) -> dict[str, Any]:
    return {"items": p.items, "next_offset": p.next_offset}


def like(column: Any, q: str) -> ColumnElement[bool]:
    escaped = q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")  # type: ignore[no-any-return]


def listing(session: Session, query: Select[Any], limit: int, offset: int) -> dict[str, Any]:
    return _page(svc.page(session, query, limit=limit, offset=offset))
