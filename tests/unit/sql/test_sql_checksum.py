"""Flyway's checksum: CRC-32 over the lines BufferedReader.readLine() returns, as a signed Java int.

The expected numbers were computed by tests/fixtures/sql/checksum/FlywayChecksum.java, which runs the
JDK classes flyway-core's ChecksumCalculator uses (BufferedReader, java.util.zip.CRC32) in the same order;
``test_matches_the_jdk_reference`` re-runs it when a JDK is installed.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from fes_docs.sql import flyway_checksum

CHECKSUM_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "sql" / "checksum"

#: file → checksum printed by `java FlywayChecksum.java <file>` (OpenJDK 17).
KNOWN = {
    "lf.sql": -279898995,
    "crlf.sql": -279898995,
    "cr_only.sql": -279898995,
    "bom.sql": -279898995,
    "blank_lines.sql": -279898995,
    "edited.sql": 978588365,
    "non_ascii.sql": 1448658820,
    "bom_on_second_line.sql": -737986772,
    "empty.sql": 0,
}


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_known_values(name: str) -> None:
    assert flyway_checksum((CHECKSUM_DIR / name).read_bytes()) == KNOWN[name]


def test_line_endings_do_not_change_the_checksum() -> None:
    lf = b"CREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\n"
    assert (
        flyway_checksum(lf) == flyway_checksum(lf.replace(b"\n", b"\r\n")) == flyway_checksum(lf.replace(b"\n", b"\r"))
    )


def test_a_content_change_changes_the_checksum() -> None:
    base = (CHECKSUM_DIR / "lf.sql").read_bytes()
    assert flyway_checksum(base) != flyway_checksum(base.replace(b"int", b"bigint"))
    assert flyway_checksum(base) != flyway_checksum(base + b"-- reviewed\n")


def test_only_a_leading_bom_is_ignored() -> None:
    assert flyway_checksum(b"\xef\xbb\xbfSELECT 1;") == flyway_checksum(b"SELECT 1;")
    assert flyway_checksum(b"SELECT 1;\n\xef\xbb\xbfSELECT 2;") != flyway_checksum(b"SELECT 1;\nSELECT 2;")


def test_value_is_a_signed_32_bit_int() -> None:
    values = [flyway_checksum(f"SELECT {i};".encode()) for i in range(64)]
    assert all(-(2**31) <= v < 2**31 for v in values)
    assert any(v < 0 for v in values) and any(v > 0 for v in values)


def test_not_utf8_is_refused_like_flyway() -> None:
    with pytest.raises(UnicodeDecodeError):
        flyway_checksum(b"COMMENT ON TABLE a IS 'caf\xe9';")


def _java_checksums(java: str, files: list[Path]) -> dict[str, int]:
    out = subprocess.run(
        [java, str(CHECKSUM_DIR / "FlywayChecksum.java"), *map(str, files)],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    result: dict[str, int] = {}
    for line in out.splitlines():
        value, path = line.split(" ", 1)
        result[path] = int(value)
    return result


def test_matches_the_jdk_reference(java: str) -> None:
    files = sorted(CHECKSUM_DIR.glob("*.sql"))
    reference = _java_checksums(java, files)
    assert {Path(p).name: v for p, v in reference.items()} == KNOWN
    for f in files:
        assert flyway_checksum(f.read_bytes()) == reference[str(f)], f.name


def test_matches_the_jdk_reference_on_real_migrations(java: str, realdata_dir: Callable[[str], Path]) -> None:
    files = sorted(realdata_dir("flyway").rglob("*.sql"))
    reference = _java_checksums(java, files)
    mismatches = [f.name for f in files if flyway_checksum(f.read_bytes()) != reference[str(f)]]
    assert len(reference) == len(files) > 100
    assert mismatches == []
