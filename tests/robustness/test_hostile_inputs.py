"""A corpus of hostile inputs: each gives a located finding fast, never a traceback, never reads outside the root.

Every case runs the real checker on a copy of the small rules fixture project with one hostile file
added. A sentinel file *outside* the project holds a unique marker; if any output ever contains it,
the tool read something it must not.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from fes_docs import loader
from fes_docs.check import check

FIXTURE = Path(__file__).parents[1] / "fixtures" / "rules" / "project"
BASE = Path(__file__).parents[1] / "fixtures" / "robustness" / "base-release.yaml"
# values the YAML loader may build per case: the fixture project plus one ordinary record is ~110, so a
# hostile file may add a few dozen (an alias bomb used to cost 200,000 before it was refused)
WALK_BUDGET = 200
MARKER = "SENTINEL-OUTSIDE-THE-PROJECT-7f3a"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text(f"id: {MARKER}\n")
    (outside / "V99__secret.sql").write_text(f"CREATE TABLE {MARKER.replace('-', '_')} (id int);\n")
    (outside / "openapi.yaml").write_text(f"openapi: 3.1.0\ninfo: {{title: {MARKER}, version: '1'}}\npaths: {{}}\n")
    root = tmp_path / "p"
    shutil.copytree(FIXTURE, root)
    return root


def ok_record(name: str = "base-release") -> str:
    return BASE.read_text().replace("id: base-release", f"id: {name}")


def write(root: Path, rel: str, data: bytes | str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    path.write_bytes(data)
    return path


def billion_laughs() -> bytes:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for c in "bcdefghij":
        lines.append(f"{c}: &{c} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = c
    return ("\n".join(lines) + "\n").encode()


def spec_bomb(brk: str) -> bytes:
    lines = ["openapi: 3.0.0", "info: {title: t, version: '1'}", "paths: {}", "x-a0: &a0 [lol, lol, lol, lol]"]
    for i in range(1, 10):
        lines.append(f"x-a{i}: &a{i}{brk}" + "".join(f"  - *a{i - 1}{brk}" for _ in range(9)))
    return (brk.join(lines) + brk).encode()


def big_file(root: Path) -> None:
    with (root / "releases" / "huge.yaml").open("wb") as fh:
        fh.write(b"id: huge\ntitle: ")
        fh.write(b"x" * (50 * 1024 * 1024))
        fh.write(b"\n")


# name -> (set-up, expected (file, rule) that must be among the findings)
CASES: dict[str, tuple[Callable[[Path], object], tuple[str, str]]] = {
    "billion-laughs": (lambda r: write(r, "releases/bomb.yaml", billion_laughs()), ("releases/bomb.yaml", "FES003")),
    "50-mb-file": (big_file, ("releases/huge.yaml", "FES003")),
    "10000-deep-nesting": (
        lambda r: write(r, "releases/deep.yaml", "a: " + "[" * 10000 + "]" * 10000),
        ("releases/deep.yaml", "FES003"),
    ),
    "10000-deep-block-nesting": (
        lambda r: write(r, "releases/deepblock.yaml", "".join(" " * i + f"k{i}:\n" for i in range(3000)) + "x"),
        ("releases/deepblock.yaml", "FES003"),
    ),
    "nul-bytes": (lambda r: write(r, "releases/nul.yaml", b"id: a\x00b\n"), ("releases/nul.yaml", "FES003")),
    "non-utf8": (
        lambda r: write(r, "releases/latin1.yaml", "title: caf\xe9\n".encode("latin-1")),
        ("releases/latin1.yaml", "FES003"),
    ),
    "utf16": (lambda r: write(r, "releases/utf16.yaml", "id: x\n".encode("utf-16")), ("releases/utf16.yaml", "FES003")),
    "python-object-tag": (
        lambda r: write(r, "releases/tag.yaml", "id: !!python/object/apply:os.system [id]\n"),
        ("releases/tag.yaml", "FES001"),
    ),
    "symlink-escaping": (
        lambda r: (r / "releases" / "link.yaml").symlink_to(r.parent / "outside" / "secret.yaml"),
        ("releases/link.yaml", "FES003"),
    ),
    "migration-path-with-dotdot": (
        lambda r: write(
            r,
            "releases/dotdot.yaml",
            ok_record("dotdot").replace("file: V2__seed_widget.sql", "file: ../../../outside/V99__secret.sql"),
        ),
        ("releases/dotdot.yaml", "FES316"),
    ),
    "migrations-dir-outside": (
        lambda r: write(
            r,
            "releases/policy.yaml",
            (r / "releases/policy.yaml")
            .read_text()
            .replace("migrations_dir: service/db/migration", "migrations_dir: ../outside"),
        ),
        ("releases/policy.yaml", "FES316"),
    ),
    "openapi-outside": (
        lambda r: write(
            r,
            "releases/policy.yaml",
            (r / "releases/policy.yaml")
            .read_text()
            .replace("openapi: service/openapi.yaml", "openapi: ../outside/openapi.yaml"),
        ),
        ("releases/policy.yaml", "FES801"),
    ),
    "backfill-script-outside": (
        lambda r: write(
            r,
            "releases/bf.yaml",
            ok_record("bf").replace(
                "{name: pdf_status_backfill,", "{name: pdf_status_backfill, sql: ../outside/V99__secret.sql,"
            ),
        ),
        ("releases/bf.yaml", "FES316"),
    ),
    # a destructive file dropped into the Flyway folder, listed by no record: Flyway still applies it
    "sql-unlisted-destructive": (
        lambda r: write(r, "service/db/migration/V901__drop_everything.sql", "DROP TABLE widget;\n"),
        ("service/db/migration/V901__drop_everything.sql", "FES322"),
    ),
    # a write is a write wherever it hides (invariant 4), and escapes from the database are "unsafe"
    **{
        f"sql-hidden-{label}": (
            lambda r, sql=sql: (
                write(r, "service/db/migration/V902__hidden.sql", sql),
                write(
                    r,
                    "releases/hidden.yaml",
                    ok_record("hidden").replace("file: V2__seed_widget.sql", "file: V902__hidden.sql"),
                ),
            ),
            ("releases/hidden.yaml", rule),
        )
        for label, sql, rule in (
            ("cte-delete", "WITH d AS (DELETE FROM widget RETURNING id) SELECT count(*) FROM d;\n", "FES317"),
            ("explain-analyze-delete", "EXPLAIN ANALYZE DELETE FROM widget;\n", "FES317"),
            ("copy-query-delete", "COPY (DELETE FROM widget RETURNING *) TO STDOUT;\n", "FES317"),
            ("rule-delete", "CREATE RULE r AS ON INSERT TO widget DO INSTEAD DELETE FROM widget;\n", "FES317"),
            (
                "function-body-drop",
                "CREATE OR REPLACE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$\n"
                "BEGIN\n  DROP TABLE widget;\nEND $$;\nSELECT f();\n",
                "FES317",
            ),
            ("copy-to-program", "COPY (SELECT 1) TO PROGRAM 'id > /tmp/pwned';\n", "FES323"),
            ("pg-read-file-in-do", "DO $$ BEGIN PERFORM pg_read_file('/etc/passwd'); END $$;\n", "FES323"),
            ("alter-system", "ALTER SYSTEM SET log_statement = 'none';\n", "FES323"),
            ("create-superuser", "CREATE ROLE intruder SUPERUSER LOGIN;\n", "FES323"),
            ("drop-database", "DROP DATABASE IF EXISTS other_team;\n", "FES323"),
            ("untrusted-extension", "CREATE EXTENSION IF NOT EXISTS dblink;\n", "FES323"),
        )
    },
    "sql-unlisted-copy-to-program": (
        lambda r: write(r, "service/db/migration/V903__report.sql", "COPY (SELECT 1) TO PROGRAM 'id';\n"),
        ("service/db/migration/V903__report.sql", "FES322"),
    ),
    "sql-unterminated-string": (
        lambda r: (
            write(r, "service/db/migration/V900__unterminated.sql", "INSERT INTO widget VALUES (1, 'oops);\n"),
            write(
                r,
                "releases/sqlbad.yaml",
                ok_record("sqlbad").replace("file: V2__seed_widget.sql", "file: V900__unterminated.sql"),
            ),
        ),
        ("releases/sqlbad.yaml", "FES320"),
    ),
    "spec-remote-ref": (
        lambda r: write(
            r,
            "service/openapi.yaml",
            (r / "service/openapi.yaml")
            .read_text()
            .replace('"200": {description: up}', '"200": {$ref: "http://127.0.0.1:9/evil.yaml#/x"}'),
        ),
        ("service/openapi.yaml", "FES801"),
    ),
    # a float, a bool or an enormous number where an integer belongs: the model would read "no estimate"
    # and turn the large-backfill rule off; the schema refuses it instead
    **{
        f"number-not-integer-{label}": (
            lambda r, v=value: write(
                r,
                "releases/base-release.yaml",
                ok_record().replace("estimated_rows: 2500000, dry_run: true", f"estimated_rows: {v}, dry_run: false"),
            ),
            ("releases/base-release.yaml", rule),
        )
        for label, value, rule in (
            ("float", "2500000.0", "FES010"),
            ("exp", "2.5e6", "FES010"),
            ("nan", ".nan", "FES010"),
            ("4000-digits", "9" * 4000, "FES010"),
            ("5000-digits", "9" * 5000, "FES001"),  # past what YAML's int() reads: the value is unreadable
        )
    },
    # a billion laughs in the spec, with YAML line breaks other than \n: the fast spec parser expands
    # aliases without a bound, so the alias check must see these too (it once held validate for good)
    **{
        f"spec-alias-bomb-{label}": (
            lambda r, brk=brk: write(r, "service/openapi.yaml", spec_bomb(brk)),
            ("service/openapi.yaml", "FES801"),
        )
        for label, brk in (("cr", "\r"), ("nel", "\x85"), ("ls", "\u2028"))
    },
    # JSON may escape half a surrogate pair, which is no character: such a $ref crashed the spec's rule
    # (os.stat cannot take the name), and the crash hid every real error in the spec
    "spec-lone-surrogate-ref": (
        lambda r: (
            write(
                r,
                "service/openapi.json",
                '{"openapi": "3.0.3", "info": {"title": "t"}, "paths": {}, '
                '"components": {"schemas": {"A": {"$ref": "\\ud800.json"}}}}',
            ),
            write(
                r,
                "releases/policy.yaml",
                (r / "releases/policy.yaml")
                .read_text()
                .replace("openapi: service/openapi.yaml", "openapi: service/openapi.json"),
            ),
        ),
        ("service/openapi.json", "FES801"),
    ),
    # inside the project, but no spec document: a file a CI step wrote into the checkout (or .git/config);
    # the validator quoted what it found there ("'x' does not exist within {...}")
    **{
        f"spec-ref-to-{label}": (
            lambda r, target=target: (
                write(r, target, f"DEPLOY_TOKEN: {MARKER}\n"),
                write(
                    r,
                    "service/openapi.yaml",
                    (r / "service/openapi.yaml")
                    .read_text()
                    .replace('"200": {description: up}', f'"200": {{$ref: "../{target}#x"}}'),
                ),
            ),
            ("service/openapi.yaml", "FES801"),
        )
        for label, target in (("env-file", "ci-secrets.env"), ("git-config", ".git/config"))
    },
    # dry-run evidence outside the project is never read; the item must not count as evidenced either
    **{
        f"evidence-outside-{label}": (
            lambda r, path=path: write(
                r,
                "releases/ev.yaml",
                ok_record("ev").replace(
                    "{id: flyway-dry-run, done: false}", f"{{id: flyway-dry-run, done: true, evidence: {path}}}"
                ),
            ),
            ("releases/ev.yaml", "FES316"),
        )
        for label, path in (("dotdot", "../outside/run.json"), ("absolute", "/etc/run.json"))
    },
    "spec-ref-outside-root": (
        lambda r: write(
            r,
            "service/openapi.yaml",
            (r / "service/openapi.yaml")
            .read_text()
            .replace('"200": {description: up}', '"200": {$ref: "../../outside/openapi.yaml#/info"}'),
        ),
        ("service/openapi.yaml", "FES801"),
    ),
}


def _count_walk(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many values the YAML loader builds (a spy on its walk): the work a hostile file can cause."""
    count = [0]
    walk = loader._Walker.walk

    def counting(self: Any, node: Any, depth: int) -> Any:
        count[0] += 1
        return walk(self, node, depth)

    monkeypatch.setattr(loader._Walker, "walk", counting)
    return count


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_input_gives_located_finding(project: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    setup, (file, rule) = CASES[name]
    setup(project)
    walked = _count_walk(monkeypatch)
    result = check(project, use_cache=False)
    hits = [f for f in result.findings if f.loc.file == file and f.rule == rule]
    assert hits, [(f.loc.file, f.rule, f.message) for f in result.findings]
    assert all(f.loc.line >= 1 and f.loc.column >= 1 for f in result.findings)
    # bounded work, not wall-clock time
    assert walked[0] <= WALK_BUDGET, f"{name}: the loader built {walked[0]} values"
    assert not any(MARKER in f.message or MARKER.replace("-", "_") in f.message for f in result.findings)


@pytest.mark.parametrize(
    "name", ["billion-laughs", "50-mb-file", "symlink-escaping", "sql-unterminated-string", "10000-deep-nesting"]
)
def test_cli_never_tracebacks(project: Path, name: str) -> None:
    CASES[name][0](project)
    proc = subprocess.run(
        [sys.executable, "-m", "fes_docs", "validate", "--root", str(project), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and MARKER not in proc.stdout
    json.loads(proc.stdout)


def test_bom_and_crlf_record_is_clean(project: Path) -> None:
    write(project, "releases/base-release.yaml", b"\xef\xbb\xbf" + ok_record().replace("\n", "\r\n").encode())
    result = check(project, use_cache=False)
    got = [
        f
        for f in result.findings
        if f.loc.file == "releases/base-release.yaml" and f.rule in ("FES001", "FES002", "FES003", "FES010", "FES011")
    ]
    assert not got, got
    # and positions still count lines right through CRLF: U1 dropping V1's table points at line 14
    assert any(f.rule == "FES321" and f.loc.line == 14 for f in result.findings)


# --- invariant 9: nothing from outside a record leaks; nothing that looks like a record is skipped ---


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("loud.YAML", "FES004"),
        ("trailing-space.yaml ", "FES004"),
        (" leading-space.yaml", "FES004"),
        ("sub/nested.yaml", "FES004"),
        ("deeper/sub/nested.yml", "FES004"),
    ],
)
def test_a_record_the_gate_would_not_read_is_an_error(project: Path, name: str, rule: str) -> None:
    """Attack: hide a failing record from the gate by its name or folder; it must fail, not be skipped."""
    write(project, f"releases/{name}", "id: [broken\n")
    result = check(project, use_cache=False)
    hits = [f for f in result.findings if f.loc.file == f"releases/{name}"]
    assert [f.rule for f in hits] == [rule] and hits[0].blocking, hits
    assert result.exit_code() == 1


def test_a_symlinked_record_inside_the_project_is_refused_unread(project: Path) -> None:
    """Attack: alias an approved record under a second name (or point it at any project file)."""
    write(project, "releases/base-release.yaml", ok_record())
    (project / "releases" / "alias.yaml").symlink_to("base-release.yaml")
    (project / "releases" / "env.yaml").symlink_to(project / "service" / "openapi.yaml")
    result = check(project, use_cache=False)
    for name in ("alias.yaml", "env.yaml"):
        hits = [f for f in result.findings if f.loc.file == f"releases/{name}"]
        assert [(f.rule, f.message) for f in hits] == [("FES003", "this file is a symbolic link; it was not read")]
    assert {r.file for r in result.project.releases} == {"releases/base-release.yaml"}


def test_a_symlinked_policy_is_refused_unread(project: Path) -> None:
    """Attack: point the policy the gate judges by at a file elsewhere (here a lenient copy)."""
    policy = project / "releases" / "policy.yaml"
    (project / "lenient.yaml").write_text(policy.read_text())
    policy.unlink()
    policy.symlink_to(project / "lenient.yaml")
    result = check(project, use_cache=False)
    hits = [f for f in result.findings if f.loc.file == "releases/policy.yaml"]
    assert [f.rule for f in hits] == ["FES003"] and "symbolic link" in hits[0].message
    assert result.exit_code() == 1


def test_a_record_replaced_by_a_link_after_a_warm_run_is_noticed(project: Path) -> None:
    """Attack on the cache: same bytes, now behind a symbolic link; the fast path must not reuse the verdict."""
    record = write(project, "releases/base-release.yaml", ok_record())
    assert not [f for f in check(project).findings if f.rule == "FES003"]
    (project / "copy.yaml").write_bytes(record.read_bytes())
    record.unlink()
    record.symlink_to(project / "copy.yaml")
    assert [f.rule for f in check(project).findings if f.loc.file == "releases/base-release.yaml"] == ["FES003"]


@pytest.mark.parametrize(
    "text",
    ["hunter2-SECRET-TOKEN\n", "- hunter2-SECRET-TOKEN\n- x\n", "hunter2-SECRET-TOKEN: [1\n"],
)
def test_a_file_that_is_no_record_is_never_quoted(project: Path, text: str) -> None:
    """Attack: a 'record' that is some other file (a token, a list): the finding says what it is, not what it holds."""
    write(project, "releases/leak.yaml", text)
    result = check(project, use_cache=False)
    hits = [f for f in result.findings if f.loc.file == "releases/leak.yaml"]
    assert hits and not [f for f in hits if "hunter2" in f.message + (f.hint or "")], hits


def test_a_long_record_value_is_quoted_as_a_short_escaped_excerpt(project: Path) -> None:
    """A wrong value is quoted so its author finds it, but never more than a line of it, and escaped."""
    long = "x\\u202e" + "y" * 500
    write(project, "releases/base-release.yaml", ok_record().replace("phase: 2", f'phase: "{long}"'))
    hits = [f for f in check(project, use_cache=False).findings if f.rule == "FES010"]
    assert hits and all(len(f.message) < 200 and "\u202e" not in f.message for f in hits), hits


# --- invariant 11: bounded work per SQL file (a policy setting) ----------------------------------


@pytest.mark.parametrize(("limit", "claimed"), [(None, True), (None, False), (1_000, True)])
def test_a_migration_past_max_sql_bytes_is_a_finding_not_parsed(
    project: Path, limit: int | None, claimed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Attack: a 6 MB migration (default limit 5 MB), or a small one under a tighter policy limit."""
    from fes_docs import artefacts

    size = 6_000_000 if limit is None else 2_000
    write(project, "service/db/migration/V904__huge.sql", "SELECT 1;\n" * (size // 10))
    if limit is not None:
        policy = project / "releases" / "policy.yaml"
        policy.write_text(policy.read_text() + f"max_sql_bytes: {limit}\n")
    if claimed:
        write(
            project,
            "releases/huge.yaml",
            ok_record("huge").replace("file: V2__seed_widget.sql", "file: V904__huge.sql"),
        )
    parsed: list[int] = []
    real = artefacts.analyze
    monkeypatch.setattr(artefacts, "analyze", lambda text, *a: parsed.append(len(text)) or real(text, *a))
    result = check(project, use_cache=False)
    want = ("releases/huge.yaml", "FES320") if claimed else ("service/db/migration/V904__huge.sql", "FES322")
    hits = [f for f in result.findings if (f.loc.file, f.rule) == want]
    assert hits and "max_sql_bytes" in hits[0].message, [(f.loc.file, f.rule, f.message) for f in result.findings]
    assert not [n for n in parsed if n >= size], "the oversized file was parsed"


# --- invariants 12 and 13: what a hostile record or policy makes of the other subcommands ------------
# Each case runs the real command line in a subprocess on the fixture project with one hostile file: no
# traceback, nothing read from outside, and the output (Markdown, CODEOWNERS, the edited record) inert.

MARKDOWN_ATTACK = (
    '<img src=x onerror=alert(1)>\n\n??? note "x"\n\n=== "t"\n\n!!! danger\n\n[a](javascript:x) ~~s~~ $m$\u202e'
)
# lines the attack would add to the Markdown if its paragraphs were not escaped
ATTACK_LINES = ('??? note "x"', '=== "t"', "!!! danger\n", "<img")


def _fes(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "fes_docs", *args, "--root", str(root)], capture_output=True, text=True, timeout=120
    )
    assert "Traceback" not in proc.stderr and MARKER not in proc.stdout + proc.stderr, proc.stderr
    return proc


def _git_init(root: Path) -> None:
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "base"]):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false", *args],
            cwd=root,
            check=True,
            capture_output=True,
        )


def _quoted(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _diff_of_a_hostile_title(root: Path) -> None:
    _git_init(root)
    write(
        root, "releases/md.yaml", ok_record("md").replace('title: "Base release"', f"title: {_quoted(MARKDOWN_ATTACK)}")
    )
    proc = _fes(root, "diff", "HEAD")
    assert proc.returncode == 0 and "### `md`" in proc.stdout
    assert "<img" not in proc.stdout and "\u202e" not in proc.stdout
    assert not any(line.startswith(ATTACK_LINES) for line in proc.stdout.splitlines(True))


def _notes_that_open_blocks(root: Path) -> None:
    write(root, "releases/notes.yaml", ok_record("notes") + f"notes: {_quoted(MARKDOWN_ATTACK)}\n")
    proc = _fes(root, "render", "--out", str(root / "site"))
    page = (root / "site" / "notes" / "index.md").read_text(encoding="utf-8")
    assert proc.returncode in (0, 1) and "<img" not in page
    assert not any(line.startswith(ATTACK_LINES) for line in page.splitlines(True))


def _codeowners_address_with_a_newline(root: Path) -> None:
    _git_init(root)
    policy = root / "releases" / "policy.yaml"
    policy.write_text(policy.read_text().replace("dave: [dave@example.org]", 'dave: ["dave@example.org\\n* @mallory"]'))
    write(root, "releases/owned.yaml", ok_record("owned"))
    proc = _fes(root, "codeowners", "--write")
    assert proc.returncode == 1 and proc.stdout == "" and not (root / ".github" / "CODEOWNERS").exists()
    assert proc.stderr.startswith("releases/policy.yaml:") and "@mallory" not in proc.stderr.split("'")[0]


def _sign_a_signoff_an_alias_shares(root: Path) -> None:
    sig = "{role: product, by: dave, date: '2025-01-01', digest: x}"
    record = ok_record("aliased").replace("phase: 2", f"phase: 2\nx-sig: &s {sig}") + "signoffs:\n  - *s\n"
    path = write(root, "releases/aliased.yaml", record)
    proc = _fes(root, "sign", "aliased", "--role", "product", "--by", "dave", "--date", "2026-02-02")
    assert proc.returncode == 2 and "releases/aliased.yaml:" in proc.stderr and "YAML alias" in proc.stderr
    assert path.read_text() == record


def _sign_a_record_with_lone_cr_line_breaks(root: Path) -> None:
    path = write(root, "releases/cr.yaml", ok_record("cr").replace("\n", "\r") + "signoffs: []\r")
    proc = _fes(root, "sign", "cr", "--role", "product", "--by", "dave", "--date", "2026-02-02")
    raw = path.read_bytes()
    doc, problems = loader.load_bytes(raw, "cr.yaml")
    assert proc.returncode == 0 and doc is not None and not problems and b"\n" not in raw
    assert [s["role"] for s in doc.data["signoffs"]] == ["product"]


def _new_from_a_record_of_look_alike_values(root: Path) -> None:
    # a released source: `new --from` takes the last known good only from a release that shipped (issue 13)
    released = ok_record("src").replace("status: planned", "status: released")
    source = released + 'artifact: {version: "1.10"}\nvalidation: {a: "0012", b: "yes", c: 1.0e+16, d: null}\n'
    write(root, "releases/src.yaml", source)
    proc = _fes(root, "new", "copy", "--phase", "3", "--from", "src")
    doc, problems = loader.load_bytes((root / "releases" / "copy.yaml").read_bytes(), "copy.yaml")
    assert proc.returncode == 0 and doc is not None and not problems
    assert doc.data["artifact"] == {"last_known_good": "1.10"}
    assert doc.data["validation"] == {"a": "0012", "b": "yes", "c": 1e16, "d": None}


TOOL_CASES: dict[str, Callable[[Path], None]] = {
    "diff-markdown-title": _diff_of_a_hostile_title,
    "render-notes-block-openers": _notes_that_open_blocks,
    "codeowners-address-newline": _codeowners_address_with_a_newline,
    "sign-alias-shared-signoff": _sign_a_signoff_an_alias_shares,
    "sign-lone-cr-record": _sign_a_record_with_lone_cr_line_breaks,
    "new-from-look-alike-values": _new_from_a_record_of_look_alike_values,
}


@pytest.mark.parametrize("name", sorted(TOOL_CASES))
def test_hostile_input_to_a_subcommand_stays_inert(project: Path, name: str) -> None:
    TOOL_CASES[name](project)
