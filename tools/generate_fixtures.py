"""Write the generated SOAP fixtures: one schema-valid example of each response the SMT
guide describes only by XSD, plus the token service's request and response.

    python tools/generate_fixtures.py          # (re)write fixtures/soap/*/generated/
    python tools/generate_fixtures.py --check  # exit 1 if a file differs (canonical XML)

Values come from the guide where it has them (its REST examples of the same data);
inferred element names are listed in schemas/ERRATA.md (I-03 to I-06, I-10).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "soap"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"


def envelope(namespace: str, wrapper: str) -> tuple[etree._Element, etree._Element]:
    root = etree.Element(f"{{{SOAP}}}Envelope", nsmap={"soapenv": SOAP})
    body = etree.SubElement(root, f"{{{SOAP}}}Body")
    return root, etree.SubElement(body, f"{{{namespace}}}{wrapper}", nsmap={"NS1": namespace})


def add(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    child = etree.SubElement(parent, tag)
    child.text = text
    return child


def fields(parent: etree._Element, pairs: list[tuple[str, str]]) -> None:
    for tag, text in pairs:
        add(parent, tag, text)


ENERGY = "http://schemas.esb.ams.com/meterusagesource"


def interval_ack() -> etree._Element:
    root, wrapper = envelope(ENERGY, "processIntervalEnergyDataResponse")
    ack = add(wrapper, "Acknowledgement")
    fields(
        ack,
        [
            ("trans_id", "A12"),
            ("correlationId", "4afcb1e8ad6711e984b60a04"),
            ("statusCode", "0001"),
            (
                "statusReason",
                "Request submitted successfully for further processing with some "
                "faultESIIDs. The CSV report will be delivered through FTP",
            ),
        ],
    )
    fault = add(add(ack, "faultESIIDList"), "faultESIID")
    fields(fault, [("esiid", "10443720007526004"), ("reason", "ESIID NOT VISIBLE TO THIS USER")])
    return root


def daily_sync() -> etree._Element:
    root, wrapper = envelope(ENERGY, "processDailyRegisteredReadsResponse")
    payload = add(wrapper, "DailyRegisteredReadSyncResponse")
    fields(payload, [("trans_id", "111"), ("esiid", "1008901005102632580100")])
    reads = add(payload, "registeredReadList")
    for day, revised, start, end, kwh in [
        ("07/06/2019", "07/07/2019 04:11:02", "77302.861", "77357.514", "54.653"),
        ("07/07/2019", "07/08/2019 04:09:46", "77357.514", "77412.583", "55.069"),
    ]:
        fields(
            add(reads, "registeredRead"),
            [
                ("readDate", day),
                ("revisionDate", revised),
                ("startReading", start),
                ("endReading", end),
                ("energyDataKwh", kwh),
            ],
        )
    return root


def monthly_sync() -> etree._Element:
    root, wrapper = envelope(ENERGY, "processMonthlyBillingInformationResponse")
    payload = add(wrapper, "MonthlyBillingDataSyncResponse")
    fields(payload, [("trans_id", "111"), ("esiid", "1008901005102632580100")])
    bills = add(payload, "billingDataList")
    for start, end, revised, kwh in [
        ("04/25/2019", "05/24/2019", "05/29/2019 01:22:52", "683"),
        ("05/24/2019", "06/25/2019", "06/27/2019 01:33:05", "1048"),
    ]:
        fields(
            add(bills, "billingData"),
            [
                ("startDate", start),
                ("endDate", end),
                ("revisionDate", revised),
                ("actualkWh", kwh),
                ("meteredKW", "0"),
                ("billedKW", "0"),
                ("meteredKVA", "0"),
                ("billedKVA", "0"),
            ],
        )
    return root


METER = "http://BIM_MeterInformationSOAP"


def meter_sync() -> etree._Element:
    root, wrapper = envelope(METER, "prosessMeterInformationResponse")
    payload = etree.SubElement(wrapper, f"{{{METER}}}MeterInformationResponse")
    fields(payload, [("trans_id", "123"), ("esiid", "10443720008107413")])
    fields(
        add(payload, "MeterData"),
        [
            ("utilityCompanyId", "ONCOR"),
            ("ESIID", "10443720008107413"),
            ("meterSerialNumber", "148239922"),
            ("utilityMeterId", "148239922"),
            ("KWHMeterMultiplier", "1"),
            ("configuredChannels", "2"),
            ("manufacturerName", "Landis+Gyr"),
            ("testDate", "03/15/2016"),
            ("meterClass", "200"),
            ("installationDate", "04/02/2016"),
            ("initialProvisionDate", "04/05/2016"),
            ("communicationIndicator", "AMS"),
            ("instrumentRated", "N"),
            ("esiFirmwareVersion", "4.12"),
            ("HANProtocol", "ZigBee SEP 1.1"),
            ("smartEnergyProfile", "1.1"),
            ("intervalSetting", "15"),
            ("reverseFlowHandling", "N"),
            ("disconnect", "Y"),
            ("meterStatus", "E"),
            ("meterPhases", "1"),
            ("meterModel", "FOCUS AXR-SD"),
        ],
    )
    return root


PREMISE = "http://BIM_PremiseInformationSOAP"


def premise_sync() -> etree._Element:
    root, wrapper = envelope(PREMISE, "processPremiseInformationResponse")
    payload = etree.SubElement(wrapper, f"{{{PREMISE}}}PremiseInformationResponse")
    fields(payload, [("trans_id", "1234"), ("esiid", "10443720008107413")])
    fields(
        add(payload, "PremiseData"),
        [
            ("utilityCompanyId", "ONCOR"),
            ("ESIID", "10443720008107413"),
            ("serviceVoltage", "120/240"),
            ("premiseStatus", "A"),
            ("timeZone", "CST"),
            ("streetName", "ELM"),
            ("streetType", "ST"),
            ("houseNumber", "2101"),
            ("locality", "DALLAS"),
            ("state", "TX"),
            ("zipcode", "75201"),
            ("zipcodePlus4", "4017"),
            ("meterReadCycle", "05"),
            ("loadProfile", "RESLOWR_NCENT_NIDR_NOTOU_NWS"),
            ("rateClassCode", "R1"),
            ("AMSPROFILEEffectiveDate", "04/05/2016"),
        ],
    )
    return root


TOKEN = "http://BIM_TokenGeneratorSOAP"


def token_request() -> etree._Element:
    root, wrapper = envelope(TOKEN, "processTokenGenerator")
    fields(
        add(wrapper, "TokenGeneratorRequest"),
        [
            ("username", "CSPAPIUser1"),
            ("password", "example-password-not-a-secret"),
        ],
    )
    return root


def token_response() -> etree._Element:
    root, wrapper = envelope(TOKEN, "processTokenGeneratorResponse")
    fields(
        add(wrapper, "TokenGeneratorResponse"),
        [
            ("statusCode", "0000"),
            # header {"alg":"HS256","typ":"JWT"}, payload {"sub":"CSPAPIUser1","exp":1795338000}
            (
                "accessToken",
                "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
                "eyJzdWIiOiJDU1BBUElVc2VyMSIsImV4cCI6MTc5NTMzODAwMH0."
                "c2lnbmF0dXJlLW5vdC12ZXJpZmlhYmxl",
            ),
            ("tokenType", "Bearer"),
            ("expiresIn", "3600"),
            ("issuedAt", "11/22/2026 08:00:00"),
            ("expiresAt", "11/22/2026 09:00:00"),
        ],
    )
    return root


Builder = Callable[[], etree._Element]
GENERATED: dict[str, tuple[str, Builder]] = {
    "energydata/generated/processIntervalEnergyData.ack-response.xml": (
        "acknowledgement of an interval request (deliveryMode FTP) with one fault ESIID "
        "(3.2.1.1; fault item inferred, I-03; texts from the REST examples of 3.1.1.5)",
        interval_ack,
    ),
    "energydata/generated/processDailyRegisteredReads.sync-response.xml": (
        "synchronous daily register reads (3.2.1.1; payload name inferred, I-04; values from "
        "the REST example of 3.1.1.2)",
        daily_sync,
    ),
    "energydata/generated/processMonthlyBillingInformation.sync-response.xml": (
        "synchronous monthly billing reads (3.2.1.1; payload name inferred, I-04; values from "
        "the REST example of 3.1.1.3)",
        monthly_sync,
    ),
    "meterinformation/generated/prosessMeterInformation.sync-response.xml": (
        "synchronous meter attributes (3.2.1.2; placement inferred, I-05)",
        meter_sync,
    ),
    "premiseinformation/generated/processPremiseInformation.sync-response.xml": (
        "synchronous premise attributes (3.2.1.3; placement inferred, I-05)",
        premise_sync,
    ),
    "token/generated/processTokenGenerator.request.xml": (
        "token service request (2025 security change; I-10)",
        token_request,
    ),
    "token/generated/processTokenGenerator.response.xml": (
        "token service response (2025 security change; names inferred, I-10)",
        token_response,
    ),
}


def render(description: str, build: Builder) -> bytes:
    root = build()
    etree.indent(root, space="  ")
    header = (
        f"<!--\n  Generated by tools/generate_fixtures.py: {description}.\n"
        "  Schema-valid under the wire profile; not an example printed by the guide.\n-->\n"
    )
    return header.encode() + etree.tostring(root, encoding="UTF-8", xml_declaration=False) + b"\n"


def canonical(data: bytes) -> bytes:
    return etree.tostring(etree.fromstring(data), method="c14n2", strip_text=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args()
    stale = []
    for relative, (description, build) in GENERATED.items():
        path = FIXTURES / relative
        data = render(description, build)
        if args.check:
            if not path.exists() or canonical(path.read_bytes()) != canonical(data):
                stale.append(relative)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    for relative in stale:
        print(
            f"out of date: fixtures/soap/{relative} (run python tools/generate_fixtures.py)",
            file=sys.stderr,
        )
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
