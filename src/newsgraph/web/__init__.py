"""The explorer: a local, read-only web UI (and JSON API) over a newsgraph database.

``create_app(db)`` builds the FastAPI application, ``serve(db)`` runs it on
http://127.0.0.1:8000. Every page has a JSON twin (``.json`` suffix or ``Accept:
application/json``); ``docs/web.md`` describes the pages, the API and how the server
keeps working while another process ingests into the same file.
"""

from newsgraph.web.app import create_app, serve
from newsgraph.web.source import DatabaseBusyError

__all__ = ["DatabaseBusyError", "create_app", "serve"]
