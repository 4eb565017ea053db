"""Every error a client can cause, mapped to its status in one place; a 500 is a bug."""

from __future__ import annotations

import logging
import re
from typing import Annotated, Any

from litestar import Request, Response
from litestar.enums import MediaType
from litestar.exceptions import (
    ClientException,
    HTTPException,
    NotAuthorizedException,
    SerializationException,
    ValidationException,
)
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import KwargDefinition
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    HTTP_415_UNSUPPORTED_MEDIA_TYPE,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_429_TOO_MANY_REQUESTS,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from litestar.types import ExceptionHandlersMap

from tms_adapters.persistence.sql import STORAGE_DOWN, PoolTimeout
from tms_domain.kernel import (
    AuthenticationFailed,
    BadRequest,
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    StorageUnavailable,
    Throttled,
)
from tms_domain.kernel.files import FileTooLarge, UnsupportedFileType
from tms_domain.training import DoubleBooking
from tms_entrypoints.http.access import loggable_target
from tms_entrypoints.http.schemas import ConflictOut, DoubleBookingOut, ErrorOut, FieldErrorOut
from tms_entrypoints.logs import REQUEST_ID

log = logging.getLogger("tms.http")

STATUS_OF: list[tuple[type[DomainError], int]] = [
    (FileTooLarge, HTTP_413_REQUEST_ENTITY_TOO_LARGE),
    (UnsupportedFileType, HTTP_415_UNSUPPORTED_MEDIA_TYPE),
    (NotFound, HTTP_404_NOT_FOUND),
    (Forbidden, HTTP_403_FORBIDDEN),
    (Conflict, HTTP_409_CONFLICT),
    (AuthenticationFailed, HTTP_401_UNAUTHORIZED),
    (InvalidInput, HTTP_422_UNPROCESSABLE_ENTITY),
    (BadRequest, HTTP_400_BAD_REQUEST),
    (Throttled, HTTP_429_TOO_MANY_REQUESTS),
    (StorageUnavailable, HTTP_503_SERVICE_UNAVAILABLE),
]

STORAGE_RETRY_AFTER_SECONDS = 5
_CLIENT_NAMES = {"provider_state": "state"}
"""Parameters a handler reads under another name (Litestar keeps ``state`` for itself),
named in errors as the client sent them."""
_MISSING_FIELD = re.compile(r"missing required field `([^`]+)`")
_MALFORMED_AT = re.compile(r"JSON is malformed: (?P<reason>.+) \(byte (?P<offset>\d+)\)")


class ApiRequest(Request[Any, Any, Any]):
    """A request whose JSON body, when it cannot be read, says why in a way a client can
    act on: where the body stops being JSON, or that it nests too deeply to be read (the
    decoder recurses once per level, and a RecursionError would otherwise be a 500)."""

    async def json(self) -> Any:
        try:
            return await super().json()
        except SerializationException as error:
            raise ClientException(not_json(await self.body(), str(error))) from error
        except RecursionError:
            raise ClientException("The body is nested too deeply to be read") from None


def not_json(body: bytes, decoder_message: str) -> str:
    """`The body is not valid JSON: <reason> at line L, column C` (both from 1, the column
    in characters) from the decoder's message, which names a byte offset."""
    malformed = _MALFORMED_AT.fullmatch(decoder_message)
    if malformed:
        reason, offset = malformed["reason"], int(malformed["offset"])
    elif "truncated" in decoder_message:
        reason, offset = "it ends too early", len(body)
    else:
        return f"The body is not valid JSON: {decoder_message}"
    before = body[:offset]
    line = before.count(b"\n") + 1
    column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
    return f"The body is not valid JSON: {reason} at line {line}, column {column}"


def _json(
    status: int,
    detail: str,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[ErrorOut]:
    body = ErrorOut(detail, [FieldErrorOut(e["field"], e["message"]) for e in errors or ()])
    return Response(body, status_code=status, headers=headers, media_type=MediaType.JSON)


def _status_and_headers(error: DomainError) -> tuple[int, dict[str, str] | None]:
    status = next(code for kind, code in STATUS_OF if isinstance(error, kind))
    headers: dict[str, str] = {}
    if isinstance(error, AuthenticationFailed):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(error, Throttled):
        headers["Retry-After"] = str(error.retry_after)
    if isinstance(error, StorageUnavailable):
        headers["Retry-After"] = str(STORAGE_RETRY_AFTER_SECONDS)
    return status, headers or None


def domain_error(_request: Request[Any, Any, Any], error: DomainError) -> Response[ErrorOut]:
    status, headers = _status_and_headers(error)
    errors = None
    if isinstance(error, InvalidInput):
        errors = [{"field": e.field, "message": e.message} for e in error.errors]
    return _json(status, error.message, errors, headers)


def validation_error(_request: Request[Any, Any, Any], error: ValidationException) -> Response[Any]:
    """Litestar's validation of bodies and parameters: malformed JSON is a 400, values of
    the wrong type or out of range a 422 naming each field."""
    extra = error.extra if isinstance(error.extra, list) else []
    errors = []
    for item in extra:
        if isinstance(item, dict):
            field = str(item.get("key") or item.get("source") or "body")
            field = _CLIENT_NAMES.get(field, field)
            # A missing body field is reported on the whole body ("data"): name the field.
            missing = _MISSING_FIELD.search(str(item.get("message", "")))
            if missing and field in ("data", "body"):
                field = missing.group(1)
            errors.append({"field": field, "message": str(item.get("message", "invalid value"))})
    if not errors:
        text = str(error.detail)
        if "malformed" in text.lower() or "json" in text.lower():
            return _json(HTTP_400_BAD_REQUEST, "The request body is not valid JSON")
        return _json(HTTP_400_BAD_REQUEST, text)
    if any("malformed json" in e["message"].lower() for e in errors):
        return _json(HTTP_400_BAD_REQUEST, "The request body is not valid JSON")
    return _json(HTTP_422_UNPROCESSABLE_ENTITY, "Invalid request: " + _summary(errors), errors)


def _summary(errors: list[dict[str, str]]) -> str:
    return "; ".join(f"{e['field']}: {e['message']}" for e in errors)


def http_error(_request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    headers = dict(error.headers or {})
    if isinstance(error, NotAuthorizedException):
        headers.setdefault("WWW-Authenticate", "Bearer")
    detail = error.detail if isinstance(error.detail, str) and error.detail else "Request failed"
    if error.status_code == HTTP_429_TOO_MANY_REQUESTS:
        # The general rate limit says when its window resets; clients read Retry-After.
        wait = max(1, int(headers.get("RateLimit-Reset", "60")))
        headers.setdefault("Retry-After", str(wait))
        detail = f"Too many requests from your address: try again in {wait} seconds"
    return _json(error.status_code, detail, headers=headers or None)


def pool_timeout(request: Request[Any, Any, Any], _error: PoolTimeout) -> Response[Any]:
    """No database connection came free in time, wherever it was asked for: the store is
    busy, not broken, and the client should come back (never a 500)."""
    log.warning("no database connection free on %s %s", request.method, request.url.path)
    return domain_error(request, StorageUnavailable(STORAGE_DOWN))


def unexpected_error(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    log.exception(
        "unhandled error on %s %s (request %s)",
        request.method,
        loggable_target(request.scope),
        REQUEST_ID.get(),
        exc_info=error,
    )
    return _json(HTTP_500_INTERNAL_SERVER_ERROR, "Internal server error")


def double_booking_error(
    _request: Request[Any, Any, Any], error: DoubleBooking
) -> Response[DoubleBookingOut]:
    """The usual 409 (`detail`, in UTC), plus each clash as data a client can show in its
    own time zone."""
    status, headers = _status_and_headers(error)
    body = DoubleBookingOut(error.message, conflicts=[ConflictOut.of(c) for c in error.clashes])
    return Response(body, status_code=status, headers=headers, media_type=MediaType.JSON)


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DoubleBooking: double_booking_error,
    DomainError: domain_error,
    ValidationException: validation_error,
    HTTPException: http_error,
    PoolTimeout: pool_timeout,
    Exception: unexpected_error,
}


ERROR_DESCRIPTIONS: dict[int, str] = {
    HTTP_400_BAD_REQUEST: "Bad request (malformed JSON, or a request the rules refuse)",
    HTTP_401_UNAUTHORIZED: "Not authenticated: bad, expired or revoked token, bad credentials",
    HTTP_403_FORBIDDEN: "Authenticated but not allowed",
    HTTP_404_NOT_FOUND: "Not found (also instead of 403 where existence would leak)",
    HTTP_409_CONFLICT: "Conflict: duplicate, already enrolled or assigned, double booking",
    HTTP_413_REQUEST_ENTITY_TOO_LARGE: "Request body too large",
    HTTP_422_UNPROCESSABLE_ENTITY: "Invalid field values; `errors` names each field",
    HTTP_429_TOO_MANY_REQUESTS: "Throttled: retry after `Retry-After` seconds",
    HTTP_503_SERVICE_UNAVAILABLE: "The database is unavailable: retry after `Retry-After` seconds",
}

Error = Annotated[ErrorOut, KwargDefinition(schema_component_key="Error")]
"""The error shape under the name clients' generated types know it by."""

ERROR_RESPONSES: dict[int, ResponseSpec] = {
    status: ResponseSpec(Error, description=description, generate_examples=False)
    for status, description in ERROR_DESCRIPTIONS.items()
}
"""Every error a client can meet, for each operation's ``responses=`` (in place of the
framework's default 400, a shape this API never sends)."""
