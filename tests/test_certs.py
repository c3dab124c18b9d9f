"""``inspect_certificate``: what a client certificate report says, and its verdict at each
threshold, for the certificates the mock writes and for chains made with trustme."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
import trustme
from cryptography import x509

from adapter.certs import CertificateReport, format_report, inspect_certificate
from adapter.errors import CertificateError, ConfigurationError
from adapter.mock.certs import CertificateSet, write_certificate_set
from adapter.transport import ClientCertificate
from tests.transport import write_leaf, write_pkcs12

SECRET = "bundle-password"


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> CertificateSet:
    return write_certificate_set(tmp_path_factory.mktemp("pki"), p12_password=SECRET)


@pytest.fixture(scope="module")
def leaf(certs: CertificateSet) -> x509.Certificate:
    return x509.load_pem_x509_certificates(certs.client_cert.read_bytes())[0]


def pem(certs: CertificateSet) -> ClientCertificate:
    return ClientCertificate(cert_file=certs.client_cert, key_file=certs.client_key)


def at(leaf: x509.Certificate, days_left: float) -> datetime:
    return leaf.not_valid_after_utc - timedelta(days=days_left)


def test_a_fresh_certificate_is_ok_and_the_report_names_what_a_renewal_needs(
    certs: CertificateSet, leaf: x509.Certificate
) -> None:
    report = inspect_certificate(pem(certs), now=at(leaf, 80.5))

    assert report.status == "ok" and report.problems == ()
    assert report.days_left == 80
    assert "CN=CSPAPIUser1" in report.subject
    assert report.issuer == leaf.issuer.rfc4514_string()
    assert int(report.serial.replace(":", ""), 16) == leaf.serial_number
    assert report.not_after == leaf.not_valid_after_utc and report.not_after.tzinfo
    assert report.chain == (leaf.issuer.rfc4514_string(),)
    assert report.key_matches
    assert len(report.fingerprint_sha256.split(":")) == 32
    assert report.verdict.startswith("OK: valid until")


@pytest.mark.parametrize(
    ("days_left", "status", "problem"),
    [
        (30.5, "ok", None),
        (29.5, "warning", "expires in 29 days (under 30)"),
        (7.5, "warning", "expires in 7 days (under 30)"),
        (6.5, "failing", "expires in 6 days (under 7)"),
        (0.5, "failing", "expires in 0 days (under 7)"),
        (-0.01, "failing", "expired on"),
    ],
)
def test_thresholds(
    certs: CertificateSet,
    leaf: x509.Certificate,
    days_left: float,
    status: str,
    problem: str | None,
) -> None:
    report = inspect_certificate(pem(certs), now=at(leaf, days_left))

    assert report.status == status
    if problem is None:
        assert report.problems == ()
    else:
        assert report.problems[0].startswith(problem)
        assert "by e-mail" in report.verdict


def test_custom_thresholds_and_a_certificate_not_valid_yet(
    certs: CertificateSet, leaf: x509.Certificate
) -> None:
    assert inspect_certificate(pem(certs), now=at(leaf, 50), warn_days=60).status == "warning"
    assert inspect_certificate(pem(certs), now=at(leaf, 50), fail_days=60, warn_days=60).status == (
        "failing"
    )
    early = inspect_certificate(pem(certs), now=leaf.not_valid_before_utc - timedelta(hours=1))
    assert early.status == "failing" and early.problems[0].startswith("not valid before")


def test_pkcs12_input_reports_the_same_certificate(
    certs: CertificateSet, leaf: x509.Certificate
) -> None:
    from_p12 = inspect_certificate(
        ClientCertificate(pkcs12_file=certs.client_p12, password=SECRET), now=at(leaf, 40)
    )
    from_pem = inspect_certificate(pem(certs), now=at(leaf, 40))

    assert from_p12.source == str(certs.client_p12)
    assert (from_p12.subject, from_p12.serial, from_p12.chain, from_p12.status) == (
        from_pem.subject,
        from_pem.serial,
        from_pem.chain,
        "ok",
    )


def test_a_chain_through_an_intermediate_is_listed_in_order(tmp_path: Path) -> None:
    root = trustme.CA()
    intermediate = root.create_child_ca()
    cert, key = write_leaf(intermediate, tmp_path, "CSPAPIUser1")
    p12 = write_pkcs12(cert, key, SECRET, tmp_path / "client.p12")

    for certificate in (
        ClientCertificate(cert_file=cert, key_file=key),
        ClientCertificate(pkcs12_file=p12, password=SECRET),
    ):
        report = inspect_certificate(certificate)
        chain = x509.load_pem_x509_certificates(cert.read_bytes())[1:]
        assert report.chain == tuple(c.subject.rfc4514_string() for c in chain)
        assert len(report.chain) >= 1
        assert report.chain[0] == report.issuer


def test_a_key_that_does_not_match_is_failing(certs: CertificateSet, tmp_path: Path) -> None:
    _, other_key = write_leaf(trustme.CA(), tmp_path, "Other")

    report = inspect_certificate(ClientCertificate(cert_file=certs.client_cert, key_file=other_key))

    assert not report.key_matches and report.status == "failing"
    assert "the private key does not match the certificate" in report.problems
    assert "key matches:  NO" in format_report(report)


def test_the_text_and_json_forms_carry_every_field(certs: CertificateSet) -> None:
    report = inspect_certificate(pem(certs))
    lines = format_report(report)
    data = report.as_json()

    assert lines[-1] == report.verdict
    for needle in (report.subject, report.issuer, report.serial, f"{report.days_left}"):
        assert any(needle in line for line in lines)
    assert set(data) >= {"subject", "issuer", "serial", "not_after", "days_left", "chain"}
    assert datetime.fromisoformat(data["not_after"]) == report.not_after
    assert isinstance(report, CertificateReport)


def test_unusable_input_raises(certs: CertificateSet, leaf: x509.Certificate) -> None:
    with pytest.raises(CertificateError, match="wrong password"):
        inspect_certificate(ClientCertificate(pkcs12_file=certs.client_p12, password="nope"))
    with pytest.raises(ConfigurationError, match="warn_days"):
        inspect_certificate(pem(certs), warn_days=5, fail_days=7)
    with pytest.raises(ConfigurationError, match="timezone"):
        inspect_certificate(pem(certs), now=datetime(2025, 1, 1))
