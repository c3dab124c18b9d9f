"""Orchestration only: the clients that run the pipeline of DESIGN.md end to end."""

from adapter.clients.rest import RestClient
from adapter.clients.soap import SoapClient

__all__ = ["RestClient", "SoapClient"]
