"""Property: any record shape gives findings, never an exception or an internal-error finding.

Records are generated from the schema's own field names with values of every YAML type, so the
lenient model and every rule meet wrong types, missing keys and odd nesting in all combinations.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from fes_docs.check import check_project
from fes_docs.document import Document
from fes_docs.model import Release
from fes_docs.project import load_project
from fes_docs.schema import release_schema

FIXTURE = Path(__file__).parents[1] / "fixtures" / "rules" / "project"
SCHEMA = release_schema(None)
TOP = list(SCHEMA["properties"])
NESTED = sorted(
    {
        k
        for p in SCHEMA["properties"].values()
        for k in (p.get("properties") or p.get("items", {}).get("properties") or {})
    }
)
WORDS = [
    "local",
    "test",
    "staging",
    "production",
    "approved",
    "released",
    "draft",
    "rolled-back",
    "cancelled",
    "forward-fix",
    "restore-snapshot",
    "additive",
    "destructive",
    "data",
    "done",
    "open",
    "db-backup",
    "flyway-dry-run",
    "features.enable-step-windows",
    "V1__create_widget.sql",
    "U1__undo_widget.sql",
    "GET /api/v1/documents/{id}/pdf",
    "2026-03-10T18:00:00Z",
    "2026-03-09",
    "FES202",
    "<script>",
    "",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 200),
    st.floats(allow_nan=False, width=32),
    st.sampled_from(WORDS),
    st.text(max_size=8),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(NESTED + WORDS[:4]), inner, max_size=5)
    ),
    max_leaves=12,
)
records = st.dictionaries(st.sampled_from(TOP), values, max_size=len(TOP))


@settings(max_examples=300, deadline=None)
@given(records)
def test_any_record_gives_findings_not_exceptions(record: dict[str, object]) -> None:
    root = PROJECT_ROOT
    project = load_project(root, use_cache=False)
    record = {"id": "x", **record}
    doc = Document("releases/x.yaml", record)
    project.releases = [Release.from_doc(doc)]
    result = check_project(project)
    internal = [f for f in result.findings if f.message.startswith("internal error")]
    assert not internal, internal


def setup_module() -> None:
    global PROJECT_ROOT
    import tempfile

    PROJECT_ROOT = Path(tempfile.mkdtemp()) / "p"
    shutil.copytree(FIXTURE, PROJECT_ROOT)
    for f in (PROJECT_ROOT / "releases").glob("*.yaml"):
        if f.name != "policy.yaml":
            f.unlink()


def teardown_module() -> None:
    shutil.rmtree(PROJECT_ROOT.parent, ignore_errors=True)


PROJECT_ROOT = Path()
