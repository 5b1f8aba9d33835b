"""The one place where errors become HTTP responses: `{"error", "detail", "fields"}`."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from pausepoint.errors import PausepointError, Unauthorized


def error_body(error: PausepointError) -> dict[str, object]:
    return {"error": error.code, "detail": error.detail, "fields": error.fields}


def _pausepoint_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PausepointError)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthorized) else None
    return JSONResponse(error_body(exc), status_code=exc.status, headers=headers)


def _loc(parts: tuple[int | str, ...] | list[int | str]) -> str:
    trimmed = list(parts)[1:] if parts and parts[0] in ("body", "query", "path") else list(parts)
    return ".".join(str(p) for p in trimmed)


def _request_invalid(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = [{"loc": _loc(e.get("loc", ())), "message": e.get("msg", "")} for e in exc.errors()]
    detail = "; ".join(f"{f['loc'] or 'body'}: {f['message']}" for f in fields)
    body = {"error": "invalid_request", "detail": detail or "invalid request", "fields": fields}
    return JSONResponse(body, status_code=422)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(PausepointError, _pausepoint_error)
    app.add_exception_handler(RequestValidationError, _request_invalid)
