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
            length = -1
        if length < 0:
            return "400 Bad Request", {"error": "Content-Length is not a number of bytes"}
        if length > self.max_bytes:
            return "413 Content Too Large", {"error": f"more than {self.max_bytes} bytes"}
        data = environ["wsgi.input"].read(length)
        if len(data) != length:
            return "400 Bad Request", {"error": f"the body ended after {len(data)} bytes"}
        try:
            report = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
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
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            try:
                # link, not rename: it fails if the name exists, even for another process
                os.link(temporary, target)
            except FileExistsError:
                return self._compare(correlation, target, data)
            _sync_folder(self.folder)
        finally:
            Path(temporary).unlink(missing_ok=True)
        log.info("stored the callback for correlationId %s (%d bytes)", correlation, len(data))
        return "200 OK", {"correlationId": correlation, "stored": target.name}

    def _compare(self, correlation: str, target: Path, data: bytes) -> tuple[str, dict[str, str]]:
        if hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(data).digest():
            return "200 OK", {"correlationId": correlation, "stored": "duplicate"}
        log.warning("refused a different report for correlationId %s", correlation)
        return "409 Conflict", {
            "error": f"another report is stored for correlationId {correlation}; "
            "it is not written over"
        }


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)  # the new name survives a power cut too
    finally:
        os.close(descriptor)
