"""Errors in OpenAI's JSON shape, with the status a client can act on.

Every failure the server reports is one body, ``{"error": {"message", "type", "param",
"code"}}``, which the ``openai`` client turns into its typed exceptions
(``BadRequestError`` for 400, ``AuthenticationError`` 401, ``NotFoundError`` 404,
``UnprocessableEntityError`` 422, ``RateLimitError`` 429...):

=====  =================================================================================
400    malformed JSON, a missing, mistyped, out-of-range or unknown field
401    a missing or wrong API key
404    an unknown model id or path
405    a path that exists, with another method
413    a request body over the server's limit
422    a prompt plus ``max_tokens`` that do not fit the model's context
429    the queue is full or the key's rate is spent (with ``Retry-After``)
503    the server is shutting down
500    a bug: the message says so, and the server keeps serving
=====  =================================================================================

FastAPI answers a validation failure with 422 and its own body; here it is a 400 in
OpenAI's shape, naming the first offending field (``param``) as a dotted path.
"""

from __future__ import annotations

import logging
from typing import Any

from nlpjourney.extras import missing_extra

try:  # the serve extra: FastAPI and what it is built on
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from starlette.exceptions import HTTPException as StarletteHTTPException
except ImportError as error:
    raise missing_extra("serve", error.name or "fastapi") from error

__all__ = ["APIError", "error_body", "install_error_handlers"]

log = logging.getLogger("nlpjourney.serve")

_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    404: "not_found_error",
    405: "invalid_request_error",
    413: "invalid_request_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
    503: "service_unavailable",
}


_TYPE_TAGS = {"str", "int", "float", "bool", "none", "list", "dict"}


class APIError(Exception):
    """An error the server answers with: status, message, and OpenAI's ``param``/``code``."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.param, self.code = status, message, param, code
        self.headers = headers or {}


def error_body(
    status: int, message: str, param: str | None = None, code: str | None = None
) -> dict[str, Any]:
    """OpenAI's error JSON for ``status``."""
    kind = _TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def _response(
    status: int, message: str, param: str | None = None, code: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:  # fmt: skip
    return JSONResponse(error_body(status, message, param, code), status, headers=headers)


def _validation_message(error: dict[str, Any]) -> tuple[str, str | None]:
    """A sentence and the field's dotted path, from pydantic's first error."""
    location = [str(part) for part in error.get("loc", ()) if part != "body"]
    # a union's branches add their type names to the path ("str", "list[str]",
    # "function-after[...]", "TextPart"): keep the fields' own parts
    location = [p for p in location if p not in _TYPE_TAGS and not p[:1].isupper()
                and "[" not in p and "-" not in p]  # fmt: skip
    param = ".".join(location) or None
    kind = error.get("type", "")
    if kind == "json_invalid":
        return (
            f"the body is not valid JSON ({error.get('ctx', {}).get('error', 'malformed')})",
            None,
        )
    if kind == "extra_forbidden":
        return f"unknown field {param!r}: this server does not take it", param
    if kind == "missing":
        return f"the field {param!r} is required", param
    where = f" ({param})" if param else ""
    return f"{error.get('msg', 'invalid value')}{where}", param


def install_error_handlers(app: FastAPI) -> None:
    """Make every error of ``app`` an OpenAI-shaped JSON body with the right status."""

    @app.exception_handler(APIError)
    async def api_error(_: Request, error: APIError) -> JSONResponse:
        return _response(error.status, error.message, error.param, error.code, error.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        errors = error.errors()
        if not errors:
            return _response(400, "the request is not valid")
        message, param = _validation_message(errors[0])
        if tuple(errors[0].get("loc", ())) == ("body",) and errors[0].get("type") != "json_invalid":
            message = "the body must be a JSON object with the request's fields"
        return _response(400, message, param, "invalid_value")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, error: StarletteHTTPException) -> JSONResponse:
        message = {404: "no such path; the API lives under /v1 (see /docs)",
                   405: "this path does not take that method"}.get(error.status_code, str(error.detail))  # fmt: skip
        return _response(error.status_code, message, headers=getattr(error, "headers", None))

    @app.exception_handler(Exception)
    async def bug(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error serving %s %s", request.method, request.url.path)
        return _response(500, f"internal error ({type(error).__name__}); the server keeps running")
