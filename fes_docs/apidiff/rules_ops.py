"""Change rules about operations, parameters, bodies, statuses, media types and security.

Deprecation follows oasdiff: deprecating is compatible, and an operation may be removed once it was
``deprecated: true`` with an ``x-sunset`` date that has passed. Stricter than oasdiff's default on one
point, as the guide wants consumers told *when*: a deprecated operation without a sunset date may not
be removed either. Moving a sunset earlier, or deleting it while the operation stays deprecated, is
breaking: clients planned for the date announced.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from ..dates import parse_date
from .catalogue import BodyPair, HeaderPair, Hit, MediaPair, OpPair, ParamPair, StatusPair, change_rule
from .model import Level
from .ops import Op, Security


def sunset_of(op: Op) -> date | None:
    """The ``x-sunset`` date (RFC 3339 date or date-time: its date part); None when absent or unreadable."""
    text = op.sunset
    if not text:
        return None
    return parse_date(text[:10])


def _removal(pair: OpPair) -> str | None:
    """Why removing the base's operation breaks clients; None when its sunset has passed."""
    op = pair.base
    assert op is not None
    if not op.deprecated:
        return "removed without deprecation"
    sunset = sunset_of(op)
    if sunset is None:
        return "removed while deprecated without an x-sunset date: consumers were never told when"
    if sunset > pair.today:
        return f"removed before its sunset date {sunset.isoformat()}"
    return None


@change_rule("FES850", "api-path-removed-without-deprecation", "Path removed", "error", "op-removed")
def path_removed(pair: OpPair) -> Iterator[Hit]:
    """A whole path is gone, and with it an operation that was not deprecated with a sunset date that has passed."""
    why = _removal(pair)
    if pair.path_gone and why is not None and pair.base is not None:
        yield Hit(f"path {why}", pair.base.where)


@change_rule("FES851", "api-removed-without-deprecation", "Operation removed", "error", "op-removed")
def op_removed(pair: OpPair) -> Iterator[Hit]:
    """An operation is gone (its path stays) without having been deprecated with an `x-sunset` date."""
    if not pair.path_gone and pair.base is not None and not pair.base.deprecated:
        yield Hit("operation removed without deprecation", pair.base.where)


@change_rule("FES852", "api-removed-before-sunset", "Operation removed before its sunset", "error", "op-removed")
def op_removed_early(pair: OpPair) -> Iterator[Hit]:
    """A deprecated operation is removed before its `x-sunset` date (or it never had one)."""
    why = _removal(pair)
    if not pair.path_gone and pair.base is not None and pair.base.deprecated and why is not None:
        yield Hit(f"operation {why}", pair.base.where)


@change_rule("FES853", "api-removed-after-sunset", "Operation removed after its sunset", "info", "op-removed")
def op_retired(pair: OpPair) -> Iterator[Hit]:
    """A deprecated operation is removed on or after its `x-sunset` date: consumers were told."""
    if pair.base is not None and _removal(pair) is None:
        sunset = sunset_of(pair.base)
        yield Hit(f"operation removed after its sunset date {sunset.isoformat() if sunset else ''}", pair.base.where)


@change_rule("FES854", "api-sunset-date-changed-too-small", "Sunset moved earlier", "error", "op")
def sunset_earlier(pair: OpPair) -> Iterator[Hit]:
    """A deprecated operation's `x-sunset` moves to an earlier date: clients planned for the later one."""
    if pair.base is None or pair.head is None:
        return
    was, now = sunset_of(pair.base), sunset_of(pair.head)
    if was is not None and now is not None and now < was:
        yield Hit(f"sunset date moved earlier, {was.isoformat()} → {now.isoformat()}", pair.head.where)


@change_rule("FES855", "sunset-deleted", "Sunset deleted while still deprecated", "error", "op")
def sunset_deleted(pair: OpPair) -> Iterator[Hit]:
    """The `x-sunset` of an operation that stays deprecated is deleted: the announced date is withdrawn."""
    b, h = pair.base, pair.head
    if b is not None and h is not None and h.deprecated and sunset_of(b) is not None and h.sunset is None:
        yield Hit("x-sunset deleted, but the operation stays deprecated", h.where)


@change_rule("FES856", "endpoint-deprecated", "Operation deprecated", "info", "op")
def deprecated(pair: OpPair) -> Iterator[Hit]:
    """An operation becomes deprecated: compatible, and the first step towards removing it."""
    if pair.base is not None and pair.head is not None and pair.head.deprecated and not pair.base.deprecated:
        sunset = sunset_of(pair.head)
        yield Hit(
            "deprecated" + (f", sunset {sunset.isoformat()}" if sunset else " (no x-sunset date)"), pair.head.where
        )


@change_rule("FES857", "endpoint-added", "Operation added", "info", "op-added")
def added(pair: OpPair) -> Iterator[Hit]:
    """A new operation."""
    if pair.head is not None:
        yield Hit("operation added", pair.head.where)


@change_rule("FES858", "api-operation-id-changed", "operationId changed", "warning", "op")
def operation_id(pair: OpPair) -> Iterator[Hit]:
    """The `operationId` changes or goes: generated clients name their methods after it."""
    if pair.base is None or pair.head is None or pair.base.operation_id is None:
        return
    if pair.base.operation_id != pair.head.operation_id:
        now = repr(pair.head.operation_id) if pair.head.operation_id else "none"
        yield Hit(f"operationId changed, {pair.base.operation_id!r} → {now}", pair.head.where)


@change_rule("FES859", "request-path-param-renamed", "Path parameter renamed", "info", "param")
def path_param_renamed(pair: ParamPair) -> Iterator[Hit]:
    """A path parameter is renamed in place (`/pets/{id}` → `/pets/{petId}`): the URL a client sends is the same."""
    if pair.base is not None and pair.head is not None and pair.head.loc == "path" and pair.base.name != pair.head.name:
        yield Hit(f"path parameter {pair.base.name!r} renamed to {pair.head.name!r}", pair.head.where)


@change_rule("FES860", "new-required-request-parameter", "Required parameter added", "error", "param-added")
def new_required_param(pair: ParamPair) -> Iterator[Hit]:
    """A new required request parameter or header: today's clients do not send it."""
    if pair.head is not None and pair.head.required and pair.head.loc != "path":
        yield Hit(f"new required {pair.head.loc} parameter {pair.head.name!r}", pair.head.where)


@change_rule("FES861", "new-optional-request-parameter", "Optional parameter added", "info", "param-added")
def new_optional_param(pair: ParamPair) -> Iterator[Hit]:
    """A new optional request parameter or header."""
    if pair.head is not None and not pair.head.required:
        yield Hit(f"new optional {pair.head.loc} parameter {pair.head.name!r}", pair.head.where)


@change_rule("FES862", "request-parameter-became-required", "Parameter became required", "error", "param")
def param_required(pair: ParamPair) -> Iterator[Hit]:
    """An optional request parameter or header becomes required: clients that leave it out fail."""
    if pair.base is not None and pair.head is not None and pair.head.required and not pair.base.required:
        yield Hit(f"{pair.head.loc} parameter {pair.head.name!r} became required", pair.head.where)


@change_rule("FES863", "request-parameter-removed", "Parameter removed", "warning", "param-removed")
def param_removed(pair: ParamPair) -> Iterator[Hit]:
    """A request parameter is removed: a client still sending it may be refused or silently ignored."""
    if pair.base is not None:
        yield Hit(f"{pair.base.loc} parameter {pair.base.name!r} removed", pair.base.where)


@change_rule("FES865", "added-required-request-body", "Required request body added", "error", "body")
def body_added(pair: BodyPair) -> Iterator[Hit]:
    """An operation that took no body now requires one."""
    if pair.base is None and pair.head is not None and pair.head.required:
        yield Hit("required request body added", pair.head.where)


@change_rule("FES866", "request-body-became-required", "Request body became required", "error", "body")
def body_required(pair: BodyPair) -> Iterator[Hit]:
    """An optional request body becomes required."""
    if pair.base is not None and pair.head is not None and pair.head.required and not pair.base.required:
        yield Hit("request body became required", pair.head.where)


@change_rule("FES880", "response-success-status-removed", "Success status removed", "error", "status-removed")
def success_removed(pair: StatusPair) -> Iterator[Hit]:
    """A success (2xx) response is gone: clients that expect it see something else."""
    if pair.base is not None and pair.base.status.startswith("2"):
        yield Hit(f"success response {pair.base.status} removed", pair.base.where)


@change_rule("FES881", "response-non-success-status-removed", "Error status removed", "warning", "status-removed")
def other_removed(pair: StatusPair) -> Iterator[Hit]:
    """A non-success response is gone from the spec: clients handling it may now meet an undocumented one."""
    if pair.base is not None and not pair.base.status.startswith("2"):
        yield Hit(f"response {pair.base.status} removed", pair.base.where)


@change_rule("FES882", "media-type-removed", "Media type removed", "error", "media-removed")
def media_removed(pair: MediaPair) -> Iterator[Hit]:
    """A media type of a request body or response is gone: clients sending or accepting only it fail."""
    yield Hit(f"{pair.label}: media type {pair.media!r} removed", pair.base)


@change_rule("FES883", "response-status-added", "Response status added", "info", "status-added")
def status_added(pair: StatusPair) -> Iterator[Hit]:
    """A new documented response status."""
    if pair.head is not None:
        yield Hit(f"response {pair.head.status} added", pair.head.where)


@change_rule("FES884", "api-security-added", "Security requirement added", "error", "op")
def security_added(pair: OpPair) -> Iterator[Hit]:
    """A client that satisfied one of the base's security alternatives satisfies none of the head's
    (a scheme or scope added, or security where there was none)."""
    if pair.base is None or pair.head is None:
        return
    before, after = pair.base.security or [{}], pair.head.security or [{}]
    for alt in before:
        if not any(_covered(h, alt) for h in after):
            yield Hit(
                f"security requirement added: {_words(after)} (was {_words(pair.base.security)})", pair.head.where
            )
            return


def _covered(need: dict[str, frozenset[str]], have: dict[str, frozenset[str]]) -> bool:
    return all(name in have and scopes <= have[name] for name, scopes in need.items())


def _words(security: Security) -> str:
    if not security:
        return "none"
    alts = [
        " + ".join(f"{k}[{', '.join(sorted(v))}]" if v else k for k, v in sorted(a.items())) or "anonymous"
        for a in security
    ]
    return " or ".join(alts)


@change_rule("FES886", "response-header-removed", "Response header removed", "error", "header-removed")
def header_removed(pair: HeaderPair) -> Iterator[Hit]:
    """A response header is gone: an error when it was required, a warning when it was optional."""
    level: Level | None = None if pair.required else "warning"
    what = "required" if pair.required else "optional"
    yield Hit(f"response {pair.status}: {what} header {pair.name!r} removed", pair.base, level)
