"""The one place where errors become HTTP responses: `{"error", "detail", "fields"}`."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

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


def _field(error: dict[str, Any]) -> dict[str, str]:
    loc = tuple(error.get("loc", ()))
    if loc == ("body",) and error.get("type") == "missing":
        return {"loc": "", "message": "request body is empty; send a JSON object"}
    if loc == ("body",) and error.get("type") in ("model_attributes_type", "dict_type"):
        return {"loc": "", "message": "request body must be a JSON object"}
    return {"loc": _loc(loc), "message": error.get("msg", "")}


def _request_invalid(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = [_field(e) for e in exc.errors()]
    detail = "; ".join(f"{f['loc']}: {f['message']}" if f["loc"] else f["message"] for f in fields)
    body = {"error": "invalid_request", "detail": detail or "invalid request", "fields": fields}
    return JSONResponse(body, status_code=422)


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's and FastAPI's own refusals (unknown path, wrong method)
    in the same shape as ours: `{"error": "method_not_allowed", "detail": ..., "fields": []}`."""
    assert isinstance(exc, HTTPException)
    try:
        code = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "_")
    except ValueError:
        code = "error"
    body = {"error": code, "detail": exc.detail, "fields": []}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(PausepointError, _pausepoint_error)
    app.add_exception_handler(RequestValidationError, _request_invalid)
    app.add_exception_handler(HTTPException, _http_error)
