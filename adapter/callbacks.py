"""Receiving SMT's callbacks: the JSON reports SMT pushes to the customer's own API for
asynchronous requests made with deliveryMode API (the guide's "callback feature").

``CallbackReceiver`` is a WSGI application: it takes a POSTed JSON object that names its
``correlationId``, stores it as ``<correlationId>.json`` in its folder, written to a
temporary file and renamed into place (a crash never leaves half a report under the real
name), and answers 200. The same report sent again is stored once. Another body under a
correlationId already stored is refused with 409, never written over.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

__all__ = ["CallbackReceiver"]

log = logging.getLogger("adapter.callbacks")

_CORRELATION_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
StartResponse = Callable[..., Any]


class CallbackReceiver:
    """Stores SMT's pushed reports in ``folder``; ``max_bytes`` caps one body."""

    def __init__(self, folder: Path, *, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        self._lock = threading.Lock()  # one writer decides "new or duplicate" at a time
        folder.mkdir(parents=True, exist_ok=True)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        status, answer = self._receive(environ)
        body = json.dumps(answer).encode()
        start_response(
            status,
            [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
        )
        return [body]

    def _receive(self, environ: dict[str, Any]) -> tuple[str, dict[str, str]]:
        if environ.get("REQUEST_METHOD") != "POST":
            return "405 Method Not Allowed", {"error": "SMT's callbacks are POSTed JSON"}
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return "400 Bad Request", {"error": "Content-Length is not a number"}
        if length > self.max_bytes:
            return "413 Content Too Large", {"error": f"more than {self.max_bytes} bytes"}
        data = environ["wsgi.input"].read(length)
        try:
            report = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            log.warning("refused a callback that is not JSON: %s", exc)
            return "400 Bad Request", {"error": f"the body is not JSON: {exc}"}
        correlation = report.get("correlationId") if isinstance(report, dict) else None
        if not isinstance(correlation, str) or not _CORRELATION_ID.fullmatch(correlation):
            log.warning("refused a callback without a usable correlationId: %r", correlation)
            return "400 Bad Request", {
                "error": "a callback is a JSON object with a correlationId of 1 to 64 letters, "
                f"digits, - or _; got {correlation!r}"
            }
        return self._store(correlation, data)

    def _store(self, correlation: str, data: bytes) -> tuple[str, dict[str, str]]:
        target = self.folder / f"{correlation}.json"
        digest = hashlib.sha256(data).hexdigest()
        with self._lock:
            if target.exists():
                if hashlib.sha256(target.read_bytes()).hexdigest() == digest:
                    return "200 OK", {"correlationId": correlation, "stored": "duplicate"}
                log.warning("refused a different report for correlationId %s", correlation)
                return "409 Conflict", {
                    "error": f"another report is stored for correlationId {correlation}; "
                    "it is not written over"
                }
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".part")
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(data)
                    stream.flush()
                    os.fsync(stream.fileno())
                os.replace(temporary, target)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        log.info("stored the callback for correlationId %s (%d bytes)", correlation, len(data))
        return "200 OK", {"correlationId": correlation, "stored": target.name}
