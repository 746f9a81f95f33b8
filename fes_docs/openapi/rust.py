"""The verdict: openapi-spec-validator-rs (the same rules and messages as openapi-spec-validator).

It validates the plain parsed spec (structure against the OAS schema, then the library's semantic
checks) and collects every error. What it is handed, and what it may read:

* the spec's data under the made-up base :data:`~.early.BASE_URL`, after
  :meth:`~.workspace.Workspace.neutralise` took out every URI with a scheme it would read by itself
  (``file:``): so each other document it wants goes through its ``retriever`` hook,
  :meth:`~.workspace.Workspace.serve`, which serves only files :func:`~.refs.scan_refs` vetted
  (inside the project, no link out, read through the reader) and never fetches anything.

A valid spec costs that one call and no positions — or none at all, when the child that screened a big
YAML spec validated its bytes cleanly meanwhile (:mod:`.early`). Errors are placed by :mod:`.locate`, with
positions looked up for their paths only; what it cannot place sends the spec to the Python walk
(:mod:`.validate`), which knows where each error is.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .early import base_uri
from .problems import SpecProblem, json_pointer, problem, worded
from .workspace import Workspace


def rust_errors(ws: Workspace, main: str, family: str) -> tuple[list[Any], str | None]:
    """(every error openapi-spec-validator-rs finds in ``main``, why it stopped or None)."""
    # imported here: a cached spec never needs the extension
    from openapi_spec_validator_rs import _core

    ws.neutralise()
    early = ws.early.get(main)
    if not ws.taken_out and early is not None and early.stands_for(family):
        return [], None  # the screen's child validated these very bytes, cleanly (see .early)
    try:
        errors = _core.validate(ws.data[main], family, base_uri(main), True, ws.serve, None, None)
    except Exception as exc:  # third-party code on untrusted input: a stop is a finding, not a traceback
        return [], str(exc) or type(exc).__name__
    return list(errors), None


def unplaced(main: str, err: Any) -> SpecProblem:
    """An error the Python walk did not find either: reported at the top of the spec, never lost."""
    where = "/".join(str(p) for p in err.instance_path)
    found = problem(main, worded(err.message) + (f" (at {where})" if where else ""), "invalid")
    return replace(found, pointer=json_pointer(err.instance_path))
