"""The digest's chart: cases opened per day stacked by priority with breaches marked, and first-response
attainment per priority against the goal. A PNG and its alt text (for Slack's file upload).

matplotlib is imported here, on the first chart, never at start: the bot pays for it only when it
draws. Drawing uses the object API and the Agg canvas (no pyplot, no display, no global state), so
it is safe in a worker thread. Japanese labels use IPAexGothic from the `matplotlib-fontja` wheel,
loaded from its file (offline); without it the chart falls back to English labels.
"""

from __future__ import annotations

import importlib.util
import io
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.reports.figures import PRIORITY_ORDER, Report
from bot.reports.text import DASH, duration, label, percent

log = logging.getLogger(__name__)

COLOURS = {"high": "#d1495b", "medium": "#edae49", "low": "#00798c"}
BREACH_COLOUR = "#222222"
LABEL_ON_BAR = {"high": "white", "medium": "#222222", "low": "white"}
_WEEKDAYS = {"ja": "月火水木金土日", "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}


@dataclass(frozen=True)
class Chart:
    png: bytes
    alt_text: str
    language: str  # the labels' language ("en" when Japanese was asked for but no Japanese font was found)


@lru_cache(maxsize=1)
def japanese_font() -> Path | None:
    """IPAexGothic from the matplotlib-fontja wheel, found without importing the package (importing it
    changes matplotlib's global font settings)."""
    spec = importlib.util.find_spec("matplotlib_fontja")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "fonts" / "ipaexg.ttf"
        if path.is_file():
            return path
    return None


def _day_label(day: Any, language: str) -> str:
    weekday = _WEEKDAYS["ja" if language == "ja" else "en"][day.weekday()]
    return f"{day.month}/{day.day}\n({weekday})" if language == "ja" else f"{weekday}\n{day.month}/{day.day}"


def _draw_opened(ax: Any, report: Report, language: str) -> None:
    days = report.daily
    positions = list(range(len(days)))
    closed = [x for x, d in zip(positions, days, strict=True) if not d.business_day]
    for x in closed:
        ax.axvspan(
            x - 0.5,
            x + 0.5,
            color="#eeeeee",
            zorder=0,
            label=label("chart.closed", language) if x == closed[0] else None,
        )
    bottoms = [0] * len(days)
    for priority in PRIORITY_ORDER:
        heights = [d.opened.get(priority, 0) for d in days]
        ax.bar(positions, heights, bottom=bottoms, color=COLOURS[priority], label=label(priority, language), width=0.7)
        bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
    marked = [(x, total, d.breaches) for x, total, d in zip(positions, bottoms, days, strict=True) if d.breaches]
    top = max(bottoms, default=0)
    offset = max(top * 0.04, 0.3)
    if marked:
        ax.scatter(
            [m[0] for m in marked],
            [m[1] + offset for m in marked],
            marker="x",
            s=60,
            linewidths=2,
            color=BREACH_COLOUR,
            label=label("chart.breaches", language),
            zorder=3,
        )
        for x, total, count in marked:
            ax.annotate(str(count), (x, total + offset), textcoords="offset points", xytext=(7, 2), fontsize=8)
    ax.set_title(label("chart.opened_title", language), fontsize=11)
    ax.set_ylabel(label("chart.opened_axis", language))
    ax.set_xticks(positions, [_day_label(d.day, language) for d in days], fontsize=8)
    ax.set_ylim(0, top + offset * 3 + 1)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.legend(loc="upper left", fontsize=8, ncols=4, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)


def _draw_attainment(ax: Any, report: Report, language: str) -> None:
    response = report.first_response
    rows = list(reversed(response.by_priority))  # high on top
    names = [
        f"{label(p.priority, language)}\n{duration(p.target, language)}·{label(p.calendar, language)}" for p in rows
    ]
    values = [(p.attainment or 0) * 100 for p in rows]
    ax.barh(range(len(rows)), values, color=[COLOURS[p.priority] for p in rows], height=0.6)
    for y, p in enumerate(rows):
        decided = p.met + p.breached
        note = f"{percent(p.attainment)} ({p.met}/{decided})" if decided else label("chart.no_data", language)
        if values[y] >= 40:  # inside the bar, clear of the goal line
            ax.text(values[y] - 2, y, note, va="center", ha="right", fontsize=9, color=LABEL_ON_BAR[p.priority])
        else:
            ax.text(values[y] + 2, y, note, va="center", fontsize=9)
    ax.axvline(response.attainment_goal * 100, color=BREACH_COLOUR, linestyle="--", linewidth=1)
    ax.set_yticks(range(len(rows)), names, fontsize=9)
    ax.set_xlim(0, 105)
    ax.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"], fontsize=8)
    ax.set_title(label("chart.attainment_title", language, goal=percent(response.attainment_goal)), fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)


def alt_text(report: Report, language: str) -> str:
    """What the chart shows, in words (Slack's alt text for the uploaded image)."""
    cases = report.cases
    parts = ", ".join(f"{label(p, language)} {cases.opened_by_priority.get(p, 0)}" for p in PRIORITY_ORDER)
    busiest_day = max(report.daily, key=lambda d: sum(d.opened.values()), default=None)
    busiest = (
        f"{busiest_day.day:%m/%d} ({sum(busiest_day.opened.values())})"
        if busiest_day and sum(busiest_day.opened.values())
        else DASH
    )
    breach_days = ", ".join(f"{d.day:%m/%d} {d.breaches}" for d in report.daily if d.breaches)
    response = report.first_response
    attainment = ", ".join(f"{label(p.priority, language)} {percent(p.attainment)}" for p in response.by_priority)
    return label(
        "chart.alt",
        language,
        since=f"{report.period.first_day():%Y-%m-%d}",
        until=f"{report.period.last_day():%Y-%m-%d}",
        opened=cases.opened,
        parts=parts,
        busiest=busiest,
        breached=sum(d.breaches for d in report.daily),
        breach_days=label("chart.breach_days", language, days=breach_days) if breach_days else "",
        attainment=attainment,
        goal=percent(response.attainment_goal),
    )


def render_chart(report: Report, language: str = "ja") -> Chart:
    """Draw the chart (PNG bytes) and describe it (alt text)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    font = japanese_font()
    family = "sans-serif"
    if language == "ja" and font is None:
        log.warning("no Japanese font (install matplotlib-fontja); the chart is drawn with English labels")
        language = "en"
    elif language == "ja" and font is not None:
        from matplotlib import font_manager

        font_manager.fontManager.addfont(str(font))
        family = font_manager.FontProperties(fname=str(font)).get_name()
    import matplotlib

    with matplotlib.rc_context({"font.family": family, "axes.unicode_minus": False}):
        figure = Figure(figsize=(11, 4.4), dpi=110, layout="constrained")
        FigureCanvasAgg(figure)
        left, right = figure.subplots(1, 2, width_ratios=[2.3, 1])
        _draw_opened(left, report, language)
        _draw_attainment(right, report, language)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", metadata={"Software": None})
    return Chart(png=buffer.getvalue(), alt_text=alt_text(report, language), language=language)
