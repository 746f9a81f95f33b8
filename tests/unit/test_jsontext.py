"""JSON written fast (orjson) is the JSON the json module writes: the same bytes for reports, and what
``json.loads`` reads back for cache files; whatever orjson refuses, the json module writes.

Also: a finding's fingerprint, put together without ``json.dumps``, is the one it always was (baselines
keep them).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fes_docs.findings import fingerprint_of
from fes_docs.jsontext import compact, indented

# JSON-like values as reports and caches hold them: any text (control characters, quotes, non-ASCII,
# line separators), integers of any size, nested lists and mappings with string keys
_TEXT = st.text(st.characters(codec="utf-8"), max_size=12)
_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | _TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(_VALUES)
def test_indented_is_the_json_modules_text_byte_for_byte(value: object) -> None:
    assert indented(value) == json.dumps(value, indent=2, ensure_ascii=False)


@settings(max_examples=400, deadline=None)
@given(_VALUES)
def test_compact_reads_back_as_the_value(value: object) -> None:
    assert json.loads(compact(value)) == value


@dataclass
class _Thing:
    x: int


def test_what_orjson_refuses_or_would_write_its_own_way_is_the_json_modules() -> None:
    lone = {"key": "\ud800"}  # a lone surrogate: orjson refuses it
    assert indented(lone) == json.dumps(lone, indent=2, ensure_ascii=False)
    assert json.loads(compact(lone)) == lone
    big = [2**70, {1: "int key"}]  # beyond 64 bits; a key that is not a string
    assert indented(big) == json.dumps(big, indent=2, ensure_ascii=False)
    assert compact(big) == json.dumps(big, separators=(",", ":"))
    with pytest.raises(TypeError):  # a dataclass is no JSON value: the json module says so, as before
        compact({"x": _Thing(1)})  # (orjson would have written it)


def test_a_real_report_is_the_same_bytes(tmp_path: Path) -> None:
    from fes_docs.report import as_json
    from fes_docs.rerun import validate_report

    repo = Path(__file__).parents[2]
    report = validate_report(repo, today="2026-12-01", use_cache=False)
    text = as_json(report.findings, report.files, {"migrations": report.migrations})
    assert report.findings and text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"


@settings(max_examples=300, deadline=None)
@given(_TEXT, _TEXT, _TEXT, st.integers(1, 5))
def test_a_fingerprint_is_the_sha256_of_the_json_modules_text(rule: str, file: str, subject: str, n: int) -> None:
    parts: list[object] = [rule, file, subject or "message: "] + ([n] if n > 1 else [])
    try:
        text = json.dumps(parts, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no record can hold one (the loader refuses its escape)
        return
    assert fingerprint_of(rule, file, subject, "", n) == hashlib.sha256(text).hexdigest()[:16]
