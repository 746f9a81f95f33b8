"""Making untrusted text safe to put into Markdown: the site's pages and ``fes-docs diff``'s summary.

A release file arrives in a pull request, so every string from it (titles, evidence, names, even
file names) is treated as hostile: it must come out on the page as the same characters, never as
HTML, a link, an attribute list, a heading or a block (an admonition, a collapsible ``???``, a
``===`` tab, a fence). Everything the renderer and the diff write goes through one of these helpers;
nothing else interpolates user text into Markdown.

Two readers: Python-Markdown with the site's extensions (``mkdocs.yml``) and GitHub's Markdown (the
diff goes into a step summary or a pull-request comment). Backslash escapes are only used for the
characters both treat as escapable; the rest become numeric character references, which both show
as the character and neither reads as syntax.
"""

from __future__ import annotations

import html
import unicodedata
from urllib.parse import quote, urlsplit

# Python-Markdown's escapable characters with the `tables` extension. Escaping a character that the
# parser does not treat as escapable would leave the backslash visible, so the set is exactly this.
_MD_SPECIAL = frozenset("\\`*_{}[]()#+-.!|")
# One translation table each, built once: str.translate is ~10x faster than a per-character loop, and
# the plugin escapes a few hundred thousand strings for a thousand releases.
# `~` and `$` are not escapable there but are syntax on GitHub (strikethrough, math): references.
_ESCAPE = str.maketrans(
    {
        **{ch: "\\" + ch for ch in _MD_SPECIAL},
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        "~": "&#126;",
        "$": "&#36;",
    }
)
# What opens a block when it starts a line, yet is no syntax anywhere else: `??? note` and `???+`
# (pymdownx.details), `=== "Tab"` (pymdownx.tabbed), `///` (pymdownx.blocks), `:::` (containers of
# other generators). Only a leading one is replaced, so text keeps its look in the Markdown source.
_BLOCK_OPENERS = {"?": "&#63;", "=": "&#61;", "/": "&#47;", ":": "&#58;"}
# Unicode category Cc is exactly U+0000-U+001F and U+007F-U+009F; the bidirectional embeddings,
# overrides and isolates ("Trojan source") would reorder what a reviewer reads, so they go too.
_CONTROLS = str.maketrans(
    dict.fromkeys([*range(0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)], "\ufffd")
)
# Characters a link target keeps as they are; everything else is percent-encoded so that no Markdown
# inline pattern (backticks, links, escapes) can match inside the tag before it is stashed as HTML.
_URL_SAFE = "-._~:/?#@!$&'+,;=%*"


def one_line(text: object) -> str:
    """Collapse every kind of whitespace (newlines, tabs, U+2028 …) to single spaces; show controls."""
    s = "" if text is None else str(text)
    return " ".join(s.split()).translate(_CONTROLS)


def md_escape(text: object) -> str:
    """Plain text for any Markdown context: paragraphs, headings, table cells, list items, admonition titles.

    HTML-significant characters become entities and Markdown-significant ones are backslash-escaped,
    so ``<script>`` shows as text and ``[x](javascript:…)`` or ``{: onclick=…}`` stays inert; a
    leading block opener is replaced, so text placed at the start of a line never opens a block.
    """
    return _guard_start(_escape(one_line(text)))


def _escape(s: str) -> str:
    return s.translate(_ESCAPE)


def _guard_start(s: str) -> str:
    return _BLOCK_OPENERS[s[0]] + s[1:] if s and s[0] in _BLOCK_OPENERS else s


def md_text(text: object) -> str:
    """Like :func:`md_escape`, but `backtick spans` (as rule messages and hints write them) stay code.

    Safe because Markdown shows a code span's content literally and HTML-escapes it itself.
    """
    s = one_line(text)
    parts = s.split("`")
    if len(parts) < 3 or len(parts) % 2 == 0:
        return md_escape(s)
    out = []
    for i, p in enumerate(parts):
        if i % 2 == 0:
            out.append(_escape(p))
        else:
            out.append(inline_code(p) if p.strip() else _escape(f"`{p}`"))
    return _guard_start("".join(out))


def longest_run(text: str, char: str = "`") -> int:
    if char not in text:  # nearly always: the loop below is per character
        return 0
    best = run = 0
    for ch in text:
        run = run + 1 if ch == char else 0
        best = max(best, run)
    return best


def code_block(text: str, lang: str = "") -> str:
    """A fenced block the content cannot close: the fence is longer than any backtick run inside."""
    fence = "`" * max(3, longest_run(text) + 1)
    body = "\n".join(_visible_controls(line) for line in text.splitlines())
    return f"{fence}{lang}\n{body}\n{fence}\n"


def _visible_controls(line: str) -> str:
    if line.isprintable() or ("\t" in line and line.replace("\t", " ").isprintable()):
        return line  # no control character in it (the per-character walk below is the slow path)
    return "".join(f"\\x{ord(ch):02x}" if unicodedata.category(ch) == "Cc" and ch != "\t" else ch for ch in line)


def code_line(text: object) -> str:
    """One line for a code block: a value that held a newline must not become two property lines.

    Invisible format characters (a BOM, a zero-width space, a bidi override) are written out too: the
    line is pasted into configuration, where an invisible character makes another key than it shows.
    """
    s = "" if text is None else str(text)
    if s.isascii() and s.isprintable():  # ASCII has no Cf, Zl or Zp, and printable means no Cc
        return s
    return "".join(f"\\u{ord(ch):04x}" if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in s)


def inline_code(text: object) -> str:
    """An inline code span for trusted-shaped values; the delimiter outruns any backtick inside."""
    s = one_line(text)
    ticks = "`" * (longest_run(s) + 1)
    pad = " " if s.startswith("`") or s.endswith("`") else ""
    # Inside a table a bare `|` would still split the row: code spans never hold user text in cells.
    return f"{ticks}{pad}{s}{pad}{ticks}"


def safe_url(text: object) -> str | None:
    """The URL if it is a plain http(s) address, percent-encoded for use in an attribute; else None."""
    s = "" if text is None else str(text).strip()
    plain = s.isascii() and s.isprintable() and " " not in s  # then no whitespace and no control
    if not s or (not plain and any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in s)):
        return None
    try:
        parts = urlsplit(s)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(s, safe=_URL_SAFE)


def link_or_text(text: object) -> str:
    """Evidence is often a CI run URL, maybe followed by a remark: make a leading http(s) URL clickable,
    show everything else as text."""
    head, _, rest = one_line(text).partition(" ")
    url = safe_url(head)
    if url is None:
        return md_escape(text)
    linked = f'<a href="{html.escape(url, quote=True)}">{md_escape(head)}</a>'
    return f"{linked} {md_escape(rest)}" if rest else linked


def link(label: str, target: str) -> str:
    """A link to one of our own pages; ``label`` is escaped here, ``target`` is built by the renderer."""
    return f"[{md_escape(label)}]({target})"
