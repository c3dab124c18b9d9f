"""The TLS peer's subject as Apache's mod_ssl names it in the WSGI environ
(``SSL_CLIENT_S_DN``), formatted from ``SSLSocket.getpeercert()`` data."""

from __future__ import annotations

__all__ = ["format_rfc4514"]

# OpenSSL's long attribute names -> the RFC 4514 short names (others keep their name).
_RFC4514_NAMES = {
    "commonName": "CN",
    "localityName": "L",
    "stateOrProvinceName": "ST",
    "organizationName": "O",
    "organizationalUnitName": "OU",
    "countryName": "C",
    "streetAddress": "STREET",
    "domainComponent": "DC",
    "userId": "UID",
    "emailAddress": "1.2.840.113549.1.9.1",
}


def format_rfc4514(subject: tuple[tuple[tuple[str, str], ...], ...]) -> str:
    """Format a subject from ``SSLSocket.getpeercert()`` as an RFC 4514 string
    (last RDN first), as ``cryptography``'s ``Name.rfc4514_string()`` does."""
    return ",".join(
        "+".join(f"{_RFC4514_NAMES.get(key, key)}={_escape_rfc4514(value)}" for key, value in rdn)
        for rdn in reversed(subject)
    )


def _escape_rfc4514(value: str) -> str:
    if not value:
        return ""
    for char in '\\"+,;<>':
        value = value.replace(char, "\\" + char)
    value = value.replace("\0", "\\00")
    if value[0] in "# ":
        value = "\\" + value
    if value[-1] == " ":
        value = value[:-1] + "\\ "
    return value
