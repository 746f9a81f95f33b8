"""A big YAML spec is screened — and validated — in a sealed, forked child while its data is built.

What must hold (see :mod:`fes_docs.openapi.early` and :func:`fes_docs.openapi.parse.survey`):

* the screen is libyaml's event count, which the data must match: a key given twice in any spelling the
  parser folds together sends the document to the located loader, which says where;
* the child's verdict stands in for this process's validator run only for a clean run, as the same
  family, on data nothing was taken out of, with no other document reached for; every other spec is
  validated here, and the problems are the same as with no child at all;
* the child cannot open a file: a ``file:`` URI the validator would read by itself only stops it.
"""

from __future__ import annotations

import errno
import gzip
import json
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from fes_docs.openapi import load_spec
from fes_docs.openapi import parse as parse_module
from fes_docs.openapi.early import Early, guessed_family, screen
from fes_docs.openapi.parse import SCREEN_ASIDE_BYTES, parse_surveyed
from fes_docs.openapi.rust import rust_errors
from fes_docs.openapi.workspace import MAX_BYTES, MAX_DEPTH, MAX_NODES, Workspace
from fes_docs.workers import Forked

FIXTURES = Path(__file__).parents[1] / "fixtures" / "openapi"
SPECS = Path(__file__).parents[2] / "benchmarks" / "specs"
LIMITS = {"max_bytes": MAX_BYTES, "max_depth": MAX_DEPTH, "max_nodes": MAX_NODES}


def _padded(text: str) -> str:
    """``text`` (a YAML spec) made big enough for the child, by a long top-level extension."""
    pad = "".join(f"  k{i}: {'x' * 90}\n" for i in range(SCREEN_ASIDE_BYTES // 90 + 10))
    return text.rstrip("\n") + "\nx-pad:\n" + pad


def _workspace(root: Path, rel: str, text: str) -> Workspace:
    (root / rel).write_text(text)
    ws = Workspace(root, LIMITS, validating=True)
    ws.add(rel, (root / rel).read_bytes())
    return ws


_VALID = (
    "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
    "      responses: {'200': {description: ok}}\n"
)


def test_the_kubernetes_spec_as_yaml_is_validated_by_the_child(tmp_path: Path) -> None:
    data = json.loads(gzip.decompress((SPECS / "kubernetes.io.json.gz").read_bytes()))
    text = yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True, width=120)
    ws = _workspace(tmp_path, "openapi.yaml", text)
    early = ws.early["openapi.yaml"]
    assert early.errors == 0 and early.family == "3.0" and early.stands_for("3.0")
    assert ws.data["openapi.yaml"] == data
    index = load_spec(tmp_path, "openapi.yaml")
    assert index.valid and len(index.operations) == 845 and index.problems == []


def test_a_clean_verdict_from_the_child_is_the_validator_run(tmp_path: Path) -> None:
    """The child's verdict is on the bytes: this process does not validate the data again (a change made
    to the data afterwards is not seen), unless a URI was taken out of it."""
    ws = _workspace(tmp_path, "openapi.yaml", _padded(_VALID))
    del ws.data["openapi.yaml"]["info"]  # what this process's own run would now find wrong
    assert rust_errors(ws, "openapi.yaml", "3.0") == ([], None)
    assert not ws.early["openapi.yaml"].stands_for("3.1")  # another family: validated here
    ws.taken_out = 1
    errors, _ = rust_errors(ws, "openapi.yaml", "3.0")
    assert [e.message for e in errors] == ["'info' is a required property"]


@pytest.mark.parametrize(
    "twice",
    [
        "  /a:\n    post: {responses: {'200': {description: ok}}}\n",  # the same path again
        "  '/a':\n    post: {responses: {'200': {description: ok}}}\n",  # quoted: the same string
    ],
)
def test_a_repeated_path_in_a_big_yaml_is_never_hidden(tmp_path: Path, twice: str) -> None:
    text = _VALID.replace("paths:\n", "paths:\n" + twice.replace("post", "put"), 1)
    assert parse_surveyed(_padded(text).encode(), "openapi.yaml", MAX_DEPTH) is None
    (tmp_path / "openapi.yaml").write_text(_padded(text))
    index = load_spec(tmp_path, "openapi.yaml")
    assert not index.valid
    assert [(p.line, "duplicate key" in p.message) for p in index.problems][:1] == [(6, True)]


@pytest.mark.parametrize(
    "text",
    [
        "a:\n  1: x\n  '1': y\n",  # an int key and a string key: the parser makes both "1"
        "a:\n  0x1: x\n  1: y\n",  # two spellings of one int
        "a: {b: 1, b: {c: [1, 2]}}\n",
        "a:\n  <<: {b: 1}\n  c: 2\n",  # a merge key folds a mapping in
        "? [a, b]\n: 1\n",  # a mapping key that is a sequence
    ],
)
def test_data_that_lost_a_node_is_not_trusted(text: str) -> None:
    for body in (text, _padded(text)):
        assert parse_surveyed(body.encode(), "openapi.yaml", MAX_DEPTH) is None


_KEYS = st.text(alphabet=st.sampled_from(list("ab/{}:-# '\"1")), min_size=1, max_size=6)
_SCALARS = st.none() | st.booleans() | st.integers(-5, 5) | st.text(alphabet=st.sampled_from(list("ab: #-'\"\n")))


@settings(max_examples=200, deadline=None)
@given(st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4)))
def test_any_tree_written_as_yaml_counts_as_many_events_as_its_data_has_nodes(tree: object) -> None:
    text = yaml.safe_dump({"openapi": "3.0.3", "tree": tree}, allow_unicode=True)
    parsed = parse_surveyed(text.encode(), "openapi.yaml", MAX_DEPTH)
    assert parsed is not None
    plain, surveyed = parsed
    assert plain.events == surveyed.events


def test_the_child_cannot_read_a_file_a_ref_names(tmp_path: Path) -> None:
    """Attack: a ``file:`` $ref to a file outside the project. The validator would read it by itself;
    in the sealed child it cannot, so the verdict falls to this process, which refuses the ref."""
    secret = tmp_path / "outside" / "secret.yaml"
    secret.parent.mkdir()
    secret.write_text("type: object\ndescription: TOP-SECRET-VALUE\n")
    root = tmp_path / "project"
    root.mkdir()
    text = _VALID.replace("{description: ok}", f"{{$ref: 'file://{secret}'}}")
    body = _padded(text).encode()
    assert screen(body, "openapi.yaml", True).errors == 0  # unsealed, the validator read the file itself
    early = Forked(lambda: screen(body, "openapi.yaml", True), sealed=True).result(30.0)
    assert early is not None and early.events is not None
    assert early.errors is None  # sealed, it stopped: it could not open the file
    (root / "openapi.yaml").write_text(_padded(text))
    index = load_spec(root, "openapi.yaml")
    assert not index.valid
    assert not any("TOP-SECRET" in p.message for p in index.problems)
    assert any("file" in p.message and p.line == 6 for p in index.problems)


def test_a_sealed_child_opens_nothing(tmp_path: Path) -> None:
    target = tmp_path / "readable.txt"
    target.write_text("hello")

    def attempt() -> str:
        try:
            return target.read_text()
        except OSError as exc:
            return f"refused: {exc.errno}"

    assert Forked(attempt).result(30.0) == "hello"
    assert Forked(attempt, sealed=True).result(30.0) == f"refused: {errno.EMFILE}"


def test_a_spec_that_needs_another_file_is_validated_here(tmp_path: Path) -> None:
    """The child refuses every other document (only this process serves them, vetted); its verdict
    then does not count, and an error in the other file is found."""
    (tmp_path / "schemas.yaml").write_text("Thing: {type: 12}\n")
    schema = "{schema: {$ref: 'schemas.yaml#/Thing'}}"
    text = _VALID.replace("{description: ok}", f"{{description: ok, content: {{application/json: {schema}}}}}")
    ws = _workspace(tmp_path, "openapi.yaml", _padded(text))
    assert "openapi.yaml" not in ws.early  # the child asked for schemas.yaml: no verdict
    index = load_spec(tmp_path, "openapi.yaml")
    assert not index.valid and any(p.file == "schemas.yaml" for p in index.problems)


def _fixture_specs() -> list[Path]:
    return sorted(p for p in FIXTURES.rglob("*.yaml") if p.stat().st_size < 200_000)


@pytest.mark.parametrize("spec", _fixture_specs(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_every_fixture_spec_made_big_has_the_problems_it_has_without_the_child(
    tmp_path: Path, spec: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Valid or not, with $refs to other files or not: the child changes how fast, never what."""
    project = tmp_path / "p"
    sibling = spec.parent
    shutil.copytree(sibling, project)
    rel = spec.relative_to(sibling).as_posix()
    # padded at the end, whatever that makes of it: both runs read the same bytes
    (project / rel).write_text(_padded(spec.read_text(encoding="utf-8")), encoding="utf-8")
    with_child = load_spec(project, rel)
    monkeypatch.setattr(parse_module, "SCREEN_ASIDE_BYTES", 1 << 40)
    without = load_spec(project, rel, max_bytes=MAX_BYTES - 1)  # another key: not the remembered result
    assert with_child.problems == without.problems
    assert with_child.valid == without.valid and with_child.operations == without.operations


@pytest.mark.parametrize(
    ("text", "family"),
    [
        ("openapi: 3.0.3\n", "3.0"),
        ("openapi: '3.1.0'  # a comment\n", "3.1"),
        ('swagger: "2.0"\n', "2.0"),
        ("info: {}\n  openapi: 3.0.3\nswagger: '2.0'\n", "2.0"),  # indented: not the top level
        ("openapi: 3.0\n", "3.0"),  # the data says 3.0 (a float), which this process checks
        ("openapi: 4.0.0\n", None),
        ("x: 1\n", None),
    ],
)
def test_the_family_is_guessed_from_the_top_level_line(text: str, family: str | None) -> None:
    assert guessed_family(text.encode()) == family


def test_an_early_verdict_that_was_not_reached_stands_for_nothing() -> None:
    assert not Early(10).stands_for("3.0")
    assert not Early(10, "3.0", 2).stands_for("3.0")
    assert Early(10, "3.0", 0).stands_for("3.0")


@pytest.mark.parametrize("suffix", ["yaml", "json"])
def test_a_million_nested_brackets_are_refused_before_any_parser_sees_them(tmp_path: Path, suffix: str) -> None:
    """Attack: libyaml's time grows with the square of a bracket run (100,000 took half a minute), and
    the fast parser recurses. The run is measured on the bytes first; the loader reports where."""
    (tmp_path / f"openapi.{suffix}").write_bytes(b'{"a": ' + b"[" * 1_000_000 + b"]" * 1_000_000 + b"}")
    assert parse_surveyed((tmp_path / f"openapi.{suffix}").read_bytes(), f"openapi.{suffix}", MAX_DEPTH) is None
    index = load_spec(tmp_path, f"openapi.{suffix}")
    assert not index.valid
    assert [p.message for p in index.problems] == ["nesting deeper than 1000 brackets"]


def test_a_remembered_spec_result_is_keyed_by_the_validators_version_too() -> None:
    """The verdict is openapi-spec-validator-rs's: after an upgrade, a result it gave before is not reused."""
    from importlib import metadata

    from fes_docs.openapi.store import library_versions

    assert f"openapi-spec-validator-rs={metadata.version('openapi-spec-validator-rs')}" in library_versions()


def test_a_fast_parse_that_fails_after_the_exact_screen_goes_to_the_located_loader(tmp_path: Path) -> None:
    """A '*' at a line's start sends the text to the exact screen first (an alias could stand there); the
    screen passes, and the fast parser then refuses a tag libyaml reads: the located loader must say where,
    not an empty document be taken for the spec (which reported nothing at all)."""
    text = (
        "openapi: 3.0.3\ninfo:\n  title: !!binary aGVsbG8=\n  description: |\n    *bold*\n  version: '1'\npaths: {}\n"
    )
    assert parse_surveyed(text.encode(), "openapi.yaml", MAX_DEPTH) is None
    (tmp_path / "openapi.yaml").write_text(text)
    index = load_spec(tmp_path, "openapi.yaml")
    assert not index.valid
    assert [(p.line, "binary" in p.message) for p in index.problems] == [(3, True)]
