"""The ACCESS EXCLUSIVE hint says what to do differently from what the migration already does."""

from __future__ import annotations

import pytest

from fes_docs.lock_advice import GENERIC, lock_hint
from fes_docs.sql import analyze


@pytest.mark.parametrize(
    ("sql", "says", "never"),
    [
        # already the safe form: the advice must not be "use NOT VALID"
        ("ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;", "already NOT VALID", "add it NOT VALID"),
        ("ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0);", "add it NOT VALID", "already NOT VALID"),
        ("ALTER TABLE t ALTER COLUMN a SET NOT NULL;", "CHECK (col IS NOT NULL) NOT VALID", "CONCURRENTLY"),
        ("ALTER TABLE t ALTER COLUMN a TYPE bigint;", "add a new column", "NOT VALID"),
        ("LOCK TABLE t IN ACCESS EXCLUSIVE MODE;", "asks for this lock itself", "CONCURRENTLY"),
        ("REFRESH MATERIALIZED VIEW m;", "CONCURRENTLY", "NOT VALID"),
        ("VACUUM FULL t;", "outside the release", "NOT VALID"),
    ],
)
def test_advice_fits_the_statement(sql: str, says: str, never: str) -> None:
    hint = lock_hint(analyze(sql).statements)
    assert says in hint and never not in hint, hint
    assert hint.startswith("line 1 (")


def test_only_statements_that_can_take_the_lock_are_named() -> None:
    sql = "CREATE TABLE IF NOT EXISTS x (id int);\nINSERT INTO x VALUES (1);\nALTER TABLE t DROP COLUMN c;\n"
    hint = lock_hint(analyze(sql).statements)
    assert hint.startswith("line 3 (ALTER TABLE DROP COLUMN)") and "line 1" not in hint


def test_a_lock_no_statement_explains_gets_the_general_advice() -> None:
    assert lock_hint(analyze("DO $$ BEGIN PERFORM 1; END $$;").statements) == GENERIC
    assert lock_hint(()) == GENERIC
