"""The two read states of a ticket (I6) and the customer's verdict on an answer (C5).

The transitions are a pure table over (staff, customer) pairs, so every writer (window,
server, mail intake) computes the same eight combinations; core.conversation.add_message
applies them to every post.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.enums import Channel, CustomerState, MessageKind, Resolution, StaffState, Status
from core.errors import ValidationError
from core.models import Message, Stage, Ticket
from core.validation import require_text


class ReadEvent(StrEnum):
    """Something that moves a ticket's read states."""

    CUSTOMER_CREATED = "customer_created"  # portal, email, web form, API
    AGENT_CREATED = "agent_created"  # an agent files on the customer's behalf (I2)
    RULE_CREATED = "rule_created"  # a workflow rule made it (S2): nobody has seen it yet
    STAFF_OPENED = "staff_opened"
    AGENT_REPLIED = "agent_replied"
    AGENT_REPLIED_FOLLOWING_UP = "agent_replied_following_up"
    INTERNAL_POST = "internal_post"  # internal note or system event: the customer sees none
    CUSTOMER_VIEWED = "customer_viewed"
    CUSTOMER_REPLIED = "customer_replied"


@dataclass(frozen=True)
class ReadStates:
    """One of the eight combinations of I6."""

    staff: StaffState
    customer: CustomerState

    @property
    def combination(self) -> int:
        """The row number (1-8) of the combination in the I6 table of seed 004."""
        staff_rank = list(StaffState).index(self.staff)
        return staff_rank + 1 + (4 if self.customer is CustomerState.READ else 0)


# event -> (new staff state or None to keep, new customer state or None to keep)
_EFFECTS: dict[ReadEvent, tuple[StaffState | None, CustomerState | None]] = {
    ReadEvent.CUSTOMER_CREATED: (StaffState.UNREAD, CustomerState.READ),
    ReadEvent.AGENT_CREATED: (StaffState.UNDER_REVIEW, CustomerState.UNREAD),
    ReadEvent.RULE_CREATED: (StaffState.UNREAD, CustomerState.UNREAD),
    ReadEvent.STAFF_OPENED: (None, None),  # unread -> under review, handled below
    ReadEvent.AGENT_REPLIED: (StaffState.ANSWERED, CustomerState.UNREAD),
    ReadEvent.AGENT_REPLIED_FOLLOWING_UP: (StaffState.ANSWERED_FOLLOWING_UP, CustomerState.UNREAD),
    ReadEvent.INTERNAL_POST: (None, None),
    ReadEvent.CUSTOMER_VIEWED: (None, CustomerState.READ),
    ReadEvent.CUSTOMER_REPLIED: (StaffState.UNREAD, CustomerState.READ),
}


def transition(states: ReadStates, event: ReadEvent) -> ReadStates:
    """The read states after `event` (pure)."""
    staff, customer = _EFFECTS[event]
    if event is ReadEvent.STAFF_OPENED and states.staff is StaffState.UNREAD:
        staff = StaffState.UNDER_REVIEW
    return ReadStates(staff or states.staff, customer or states.customer)


def event_for_message(kind: MessageKind, *, follow_up: bool = False) -> ReadEvent:
    """Which read event a new post of `kind` is."""
    if kind is MessageKind.AGENT_REPLY:
        return ReadEvent.AGENT_REPLIED_FOLLOWING_UP if follow_up else ReadEvent.AGENT_REPLIED
    if kind is MessageKind.CUSTOMER_REPLY:
        return ReadEvent.CUSTOMER_REPLIED
    return ReadEvent.INTERNAL_POST


def event_for_creation(channel: Channel) -> ReadEvent:
    """Tickets filed by an agent are on the customer's behalf, a rule's are seen by nobody
    yet; every other way in (portal, mail, web form, API, SMS) is the customer's own (S2)."""
    if channel is Channel.AGENT:
        return ReadEvent.AGENT_CREATED
    if channel is Channel.RULE:
        return ReadEvent.RULE_CREATED
    return ReadEvent.CUSTOMER_CREATED


def states_of(ticket: Ticket) -> ReadStates:
    return ReadStates(
        StaffState(ticket.staff_state or StaffState.UNREAD),
        CustomerState(ticket.customer_state or CustomerState.READ),
    )


def apply_event(ticket: Ticket, event: ReadEvent) -> bool:
    """Move `ticket`'s read states; True when they changed. Does not touch the version:
    callers that change nothing else use the mark_* helpers below."""
    before = states_of(ticket)
    after = transition(before, event)
    ticket.staff_state = after.staff
    ticket.customer_state = after.customer
    return after != before


def init_read_state(ticket: Ticket) -> None:
    """Set the read states of a ticket being created, from its channel."""
    apply_event(ticket, event_for_creation(Channel(ticket.channel or Channel.AGENT)))


def _mark(ticket: Ticket, event: ReadEvent) -> bool:
    changed = apply_event(ticket, event)
    if changed:
        ticket.version += 1
    return changed


def mark_opened_by_staff(ticket: Ticket) -> bool:
    """A staff member opened the ticket: unread becomes "seen, under review"."""
    return _mark(ticket, ReadEvent.STAFF_OPENED)


def mark_viewed_by_customer(ticket: Ticket) -> bool:
    """The customer looked at the ticket (portal, my interactions)."""
    return _mark(ticket, ReadEvent.CUSTOMER_VIEWED)


# --- C5: the customer's verdict -------------------------------------------------------


def _check_rating(rating: int | None, *, required: bool) -> int | None:
    if rating is None:
        if required:
            raise ValidationError("rating", "A satisfaction rating is required.", code="required")
        return None
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError("rating", "The rating must be from 1 to 5.", code="out_of_range")
    return rating


def _first_stage(session: Session, team_id: str | None, *, closed: bool) -> Stage | None:
    if team_id is None:
        return None
    return session.scalars(
        select(Stage)
        .where(Stage.team_id == team_id, Stage.is_closed.is_(closed))
        .order_by(Stage.sequence, Stage.created_at)
        .limit(1)
    ).first()


def mark_resolved(
    session: Session, ticket: Ticket, *, rating: int, comment: str | None = None
) -> None:
    """The customer says the answer solved it (C5): rated 1-5 and the ticket is closed,
    in the first closed stage of its team when it has one. The caller commits."""
    from core.conversation import add_system_event
    from core.system_events import SystemEvent
    from core.tickets import update_ticket

    checked = _check_rating(rating, required=True)
    changes: dict[str, object] = {"status": Status.CLOSED}
    stage = _first_stage(session, ticket.team_id, closed=True)
    if stage is not None:
        changes["stage_id"] = stage.id
    update_ticket(session, ticket, changes)
    ticket.resolution = Resolution.RESOLVED
    ticket.rating = checked
    ticket.rating_comment = (comment or "").strip() or None
    ticket.customer_state = CustomerState.READ
    add_system_event(session, ticket, SystemEvent.RESOLVED, rating=str(checked))


def mark_not_resolved(
    session: Session,
    ticket: Ticket,
    *,
    description: str,
    rating: int | None = None,
    author_contact_id: str | None = None,
    channel: Channel = Channel.PORTAL,
) -> Message:
    """The customer says the answer did not solve it (C5): the ticket reopens (in progress,
    the first open stage of its team when staged) with `description` as a new customer
    reply, so staff see it unread. Returns that message. The caller commits."""
    from core.conversation import add_message
    from core.tickets import update_ticket

    text = require_text(description, field="description", max_length=100_000)
    checked = _check_rating(rating, required=False)
    if author_contact_id is None:
        author_contact_id = ticket.contact_id
    changes: dict[str, object] = {"status": Status.IN_PROGRESS}
    stage = _first_stage(session, ticket.team_id, closed=False)
    if stage is not None:
        changes["stage_id"] = stage.id
    elif ticket.stage_id is not None:
        # a staged ticket of a team with no open stage left: keep status honest
        changes["stage_id"] = None
    update_ticket(session, ticket, changes)
    ticket.resolution = Resolution.NOT_RESOLVED
    ticket.rating = checked
    ticket.rating_comment = None
    return add_message(
        session,
        ticket,
        kind=MessageKind.CUSTOMER_REPLY,
        body=text,
        author_contact_id=author_contact_id,
        channel=channel,
    )
