"""A kanban card (O1): how one ticket of a column paints.

The card reads the column's queue model (a `QueueTableModel`) through its own columns'
display roles, so it shows exactly what the queue shows: the number (or "pending" before
the server gave one), the title, the priority in its colours, the assignee and the SLA
due time (relative; the Jalali moment in the tooltip), red and bold when overdue.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem
from typing_extensions import override

from core.queues import QueueRow
from desktop.models.queue_model import (
    OVERDUE_COLOUR,
    PRIORITY_COLOURS,
    Column,
    OverdueRole,
    QueueRowRole,
)

MARGIN = 4
PADDING = 8
CARD_WIDTH = 200
MUTED = "#57606a"


class CardDelegate(QStyledItemDelegate):
    """Paints a ticket as a card of three lines."""

    @override
    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        line = QFontMetrics(option.font).lineSpacing()
        return QSize(CARD_WIDTH, 3 * line + 2 * PADDING + 2 * MARGIN + 8)

    @override
    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        row = index.data(QueueRowRole)
        rect: QRect = option.rect.adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
        palette: QPalette = option.palette
        rtl = option.direction == Qt.LayoutDirection.RightToLeft
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setLayoutDirection(option.direction)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        border = palette.color(QPalette.ColorRole.Highlight) if selected else QColor("#c9d1d9")
        painter.setPen(QPen(border, 2 if selected else 1))
        painter.setBrush(QColor("#eef4fc") if selected else QColor("#ffffff"))
        painter.drawRoundedRect(rect, 6, 6)
        if row is not None:
            font = QFont(option.font)
            line = QFontMetrics(font).lineSpacing()
            inner = rect.adjusted(PADDING, PADDING - 2, -PADDING, -PADDING)
            top = QRect(inner.left(), inner.top(), inner.width(), line + 2)
            middle = QRect(inner.left(), top.bottom() + 3, inner.width(), line)
            bottom = QRect(inner.left(), middle.bottom() + 3, inner.width(), line)
            painter.setFont(font)
            self._top_line(painter, top, index, row, rtl=rtl)
            self._title_line(painter, middle, row, palette.color(QPalette.ColorRole.Text))
            painter.setFont(font)
            overdue = bool(index.data(OverdueRole))
            self._bottom_line(painter, bottom, index, overdue=overdue)
            if overdue:  # a red edge on the card's leading side
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QColor(OVERDUE_COLOUR))
                x = rect.right() - 3 if rtl else rect.left()
                painter.drawRoundedRect(QRect(x, rect.top() + 6, 4, rect.height() - 12), 2, 2)
        painter.restore()

    # alignments are logical: the painter mirrors them under right-to-left

    @staticmethod
    def _top_line(
        painter: QPainter,
        top: QRect,
        index: QModelIndex | QPersistentModelIndex,
        row: QueueRow,
        *,
        rtl: bool,
    ) -> None:
        """The number (leading) and the priority in its colours (trailing)."""
        priority = _cell(index, Column.PRIORITY)
        back, fore = PRIORITY_COLOURS[row.priority]
        chip = QRect(
            0, top.top(), painter.fontMetrics().horizontalAdvance(priority) + 14, top.height()
        )
        if rtl:
            chip.moveLeft(top.left())
        else:
            chip.moveRight(top.right())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(back))
        painter.drawRoundedRect(chip, 8, 8)
        painter.setPen(QColor(fore))
        painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, priority)
        number = _cell(index, Column.NUMBER)
        if row.number is not None:
            number = "#" + number
        painter.setPen(QColor(MUTED))
        painter.drawText(top, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, number)

    @staticmethod
    def _title_line(painter: QPainter, rect: QRect, row: QueueRow, colour: QColor) -> None:
        bold = QFont(painter.font())
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(colour)
        title = QFontMetrics(bold).elidedText(row.title, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)

    @staticmethod
    def _bottom_line(
        painter: QPainter,
        rect: QRect,
        index: QModelIndex | QPersistentModelIndex,
        *,
        overdue: bool,
    ) -> None:
        """The assignee (leading) and the SLA due time (trailing; red and bold when
        overdue)."""
        font = painter.font()
        sla = _cell(index, Column.SLA_DUE)
        sla_font = QFont(font)
        sla_font.setBold(overdue)
        sla_w = QFontMetrics(sla_font).horizontalAdvance(sla) + 4 if sla else 0
        assignee = QFontMetrics(font).elidedText(
            _cell(index, Column.ASSIGNEE),
            Qt.TextElideMode.ElideRight,
            max(0, rect.width() - sla_w - 6),
        )
        painter.setPen(QColor(MUTED))
        painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, assignee)
        if sla:
            painter.setFont(sla_font)
            painter.setPen(QColor(OVERDUE_COLOUR) if overdue else QColor(MUTED))
            painter.drawText(rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, sla)


def _cell(index: QModelIndex | QPersistentModelIndex, column: Column) -> str:
    """The queue model's text for `column` of the card's ticket."""
    value = index.sibling(index.row(), column).data(Qt.ItemDataRole.DisplayRole)
    return str(value or "")
