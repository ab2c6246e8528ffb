"""Activity over time: papers counted per week, month or quarter, whichever suits the span.

A chart over a long span bins by month (or quarter) instead of drawing one bar a week; lists
and tables name only the periods that have papers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["UNITS", "Activity", "Period", "activity", "unit_for"]

UNITS = ("week", "month", "quarter")
_WEEKS_FOR_WEEKS = 26
_WEEKS_FOR_MONTHS = 156
_MONTHS = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


@dataclass(frozen=True, slots=True)
class Period:
    """One bin of the activity: its first day, its unit and how many papers it had."""

    start: date
    unit: str
    papers: int

    @property
    def label(self) -> str:
        """``2024-04-22`` for a week, ``Apr 2024`` for a month, ``2024 Q2`` for a quarter."""
        if self.unit == "week":
            return self.start.isoformat()
        if self.unit == "month":
            return f"{_MONTHS[self.start.month - 1]} {self.start.year}"
        return f"{self.start.year} Q{(self.start.month - 1) // 3 + 1}"

    @property
    def short(self) -> str:
        """A tick label: the year at each January (or first quarter), else the month."""
        if self.unit == "week":
            return self.start.strftime("%d %b")
        if self.start.month == 1:
            return str(self.start.year)
        return (
            _MONTHS[self.start.month - 1]
            if self.unit == "month"
            else f"Q{self.start.month // 3 + 1}"
        )


@dataclass(frozen=True, slots=True)
class Activity:
    """Papers per period over a span: every period for charts, `active` ones for tables."""

    unit: str
    periods: tuple[Period, ...]

    @property
    def active(self) -> tuple[Period, ...]:
        """The periods with at least one paper."""
        return tuple(p for p in self.periods if p.papers)

    @property
    def total(self) -> int:
        """Papers counted (those with a week)."""
        return sum(p.papers for p in self.periods)

    @property
    def peak(self) -> Period | None:
        """The busiest period (the earliest of equals)."""
        return max(self.periods, key=lambda p: (p.papers, -p.start.toordinal()), default=None)


def unit_for(first: date, last: date) -> str:
    """Weeks for up to half a year, months for up to three years, quarters beyond."""
    weeks = (last - first).days // 7 + 1
    if weeks <= _WEEKS_FOR_WEEKS:
        return "week"
    return "month" if weeks <= _WEEKS_FOR_MONTHS else "quarter"


def _start(day: date, unit: str) -> date:
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _next(start: date, unit: str) -> date:
    if unit == "week":
        return start + timedelta(weeks=1)
    step = 1 if unit == "month" else 3
    month = start.month - 1 + step
    return date(start.year + month // 12, month % 12 + 1, 1)


def activity(weeks: Iterable[date], span: tuple[date, date] | None = None) -> Activity:
    """Papers per period, given each paper's week, over `span` (default: the weeks' own span).

    The unit follows the span's length (see `unit_for`); every period of the span is listed,
    empty ones with zero papers.
    """
    days = list(weeks)
    if span is None:
        if not days:
            return Activity("week", ())
        span = (min(days), max(days))
    first, last = min([span[0], *days]), max([span[1], *days])
    unit = unit_for(first, last)
    counts = Counter(_start(day, unit) for day in days)
    periods = []
    current = _start(first, unit)
    while current <= last:
        periods.append(Period(current, unit, counts.get(current, 0)))
        current = _next(current, unit)
    return Activity(unit, tuple(periods))
