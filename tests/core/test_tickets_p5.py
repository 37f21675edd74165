"""P5: custom field values are checked against the subtype's definitions; numbers typed
with Persian or Arabic-Indic digits are stored as numbers."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from core.enums import FieldKind
from core.errors import ValidationError
from core.models import CustomFieldDef, TicketSubtype
from core.tickets import create_ticket


def _subtype(session: Session) -> TicketSubtype:
    subtype = TicketSubtype(name="شکایت")
    subtype.fields = [
        CustomFieldDef(key="amount", label="مبلغ", kind=FieldKind.NUMBER, required=True),
        CustomFieldDef(key="channel", label="کانال", kind=FieldKind.CHOICE, choices=["sms", "web"]),
    ]
    session.add(subtype)
    session.flush()
    return subtype


@pytest.mark.parametrize(("typed", "stored"), [("۱۲٫۵", 12.5), ("١٢", 12.0), ("7", 7.0)])
def test_p5_numbers_in_any_digit_set(session: Session, typed: str, stored: float) -> None:
    subtype = _subtype(session)
    ticket = create_ticket(
        session,
        title="t",
        contact_email="a@example.com",
        subtype_id=subtype.id,
        custom_values={"amount": typed},
    )
    assert ticket.custom_values == {"amount": stored}


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({}, "custom_values.amount"),
        ({"amount": "abc"}, "custom_values.amount"),
        ({"amount": "1", "channel": "fax"}, "custom_values.channel"),
        ({"amount": "1", "unknown": "x"}, "custom_values"),
    ],
)
def test_p5_bad_custom_values_name_their_field(
    session: Session, values: dict[str, str], field: str
) -> None:
    subtype = _subtype(session)
    with pytest.raises(ValidationError) as err:
        create_ticket(
            session,
            title="t",
            contact_email="a@example.com",
            subtype_id=subtype.id,
            custom_values=values,
        )
    assert err.value.field == field
