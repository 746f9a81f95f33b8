"""'Did you mean' for endpoints costs bounded work per lookup, whatever the spec's or the record's size.

Attack (issue 11, invariant 11): a record lists thousands of endpoints, none in a spec of thousands of
operations; scoring every pair with difflib took minutes. The work is counted (difflib comparisons
made), never timed.
"""

from __future__ import annotations

import difflib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fes_docs.openapi.index import Operation, SpecIndex


def index(ops: list[Operation], bases: list[str] | None = None) -> SpecIndex:
    return SpecIndex("spec.yaml", True, True, "3.1.0", sorted(ops, key=lambda o: (o.path, o.method)), [], bases or [])


def count_comparisons(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    made = [0]
    real = difflib.SequenceMatcher

    class Counting(real):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            made[0] += 1
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(difflib, "SequenceMatcher", Counting)
    return made


def test_a_flood_of_unknown_endpoints_against_a_big_spec_costs_bounded_work(monkeypatch: pytest.MonkeyPatch) -> None:
    ops = [Operation(m, f"/api/v1/resource{i}/{{id}}/sub{i % 7}") for i in range(3000) for m in ("GET", "POST")]
    spec = index(ops, bases=[f"/base{i}" for i in range(500)])
    made = count_comparisons(monkeypatch)
    queries = 200
    for i in range(queries):
        spec.suggest("GET", f"/api/v1/nothing{i}/{{x}}/" + "y" * 5000)
    per_query = made[0] / queries
    assert per_query <= 8 * 32 + 32, per_query  # not ~6000 (every operation) per query
    # and the flood is not a reason to stop suggesting where a suggestion exists
    assert spec.suggest("GET", "/api/v1/resourse42/{id}/sub0") == Operation("GET", "/api/v1/resource42/{id}/sub0")


def test_the_work_does_not_grow_with_the_spec(monkeypatch: pytest.MonkeyPatch) -> None:
    made = count_comparisons(monkeypatch)
    counts = []
    for size in (5000, 20000):
        made[0] = 0
        spec = index([Operation("GET", f"/things/{i}/leaf") for i in range(size)])
        for i in range(100):
            spec.suggest("GET", f"/thing/{i}/leaf")
        counts.append(made[0])
    # four times the operations, not four times the work; and never past the per-lookup bound
    assert counts[1] < 1.5 * counts[0] and max(counts) <= 100 * (8 * 32 + 32), counts


@pytest.mark.parametrize(
    ("method", "path", "want"),
    [
        ("GET", "/documents/{id}/pfd", Operation("GET", "/documents/{documentId}/pdf")),
        ("PUT", "/documents/{id}/pdf", Operation("GET", "/documents/{documentId}/pdf")),  # same path first
        ("GET", "/questoins", Operation("GET", "/questions")),
        ("GET", "/completely/unrelated/thing/here", None),
    ],
)
def test_typos_still_find_their_operation(method: str, path: str, want: Operation | None) -> None:
    spec = index(
        [
            Operation("GET", "/documents/{documentId}/pdf"),
            Operation("POST", "/documents"),
            Operation("GET", "/questions"),
            Operation("DELETE", "/questions/{id}"),
        ]
    )
    assert spec.suggest(method, path) == want


def _full_scoring(spec: SpecIndex, method: str, path: str) -> Operation | None:
    """What scoring every candidate fully gives: the highest ratio >= 0.6, the lowest index among equals."""
    from fes_docs.openapi.index import _CLIP, _key, normalise_path

    variants = [normalise_path(v)[:_CLIP] for v in spec._variants(path)]
    for v in variants:
        for op in spec.operations:
            if normalise_path(op.path)[:_CLIP] == v:
                return op
    best: tuple[float, int] | None = None
    for i in spec._pool(variants):
        for v in variants:
            score = difflib.SequenceMatcher(
                None, _key(spec.operations[i].method, spec.operations[i].path)[:_CLIP], f"{method.upper()[:16]} {v}"
            ).ratio()
            if score >= 0.6 - 1e-9 and (best is None or score > best[0]):
                best = (score, i)
    return spec.operations[best[1]] if best is not None and best[0] >= 0.6 else None


_SEGMENT = st.sampled_from(["api", "v1", "v2", "users", "user", "{id}", "{name}", "docs", "doc", "pdf", "a", "ab"])
_PATHS = st.lists(_SEGMENT, min_size=1, max_size=5).map(lambda parts: "/" + "/".join(parts))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["GET", "POST", "PUT"]), _PATHS), min_size=1, max_size=40),
    st.sampled_from(["GET", "POST", "DELETE", "GTE"]),
    _PATHS,
    st.lists(st.sampled_from(["/api", "/api/v1"]), max_size=2, unique=True),
)
def test_the_pruned_scoring_finds_what_scoring_every_candidate_finds(
    ops: list[tuple[str, str]], method: str, path: str, bases: list[str]
) -> None:
    spec = index(sorted({Operation(m, p) for m, p in ops}), bases=sorted(bases, key=len, reverse=True))
    assert spec.suggest(method, path) == _full_scoring(spec, method, path)
