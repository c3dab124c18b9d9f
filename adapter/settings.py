"""Frozen client settings: where SMT is, who is calling and how (the two security eras),
timeouts and retries. Built in code or, by the CLI only, from a TOML file and the
environment (``adapter.cli.config``); checked on construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from urllib.parse import urlsplit

from adapter.contract import Profile
from adapter.errors import ConfigurationError
from adapter.transport.http import Timeouts
from adapter.transport.tls import ClientCertificate

__all__ = [
    "ENDPOINTS",
    "AuthProfile",
    "ClientSettings",
    "RetryPolicy",
    "resolve_base_url",
]

# The guide's hosts (section 3): every SOAP service hangs below them at its WSDL's path.
ENDPOINTS = {
    "uat": "https://uat.services.smartmetertexas.net",
    "production": "https://services.smartmetertexas.net",
}


class AuthProfile(Enum):
    """SMT's two security eras.

    ``CERTIFICATE`` (until 2025): mutual TLS with the client certificate SMT registered,
    plus HTTP Basic. ``TOKEN`` (2025): a JWT from ``POST /v2/token/``, sent as Bearer."""

    CERTIFICATE = "certificate"
    TOKEN = "token"  # noqa: S105 - the profile's name, not a secret

    @classmethod
    def parse(cls, value: str, *, field_name: str = "security") -> AuthProfile:
        try:
            return cls(value)
        except ValueError:
            names = ", ".join(p.value for p in cls)
            raise ConfigurationError(
                f"{field_name}: {value!r} is not a security profile; choose one of {names}",
                field=field_name,
                value=value,
            ) from None


def resolve_base_url(value: str, *, field_name: str = "endpoint") -> str:
    """``uat``, ``production`` or an http(s) URL, as a base URL without a trailing slash."""
    url = ENDPOINTS.get(value.strip().lower(), value.strip())
    try:
        parts = urlsplit(url)
        host = parts.hostname
        if host:
            host.encode("idna")  # what the connection will do: fail here, not there
        parts.port  # noqa: B018 - raises for a port that is not a number
    except (ValueError, UnicodeError):
        host = None
    if parts.scheme not in ("https", "http") or not host:
        raise ConfigurationError(
            f"{field_name}: {value!r} is neither {' nor '.join(ENDPOINTS)} nor an http(s) URL "
            "with a valid host",
            field=field_name,
            value=value,
        )
    return url.rstrip("/")


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    """How often a call that is safe to repeat is tried (``attempts`` in all, 1 = never
    retried), waiting ``base_delay * 2**n`` seconds (at most ``max_delay``) with full
    jitter between tries."""

    attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 8.0

    def __post_init__(self) -> None:
        if isinstance(self.attempts, bool) or not isinstance(self.attempts, int):
            raise ConfigurationError(
                f"retries.attempts: {self.attempts!r} must be a whole number",
                field="retries.attempts",
                value=repr(self.attempts),
            )
        if not 1 <= self.attempts <= 10:
            raise ConfigurationError(
                f"retries.attempts: {self.attempts} must be 1 to 10",
                field="retries.attempts",
                value=str(self.attempts),
            )
        for name in ("base_delay", "max_delay"):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not 0 <= value <= 300
            ):
                raise ConfigurationError(
                    f"retries.{name}: {value} must be 0 to 300 seconds",
                    field=f"retries.{name}",
                    value=str(value),
                )


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientSettings:
    """Everything a ``SoapClient`` needs.

    ``username`` is the SMT API user (the service ID SMT issued); requests must carry it
    as their ``requestorID``. ``password`` never appears in a repr or a message.
    ``certificate`` is required under ``CERTIFICATE``; ``ca_file`` replaces the system's
    trust store (e.g. the mock's throwaway CA). ``token_url`` defaults to
    ``<base_url>/v2/token/``."""

    base_url: str
    username: str
    password: str = field(repr=False)
    security: AuthProfile = AuthProfile.CERTIFICATE
    certificate: ClientCertificate | None = None
    ca_file: Path | None = None
    token_url: str | None = None
    timeouts: Timeouts = field(default_factory=Timeouts)
    retries: RetryPolicy = field(default_factory=RetryPolicy)
    profile: Profile = Profile.WIRE

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_url", resolve_base_url(self.base_url, field_name="base_url"))
        if self.token_url is not None:
            if not isinstance(self.token_url, str) or self.token_url.strip().lower() in ENDPOINTS:
                raise ConfigurationError(
                    f"token_url: {self.token_url!r} must be an http(s) URL",
                    field="token_url",
                    value=repr(self.token_url),
                )
            object.__setattr__(
                self, "token_url", resolve_base_url(self.token_url, field_name="token_url") + "/"
            )
        if not self.username.strip():
            raise ConfigurationError(
                "username: the SMT service ID is required", field="username", value=""
            )
        if not self.password:
            raise ConfigurationError(
                "password: required (from the environment or a file)",
                field="password",
                value="",
            )
        if self.security is AuthProfile.CERTIFICATE and self.certificate is None:
            raise ConfigurationError(
                "certificate: the certificate profile needs a client certificate "
                "(PEM certificate and key, or a PKCS#12 bundle)",
                field="certificate",
                value="",
            )
        if self.ca_file is not None and not self.ca_file.is_file():
            raise ConfigurationError(
                f"ca_file: {str(self.ca_file)!r} is not a file",
                field="ca_file",
                value=str(self.ca_file),
            )

    @property
    def token_endpoint(self) -> str:
        return self.token_url or f"{self.base_url}/v2/token/"
