"""Contacts and accounts (S1), companies of the desk (O2) and the staff directory.
Roles: see routes/resources.py."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import StrictBool, StringConstraints
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.enums import Role
from core.models import Account, Company, Contact, User
from sync.server.deps import Admin, Db, Staff, Supervisor
from sync.server.routes.resources_common import (
    AccountOut,
    CompanyOut,
    ContactOut,
    Email,
    In,
    Limit,
    LongText,
    Name200,
    Offset,
    Password,
    Patch,
    Ref,
    RefQuery,
    Search,
    Short40,
    UserOut,
    like,
    listing,
    page_model,
)
from sync.server.services import resources as svc

# --- contacts and accounts (S1): staff read and write -----------------------------------

contacts = APIRouter(prefix="/contacts", tags=["contacts"])


class ContactIn(In):
    name: Name200
    email: Email | None = None
    mobile: Short40 | None = None
    account_id: Ref | None = None


class ContactPatch(Patch):
    name: Name200 | None = None
    email: Email | None = None
    mobile: Short40 | None = None
    account_id: Ref | None = None


def _contact_values(session: Session, values: dict[str, Any]) -> dict[str, Any]:
    if "email" in values:
        values["email"] = svc.optional_email(values["email"])
    svc.check_ref(session, Account, "account_id", values.get("account_id"), "account")
    return values


@contacts.get("", response_model=page_model(ContactOut))
def list_contacts(
    _user: Staff,
    session: Db,
    q: Search = None,
    account_id: RefQuery = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Any:
    query = select(Contact).order_by(Contact.name, Contact.id)
    if q:
        query = query.where(or_(like(Contact.name, q), like(Contact.email, q)))
    if account_id:
        query = query.where(Contact.account_id == account_id)
    return listing(session, query, limit, offset)


@contacts.post("", response_model=ContactOut, status_code=201)
def create_contact(body: ContactIn, _user: Staff, session: Db) -> Any:
    contact = Contact(**_contact_values(session, body.model_dump()))
    session.add(contact)
    return svc.saved(session, contact)


@contacts.get("/{contact_id}", response_model=ContactOut)
def get_contact(contact_id: str, _user: Staff, session: Db) -> Any:
    return svc.get_row(session, Contact, contact_id, "contact")


@contacts.patch("/{contact_id}", response_model=ContactOut)
def update_contact(contact_id: str, body: ContactPatch, _user: Staff, session: Db) -> Any:
    contact = svc.get_row(session, Contact, contact_id, "contact")
    svc.check_base_version(contact, body.base_version, "contact")
    svc.apply(contact, _contact_values(session, body.changes("name")))
    return svc.saved(session, contact)


@contacts.delete("/{contact_id}", status_code=204)
def delete_contact(contact_id: str, _user: Staff, session: Db) -> None:
    svc.delete_unused(session, svc.get_row(session, Contact, contact_id, "contact"), "contact")
    session.commit()


accounts = APIRouter(prefix="/accounts", tags=["accounts"])


class AccountIn(In):
    name: Name200
    phone: Short40 | None = None
    email: Email | None = None
    address: LongText | None = None


class AccountPatch(Patch):
    name: Name200 | None = None
    phone: Short40 | None = None
    email: Email | None = None
    address: LongText | None = None


def _account_values(values: dict[str, Any]) -> dict[str, Any]:
    if "email" in values:
        values["email"] = svc.optional_email(values["email"])
    return values


@accounts.get("", response_model=page_model(AccountOut))
def list_accounts(
    _user: Staff, session: Db, q: Search = None, limit: Limit = 50, offset: Offset = 0
) -> Any:
    query = select(Account).order_by(Account.name, Account.id)
    if q:
        query = query.where(or_(like(Account.name, q), like(Account.email, q)))
    return listing(session, query, limit, offset)


@accounts.post("", response_model=AccountOut, status_code=201)
def create_account(body: AccountIn, _user: Staff, session: Db) -> Any:
    account = Account(**_account_values(body.model_dump()))
    session.add(account)
    return svc.saved(session, account)


@accounts.get("/{account_id}", response_model=AccountOut)
def get_account(account_id: str, _user: Staff, session: Db) -> Any:
    return svc.get_row(session, Account, account_id, "account")


@accounts.patch("/{account_id}", response_model=AccountOut)
def update_account(account_id: str, body: AccountPatch, _user: Staff, session: Db) -> Any:
    account = svc.get_row(session, Account, account_id, "account")
    svc.check_base_version(account, body.base_version, "account")
    svc.apply(account, _account_values(body.changes("name")))
    return svc.saved(session, account)


@accounts.delete("/{account_id}", status_code=204)
def delete_account(account_id: str, _user: Staff, session: Db) -> None:
    svc.delete_unused(session, svc.get_row(session, Account, account_id, "account"), "account")
    session.commit()


# --- companies of the desk (O2): staff read, supervisors write ---------------------------

companies = APIRouter(prefix="/companies", tags=["companies"])


class CompanyIn(In):
    name: Name200


class CompanyPatch(Patch):
    name: Name200 | None = None


@companies.get("", response_model=page_model(CompanyOut))
def list_companies(_user: Staff, session: Db, limit: Limit = 50, offset: Offset = 0) -> Any:
    return listing(session, select(Company).order_by(Company.name, Company.id), limit, offset)


@companies.post("", response_model=CompanyOut, status_code=201)
def create_company(body: CompanyIn, _user: Supervisor, session: Db) -> Any:
    company = Company(**body.model_dump())
    session.add(company)
    return svc.saved(session, company)


@companies.get("/{company_id}", response_model=CompanyOut)
def get_company(company_id: str, _user: Staff, session: Db) -> Any:
    return svc.get_row(session, Company, company_id, "company")


@companies.patch("/{company_id}", response_model=CompanyOut)
def update_company(company_id: str, body: CompanyPatch, _user: Supervisor, session: Db) -> Any:
    company = svc.get_row(session, Company, company_id, "company")
    svc.check_base_version(company, body.base_version, "company")
    svc.apply(company, body.changes("name"))
    return svc.saved(session, company)


@companies.delete("/{company_id}", status_code=204)
def delete_company(company_id: str, _user: Supervisor, session: Db) -> None:
    svc.delete_unused(session, svc.get_row(session, Company, company_id, "company"), "company")
    session.commit()


# --- users: a staff directory; admins manage logins ---------------------------------------

users = APIRouter(prefix="/users", tags=["users"])


class UserIn(In):
    username: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.@-]{1,80}$")]
    display_name: Name200
    role: Role = Role.AGENT
    email: Email | None = None
    mobile: Short40 | None = None
    company_id: Ref | None = None
    contact_id: Ref | None = None
    auto_follow: StrictBool = True
    active: StrictBool = True
    # hashed with argon2id; without one the user cannot log in until an admin sets it
    password: Password | None = None


class UserPatch(Patch):
    display_name: Name200 | None = None
    role: Role | None = None
    email: Email | None = None
    mobile: Short40 | None = None
    company_id: Ref | None = None
    contact_id: Ref | None = None
    auto_follow: StrictBool | None = None
    active: StrictBool | None = None
    password: Password | None = None


@users.get("", response_model=page_model(UserOut))
def list_users(
    *,
    _user: Staff,
    session: Db,
    q: Search = None,
    role: Role | None = None,
    active: bool | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Any:
    query = select(User).order_by(User.display_name, User.id)
    if q:
        query = query.where(or_(like(User.display_name, q), like(User.username, q)))
    if role is not None:
        query = query.where(User.role == role)
    if active is not None:
        query = query.where(User.active.is_(active))
    return listing(session, query, limit, offset)


@users.post("", response_model=UserOut, status_code=201)
def create_user(body: UserIn, _admin: Admin, session: Db) -> Any:
    user = svc.create_user(session, body.model_dump(exclude={"password"}), body.password)
    return svc.saved(session, user, "That user name")


@users.get("/{user_id}", response_model=UserOut)
def get_user(user_id: str, _user: Staff, session: Db) -> Any:
    return svc.get_row(session, User, user_id, "user")


@users.patch("/{user_id}", response_model=UserOut)
def update_user(user_id: str, body: UserPatch, _admin: Admin, session: Db) -> Any:
    user = svc.get_row(session, User, user_id, "user")
    svc.check_base_version(user, body.base_version, "user")
    changes = body.changes("display_name", "role", "auto_follow", "active")
    password = changes.pop("password", None)
    svc.update_user(session, user, changes, password)
    return svc.saved(session, user)


@users.delete("/{user_id}", status_code=204)
def deactivate_user(user_id: str, _admin: Admin, session: Db) -> None:
    """Deactivates: a user's tickets and messages keep their author."""
    svc.deactivate_user(session, svc.get_row(session, User, user_id, "user"))
    session.commit()


routers = (contacts, accounts, companies, users)
