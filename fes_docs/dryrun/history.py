"""Flyway's schema history table, created and filled the way Flyway does it on PostgreSQL.

The runbook tells people to "check `flyway_schema_history`" during an incident (guide §6.3); a dry run that
leaves the same rows Flyway would leave lets them rehearse exactly that query. The DDL mirrors Flyway's
PostgreSQLDatabase.getRawCreateScript (column names, types, the `_pk` primary key, the `_s_idx` index); rows
follow Flyway's SchemaHistory: rank = max + 1, description cut to 200 and script to 1000 characters as its
AbbreviationUtils does, type 'SQL', installed_by = current_user, execution_time in milliseconds, installed_on
left to the column default now().
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

__all__ = ["HistoryTable", "abbreviate_description", "abbreviate_script"]

TABLE_NAME = "flyway_schema_history"


def abbreviate_description(description: str) -> str:
    return description if len(description) <= 200 else description[:197] + "..."


def abbreviate_script(script: str) -> str:
    # Flyway keeps the first 1000 characters and overwrites the first three with dots; copied for fidelity.
    return script if len(script) <= 1000 else "..." + script[3:1000]


@dataclass(frozen=True)
class HistoryTable:
    schema: str
    name: str = TABLE_NAME

    @property
    def qualified(self) -> str:
        """The "schema.name" form that snapshots use to leave this table out."""
        return f"{self.schema}.{self.name}"

    def _ident(self) -> sql.Identifier:
        return sql.Identifier(self.schema, self.name)

    def create(self, conn: psycopg.Connection[Any]) -> None:
        """Create the table unless it exists (a scratch database on a user's server starts without it)."""
        name = self._ident().as_string(conn)
        exists = conn.execute("SELECT to_regclass(%s) IS NOT NULL", [name]).fetchone()
        if exists and exists[0]:
            return
        table = self._ident()
        conn.execute(
            sql.SQL(
                "CREATE TABLE {} (\n"
                '    "installed_rank" INT NOT NULL,\n'
                '    "version" VARCHAR(50),\n'
                '    "description" VARCHAR(200) NOT NULL,\n'
                '    "type" VARCHAR(20) NOT NULL,\n'
                '    "script" VARCHAR(1000) NOT NULL,\n'
                '    "checksum" INTEGER,\n'
                '    "installed_by" VARCHAR(100) NOT NULL,\n'
                '    "installed_on" TIMESTAMP NOT NULL DEFAULT now(),\n'
                '    "execution_time" INTEGER NOT NULL,\n'
                '    "success" BOOLEAN NOT NULL\n'
                ")"
            ).format(table)
        )
        conn.execute(
            sql.SQL('ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY ("installed_rank")').format(
                table, sql.Identifier(f"{self.name}_pk")
            )
        )
        conn.execute(sql.SQL('CREATE INDEX {} ON {} ("success")').format(sql.Identifier(f"{self.name}_s_idx"), table))

    def add(
        self,
        conn: psycopg.Connection[Any],
        *,
        version: str | None,
        description: str,
        script: str,
        checksum: int | None,
        installed_by: str,
        execution_ms: int,
        success: bool,
    ) -> int:
        """Append one row as Flyway's addAppliedMigration does; returns its installed_rank."""
        table = self._ident()
        row = conn.execute(sql.SQL('SELECT COALESCE(MAX("installed_rank"), 0) + 1 FROM {}').format(table)).fetchone()
        rank = int(row[0]) if row else 1
        conn.execute(
            sql.SQL(
                'INSERT INTO {} ("installed_rank", "version", "description", "type", "script", "checksum",'
                ' "installed_by", "execution_time", "success") VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)'
            ).format(table),
            [
                rank,
                version,
                abbreviate_description(description),
                "SQL",
                abbreviate_script(script),
                checksum,
                installed_by,
                execution_ms,
                success,
            ],
        )
        return rank
