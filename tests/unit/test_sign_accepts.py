"""`fes-docs sign` takes every record `validate` reads: it signs it, or refuses at a file:line:col, never a traceback.

Records come in every shape YAML allows and validate's loader accepts: CRLF or a lone CR as the line
break, a BOM, `---` / `...` markers, flow style or JSON, comments everywhere, tags, a `-` alone on its
line, unicode, `signoffs: null`. Each is signed for real; afterwards the record reads back as before
plus exactly that sign-off, and the file keeps its own line breaks. The one thing sign cannot do in
place, change a sign-off an alias shares, is refused where the alias is, with the file left alone.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fes_docs.errors import UsageError
from fes_docs.loader import load_bytes
from fes_docs.signing import sign

ROOT = Path(__file__).parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "rules" / "project"
BASE = (ROOT / "tests" / "fixtures" / "robustness" / "base-release.yaml").read_text(encoding="utf-8")
BASE = BASE.replace("id: base-release", "id: shapes")
FILE = "releases/shapes.yaml"
DATE = "2026-02-02"
STALE = "{role: product, by: dave, date: '2025-01-01', digest: 'sha256:" + "0" * 64 + "'}"
OTHER = "{role: engineering, by: alice, date: '2025-01-01', digest: x}"
BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")

SIGNABLE = {
    "crlf": (BASE + f"signoffs:\n  - {OTHER}\n").replace("\n", "\r\n"),
    "lone-cr-list-first": (f"signoffs:\n  - {OTHER}\n" + BASE).replace("\n", "\r"),
    "lone-cr-block-item-in-the-middle": BASE.replace(
        "phase: 2", "phase: 2\nsignoffs:\n  - role: engineering\n    by: alice\n"
    ).replace("\n", "\r"),
    "nel-line-breaks": (BASE + f"signoffs:\n  - {OTHER}\n").replace("\n", "\x85"),
    "bom-crlf-stale": "\ufeff" + (BASE + f"signoffs:\n  - {STALE}\n").replace("\n", "\r\n"),
    "document-end-marker": "---\n" + BASE + "...\n",
    "document-end-marker-then-comment": BASE + "...\n# after the end\n",
    "directive": "%YAML 1.1\n---\n" + BASE,
    "json": '{"id": "shapes", "owners": {"product": "dave"}, "signoffs": []}',
    "flow-document-null": "{id: shapes, owners: {product: dave}, signoffs: null}\n",
    "flow-multiline-trailing-comma": f"{{\n  id: shapes,\n  owners: {{product: dave}},\n  signoffs: [\n"
    f"    {STALE},\n  ],\n}}\n",
    "null": BASE.replace("phase: 2", "phase: 2\nsignoffs: ~   # none yet\n"),
    "comments-everywhere": BASE + f"signoffs: # the list\n  # first\n  - {OTHER}   # eng\n  # last\n# trailing\n",
    "dash-alone-on-its-line": BASE + "signoffs:\n  -\n    role: engineering\n    by: alice\n",
    "comment-after-the-dash": BASE + "signoffs:\n  - # first-one\n    role: engineering\n    by: alice\n",
    "dash-in-comments": BASE + "signoffs:  # a-b -\n  -   {role: engineering, by: alice}  # x-y\n",
    "tags": BASE + "signoffs: !!seq\n  - !!map {role: !!str product, by: !!str dave, date: !!str x, digest: !!str y}\n",
    "tab-in-flow-mapping": BASE + "signoffs: [{role:\tengineering,\tby: alice}]\n",
    "unicode-before": BASE.replace('title: "Base release"', 'title: "Ünïcødé 🚀 \u0301 日本"')
    + "signoffs:\n  - role: engineering\n    by: alice\n",
    "unicode-owner": BASE.replace("product: dave", "product: zoë"),
    "anchor-nobody-uses": BASE + f"signoffs: &list\n  - &one {STALE}\n",
    "alias-elsewhere": BASE.replace("product: dave", "product: &d dave") + "x-also: *d\n",
    "no-final-line-break": BASE + f"signoffs:\n  - {OTHER}",
    "empty-value-at-the-end": BASE + "signoffs:",
}

# (record, the line and column of the alias the refusal points at)
REFUSED = {
    "list-is-an-alias": (BASE.replace("phase: 2", f"phase: 2\nx-sigs: &sl [{OTHER}]") + "signoffs: *sl\n", "*sl"),
    "stale-item-is-an-alias": (BASE.replace("phase: 2", f"phase: 2\nx-sig: &s {STALE}") + "signoffs:\n  - *s\n", "*s"),
    "last-item-is-an-alias": (BASE.replace("phase: 2", f"phase: 2\nx-sig: &s {OTHER}") + "signoffs: [*s]\n", "*s"),
    "signer-is-an-alias": (
        BASE.replace("product: dave", "product: &d dave") + "signoffs:\n  - {role: product, by: *d, date: x}\n",
        "*d, date",
    ),
    "item-copied-elsewhere": (BASE + f"signoffs:\n  - &s {STALE}\nx-copy: *s\n", "*s\n"),
}


def _project(tmp: Path, record: str) -> Path:
    root = tmp / "p"
    shutil.copytree(FIXTURE, root)
    if "zoë" in record:  # a signer must be one of the policy's people (FES106)
        with (root / "releases" / "policy.yaml").open("a", encoding="utf-8") as policy:
            policy.write("  zoë: [zoe@example.org]\n")
    (root / FILE).write_bytes(record.encode("utf-8"))
    return root


def _data(raw: bytes) -> Any:
    doc, problems = load_bytes(raw, FILE)
    assert doc is not None and not problems, problems
    return doc.data


def _signs_cleanly(root: Path) -> None:
    before_raw = (root / FILE).read_bytes()
    before = _data(before_raw)  # validate's loader reads it
    owner = before["owners"]["product"]
    sign(root, "shapes", "product", owner, DATE)
    after_raw = (root / FILE).read_bytes()
    after = _data(after_raw)
    mine = [s for s in after["signoffs"] if s.get("role") == "product" and s.get("date") == DATE]
    assert len(mine) == 1 and mine[0]["by"] == owner
    rest = [s for s in after["signoffs"] if s is not mine[0]]
    was = before.get("signoffs") or []
    assert rest == [s for s in was if s.get("role") != "product"]
    assert {k: v for k, v in after.items() if k != "signoffs"} == {k: v for k, v in before.items() if k != "signoffs"}
    text_before, text_after = before_raw.decode("utf-8"), after_raw.decode("utf-8")
    assert set(BREAKS.findall(text_after)) <= set(BREAKS.findall(text_before)) or not BREAKS.search(text_before)
    assert after_raw.startswith(b"\xef\xbb\xbf") == before_raw.startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize("name", sorted(SIGNABLE))
def test_every_shape_validate_reads_can_be_signed(tmp_path: Path, name: str) -> None:
    _signs_cleanly(_project(tmp_path, SIGNABLE[name]))


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_signoff_an_alias_shares_is_refused_at_the_alias(tmp_path: Path, name: str) -> None:
    record, alias = REFUSED[name]
    root = _project(tmp_path, record)
    _data(record.encode())  # validate reads it
    at = record.index(alias)
    line = record.count("\n", 0, at) + 1
    column = at - (record.rfind("\n", 0, at) + 1) + 1
    with pytest.raises(UsageError) as refused:
        sign(root, "shapes", "product", "dave", DATE)
    message = str(refused.value)
    assert message.startswith(f"cannot sign {FILE}:{line}:{column}: "), message
    assert "YAML alias" in message and "write it out in full" in message
    assert (root / FILE).read_bytes() == record.encode()


def test_signoffs_that_are_no_list_are_refused_where_they_are(tmp_path: Path) -> None:
    record = BASE + "signoffs: {role: product}\n"
    root = _project(tmp_path, record)
    with pytest.raises(UsageError, match=rf"^cannot sign {FILE}:{record.count(chr(10))}:11: `signoffs` is not a list"):
        sign(root, "shapes", "product", "dave", DATE)
    assert (root / FILE).read_bytes() == record.encode()


# Every combination of the ways a record can be laid out, sampled: line break, BOM, list style, what is
# in the list already, how the file ends, where the list sits.
LIST_STYLES = {
    "absent": "",
    "empty-flow": "signoffs: []\n",
    "empty-value": "signoffs:   # none\n",
    "null": "signoffs: null\n",
    "flow": "signoffs: [{existing}]\n",
    "block-flow-items": "signoffs:\n{indent}- {existing}\n",
    "block-mapping-items": "signoffs:\n{indent}- role: {role}\n{indent}  by: {by}\n{indent}  date: '2025-01-01'\n",
    "dash-alone": "signoffs:\n{indent}-\n{indent}    role: {role}\n{indent}    by: {by}\n",
}
EXISTING = {"other": ("engineering", "alice"), "stale": ("product", "dave")}
ENDINGS = ["", "# the end\n", "...\n", "NO-FINAL-BREAK"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.booleans(),
    st.sampled_from(sorted(LIST_STYLES)),
    st.sampled_from(sorted(EXISTING)),
    st.sampled_from(ENDINGS),
    st.sampled_from(["", "  ", "    "]),
    st.booleans(),
)
def test_any_layout_signs_cleanly(
    tmp_path_factory: pytest.TempPathFactory,
    newline: str,
    bom: bool,
    style: str,
    existing: str,
    ending: str,
    indent: str,
    list_first: bool,
) -> None:
    role, by = EXISTING[existing]
    item = f"{{role: {role}, by: {by}, date: '2025-01-01', digest: x}}"
    block = LIST_STYLES[style].format(existing=item, indent=indent, role=role, by=by)
    body = block + BASE if list_first else BASE + block
    if ending == "NO-FINAL-BREAK":
        body = body.rstrip("\n")
    else:
        body += ending
    record = ("\ufeff" if bom else "") + body.replace("\n", newline)
    _signs_cleanly(_project(tmp_path_factory.mktemp("layout"), record))
