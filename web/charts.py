"""Small server-drawn SVG charts (no JavaScript needed to see them)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape


def money_label(value: float) -> str:
    """A money figure the way council papers write it: £1.2m, £350k, £900."""
    if abs(value) >= 1_000_000:
        return f"£{value / 1_000_000:.1f}m".replace(".0m", "m")
    if abs(value) >= 1_000:
        return f"£{value / 1_000:.0f}k"
    return f"£{value:,.0f}"


BASIS_COLOURS = {"stated sum": "#1d4f91", "per year": "#00703c", "saving": "#a34a00",
                 "saving per year": "#7a3700"}
OTHER_COLOUR = "#6b3fa0"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def timeline_chart(points: list[Any], title: str, width: int = 640, height: int = 300) -> Markup:
    """An SVG of every year from a service's first appearance to its last: a mark for each year
    it appears in (hollow when it does not), its status below, and a bar for the largest figure
    of each basis stated that year. Bars of one basis share a scale; bases are not compared
    (a yearly rate beside a one-off sum would mislead), so each has its own colour and scale."""
    if not points:
        return Markup("")
    bases = list(dict.fromkeys(b for p in points for b in p.money))
    tops = {b: max(p.money.get(b, 0.0) for p in points) or 1.0 for b in bases}
    pad, legend_h, foot = 10, 22 if bases else 0, 74
    slot = (width - pad * 2) / len(points)
    plot_top, plot_bottom = pad + legend_h + 16, height - foot
    plot_h = plot_bottom - plot_top
    group_w = min(slot * 0.8, 26.0 * max(1, len(bases)))
    bar_w = group_w / max(1, len(bases))
    parts = [
        f'<svg class="chart timeline-chart" role="img" aria-labelledby="chart-title" '
        f'viewBox="0 0 {width} {height}" width="100%" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">{escape(title)}</title>',
    ]
    x = pad
    for basis in bases:  # legend
        colour = BASIS_COLOURS.get(basis, OTHER_COLOUR)
        parts.append(f'<g class="legend"><rect x="{x}" y="{pad}" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{x + 16}" y="{pad + 11}">{escape(basis)}</text></g>')
        x += 24 + 7 * len(basis)
    for i, p in enumerate(points):
        centre = pad + slot * i + slot / 2
        for j, basis in enumerate(bases):
            value = p.money.get(basis)
            if value is None:
                continue
            h = max(2.0, plot_h * value / tops[basis])
            bx = centre - group_w / 2 + bar_w * j
            words = p.money_text.get(basis) or money_label(value)
            parts.append(
                f'<g><rect x="{bx:.1f}" y="{plot_bottom - h:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" '
                f'class="bar" fill="{BASIS_COLOURS.get(basis, OTHER_COLOUR)}">'
                f"<title>{p.year}, {escape(basis)}: {escape(words)}</title></rect>"
                f'<text x="{bx + bar_w / 2 - 1:.1f}" y="{plot_bottom - h - 4 - 11 * (j % 2):.1f}" '
                'text-anchor="middle" '
                f'font-size="10">{escape(money_label(value))}</text></g>'
            )
        mark_y = plot_bottom + 14
        if p.appears:
            said = f"{p.year}: appears in {p.papers} paper{'s' * (p.papers != 1)}, {p.rows} passage" + \
                   "s" * (p.rows != 1) + (f"; status {', '.join(p.statuses)}" if p.statuses else "")
            parts.append(f'<g class="presence"><circle cx="{centre:.1f}" cy="{mark_y}" r="6" fill="#1b1b1b">'
                         f"<title>{escape(said)}</title></circle>"
                         f'<text x="{centre:.1f}" y="{mark_y + 20}" text-anchor="middle" font-size="10">'
                         f"{p.rows} passage{'s' * (p.rows != 1)}</text>")
            if p.statuses:
                parts.append(f'<text x="{centre:.1f}" y="{mark_y + 33}" text-anchor="middle" font-size="10">'
                             f"{escape(_short(p.statuses[-1], max(6, int(slot / 6.5))))}</text>")
            parts.append("</g>")
        else:
            parts.append(f'<g class="absence"><circle cx="{centre:.1f}" cy="{mark_y}" r="5" fill="none" '
                         f'stroke="#767676"><title>{p.year}: not in any paper</title></circle></g>')
        parts.append(f'<text x="{centre:.1f}" y="{height - 6}" text-anchor="middle">{p.year}</text>')
    parts.append(f'<line x1="{pad}" x2="{width - pad}" y1="{plot_bottom}" y2="{plot_bottom}" '
                 'stroke="#b1b4b6"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
