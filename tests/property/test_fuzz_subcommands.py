"""Property: whatever the project holds, every subcommand ends in findings or success, never a traceback.

Issue 11, invariant 10. A structured fuzzer (hypothesis) builds a small project — the rules fixture
plus a record that uses every part of the schema — and mutates its record, policy, dry-run evidence,
migration SQL and OpenAPI spec, each at the level of its data (wrong types, odd nesting, numbers of
5000 digits) or of its text (cut short, a hostile snippet spliced in). Then the real command line runs
in-process, ``fes_docs.cli.main(argv)``: ``validate`` in every report format, ``render`` (which also
writes the ``releases.json`` export), ``codeowners``, ``schema``, ``sign``, ``new`` and ``diff`` against
a git revision. Only findings or success may come out: exit code 0, 1 or 2, nothing on stderr that looks
like a traceback or an internal error, no exception escaping ``main``.

Work is bounded by example counts (``max_examples``), never by time: ``deadline=None``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import tempfile
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from gitrepo import commit, git
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fes_docs.cli import main
from fes_docs.report import REPORTERS
from fes_docs.schema import release_schema

FIXTURE = Path(__file__).parents[1] / "fixtures" / "rules" / "project"
RECORD = "releases/fuzz.yaml"
EVIDENCE = "evidence/fuzz.json"
MIGRATION = "V900__fuzz.sql"
MIGRATIONS = "service/db/migration"
SPEC = "service/openapi.yaml"
POLICY = "releases/policy.yaml"
FUZZ = settings(
    max_examples=int(os.environ.get("FES_DOCS_FUZZ_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# A record that reaches every rule family: flags, window, sign-offs, waivers, evidence, a backfill script.
BASE_RECORD: dict[str, Any] = {
    "id": "fuzz",
    "title": "Fuzzed release",
    "phase": 2,
    "status": "approved",
    "window": {"start": "2026-03-10T18:00:00Z", "end": "2026-03-10T21:00:00Z"},
    "artifact": {"version": "4.2.0", "last_known_good": "4.1.2"},
    "owners": {"engineering": "alice", "database": "bob", "on_call": "carol", "product": "dave", "rollback": "erin"},
    "checklist": [
        {"id": "db-backup", "done": True, "evidence": "snapshot fes-prod-2026-03-10"},
        {"id": "flyway-dry-run", "done": True, "evidence": EVIDENCE},
        {"id": "openapi-docs-updated", "done": True},
        {"id": "alerting-dashboards", "done": True},
        {"id": "rollback-owner", "done": True},
    ],
    "migrations": [
        {"file": "V1__create_widget.sql", "change": "additive", "idempotent": True},
        {"file": MIGRATION, "change": "additive", "idempotent": True},
    ],
    "backfills": [
        {
            "name": "pdf_status_backfill",
            "repeatable": True,
            "batch_size": 1000,
            "estimated_rows": 2500000,
            "dry_run": True,
            "sql": "service/db/backfill/pdf_status.sql",
            "dry_run_sql": "SELECT count(*) FROM gizmo WHERE label IS NULL",
        }
    ],
    "flags": [
        {
            "name": "features.enable-step-windows",
            "rollout": {"local": 100, "test": 100, "staging": 100, "production": [5, 25, 100]},
        }
    ],
    "endpoints": ["GET /api/v1/documents/{documentId}/pdf"],
    "validation": {
        "health": ["/actuator/health"],
        "smoke": ["submit a form"],
        "slo": {"error_rate_max": 0.01, "p95_latency_ms_max": 800},
    },
    "rollback": {"database": "forward-fix"},
    "signoffs": [{"role": "product", "by": "dave", "date": "2026-03-09", "digest": "sha256:" + "0" * 64}],
    "waivers": [{"rule": "FES104", "reason": "fuzz", "until": "2026-12-31"}],
    "incidents": [{"id": "INC-1", "date": "2026-03-11", "summary": "x", "actions": [{"title": "t", "status": "done"}]}],
    "notes": "fuzzed",
}
BASE_EVIDENCE: dict[str, Any] = {
    "format": "fes-docs-dry-run",
    "format_version": 1,
    "passed": True,
    "postgresql": "15.14",
    "seconds": 0.4,
    "backfills": [],
    "migrations": [{"script": "V1__create_widget.sql", "checksum": 1, "status": "applied", "locks": []}],
}
BASE_SQL = "CREATE TABLE IF NOT EXISTS fuzz (id int);\n"

SCHEMA = release_schema(None)
RECORD_KEYS = sorted(SCHEMA["properties"])
NESTED_KEYS = sorted(
    {
        k
        for p in SCHEMA["properties"].values()
        for k in (p.get("properties") or p.get("items", {}).get("properties") or {})
    }
)
POLICY_KEYS = [
    "environments",
    "owner_roles",
    "checklist",
    "flags",
    "openapi",
    "migrations_dir",
    "backfill_dry_run_rows",
    "sql_dialect",
    "people",
    "freezes",
]
HUGE = "9" * 5000  # an integer of 5000 digits, as text: past what Python's int() reads (4300 digits)
HUGE_MARK = "HUGE_INTEGER"  # stands in for it in generated data, written out as HUGE by dump()
BIG = int("9" * 4000)  # 4000 digits: readable, far past 64 bits
WORDS = [
    "",
    "local",
    "production",
    "approved",
    "cancelled",
    "draft",
    "forward-fix",
    "restore-snapshot",
    "destructive",
    "db-backup",
    "flyway-dry-run",
    "features.enable-step-windows",
    "V1__create_widget.sql",
    MIGRATION,
    "U1__undo_widget.sql",
    "../../../etc/passwd",
    "/etc/passwd",
    "x" * 300,  # a path component no file system takes
    "evidence/" + "e" * 300 + ".json",
    "evidence/a\x00b.json",  # YAML spells a NUL "\0" without a NUL byte in the file
    "service/db/\x00",
    "V2\x00__x.sql",
    "service/openapi.yaml",
    "service/db/migration",
    "https://ci.example.org/1",
    "GET /api/v1/documents/{documentId}/pdf",
    "2026-03-10T18:00:00Z",
    "2026-02-30",
    "FES104",
    "FES001",
    "postgres",
    "mysql",
    "h2",
    "<script>",
    "\u202e",
    "sha256:" + "0" * 64,
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.sampled_from([0, -1, 100, 101, BIG, -BIG]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(WORDS),
    st.text(max_size=12),
)


def values(keys: list[str]) -> st.SearchStrategy[Any]:
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(keys + WORDS[:6]), inner, max_size=5)
        ),
        max_leaves=12,
    )


# --- text-level mutations ---------------------------------------------------------------------

SNIPPETS = [
    "\x00",
    "\ufeff",
    "\t",
    "\r",
    "&a [1, *a]",
    "*nope",
    "!!python/object/apply:os.system [id]",
    "!!binary AAAA",
    "{",
    "]",
    "? ",
    "- ",
    ": :",
    "'",
    '"',
    "%YAML 1.1\n---\n",
    "<<: *a",
    HUGE,
    str(BIG),
    "1e400",
    ".nan",
    "0x" + "f" * 100,
    "\u202e\u2066",
    "[" * 300 + "]" * 300,
]


@st.composite
def text_mutation(draw: st.DrawFn, text: str) -> str:
    """``text`` cut short, or with a hostile snippet spliced in (or both)."""
    at = draw(st.integers(0, len(text)))
    kind = draw(st.sampled_from(["cut", "splice", "replace-line", "keep"]))
    if kind == "cut":
        return text[:at]
    snippet = draw(st.one_of(st.sampled_from(SNIPPETS), st.text(max_size=10)))
    if kind == "splice":
        return text[:at] + snippet + text[at:]
    if kind == "replace-line":
        lines = text.splitlines(keepends=True) or [""]
        n = draw(st.integers(0, len(lines) - 1))
        lines[n] = snippet + "\n"
        return "".join(lines)
    return text


def dump(data: Any) -> str:
    """YAML for ``data``; an integer beyond 4300 digits cannot even be formatted by Python, so generated
    data holds :data:`HUGE_MARK` and the text gets the digits (the loader must refuse them, located)."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).replace(HUGE_MARK, HUGE)


@st.composite
def data_mutation(draw: st.DrawFn, base: dict[str, Any], keys: list[str], nested: list[str]) -> dict[str, Any]:
    """``base`` with some top-level keys replaced by values of any shape, dropped, or added."""
    out = json.loads(json.dumps(base))
    for _ in range(draw(st.integers(1, 3))):
        key = draw(st.sampled_from(keys))
        action = draw(st.sampled_from(["set", "drop", "huge", "nested"]))
        if action == "drop":
            out.pop(key, None)
        elif action == "huge":
            out[key] = HUGE_MARK
        elif action == "nested" and isinstance(out.get(key), list) and out[key] and isinstance(out[key][0], dict):
            inner = draw(st.sampled_from(nested))
            out[key][0][inner] = draw(values(nested))
        else:
            out[key] = draw(values(nested))
    return out


# --- the project's parts ----------------------------------------------------------------------


@st.composite
def records(draw: st.DrawFn) -> str:
    data = draw(st.one_of(st.just(BASE_RECORD), data_mutation(BASE_RECORD, RECORD_KEYS, NESTED_KEYS)))
    return str(draw(text_mutation(dump(data))))


@st.composite
def policies(draw: st.DrawFn, base: str) -> str:
    mode = draw(st.sampled_from(["keep", "data", "text", "dialect"]))
    if mode == "keep":
        return base
    if mode == "dialect":
        return base + f"sql_dialect: {draw(st.sampled_from(['postgres', 'mysql', 'h2', 'nope']))}\n"
    if mode == "text":
        return str(draw(text_mutation(base)))
    return dump(draw(data_mutation(yaml.safe_load(base), POLICY_KEYS, POLICY_KEYS + NESTED_KEYS)))


@st.composite
def evidence(draw: st.DrawFn) -> bytes:
    mode = draw(st.sampled_from(["valid", "data", "deep", "huge", "text", "bytes"]))
    if mode == "valid":
        return json.dumps(BASE_EVIDENCE).encode()
    if mode == "data":
        data = json.loads(json.dumps(BASE_EVIDENCE))
        data[draw(st.sampled_from(sorted(BASE_EVIDENCE)))] = draw(values(["script", "checksum", "migrations"]))
        return json.dumps(data).encode()
    if mode == "deep":
        depth = draw(st.sampled_from([100, 999, 1000, 5000, 100_000]))
        opener, core, closer = draw(st.sampled_from([("[", "", "]"), ('{"a":', "1", "}")]))
        return (opener * depth + core + closer * depth).encode()
    if mode == "huge":
        return json.dumps(BASE_EVIDENCE).replace('"checksum": 1', f'"checksum": {HUGE}').encode()
    if mode == "text":
        return str(draw(text_mutation(json.dumps(BASE_EVIDENCE, indent=1)))).encode("utf-8", "surrogatepass")
    return draw(st.binary(max_size=64))


SQL_PIECES = [
    "SELECT 1",
    "DROP TABLE widget",
    "CREATE TABLE IF NOT EXISTS t (id int)",
    "INSERT INTO widget VALUES (1) ON CONFLICT DO NOTHING",
    "UPDATE widget SET id = 1",
    "DELETE FROM widget WHERE id = 1",
    "ALTER TABLE widget DROP COLUMN name",
    "ALTER TABLE widget ADD COLUMN c int NOT NULL",
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON widget (id)",
    "TRUNCATE widget",
    "DO $$ BEGIN EXECUTE 'DROP TABLE ' || 'widget'; END $$",
    "DO $x$ BEGIN PERFORM 1; END $x$",
    "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS $f$ SELECT 1 $f$",
    "BEGIN",
    "COMMIT",
    ";",
    "'unterminated",
    '"unterminated',
    "$$",
    "$tag$ open",
    "/* open comment",
    "-- comment",
    "E'\\''",
    "(",
    ")",
    "\\",
    "\x00",
    "\ufeff",
    "é",
    HUGE,
]


@st.composite
def sql(draw: st.DrawFn) -> bytes:
    mode = draw(st.sampled_from(["pieces", "nested", "nested", "bytes"]))
    if mode == "bytes":
        return draw(st.binary(max_size=64))
    if mode == "nested":
        depth = draw(st.sampled_from([1, 50, 200, 1000, 5000]))
        shape = draw(st.sampled_from(["parens", "subquery", "from", "do", "plus", "not"]))
        inner = {
            "parens": "SELECT " + "(" * depth + "1" + ")" * depth,
            "subquery": "SELECT " + "(SELECT " * depth + "1" + ")" * depth,
            "from": "SELECT * FROM " + "(SELECT * FROM " * depth + "widget" + ") s" * depth,
            "do": "DO $$ BEGIN PERFORM " + "(SELECT " * depth + "1" + ")" * depth + "; END $$",
            "plus": "DELETE FROM widget WHERE id = " + "+".join(["1"] * depth),
            "not": "SELECT " + "NOT " * depth + "true",
        }[shape]
        return (inner + ";\n").encode()
    pieces = draw(st.lists(st.sampled_from(SQL_PIECES), min_size=1, max_size=8))
    return (" ".join(pieces) + "\n").encode("utf-8", "surrogatepass")


@st.composite
def specs(draw: st.DrawFn, base: str) -> str:
    mode = draw(st.sampled_from(["keep", "text", "data", "ref", "json", "deep"]))
    if mode == "keep":
        return base
    if mode == "deep":
        depth = draw(st.sampled_from([150, 250, 1000, 10_000]))
        return base + "x-deep: " + "[" * depth + "]" * depth + "\n"
    if mode == "text":
        return str(draw(text_mutation(base)))
    data = yaml.safe_load(base)
    if mode == "ref":
        target = draw(
            st.sampled_from(
                [
                    "#/nope",
                    "#/paths",
                    "other.yaml#/x",
                    "../../etc/passwd#/x",
                    "/etc/passwd",
                    "http://127.0.0.1:9/x.yaml",
                    "file:///etc/passwd",
                    "loop.yaml",
                    "x" * 300 + ".yaml",
                    "openapi.yaml#/paths",
                    "#" + "/a" * 2000,
                    "a%00.yaml",
                    "\x00.yaml",
                ]
            )
        )
        data["paths"]["/actuator/health"]["get"]["responses"]["200"] = {"$ref": target}
        return dump(data)
    key = draw(st.sampled_from(["openapi", "info", "paths", "components", "x-deep"]))
    data[key] = HUGE_MARK if draw(st.booleans()) else draw(values(["$ref", "paths", "get", "responses", "schema"]))
    return dump(data) if mode == "data" else json.dumps(data).replace(f'"{HUGE_MARK}"', HUGE)


LINKS = ["none", "release-loop", "migration-loop", "migration-dir-loop", "link-out", "absolute-link"]


@dataclass
class Mutation:
    record: str
    policy: str
    evidence: bytes
    sql: bytes
    spec: str
    links: list[str] = field(default_factory=list)
    commit_first: bool = False
    format: str = "text"


@st.composite
def mutations(draw: st.DrawFn) -> Mutation:
    base_policy = (FIXTURE / "releases" / "policy.yaml").read_text()
    base_spec = (FIXTURE / "service" / "openapi.yaml").read_text()
    return Mutation(
        record=draw(records()),
        policy=draw(policies(base_policy)),
        evidence=draw(evidence()),
        sql=draw(sql()),
        spec=draw(specs(base_spec)),
        links=draw(st.lists(st.sampled_from(LINKS), max_size=2, unique=True)),
        commit_first=draw(st.booleans()),
        format=draw(st.sampled_from(sorted(REPORTERS))),
    )


# --- running the real command line ------------------------------------------------------------


@dataclass
class Outcome:
    argv: list[str]
    code: object
    out: str
    err: str
    escaped: str | None  # the traceback of an exception that escaped main()


def run_cli(argv: list[str]) -> Outcome:
    out, err = io.StringIO(), io.StringIO()
    escaped = None
    code: object
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse: usage errors and --help
            code = exc.code
        except BaseException:  # noqa: BLE001 - exactly what this test is looking for
            code, escaped = None, traceback.format_exc()
    return Outcome(argv, code, out.getvalue(), err.getvalue(), escaped)


def assert_clean(o: Outcome) -> None:
    where = " ".join(a if len(a) < 60 else a[:57] + "..." for a in o.argv)
    assert o.escaped is None, f"{where}: an exception escaped main()\n{o.escaped}"
    assert o.code in (0, 1, 2), f"{where}: exit code {o.code!r}\n{o.err[-2000:]}"
    assert "Traceback" not in o.err, f"{where}: a traceback on stderr\n{o.err[-2000:]}"
    for text in (o.out, o.err):
        assert "internal error" not in text, f"{where}: an internal error\n{_around(text, 'internal error')}"


def _around(text: str, needle: str) -> str:
    at = text.find(needle)
    return text[max(0, at - 300) : at + 700]


def subcommands(root: Path, scratch: Path, fmt: str) -> Iterator[list[str]]:
    r = str(root)
    yield ["validate", "--root", r, "--format", fmt]
    yield ["validate", "--root", r, "--format", "json", RECORD, POLICY]
    yield ["validate", "--root", r, "--changed-since", "HEAD", "--verify-git"]
    yield ["render", "--root", r, "--out", str(scratch / "site")]
    yield ["codeowners", "--root", r]
    yield ["codeowners", "--root", r, "--check"]
    yield ["codeowners", "--root", r, "--write"]
    yield ["schema", "--root", r]
    yield ["schema", "policy", "--root", r]
    yield ["sign", "fuzz", "--role", "product", "--by", "dave", "--date", "2026-03-09", "--root", r]
    yield ["new", "fuzz-new", "--phase", "3", "--from", "fuzz", "--root", r]
    yield ["gate", "fuzz", "--env", "production", "--at", "2026-03-10T18:30:00Z", "--format", fmt, "--root", r]
    record = ["--record", "--by", "erin"]  # the deploy gate writing its progress entry
    yield ["gate", "fuzz", "--env", "local", "--at", "2026-03-10T19:30:00+01:00", *record, "--root", r]
    yield ["diff", "HEAD", "--root", r, "--today", "2026-03-01"]


# --- the base project, once per test module ---------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def no_last_net() -> Iterator[None]:
    """The shell turns an escaping exception into one line (exit 2); here it must not escape at all, and
    if it does the test shows its traceback."""
    before = os.environ.get("FES_DOCS_TRACEBACK")
    os.environ["FES_DOCS_TRACEBACK"] = "1"
    yield
    if before is None:
        del os.environ["FES_DOCS_TRACEBACK"]
    else:
        os.environ["FES_DOCS_TRACEBACK"] = before


@pytest.fixture(scope="module")
def base_repo() -> Iterator[Path]:
    """The rules fixture with the fuzz record, its evidence and migration, as the first commit of a repo."""
    top = Path(tempfile.mkdtemp(prefix="fes-fuzz-base-"))
    root = top / "p"
    shutil.copytree(FIXTURE, root)
    (root / RECORD).write_text(dump(BASE_RECORD))
    (root / EVIDENCE).write_text(json.dumps(BASE_EVIDENCE))
    (root / MIGRATIONS / MIGRATION).write_text(BASE_SQL)
    git(top, "init", "-q")
    commit(top, "base")
    yield top
    shutil.rmtree(top, ignore_errors=True)


def apply(root: Path, m: Mutation) -> None:
    (root / RECORD).write_bytes(m.record.encode("utf-8", "surrogatepass"))
    (root / POLICY).write_bytes(m.policy.encode("utf-8", "surrogatepass"))
    (root / EVIDENCE).write_bytes(m.evidence)
    (root / MIGRATIONS / MIGRATION).write_bytes(m.sql)
    (root / SPEC).write_bytes(m.spec.encode("utf-8", "surrogatepass"))
    for link in m.links:
        if link == "release-loop":
            (root / "releases" / "loop-a.yaml").symlink_to("loop-b.yaml")
            (root / "releases" / "loop-b.yaml").symlink_to("loop-a.yaml")
        elif link == "migration-loop":
            (root / MIGRATIONS / "V901__loop.sql").symlink_to("V901__loop.sql")
        elif link == "migration-dir-loop":
            (root / MIGRATIONS / "again").symlink_to("..")
        elif link == "link-out":
            (root / "evidence" / "out.json").symlink_to("../../../../../../../../etc/hostname")
        elif link == "absolute-link":
            (root / "releases" / "abs.yaml").symlink_to("/etc/hostname")


@FUZZ
@given(m=mutations())
def test_every_subcommand_gives_findings_or_success(base_repo: Path, m: Mutation) -> None:
    work = Path(tempfile.mkdtemp(prefix="fes-fuzz-"))
    try:
        top = work / "repo"
        shutil.copytree(base_repo, top, symlinks=True)
        root = top / "p"
        apply(root, m)
        if m.commit_first:  # diff then reads the hostile tree back out of git (git archive), not the disk
            commit(top, "mutated")
        for argv in subcommands(root, work, m.format):
            assert_clean(run_cli(argv))
    finally:
        shutil.rmtree(work, ignore_errors=True)
