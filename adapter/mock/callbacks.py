"""The callback feature (3.1.1.1 and the other asynchronous REST functions): the JSON
report of a request with deliveryMode API is POSTed to the caller's API, here the
configured ``[mock.callbacks] url``, in a background thread once the report is ready.
A failure is logged, never raised into a request.
"""

from __future__ import annotations

import json
import logging
import ssl
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from adapter.mock.config import CallbackSettings

__all__ = ["CallbackSender"]

log = logging.getLogger("adapter.mock.callbacks")


class CallbackSender:
    """Posts reports to one URL, each after its delay, each once."""

    def __init__(self, settings: CallbackSettings) -> None:
        self.settings = settings
        self._context: ssl.SSLContext | None = None
        if settings.url.startswith("https://"):
            cafile = None if settings.ca_file is None else str(settings.ca_file)
            self._context = ssl.create_default_context(cafile=cafile)
            self._context.minimum_version = ssl.TLSVersion.TLSv1_2

    def schedule(self, delay_seconds: float, build: Callable[[], Any], what: str) -> None:
        """POST ``build()`` (built when the report is ready) after ``delay_seconds``."""
        timer = threading.Timer(delay_seconds, self._send, args=(build, what))
        timer.daemon = True  # a pending callback never keeps the mock from stopping
        timer.start()

    def _send(self, build: Callable[[], Any], what: str) -> None:
        try:
            body = json.dumps(build()).encode()
            request = urllib.request.Request(  # noqa: S310 - the URL is checked to be http(s)
                self.settings.url,
                data=body,
                method="POST",
                headers={"Content-Type": "application/json"},
            )
            with urllib.request.urlopen(  # noqa: S310
                request, timeout=self.settings.timeout_seconds, context=self._context
            ) as answer:
                log.info(
                    "callback for %s: POSTed to %s, HTTP %s", what, self.settings.url, answer.status
                )
        except (urllib.error.URLError, OSError, ValueError) as exc:
            log.warning("callback for %s: POST to %s failed: %s", what, self.settings.url, exc)
        except Exception:  # a callback must never take the mock down
            log.exception("callback for %s: building or sending the report failed", what)
