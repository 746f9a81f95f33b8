"""Eight owners run `fes-docs sign` on one record at the same moment: every sign-off is in the file afterwards.

Real processes, started together: each imports fes-docs, says it is ready, and waits on its stdin;
when all are ready the test closes every stdin at once, so the eight read-edit-write cycles overlap.
Without the lock each would write the record as it read it, and all but the last sign-off would be lost.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from fes_docs.check import check
from fes_docs.loader import load_bytes
from fes_docs.signoffs import signoff_states

ROOT = Path(__file__).parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "rules" / "project"
BASE = ROOT / "tests" / "fixtures" / "robustness" / "base-release.yaml"
ROLES = ["engineering", "database", "on_call", "product", "security", "qa", "support"]  # + rollback: 8
CHILD = (
    "import sys\n"
    "from fes_docs.cli import main\n"
    "print('ready', flush=True)\n"
    "sys.stdin.read()\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def _project(tmp: Path, crlf: bool = False) -> tuple[Path, dict[str, str]]:
    root = tmp / "p"
    shutil.copytree(FIXTURE, root)
    policy = root / "releases" / "policy.yaml"
    text = policy.read_text(encoding="utf-8")
    text = text.replace("owner_roles: [engineering, database, on_call, product]", f"owner_roles: [{', '.join(ROLES)}]")
    owners = {role: f"p{i}" for i, role in enumerate([*ROLES, "rollback"])}
    text += "".join(f"  {name}: [{name}@example.org]\n" for name in owners.values())
    policy.write_text(text, encoding="utf-8")
    record = BASE.read_text(encoding="utf-8").replace("id: base-release", "id: together")
    flow = ", ".join(f"{role}: {name}" for role, name in owners.items())
    record = record.replace(
        "owners: {engineering: alice, database: bob, on_call: carol, product: dave, rollback: erin}",
        f"owners: {{{flow}}}",
    )
    if crlf:
        record = record.replace("\n", "\r\n")
    (root / "releases" / "together.yaml").write_bytes(record.encode("utf-8"))
    return root, owners


def _sign_all_at_once(root: Path, owners: dict[str, str]) -> list[subprocess.CompletedProcess[str]]:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, "sign", "together", "--role", role, "--by", name, "--root", str(root)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for role, name in owners.items()
    ]
    for p in procs:  # every process has imported fes-docs and waits
        assert p.stdout is not None and p.stdout.readline() == "ready\n"
    for p in procs:  # ... then all are let go together
        assert p.stdin is not None
        p.stdin.close()
    done = []
    for p in procs:
        assert p.stdout is not None and p.stderr is not None
        out, err = p.stdout.read(), p.stderr.read()  # a few lines each: no pipe fills up
        done.append(subprocess.CompletedProcess(p.args, p.wait(timeout=600), out, err))  # a hang guard only
    return done


def _assert_all_signed(root: Path, owners: dict[str, str]) -> None:
    data = (root / "releases" / "together.yaml").read_bytes()
    doc, problems = load_bytes(data, "together.yaml")
    assert doc is not None and not problems, problems
    signed = sorted((s["role"], s["by"]) for s in doc.data["signoffs"])
    assert signed == sorted(owners.items())
    rel = next(r for r in check(root, use_cache=False).project.releases if r.key == "together")
    assert {s.signoff.role: s.state for s in signoff_states(rel)} == dict.fromkeys(owners, "bound")


def test_eight_owners_signing_one_record_at_once_lose_no_signoff(tmp_path: Path) -> None:
    root, owners = _project(tmp_path)
    for proc in _sign_all_at_once(root, owners):
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr
    _assert_all_signed(root, owners)
    assert sorted(p.name for p in (root / "releases").iterdir()) == ["policy.yaml", "together.yaml"]  # no debris


def test_concurrent_signing_keeps_crlf_and_every_signoff(tmp_path: Path) -> None:
    root, owners = _project(tmp_path, crlf=True)
    assert all(p.returncode == 0 for p in _sign_all_at_once(root, owners))
    _assert_all_signed(root, owners)
    data = (root / "releases" / "together.yaml").read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n")
