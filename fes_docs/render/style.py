"""``fes-docs.css``: how the generated pages fit the content column, on a desktop and on a phone.

Only pages carrying :data:`fes_docs.render.blocks.PAGE_MARKER` are styled (``:has(.fes-page)``), so a
site's own pages keep their look. No JavaScript, no web font. The rules:

* tables take the column's width and wrap their cells anywhere a word does not fit (checksums, file
  names, SQL), so no table is wider than its box — on a 390 px phone too;
* code blocks wrap their long lines (``pre-wrap``): a one-line SQL query is read whole, not scrolled;
  copying still copies the text as written;
* the status badge uses mkdocs-material's tag shape (``md-tag``) with a colour per status and the
  status as its word, so it reads printed and in the dark scheme;
* the release in or next to its window is highlighted; on a phone the dashboard is one card per release
  (each cell labelled with its column's header).

The plugin serves it next to the pages and adds it to ``extra_css``; with ``fes-docs render`` it is
written with the pages (add it to your generator's stylesheets).
"""

from __future__ import annotations

from .dashboard import HEADERS

STYLESHEET = "fes-docs.css"

_PAGE = ".md-content:has(.fes-page) .md-typeset"

# Translucent fills and coloured borders: readable on the light and the dark (slate) scheme alike.
_STATUS = {
    "draft": "158, 158, 158",
    "planned": "68, 138, 255",
    "approved": "0, 184, 212",
    "in-progress": "255, 145, 0",
    "released": "0, 200, 83",
    "rolled-back": "255, 23, 68",
    "cancelled": "120, 120, 120",
    "unknown": "120, 120, 120",
}


def stylesheet() -> str:
    badges = "\n".join(
        f".md-typeset .fes-status--{name} {{ background-color: rgba({rgb}, 0.18); border-color: rgb({rgb}); }}"
        for name, rgb in _STATUS.items()
    )
    dash = ".md-content:has(.fes-dashboard) .md-typeset table:not([class])"
    labels = "\n".join(
        f'  {dash} td:nth-child({i})::before {{ content: "{h}"; display: block; font-weight: 700; }}'
        for i, h in enumerate(HEADERS, 1)
    )
    cards = f"""  {dash}, {dash} tbody, {dash} tr, {dash} td {{ display: block; width: 100%; }}
  {dash} thead {{ display: none; }}
  {dash} tr {{ padding: 0.4em 0; border-top: 0.05rem solid var(--md-typeset-table-color); }}
  {dash} td {{ border: 0; padding: 0.25em 0.8em; font-size: 0.7rem; }}
{labels}"""
    return f"""/* fes-docs: generated pages only (they carry .fes-page); see fes_docs/render/style.py */
{_PAGE} table:not([class]) {{
  display: table;
  width: 100%;
  max-width: 100%;
  table-layout: auto;
}}
{_PAGE} .md-typeset__table {{
  display: block;
}}
{_PAGE} table:not([class]) th,
{_PAGE} table:not([class]) td {{
  min-width: 0;
  overflow-wrap: anywhere;
  word-break: normal;
  hyphens: manual;
}}
{_PAGE} table:not([class]) code {{
  overflow-wrap: anywhere;
  word-break: break-all;
}}
{_PAGE} pre > code {{
  white-space: pre-wrap;
  overflow-wrap: anywhere;
}}
{_PAGE} tr:has(.fes-current) > td {{
  background-color: rgba(255, 193, 7, 0.16);
}}
.md-typeset .fes-current {{
  font-weight: 700;
}}
.md-typeset .fes-status {{
  display: inline-block;
  padding: 0.1em 0.7em;
  border: 1px solid;
  border-radius: 2.4rem;
  font-size: 0.64rem;
  font-weight: 700;
  line-height: 1.6;
  white-space: nowrap;
  color: var(--md-typeset-color);
  print-color-adjust: exact;
  -webkit-print-color-adjust: exact;
}}
{badges}
.md-typeset .md-button.fes-rollback {{
  margin-top: 0.3em;
  padding: 0.35em 0.9em;
  font-size: 0.7rem;
  min-height: 2.2em;
}}
.md-typeset .fes-figure {{
  margin: 1em 0;
}}
.md-typeset .fes-figure svg {{
  display: block;
  max-width: min(100%, 44rem);
  height: auto;
}}
.md-typeset .fes-figure figcaption {{
  max-width: none;
  font-size: 0.64rem;
}}
@media screen and (max-width: 44.9375em) {{
{cards}
  {_PAGE} table:not([class]) {{
    font-size: 0.6rem;
  }}
  {_PAGE} table:not([class]) th,
  {_PAGE} table:not([class]) td {{
    padding: 0.5em 0.4em;
  }}
  {_PAGE} pre > code {{
    font-size: 0.7rem;
  }}
}}
@media print {{
  .md-typeset .fes-figure {{
    break-inside: avoid;
  }}
  {_PAGE} table:not([class]) {{
    font-size: 0.6rem;
  }}
}}
"""
