"""No traceback, ever, from any subcommand (issue 11, invariant 10): one test per attack, named for it.

Each attack is a project (a copy of the rules fixture with one hostile thing added) or a hostile
argument; the real command line runs on it — in a child process where the exit code and stderr are the
point, in-process (``fes_docs.cli.main``) elsewhere — and must end in findings located at the hostile
file, or in a one-line error with exit code 2. The structured fuzzer over all of them is
``tests/property/test_fuzz_subcommands.py``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from gitrepo import commit, git

from fes_docs.check import check
from fes_docs.cli import main
from fes_docs.sql import analyze

FIXTURE = Path(__file__).parents[1] / "fixtures" / "rules" / "project"
BASE = Path(__file__).parents[1] / "fixtures" / "robustness" / "base-release.yaml"
RECORD = "releases/base-release.yaml"
MIGRATIONS = "service/db/migration"
LONG = "x" * 300  # one path component: no Linux file system takes more than 255 bytes
DIGITS = "9" * 5000  # past the 4300 digits Python's int() reads from text


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    shutil.copytree(FIXTURE, root)
    shutil.copy(BASE, root / RECORD)
    return root


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text()
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1))


def cite_evidence(root: Path, evidence: str) -> None:
    cited = f'{{id: flyway-dry-run, done: true, evidence: "{evidence}"}}'
    edit(root, RECORD, "{id: flyway-dry-run, done: false}", cited)


def list_migration(root: Path, name: str) -> None:
    edit(root, RECORD, "file: V2__seed_widget.sql", f"file: {name}")


def cli(*argv: str) -> tuple[int, str, str]:
    """``fes_docs.cli.main`` in-process; an exception escaping it fails the test with its traceback."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def process(*argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m fes_docs`` in a child process: what a CI job sees."""
    env = {k: v for k, v in os.environ.items() if k != "FES_DOCS_TRACEBACK"}
    return subprocess.run(
        [sys.executable, "-m", "fes_docs", *argv], capture_output=True, text=True, timeout=300, cwd=cwd, env=env
    )


def assert_no_traceback(code: int, err: str) -> None:
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in err and "internal error" not in err, err


def findings_at(root: Path, file: str) -> list[Any]:
    result = check(root, use_cache=False)
    assert not [f for f in result.findings if f.message.startswith("internal error")]
    return [f for f in result.findings if f.loc.file == file]


def validate_json(root: Path) -> list[dict[str, Any]]:
    code, out, err = cli("validate", "--root", str(root), "--format", "json")
    assert_no_traceback(code, err)
    findings: list[dict[str, Any]] = json.loads(out)["findings"]
    assert not [f for f in findings if "internal error" in f["message"]], findings
    return findings


ALL_FORMATS = ("text", "json", "github", "junit", "sarif")


def every_subcommand(root: Path, scratch: Path) -> None:
    r = str(root)
    at, gates = "2026-03-10T18:30:00Z", ("text", "json", "github")  # the deploy gate, at a moment
    for fmt in ALL_FORMATS:
        assert_no_traceback(*_code_err(cli("validate", "--root", r, "--format", fmt)))
    for argv in (
        ("render", "--root", r, "--out", str(scratch / "site")),
        ("codeowners", "--root", r),
        ("schema", "--root", r),
        ("sign", "base-release", "--role", "product", "--by", "dave", "--date", "2026-03-09", "--root", r),
        ("new", "a-new-one", "--phase", "2", "--from", "base-release", "--root", r),
        *(("gate", "base-release", "--env", "production", "--at", at, "--format", f, "--root", r) for f in gates),
        ("gate", "base-release", "--env", "local", "--at", at, "--record", "--by", "erin", "--root", r),
    ):
        assert_no_traceback(*_code_err(cli(*argv)))
    # init surveys the whole tree, links and all; on a copy (links kept as links), as it replaces the policy
    adopted = scratch / "adopted"
    shutil.copytree(root, adopted, symlinks=True, dirs_exist_ok=True)
    assert_no_traceback(*_code_err(cli("init", "--force", "--root", str(adopted))))


def _code_err(outcome: tuple[int, str, str]) -> tuple[int, str]:
    return outcome[0], outcome[2]


# --- symbolic link loops ------------------------------------------------------------------------


def test_symlink_loop_in_releases(project: Path, tmp_path: Path) -> None:
    releases = project / "releases"
    (releases / "self.yaml").symlink_to("self.yaml")
    (releases / "ping.yaml").symlink_to("pong.yaml")
    (releases / "pong.yaml").symlink_to("ping.yaml")
    (releases / "again").symlink_to(".")
    proc = process("validate", "--root", str(project))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    for name in ("self", "ping", "pong"):
        assert f"releases/{name}.yaml:1:1: error FES003" in proc.stdout, proc.stdout
    every_subcommand(project, tmp_path)


def test_symlink_loop_in_migrations_folder(project: Path, tmp_path: Path) -> None:
    folder = project / MIGRATIONS
    (folder / "V901__loop.sql").symlink_to("V901__loop.sql")
    (folder / "again").symlink_to("..")  # a folder link back up: walked once, not forever
    (folder / "nested").mkdir()
    (folder / "nested" / "up").symlink_to("../..")
    (folder / "V902__unlisted_loop.sql").symlink_to("V902__unlisted_loop.sql")
    list_migration(project, "V901__loop.sql")
    listed = [f for f in findings_at(project, RECORD) if f.rule == "FES320"]  # at the record that lists it
    assert listed and "loops" in listed[0].message and listed[0].loc.line == 15, listed
    unlisted = findings_at(project, f"{MIGRATIONS}/V902__unlisted_loop.sql")  # Flyway would trip on it: said
    assert "FES322" in {f.rule for f in unlisted} and all(f.loc.line == 1 for f in unlisted), unlisted
    every_subcommand(project, tmp_path)


def test_symlink_loop_as_the_migrations_folder_and_the_spec(project: Path, tmp_path: Path) -> None:
    (project / "service" / "loop").symlink_to("loop")
    edit(project, "releases/policy.yaml", "migrations_dir: service/db/migration", "migrations_dir: service/loop")
    edit(project, "releases/policy.yaml", "openapi: service/openapi.yaml", "openapi: service/loop/openapi.yaml")
    hits = findings_at(project, "service/loop/openapi.yaml")
    assert [f.rule for f in hits] == ["FES801"] and "loops" in hits[0].message, hits
    every_subcommand(project, tmp_path)


# --- deeply nested SQL ----------------------------------------------------------------------------

NESTED_200 = {
    "parentheses": "SELECT " + "(" * 200 + "1" + ")" * 200 + ";",
    "subqueries": "SELECT " + "(SELECT " * 200 + "1" + ")" * 200 + ";",
    "derived-tables": "SELECT * FROM " + "(SELECT * FROM " * 200 + "widget" + ") s" * 200 + ";",
    "in-a-do-block": "DO $$ BEGIN PERFORM " + "(SELECT " * 200 + "1" + ")" * 200 + "; END $$;",
}


@pytest.mark.parametrize("shape", sorted(NESTED_200))
def test_200_level_nested_sql_is_analysed(shape: str) -> None:
    """PostgreSQL accepts all of these; the analysis reads them fully (no RecursionError, no error)."""
    result = analyze("SELECT 0;\n" + NESTED_200[shape])
    assert result.error is None
    assert [s.line for s in result.statements] == [1, 2]
    assert result.statements[1].klass == "additive"


def test_200_nested_subqueries_keep_their_verdict() -> None:
    """The depth does not blur what the statement does: an UPDATE without WHERE stays destructive."""
    sql = "UPDATE widget SET id = " + "(SELECT " * 200 + "1" + ")" * 200 + ";"
    (statement,) = analyze(sql).statements
    assert statement.klass == "destructive" and "without WHERE" in statement.reason


def test_deepest_sql_the_parser_takes_is_analysed() -> None:
    """libpg_query itself stops near 10,000 levels; just below that the analysis still works."""
    result = analyze("DELETE FROM widget WHERE id = " + "+".join(["1"] * 9000) + ";")
    assert result.error is None and result.statements[0].klass == "data"


def test_sql_too_deep_for_the_parser_is_a_located_error() -> None:
    result = analyze("SELECT 1;\n\n  SELECT " + "(" * 20000 + "1" + ")" * 20000 + ";")
    assert result.error is not None and result.error.line == 3


@pytest.mark.parametrize("dialect", ["mysql", "h2"])
def test_sql_too_deep_for_sqlglot_is_too_deep_to_analyse(dialect: str) -> None:
    """sqlglot parses by recursive descent: a statement past Python's recursion limit is said, located."""
    result = analyze("SELECT 1;\n\n  " + NESTED_200["subqueries"], dialect)
    assert result.error is not None and (result.error.line, result.error.column) == (3, 3)
    assert "too deeply to analyse" in result.error.message


def test_200_level_nested_migration_through_validate(project: Path, tmp_path: Path) -> None:
    (project / MIGRATIONS / "V900__deep.sql").write_text(NESTED_200["subqueries"] + "\n")
    list_migration(project, "V900__deep.sql")
    findings = validate_json(project)
    assert not [f for f in findings if f["rule"] == "FES320"], findings
    every_subcommand(project, tmp_path)


def test_too_deep_migration_in_another_dialect_through_validate(project: Path) -> None:
    with (project / "releases" / "policy.yaml").open("a") as fh:
        fh.write("sql_dialect: mysql\n")
    (project / MIGRATIONS / "V900__deep.sql").write_text("SELECT 1;\n" + NESTED_200["subqueries"] + "\n")
    list_migration(project, "V900__deep.sql")
    hits = [f for f in validate_json(project) if f["rule"] == "FES320"]
    assert hits and "too deeply to analyse" in hits[0]["message"] and ":2" in hits[0]["message"], hits


# --- deeply nested evidence JSON ------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["[", '{"a":'])
def test_evidence_json_nested_100000_deep(project: Path, tmp_path: Path, shape: str) -> None:
    closer = "]" if shape == "[" else "}"
    (project / "evidence" / "deep.json").write_text(shape * 100_000 + ("" if shape == "[" else "1") + closer * 100_000)
    cite_evidence(project, "evidence/deep.json")
    hits = [f for f in findings_at(project, RECORD) if f.rule == "FES334"]
    assert hits and "nested too deeply" in hits[0].message and hits[0].loc.line == 9, hits
    every_subcommand(project, tmp_path)


# --- path names over 255 bytes --------------------------------------------------------------------


def test_path_component_over_255_bytes_referenced_from_a_record(project: Path, tmp_path: Path) -> None:
    cite_evidence(project, f"evidence/{LONG}.json")
    edit(project, RECORD, "{name: pdf_status_backfill,", f"{{name: pdf_status_backfill, sql: service/{LONG}.sql,")
    list_migration(project, f"V2__{LONG}.sql")
    edit(project, "releases/policy.yaml", "openapi: service/openapi.yaml", f"openapi: service/{LONG}/openapi.yaml")
    rules = {f.rule for f in findings_at(project, RECORD)}
    assert {"FES334", "FES306", "FES310"} <= rules, rules
    assert [f.rule for f in findings_at(project, f"service/{LONG}/openapi.yaml")] == ["FES801"]
    every_subcommand(project, tmp_path)


@pytest.mark.parametrize(
    "argv",
    [
        ("validate", "--root", "{root}/" + LONG),
        ("validate", "--root", "{root}", "--output", "{root}/" + LONG + "/report.txt"),
        ("render", "--root", "{root}", "--out", "{root}/" + LONG),
        ("new", LONG, "--phase", "2", "--root", "{root}"),
        ("sign", LONG, "--role", "product", "--by", "dave", "--root", "{root}"),
        ("sign", f"releases/{LONG}.yaml", "--role", "product", "--by", "dave", "--root", "{root}"),
        ("schema", "--root", "{root}/" + LONG),
    ],
    ids=["validate-root", "validate-output", "render-out", "new-id", "sign-id", "sign-file", "schema-root"],
)
def test_argument_over_255_bytes_is_a_usage_error(project: Path, argv: tuple[str, ...]) -> None:
    code, _, err = cli(*(a.replace("{root}", str(project)) for a in argv))
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, err


# --- an archived tree with absolute symlinks (fes-docs diff reads revisions with git archive) -----


def test_diff_with_absolute_symlink_in_archived_tree(tmp_path: Path) -> None:
    top = tmp_path / "repo"
    root = top / "p"
    shutil.copytree(FIXTURE, root)
    shutil.copy(BASE, root / RECORD)
    (root / "releases" / "abs.yaml").symlink_to("/etc/hostname")
    (root / MIGRATIONS / "V950__abs.sql").symlink_to("/etc/hostname")
    (root / "evidence" / "up.json").symlink_to("../../../../../../../../../etc/hostname")
    (root / "service" / "abs-dir").symlink_to("/etc")
    git(top, "init", "-q")
    first = commit(top, "links out, absolute and relative")
    edit(root, RECORD, 'title: "Base release"', 'title: "Base release, renamed"')
    commit(top, "a change")
    for argv in (("diff", first), ("diff", first, "HEAD"), ("diff", "HEAD")):
        proc = process(*argv, "--root", str(root))
        assert proc.returncode == 0 and proc.stderr == "", proc.stderr
        assert proc.stdout.startswith("## fes-docs: changes from"), proc.stdout
    # the links read the same in the archived tree as in the checkout: refused as leading outside
    proc = process("diff", "HEAD", "--root", str(root))
    assert "No release changed in substance" in proc.stdout, proc.stdout


# --- integers of 5000 digits ----------------------------------------------------------------------


def test_5000_digit_integers_in_record_policy_evidence_and_spec(project: Path, tmp_path: Path) -> None:
    edit(project, RECORD, "phase: 2", f"phase: {DIGITS}")
    edit(project, "releases/policy.yaml", "backfill_dry_run_rows: 1000000", f"backfill_dry_run_rows: {DIGITS}")
    evidence = json.loads((project / "evidence" / "dry-run-current.json").read_text())
    text = json.dumps(evidence).replace(str(evidence["migrations"][0]["checksum"]), DIGITS, 1)
    (project / "evidence" / "huge.json").write_text(text)
    (project / "releases" / "huge-evidence.yaml").write_text(
        BASE.read_text()
        .replace("id: base-release", "id: huge-evidence")
        .replace("{id: flyway-dry-run, done: false}", "{id: flyway-dry-run, done: true, evidence: evidence/huge.json}")
    )
    edit(project, "service/openapi.yaml", "paths:", f"x-count: {DIGITS}\npaths:")
    findings = validate_json(project)
    files = {f["file"] for f in findings if f["severity"] == "error"}
    assert {RECORD, "releases/policy.yaml", "service/openapi.yaml"} <= files, files
    evidence_hits = [f for f in findings if f["file"] == "releases/huge-evidence.yaml" and f["rule"] == "FES334"]
    assert evidence_hits and "4300 digits" in evidence_hits[0]["message"], evidence_hits
    assert "set_int_max_str_digits" not in evidence_hits[0]["message"]  # Python's advice is not the user's
    every_subcommand(project, tmp_path)


# --- arguments --------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["validate", "diff"])
def test_today_that_is_not_a_date_is_a_usage_error(project: Path, command: str) -> None:
    git(project, "init", "-q")
    commit(project, "base")
    argv = ["validate"] if command == "validate" else ["diff", "HEAD"]
    code, _, err = cli(*argv, "--root", str(project), "--today", "not-a-date")
    assert code == 2 and "is not a date" in err and "Traceback" not in err, err


def test_a_bug_escaping_a_subcommand_is_one_line_and_exit_2(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The shell's last net (the bug itself is stood in for by a subcommand that raises)."""
    from fes_docs.cli import schema

    def broken(args: object) -> int:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(schema, "run", broken)
    monkeypatch.delenv("FES_DOCS_TRACEBACK", raising=False)
    assert main(["schema", "--root", str(project)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("fes-docs: internal error: RecursionError") and err.count("\n") == 1, err


def test_every_attack_at_once_through_the_real_process(project: Path, tmp_path: Path) -> None:
    """All of the above in one project, each subcommand in a child process: exit 0, 1 or 2, no traceback."""
    (project / "releases" / "loop.yaml").symlink_to("loop.yaml")
    (project / MIGRATIONS / "V901__loop.sql").symlink_to("V901__loop.sql")
    (project / MIGRATIONS / "V900__deep.sql").write_text(NESTED_200["subqueries"] + "\n")
    (project / "evidence" / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    cite_evidence(project, "evidence/deep.json")
    edit(project, RECORD, "{name: pdf_status_backfill,", f"{{name: pdf_status_backfill, sql: service/{LONG}.sql,")
    edit(project, RECORD, "batch_size: 1000", f"batch_size: {DIGITS}")
    git(project, "init", "-q")
    commit(project, "hostile")
    r = str(project)
    for argv in (
        *(("validate", "--root", r, "--format", fmt) for fmt in ALL_FORMATS),
        ("render", "--root", r, "--out", str(tmp_path / "site")),
        ("codeowners", "--root", r, "--check"),
        ("diff", "HEAD", "--root", r),
        ("sign", "base-release", "--role", "product", "--by", "dave", "--root", r),
        ("new", "after-it", "--phase", "2", "--from", "base-release", "--root", r),
    ):
        proc = process(*argv)
        assert proc.returncode in (0, 1, 2), (argv, proc.stderr)
        assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, (argv, proc.stderr)
