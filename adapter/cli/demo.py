"""``smt demo``: the adapter's main job end to end, with nothing to set up.

It writes a throwaway CA and certificates, starts the bundled mock SMT in this process
behind HTTPS with mutual TLS (certificate era: client certificate plus HTTP Basic), runs
every SOAP operation against it through ``SoapClient`` and the real TLS stack, prints what
came back, and writes the 15-minute readings to a file.
"""

from __future__ import annotations

import argparse
import datetime
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adapter.cli.output import print_records, progress
from adapter.errors import ConfigurationError, ServiceFaultError
from adapter.exports import FORMATS, write_readings
from adapter.records import (
    Acknowledgement,
    AgreementEsiidsRequest,
    AgreementRef,
    CustomerMeter,
    EnergyDataRequest,
    EsiidMeter,
    MeterInformationRequest,
    MyAgreementsRequest,
    NewAgreementRequest,
    NewSubscriptionRequest,
    PremiseInformationRequest,
    SubscriptionListRequest,
    TerminateAgreementRequest,
    TokenRequest,
    UnsubscriptionRequest,
)

if TYPE_CHECKING:
    from adapter.clients.soap import SoapClient
    from adapter.mock import MockApp

__all__ = ["register", "run"]

CSP = "CSPAPIUser1"  # the guide's CSP service ID; the mock knows it and its agreements
RES = "bobby@123"  # the guide's residential user, who holds subscriptions


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "demo",
        help="run every SMT operation against the bundled mock over mutual TLS",
        description=(
            "Start the bundled mock SMT in this process (HTTPS, client certificate and HTTP "
            "Basic), call every SOAP operation through the client, print the answers and "
            "write the 15-minute readings to a file. Exit status: 0 done, 3 or 4 if a call "
            "failed (it should not)."
        ),
    )
    parser.add_argument(
        "--workdir", type=Path, default=Path(".smt-demo"), help="certificates and readings"
    )
    parser.add_argument("--format", choices=FORMATS, default="csv", dest="export_format")
    parser.add_argument("--days", type=int, default=7, help="days of interval data (1-31)")
    parser.set_defaults(run=run)


@dataclass(frozen=True, slots=True)
class Step:
    operation: str
    answer: str


def run(args: argparse.Namespace) -> int:
    # the mock (and spyne) load only when the demo runs, not for every smt command
    from adapter.clients.soap import SoapClient
    from adapter.mock import (
        MockApp,
        MockServer,
        MockSettings,
        TlsFiles,
        build_server_context,
        write_certificate_set,
    )
    from adapter.settings import ClientSettings
    from adapter.transport.tls import ClientCertificate

    if not 1 <= args.days <= 31:
        raise ConfigurationError(
            f"--days {args.days}: must be 1 to 31", field="days", value=str(args.days)
        )
    workdir: Path = args.workdir
    certs = write_certificate_set(workdir / "certs", overwrite=True)
    settings = MockSettings(port=0)
    app = MockApp(settings)
    files = TlsFiles(
        cert_file=certs.server_cert, key_file=certs.server_key, client_ca_file=certs.ca_cert
    )
    with MockServer(app, host="127.0.0.1", port=0, tls=build_server_context(files)) as server:
        print(f"mock SMT at {server.base_url} (mutual TLS, TLS 1.2+, HTTP Basic)")

        def client(service_id: str) -> SoapClient:
            account = settings.account(service_id)
            assert account is not None  # the guide's accounts are always configured
            return SoapClient(
                ClientSettings(
                    base_url=server.base_url,
                    username=service_id,
                    password=account.password,
                    certificate=ClientCertificate(
                        cert_file=certs.client_cert, key_file=certs.client_key
                    ),
                    ca_file=certs.ca_cert,
                )
            )

        account = settings.account(CSP)
        assert account is not None
        esiids = tuple(point.esiid for point in app.backend.points_of(account))[:3]
        output = workdir / f"readings.{args.export_format}"
        steps = _run_all(client(CSP), client(RES), app, esiids, args, output)
    print_records("every SOAP operation, over HTTPS with a client certificate", steps)
    print(f"readings written to {output} ({args.export_format})")
    return 0


def _run_all(
    csp: SoapClient,
    res: SoapClient,
    app: MockApp,
    esiids: tuple[str, ...],
    args: argparse.Namespace,
    output: Path,
) -> list[Step]:
    steps: list[Step] = []

    def step(operation: str, call: Callable[[], str]) -> None:
        with progress(f"{operation} ..."):
            steps.append(Step(operation, call()))

    end = app.backend.today() - datetime.timedelta(days=1)
    start = end - datetime.timedelta(days=args.days - 1)
    interval = EnergyDataRequest(
        requestor_id=CSP,
        requester_type="CSP",
        esiids=esiids,
        start_date=start,
        end_date=end,
        reading_type="C",
    )
    step("processIntervalEnergyData", lambda: _readings(csp, interval, output, args))
    step(
        "processIntervalEnergyData (deliveryMode FTP)",
        lambda: _ack(csp.interval_data(_with(interval, delivery_mode="FTP"))),
    )
    step(
        "processDailyRegisteredReads",
        lambda: _count(csp.daily_reads(_with(interval, reading_type=None)), "reads"),
    )
    year_ago = end - datetime.timedelta(days=365)
    monthly = _with(interval, start_date=year_ago, reading_type=None)
    step(
        "processMonthlyBillingInformation", lambda: _count(csp.monthly_billing(monthly), "periods")
    )
    meters = MeterInformationRequest(
        requestor_id=CSP, requester_type="CSP", meters=tuple(EsiidMeter(esiid=e) for e in esiids)
    )
    step("prosessMeterInformation", lambda: _attributes(csp.meter_attributes(meters)))
    premises = PremiseInformationRequest(requestor_id=CSP, requester_type="CSP", esiids=esiids)
    step("processPremiseInformation", lambda: _attributes(csp.premise_attributes(premises)))
    _subscriptions(res, app, step)
    _agreements(csp, esiids[0], step)
    token = TokenRequest(username=CSP, password=csp.settings.password)

    def issue() -> str:
        issued = csp.token(token)
        return f"{issued.token_type} token, expires in {issued.expires_in} s"

    step("processTokenGenerator", issue)
    return steps


def _subscriptions(
    res: SoapClient, app: MockApp, step: Callable[[str, Callable[[], str]], None]
) -> None:
    account = app.settings.account(RES)
    assert account is not None
    esiid = app.backend.points_of(account)[-1].esiid
    numbers: list[str] = []

    def subscribe() -> str:
        receipt = res.new_subscription(
            NewSubscriptionRequest(
                requestor_id=RES,
                requester_type="RES",
                subscription_type="SCHEDULE",
                report_format="CSV",
                data_type="INTERVAL",
                delivery_mode="EML",
                report_frequency="DAILY",
                esiids=(esiid,),
            )
        )
        numbers.append(receipt.subscription_number or "")
        return f"subscription {receipt.subscription_number} ({receipt.status_reason})"

    step("newSubscription", subscribe)
    listing = SubscriptionListRequest(requestor_id=RES)
    step("subscription (list)", lambda: _count(res.list_subscriptions(listing), "subscriptions"))
    step(
        "unSubscription",
        lambda: (
            res.cancel_subscription(
                UnsubscriptionRequest(
                    requestor_id=RES, subscription_number=numbers[0], esiids=(esiid,)
                )
            ).status_reason
        ),
    )


def _agreements(
    csp: SoapClient, esiid: str, step: Callable[[str, Callable[[], str]], None]
) -> None:
    numbers: list[int] = []

    def ask() -> str:
        receipt = csp.new_agreement(
            NewAgreementRequest(
                requestor_id=CSP,
                requester_authentication_id="199999999999",
                retail_customer_email="customer@example.com",
                agreement_duration=12,
                meters=(
                    CustomerMeter(esiid=esiid, meter_number="148239922", puct_ror_number=10004),
                ),
            )
        )
        numbers.append(receipt.agreement_number)
        return f"agreement {receipt.agreement_number}, pending the customer's answer"

    step("newAgreement", ask)
    pending = MyAgreementsRequest(requestor_id=CSP, status_filter="PEN")
    step("myAgreements (PEN)", lambda: _count(csp.list_agreements(pending), "pending agreements"))
    step(
        "agreementESIIDs",
        lambda: _count(
            csp.agreement_esiids(
                AgreementEsiidsRequest(requestor_id=CSP, agreement_number=numbers[0])
            ),
            "ESIIDs",
        ),
    )

    def terminate() -> str:
        ref = AgreementRef(
            agreement_number=numbers[0], retail_customer_email="customer@example.com"
        )
        try:
            csp.terminate_agreements(TerminateAgreementRequest(requestor_id=CSP, agreements=(ref,)))
        except ServiceFaultError as refused:  # as in the guide: only an active one can end
            return f"refused as SMT does: {refused.fault_esiids[0][1]}"
        return "terminated"

    step("terminateAgreement", terminate)


def _readings(
    csp: SoapClient, request: EnergyDataRequest, output: Path, args: argparse.Namespace
) -> str:
    total = Decimal(0)
    esiids: set[str] = set()

    def tally() -> Any:
        nonlocal total
        for reading in csp.iter_interval_readings(request):
            total += reading.kwh
            esiids.add(reading.esiid)
            yield reading

    output.parent.mkdir(parents=True, exist_ok=True)
    count = write_readings(tally(), output, args.export_format)
    return f"{count} readings of {len(esiids)} ESIIDs, {total} kWh -> {output.name}"


def _with(request: EnergyDataRequest, **changes: Any) -> EnergyDataRequest:
    return replace(request, **changes)


def _ack(answer: object) -> str:
    assert isinstance(answer, Acknowledgement)
    return f"acknowledged: correlationId {answer.correlation_id}"


def _count(answer: object, what: str) -> str:
    if isinstance(answer, Acknowledgement):
        return _ack(answer)
    assert isinstance(answer, tuple)
    nested = what in ("reads", "periods")  # per-ESIID records holding the rows
    count = sum(len(getattr(item, what)) for item in answer) if nested else len(answer)
    return f"{count} {what}"


def _attributes(answer: object) -> str:
    if isinstance(answer, Acknowledgement):
        return _ack(answer)
    assert isinstance(answer, tuple)
    return f"{len(answer)} record(s), e.g. ESIID {answer[0].esiid}"
