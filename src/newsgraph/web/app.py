"""The explorer's application: :func:`create_app` builds it, :func:`serve` runs it.

Safe by default: it binds 127.0.0.1, never writes to the database (it reads private
snapshots, see :mod:`newsgraph.web.source`), answers only GET, accepts only loopback
host names while bound to loopback (no DNS rebinding), sends a strict
Content-Security-Policy (scripts and styles only from ``/static``), and turns every
error into a short 4xx/5xx page or JSON body without a traceback.

Example::

    from newsgraph.web import create_app, serve

    app = create_app("newsgraph.duckdb")   # for an ASGI server or a test client
    serve("newsgraph.duckdb")              # http://127.0.0.1:8000
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import Response

from newsgraph.errors import StorageError
from newsgraph.web import queries
from newsgraph.web.render import Renderer
from newsgraph.web.routes import build_router, warm
from newsgraph.web.source import DatabaseBusyError, DataSource

log = logging.getLogger("newsgraph.web")

STATIC = Path(__file__).parent / "static"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def create_app(
    db_path: str | Path,
    *,
    read_only: bool = True,
    allowed_hosts: Sequence[str] = LOOPBACK_HOSTS,
    refresh_seconds: float = 30.0,
) -> FastAPI:
    """Build the explorer over a newsgraph database.

    Args:
        db_path: the DuckDB file written by ``newsgraph ingest``.
        read_only: serve from private snapshots and never open the file for writing
            (default). ``False`` opens the file itself, read-write, for the app's life.
        allowed_hosts: ``Host`` header values accepted (loopback names by default; ``*``
            accepts any, for a server deliberately bound to another address).
        refresh_seconds: least time between two snapshots while the file keeps changing.

    Raises:
        StorageError: when ``db_path`` does not exist or is not a newsgraph database.

    Example::

        from fastapi.testclient import TestClient
        client = TestClient(create_app("newsgraph.duckdb"), base_url="http://127.0.0.1")
        client.get("/events.json", params={"status": "alleged"}).json()["total"]
    """
    source = DataSource(
        db_path,
        read_only=read_only,
        refresh_seconds=refresh_seconds,
        prepare=queries.prepare,
        warm=warm,
    )

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        source.close()

    app = FastAPI(
        title="newsgraph explorer",
        summary="Evidence-linked event data from news articles, read-only.",
        version="0.1.0",
        docs_url=None,  # the interactive docs load scripts from a CDN; /api lists the routes
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.source = source
    renderer = Renderer(
        {
            "stories_enabled": lambda: all(map(source.has_table, queries.STORY_TABLES)),
            "source_status": source.status,
        }
    )
    app.state.renderer = renderer

    app.include_router(build_router(source, renderer))
    app.mount("/static", StaticFiles(directory=STATIC, follow_symlink=False), name="static")

    def api(request: Request) -> Response:
        """The routes of this server, from its OpenAPI schema."""
        schema = app.openapi()
        routes = [
            {
                "path": path,
                "summary": op.get("summary", ""),
                "parameters": [
                    p["name"] for p in op.get("parameters", []) if p.get("in") == "query"
                ],
            }
            for path, ops in schema["paths"].items()
            for op in ops.values()
        ]
        return renderer.page(request, "api.html", {"openapi": "/openapi.json", "routes": routes})

    app.add_api_route(
        "/api", api, methods=["GET"], summary="List of routes", include_in_schema=False
    )

    def favicon() -> Response:
        """The icon browsers ask for at this fixed path (the pages link the same SVG)."""
        return Response((STATIC / "favicon.svg").read_bytes(), media_type="image/svg+xml")

    app.add_api_route("/favicon.ico", favicon, methods=["GET"], include_in_schema=False)

    _add_error_handlers(app, renderer)
    _add_middleware(app, allowed_hosts)
    return app


def _add_middleware(app: FastAPI, allowed_hosts: Sequence[str]) -> None:
    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "public, max-age=3600")
        else:
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.middleware("http")
    async def head_as_get(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Answer HEAD as GET without the body (RFC 9110: every GET resource has HEAD)."""
        if request.method != "HEAD":
            return await call_next(request)
        request.scope["method"] = "GET"
        response = await call_next(request)
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        length = response.headers.get("content-length")
        head = Response(status_code=response.status_code, headers=headers)
        if length is not None:
            head.headers["content-length"] = length
        return head

    app.add_middleware(GZipMiddleware, minimum_size=2048)
    hosts = [h.strip("[]") if h.count(":") > 1 else h for h in allowed_hosts]
    if "*" not in hosts:
        hosts = sorted({*hosts, *(f"[{h}]" for h in hosts if ":" in h)})
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=hosts)


def _error(
    renderer: Renderer,
    request: Request,
    status: int,
    message: str,
    *,
    headers: Mapping[str, str] | None = None,
    problems: list[str] | None = None,
    busy: bool = False,
) -> Response:
    data: dict[str, Any] = {"error": {"status": status, "message": message}}
    if problems:
        data["error"]["problems"] = problems
    template = "busy.html" if busy else "error.html"
    return renderer.page(request, template, data, status_code=status, headers=headers)


def _add_error_handlers(app: FastAPI, renderer: Renderer) -> None:
    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        messages = {404: "not found", 405: "method not allowed"}
        detail = exc.detail if isinstance(exc.detail, str) else ""
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no page at {request.url.path}"
        message = detail or messages.get(exc.status_code, "request failed")
        return _error(renderer, request, exc.status_code, message, headers=exc.headers)

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        problems = [
            f"{'.'.join(str(part) for part in error.get('loc', ())[1:]) or 'request'}: "
            f"{error.get('msg', 'invalid')}"
            for error in exc.errors()
        ]
        return _error(renderer, request, 400, "invalid request", problems=problems)

    async def busy(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DatabaseBusyError)
        return _error(
            renderer,
            request,
            503,
            "database busy, retrying: another process is writing to it and no consistent "
            "copy could be read yet",
            headers={"Retry-After": str(exc.retry_after)},
            busy=True,
        )

    async def storage_error(request: Request, exc: Exception) -> Response:
        log.warning("storage error: %s", exc)
        return _error(
            renderer,
            request,
            503,
            "the database cannot be read right now",
            headers={"Retry-After": "5"},
        )

    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("error serving %s", request.url.path, exc_info=exc)
        return _error(renderer, request, 500, "internal error (the server log has the details)")

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(DatabaseBusyError, busy)
    app.add_exception_handler(StorageError, storage_error)
    app.add_exception_handler(Exception, server_error)


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(
    db: str | Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    read_only: bool = True,
    log_level: str = "info",
) -> None:
    """Run the explorer with uvicorn until interrupted (binds 127.0.0.1 unless told otherwise).

    Raises:
        StorageError: when ``db`` does not exist or is not a newsgraph database.
    """
    import uvicorn

    hosts: Sequence[str] = LOOPBACK_HOSTS if is_loopback(host) else ("*",)
    if not is_loopback(host):
        log.warning("serving on %s: anyone who can reach it can read the database", host)
    app = create_app(db, read_only=read_only, allowed_hosts=hosts)
    uvicorn.run(app, host=host, port=port, log_level=log_level, server_header=False)
