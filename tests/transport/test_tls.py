"""Client TLS contexts: which certificate forms load, and what each broken one says."""

from __future__ import annotations

import ssl
import tempfile
from pathlib import Path

import pytest
import trustme

from adapter.errors import CertificateError, ConfigurationError
from adapter.mock.certs import CertificateSet, write_certificate_set
from adapter.transport import ClientCertificate, build_client_context, load_client_certificate
from tests.transport import encrypt_key, write_leaf, write_pkcs12

SECRET = "correct horse battery staple"


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> CertificateSet:
    return write_certificate_set(tmp_path_factory.mktemp("pki"), p12_password=SECRET)


def test_the_context_is_tls_1_2_or_later_with_hostnames_checked(certs: CertificateSet) -> None:
    context = build_client_context(ca_file=certs.ca_cert)

    assert context.minimum_version == ssl.TLSVersion.TLSv1_2
    assert context.check_hostname is True
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert len(context.get_ca_certs()) == 1  # only the CA file given, nothing else


def test_without_a_ca_file_the_environment_does_not_choose_the_trust_store(
    certs: CertificateSet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certs.ca_cert))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))

    context = build_client_context()

    assert "smt-adapter mock" not in str(context.get_ca_certs())


@pytest.mark.parametrize(
    "form",
    ["pem", "key-inside-cert", "encrypted-key", "pkcs12", "pkcs12-unencrypted"],
)
def test_each_certificate_form_loads(certs: CertificateSet, tmp_path: Path, form: str) -> None:
    if form == "pem":
        certificate = ClientCertificate(cert_file=certs.client_cert, key_file=certs.client_key)
    elif form == "key-inside-cert":
        both = tmp_path / "both.pem"
        both.write_bytes(certs.client_cert.read_bytes() + certs.client_key.read_bytes())
        certificate = ClientCertificate(cert_file=both)
    elif form == "encrypted-key":
        key = encrypt_key(certs.client_key, SECRET, tmp_path / "key.pem")
        certificate = ClientCertificate(cert_file=certs.client_cert, key_file=key, password=SECRET)
    elif form == "pkcs12":
        certificate = ClientCertificate(pkcs12_file=certs.client_p12, password=SECRET)
    else:
        p12 = write_pkcs12(certs.client_cert, certs.client_key, None, tmp_path / "c.p12")
        certificate = ClientCertificate(pkcs12_file=p12)

    context = build_client_context(ca_file=certs.ca_cert, certificate=certificate)

    assert isinstance(context, ssl.SSLContext)
    loaded = load_client_certificate(certificate)
    assert loaded.key_matches
    assert [c.subject.rfc4514_string() for c in loaded.chain] == [
        loaded.leaf.issuer.rfc4514_string()
    ]


def test_pkcs12_leaves_no_key_file_behind(
    certs: CertificateSet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    build_client_context(
        certificate=ClientCertificate(pkcs12_file=certs.client_p12, password=SECRET)
    )

    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("form", ["encrypted-key", "pkcs12"])
def test_a_wrong_password_names_the_file_and_never_the_password(
    certs: CertificateSet, tmp_path: Path, form: str
) -> None:
    wrong = "not-the-password-42"
    if form == "pkcs12":
        certificate = ClientCertificate(pkcs12_file=certs.client_p12, password=wrong)
        named = certs.client_p12
    else:
        named = encrypt_key(certs.client_key, SECRET, tmp_path / "key.pem")
        certificate = ClientCertificate(cert_file=certs.client_cert, key_file=named, password=wrong)

    with pytest.raises(CertificateError, match="wrong password") as caught:
        build_client_context(certificate=certificate)

    assert caught.value.path == str(named)
    assert str(named) in str(caught.value)
    assert wrong not in str(caught.value) and wrong not in repr(certificate)


def test_an_encrypted_key_without_a_password_is_refused_without_a_prompt(
    certs: CertificateSet, tmp_path: Path
) -> None:
    key = encrypt_key(certs.client_key, SECRET, tmp_path / "key.pem")

    with pytest.raises(CertificateError, match="encrypted and no password"):
        build_client_context(
            certificate=ClientCertificate(cert_file=certs.client_cert, key_file=key)
        )


def test_a_key_that_does_not_match_the_certificate_is_refused(
    certs: CertificateSet, tmp_path: Path
) -> None:
    _, other_key = write_leaf(trustme.CA(), tmp_path, "Other")

    with pytest.raises(CertificateError, match="does not match") as caught:
        build_client_context(
            certificate=ClientCertificate(cert_file=certs.client_cert, key_file=other_key)
        )

    assert caught.value.path == str(certs.client_cert)


def test_unreadable_and_empty_files_are_named(certs: CertificateSet, tmp_path: Path) -> None:
    missing = tmp_path / "missing.pem"
    with pytest.raises(CertificateError, match="cannot read") as caught:
        build_client_context(certificate=ClientCertificate(cert_file=missing, key_file=missing))
    assert caught.value.path == str(missing)

    with pytest.raises(CertificateError, match="no PEM private key"):
        build_client_context(certificate=ClientCertificate(cert_file=certs.client_cert))

    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n")
    with pytest.raises(CertificateError, match="no readable PEM certificate"):
        build_client_context(
            certificate=ClientCertificate(cert_file=junk, key_file=certs.client_key)
        )

    with pytest.raises(CertificateError, match="cannot read the CA file"):
        build_client_context(ca_file=missing)


def test_certificate_forms_are_checked_on_construction(certs: CertificateSet) -> None:
    with pytest.raises(ConfigurationError, match="not both"):
        ClientCertificate(cert_file=certs.client_cert, pkcs12_file=certs.client_p12)
    with pytest.raises(ConfigurationError, match="needs cert_file"):
        ClientCertificate(key_file=certs.client_key)
    with pytest.raises(ConfigurationError, match="needs cert_file"):
        ClientCertificate()
