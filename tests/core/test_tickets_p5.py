"""P5: custom numbers typed with Persian or Arabic-Indic digits are stored as numbers
(refusals of bad values are proven in test_models)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from core.enums import FieldKind
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
