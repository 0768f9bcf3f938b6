"""Small SVG charts for reports (a histogram of scores), written directly: no plotting library."""
from __future__ import annotations

from html import escape


def histogram_svg(values: list[float], maximum: float, title: str, bins: int = 10) -> str:
    """Bars of how many values fall in each tenth of [0, maximum]; the last bin includes maximum."""
    width, height, left, bottom, top = 640, 360, 50, 40, 40
    counts = [0] * bins
    for v in values:
        i = min(int(v / maximum * bins), bins - 1) if maximum > 0 else 0
        counts[max(i, 0)] += 1
    peak = max(counts) or 1
    plot_w, plot_h = width - left - 20, height - top - bottom
    bar_w = plot_w / bins
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f'<title>{escape(title)}</title>',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="15">{escape(title)} '
        f'({len(values)} submissions)</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="black"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="black"/>',
    ]
    for i, n in enumerate(counts):
        h = plot_h * n / peak
        x = left + i * bar_w
        parts.append(f'<rect class="bar" data-count="{n}" x="{x + 2:.1f}" y="{top + plot_h - h:.1f}" '
                     f'width="{bar_w - 4:.1f}" height="{h:.1f}" fill="#4a78b5"/>')
        if n:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h - h - 4:.1f}" '
                         f'text-anchor="middle">{n}</text>')
        lo = maximum * i / bins
        parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle">{lo:g}</text>')
    parts.append(f'<text x="{left + plot_w:.1f}" y="{top + plot_h + 16}" text-anchor="middle">{maximum:g}</text>')
    parts.append(f'<text x="14" y="{top + plot_h / 2}" transform="rotate(-90 14 {top + plot_h / 2})" '
                 'text-anchor="middle">submissions</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
