"""SOAP for SMT: request envelopes from records (``build_request``), and answers checked
(``check_answer``) and turned into records (``parse_answer``).

``build_request`` loads zeep (and with it requests) on first use only, so that the pure
parsers here can be imported without them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adapter.soap.answers import SUCCESS_CODES, Answer, check_answer, parse_answer

if TYPE_CHECKING:
    from adapter.soap.envelopes import Request, build_request

__all__ = ["SUCCESS_CODES", "Answer", "Request", "build_request", "check_answer", "parse_answer"]


def __getattr__(name: str) -> Any:
    if name in ("Request", "build_request"):
        from adapter.soap import envelopes

        return getattr(envelopes, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
