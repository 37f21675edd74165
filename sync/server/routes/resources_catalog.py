"""What tickets are filed under: departments and subjects (C1, I1), subtypes (P3) with
their custom fields (P5), and tags (E2). Roles: see routes/resources.py."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import Field, StrictBool, StringConstraints, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.enums import Category, FieldKind
from core.errors import ValidationError
from core.models import CustomFieldDef, Department, Subject, Tag, TicketSubtype
from sync.server.deps import Db, Staff, Supervisor
from sync.server.errors import Conflict
from sync.server.routes.resources_common import (
    Clean,
    Color,
    DepartmentOut,
    FieldKey,
    FieldOut,
    In,
    Limit,
    Name80,
    Name120,
    Name200,
    Offset,
    Patch,
    Ref,
    Search,
    Sequence_,
    SubjectOut,
    SubtypeOut,
    TagOut,
    like,
    listing,
    page_model,
)
from sync.server.services import resources as svc

# --- departments and their subjects (C1, I1): supervisors write --------------------------

departments = APIRouter(prefix="/departments", tags=["departments"])


class DepartmentIn(In):
    name: Name120
    category: Category | None = None
    team_id: Ref | None = None
    active: StrictBool = True


class DepartmentPatch(Patch):
    name: Name120 | None = None
    category: Category | None = None
    team_id: Ref | None = None
    active: StrictBool | None = None


class SubjectIn(In):
    name: Name200
    sequence: Sequence_ = 10


class SubjectPatch(Patch):
    name: Name200 | None = None
    sequence: Sequence_ | None = None


@departments.get("", response_model=page_model(DepartmentOut))
def list_departments(
    _user: Staff,
    session: Db,
    active: bool | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Any:
    query = select(Department).order_by(Department.name, Department.id)
    if active is not None:
        query = query.where(Department.active.is_(active))
    return listing(session, query, limit, offset)


@departments.post("", response_model=DepartmentOut, status_code=201)
def create_department(body: DepartmentIn, user: Supervisor, session: Db) -> Any:
    svc.check_team_ref(session, user, body.team_id)
    department = Department(**body.model_dump())
    session.add(department)
    return svc.saved(session, department)


@departments.get("/{department_id}", response_model=DepartmentOut)
def get_department(department_id: str, _user: Staff, session: Db) -> Any:
    return svc.get_row(session, Department, department_id, "department")


@departments.patch("/{department_id}", response_model=DepartmentOut)
def update_department(
    department_id: str, body: DepartmentPatch, user: Supervisor, session: Db
) -> Any:
    department = svc.get_row(session, Department, department_id, "department")
    svc.check_base_version(department, body.base_version, "department")
    changes = body.changes("name", "active")
    svc.check_team_ref(session, user, changes.get("team_id"))
    svc.apply(department, changes)
    return svc.saved(session, department)


@departments.delete("/{department_id}", status_code=204)
def deactivate_department(department_id: str, _user: Supervisor, session: Db) -> None:
    """Deactivates: tickets keep their department."""
    svc.get_row(session, Department, department_id, "department").active = False
    session.commit()


@departments.get("/{department_id}/subjects", response_model=list[SubjectOut])  # type: ignore[valid-type]
def list_subjects(department_id: str, _user: Staff, session: Db) -> Any:
    department = svc.get_row(session, Department, department_id, "department")
    return session.scalars(
        select(Subject)
        .where(Subject.department_id == department.id)
        .order_by(Subject.sequence, Subject.id)
    ).all()


@departments.post("/{department_id}/subjects", response_model=SubjectOut, status_code=201)
def create_subject(department_id: str, body: SubjectIn, _user: Supervisor, session: Db) -> Any:
    department = svc.get_row(session, Department, department_id, "department")
    subject = Subject(department_id=department.id, **body.model_dump())
    session.add(subject)
    return svc.saved(session, subject)


subjects = APIRouter(prefix="/subjects", tags=["departments"])


@subjects.get("/{subject_id}", response_model=SubjectOut)
def get_subject(subject_id: str, _user: Staff, session: Db) -> Any:
    return svc.get_row(session, Subject, subject_id, "subject")


@subjects.patch("/{subject_id}", response_model=SubjectOut)
def update_subject(subject_id: str, body: SubjectPatch, _user: Supervisor, session: Db) -> Any:
    subject = svc.get_row(session, Subject, subject_id, "subject")
    svc.check_base_version(subject, body.base_version, "subject")
    svc.apply(subject, body.changes("name", "sequence"))
    return svc.saved(session, subject)


@subjects.delete("/{subject_id}", status_code=204)
def delete_subject(subject_id: str, _user: Supervisor, session: Db) -> None:
    svc.delete_unused(session, svc.get_row(session, Subject, subject_id, "subject"), "subject")
    session.commit()


# --- ticket subtypes (P3) and their custom fields (P5): supervisors write ----------------

subtypes = APIRouter(prefix="/subtypes", tags=["subtypes"])


class SubtypeIn(In):
    name: Name120
    sequence: Sequence_ = 10


class SubtypePatch(Patch):
    name: Name120 | None = None
    sequence: Sequence_ | None = None


Choice = Annotated[str, StringConstraints(min_length=1, max_length=200), Clean]


class FieldIn(In):
    key: FieldKey
    label: Name200
    kind: FieldKind = FieldKind.TEXT
    choices: Annotated[list[Choice], Field(max_length=200)] | None = None
    required: StrictBool = False
    sequence: Sequence_ = 10

    @model_validator(mode="after")
    def _choices(self) -> FieldIn:
        _check_choices(self.kind, self.choices)
        return self


class FieldPatch(Patch):
    label: Name200 | None = None
    kind: FieldKind | None = None
    choices: Annotated[list[Choice], Field(max_length=200)] | None = None
    required: StrictBool | None = None
    sequence: Sequence_ | None = None


def _check_choices(kind: FieldKind, choices: list[str] | None) -> None:
    if kind is FieldKind.CHOICE and not choices:
        raise ValidationError("choices", "A choice field needs its choices.", code="required")
    if choices and len(set(choices)) != len(choices):
        raise ValidationError("choices", "Choices must differ.", code="duplicate")


@subtypes.get("", response_model=page_model(SubtypeOut))
def list_subtypes(_user: Staff, session: Db, limit: Limit = 50, offset: Offset = 0) -> Any:
    query = select(TicketSubtype).order_by(TicketSubtype.sequence, TicketSubtype.id)
    return listing(session, query, limit, offset)


def _subtype_name_free(session: Session, name: str, own_id: str | None = None) -> None:
    other = session.scalar(select(TicketSubtype.id).where(TicketSubtype.name == name))
    if other is not None and other != own_id:
        raise Conflict(f"A subtype named {name!r} exists.", code="duplicate")


@subtypes.post("", response_model=SubtypeOut, status_code=201)
def create_subtype(body: SubtypeIn, _user: Supervisor, session: Db) -> Any:
    _subtype_name_free(session, body.name)
    subtype = TicketSubtype(**body.model_dump())
    session.add(subtype)
    return svc.saved(session, subtype, "That subtype")


@subtypes.get("/{subtype_id}", response_model=SubtypeOut)
def get_subtype(subtype_id: str, _user: Staff, session: Db) -> Any:
    return svc.get_row(session, TicketSubtype, subtype_id, "ticket subtype")


@subtypes.patch("/{subtype_id}", response_model=SubtypeOut)
def update_subtype(subtype_id: str, body: SubtypePatch, _user: Supervisor, session: Db) -> Any:
    subtype = svc.get_row(session, TicketSubtype, subtype_id, "ticket subtype")
    svc.check_base_version(subtype, body.base_version, "ticket subtype")
    changes = body.changes("name", "sequence")
    if "name" in changes:
        _subtype_name_free(session, changes["name"], subtype.id)
    svc.apply(subtype, changes)
    return svc.saved(session, subtype, "That subtype")


@subtypes.delete("/{subtype_id}", status_code=204)
def delete_subtype(subtype_id: str, _user: Supervisor, session: Db) -> None:
    """Refused (409) while tickets have the subtype; its field definitions go with it."""
    subtype = svc.get_row(session, TicketSubtype, subtype_id, "ticket subtype")
    svc.delete_unused(session, subtype, "ticket subtype", owned={"custom_field_defs"})
    session.commit()


@subtypes.get("/{subtype_id}/fields", response_model=list[FieldOut])  # type: ignore[valid-type]
def list_fields(subtype_id: str, _user: Staff, session: Db) -> Any:
    subtype = svc.get_row(session, TicketSubtype, subtype_id, "ticket subtype")
    return session.scalars(
        select(CustomFieldDef)
        .where(CustomFieldDef.subtype_id == subtype.id)
        .order_by(CustomFieldDef.sequence, CustomFieldDef.id)
    ).all()


@subtypes.post("/{subtype_id}/fields", response_model=FieldOut, status_code=201)
def create_field(subtype_id: str, body: FieldIn, _user: Supervisor, session: Db) -> Any:
    subtype = svc.get_row(session, TicketSubtype, subtype_id, "ticket subtype")
    taken = session.scalar(
        select(CustomFieldDef.id).where(
            CustomFieldDef.subtype_id == subtype.id, CustomFieldDef.key == body.key
        )
    )
    if taken is not None:
        raise Conflict(f"This subtype already has a field {body.key!r}.", code="duplicate")
    field = CustomFieldDef(subtype_id=subtype.id, **body.model_dump())
    session.add(field)
    return svc.saved(session, field, "That field")


fields = APIRouter(prefix="/custom-fields", tags=["subtypes"])


@fields.get("/{field_id}", response_model=FieldOut)
def get_field(field_id: str, _user: Staff, session: Db) -> Any:
    return svc.get_row(session, CustomFieldDef, field_id, "custom field")


@fields.patch("/{field_id}", response_model=FieldOut)
def update_field(field_id: str, body: FieldPatch, _user: Supervisor, session: Db) -> Any:
    """The key stays: ticket values are stored under it."""
    field = svc.get_row(session, CustomFieldDef, field_id, "custom field")
    svc.check_base_version(field, body.base_version, "custom field")
    changes = body.changes("label", "kind", "required", "sequence")
    _check_choices(changes.get("kind", field.kind), changes.get("choices", field.choices))
    svc.apply(field, changes)
    return svc.saved(session, field)


@fields.delete("/{field_id}", status_code=204)
def delete_field(field_id: str, _user: Supervisor, session: Db) -> None:
    """Ticket values stored under the key stay in the tickets, unshown."""
    session.delete(svc.get_row(session, CustomFieldDef, field_id, "custom field"))
    session.commit()


# --- tags (E2): staff write ---------------------------------------------------------------

tags = APIRouter(prefix="/tags", tags=["tags"])


class TagIn(In):
    name: Name80
    color: Color | None = None


class TagPatch(Patch):
    name: Name80 | None = None
    color: Color | None = None


def _tag_name_free(session: Session, name: str, own_id: str | None = None) -> None:
    other = session.scalar(select(Tag.id).where(Tag.name == name))
    if other is not None and other != own_id:
        raise Conflict(f"A tag named {name!r} exists.", code="duplicate")


@tags.get("", response_model=page_model(TagOut))
def list_tags(
    _user: Staff, session: Db, q: Search = None, limit: Limit = 100, offset: Offset = 0
) -> Any:
    query = select(Tag).order_by(Tag.name, Tag.id)
    if q:
        query = query.where(like(Tag.name, q))
    return listing(session, query, limit, offset)


@tags.post("", response_model=TagOut, status_code=201)
def create_tag(body: TagIn, _user: Staff, session: Db) -> Any:
    _tag_name_free(session, body.name)
    tag = Tag(**body.model_dump())
    session.add(tag)
    return svc.saved(session, tag, "That tag")


@tags.get("/{tag_id}", response_model=TagOut)
def get_tag(tag_id: str, _user: Staff, session: Db) -> Any:
    return svc.get_row(session, Tag, tag_id, "tag")


@tags.patch("/{tag_id}", response_model=TagOut)
def update_tag(tag_id: str, body: TagPatch, _user: Staff, session: Db) -> Any:
    tag = svc.get_row(session, Tag, tag_id, "tag")
    svc.check_base_version(tag, body.base_version, "tag")
    changes = body.changes("name")
    if "name" in changes:
        _tag_name_free(session, changes["name"], tag.id)
    svc.apply(tag, changes)
    return svc.saved(session, tag, "That tag")


@tags.delete("/{tag_id}", status_code=204)
def delete_tag(tag_id: str, _user: Staff, session: Db) -> None:
    """Refused (409) while tickets carry the tag."""
    svc.delete_unused(session, svc.get_row(session, Tag, tag_id, "tag"), "tag")
    session.commit()


routers = (departments, subjects, subtypes, fields, tags)
