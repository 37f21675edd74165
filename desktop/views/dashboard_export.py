"""The dashboard's words and exports (D7): each figure's label and display text (shared by
the tiles, the CSV and the PDF), the CSV file and the PDF report.

The PDF is Qt's own: a QTextDocument in right-to-left HTML printed by QPdfWriter, so Qt
shapes and orders the Persian text and embeds Vazirmatn; nothing is reshaped here. The CSV
keeps machine numbers (ASCII digits, seconds, ISO days beside the Jalali ones) under
translated headings, UTF-8 with a byte-order mark so spreadsheet programs read Persian.
"""

from __future__ import annotations

import csv
import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMarginsF, QUrl
from PySide6.QtGui import (
    QFont,
    QImage,
    QPageLayout,
    QPageSize,
    QPdfWriter,
    QTextDocument,
)
from PySide6.QtWidgets import QApplication

from core.dashboard import Dashboard, Durations
from desktop.formatting import Formatter
from desktop.models.queue_model import PRIORITY_LABELS

_CTX = "Dashboard"


class FigureKey:
    """Names of the headline figures (what a tile can open)."""

    OPEN = "open"
    NEW_TODAY = "new_today"
    CLOSED_TODAY = "closed_today"
    OVERDUE = "overdue"
    UNSEEN = "unseen"
    CREATED = "created"
    CLOSED = "closed"
    FIRST_RESPONSE = "first_response"
    RESOLUTION = "resolution"
    SATISFACTION = "satisfaction"
    REOPEN = "reopen"


@dataclass(frozen=True)
class Figure:
    """One headline figure: label, what the tile shows, a detail line, the raw number for
    the CSV (None when there is none) and a tooltip saying how it is counted."""

    key: str
    label: str
    text: str
    detail: str
    raw: str
    tooltip: str


def priority_name(priority: int) -> str:
    label = PRIORITY_LABELS.get(priority)
    return QCoreApplication.translate("QueueTableModel", label) if label else str(priority)


def duration_text(seconds: float | None, fmt: Formatter) -> str:
    """`2 d 3 h`, `3 h 20 min`, `45 min` in the locale's digits; a dash for none."""
    if seconds is None:
        return "—"
    minutes = round(seconds / 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    n = fmt.number
    if days:
        return (
            QCoreApplication.translate("Dashboard", "%1 d %2 h")
            .replace("%1", n(days))
            .replace("%2", n(hours))
        )
    if hours:
        return (
            QCoreApplication.translate("Dashboard", "%1 h %2 min")
            .replace("%1", n(hours))
            .replace("%2", n(mins))
        )
    return QCoreApplication.translate("Dashboard", "%1 min").replace("%1", n(mins))


def percent_text(share: float | None, fmt: Formatter) -> str:
    if share is None:
        return "—"
    return QCoreApplication.translate("Dashboard", "%1%").replace(
        "%1", fmt.number(round(share * 100))
    )


def _durations(d: Durations, fmt: Formatter) -> tuple[str, str, str]:
    text = duration_text(d.median, fmt)
    detail = (
        QCoreApplication.translate("Dashboard", "90th percentile %1 · %2 tickets")
        .replace("%1", duration_text(d.p90, fmt))
        .replace("%2", fmt.number(d.count))
    )
    raw = "" if d.median is None else f"{d.median:.0f}"
    return text, detail, raw


def figures(d: Dashboard, fmt: Formatter) -> list[Figure]:
    """The headline figures in the order the dashboard shows them."""
    n = fmt.number
    fr_text, fr_detail, fr_raw = _durations(d.first_response, fmt)
    rs_text, rs_detail, rs_raw = _durations(d.resolution, fmt)
    mean = d.satisfaction
    sat_text = (
        "—"
        if mean is None
        else QCoreApplication.translate("Dashboard", "%1 of 5").replace(
            "%1", fmt.locale.toString(mean, "f", 1)
        )
    )
    sat_detail = (
        QCoreApplication.translate("Dashboard", "%1 satisfied · %2 ratings")
        .replace("%1", percent_text(d.satisfied_share, fmt))
        .replace("%2", n(d.rated))
    )
    reopen = d.reopen_rate
    reopen_detail = (
        QCoreApplication.translate("Dashboard", "%1 of %2 verdicts")
        .replace("%1", n(d.not_resolved))
        .replace("%2", n(d.resolved + d.not_resolved))
    )
    return [
        Figure(
            FigureKey.OPEN,
            QCoreApplication.translate("Dashboard", "Open tickets"),
            n(d.open),
            "",
            str(d.open),
            QCoreApplication.translate("Dashboard", "Not closed and not archived, now."),
        ),
        Figure(
            FigureKey.NEW_TODAY,
            QCoreApplication.translate("Dashboard", "New today"),
            n(d.new_today),
            "",
            str(d.new_today),
            QCoreApplication.translate("Dashboard", "Created today (local time)."),
        ),
        Figure(
            FigureKey.CLOSED_TODAY,
            QCoreApplication.translate("Dashboard", "Closed today"),
            n(d.closed_today),
            "",
            str(d.closed_today),
            QCoreApplication.translate("Dashboard", "Closed today (local time)."),
        ),
        Figure(
            FigureKey.OVERDUE,
            QCoreApplication.translate("Dashboard", "Overdue (SLA)"),
            n(d.overdue),
            "",
            str(d.overdue),
            QCoreApplication.translate("Dashboard", "Open tickets whose SLA due time has passed."),
        ),
        Figure(
            FigureKey.UNSEEN,
            QCoreApplication.translate("Dashboard", "Not yet seen"),
            n(d.unseen),
            "",
            str(d.unseen),
            QCoreApplication.translate(
                "Dashboard", "Open tickets no staff member has opened since the customer wrote."
            ),
        ),
        Figure(
            FigureKey.CREATED,
            QCoreApplication.translate("Dashboard", "Created in range"),
            n(d.created),
            "",
            str(d.created),
            QCoreApplication.translate(
                "Dashboard", "Tickets created in the chosen days, archived ones included."
            ),
        ),
        Figure(
            FigureKey.CLOSED,
            QCoreApplication.translate("Dashboard", "Closed in range"),
            n(d.closed),
            "",
            str(d.closed),
            QCoreApplication.translate("Dashboard", "Tickets closed in the chosen days."),
        ),
        Figure(
            FigureKey.FIRST_RESPONSE,
            QCoreApplication.translate("Dashboard", "First response (median)"),
            fr_text,
            fr_detail,
            fr_raw,
            QCoreApplication.translate(
                "Dashboard", "From creation to the first agent reply, tickets created in range."
            ),
        ),
        Figure(
            FigureKey.RESOLUTION,
            QCoreApplication.translate("Dashboard", "Resolution (median)"),
            rs_text,
            rs_detail,
            rs_raw,
            QCoreApplication.translate(
                "Dashboard", "From creation to closing, tickets closed in range."
            ),
        ),
        Figure(
            FigureKey.SATISFACTION,
            QCoreApplication.translate("Dashboard", "Satisfaction"),
            sat_text,
            sat_detail,
            "" if mean is None else f"{mean:.2f}",
            QCoreApplication.translate(
                "Dashboard", "Customers' ratings (1 to 5) of tickets created in range."
            ),
        ),
        Figure(
            FigureKey.REOPEN,
            QCoreApplication.translate("Dashboard", "Reopen rate"),
            percent_text(reopen, fmt),
            reopen_detail,
            "" if reopen is None else f"{reopen:.4f}",
            QCoreApplication.translate(
                "Dashboard",
                'Of the verdicts on tickets created in range, the share "not resolved".',
            ),
        ),
    ]


def range_text(d: Dashboard, fmt: Formatter) -> str:
    f = d.filter
    first = fmt.date(datetime.combine(f.first_day, time(12), UTC))
    last = fmt.date(datetime.combine(f.last_day, time(12), UTC))
    return (
        QCoreApplication.translate("Dashboard", "%1 to %2").replace("%1", first).replace("%2", last)
    )


def day_text(d: Dashboard, fmt: Formatter, index: int) -> str:
    return fmt.date(datetime.combine(d.per_day[index].day, time(12), UTC))


def _team(name: str | None) -> str:
    return name if name is not None else QCoreApplication.translate("Dashboard", "No team")


def _stage(name: str | None) -> str:
    return name if name is not None else QCoreApplication.translate("Dashboard", "No stage")


# --- CSV ------------------------------------------------------------------------------


def csv_rows(d: Dashboard, fmt: Formatter) -> list[list[str]]:
    """Every table of the dashboard, one after another, separated by a blank row."""
    rows: list[list[str]] = [
        [QCoreApplication.translate("Dashboard", "Dashboard"), range_text(d, fmt)],
        [],
    ]
    rows.append(
        [
            QCoreApplication.translate("Dashboard", "Figure"),
            QCoreApplication.translate("Dashboard", "Value"),
            QCoreApplication.translate("Dashboard", "90th percentile"),
        ]
    )
    for fig in figures(d, fmt):
        p90 = ""
        if fig.key == FigureKey.FIRST_RESPONSE and d.first_response.p90 is not None:
            p90 = f"{d.first_response.p90:.0f}"
        if fig.key == FigureKey.RESOLUTION and d.resolution.p90 is not None:
            p90 = f"{d.resolution.p90:.0f}"
        label = fig.label
        if fig.key in (FigureKey.FIRST_RESPONSE, FigureKey.RESOLUTION):
            label = QCoreApplication.translate("Dashboard", "%1, seconds").replace("%1", label)
        rows.append([label, fig.raw, p90])
    rows += [
        [],
        [
            QCoreApplication.translate("Dashboard", "Team"),
            QCoreApplication.translate("Dashboard", "Stage"),
            QCoreApplication.translate("Dashboard", "Open tickets"),
        ],
    ]
    rows += [[_team(s.team), _stage(s.stage), str(s.count)] for s in d.by_stage]
    rows += [
        [],
        [
            QCoreApplication.translate("Dashboard", "Priority"),
            QCoreApplication.translate("Dashboard", "Open tickets"),
        ],
    ]
    rows += [[priority_name(p), str(n)] for p, n in sorted(d.by_priority.items(), reverse=True)]
    rows += [
        [],
        [
            QCoreApplication.translate("Dashboard", "Day"),
            QCoreApplication.translate("Dashboard", "Jalali day"),
            QCoreApplication.translate("Dashboard", "Created"),
            QCoreApplication.translate("Dashboard", "Closed"),
        ],
    ]
    rows += [
        [p.day.isoformat(), day_text(d, fmt, i), str(p.created), str(p.closed)]
        for i, p in enumerate(d.per_day)
    ]
    rows += [
        [],
        [
            QCoreApplication.translate("Dashboard", "Agent"),
            QCoreApplication.translate("Dashboard", "Open"),
            QCoreApplication.translate("Dashboard", "Total"),
            QCoreApplication.translate("Dashboard", "On leave now"),
        ],
    ]
    rows += [
        [
            a.name,
            str(a.open),
            str(a.total),
            QCoreApplication.translate("Dashboard", "Yes") if a.on_leave else "",
        ]
        for a in d.workload
    ]
    rows += [
        [],
        [
            QCoreApplication.translate("Dashboard", "Agents on leave"),
            QCoreApplication.translate("Dashboard", "From"),
            QCoreApplication.translate("Dashboard", "To"),
        ],
    ]
    rows += [[x.name, fmt.date(x.starts_at), fmt.date(x.ends_at)] for x in d.leaves]
    return rows


def write_csv(path: Path, d: Dashboard, fmt: Formatter) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out).writerows(csv_rows(d, fmt))


# --- PDF ------------------------------------------------------------------------------


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    cells = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return (
        '<table dir="rtl" width="100%" border="1" cellspacing="0" cellpadding="4">'
        f"<tr>{cells}</tr>{body}</table>"
    )


def _heading(level: int, direction: str, text: str) -> str:
    # QTextDocument aligns a block by its own align, not by the body's direction
    align = "right" if direction == "rtl" else "left"
    return f'<h{level} dir="{direction}" align="{align}">{html.escape(text)}</h{level}>'


def report_html(d: Dashboard, fmt: Formatter, charts: Sequence[str], *, rtl: bool) -> str:
    """The report as HTML; `charts` are the resource names of the chart images."""
    direction = "rtl" if rtl else "ltr"
    align = "right" if rtl else "left"
    n = fmt.number
    parts = [
        f'<html><body dir="{direction}" style="text-align:{align}">',
        _heading(1, direction, QCoreApplication.translate("Dashboard", "Supervisors dashboard")),
        f'<p dir="{direction}" align="{align}">{html.escape(range_text(d, fmt))}</p>',
        _table(
            [
                QCoreApplication.translate("Dashboard", "Figure"),
                QCoreApplication.translate("Dashboard", "Value"),
                QCoreApplication.translate("Dashboard", "Detail"),
            ],
            [[f.label, f.text, f.detail] for f in figures(d, fmt)],
        ),
    ]
    for name in charts:
        parts.append(f'<p align="center"><img src="{name}" width="580"></p>')
    parts.append(_heading(2, direction, QCoreApplication.translate("Dashboard", "Agent workload")))
    parts.append(
        _table(
            [
                QCoreApplication.translate("Dashboard", "Agent"),
                QCoreApplication.translate("Dashboard", "Open"),
                QCoreApplication.translate("Dashboard", "Total"),
                QCoreApplication.translate("Dashboard", "On leave now"),
            ],
            [
                [
                    a.name,
                    n(a.open),
                    n(a.total),
                    QCoreApplication.translate("Dashboard", "Yes") if a.on_leave else "",
                ]
                for a in d.workload
            ],
        )
    )
    parts.append(_heading(2, direction, QCoreApplication.translate("Dashboard", "Tickets per day")))
    parts.append(
        _table(
            [
                QCoreApplication.translate("Dashboard", "Day"),
                QCoreApplication.translate("Dashboard", "Created"),
                QCoreApplication.translate("Dashboard", "Closed"),
            ],
            [[day_text(d, fmt, i), n(p.created), n(p.closed)] for i, p in enumerate(d.per_day)],
        )
    )
    if d.leaves:
        parts.append(
            _heading(2, direction, QCoreApplication.translate("Dashboard", "Agents on leave"))
        )
        parts.append(
            _table(
                [
                    QCoreApplication.translate("Dashboard", "Agent"),
                    QCoreApplication.translate("Dashboard", "From"),
                    QCoreApplication.translate("Dashboard", "To"),
                ],
                [[x.name, fmt.date(x.starts_at), fmt.date(x.ends_at)] for x in d.leaves],
            )
        )
    parts.append("</body></html>")
    return "".join(parts)


def write_pdf(
    path: Path,
    d: Dashboard,
    fmt: Formatter,
    charts: Sequence[QImage],
    *,
    rtl: bool,
) -> None:
    """An A4 PDF report: figures, the charts as pictures and the tables."""
    doc = QTextDocument()
    font = QFont(QApplication.font())
    font.setPointSizeF(9)
    doc.setDefaultFont(font)
    doc.setDefaultStyleSheet(
        "th { background-color: #e8eef7; } td, th { padding: 3px; } h1 { font-size: 16pt; }"
    )
    names = []
    for i, image in enumerate(charts):
        name = f"chart{i}.png"
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
        names.append(name)
    doc.setHtml(report_html(d, fmt, names, rtl=rtl))
    writer = QPdfWriter(str(path))
    writer.setTitle(QCoreApplication.translate("Dashboard", "Supervisors dashboard"))
    writer.setCreator("Helpdesk")
    writer.setResolution(150)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(12, 12, 12, 12),
            QPageLayout.Unit.Millimeter,
        )
    )
    doc.print_(writer)
    if not path.is_file() or path.stat().st_size == 0:
        raise OSError(
            QCoreApplication.translate("Dashboard", "The PDF report could not be written.")
        )
