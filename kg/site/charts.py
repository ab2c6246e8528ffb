"""The activity chart as SVG geometry: a bar per period over the graph's span, a few grid
lines, and tick labels that never crowd (years on a long span, months or weeks on a short one)."""

from __future__ import annotations

from dataclasses import dataclass

from kg.explore.activity import Activity, Period

__all__ = ["Bar", "Chart", "Tick", "chart"]

WIDTH = 720
HEIGHT = 200
_LEFT, _RIGHT, _TOP, _BOTTOM = 36.0, 10.0, 14.0, 34.0
_MIN_TICK_GAP = 44.0


@dataclass(frozen=True, slots=True)
class Bar:
    """One period of the chart, in SVG coordinates."""

    period: Period
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class Tick:
    """A label under the axis (x) or a grid line with its value (y)."""

    position: float
    text: str


@dataclass(frozen=True, slots=True)
class Chart:
    """The whole chart."""

    width: int
    height: int
    left: float
    right: float
    baseline: float
    bars: tuple[Bar, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    unit: str


def _x_ticks(bars: tuple[Bar, ...]) -> tuple[Tick, ...]:
    """Tick labels at year starts for months and quarters, else spaced out; never closer than
    `_MIN_TICK_GAP`."""
    ticks: list[Tick] = []
    for bar in bars:
        period = bar.period
        wanted = period.unit == "week" or period.start.month == 1
        centre = round(bar.x + bar.width / 2, 1)
        if wanted and (not ticks or centre - ticks[-1].position >= _MIN_TICK_GAP):
            ticks.append(Tick(centre, period.short))
    if not ticks and bars:
        first = bars[0]
        ticks.append(Tick(round(first.x + first.width / 2, 1), first.period.label))
    return tuple(ticks)


def chart(activity: Activity, width: int = WIDTH, height: int = HEIGHT) -> Chart:
    """The chart of `activity`: bars scaled to the busiest period."""
    periods = activity.periods
    peak = max((p.papers for p in periods), default=0) or 1
    plot_w = width - _LEFT - _RIGHT
    plot_h = height - _TOP - _BOTTOM
    baseline = _TOP + plot_h
    slot = plot_w / max(len(periods), 1)
    bar_w = max(min(slot * 0.8, 40.0), 1.0)
    bars = tuple(
        Bar(
            period=p,
            x=round(_LEFT + i * slot + (slot - bar_w) / 2, 2),
            y=round(baseline - plot_h * p.papers / peak, 2),
            width=round(bar_w, 2),
            height=round(plot_h * p.papers / peak, 2),
        )
        for i, p in enumerate(periods)
    )
    step = max(1, -(-peak // 4))
    y_ticks = tuple(
        Tick(round(baseline - plot_h * v / peak, 2), str(v)) for v in range(0, peak + 1, step)
    )
    return Chart(
        width, height, _LEFT, width - _RIGHT, baseline, bars, _x_ticks(bars), y_ticks, activity.unit
    )
