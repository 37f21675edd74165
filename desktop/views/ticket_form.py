"""The ticket form (D3, P1-P5, C1, I2): a new ticket in a dialog, or an existing one
edited beside its conversation. Fields top to bottom: subtype, related to, title, contact
email, status, severity and impact with the live priority and why, department and its
subjects, team and its members, tags, the subtype's custom fields, description and
attachments.

Every list and every save runs on the DB worker through core.ticket_form; the widget only
shows what core says. A refused save marks each field core named, moves focus to the
first and keeps everything typed.

    form = TicketForm(context, ticket_id=None, prefill=TicketDraft(...))
    form.saved.connect(...)          # saved(ticket_id)
    form.load(ticket_id)             # show another ticket
    open_new_ticket(context, parent, contact_id=...)   # the dialog, prefilled (P1)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolBar,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid
from sqlalchemy.orm import Session

from core.blobs import BlobStore
from core.enums import Status
from core.ticket_form import (
    Choice,
    FieldSpec,
    FormOptions,
    Problem,
    Related,
    SaveOutcome,
    TicketDraft,
    assignees_of,
    custom_fields_of,
    form_options,
    load_draft,
    related_account,
    related_contact,
    save_draft,
    subjects_of,
)
from core.validation import is_valid_email
from desktop.context import WindowContext
from desktop.models.queue_model import (
    IMPACT_LABELS,
    PRIORITY_COLOURS,
    PRIORITY_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
)
from desktop.models.ticket_form_model import related_text
from desktop.views.form_fields import CustomFieldEditor
from desktop.views.related_search import RelatedSearch

T = TypeVar("T")

INVALID_STYLE = (
    'QLineEdit[invalid="true"], QComboBox[invalid="true"], QPlainTextEdit[invalid="true"]'
    " { border: 2px solid #c62828; border-radius: 3px; background: #fff5f5; }"
    ' QCheckBox[invalid="true"] { color: #c62828; }'
    " QLabel#fieldHint { color: #c62828; } QLabel#relatedPicked { color: #5f6368; }"
    " QLabel#errorBanner { color: #b71c1c; background: #ffebee; border: 1px solid #ef9a9a;"
    " border-radius: 4px; padding: 6px; }"
    ""
)


def attachment_store(context: WindowContext) -> BlobStore:
    """Where the cache keeps attachment bytes: beside the cache file, one per hash."""
    return BlobStore(Path(context.cache_path).parent / "blobs")


def problem_text(problem: Problem, label: str = "") -> str:
    """A refused field's hint in the agent's language, by core's stable code."""
    code = problem.code
    if code == "required" and problem.field != "title":
        return QCoreApplication.translate("TicketForm", "%1 is required.").replace("%1", label)
    if code == "invalid":
        return QCoreApplication.translate("TicketForm", "Not a valid value for %1.").replace(
            "%1", label
        )
    texts = {
        "email_required": QCoreApplication.translate(
            "TicketForm", "A contact email is required; the customer is answered there."
        ),
        "email_invalid": QCoreApplication.translate(
            "TicketForm", "Not a valid email address (like name@example.com)."
        ),
        "too_long": QCoreApplication.translate("TicketForm", "Too long: at most 300 characters."),
        "required": QCoreApplication.translate("TicketForm", "A title is required."),
        "subject_not_in_department": QCoreApplication.translate(
            "TicketForm", "Pick a subject of this department."
        ),
        "assignee_not_in_team": QCoreApplication.translate(
            "TicketForm", "Pick a member of the chosen team."
        ),
        "file_missing": QCoreApplication.translate(
            "TicketForm", "A file to attach can no longer be read."
        ),
    }
    return texts.get(code, problem.message)


def _set_invalid(widget: QWidget, invalid: bool) -> None:
    if bool(widget.property("invalid")) == invalid:
        return
    widget.setProperty("invalid", invalid)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


def _fill(combo: QComboBox, choices: list[Choice], none_label: str, current: str | None) -> None:
    """Refill a combo of ids (None first) and select `current` when it is still there."""
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(none_label, None)
    for choice in choices:
        combo.addItem(choice.name, choice.id)
    index = combo.findData(current) if current is not None else 0
    combo.setCurrentIndex(max(index, 0))
    combo.blockSignals(False)


class _Row(QWidget):
    """A field's editor with its hint underneath (shown when the field is refused)."""

    def __init__(self, editor: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.hint = QLabel()
        self.hint.setObjectName("fieldHint")
        self.hint.setWordWrap(True)
        self.hint.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(editor)
        layout.addWidget(self.hint)

    def show_problem(self, text: str | None, target: QWidget | None = None) -> None:
        _set_invalid(target or self.editor, text is not None)
        self.hint.setText(text or "")
        self.hint.setVisible(text is not None)


class TicketForm(QWidget):
    """The form over one ticket (`ticket_id`) or a new one (None, optionally `prefill`)."""

    saved = Signal(str)
    """The ticket with this id was saved in the cache (and queued for the server)."""
    refused = Signal(list)
    """Saving was refused for these core.ticket_form.Problem; the fields are marked."""
    ready = Signal()
    """The choice lists (and the ticket, when editing) are shown."""

    def __init__(
        self,
        context: WindowContext,
        ticket_id: str | None = None,
        prefill: TicketDraft | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ticketForm")
        self.setStyleSheet(INVALID_STYLE)
        self._context = context
        self._formatter = context.localization.formatter
        self._ticket_id = ticket_id
        self._options: FormOptions | None = None
        self._related: Related | None = None
        self._custom: dict[str, CustomFieldEditor] = {}
        self._specs: list[FieldSpec] = []
        self._pending: TicketDraft = prefill or TicketDraft()
        self._new_files: list[Path] = []
        self._team_from_department = False
        self._saving = False
        self._original: TicketDraft | None = None
        self.reload_after_save = True
        """Show the saved ticket afresh after a save (a dialog that closes turns it off)."""
        self._list_generation = {"subjects": 0, "assignees": 0, "custom": 0}
        self._build()
        self._load_options()

    # --- building -----------------------------------------------------------------------

    def _build(self) -> None:  # noqa: PLR0915 - one field after another, in form order
        none = self.tr("(none)")
        self.none_label = none
        self.banner = QLabel()
        self.banner.setObjectName("errorBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()

        self.subtype = QComboBox()
        self.subtype.setObjectName("subtype")
        self.related_edit = QLineEdit()
        self.related_edit.setObjectName("related")
        self.related_edit.setPlaceholderText(
            self.tr("Search a contact or account by name, email or mobile")
        )
        self.related_edit.setClearButtonEnabled(True)
        self.related_search = RelatedSearch(self._context.runner, self.related_edit, self)
        self.suggestions = self.related_search.suggestions
        self.completer = self.related_search.completer
        self.related_label = QLabel()
        self.related_label.setObjectName("relatedPicked")
        self.related_label.setTextFormat(Qt.TextFormat.PlainText)

        self.title = QLineEdit()
        self.title.setObjectName("title")
        self.title.setMaxLength(300)
        self.email = QLineEdit()
        self.email.setObjectName("contactEmail")
        # an address reads left to right whatever the window's direction
        self.email.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.email.setPlaceholderText("name@example.com")
        self.status = QComboBox()
        self.status.setObjectName("status")
        for value, label in STATUS_LABELS.items():
            self.status.addItem(QCoreApplication.translate("QueueTableModel", label), str(value))
        self.severity = QComboBox()
        self.severity.setObjectName("severity")
        for level, label in SEVERITY_LABELS.items():
            self.severity.addItem(QCoreApplication.translate("QueueTableModel", label), int(level))
        self.impact = QComboBox()
        self.impact.setObjectName("impact")
        for level, label in IMPACT_LABELS.items():
            self.impact.addItem(QCoreApplication.translate("QueueTableModel", label), int(level))
        self.priority_line = QLabel()
        self.priority_line.setObjectName("priorityLine")
        self.department = QComboBox()
        self.department.setObjectName("department")
        self.subject = QComboBox()
        self.subject.setObjectName("subject")
        self.team = QComboBox()
        self.team.setObjectName("team")
        self.assignee = QComboBox()
        self.assignee.setObjectName("assignee")
        self.tags = QListWidget()
        self.tags.setObjectName("tags")
        self.tags.setFlow(QListView.Flow.LeftToRight)
        self.tags.setWrapping(True)
        self.tags.setResizeMode(QListView.ResizeMode.Adjust)
        self.tags.setSpacing(2)
        self.tags.setFixedHeight(64)
        self.tags.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.custom_box = QGroupBox(self.tr("Additional details"))
        self.custom_box.setObjectName("customFields")
        self.custom_layout = QFormLayout(self.custom_box)
        self.custom_box.hide()
        self.description = QPlainTextEdit()
        self.description.setObjectName("description")
        self.description.setMinimumHeight(90)
        self.attachments = QListWidget()
        self.attachments.setObjectName("attachments")
        self.attachments.setFixedHeight(56)
        self.add_files = QPushButton(self.tr("Add files…"))
        self.remove_file = QPushButton(self.tr("Remove"))
        self.save_button = QPushButton(
            self.tr("Create ticket") if self._ticket_id is None else self.tr("Save changes")
        )
        self.save_button.setObjectName("saveTicket")
        self.save_button.setDefault(True)

        self._rows: dict[str, _Row] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)

        def row(label: str, field: str, editor: QWidget) -> None:
            holder = _Row(editor)
            self._rows[field] = holder
            form.addRow(label, holder)

        row(self.tr("Subtype"), "subtype_id", self.subtype)
        related = QWidget()
        related_layout = QVBoxLayout(related)
        related_layout.setContentsMargins(0, 0, 0, 0)
        related_layout.setSpacing(2)
        related_layout.addWidget(self.related_edit)
        related_layout.addWidget(self.related_label)
        row(self.tr("Related to"), "related", related)
        row(self.tr("Title"), "title", self.title)
        row(self.tr("Contact email"), "contact_email", self.email)
        row(self.tr("Status"), "status", self.status)
        levels = QWidget()
        levels_layout = QHBoxLayout(levels)
        levels_layout.setContentsMargins(0, 0, 0, 0)
        levels_layout.addWidget(QLabel(self.tr("Severity")))
        levels_layout.addWidget(self.severity, 1)
        levels_layout.addWidget(QLabel(self.tr("Impact")))
        levels_layout.addWidget(self.impact, 1)
        form.addRow(self.tr("Severity and impact"), levels)
        pill = QHBoxLayout()  # the priority as a coloured pill, as wide as its text
        pill.setContentsMargins(0, 0, 0, 0)
        pill.addWidget(self.priority_line)
        pill.addStretch(1)
        form.addRow(self.tr("Priority"), pill)
        row(self.tr("Department"), "department_id", self.department)
        row(self.tr("Subject"), "subject_id", self.subject)
        row(self.tr("Team"), "team_id", self.team)
        row(self.tr("Assigned to"), "assignee_id", self.assignee)
        row(self.tr("Tags"), "tags", self.tags)
        form.addRow(self.custom_box)
        row(self.tr("Description"), "description", self.description)
        files = QWidget()
        files_layout = QHBoxLayout(files)
        files_layout.setContentsMargins(0, 0, 0, 0)
        files_layout.addWidget(self.attachments, 1)
        buttons = QVBoxLayout()
        buttons.addWidget(self.add_files)
        buttons.addWidget(self.remove_file)
        buttons.addStretch(1)
        files_layout.addLayout(buttons)
        row(self.tr("Attachments"), "attachments", files)

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.addWidget(self.banner)
        body_layout.addLayout(form)
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        self.scroll_area = scroll
        self.button_row = QHBoxLayout()
        self.button_row.addStretch(1)
        self.button_row.addWidget(self.save_button)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll, 1)
        outer.addLayout(self.button_row)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)

        self.subtype.currentIndexChanged.connect(self._subtype_changed)
        self.related_edit.textEdited.connect(self._related_typed)
        self.related_search.picked.connect(self.pick_related)
        self.email.textChanged.connect(self._check_email)
        self.title.textChanged.connect(lambda _t: self._clear_problem("title"))
        self.severity.currentIndexChanged.connect(self._show_priority)
        self.impact.currentIndexChanged.connect(self._show_priority)
        self.department.currentIndexChanged.connect(self._department_changed)
        self.subject.currentIndexChanged.connect(lambda _i: self._clear_problem("subject_id"))
        self.team.currentIndexChanged.connect(self._team_changed)
        self.assignee.currentIndexChanged.connect(lambda _i: self._clear_problem("assignee_id"))
        self.add_files.clicked.connect(self._choose_files)
        self.remove_file.clicked.connect(self._remove_file)
        self.save_button.clicked.connect(self.save)

    # --- public API ---------------------------------------------------------------------

    @property
    def ticket_id(self) -> str | None:
        return self._ticket_id

    def _submit(
        self,
        work: Callable[[Session], T],
        done: Callable[[T], None],
        *,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """A runner job whose answer is dropped when this form is gone by then (a ticket
        window closed while its lists were still loading)."""

        def answered(result: T) -> None:
            if isValid(self):
                done(result)

        if on_error is None:  # errors go to the window's one handler, form or not
            self._context.runner.submit(work, answered)
            return
        handler = on_error

        def failed(exc: BaseException) -> None:
            if isValid(self):
                handler(exc)

        self._context.runner.submit(work, answered, on_error=failed)

    def load(self, ticket_id: str) -> None:
        """Show the cached ticket `ticket_id` for editing (what was typed is dropped)."""
        self._ticket_id = ticket_id
        self.save_button.setText(self.tr("Save changes"))

        def work(session: Session) -> TicketDraft:
            return load_draft(session, ticket_id)[0]

        self._submit(work, lambda draft: self._apply(draft, loaded=ticket_id))

    def draft(self) -> TicketDraft:
        """Everything as typed and picked now."""
        return TicketDraft(
            title=self.title.text(),
            contact_email=self.email.text(),
            description=self.description.toPlainText(),
            subtype_id=self.subtype.currentData(),
            related=self._related,
            status=Status(self.status.currentData()),
            severity=int(self.severity.currentData()),
            impact=int(self.impact.currentData()),
            department_id=self.department.currentData(),
            subject_id=self.subject.currentData(),
            team_id=self.team.currentData(),
            assignee_id=self.assignee.currentData(),
            tag_ids=[
                str(self.tags.item(i).data(Qt.ItemDataRole.UserRole))
                for i in range(self.tags.count())
                if self.tags.item(i).checkState() == Qt.CheckState.Checked
            ],
            custom_values={key: editor.value() for key, editor in self._custom.items()},
            attachments=list(self._new_files),
        )

    def custom_editor(self, key: str) -> QWidget:
        """The widget of a custom field of the current subtype (tests and focus)."""
        return self._custom[key].widget

    def set_tag_checked(self, name: str, checked: bool = True) -> None:
        for i in range(self.tags.count()):
            item = self.tags.item(i)
            if item.text() == name:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def add_attachments(self, paths: list[Path]) -> None:
        for path in paths:
            if path in self._new_files:
                continue
            self._new_files.append(path)
            item = QListWidgetItem(path.name)
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(str(path))
            self.attachments.addItem(item)
        self._clear_problem("attachments")

    @Slot()
    def save(self) -> None:
        """Check and save on the worker; `saved` or `refused` comes back."""
        if self._saving:
            return
        self._saving = True
        self.save_button.setEnabled(False)
        draft = self.draft()
        ticket_id = self._ticket_id
        original = self._original if ticket_id is not None else None
        store = attachment_store(self._context)

        def work(session: Session) -> SaveOutcome:
            return save_draft(session, draft, ticket_id=ticket_id, blobs=store, original=original)

        self._submit(work, self._saved, on_error=self._save_failed)

    # --- loading ------------------------------------------------------------------------

    def _load_options(self) -> None:
        user_id = self._context.user_id
        ticket_id = self._ticket_id
        prefill = self._pending

        def work(session: Session) -> tuple[FormOptions, TicketDraft]:
            options = form_options(session, user_id)
            if ticket_id is not None:
                return options, load_draft(session, ticket_id)[0]
            return options, prefill

        self._submit(work, self._options_loaded)

    def _options_loaded(self, result: tuple[FormOptions, TicketDraft]) -> None:
        options, draft = result
        self._options = options
        none = self.none_label
        _fill(self.subtype, options.subtypes, none, None)
        _fill(self.department, options.departments, none, None)
        _fill(self.team, options.teams, none, None)
        self.tags.clear()
        for tag in options.tags:
            item = QListWidgetItem(tag.name)
            item.setData(Qt.ItemDataRole.UserRole, tag.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.tags.addItem(item)
        self._apply(draft, loaded=self._ticket_id)

    def _apply(self, draft: TicketDraft, *, loaded: str | None) -> None:
        """Show `draft` in every field; lists that depend on another field load after."""
        if loaded != self._ticket_id:
            return  # another ticket was asked for meanwhile
        self._pending = draft
        self._clear_all_problems()
        self._set_combo(self.subtype, draft.subtype_id)
        self._set_related(draft.related)
        self.title.setText(draft.title)
        self.email.setText(draft.contact_email)
        self._set_combo(self.status, str(draft.status))
        self._set_combo(self.severity, int(draft.severity))
        self._set_combo(self.impact, int(draft.impact))
        self._set_combo(self.department, draft.department_id)
        self._set_combo(self.team, draft.team_id)
        wanted = set(draft.tag_ids)
        for i in range(self.tags.count()):
            item = self.tags.item(i)
            checked = item.data(Qt.ItemDataRole.UserRole) in wanted
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.description.setPlainText(draft.description)
        self._new_files = []
        self.attachments.clear()
        for name in draft.existing_attachments:  # already on the ticket: shown, kept
            item = QListWidgetItem("📎 " + name)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.setToolTip(self.tr("Already attached to this ticket"))
            self.attachments.addItem(item)
        self.add_attachments(list(draft.attachments))
        self._show_priority()
        self._check_email()
        self._reload_subjects(draft.subject_id)
        self._reload_assignees(draft.assignee_id)
        self._reload_custom(draft.custom_values, announce=True)

    @staticmethod
    def _set_combo(combo: QComboBox, value: object) -> None:
        combo.blockSignals(True)
        index = combo.findData(value) if value is not None else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    def _reload_subjects(self, keep: str | None) -> None:
        self._list_generation["subjects"] += 1
        generation = self._list_generation["subjects"]
        department_id = self.department.currentData()

        def work(session: Session) -> list[Choice]:
            return subjects_of(session, department_id)

        def done(choices: list[Choice]) -> None:
            if generation == self._list_generation["subjects"]:
                _fill(self.subject, choices, self.none_label, keep)
                self.subject.setEnabled(bool(choices))

        self._submit(work, done)

    def _reload_assignees(self, keep: str | None) -> None:
        self._list_generation["assignees"] += 1
        generation = self._list_generation["assignees"]
        team_id = self.team.currentData()

        def work(session: Session) -> list[Choice]:
            return assignees_of(session, team_id)

        def done(choices: list[Choice]) -> None:
            if generation == self._list_generation["assignees"]:
                _fill(self.assignee, choices, self.tr("(nobody)"), keep)

        self._submit(work, done)

    def _reload_custom(self, values: dict[str, Any], *, announce: bool = False) -> None:
        self._list_generation["custom"] += 1
        generation = self._list_generation["custom"]
        subtype_id = self.subtype.currentData()

        def work(session: Session) -> list[FieldSpec]:
            return custom_fields_of(session, subtype_id)

        def done(specs: list[FieldSpec]) -> None:
            if generation != self._list_generation["custom"]:
                return
            self._show_custom(specs, values)
            if announce:
                # what the agent was shown: a save sends only what they changed from it
                self._original = self.draft() if self._ticket_id is not None else None
                self.ready.emit()

        self._submit(work, done)

    def _show_custom(self, specs: list[FieldSpec], values: dict[str, Any]) -> None:
        """Swap the custom field editors for `specs`; a value typed in a field of the same
        key and kind is carried over (what was typed is kept)."""
        typed = {key: (e.spec.kind, e.value()) for key, e in self._custom.items()}
        while self.custom_layout.rowCount():
            self.custom_layout.removeRow(0)
        for key in list(self._rows):
            if key.startswith("custom_values."):
                del self._rows[key]
        self._custom = {}
        self._specs = specs
        for spec in specs:
            editor = CustomFieldEditor(spec, self._formatter, self.none_label)
            if spec.key in values:
                editor.set_value(values[spec.key])
            elif spec.key in typed and typed[spec.key][0] is spec.kind:
                editor.set_value(typed[spec.key][1])
            holder = _Row(editor.widget)
            self._rows[f"custom_values.{spec.key}"] = holder
            label = spec.label + (" *" if spec.required else "")
            self.custom_layout.addRow(label, holder)
            self._custom[spec.key] = editor
            self._watch_custom(spec.key, editor)
        self.custom_box.setVisible(bool(specs))

    def _watch_custom(self, key: str, editor: CustomFieldEditor) -> None:
        clear: Callable[..., None] = lambda *_a: self._clear_problem(f"custom_values.{key}")  # noqa: E731
        widget = editor.widget
        for signal in ("textChanged", "currentIndexChanged", "toggled", "edited"):
            bound = getattr(widget, signal, None)
            if bound is not None:
                bound.connect(clear)

    # --- reactions ----------------------------------------------------------------------

    @Slot(int)
    def _subtype_changed(self, _index: int) -> None:
        self._clear_problem("subtype_id")
        self._reload_custom({})

    @Slot(str)
    def _related_typed(self, text: str) -> None:
        if self._related is not None and text != related_text(self._related):
            self._set_related(None, keep_text=True)

    @Slot(object)
    def pick_related(self, related: Related) -> None:
        """Make `related` what the ticket is about; an empty email takes theirs."""
        self._set_related(related)
        if related.email and not self.email.text().strip():
            self.email.setText(related.email)

    def _set_related(self, related: Related | None, *, keep_text: bool = False) -> None:
        self._related = related
        if related is None:
            self.related_label.setText(self.tr("Not related to a contact or account yet."))
            if not keep_text:
                self.related_edit.clear()
            return
        line = related_text(related)
        self.related_edit.setText(line)
        self.related_edit.setCursorPosition(0)
        self.related_label.setText(self.tr("Related to: %1").replace("%1", line))

    @Slot()
    def _check_email(self) -> None:
        """P4, as typed: an address that cannot be right is marked at once."""
        text = self.email.text()
        if not text.strip() or is_valid_email(text):
            self._rows["contact_email"].show_problem(None)
            return
        self._rows["contact_email"].show_problem(
            problem_text(Problem("contact_email", "email_invalid", ""))
        )

    @Slot()
    def _show_priority(self) -> None:
        """P4: the priority the settings' matrix gives, and why, as the levels change."""
        if self._options is None:
            return
        severity = int(self.severity.currentData())
        impact = int(self.impact.currentData())
        sev, imp, priority = self._options.matrix.explain(severity, impact)
        name = QCoreApplication.translate("QueueTableModel", PRIORITY_LABELS[priority])
        why = (
            self.tr("%1: severity %2 × impact %3")
            .replace("%1", name)
            .replace("%2", QCoreApplication.translate("QueueTableModel", SEVERITY_LABELS[sev]))
            .replace("%3", QCoreApplication.translate("QueueTableModel", IMPACT_LABELS[imp]))
        )
        self.priority_line.setText(why)
        background, foreground = PRIORITY_COLOURS[priority]
        self.priority_line.setStyleSheet(
            f"color: {foreground}; background: {background}; border: 1px solid {foreground};"
            " border-radius: 4px; padding: 2px 10px; font-weight: bold;"
        )
        self.priority_line.adjustSize()
        self.priority_line.setProperty("priority", int(priority))

    @Slot(int)
    def _department_changed(self, _index: int) -> None:
        self._clear_problem("subject_id")
        self._reload_subjects(None)
        # C1/I1: a department routes to a team; take it unless the agent chose one
        options = self._options
        department_id = self.department.currentData()
        if options is None or department_id is None:
            return
        routed = options.department_teams.get(department_id)
        if routed is not None and (self.team.currentData() is None or self._team_from_department):
            index = self.team.findData(routed)
            if index >= 0 and index != self.team.currentIndex():
                self.team.setCurrentIndex(index)
                self._team_from_department = True

    @Slot(int)
    def _team_changed(self, _index: int) -> None:
        self._team_from_department = False
        self._clear_problem("assignee_id")
        self._reload_assignees(self.assignee.currentData())

    @Slot()
    def _choose_files(self) -> None:
        names, _filter = QFileDialog.getOpenFileNames(self, self.tr("Attach files"))
        self.add_attachments([Path(n) for n in names])

    @Slot()
    def _remove_file(self) -> None:
        for item in self.attachments.selectedItems():
            stored = item.data(Qt.ItemDataRole.UserRole)
            if stored is None:
                continue  # already on the ticket
            path = Path(str(stored))
            if path in self._new_files:
                self._new_files.remove(path)
            self.attachments.takeItem(self.attachments.row(item))

    # --- saving -------------------------------------------------------------------------

    def _saved(self, outcome: SaveOutcome) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        if outcome.problems or outcome.ticket_id is None:
            self._show_problems(outcome.problems)
            self.refused.emit(outcome.problems)
            return
        self._clear_all_problems()
        self._context.local_edit_done()  # the sync engine pushes soon, when online
        if self.reload_after_save:
            self.load(outcome.ticket_id)  # from now on: this ticket, as the cache holds it
        self.saved.emit(outcome.ticket_id)

    def _save_failed(self, exc: BaseException) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        problem = Problem("", "failed", str(exc))
        self.banner.setText(
            self.tr("The ticket could not be saved; nothing typed is lost. %1").replace(
                "%1", str(exc)
            )
        )
        self.banner.show()
        self.refused.emit([problem])

    def _label_of(self, field: str) -> str:
        if field.startswith("custom_values."):
            key = field.split(".", 1)[1]
            for spec in self._specs:
                if spec.key == key:
                    return spec.label
        return ""

    def _show_problems(self, problems: list[Problem]) -> None:
        self._clear_all_problems()
        first: QWidget | None = None
        for problem in problems:
            holder = self._rows.get(problem.field)
            text = problem_text(problem, self._label_of(problem.field))
            if holder is None:
                continue
            target = holder.editor.focusProxy() or holder.editor
            holder.show_problem(text, target)
            if first is None:
                first = target
        count = len(problems)
        self.banner.setText(
            self.tr(
                "The ticket was not saved: fix the %n marked field(s). Nothing typed is lost.",
                "",
                count,
            )
        )
        self.banner.show()
        if first is not None:
            self.scroll_area.ensureWidgetVisible(first)
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def _clear_problem(self, field: str) -> None:
        holder = self._rows.get(field)
        if holder is not None and holder.hint.isVisible():
            target = holder.editor.focusProxy() or holder.editor
            holder.show_problem(None, target)
        if not any(r.hint.isVisible() for r in self._rows.values()):
            self.banner.hide()

    def _clear_all_problems(self) -> None:
        for holder in self._rows.values():
            holder.show_problem(None, holder.editor.focusProxy() or holder.editor)
        self.banner.hide()


class TicketFormDialog(QDialog):
    """A new ticket in its own window; closes when saved."""

    def __init__(
        self, context: WindowContext, prefill: TicketDraft | None, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ticketFormDialog")
        self.setWindowTitle(self.tr("New ticket"))
        self.form = TicketForm(context, prefill=prefill, parent=self)
        self.form.reload_after_save = False  # the dialog closes when saved
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self.reject)
        self.form.button_row.addWidget(self.buttons)  # beside "Create ticket"
        layout = QVBoxLayout(self)
        layout.addWidget(self.form, 1)
        self.form.saved.connect(self._saved)
        self.saved_ticket_id: str | None = None
        self.resize(720, 860)

    @Slot(str)
    def _saved(self, ticket_id: str) -> None:
        self.saved_ticket_id = ticket_id
        self.accept()


def open_new_ticket(
    context: WindowContext,
    parent: QWidget | None,
    *,
    contact_id: str | None = None,
    account_id: str | None = None,
    prefill: TicketDraft | None = None,
    on_saved: Callable[[str], None] | None = None,
) -> TicketFormDialog:
    """Open the new-ticket dialog (P1): from the global action, a queue, or a contact's
    or account's file, which fills "related to" and the contact email."""
    draft = prefill or TicketDraft()
    if contact_id is not None or account_id is not None:
        with context.runner.session_factory() as session:  # one row by key: instant
            related = (
                related_contact(session, contact_id)
                if contact_id is not None
                else related_account(session, str(account_id))
            )
        draft = replace(
            draft, related=related, contact_email=draft.contact_email or related.email or ""
        )
    dialog = TicketFormDialog(context, draft, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if on_saved is not None:
        dialog.form.saved.connect(on_saved)
    dialog.show()
    return dialog


def new_ticket_action(
    context: WindowContext,
    window: QWidget,
    *,
    toolbar: QToolBar | None = None,
    on_saved: Callable[[str], None] | None = None,
) -> QAction:
    """The global "new ticket" action (Ctrl+N) on `window`, first on `toolbar` (the
    queue's actions) when given; `on_saved(ticket_id)` after each new ticket."""
    action = QAction(QCoreApplication.translate("TicketForm", "New ticket"), window)
    action.setObjectName("newTicketAction")
    action.setShortcut(QKeySequence(QKeySequence.StandardKey.New))
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.setToolTip(QCoreApplication.translate("TicketForm", "New ticket (Ctrl+N)"))
    action.triggered.connect(lambda: open_new_ticket(context, window, on_saved=on_saved))
    window.addAction(action)
    if toolbar is not None:
        actions = toolbar.actions()
        if actions:
            toolbar.insertAction(actions[0], action)
            toolbar.insertSeparator(actions[0])
        else:
            toolbar.addAction(action)
    return action
