"""One ticket's conversation for the window (D4): the thread and the agent's draft, read
on the DB worker and handed to the view on the GUI thread. Owns no rules: it calls
core.thread and core.drafts, tags each load with a generation number and drops answers
of an older load."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from shiboken6 import isValid
from sqlalchemy.orm import Session

from core.drafts import DraftData, load_draft
from core.thread import Thread, ThreadMessage, load_thread
from desktop.runner import DbRunner


@dataclass(frozen=True)
class Loaded:
    """What one load brings: the thread, and the draft when asked for it."""

    generation: int
    thread: Thread
    draft: DraftData | None
    with_draft: bool


class ConversationModel(QObject):
    """The messages of one ticket, oldest first."""

    loaded = Signal(object)
    """A load finished: a `Loaded` (older generations are never emitted)."""
    failed = Signal(object)
    """A load raised this exception (the ticket left the cache, the file is gone)."""

    def __init__(self, runner: DbRunner, ticket_id: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self.ticket_id = ticket_id
        self._generation = 0
        self.current: Thread | None = None

    @property
    def messages(self) -> list[ThreadMessage]:
        return self.current.messages if self.current is not None else []

    def __len__(self) -> int:
        return len(self.messages)

    def reload(self, *, with_draft: bool = False) -> int:
        """Read the thread (and the draft) again on the worker; returns the generation."""
        self._generation += 1
        generation = self._generation
        ticket_id = self.ticket_id

        def work(session: Session) -> Loaded:
            thread = load_thread(session, ticket_id)
            draft = load_draft(session, ticket_id) if with_draft else None
            return Loaded(generation, thread, draft, with_draft)

        self._runner.submit(work, self._arrived, on_error=self._error)
        return generation

    def _arrived(self, result: Loaded) -> None:
        if result.generation != self._generation or not isValid(self):
            return  # an older load answered late, or the view closed meanwhile
        self.current = result.thread
        self.loaded.emit(result)

    def _error(self, exc: BaseException) -> None:
        if isValid(self):
            self.failed.emit(exc)
