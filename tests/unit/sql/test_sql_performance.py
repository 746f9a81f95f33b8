"""The analysis does work in proportion to the migrations, never more (issue: "Performance to design for").

1,000 migrations of 3–10 statements must add well under a second. Wall-clock time depends on the machine
and its load, so these tests bound the *work* instead: how often PostgreSQL's parser and lexer are called
and how many characters they are handed. Each file is parsed once, each character is lexed a bounded number
of times, and doubling the statements of a file doubles the work (linear, not quadratic). The time itself
is measured by ``python3 benchmarks/sql_analyze.py`` (about 0.2 s on the development machine).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from fes_docs.sql import _pgjson, _plpgsql, analyze, split

TEMPLATES = [
    "CREATE TABLE IF NOT EXISTS t{i} (id bigint PRIMARY KEY, name text NOT NULL, created timestamptz);",
    "ALTER TABLE t{i} ADD COLUMN IF NOT EXISTS c{i} integer;",
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_{i} ON t{i} (name);",
    "INSERT INTO t{i} (id, name) VALUES ({i}, 'x') ON CONFLICT DO NOTHING;",
    "UPDATE t{i} SET name = 'y' WHERE id = {i};",
    "ALTER TABLE t{i} ADD CONSTRAINT fk_{i} FOREIGN KEY (id) REFERENCES p (id) NOT VALID;",
    "-- reviewed\nCOMMENT ON TABLE t{i} IS 'hello';",
    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'e{i}') THEN "
    "CREATE TYPE e{i} AS ENUM ('a'); END IF; END $$;",
]


def _files() -> list[str]:
    rnd = random.Random(20260310)
    return [
        "\n".join(rnd.choice(TEMPLATES).format(i=i * 10 + j) for j in range(rnd.randint(3, 10))) for i in range(1000)
    ]


class Work:
    """Calls to, and characters handed to, PostgreSQL's SQL parser, PL/pgSQL parser and lexer."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.chars: Counter[str] = Counter()

    def spy(self, name: str, real: Callable[[str], Any]) -> Callable[[str], Any]:
        def counted(text: str, *args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            self.chars[name] += len(text)
            return real(text, *args, **kwargs)

        return counted

    @property
    def total_chars(self) -> int:
        return sum(self.chars.values())


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch) -> Iterator[Work]:
    counter = Work()
    monkeypatch.setattr(_pgjson, "parse_sql_json", counter.spy("parse", _pgjson.parse_sql_json))
    monkeypatch.setattr(split, "scan", counter.spy("scan", split.scan))
    monkeypatch.setattr(_plpgsql, "scan", counter.spy("scan", _plpgsql.scan))
    monkeypatch.setattr(_plpgsql, "parse_plpgsql_json", counter.spy("plpgsql", _plpgsql.parse_plpgsql_json))
    yield counter


def test_thousand_migrations_cost_one_parse_each_and_bounded_lexing(work: Work) -> None:
    files = _files()
    results = [analyze(text) for text in files]
    assert all(r.error is None for r in results)
    statements = sum(len(r.statements) for r in results)
    assert statements > 5000
    do_blocks = sum(1 for r in results for s in r.statements if s.kind == "DO block")
    # One parse per file, plus one per DO block for the statement inside its body; one PL/pgSQL parse per block.
    assert work.calls["parse"] == len(files) + do_blocks
    assert work.calls["plpgsql"] == do_blocks
    # Every character goes through the parser once; the lexer only sees statements that start with a comment
    # or a blank (to find the first token) and DO statements (to find the body): never the whole file again.
    size = sum(len(text) for text in files)
    assert work.chars["parse"] <= 1.5 * size
    assert work.chars["scan"] <= size
    assert work.calls["scan"] <= statements


def _one_file(n: int) -> str:
    return "\n".join(TEMPLATES[i % len(TEMPLATES)].format(i=i) for i in range(n))


def test_work_is_linear_in_the_statements_of_one_file(work: Work) -> None:
    analyze(_one_file(400))
    small = (work.total_chars, sum(work.calls.values()))
    work.calls.clear()
    work.chars.clear()
    analyze(_one_file(800))
    large = (work.total_chars, sum(work.calls.values()))
    # Twice the statements, twice the work (a little slack for the longer numbers in the names).
    assert large[0] <= 2.1 * small[0]
    assert large[1] <= 2 * small[1] + 1
