"""Each machine-readable reporter against its format's own definition, read back field by field.

* SARIF: the official OASIS SARIF 2.1.0 JSON Schema (``sarif-schema-2.1.0.json``, draft-04), plus what
  a schema cannot say: the region is the finding's line and column, waived findings are suppressions,
  every result's rule is described in ``tool.driver.rules`` at its ``ruleIndex``.
* JUnit: the Jenkins xunit-plugin JUnit XSD (``junit-10.xsd``, the one GitLab and most CI parsers
  follow), plus: every checked file is a test case, exactly one ``<system-out>`` per case, and a case
  fails exactly when its file has a blocking finding.
* GitHub: workflow commands (``::error file=…,line=…,col=…,title=…::message``) parsed back with
  GitHub's escaping (``%``, CR and LF everywhere; ``:`` and ``,`` in properties too).

The schemas are vendored, unmodified, in tests/fixtures/schemas (README there says where from).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema
import pytest
import xmlschema

from fes_docs.findings import Finding, Loc, Summary, Waiver
from fes_docs.report import REPORTERS, as_json, github, inert, junit, sarif, summary, text

SCHEMAS = Path(__file__).parents[1] / "fixtures" / "schemas"
SARIF_SCHEMA = SCHEMAS / "sarif-schema-2.1.0.json"
JUNIT_XSD = SCHEMAS / "jenkins-junit-10.xsd"

POLICY = "releases/policy.yaml"
CLEAN = "releases/2026-01-clean.yaml"
BROKEN = "releases/2026-02-broken, with: odd%name.yaml"
WARNED = "releases/2026-03-warned.yaml"

# line != column everywhere, so a writer that swaps them cannot pass
FINDINGS = [
    Finding(Loc(BROKEN, 7, 3), "FES010", "error", "step above 100%: 120", hint="use 100"),
    Finding(Loc(BROKEN, 12, 5), "FES101", "error", "owner is blank,\r\nreally: blank"),
    Finding(Loc(WARNED, 4, 9), "FES101", "warning", "a warning: nothing blocks"),
    Finding(
        Loc(WARNED, 21, 2),
        "FES010",
        "error",
        "waived error",
        waived=Waiver("FES010", "agreed with ops, 50%: fine", until="2026-07-01", approved_by="bob"),
    ),
]
CHECKED = [POLICY, CLEAN, BROKEN, WARNED]


@cache
def sarif_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"  # validate with the draft it declares
    cls = jsonschema.validators.validator_for(schema)
    assert cls is jsonschema.Draft4Validator
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@cache
def junit_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(JUNIT_XSD)  # the Jenkins xunit-plugin junit-10.xsd


# -- SARIF -------------------------------------------------------------------------------------------


def sarif_doc(findings: list[Finding]) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(sarif(findings, 4))
    errors = sorted(sarif_validator().iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    return doc


@pytest.mark.parametrize("findings", [FINDINGS, []], ids=["findings", "clean"])
def test_sarif_is_valid_against_the_oasis_schema(findings: list[Finding]) -> None:
    doc = sarif_doc(findings)
    assert doc["version"] == "2.1.0" and len(doc["runs"]) == 1


def test_the_sarif_schema_is_not_a_rubber_stamp() -> None:
    doc = json.loads(sarif(FINDINGS, 4))
    doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    doc["runs"][0]["results"][1]["level"] = "fatal"
    assert len(list(sarif_validator().iter_errors(doc))) >= 2


def test_sarif_regions_are_the_findings_line_and_column() -> None:
    results = sarif_doc(FINDINGS)["runs"][0]["results"]
    assert len(results) == len(FINDINGS)
    for f, res in zip(FINDINGS, results, strict=True):
        (loc,) = res["locations"]
        uri = loc["physicalLocation"]["artifactLocation"]["uri"]
        assert unquote(uri) == f.loc.file and " " not in uri and "%25" in uri or f.loc.file != BROKEN
        region = loc["physicalLocation"]["region"]
        assert (region["startLine"], region["startColumn"]) == (f.loc.line, f.loc.column)
        assert res["ruleId"] == f.rule and res["message"]["text"].startswith(inert(f.message))
        assert res["level"] == ("error" if f.severity == "error" else "warning")


def test_sarif_waived_findings_are_suppressions_not_omissions() -> None:
    results = sarif_doc(FINDINGS)["runs"][0]["results"]
    for f, res in zip(FINDINGS, results, strict=True):
        if f.waived is None:
            assert "suppressions" not in res
        else:
            assert res["suppressions"] == [{"kind": "inSource", "justification": f.waived.reason}]
    assert sum("suppressions" in r for r in results) == Summary.of(FINDINGS).waived == 1


def test_sarif_rules_are_described_at_their_index() -> None:
    run = sarif_doc(FINDINGS)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert ids == sorted({f.rule for f in FINDINGS}) and len(set(ids)) == len(ids)
    for res in run["results"]:
        assert res["ruleId"] in ids and rules[res["ruleIndex"]]["id"] == res["ruleId"]


# -- JUnit -------------------------------------------------------------------------------------------


def junit_tree(findings: list[Finding], checked: list[str]) -> ET.Element:
    out = junit(findings, len(checked), checked)
    junit_schema().validate(out)  # raises with the offending element and the XSD rule it breaks
    return ET.fromstring(out)


def cases(tree: ET.Element) -> dict[str, ET.Element]:
    found = tree.findall("./testsuite/testcase")
    by_name = {c.get("name", ""): c for c in found}
    assert len(by_name) == len(found), "one test case per file"
    return by_name


@pytest.mark.parametrize("findings", [FINDINGS, []], ids=["findings", "clean"])
def test_junit_is_valid_against_the_jenkins_xsd(findings: list[Finding]) -> None:
    junit_tree(findings, CHECKED)


def test_the_junit_xsd_is_not_a_rubber_stamp() -> None:
    bad = junit(FINDINGS, 4, CHECKED).replace('<testsuite name="fes-docs validate"', "<testsuite")
    assert not junit_schema().is_valid(bad)


def test_junit_every_checked_file_is_a_test_case() -> None:
    tree = junit_tree(FINDINGS, CHECKED)
    assert sorted(cases(tree)) == sorted(CHECKED)
    assert tree.get("tests") == tree.find("testsuite").get("tests") == str(len(CHECKED))  # type: ignore[union-attr]


def test_junit_a_file_with_findings_is_a_case_even_if_not_listed() -> None:
    assert sorted(cases(junit_tree(FINDINGS, [POLICY]))) == sorted({POLICY, BROKEN, WARNED})


def test_junit_fails_exactly_the_files_with_blocking_findings() -> None:
    tree = junit_tree(FINDINGS, CHECKED)
    failed = {name for name, case in cases(tree).items() if case.find("failure") is not None}
    assert failed == {f.loc.file for f in FINDINGS if f.blocking} == {BROKEN}
    assert tree.get("failures") == tree.find("testsuite").get("failures") == "1"  # type: ignore[union-attr]
    assert tree.get("errors") == "0"
    failure = cases(tree)[BROKEN].find("failure")
    assert failure is not None and failure.text is not None
    for f in FINDINGS:
        if f.blocking:
            # a message's own line breaks are written out (\\x0d\\x0a): it cannot start a forged line
            expected = f"{f.loc.file}:{f.loc.line}:{f.loc.column}: {f.rule} {inert(f.message)}"
            assert expected in failure.text


def test_junit_clean_run_has_no_failures() -> None:
    tree = junit_tree([], CHECKED)
    assert all(c.find("failure") is None for c in cases(tree).values())
    assert tree.get("failures") == "0" and tree.get("tests") == "4"


def test_junit_one_system_out_per_case_with_every_finding() -> None:
    for name, case in cases(junit_tree(FINDINGS, CHECKED)).items():
        outs = case.findall("system-out")
        assert len(outs) == 1, name
        body = outs[0].text or ""
        mine = [f for f in FINDINGS if f.loc.file == name]
        assert body == "no findings" if not mine else all(f"{f.loc.line}:{f.loc.column}:" in body for f in mine)


# -- GitHub workflow commands ------------------------------------------------------------------------


def _unescape(s: str) -> str:
    return s.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    """``::cmd k=v,k=v::message`` -> (cmd, props, message), as the Actions runner reads it."""
    assert line.startswith("::")
    head, sep, message = line[2:].partition("::")
    assert sep, line
    command, _, raw_props = head.partition(" ")
    props: dict[str, str] = {}
    for part in raw_props.split(","):
        key, eq, value = part.partition("=")
        assert eq and key and key not in props, line  # a raw ',' or ':' in a value would break this
        props[key] = _unescape(value)
    assert "\r" not in message and "\n" not in message
    return command, props, _unescape(message)


def test_github_annotations_read_back_field_by_field() -> None:
    lines = github(FINDINGS, 4).splitlines()
    commands = [parse_command(line) for line in lines if line.startswith("::")]
    assert len(commands) == len(FINDINGS) and len(lines) == len(FINDINGS) + 1
    for f, (command, props, message) in zip(FINDINGS, commands, strict=True):
        assert command == ("error" if f.blocking else "notice" if f.waived else "warning")
        assert set(props) == {"file", "line", "col", "title"}
        assert props["file"] == f.loc.file
        assert (int(props["line"]), int(props["col"])) == (f.loc.line, f.loc.column)
        assert props["title"].startswith(f"{f.rule} ")
        assert message.startswith(f.message)
        if f.waived:
            assert message.endswith(f"[waived: {f.waived.reason}]")
    assert lines[-1] == text(FINDINGS, 4).splitlines()[-1]


def test_github_escapes_as_github_specifies() -> None:
    line = github([FINDINGS[1]], 1).splitlines()[0]
    # properties: % CR LF : , escaped; message: % CR LF escaped, ':' and ',' kept
    assert "file=releases/2026-02-broken%2C with%3A odd%25name.yaml," in line
    assert line.endswith("::owner is blank,%0D%0Areally: blank")


def test_github_clean_run_is_one_summary_line() -> None:
    assert github([], 3) == "OK: 0 error(s), 0 warning(s), 0 waived in 3 files\n"


# -- one definition of the counts --------------------------------------------------------------------


def test_summary_is_one_definition() -> None:
    s = Summary.of(FINDINGS)
    assert (s.errors, s.warnings, s.waived) == (2, 1, 1)
    assert s.fails() and Summary.of(FINDINGS[2:3]).fails(strict_warnings=True)
    assert not Summary.of(FINDINGS[2:]).fails()
    assert summary(FINDINGS, 4) == {"errors": 2, "warnings": 1, "waived": 1, "baselined": 0, "files": 4}
    assert json.loads(as_json(FINDINGS, 4))["summary"] == summary(FINDINGS, 4)


def test_every_reporter_takes_findings_and_a_file_count() -> None:
    for name, write in REPORTERS.items():
        assert write(FINDINGS, 4).endswith("\n"), name


HOSTILE = Finding(
    Loc("releases/evil\x1b[2J\u202e.yaml", 3, 1),
    "FES010",
    "error",
    "bad value\nreleases/fake.yaml:1:1: error FES000 forged line\x00\x1b]0;owned\x07\u2028",
    hint="\x1b[31mred\x1b[0m",
    waived=None,
)


@pytest.mark.parametrize("fmt", ["text", "github", "junit", "sarif"])
def test_output_is_inert(fmt: str) -> None:
    """Attack: a record or SQL file whose text carries newlines, terminal escapes, NUL and bidi overrides
    (forged finding lines, a retitled terminal, invalid XML, "Trojan source")."""
    if fmt == "junit":
        out = junit([HOSTILE], 1, [HOSTILE.loc.file])
        ET.fromstring(out.encode())  # well-formed: NUL would make it unparsable
    else:
        out = REPORTERS[fmt]([HOSTILE], 1)
    controls = {c for c in out if (ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) <= 0x9F or c in "\u2028\u202e"}
    assert controls == set()
    assert not any(line.startswith("releases/fake.yaml") for line in out.splitlines())
    assert "\\x1b" in out  # written out, not dropped: the reader still sees something was there
