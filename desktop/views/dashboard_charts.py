"""The dashboard's charts (D7) on Qt Charts: each chart view keeps, for every bar, the key
it stands for, and says which bar was clicked; the dashboard turns that key into a queue."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QHorizontalStackedBarSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QLocale, QMargins, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QApplication, QWidget

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2")


@dataclass(frozen=True)
class BarSetSpec:
    """One coloured set of bars: its legend name, one value per category and the key each
    bar stands for (None: not clickable)."""

    name: str
    values: Sequence[int]
    keys: Sequence[object | None]


class DashboardChartView(QChartView):
    """A bar chart whose bars are clickable; right-to-left categories under RTL."""

    bar_clicked = Signal(object)
    """The supervisor clicked the bar standing for this key."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(330)
        self.series: QAbstractBarSeries | None = None
        self.categories: list[str] = []
        self._keys: list[list[object | None]] = []

    def show_bars(  # noqa: PLR0915 - one straight chart recipe
        self,
        *,
        title: str,
        categories: Sequence[str],
        sets: Sequence[BarSetSpec],
        kind: type[QAbstractBarSeries] = QBarSeries,
        locale: QLocale,
        labels: bool = True,
        upright_labels: bool = False,
    ) -> None:
        """Replace the chart with these bars."""
        chart = QChart()
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        # Qt Charts lays axis labels out wrongly under right-to-left (every category label
        # elided to "..."): the chart stays left-to-right and mirrors itself below, by axis
        # side and order; each label is still shaped and ordered by Qt
        chart.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        chart.setBackgroundRoundness(0)
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.setLocalizeNumbers(True)
        chart.setLocale(locale)
        font = QFont(QApplication.font())
        bold = QFont(font)
        bold.setBold(True)
        chart.setTitleFont(bold)
        chart.setTitle(title)
        chart.legend().setFont(font)
        chart.legend().setVisible(len(sets) > 1)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        series = kind()
        self._keys = []
        top = 0
        for i, spec in enumerate(sets):
            bar_set = QBarSet(spec.name)
            bar_set.setColor(QColor(PALETTE[i % len(PALETTE)]))
            bar_set.setLabelColor(
                QColor("black" if kind in (QBarSeries, QHorizontalBarSeries) else "white")
            )
            bar_set.setLabelFont(font)
            bar_set.append([float(v) for v in spec.values])
            self._keys.append(list(spec.keys))
            bar_set.clicked.connect(self._clicker(i))
            series.append(bar_set)
            top = max(top, *spec.values, 0)
        if kind in (QStackedBarSeries, QHorizontalStackedBarSeries):
            top = max([sum(col) for col in zip(*(s.values for s in sets), strict=True)] or [0])
        series.setLabelsVisible(labels)
        series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsCenter)
        chart.addSeries(series)
        category_axis = QBarCategoryAxis()
        category_axis.append(list(categories))
        category_axis.setLabelsFont(font)
        if upright_labels:
            category_axis.setLabelsAngle(-90)
        value_axis = QValueAxis()
        value_axis.setLabelFormat("%.0f")  # "%d" drops localized labels
        value_axis.setLabelsFont(font)
        value_axis.setRange(0, _nice_top(top))
        value_axis.setTickCount(5)
        rtl = QApplication.layoutDirection() == Qt.LayoutDirection.RightToLeft
        if kind in (QHorizontalBarSeries, QHorizontalStackedBarSeries):
            chart.addAxis(category_axis, Qt.AlignmentFlag.AlignLeft)
            chart.addAxis(value_axis, Qt.AlignmentFlag.AlignBottom)
        else:
            chart.addAxis(category_axis, Qt.AlignmentFlag.AlignBottom)
            chart.addAxis(
                value_axis, Qt.AlignmentFlag.AlignRight if rtl else Qt.AlignmentFlag.AlignLeft
            )
        series.attachAxis(category_axis)
        series.attachAxis(value_axis)
        self.series = series
        self.categories = list(categories)
        old = self.chart()
        self.setChart(chart)
        if old is not None:
            old.deleteLater()

    def bar_centre(self, set_index: int, category: int) -> QPointF:
        """Where the middle of a bar is, in viewport coordinates (tests click there)."""
        assert self.series is not None
        sets = self.series.barSets()
        value = sets[set_index].at(category)
        base = 0.0
        if isinstance(self.series, (QStackedBarSeries, QHorizontalStackedBarSeries)):
            base = sum(sets[i].at(category) for i in range(set_index))
        n = len(sets)
        offset = 0.0
        if isinstance(self.series, (QBarSeries, QHorizontalBarSeries)) and n > 1:
            width = self.series.barWidth() / n
            offset = -self.series.barWidth() / 2 + width * (set_index + 0.5)
        if isinstance(self.series, (QHorizontalBarSeries, QHorizontalStackedBarSeries)):
            point = QPointF(base + value / 2, category + offset)
        else:
            point = QPointF(category + offset, base + value / 2)
        scene = self.chart().mapToPosition(point, self.series)
        return QPointF(self.mapFromScene(self.chart().mapToScene(scene)))

    def key_at(self, set_index: int, category: int) -> object | None:
        return self._keys[set_index][category]

    def _clicker(self, set_index: int) -> Callable[[int], None]:
        def clicked(category: int) -> None:
            key = self._keys[set_index][category]
            if key is not None:
                self.bar_clicked.emit(key)

        return clicked


def _nice_top(top: float) -> float:
    """A round upper end for the value axis, a little above the tallest bar."""
    if top <= 4:
        return 4
    step = 10 ** (len(str(int(top))) - 1)
    return float(((int(top * 1.1) // step) + 1) * step)
