"""The pictures: release windows on a time axis, and each flag's rollout across the environments.

Both are inline SVG drawn here, by the core: no JavaScript, no web font, no external file. Every text
from a record is XML-escaped; coordinates are rounded to one decimal and the order is the pages'
order, so the same project gives byte-identical SVG. They read printed (dark text on light fills, and
every colour is repeated as a word), and they scale to the content column (``width="100%"`` of a
``viewBox``), so a phone shows the whole picture rather than a clipped one.

The windows picture also shades the policy's change freezes (:mod:`fes_docs.change_calendar` reads them,
as FES021 and ``fes-docs gate`` do): a grey band across every row for each readable freeze the axis
reaches, in policy order, numbered on a row of its own and named in the caption.

The figures sit in an HTML block (``<figure>``), which Python-Markdown passes through untouched; the
SVG has no blank line inside, so Markdown never splits it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import MAXYEAR, UTC, datetime

from ..change_calendar import Span, freeze_span
from ..dates import parse_datetime
from ..model import Release
from ..policy_settings import Freeze
from .context import Site
from .context import window_start as _start

WIDTH = 480
LABEL = 150  # the left column: release or flag names
ROW = 22
TOP = 34
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'
# Fill per status, and the word that says the same in print; unknown statuses are grey.
STATUS_FILL = {
    "draft": "#9e9e9e",
    "planned": "#448aff",
    "approved": "#00b8d4",
    "in-progress": "#ff9100",
    "released": "#00c853",
    "rolled-back": "#ff1744",
    "cancelled": "#bdbdbd",
}
DEPLOYED = frozenset({"released", "rolled-back"})


def _x(value: float) -> str:
    return f"{value:.1f}"


def _text(value: str, limit: int = 34) -> str:
    """A record's text as SVG character data: one line, shortened, escaped."""
    flat = " ".join(value.split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return html.escape(flat, quote=True)


def _end(rel: Release, start: datetime) -> datetime:
    when = parse_datetime(rel.window_end) if rel.window_end else None
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when if when is not None and when > start else start


#: Releases a picture shows at most: the ones around the release in or next to its window. A picture of a
#: thousand rows is read by nobody and costs the site build megabytes; the tables list every release.
MAX_RELEASES = 40


def shown(site: Site) -> list[Release]:
    """The releases the pictures draw: all of them up to :data:`MAX_RELEASES`, else that many around the
    current one in window order (a quarter before it, the rest after), or the most recent when all shipped."""
    ordered = [rel for rel in site.by_window if _start(rel) is not None]
    if len(ordered) <= MAX_RELEASES:
        return ordered
    current = site.next_up
    last_start = len(ordered) - MAX_RELEASES
    if current not in ordered:  # everything shipped: the most recent
        return ordered[last_start:]
    first = min(max(0, ordered.index(current) - MAX_RELEASES // 4), last_start)
    return ordered[first : first + MAX_RELEASES]


def _more(site: Site) -> str:
    hidden = sum(1 for rel in site.releases if _start(rel) is not None) - len(shown(site))
    return (
        f" Showing the {MAX_RELEASES} releases around the next one; {hidden} more are in the table."
        if hidden > 0
        else ""
    )


def _svg(title: str, height: float, body: Sequence[str]) -> str:
    label = html.escape(title, quote=True)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="fes-timeline" role="img" aria-label="{label}" '
        f'viewBox="0 0 {WIDTH} {_x(height)}" width="100%" {FONT} font-size="13">'
        f'<title>{label}</title><rect width="{WIDTH}" height="{_x(height)}" fill="#ffffff"/>' + "".join(body) + "</svg>"
    )


def _figure(svg: str, caption: str) -> str:
    return f'<figure class="fes-figure">\n{svg}\n<figcaption>{caption}</figcaption>\n</figure>'


FREEZE_FILL = "#e0e0e0"


def _freezes(site: Site, first: datetime, last: datetime) -> list[tuple[Freeze, Span]]:
    """The readable freezes the axis reaches, in policy order (a freeze past either end is not drawn)."""
    return [
        (f, span)
        for f in site.project.policy.freezes
        if (span := freeze_span(f)) is not None and span.start <= last and span.end >= first
    ]


def _freeze_caption(frozen: list[tuple[Freeze, Span]]) -> str:
    if not frozen:
        return ""
    named = [
        f"{f.index + 1}: {span.start.astimezone(UTC):%Y-%m-%d %H:%M} → {span.end.astimezone(UTC):%Y-%m-%d %H:%M}"
        f" ({_text(', '.join(f.environments), 60) if f.environments else 'all environments'})"
        + (f" {_text(f.reason, 80)}" if f.reason else "")
        for f, span in frozen
    ]
    return " Grey bands: change freezes, when nothing deploys — " + "; ".join(named) + "."


#: At most this many month ticks; a longer span is ticked by year (windows years apart, or in 9999).
MAX_MONTH_TICKS = 240


def _ticks(first: datetime, last: datetime) -> list[datetime]:
    """The first of each month (or, over a long span, of each year) from ``first`` to ``last``, never past
    the last year a date can hold: a window in December 9999 crashed the page's month after it."""
    by_year = (last.year - first.year) * 12 > MAX_MONTH_TICKS
    out: list[datetime] = []
    year, month = first.year, 1 if by_year else first.month
    while True:
        tick = datetime(year, month, 1, tzinfo=UTC)
        if tick > last:
            return out
        if tick >= first:
            out.append(tick)
        if by_year:
            year += 1
        else:
            year, month = year + month // 12, month % 12 + 1
        if year > MAXYEAR:
            return out


def windows_svg(site: Site) -> str:
    """One row per release with a window, in window order: a bar at its window, coloured by status."""
    current = site.next_up
    rows = [(rel, start) for rel in shown(site) if (start := _start(rel)) is not None]
    if not rows:
        return ""
    first = min(start for _, start in rows)
    last = max(_end(rel, start) for rel, start in rows)
    span = max((last - first).total_seconds(), 1.0)
    left, right = LABEL + 8.0, WIDTH - 12.0
    scale = (right - left) / span

    def at(when: datetime) -> float:
        return left + (when - first).total_seconds() * scale

    frozen = _freezes(site, first, last)
    bottom = TOP + len(rows) * ROW
    body = [  # the current row's highlight first, then the freezes over it, then the bars over both
        f'<rect x="0" y="{TOP + i * ROW}" width="{WIDTH}" height="{ROW}" fill="#fff3c4"/>'
        for i, (rel, _) in enumerate(rows)
        if rel is current
    ]
    for f, freeze in frozen:
        x0, x1 = max(at(freeze.start), left), min(at(freeze.end), right)
        body.append(
            f'<rect x="{_x(x0)}" y="{TOP - 6}" width="{_x(max(x1 - x0, 2.0))}" height="{bottom - TOP + 6 + ROW}" '
            f'fill="{FREEZE_FILL}" stroke="#9e9e9e" stroke-dasharray="3 2"/>'
        )
        body.append(f'<text x="{_x((x0 + x1) / 2)}" y="{bottom + 15}" text-anchor="middle">❄ {f.index + 1}</text>')
    if frozen:
        body.append(f'<text x="6" y="{bottom + 15}" font-style="italic">freezes</text>')
    body.append(f'<line x1="{_x(left)}" y1="{TOP - 6}" x2="{_x(right)}" y2="{TOP - 6}" stroke="#757575"/>')
    # Month ticks (UTC), at most ~8 labels so they never overlap.
    months = _ticks(first, last)
    month_px = 30 * 86400 * scale
    step = max(1, int(-(-56 // max(month_px, 1.0))))  # a label is ~50 px wide: never two overlap
    for i, month in enumerate(months):
        x = at(month)
        body.append(f'<line x1="{_x(x)}" y1="{TOP - 10}" x2="{_x(x)}" y2="{TOP - 2}" stroke="#757575"/>')
        if i % step == 0 and left + 24 <= x <= right - 24:
            body.append(f'<text x="{_x(x)}" y="{TOP - 14}" text-anchor="middle">{month:%Y-%m}</text>')
    for i, (rel, start) in enumerate(rows):
        y = TOP + i * ROW
        status = rel.status or "?"
        fill = STATUS_FILL.get(status, "#9e9e9e")
        weight = ' font-weight="bold"' if rel is current else ""
        name = ("▶ " if rel is current else "") + site.title(rel)
        body.append(f'<text x="4" y="{y + 15}"{weight}>{_text(name, 22)}</text>')
        x0 = at(start)
        width = max(at(_end(rel, start)) - x0, 6.0)
        body.append(
            f'<rect x="{_x(x0)}" y="{y + 5}" width="{_x(width)}" height="12" rx="2" fill="{fill}" stroke="#424242"/>'
        )
        label = f"{start:%m-%d} {_text(status, 14)}"
        if x0 + width + 4 + 7.5 * len(label) <= WIDTH:
            body.append(f'<text x="{_x(x0 + width + 4)}" y="{y + 15}"{weight}>{label}</text>')
        else:  # no room on the right: the label goes left of the bar
            body.append(f'<text x="{_x(x0 - 4)}" y="{y + 15}" text-anchor="end"{weight}>{label}</text>')
    height = TOP + len(rows) * ROW + (ROW if frozen else 0) + 6
    return _figure(
        _svg("Release windows by date", height, body),
        "Release windows by date (UTC), coloured by status; ▶ marks the release in or next to its window."
        + _freeze_caption(frozen)
        + _more(site),
    )


def rollout_svg(site: Site) -> str:
    """One row per (flag, release) in window order; one cell per environment, filled to its percentage."""
    envs = site.project.policy.environments
    if not envs:
        return ""
    policy_flags = site.project.policy.flags
    names = [*policy_flags, *sorted({f.name for r in site.releases for f in r.flags if f.name} - set(policy_flags))]
    rows: list[tuple[str, Release, list[int]]] = []
    drawn = shown(site)
    for name in names:
        for rel in drawn:
            for flag in rel.flags:
                if flag.name == name:
                    rows.append((name, rel, [flag.percent(env) for env in envs]))
    if not rows:
        return ""
    left = LABEL + 8.0
    cell = (WIDTH - left) / len(envs)
    body = []
    for j, env in enumerate(envs):
        cx = left + j * cell + cell / 2
        body.append(
            f'<text x="{_x(cx)}" y="{TOP - 12}" text-anchor="middle" font-weight="bold">{_text(env, 11)}</text>'
        )
    previous = None
    y = float(TOP)
    for name, rel, percents in rows:
        if name != previous:
            body.append(f'<text x="4" y="{_x(y + 15)}" font-weight="bold">{_text(name, 60)}</text>')
            y += ROW
            previous = name
        body.append(f'<text x="14" y="{_x(y + 15)}">{_text(site.title(rel), 20)}</text>')
        for j, pct in enumerate(percents):
            x = left + j * cell + 2
            inner = cell - 4
            body.append(
                f'<rect x="{_x(x)}" y="{_x(y + 3)}" width="{_x(inner)}" height="16" fill="#ffffff" stroke="#757575"/>'
            )
            if pct > 0:
                body.append(
                    f'<rect x="{_x(x)}" y="{_x(y + 3)}" width="{_x(inner * min(pct, 100) / 100)}" height="16" '
                    'fill="#82b1ff"/>'
                )
            body.append(
                f'<text x="{_x(x + inner / 2)}" y="{_x(y + 15)}" text-anchor="middle">'
                f"{'off' if pct <= 0 else f'{pct} %'}</text>"
            )
        y += ROW
    return _figure(
        _svg("Feature flag rollout per environment", y + 6, body),
        "How far each release rolls out each flag, per environment in promotion order "
        "(production: its last step); the bar fills to the percentage." + _more(site),
    )


def timeline(site: Site) -> str:
    """Both pictures, as the Markdown blocks a page adds (empty when there is nothing to draw)."""
    return "\n\n".join(part for part in (windows_svg(site), rollout_svg(site)) if part)
