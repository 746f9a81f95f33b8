"""Flyway migrations as Flyway and PostgreSQL see them: names, versions, checksums, statement classes.

A pure library: it knows nothing of release records, MkDocs or the CLI. :mod:`.flyway` reads names and
checksums (:mod:`.folder` scans a folder outside a run); :mod:`.analyze` parses SQL and classifies each statement.
"""

from fes_docs.sql.analyze import (
    Analysis,
    Idem,
    Klass,
    SqlError,
    Statement,
    analyze,
    is_supported_dialect,
    same_object,
)
from fes_docs.sql.flyway import (
    FlywayName,
    MigrationFile,
    ReadError,
    flyway_checksum,
    format_version,
    parse_name,
    version_key,
)
from fes_docs.sql.folder import Conflict, ScanReport, find_conflicts, scan_dir, scan_dir_report

__all__ = [
    "Analysis",
    "Conflict",
    "FlywayName",
    "Idem",
    "Klass",
    "MigrationFile",
    "ReadError",
    "ScanReport",
    "SqlError",
    "Statement",
    "analyze",
    "find_conflicts",
    "flyway_checksum",
    "format_version",
    "is_supported_dialect",
    "parse_name",
    "same_object",
    "scan_dir",
    "scan_dir_report",
    "version_key",
]
