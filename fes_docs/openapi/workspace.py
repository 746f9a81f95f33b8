"""Load a spec and the files its ``$ref``\\ s name, with our limits, and say where things are.

Every document is read once, bounded (``max_bytes``, ``max_depth``; ``max_nodes`` where the guarded
loader parses it), parsed *plain* (:mod:`.parse`: data without positions) and kept by project-relative
path with its bytes. Positions are built only when a problem needs one (:meth:`Workspace.located`),
by the loader that keeps them. ``$ref`` safety lives here:

* local files are followed; remote refs (http, https, ``//host``) are reported and never fetched;
* a ref that leaves the project root (``../../etc/passwd``, absolute paths, other schemes, symlinks
  out) is refused and never read;
* :meth:`Workspace.serve` is the only way openapi-spec-validator-rs gets at another document (see
  ``validate.py``): the spec is handed over under a made-up ``https`` base, so every relative
  ``$ref`` reaches that hook, which serves only documents already vetted and loaded here, re-encoded
  from their parsed data; :meth:`Workspace.retrieve` does the same for the Python walk's
  ``file:`` URIs.

Every byte is read by one callable, ``read`` (project-relative path -> bytes, raising
:class:`ReadFailed`): by default straight from disk (:func:`direct_reader`); a caller that keeps a
record of what a run read (fes-docs' project layer) hands in its own. Paths are checked and resolved
here before ``read`` is asked, so the safety above does not depend on the reader.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..document import Document, LoadProblem, Pos
from ..loader import load_bytes, read_limited
from ..yaml_guards import brackets_within_bound
from .early import BASE_URL, Early
from .parse import node_bound, parse_surveyed, survey
from .positions import Found, find
from .problems import SpecProblem, from_load, problem

MAX_BYTES = 20_000_000
MAX_DEPTH = 200
MAX_NODES = 2_000_000
MAX_REF_FILES = 500
#: Values all the files of one spec may hold together (each measured by :func:`.parse.node_bound`): what
#: a run may build, about a gigabyte, whatever the number of files.
MAX_TOTAL_NODES = 6_000_000

PathKey = tuple[str | int, ...]

#: What :meth:`Workspace.positions` answers: a located document or the positions one pass found;
#: both say ``pos(path)`` and, for a mapping entry's key, ``key_pos(path)``.
Positions = Document | Found

#: How the package reads a file: project-relative posix path -> its bytes; raises :class:`ReadFailed`
#: (or ``OSError``) when it cannot.
Read = Callable[[str], bytes]


class RefRefused(Exception):
    """Raised to the resolver for any URI we will not serve."""


class ReadFailed(Exception):
    """What a :data:`Read` callable raises for a file it cannot hand over: ``missing`` when there is no
    such (regular) file, else ``problem`` says why (unreadable, too large ...)."""

    def __init__(self, problem: LoadProblem, *, missing: bool = False) -> None:
        super().__init__(problem.message)
        self.problem = problem
        self.missing = missing


def followed(path: Path) -> Path:
    """``path`` with its symbolic links followed. A path whose links loop stays as written: the root
    check still sees where it claims to be, and any read of it fails (the system meets the same loop)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):  # a link loop (RuntimeError up to Python 3.12), a NUL in the name
        return path


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # a name longer than the file system allows
        return False


def direct_reader(root: Path, max_bytes: int) -> Read:
    """The default :data:`Read`: the file under ``root``, at most ``max_bytes``, straight from disk."""

    def read(rel: str) -> bytes:
        path = root / rel
        try:
            regular = path.is_file()
        except OSError as exc:  # a name longer than the file system allows
            raise ReadFailed(LoadProblem("FES003", f"cannot read {rel}: {exc.strerror or exc}", 1, 1, "")) from None
        if not regular:
            raise ReadFailed(LoadProblem("FES003", f"{rel} does not exist", 1, 1, "check the path"), missing=True)
        data, load_problem = read_limited(path, max_bytes)
        if data is None:
            raise ReadFailed(load_problem or LoadProblem("FES003", "cannot read file", 1, 1, ""))
        return data

    return read


def _too_large(max_bytes: int) -> LoadProblem:
    return LoadProblem(
        "FES003",
        f"file is larger than the {max_bytes:,} byte limit",
        1,
        1,
        "split the content or raise the limit in the policy (max_file_bytes)",
    )


@dataclass
class Target:
    """Where a ``$ref`` points: a loaded file and a path inside it."""

    file: str
    pointer: PathKey


class Workspace:
    """Every document of one spec, loaded once with our limits, keyed by project-relative path."""

    def __init__(
        self, root: Path, limits: Mapping[str, int], read: Read | None = None, *, validating: bool = False
    ) -> None:
        """``validating``: the spec will be validated, so a big YAML document's screen validates it
        meanwhile (:mod:`.early`); :attr:`early` keeps that verdict by file."""
        self.root = root.resolve()
        self.validating = validating
        self.early: dict[str, Early] = {}
        self.limits = dict(limits)
        self._read = read or direct_reader(self.root, self.limits["max_bytes"])
        self.data: dict[str, Any] = {}  # file -> its plain parsed data
        self.raw: dict[str, bytes] = {}  # file -> the bytes read through the reader
        self._located: dict[str, Document | None] = {}
        self._foreign: list[tuple[Any, str]] = []  # (mapping, key): see neutralise
        self.taken_out = 0  # how many URIs neutralise took out of the data
        self.digests: dict[str, str | None] = {}  # file -> sha256, None when it does not exist
        self.nodes = 0  # values the files read so far may hold (node_bound), against MAX_TOTAL_NODES
        self.problems: list[SpecProblem] = []
        self.failed: set[str] = set()  # could not be loaded (problems already reported)
        self.missing: set[str] = set()  # named by a $ref, not there

    def rel_of(self, path: Path) -> str | None:
        """The project-relative posix path of an absolute path, or None outside the root."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return None

    def read(self, rel: str) -> bytes:
        """The bytes of ``rel`` (project-relative, already checked to be inside the root) through the
        workspace's reader, held to ``max_bytes`` whatever the reader's own limit; raises :class:`ReadFailed`."""
        try:
            data = self._read(rel)
        except FileNotFoundError as exc:
            raise ReadFailed(LoadProblem("FES003", f"{rel} does not exist", 1, 1, ""), missing=True) from exc
        except OSError as exc:
            raise ReadFailed(LoadProblem("FES003", f"cannot read file: {exc.strerror or exc}", 1, 1, "")) from exc
        if len(data) > self.limits["max_bytes"]:
            raise ReadFailed(_too_large(self.limits["max_bytes"]))
        return data

    def load(self, rel: str) -> Any | None:
        """The plain data of ``rel``, read once through the reader; None (problems reported) if it
        cannot be read or parsed."""
        if rel in self.data:
            return self.data[rel]
        if rel in self.failed:
            return None
        try:
            data = self.read(rel)
        except ReadFailed as exc:
            self.failed.add(rel)
            self.digests[rel] = None
            if exc.missing:
                self.missing.add(rel)  # reported at each $ref that names it (see _resolve_file)
            else:
                self.problems.append(from_load(rel, exc.problem, "unreadable"))
            return None
        return self.add(rel, data)

    def add(self, rel: str, raw: bytes) -> Any | None:
        """Parse ``raw`` (the bytes of ``rel``) plain, falling back to the guarded, located loader
        when a plain parse cannot be trusted or fails (its problem says where)."""
        self.digests[rel] = hashlib.sha256(raw).hexdigest()
        self.raw[rel] = raw
        too_many = self._too_many(rel, raw)
        if too_many is not None:  # refused before any parser builds a value (none would be bounded)
            self.failed.add(rel)
            self.problems.append(problem(rel, too_many, "unreadable", "split or shrink the document"))
            return None
        parsed = parse_surveyed(raw, rel, self.limits["max_depth"], validate=self.validating)
        if parsed is None:
            doc = self.located(rel)
            if doc is None:
                self.failed.add(rel)
                return None
            data = doc.data
            surveyed = survey(data, self.limits["max_depth"])
        else:
            plain, surveyed = parsed
            data = plain.data
            if plain.early is not None:
                self.early[rel] = plain.early
        too_deep, foreign, _ = surveyed
        if too_deep:
            self.failed.add(rel)
            self.problems.append(
                problem(
                    rel, f"nesting deeper than {self.limits['max_depth']} levels", "unreadable", "flatten the document"
                )
            )
            return None
        self._foreign.extend(foreign)
        self.data[rel] = data
        return data

    def _too_many(self, rel: str, raw: bytes) -> str | None:
        """Why ``rel`` holds more values than may be built (:func:`.parse.node_bound`): more than
        ``max_nodes`` in one document, or than :data:`MAX_TOTAL_NODES` in every file read so far; None
        when it may be read (and its values are counted against the total)."""
        if not brackets_within_bound(raw):
            return None  # refused next, for its brackets, before any parser sees it (and said so more exactly)
        most = self.limits.get("max_nodes", MAX_NODES)
        nodes = node_bound(raw, rel, most)
        if nodes > most:
            return f"holds more than {most:,} values (measured before parsing)"
        if self.nodes + nodes > MAX_TOTAL_NODES:
            return f"the spec's files hold more than {MAX_TOTAL_NODES:,} values together; {rel} is not read"
        self.nodes += nodes
        return None

    def neutralise(self) -> None:
        """Before the validator sees the data: every URI keyword with a scheme it would read by itself
        (``file:``) is taken out, after :func:`scan_refs` reported the refs among them at their place;
        a taken-out ``$ref`` points nowhere, so the validator stops there instead of reading.
        :attr:`taken_out` counts them."""
        for node, key in self._foreign:
            if key == "$ref":
                node[key] = "#/x-fes-docs-not-followed"
            else:
                node.pop(key, None)
        self.taken_out += len(self._foreign)
        self._foreign.clear()

    def located(self, rel: str) -> Document | None:
        """``rel`` with positions, built on first use by the located loader; None when it fails (its
        problems are reported once)."""
        if rel not in self._located:
            doc, problems = load_bytes(
                self.raw[rel], rel, max_depth=self.limits["max_depth"], max_nodes=self.limits["max_nodes"]
            )
            if doc is None or rel not in self.data:  # a plain parse that worked reports nothing twice
                self.problems.extend(from_load(rel, p, "unreadable") for p in problems)
            self._located[rel] = doc
        return self._located[rel]

    def pos(self, rel: str, path: PathKey, key: bool = False) -> Pos:
        """Where ``path`` is in ``rel`` (its key with ``key``); the top when positions cannot be had."""
        doc = self.located(rel)
        if doc is None:
            return Pos(1, 1)
        return doc.key_pos(path) if key else doc.pos(path)

    def positions(self, rel: str, paths: Iterable[PathKey]) -> Positions:
        """Where each of ``paths`` is in ``rel``, in one pass: from the located document when one was
        built already, else found in the bytes for these paths only (:mod:`.positions`), since a
        located load of a big file costs many times the validator's whole run."""
        doc = self._located.get(rel)
        if doc is not None:
            return doc
        if rel not in self.raw:
            return find(b"", rel, ())
        return find(self.raw[rel], rel, paths)

    def serve(self, url: str) -> bytes:
        """The validator's retriever: the document at ``url`` below :data:`BASE_URL`, if it was vetted
        and loaded here (inside the root, through the reader), as JSON of its parsed data; anything
        else raises, which the validator reports as an unresolvable reference. Never fetches."""
        parts = urlsplit(url)
        if not url.startswith(BASE_URL) or parts.query:
            raise RefRefused(f"not fetched: {url}")
        rel = self.rel_of(followed(self.root / unquote(parts.path[len(urlsplit(BASE_URL).path) :])))
        if rel is None or rel not in self.data:
            raise RefRefused(f"not vetted: {url}")
        try:
            return json.dumps(self.data[rel], ensure_ascii=False).encode()
        except (ValueError, TypeError, RecursionError, UnicodeEncodeError) as exc:
            raise RefRefused(f"cannot be handed over: {url}") from exc

    def retrieve(self, uri: str) -> Any:
        """The data of the document at ``uri``, for the validator's resolver: ``file:`` URIs inside
        the root only, read with our limits, once; anything else raises :class:`RefRefused`."""
        parts = urlsplit(uri)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise RefRefused(f"not fetched: {uri}")
        from urllib.request import url2pathname  # lazy: urllib.request imports http and email (25 ms)

        rel = self.rel_of(followed(Path(url2pathname(parts.path))))
        if rel is None:
            raise RefRefused(f"outside the project root: {uri}")
        if not_a_document(rel) is not None:
            raise RefRefused(f"not a spec document: {uri}")
        data = self.load(rel)
        if data is None:
            raise RefRefused(f"cannot be loaded: {uri}")
        return data

    def resolve(self, ref: str, from_file: str) -> tuple[Target | None, SpecProblem | None]:
        """Where ``ref`` (written in ``from_file``) points, or why it may not be followed.

        The problem's location is left at 1:1 of ``from_file``; the caller knows the $ref's spot.
        """
        uri, _, fragment = ref.partition("#")
        target_file = from_file
        if uri:
            found = self._resolve_file(ref, uri, from_file)
            if isinstance(found, SpecProblem):
                return None, found
            target_file = found
        if target_file not in self.data:
            return None, None  # the referring document itself failed to load: already reported
        if not fragment:
            return Target(target_file, ()), None
        if not fragment.startswith("/"):
            return None, problem(
                from_file, f"$ref {ref!r}: plain-name fragments are not checked", "ref-missing", "", "warning"
            )
        pointer = _pointer(self.data[target_file], fragment)
        if pointer is None:
            where = "in this file" if target_file == from_file else f"in {target_file}"
            return None, problem(
                from_file,
                f"$ref {ref!r} points to nothing: no such node {where}",
                "ref-missing",
                "check the spelling of the JSON pointer after '#'",
            )
        return Target(target_file, pointer), None

    def _resolve_file(self, ref: str, uri: str, from_file: str) -> str | SpecProblem:
        """The loaded project-relative file the URI part of ``ref`` names, or why not."""
        parts = urlsplit(uri)
        if parts.scheme in ("http", "https") or uri.startswith("//"):
            return problem(
                from_file,
                f"remote $ref {ref!r} is not fetched: the spec cannot be verified offline",
                "ref-remote",
                "copy the referenced document into the project and $ref it by relative path",
            )
        relative = "write the $ref as a path relative to this file"
        if len(parts.scheme) > 1:
            message = f"$ref {ref!r} uses the {parts.scheme!r} scheme; only relative file paths are followed"
            return problem(from_file, message, "ref-outside", relative)
        local = unquote(uri)
        if os.path.isabs(local):
            return problem(from_file, f"$ref {ref!r} is an absolute path; it is not read", "ref-outside", relative)
        resolved = followed((self.root / from_file).parent / local)
        rel = self.rel_of(resolved)
        if rel is None:
            return problem(
                from_file,
                f"$ref {ref!r} points outside the project root; it is not read",
                "ref-outside",
                "keep referenced files inside the project",
            )
        why = not_a_document(rel)
        if why is not None:
            return problem(from_file, f"$ref {ref!r}: {why}; it is not read", "ref-outside", DOCUMENTS_ONLY)
        if rel not in self.data and rel not in self.failed:
            most = self.limits.get("max_ref_files", MAX_REF_FILES)  # a spec split into thousands of files
            if len(self.data) >= most:
                message = f"more than {most} files referenced; {ref!r} is not followed"
                return problem(from_file, message, "ref-missing")
            self.load(rel)  # through the reader, so a missing target is on record as absent
        if rel in self.missing:
            what = "is not a file" if _exists(resolved) else "does not exist"
            return problem(
                from_file,
                f"$ref {ref!r}: {rel} {what}",
                "ref-missing",
                "fix the path; it is relative to the file that holds the $ref",
            )
        if rel not in self.data:
            message = f"$ref {ref!r}: file {rel} cannot be loaded (see the problems reported for it)"
            return problem(from_file, message, "ref-missing")
        return rel

    def value(self, target: Target) -> Any:
        node: Any = self.data[target.file]
        for part in target.pointer:
            node = node[part]
        return node


#: The files a ``$ref`` may name: what a spec is written in.
DOCUMENT_SUFFIXES = (".yaml", ".yml", ".json")
DOCUMENTS_ONLY = "reference .yaml, .yml or .json documents of the spec only"


def not_a_document(rel: str) -> str | None:
    """Why a ``$ref`` may not read ``rel`` (project-relative), or None. Only spec documents are read: any
    file a parser takes could otherwise be read through a ``$ref``, and the validator's messages quote
    what it found there (a pull request's ``$ref: ../ci-secrets.env#x`` printed the secrets a CI step had
    written into the checkout; ``.git/config`` the same way)."""
    if ".git" in rel.split("/"):
        return "a file inside .git"
    if not rel.lower().endswith(DOCUMENT_SUFFIXES):
        return "not a .yaml, .yml or .json document"
    return None


def _pointer(data: Any, fragment: str) -> PathKey | None:
    """Walk an RFC 6901 JSON pointer (percent-decoded, ``~1``/``~0`` unescaped); None if it misses."""
    node = data
    out: list[str | int] = []
    for raw in unquote(fragment).split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
            out.append(token)
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
            out.append(int(token))
        else:
            return None
    return tuple(out)
