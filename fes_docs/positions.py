"""Positions: character offsets to 1-based line and column — the one definition every parser and reporter uses.

Both parsers report positions as offsets into the text (pglast converts libpg_query's byte offsets to
character offsets; sqlglot counts characters). Users read files in an editor, so positions are shown as
line and column, with columns counted in characters, not bytes, so that a name like ``café`` does not
shift every later column on its line.

Line breaks are ``\\r\\n``, ``\\r`` and ``\\n``, the same set Java's ``BufferedReader.readLine`` (and
so Flyway) splits on; a file saved with old Mac line endings still gets correct line numbers.
"""

from __future__ import annotations

from bisect import bisect_right


class LineIndex:
    """Start offsets of every line of one text, for repeated offset-to-position lookups."""

    __slots__ = ("_starts", "_size")

    def __init__(self, text: str) -> None:
        starts = [0]
        find = text.find
        size = len(text)
        pos = 0
        nl = -1
        # str.find is implemented in C; scanning for the two break characters keeps a 2 MB file fast.
        # The next "\n" is remembered so that a file of "\r"-only breaks stays linear.
        while True:
            if nl < pos:
                nl = find("\n", pos)
                if nl < 0:
                    nl = size
            cr = find("\r", pos, nl)
            if cr >= 0:
                nxt = cr + 2 if cr + 1 < size and text[cr + 1] == "\n" else cr + 1
            elif nl < size:
                nxt = nl + 1
            else:
                break
            starts.append(nxt)
            pos = nxt
        self._starts = starts
        self._size = size

    def position(self, offset: int) -> tuple[int, int]:
        """Return ``(line, column)``, both 1-based, of a character offset (clamped into the text)."""
        offset = min(max(offset, 0), self._size)
        line = bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1

    def line_start(self, line: int) -> int:
        """Offset of the first character of a 1-based line (clamped to the last line)."""
        line = min(max(line, 1), len(self._starts))
        return self._starts[line - 1]


def line_column(text: str, offset: int) -> tuple[int, int]:
    """One-off lookup; build a :class:`LineIndex` instead when a text is asked many times."""
    return LineIndex(text).position(offset)
