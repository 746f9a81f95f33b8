"""A big YAML spec's verdict, reached in a forked child while this process builds the spec's data.

Why: for a valid YAML spec of megabytes, the one thing this process cannot skip is building its Python
data (openapi-spec-validator-rs's parser, then an object per node: a quarter of a second for 5 MB), and
everything else — the duplicate-key screen, the validator's run — used to wait for it. The validator
reads raw bytes with the very parser that builds the data, so a child can validate the same document
meanwhile, on the second core: the whole verdict is in by the time the data is.

The child (:func:`screen`) gives back an :class:`Early`: libyaml's count of the document's events (the
screen, see :mod:`.parse`), the version family it validated as, and how many errors the validator found.
Its verdict stands in for this process's own run of the validator only when nothing could make the two
differ (:meth:`Early.stands_for`): the same family, no other document reached for, no URI taken out by
:meth:`~.workspace.Workspace.neutralise`, and no error at all — a spec with errors is validated again here,
where each error is placed. The child is sealed (:class:`fes_docs.workers.Forked`): it cannot open a file,
so a ``file:`` URI that the validator would read by itself only stops it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

#: The made-up base under which the validator sees the project: a relative ``$ref`` resolves to an
#: ``https`` URL below it, which only :meth:`~.workspace.Workspace.serve` answers (``.invalid`` never resolves).
BASE_URL = "https://fes-docs.invalid/project/"

#: A top-level ``openapi:`` or ``swagger:`` line and its scalar value (plain, single- or double-quoted).
_VERSION_LINE = re.compile(
    rb"""^(openapi|swagger)[ \t]*:[ \t]*"""
    rb"""(?:"([^"\\\r\n]*)"|'([^'\r\n]*)'|([^\s"'#&*!|>][^\r\n#]*?))[ \t]*(?:\#.*)?\r?$""",
    re.MULTILINE,
)


def base_uri(rel: str) -> str:
    """Where the validator takes the project file ``rel`` to be."""
    return BASE_URL + quote(rel)


def family_of(keyword: str, value: str) -> str | None:
    """The version family ("2.0", "3.0", "3.1", "3.2") a document's ``openapi:`` or ``swagger:``
    string declares, or None when it declares no supported one."""
    head = value.split(".")
    if keyword == "swagger":
        return "2.0" if value == "2.0" else None
    if keyword == "openapi" and len(head) >= 2 and ".".join(head[:2]) in ("3.0", "3.1", "3.2"):
        return ".".join(head[:2])
    return None


@dataclass(frozen=True)
class Early:
    """What the child found: libyaml's event count (None: libyaml refused the document), the family
    it validated as, and the validator's error count (None: not validated, stopped, or it reached for
    another document, which only this process may serve)."""

    events: int | None
    family: str | None = None
    errors: int | None = None

    def stands_for(self, family: str) -> bool:
        """Whether this verdict is the one this process's run of the validator would give on data
        nothing was taken out of: a clean run, as the same family."""
        return self.errors == 0 and self.family == family


def event_count(data: bytes) -> int | None:
    """How many events libyaml reads in ``data`` (in C: no Python object per event), or None when it
    refuses the document."""
    import yaml
    from yaml._yaml import CParser

    try:
        return int(CParser(data).raw_parse())
    except (yaml.YAMLError, ValueError, TypeError, RecursionError, MemoryError):
        return None


def guessed_family(data: bytes) -> str | None:
    """The family the document's own top-level version line declares, read from the bytes (the data
    is not built yet); this process checks it against the data before the verdict counts. Only the
    lines that start with either keyword are looked at (found in C), not every line of megabytes."""
    found: dict[str, str] = {}
    for keyword in (b"openapi", b"swagger"):
        for at in _line_starts(data, keyword):
            match = _VERSION_LINE.match(data, at)
            if match is not None:
                value = next(v for v in match.groups()[1:] if v is not None)
                found[keyword.decode()] = value.decode("utf-8", "replace")
                break
    for name in ("openapi", "swagger"):  # the order version_of asks in
        if name in found:
            return family_of(name, found[name])
    return None


def _line_starts(data: bytes, word: bytes) -> Iterator[int]:
    """The offsets of the lines of ``data`` that start with ``word``, in order."""
    if data.startswith(word):
        yield 0
    at = data.find(b"\n" + word)
    while at >= 0:
        yield at + 1
        at = data.find(b"\n" + word, at + 1)


def screen(data: bytes, rel: str, validate: bool) -> Early:
    """The child's work: count the events; with ``validate``, also run the validator on the bytes.

    Only for a document that cannot hold an alias (the caller checked): the validator's parser expands
    aliases without a bound. Its retriever refuses everything and remembers that it was asked.
    """
    events = event_count(data)
    family = guessed_family(data) if validate and events is not None else None
    if family is None:
        return Early(events)
    from openapi_spec_validator_rs import _core

    asked: list[str] = []

    def refuse(url: str) -> bytes:
        asked.append(url)
        raise LookupError(f"not served in the screen: {url}")

    try:
        errors = _core.validate_bytes(data, rel, base_uri(rel), family, True, refuse, None, None)
    except Exception:  # noqa: BLE001 - third-party code on untrusted input: this process validates again
        return Early(events, family)
    return Early(events, family, None if asked else len(errors))
