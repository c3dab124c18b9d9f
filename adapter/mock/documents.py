"""The bundled contract as the mock serves it: each service's WSDL at ``<path>?wsdl`` with
only its address changed to the mock's own URL, and the XSDs unchanged at the URLs their
relative ``schemaLocation`` resolves to (``<anything>/schemas/<service>/<file>.xsd``).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from adapter.contract import Service, bundle_root

__all__ = ["PLACEHOLDER_ADDRESS", "read_schema", "render_wsdl"]

PLACEHOLDER_ADDRESS = "https://smt.example.invalid"
_SCHEMA_PATH = re.compile(r"(?:^|/)schemas/((?:[A-Za-z0-9_.-]+/)*[A-Za-z0-9_.-]+\.xsd)$")


def render_wsdl(service: Service, base_url: str) -> bytes:
    """The service's WSDL, byte for byte, except the soap:address now names ``base_url``."""
    original = _read(service.wsdl)
    return original.replace(
        f'location="{PLACEHOLDER_ADDRESS}{service.path}"'.encode(),
        f'location="{base_url}{service.path}"'.encode(),
    )


def read_schema(url_path: str) -> bytes | None:
    """The bundled XSD a URL path names, or None if it names none (nothing outside the
    bundle's schemas/ folder is ever served)."""
    match = _SCHEMA_PATH.search(url_path)
    if match is None or ".." in match.group(1).split("/"):
        return None
    schemas = (bundle_root() / "schemas").resolve()
    path = (schemas / match.group(1)).resolve()
    if not path.is_relative_to(schemas) or not path.is_file():
        return None
    return _read(path)


@functools.cache
def _read(path: Path) -> bytes:
    return path.read_bytes()
