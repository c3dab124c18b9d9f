"""The mock behind real HTTPS, for the commands that call SMT (fixtures shared with the
client's tests)."""

from tests.clients.conftest import certificates, serve

__all__ = ["certificates", "serve"]
