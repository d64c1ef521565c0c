"""A tiny, escaping Markdown renderer for the generated ontology documentation.

Only what the generated docs use: headings, paragraphs, bullet lists, tables, inline code
and links. Everything else is shown as escaped text.
"""

from __future__ import annotations

import re

from markupsafe import escape

_INLINE_CODE = re.compile(r"`([^`]+)`")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")
_BULLET = re.compile(r"^\s*[-*]\s+")


def _inline(text: str) -> str:
    html = str(escape(text))
    html = _INLINE_CODE.sub(lambda m: f"<code>{m.group(1)}</code>", html)
    html = _BOLD.sub(lambda m: f"<strong>{m.group(1)}</strong>", html)

    def link(m: re.Match[str]) -> str:
        href = m.group(2)
        if not href.startswith(("http://", "https://", "#", "/")):
            return m.group(0)
        return f'<a href="{href}">{m.group(1)}</a>'

    return _LINK.sub(link, html)


def markdown_to_html(text: str) -> str:
    """Render the subset of Markdown above; all text is escaped first."""
    out: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip() or re.fullmatch(r"\s*<!--.*-->\s*", line):  # blank, or an HTML comment
            i += 1
            continue
        heading = re.match(r"(#{1,6})\s+(.*)", line)
        if heading:
            level = min(len(heading.group(1)) + 1, 6)
            slug = re.sub(r"[^a-z0-9]+", "-", heading.group(2).lower()).strip("-")
            out.append(f'<h{level} id="{slug}">{_inline(heading.group(2))}</h{level}>')
            i += 1
        elif line.lstrip().startswith("|"):
            rows = []
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                cells = [c.strip() for c in lines[i].strip().strip("|").split("|")]
                if not all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
                    rows.append(cells)
                i += 1
            if rows:
                head = "".join(f"<th scope=\"col\">{_inline(c)}</th>" for c in rows[0])
                body = "".join(
                    "<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in r) + "</tr>" for r in rows[1:]
                )
                out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        elif re.match(r"\s*[-*]\s+", line):
            items = []
            while i < len(lines) and re.match(r"\s*[-*]\s+", lines[i]):
                items.append("<li>" + _inline(_BULLET.sub("", lines[i])) + "</li>")
                i += 1
            out.append("<ul>" + "".join(items) + "</ul>")
        else:
            para = []
            while i < len(lines) and lines[i].strip() and not re.match(r"(#|\||\s*[-*]\s)", lines[i]):
                para.append(lines[i].strip())
                i += 1
            out.append(f"<p>{_inline(' '.join(para))}</p>")
    return "\n".join(out)
