"""`fes-docs new --from OTHER` copies OTHER's owners, validation and version: each reads back equal, of the same type.

The trap is YAML's implicit typing: a version ``1.10`` written plain reads back as the number 1.1, an id
``0012`` as 12, ``yes`` / ``on`` as true, ``2026-01-01`` as a date (in PyYAML), ``null`` as nothing, and a
float ``1e16`` written as Python spells it (``1e+16``) as a *string*. The source record is written by
PyYAML's own emitter (so it says exactly what the data is); the draft is read back both by fes-docs'
loader and by plain ``yaml.safe_load``, and every copied value must be the same value of the same type.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from fes_docs.cli import main
from fes_docs.loader import load_bytes

ROOT = Path(__file__).parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "rules" / "project"
BASE = ROOT / "tests" / "fixtures" / "robustness" / "base-release.yaml"
ROLES = ["engineering", "database", "on_call", "product", "rollback"]

TRICKY_STRINGS = [
    "1.10", "0012", "012", "1e3", "1e+16", "0x1F", "0o17", "1_000", "12:30", "+1", "-0", ".5", "1.",
    "yes", "no", "on", "off", "y", "n", "true", "False", "null", "Null", "~", "",
    "2026-01-01", "2026-01-01T18:00:00Z", "2026-01-01 18:00:00",
    ".inf", "-.Inf", ".nan", "<<", "=", "!tag", "&anchor", "*alias", "%percent", "@at", "`tick",
    "#hash", "- dash", "? q", "a: b", "a #b", "[a]", "{a: 1}", "'single'", '"double"', "|", ">",
    "  padded  ", "trailing:", "a\nb", "tab\there", "x\u2028y", "nel\x85", "c1\x80", "bom\ufeff",
    "日本語", "🚀", "e\u0301",
]  # fmt: skip
TRICKY_NUMBERS: list[Any] = [0, -5, 7, 2**63, -(2**63), 0.0, -0.0, 0.01, 100.0, 1e16, 1.5e-07, 1e-05, 12345.678,
                             math.inf, -math.inf, math.nan, True, False, None]  # fmt: skip


def same(a: Any, b: Any) -> bool:
    """Equal and of the same type, all the way down (NaN equals NaN, -0.0 is not 0.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    return bool(a == b)


def _readers(raw: bytes) -> list[Any]:
    doc, problems = load_bytes(raw, "x.yaml")
    assert doc is not None and not problems, problems
    return [doc.data, yaml.safe_load(raw.decode("utf-8"))]


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("new") / "p"
    shutil.copytree(FIXTURE, root)
    return root


def _source(owners: dict[str, Any], validation: dict[str, Any], version: Any) -> tuple[Any, bytes, bool]:
    """The source record written by PyYAML's emitter, and whether both readers agree it says exactly that."""
    source = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    # released: only a released record's version is a last known good (FES405)
    source.update(id="src", status="released", owners=owners, validation=validation, artifact={"version": version})
    raw = yaml.safe_dump(source, sort_keys=False, width=10_000).encode("utf-8")
    return source, raw, all(same(r, source) for r in _readers(raw))


def _copy(root: Path, source: Any, raw: bytes) -> tuple[Any, list[Any]]:
    """Run `new --from` on the source; return it and the draft as each reader has it."""
    (root / "releases" / "src.yaml").write_bytes(raw)
    draft = root / "releases" / "copy.yaml"
    draft.unlink(missing_ok=True)
    assert main(["new", "copy", "--phase", "3", "--from", "src", "--root", str(root)]) == 0
    return source, _readers(draft.read_bytes())


def _round_trip(root: Path, owners: dict[str, Any], validation: dict[str, Any], version: Any) -> None:
    source, raw, agreed = _source(owners, validation, version)
    assert agreed, "the test's source record does not say what it means to"
    _assert_copied(*_copy(root, source, raw))


def _assert_copied(source: Any, drafts: list[Any]) -> None:
    for draft in drafts:
        named = {r: v for r, v in source["owners"].items() if r in ROLES}  # the other roles are left blank
        assert same({r: draft["owners"][r] for r in named}, named), draft["owners"]
        if source["validation"]:
            assert same(draft["validation"], source["validation"]), draft["validation"]
        else:  # nothing to copy: the draft keeps the commented template
            assert "validation" not in draft
        if source["artifact"]["version"] is None:
            assert "artifact" not in draft
        else:
            assert same(draft["artifact"]["last_known_good"], source["artifact"]["version"])


def test_tricky_strings_stay_strings(root: Path) -> None:
    owners = {role: TRICKY_STRINGS[i + 1] for i, role in enumerate(ROLES)}  # "0012", "012", "1e3", …
    validation = {
        "health": TRICKY_STRINGS,
        "smoke": [[s] for s in TRICKY_STRINGS],
        **{f"k{i}": s for i, s in enumerate(TRICKY_STRINGS)},
        **{s: i for i, s in enumerate(TRICKY_STRINGS) if s},
    }
    _round_trip(root, owners, validation, "1.10")


def test_numbers_stay_numbers_of_their_kind(root: Path) -> None:
    validation = {
        "slo": {"error_rate_max": 0.01, "p95_latency_ms_max": 800, "big": 1e16, "tiny": 1.5e-07},
        "numbers": TRICKY_NUMBERS,
        **{f"n{i}": v for i, v in enumerate(TRICKY_NUMBERS)},
        "nested": {"a": [1, [2.5, {"b": None}]], "empty": {}, "none": []},
    }
    _round_trip(root, {"product": "dave"}, validation, 12)


@pytest.mark.parametrize("version", ["1.10", "0012", "2026-01-01", "yes", "", 1.1, 12, 1e16, None])
def test_the_version_becomes_last_known_good_as_it_was(root: Path, version: Any) -> None:
    _round_trip(root, {"product": "dave"}, {"health": ["/up"]}, version)


SCALARS = (
    st.sampled_from(TRICKY_STRINGS)
    | st.text(max_size=12)
    | st.integers(min_value=-(2**64), max_value=2**64)
    | st.floats()
    | st.booleans()
    | st.none()
)
VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.text(min_size=1, max_size=8), VALUES, max_size=6), st.sampled_from(TRICKY_STRINGS))
def test_any_validation_block_round_trips(root: Path, validation: dict[str, Any], owner: str) -> None:
    assume(owner.strip() and owner.isprintable())  # an owner is a name (the model skips blank ones)
    source, raw, agreed = _source({"product": owner}, validation, "2.0")
    assume(agreed)  # (PyYAML cannot write every string so that libyaml reads it back)
    _assert_copied(*_copy(root, source, raw))


def test_a_policy_title_with_a_line_break_cannot_add_a_line_to_the_draft(tmp_path: Path) -> None:
    """Checklist titles go into comments of the draft: a newline in one would start a YAML line of its own."""
    root = tmp_path / "p"
    shutil.copytree(FIXTURE, root)
    policy = root / "releases" / "policy.yaml"
    text = policy.read_text(encoding="utf-8")
    title = "Database backup/snapshot completed"
    policy.write_text(text.replace(title, '"Backup\\nstatus: released\\r\\x85approved: true"'), encoding="utf-8")
    assert main(["new", "draft", "--phase", "1", "--root", str(root)]) == 0
    raw = (root / "releases" / "draft.yaml").read_bytes()
    for data in _readers(raw):
        assert data["status"] == "draft" and "approved" not in data
    assert all(not line.startswith(("status: released", "approved")) for line in raw.decode().splitlines())


@pytest.mark.parametrize("name", ["da\nve", "da\rve", "da\x85ve", "\udcff"])
def test_an_owner_from_the_command_line_is_printable_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    root = tmp_path / "p"
    shutil.copytree(FIXTURE, root)
    assert main(["new", "draft", "--phase", "1", "--owner", f"product={name}", "--root", str(root)]) == 2
    assert "the name must be printable text on one line" in capsys.readouterr().err
    assert not (root / "releases" / "draft.yaml").exists()
