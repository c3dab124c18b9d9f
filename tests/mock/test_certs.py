"""The mock's throwaway PKI: files, permissions, chains, PKCS#12 and validity."""

from __future__ import annotations

import ssl
import stat
from datetime import UTC, datetime, timedelta
from ipaddress import ip_address
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from cryptography.x509.verification import PolicyBuilder, Store

from adapter.errors import ConfigurationError
from adapter.mock.certs import CertificateSet, describe_certificate_set, write_certificate_set

NAMES = ["ca.pem", "server.pem", "server-key.pem", "client.pem", "client-key.pem", "client.p12"]


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> CertificateSet:
    return write_certificate_set(tmp_path_factory.mktemp("pki") / "certs")


def _chain(path: Path) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(path.read_bytes())


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_set_holds_the_named_files_keys_private_and_certificates_readable(
    certs: CertificateSet,
) -> None:
    directory = certs.ca_cert.parent
    assert sorted(p.name for p in directory.iterdir()) == sorted([*NAMES, "client.p12.password"])
    assert _mode(directory) == 0o700
    for path in (certs.server_key, certs.client_key, certs.client_p12):
        assert _mode(path) == 0o600, path
    assert _mode(directory / "client.p12.password") == 0o600
    assert (directory / "client.p12.password").read_text().strip() == certs.p12_password
    for path in (certs.ca_cert, certs.server_cert, certs.client_cert):
        assert _mode(path) == 0o644, path
    assert b"ENCRYPTED" not in certs.client_key.read_bytes()


def test_leaf_files_hold_the_full_chain_leaf_first(certs: CertificateSet) -> None:
    (ca,) = _chain(certs.ca_cert)
    for path in (certs.server_cert, certs.client_cert):
        leaf, issuer = _chain(path)
        assert issuer == ca
        assert leaf.issuer == ca.subject


def test_the_ca_may_only_sign_end_entity_certificates(certs: CertificateSet) -> None:
    (ca,) = _chain(certs.ca_cert)
    constraints = ca.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca and constraints.value.path_length == 0
    assert ca.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign


def test_the_client_certificate_is_signed_by_the_ca_for_client_auth(
    certs: CertificateSet,
) -> None:
    (ca,) = _chain(certs.ca_cert)
    leaf, _ = _chain(certs.client_cert)
    leaf.verify_directly_issued_by(ca)
    assert leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "CSPAPIUser1"
    usage = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usage) == [ExtendedKeyUsageOID.CLIENT_AUTH]


def test_openssl_accepts_both_chains_in_a_mutual_tls_handshake(certs: CertificateSet) -> None:
    client = ssl.create_default_context(cafile=certs.ca_cert)
    client.load_cert_chain(certs.client_cert, certs.client_key)
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=certs.ca_cert)
    server.load_cert_chain(certs.server_cert, certs.server_key)
    server.verify_mode = ssl.CERT_REQUIRED

    client_side = _handshake(client, server, server_hostname="localhost")
    assert client_side.getpeercert()["subjectAltName"] == (  # type: ignore[index]
        ("DNS", "localhost"),
        ("IP Address", "127.0.0.1"),
        ("IP Address", "0:0:0:0:0:0:0:1"),
    )


def _handshake(
    client: ssl.SSLContext, server: ssl.SSLContext, *, server_hostname: str
) -> ssl.SSLObject:
    """A TLS handshake in memory: the same verification as over a socket, without one."""
    to_server, to_client = ssl.MemoryBIO(), ssl.MemoryBIO()
    client_side = client.wrap_bio(to_client, to_server, server_hostname=server_hostname)
    server_side = server.wrap_bio(to_server, to_client, server_side=True)
    done = {client_side: False, server_side: False}
    for _ in range(10):
        for side in done:
            if not done[side]:
                try:
                    side.do_handshake()
                    done[side] = True
                except ssl.SSLWantReadError:
                    pass
        if all(done.values()):
            # TLS 1.3 verifies the client's certificate after the client has finished.
            client_side.write(b"ping")
            assert server_side.read(4) == b"ping"
            return client_side
    raise AssertionError("the handshake did not finish")


def test_the_server_certificate_names_every_host_and_verifies_for_server_auth(
    certs: CertificateSet,
) -> None:
    (ca,) = _chain(certs.ca_cert)
    leaf, _ = _chain(certs.server_cert)
    for host in ("localhost", "127.0.0.1", "::1"):
        name: x509.DNSName | x509.IPAddress = (
            x509.DNSName(host) if host == "localhost" else x509.IPAddress(ip_address(host))
        )
        verifier = PolicyBuilder().store(Store([ca])).build_server_verifier(name)
        assert verifier.verify(leaf, []) == [leaf, ca]
    usage = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usage) == [ExtendedKeyUsageOID.SERVER_AUTH]


def test_the_pkcs12_bundle_opens_with_its_password_only(certs: CertificateSet) -> None:
    data = certs.client_p12.read_bytes()
    key, certificate, extra = pkcs12.load_key_and_certificates(data, certs.p12_password.encode())
    leaf, ca = _chain(certs.client_cert)
    assert key is not None and certificate == leaf and extra == [ca]
    with pytest.raises(ValueError, match="password"):
        pkcs12.load_key_and_certificates(data, b"wrong")


def test_certificates_are_valid_for_the_given_days_from_now(tmp_path: Path) -> None:
    cs = write_certificate_set(tmp_path, days=7, p12_password="chosen")
    now = datetime.now(UTC)
    for path in (cs.ca_cert, cs.server_cert, cs.client_cert):
        leaf = _chain(path)[0]
        assert leaf.not_valid_after_utc - leaf.not_valid_before_utc == timedelta(days=7)
        assert leaf.not_valid_before_utc <= now
        assert abs(leaf.not_valid_after_utc - (now + timedelta(days=7))) < timedelta(minutes=10)
    assert cs.p12_password == "chosen"


def test_an_existing_set_is_not_overwritten_unless_asked(tmp_path: Path) -> None:
    first = write_certificate_set(tmp_path)
    before = first.client_cert.read_bytes()
    with pytest.raises(ConfigurationError, match=r"client\.pem") as caught:
        write_certificate_set(tmp_path)
    assert (caught.value.field, caught.value.value) == ("directory", str(tmp_path))
    assert first.client_cert.read_bytes() == before

    second = write_certificate_set(tmp_path, overwrite=True)
    assert second.client_cert.read_bytes() != before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_one_existing_file_is_enough_to_refuse(tmp_path: Path) -> None:
    (tmp_path / "client.p12").write_bytes(b"")
    with pytest.raises(ConfigurationError, match=r"client\.p12"):
        write_certificate_set(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["client.p12"]


def test_an_unwritable_directory_is_a_configuration_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(ConfigurationError) as caught:
        write_certificate_set(blocker / "certs")
    assert caught.value.field == "directory"


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"client_name": " "}, "client_name"),
        ({"hosts": ()}, "hosts"),
        ({"hosts": "localhost"}, "hosts"),
        ({"days": 0}, "days"),
    ],
)
def test_bad_arguments_name_the_field_and_write_nothing(
    tmp_path: Path, arguments: dict[str, object], field: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        write_certificate_set(tmp_path / "certs", **arguments)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert not (tmp_path / "certs").exists()


def test_the_description_names_subject_expiry_and_fingerprint(certs: CertificateSet) -> None:
    lines = describe_certificate_set(certs)
    text = "\n".join(lines)
    leaf, _ = _chain(certs.client_cert)
    assert "CN=CSPAPIUser1,O=smt-adapter mock" in text
    assert leaf.fingerprint(hashes.SHA256()).hex(":").upper() in text
    assert leaf.not_valid_after_utc.strftime("%Y-%m-%d") in text
    assert certs.p12_password not in text


def test_a_set_expiring_within_the_margin_is_not_read_back(tmp_path: Path) -> None:
    from datetime import timedelta

    from adapter.mock.certs import read_certificate_set

    written = write_certificate_set(tmp_path / "short", days=1)
    assert read_certificate_set(tmp_path / "short", valid_for=timedelta(hours=1)) == written
    assert read_certificate_set(tmp_path / "short", valid_for=timedelta(days=2)) is None
    assert read_certificate_set(tmp_path / "none", valid_for=timedelta(0)) is None
