"""The one place where XML parsers are configured: every parser the adapter builds comes
from here, with entity expansion, DTD loading and network access switched off."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from typing import Any

from lxml import etree

from adapter.errors import ConfigurationError

__all__ = ["DEFAULT_LIMITS", "Limits", "Source", "open_source", "parser_options", "safe_parser"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Size limits applied before and while parsing.

    ``max_bytes``: a larger document is refused before it is read.
    ``max_violations``: at most this many violations are reported per document.
    libxml2's own limits (a text node of at most 10,000,000 bytes, nesting at most 256
    deep) stay on because ``huge_tree`` is never enabled."""

    max_bytes: int = 512 * 1024 * 1024
    max_violations: int = 200

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_violations"):
            value = getattr(self, name)
            if value < 1:
                raise ConfigurationError(
                    f"{name} must be at least 1, got {value}", field=name, value=str(value)
                )


DEFAULT_LIMITS = Limits()

Source = str | os.PathLike[str] | bytes
"""A document: a file path, or its bytes."""


def open_source(source: Source) -> io.BufferedIOBase:
    """Open a document for binary reading (the caller closes it).

    Also empties this thread's lxml error log, so that a parse failure's log holds the
    causes from this document only."""
    etree.clear_error_log()
    if isinstance(source, bytes):
        return io.BytesIO(source)
    return open(source, "rb")


def parser_options() -> dict[str, Any]:
    """Keyword arguments shared by every lxml parser and ``iterparse`` call."""
    return {
        "resolve_entities": False,
        "no_network": True,
        "load_dtd": False,
        "huge_tree": False,
        "remove_blank_text": False,
        # comments and processing instructions carry nothing a schema checks: never kept
        "remove_comments": True,
        "remove_pis": True,
    }


def safe_parser() -> etree.XMLParser:
    """A fresh lxml parser with the safe options (parsers are not thread-safe: one per use)."""
    parser: etree.XMLParser = etree.XMLParser(**parser_options())
    return parser
