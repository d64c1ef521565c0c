"""Small server-drawn SVG charts (no JavaScript needed to see them)."""

from __future__ import annotations

from markupsafe import Markup, escape


def money_label(value: float) -> str:
    """A money figure the way council papers write it: £1.2m, £350k, £900."""
    if abs(value) >= 1_000_000:
        return f"£{value / 1_000_000:.1f}m".replace(".0m", "m")
    if abs(value) >= 1_000:
        return f"£{value / 1_000:.0f}k"
    return f"£{value:,.0f}"


def bar_chart(values: dict[int, float], title: str, width: int = 560, height: int = 220) -> Markup:
    """An accessible SVG bar chart of ``values`` by year (a ``<title>`` and per-bar labels)."""
    if not values:
        return Markup("")
    years = sorted(values)
    top = max(max(values.values()), 1.0)
    pad_left, pad_bottom, pad_top = 10, 28, 22
    slot = (width - pad_left * 2) / len(years)
    bar_w = min(60.0, slot * 0.6)
    plot_h = height - pad_bottom - pad_top
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="chart-title" viewBox="0 0 {width} {height}" '
        f'width="100%" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">{escape(title)}</title>',
    ]
    for i, year in enumerate(years):
        value = values[year]
        h = plot_h * value / top
        x = pad_left + slot * i + (slot - bar_w) / 2
        y = pad_top + plot_h - h
        label = money_label(value)
        parts.append(
            f'<g><rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" class="bar">'
            f"<title>{year}: {escape(label)}</title></rect>"
            f'<text x="{x + bar_w / 2:.1f}" y="{y - 6:.1f}" text-anchor="middle">{escape(label)}</text>'
            f'<text x="{x + bar_w / 2:.1f}" y="{height - 8}" text-anchor="middle">{year}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
