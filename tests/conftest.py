"""Shared test fixtures. Sockets may only reach loopback: any other address fails the test."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SOAP_FIXTURES = FIXTURES / "soap"


def _is_loopback(address: Any) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, bytes):
        host = host.decode()
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guard(address: Any) -> None:
        if not _is_loopback(address):
            raise AssertionError(f"test tried to reach the network: {address!r}")

    def connect(self: socket.socket, address: Any) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            guard(address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            guard(address)
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)


def guide_fixtures() -> list[Path]:
    """The 24 examples transcribed from section 3.2 of the guide."""
    return sorted(p for p in SOAP_FIXTURES.glob("*/*.xml"))


def generated_fixtures() -> list[Path]:
    return sorted(SOAP_FIXTURES.glob("*/generated/*.xml"))


def all_soap_fixtures() -> list[Path]:
    return guide_fixtures() + generated_fixtures()


def fixture_id(path: Path) -> str:
    return str(path.relative_to(SOAP_FIXTURES))
