"""Why a dry-run statement failed, when the reason is the sandbox or a bound rather than the SQL itself.

A developer reading "permission denied" or "canceling statement due to statement timeout" needs to know that
the dry run did that on purpose, and what to change: the migration (it needs a superuser, which production's
Flyway user should not be) or the policy (a bound too tight for a real migration). Pure functions of the
outcome's SQLSTATE and message, free of the PostgreSQL driver: `validate` and the runbook read evidence
through :mod:`fes_docs.proving`, which uses them.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["SANDBOX_HINT", "failure_hint", "is_run_bound"]

#: The hint of a statement the sandbox refused (issue 12's words).
SANDBOX_HINT = (
    "needs superuser; Flyway's production user should not have it (the dry run applies migrations as a role "
    "that owns only its scratch database)"
)
_INSUFFICIENT_PRIVILEGE = "42501"
_QUERY_CANCELED = "57014"
_LOCK_NOT_AVAILABLE = "55P03"
_RUN_BOUND_WORDS = "the dry run's time bound ran out"


def is_run_bound(message: str | None) -> bool:
    """The failure is the run bound's (:class:`fes_docs.dryrun.bound.RunBound`), not the server's verdict."""
    return bool(message) and _RUN_BOUND_WORDS in str(message)


def _seconds(limits: Mapping[str, float], key: str) -> str:
    value = limits.get(key)
    return f"dry_run.{key}: {value:g} s" if value is not None else f"dry_run.{key}"


def failure_hint(sqlstate: str | None, message: str | None, limits: Mapping[str, float]) -> str | None:
    """What to do about a failure the sandbox or a bound caused; None when it is the statement's own fault."""
    text = (message or "").lower()
    if is_run_bound(message):
        return (
            f"the whole run took longer than the policy allows ({_seconds(limits, 'run_timeout_s')}); "
            "raise it in the policy, or make the migrations faster"
        )
    if sqlstate == _INSUFFICIENT_PRIVILEGE or "must be superuser" in text:
        return SANDBOX_HINT
    if sqlstate == _QUERY_CANCELED and ("statement timeout" in text or "max_statement_time" in text):
        return (
            f"it ran longer than the policy allows one statement ({_seconds(limits, 'statement_timeout_s')}); "
            "in production it would hold its locks as long: make it faster, or raise the bound in the policy"
        )
    if sqlstate == _LOCK_NOT_AVAILABLE and ("lock timeout" in text or "lock wait timeout" in text):
        return (
            f"it waited for a lock longer than the policy allows ({_seconds(limits, 'lock_timeout_s')}); "
            "on a busy production table it would queue every query behind it"
        )
    return None
