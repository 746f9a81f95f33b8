"""``fes-docs gate`` on real projects: each condition failing alone with its reason and place, all passing,
usage errors, ``--record`` and the change record (issue 15, "The deploy-time gate").

Every project is the rule fixtures' (``tests/fixtures/rules/project``) with its clean approved record, signed
as ``fes-docs sign`` signs, and only the migrations that record ships; each test changes one thing. The
moment is always given (``--at``): no assertion depends on the clock.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from fes_docs.check import check
from fes_docs.cli import main
from fes_docs.errors import UsageError
from fes_docs.gate import CHECKS, gate, moment
from fes_docs.gate_record import check_recorder, record
from fes_docs.gate_report import SCHEMA
from fes_docs.loader import load_bytes
from fes_docs.project import dump_schema
from fes_docs.signoffs import digest_of

ROOT = Path(__file__).parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "rules"
BASELINE = (FIXTURES / "cases" / "ok-approved.yaml").read_text(encoding="utf-8")
DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
IN_WINDOW = "2026-03-10T18:30:00Z"  # the baseline's window is 18:00Z-21:00Z on 2026-03-10
FILE = "releases/r1.yaml"
UNUSED_NOW = datetime(2000, 1, 1, tzinfo=UTC)  # every test gives --at: "now" is never what is judged
Verdict = dict[str, tuple[str, list[tuple[str, int, int, str]]]]
PROGRESS = (
    "progress:\n"
    "  - {environment: local, step: deployed, at: 2026-03-10T18:05:00Z, by: erin}\n"
    "  - {environment: test, step: validated, at: 2026-03-10T18:10:00+00:00, by: erin}\n"
)


def signed(text: str) -> str:
    """``text`` with every sign-off bound to it, as ``fes-docs sign`` would bind them."""
    doc, problems = load_bytes(text.encode("utf-8"), "r1.yaml")
    assert doc is not None, problems
    return DIGEST.sub(digest_of(doc.data), text)


def record_text(*edits: tuple[str, str], extra: str = "") -> str:
    text = BASELINE.replace("id: ok-approved", "id: r1")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return signed(text + extra)


def project(tmp_path: Path, text: str | None = None, policy_extra: str = "") -> Path:
    root = tmp_path / "p"
    shutil.copytree(FIXTURES / "project", root)
    text = record_text() if text is None else text
    (root / FILE).write_text(text, encoding="utf-8")
    for sql in (root / "service" / "db" / "migration").glob("*.sql"):
        if sql.name not in text:  # Flyway would apply every file in the folder (FES322): ship only the record's
            sql.unlink()
    if policy_extra:
        policy = root / "releases" / "policy.yaml"
        policy.write_text(policy.read_text(encoding="utf-8") + policy_extra, encoding="utf-8")
    return root


def judged(root: Path, env: str = "local", at: str = IN_WINDOW, artifact: str | None = None) -> Verdict:
    """check name -> (result, [(file, line, column, message)]): what the gate found, where."""
    when = moment(at, UNUSED_NOW)
    verdict = gate(check(root, today=when.date().isoformat()), "r1", env, when, artifact)
    return {
        c.name: (c.result, [(p.loc.file, p.loc.line, p.loc.column, p.message) for p in c.problems])
        for c in verdict.checks
    }


def failing(verdict: Verdict) -> list[str]:
    return [name for name, (result, _) in verdict.items() if result == "fail"]


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def gate_cli(root: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["gate", "r1", "--root", str(root), *args])
    out, err = capsys.readouterr()
    return code, out, err


# --- all passing ------------------------------------------------------------------------------------------


def test_every_check_passes_for_the_first_environment_and_the_exit_code_is_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    verdict = judged(root, artifact="4.2.0")
    assert list(verdict) == list(CHECKS) and failing(verdict) == []
    assert {name: result for name, (result, _) in verdict.items()} == dict.fromkeys(CHECKS, "pass")
    code, out, _ = gate_cli(root, "--env", "local", "--at", IN_WINDOW, "--artifact", "4.2.0", capsys=capsys)
    assert code == 0 and "PASSED: 8 checks; r1 may deploy to local" in out


def test_a_later_environment_passes_once_the_earlier_ones_are_done(tmp_path: Path) -> None:
    root = project(tmp_path, record_text(extra=PROGRESS))
    assert failing(judged(root, "staging")) == []


# --- each condition failing alone, with its reason and place -------------------------------------------------


def test_a_blocking_finding_of_the_release_fails_the_findings_check_at_the_finding(tmp_path: Path) -> None:
    text = record_text(("batch_size: 1000, ", ""))  # FES302: a backfill without a batch size
    verdict = judged(project(tmp_path, text))
    assert failing(verdict) == ["findings"]
    (where,) = verdict["findings"][1]
    assert where[:2] == (FILE, line_of(text, "pdf_status_backfill")) and "batch_size" in where[3]


def test_a_blocking_finding_of_no_release_blocks_too(tmp_path: Path) -> None:
    """A migration no record claims ships with this deploy: Flyway applies every file in the folder."""
    root = project(tmp_path)
    shutil.copy(
        FIXTURES / "project" / "service" / "db" / "migration" / "V9__rename_widget_name.sql",
        root / "service/db/migration",
    )
    verdict = judged(root)
    assert failing(verdict) == ["findings"]
    assert [w[0] for w in verdict["findings"][1]] == ["service/db/migration/V9__rename_widget_name.sql"]


def test_a_waived_finding_does_not_block(tmp_path: Path) -> None:
    text = record_text(
        ("batch_size: 1000, ", ""), extra='waivers:\n  - {rule: FES302, reason: "one batch: 40 rows in production"}\n'
    )
    assert failing(judged(project(tmp_path, text))) == []


def test_a_record_that_is_not_approved_fails_the_status_check_at_its_status(tmp_path: Path) -> None:
    text = record_text(("status: approved", "status: planned"))
    verdict = judged(project(tmp_path, text))
    assert failing(verdict) == ["status"]
    assert verdict["status"][1] == [
        (
            FILE,
            line_of(text, "status:"),
            9,
            'status is "planned": it is not approved yet: every owner signs, then the status becomes approved',
        )
    ]


def test_a_rolled_back_release_does_not_go_again(tmp_path: Path) -> None:
    text = record_text(
        ("status: approved", "status: rolled-back"),
        extra="incidents:\n  - id: INC-1\n    actions: [{title: fix it, status: done}]\n",
    )
    verdict = judged(project(tmp_path, text))
    assert failing(verdict) == ["status"] and "reattempt_of" in verdict["status"][1][0][3]


def test_an_unbound_sign_off_fails_the_signoffs_check_at_the_sign_off(tmp_path: Path) -> None:
    text = record_text()
    unbound = re.sub(r"(role: product, by: dave, date: 2026-03-09), digest: \"sha256:[0-9a-f]+\"", r"\1", text)
    verdict = judged(project(tmp_path, unbound))  # FES704 is a warning: only the gate refuses it
    assert failing(verdict) == ["signoffs"]
    assert verdict["signoffs"][1] == [
        (
            FILE,
            line_of(unbound, "role: product"),
            5,
            '"product" sign-off by "dave" has no digest: nothing tells what it approved',
        )
    ]


def test_a_stale_sign_off_fails_the_gate_as_it_fails_validate(tmp_path: Path) -> None:
    text = record_text()
    stale = text.replace('title: "Phase 2: PDF lifecycle"', 'title: "Phase 2: PDF lifecycle, renamed"')
    verdict = judged(project(tmp_path, stale))
    assert failing(verdict) == ["findings", "signoffs"]  # FES705 is an error from approved on, and the gate says why
    assert all("is stale since" in m for *_, m in verdict["signoffs"][1]) and len(verdict["signoffs"][1]) == 4


def test_a_missing_role_fails_at_the_sign_offs(tmp_path: Path) -> None:
    text = "\n".join(line for line in record_text().splitlines() if "role: on_call" not in line) + "\n"
    verdict = judged(project(tmp_path, text))
    assert ("no sign-off for on_call") in [m for *_, m in verdict["signoffs"][1]]
    assert verdict["signoffs"][1][0][1] == line_of(text, "signoffs:")


def test_outside_the_window_fails_the_window_check_at_the_window(tmp_path: Path) -> None:
    text = record_text()
    root = project(tmp_path, text)
    early = judged(root, at="2026-03-10T17:59:59Z")
    assert failing(early) == ["window"]
    assert early["window"][1] == [
        (
            FILE,
            line_of(text, "window:"),
            17,
            "2026-03-10T17:59:59Z is before the window opens (2026-03-10T18:00:00Z → 2026-03-10T21:00:00Z)",
        )
    ]
    late = judged(root, at="2026-03-10T22:00:00+01:00")  # 21:00Z: the window is [start, end)
    assert failing(late) == ["window"] and "after the window closed" in late["window"][1][0][3]
    assert late["window"][1][0][2] == text.splitlines()[line_of(text, "window:") - 1].index("end:") + 6


def test_a_freeze_of_the_environment_fails_the_freeze_check_at_the_policy(tmp_path: Path) -> None:
    """A released release redeployed in a freeze: FES021 leaves history alone, the gate still refuses."""
    freeze = (
        "freezes:\n  - {start: 2026-03-10T18:15:00Z, end: 2026-03-10T19:00:00Z, reason: exam, environments: [local]}\n"
    )
    text = record_text(("status: approved", "status: released"))
    root = project(tmp_path, text, freeze)
    verdict = judged(root)
    assert failing(verdict) == ["freeze"]
    assert verdict["freeze"][1] == [
        ("releases/policy.yaml", 22, 5, '2026-03-10T18:30:00Z is in freeze 1 of local ("exam")')
    ]
    assert failing(judged(root, "test", at="2026-03-10T18:20:00Z")) == ["rollout"]  # the freeze is local's only


def test_a_freeze_waived_with_an_approver_lets_the_deploy_through_and_says_so(tmp_path: Path) -> None:
    freeze = "freezes:\n  - {start: 2026-03-10T18:15:00Z, end: 2026-03-10T19:00:00Z, reason: exam}\n"
    waiver = 'waivers:\n  - {rule: FES021, reason: "the exam board agreed", approved_by: dave}\n'
    unwaived = judged(project(tmp_path / "a", record_text(), freeze))
    assert failing(unwaived) == ["findings", "freeze"]  # FES021 is an error, and the moment is in the freeze
    verdict = judged(project(tmp_path / "b", record_text(extra=waiver), freeze))
    assert failing(verdict) == [] and verdict["freeze"][0] == "waived"
    assert "waived: the exam board agreed, approved by dave" in verdict["freeze"][1][0][3]


def test_a_freeze_nobody_can_read_refuses_every_deploy(tmp_path: Path) -> None:
    freeze = "freezes:\n  - {start: 2026-02-30T00:00:00Z, end: 2026-03-30T00:00:00Z, reason: exam}\n"
    verdict = judged(project(tmp_path, record_text(), freeze))
    assert failing(verdict) == ["findings", "freeze"]
    assert (
        verdict["freeze"][1][0][:2] == ("releases/policy.yaml", 22) and "cannot be read" in verdict["freeze"][1][0][3]
    )


def test_an_earlier_environment_not_done_fails_the_rollout_check(tmp_path: Path) -> None:
    text = record_text(extra=PROGRESS.replace("environment: test", "environment: staging"))
    verdict = judged(project(tmp_path, text), "staging")
    assert failing(verdict) == ["rollout"]
    assert [(w[1], w[3][:29]) for w in verdict["rollout"][1]] == [
        (line_of(text, "progress:"), "test is not recorded as done:")
    ]


def test_progress_recorded_after_the_moment_does_not_count(tmp_path: Path) -> None:
    root = project(tmp_path, record_text(extra=PROGRESS))
    assert failing(judged(root, "staging", at="2026-03-10T18:07:00Z")) == ["rollout"]  # test is done at 18:10


def test_an_artifact_other_than_the_records_fails_at_its_version(tmp_path: Path) -> None:
    text = record_text()
    verdict = judged(project(tmp_path, text), artifact="4.2.1")
    assert failing(verdict) == ["artifact"]
    assert verdict["artifact"][1] == [
        (FILE, line_of(text, "artifact:"), 21, '--artifact "4.2.1" is not the record\'s artifact.version "4.2.0"')
    ]


def test_without_an_artifact_the_comparison_is_skipped_not_passed(tmp_path: Path) -> None:
    assert judged(project(tmp_path))["artifact"][0] == "skipped"


def test_a_record_naming_no_artifact_version_fails(tmp_path: Path) -> None:
    text = record_text(("artifact: {version: 4.2.0, last_known_good: 4.1.3}", "artifact: {last_known_good: 4.1.3}"))
    verdict = judged(project(tmp_path, text))
    assert failing(verdict) == ["artifact"] and verdict["artifact"][1][0][1] == line_of(text, "artifact:")


def test_an_open_incident_action_fails_the_incidents_check_at_its_status(tmp_path: Path) -> None:
    incident = "incidents:\n  - id: INC-7\n    actions:\n      - {title: add the index, status: open}\n"
    text = record_text(extra=incident)
    verdict = judged(project(tmp_path, text))
    assert failing(verdict) == ["incidents"]
    line = line_of(text, "add the index")
    column = text.splitlines()[line - 1].index("status: open") + len("status: ") + 1
    assert verdict["incidents"][1] == [
        (FILE, line, column, 'incident "INC-7" action "add the index" is "open", not done')
    ]


def test_every_reason_is_given_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = record_text(("status: approved", "status: planned"))
    root = project(tmp_path, text)
    code, out, _ = gate_cli(root, "--env", "staging", "--at", "2026-03-11T00:00:00Z", "--artifact", "9", capsys=capsys)
    assert code == 1
    assert "FAILED: 4 of 8 checks (status, window, rollout, artifact); nothing may deploy" in out
    assert f'{FILE}:{line_of(text, "status:")}:9: status: status is "planned"' in out


# --- usage errors: exit 2 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["gate", "nope", "--env", "local", "--at", IN_WINDOW], "no release 'nope'"),
        (["gate", "r1", "--env", "prodution", "--at", IN_WINDOW], "did you mean 'production'?"),
        (["gate", "r1", "--env", "local", "--at", "2026-03-10T18:30:00"], "with a zone"),
        (["gate", "r1", "--env", "local", "--at", "yesterday"], "with a zone"),
        (["gate", "r1", "--env", "local", "--at", "9" * 5000], "with a zone"),
        (["gate", "r1", "--env", "local", "--at", IN_WINDOW, "--by", "erin"], "only go with --record"),
        (["gate", "r1", "--env", "local", "--at", IN_WINDOW, "--record"], "needs --by"),
        (["gate", "r1", "--env", "local", "--at", IN_WINDOW, "--record", "--by", "mallory"], "not listed under people"),
        (["gate", "r1", "--env", "local", "--at", IN_WINDOW, "--record", "--by", "erin", "--step", "done"], "--step"),
        (["gate", "r1", "--at", IN_WINDOW], "--env"),
    ],
)
def test_usage_errors_exit_2_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    root = project(tmp_path)
    with pytest.raises(SystemExit) if "--env" not in args else _no_exit():
        code = main([*args, "--root", str(root)])
        assert code == 2
    err = capsys.readouterr().err
    assert says in err and len(err.splitlines()) == 1 and "Traceback" not in err
    assert "progress" not in (root / FILE).read_text(encoding="utf-8")


class _no_exit:  # noqa: N801 - reads as a context manager's name
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return False


# --- --record -------------------------------------------------------------------------------------------


def test_record_appends_one_line_and_the_next_environment_then_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    before = (root / FILE).read_text(encoding="utf-8")
    code, out, _ = gate_cli(root, "--env", "local", "--at", IN_WINDOW, "--record", "--by", "erin", capsys=capsys)
    assert code == 0 and "recorded local deployed at 2026-03-10T18:30:00Z by erin" in out
    after = (root / FILE).read_text(encoding="utf-8")
    assert after == before + "progress:\n  - {environment: local, step: deployed, at: 2026-03-10T18:30:00Z, by: erin}\n"
    # still signed: progress is outside the digest
    code, out, _ = gate_cli(root, "--env", "test", "--at", "2026-03-10T18:40:00Z", capsys=capsys)
    assert code == 0, out
    # a failing gate records nothing
    code, _, _ = gate_cli(
        root, "--env", "staging", "--at", "2026-03-10T18:45:00Z", "--record", "--by", "erin", capsys=capsys
    )
    assert code == 1 and (root / FILE).read_text(encoding="utf-8") == after


def test_record_refuses_a_record_that_changed_in_substance_after_the_gate(tmp_path: Path) -> None:
    root = project(tmp_path)
    when = moment(IN_WINDOW, UNUSED_NOW)
    verdict = gate(check(root, today="2026-03-10"), "r1", "local", when)
    entry = check_recorder(verdict, "deployed", "erin")
    changed = (root / FILE).read_text(encoding="utf-8").replace("Phase 2: PDF lifecycle", "Phase 2: other")
    (root / FILE).write_text(changed, encoding="utf-8")
    with pytest.raises(UsageError, match="changed in substance while the gate ran"):
        record(verdict, entry)
    assert (root / FILE).read_text(encoding="utf-8") == changed


CHILD = (
    "import sys\n"
    "from fes_docs.cli import main\n"
    "print('ready', flush=True)\n"
    "sys.stdin.read()\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def test_deploy_jobs_recording_at_once_each_keep_their_entry(tmp_path: Path) -> None:
    """Real processes let go together: each read-check-write overlaps the others, under the record's lock."""
    root = project(tmp_path)
    people = ["alice", "bob", "carol", "dave", "erin"]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                CHILD,
                "gate",
                "r1",
                "--env",
                "local",
                "--at",
                IN_WINDOW,
                "--record",
                "--by",
                who,
                "--root",
                str(root),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who in people
    ]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline() == "ready\n"
    for p in procs:
        assert p.stdin is not None
        p.stdin.close()
    for p in procs:
        assert p.stdout is not None and p.stderr is not None
        out, err = p.stdout.read(), p.stderr.read()  # a few lines each: no pipe fills up
        assert p.wait(timeout=600) == 0, (out, err)  # a hang guard only
    doc, problems = load_bytes((root / FILE).read_bytes(), FILE)
    assert doc is not None and not problems
    assert sorted(e["by"] for e in doc.data["progress"]) == people


# --- the change record ----------------------------------------------------------------------------------


def _change_record(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code, out, _ = gate_cli(root, "--format", "json", *args, capsys=capsys)
    return code, out


def test_the_change_record_is_byte_identical_run_to_run_and_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path, record_text(extra=PROGRESS))
    args = ("--env", "staging", "--at", "2026-03-10T19:30:00+01:00", "--artifact", "4.2.0")
    code, first = _change_record(root, capsys, *args)
    assert code == 0
    assert _change_record(root, capsys, *args) == (0, first)
    doc = json.loads(first)
    Draft202012Validator.check_schema(SCHEMA)
    assert list(Draft202012Validator(SCHEMA).iter_errors(doc)) == []
    assert doc["at"] == "2026-03-10T18:30:00Z" and doc["environment"] == "staging" and doc["passed"] is True
    assert doc["release"]["digest"] == digest_of(load_bytes((root / FILE).read_bytes(), FILE)[0].data)  # type: ignore[union-attr]
    assert [c["name"] for c in doc["checks"]] == list(CHECKS)
    assert [(s["role"], s["by"], s["date"], s["state"]) for s in doc["signoffs"]][0] == (
        "engineering",
        "alice",
        "2026-03-08",
        "bound",
    )
    assert [p["environment"] for p in doc["progress"]] == ["local", "test"] and doc["recorded"] is None


def test_a_failing_change_record_validates_too_and_names_each_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path, record_text(("status: approved", "status: draft")))
    code, out = _change_record(root, capsys, "--env", "production", "--at", "2026-04-01T00:00:00Z")
    doc = json.loads(out)
    assert code == 1 and doc["passed"] is False
    assert list(Draft202012Validator(SCHEMA).iter_errors(doc)) == []
    failed = {c["name"]: c["problems"] for c in doc["checks"] if c["result"] == "fail"}
    assert sorted(failed) == ["rollout", "status", "window"]
    assert all(p["file"] == FILE and p["line"] >= 1 for problems in failed.values() for p in problems)


def test_a_recording_gate_names_the_entry_in_its_change_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    code, out = _change_record(root, capsys, "--env", "local", "--at", IN_WINDOW, "--record", "--by", "erin")
    doc = json.loads(out)
    assert code == 0 and doc["recorded"] == {"environment": "local", "step": "deployed", "at": IN_WINDOW, "by": "erin"}
    assert list(Draft202012Validator(SCHEMA).iter_errors(doc)) == []


def test_the_published_change_record_schema_is_the_codes(capsys: pytest.CaptureFixture[str]) -> None:
    shipped = (ROOT / "fes_docs" / "schemas" / "change-record.schema.json").read_text(encoding="utf-8")
    assert shipped == dump_schema(SCHEMA)
    assert main(["schema", "change-record"]) == 0 and capsys.readouterr().out == shipped


# --- GitHub ---------------------------------------------------------------------------------------------


def test_github_format_annotates_each_reason_at_its_place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = record_text()
    root = project(tmp_path, text)
    code, out, _ = gate_cli(root, "--env", "test", "--at", "2026-03-10T23:00:00Z", "--format", "github", capsys=capsys)
    assert code == 1
    errors = [line for line in out.splitlines() if line.startswith("::error ")]
    window = line_of(text, "window:")
    assert errors[0].startswith(f"::error file={FILE},line={window},col=") and "title=gate window::" in errors[0]
    assert any("title=gate rollout::local is not recorded as done" in e for e in errors)
    assert out.splitlines()[-1] == "FAILED: 2 of 8 checks (window, rollout); nothing may deploy"


def test_a_hostile_record_gives_no_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Progress of every wrong type, an escape sequence in a title: findings and a verdict, never a crash."""
    text = record_text(
        ('title: "Phase 2: PDF lifecycle"', 'title: "\\e[31mred\\u202e"'),
        extra="progress:\n  - 7\n  - {environment: [local], step: {}, at: 12, by: null}\n  - {environment: local}\n",
    )
    root = project(tmp_path, text)
    for fmt in ("text", "json", "github"):
        code, out, err = gate_cli(root, "--env", "test", "--at", IN_WINDOW, "--format", fmt, capsys=capsys)
        assert code == 1 and err == "" and "\x1b" not in out and "\u202e" not in out


def test_a_baselined_finding_does_not_block_and_recording_keeps_the_baselined_digest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The gate asks `Finding.blocking`, so the baseline counts as in validate; its entries count in the digest
    `--record` re-checks under the lock, as `sign` signs them."""
    root = project(tmp_path, record_text(("batch_size: 1000, ", "")))  # FES302, an error
    assert failing(judged(root)) == ["findings"]
    assert main(["baseline", "--reason", "accepted on adoption", "--by", "dave", "--root", str(root)]) == 0
    for role, who in (("engineering", "alice"), ("database", "bob"), ("on_call", "carol"), ("product", "dave")):
        assert main(["sign", "r1", "--role", role, "--by", who, "--date", "2026-03-09", "--root", str(root)]) == 0
    capsys.readouterr()
    assert failing(judged(root)) == []
    code, out, err = gate_cli(root, "--env", "local", "--at", IN_WINDOW, "--record", "--by", "erin", capsys=capsys)
    assert code == 0 and "recorded local deployed" in out, err
    assert failing(judged(root, "test", at="2026-03-10T18:40:00Z")) == []  # still signed, still baselined


def test_a_progress_entry_by_nobody_the_policy_knows_blocks(tmp_path: Path) -> None:
    """A hand-written entry by an unknown name is FES106 (an integrity error): the gate does not count on it."""
    text = record_text(
        extra=PROGRESS.replace("by: erin}\n  - {environment: test", "by: mallory}\n  - {environment: test")
    )
    verdict = judged(project(tmp_path, text), "staging")
    assert failing(verdict) == ["findings"]
    (where,) = verdict["findings"][1]
    assert where[1] == line_of(text, "mallory") and "progress of local by 'mallory'" in where[3]
