"""§4 and the sandbox: no migration reaches past the database it migrates.

A statement the SQL analysis classes ``unsafe`` (``COPY … PROGRAM``, ``pg_read_file``, ``ALTER SYSTEM``,
roles, ``DROP DATABASE``, untrusted extensions and languages, ``dblink`` …) needs rights Flyway's
production user should not have, and acts on the server, the cluster or other servers — nothing a release
record's ``change`` can declare. It is always an error; a waiver (with its reason, as every waiver has)
is the only way past, so a reviewer sees the reason in the record.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Loc
from ..model import Release
from ..project import Project
from . import Hit, release_rule


@release_rule(
    "FES323",
    "No server-side escapes in migrations",
    "§4",
    hint="needs superuser; Flyway's production user should not have it: move it to the DBA's runbook, "
    "or waive it with the reason and who approved it",
)
def no_escapes(project: Project, rel: Release) -> Iterator[Hit]:
    """A migration touches only its own database: server files and programs, roles, cluster settings,
    other databases and servers, and untrusted code are errors wherever they hide (DO blocks, functions)."""
    index = project.migrations
    for ref in rel.migrations:
        a = index.analysis(ref.file)
        if a is None or a.error is not None or not ref.file:
            continue
        for st in a.statements:
            if st.klass == "unsafe":
                yield Hit(
                    rel.loc(*ref.path, "file"),
                    f"{ref.file}:{st.line} reaches outside its database: {st.kind} ({st.reason})",
                    related=(Loc(index.file_label(ref.file), st.line, st.column),),
                    subject=st.normalised,
                )
