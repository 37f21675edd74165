"""What rules record in a conversation, as codes with parameters.

A system event is stored with its code and parameters, so the window shows it in the
agent's language (the English template is the translation source) and the stored body is
only the English fallback for logs, mail and old clients.
"""

from __future__ import annotations

from enum import StrEnum


class SystemEvent(StrEnum):
    ASSIGNED = "assigned"
    MERGED_IN = "merged_in"
    MERGED_INTO = "merged_into"
    CONVERTED_TO_LEAD = "converted_to_lead"
    RESOLVED = "resolved"


TEMPLATES: dict[SystemEvent, str] = {
    SystemEvent.ASSIGNED: "Assigned to {assignee} automatically ({mode}).",
    SystemEvent.MERGED_IN: "Merged {tickets} into this ticket.",
    SystemEvent.MERGED_INTO: "Merged into {ticket}.",
    SystemEvent.CONVERTED_TO_LEAD: (
        'Converted to lead "{lead}" (sales team: {team}, salesperson: {salesperson});'
        " the ticket is archived."
    ),
    SystemEvent.RESOLVED: "The customer marked this resolved, rating {rating}/5.",
}


def render(event: SystemEvent, params: dict[str, str], template: str | None = None) -> str:
    """The event's text from `template` (default: the English one); a missing parameter
    shows as a dash rather than failing, so an older event never breaks a conversation."""
    text = TEMPLATES[event] if template is None else template
    return text.format_map(_Defaulting(params))


class _Defaulting(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "—"
