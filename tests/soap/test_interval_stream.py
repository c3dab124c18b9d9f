"""Streaming the days out of processIntervalEnergyData responses, validating as it goes."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from adapter.errors import MalformedResponseError, ReadingError, ServiceFaultError
from adapter.interval import decode_day, decode_days, iter_day_readings
from adapter.records import IntervalDay
from adapter.soap.interval_stream import iter_interval_day_readings, iter_interval_days
from tests.conftest import ROOT, SOAP_FIXTURES

sys.path.insert(0, str(ROOT / "tools"))
from make_interval_response import write_response  # a sibling tool, not a package

GUIDE = SOAP_FIXTURES / "energydata" / "processIntervalEnergyData.response.xml"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"


def response(esiids: int, days: int, start: date = date(2024, 3, 9)) -> bytes:
    out = io.StringIO()
    write_response(out, esiids=esiids, days=days, start=start)
    return out.getvalue().encode()


def test_guide_example_gives_its_one_day_and_the_decoder_refuses_its_99_slots() -> None:
    (day,) = iter_interval_days(GUIDE)
    assert (day.esiid, day.day, day.reading_type) == ("10443720008107413", date(2019, 4, 20), "C")
    assert day.revision == "04/21/2019 09:49:58"
    assert day.rd.startswith(".2-A,.24-A,") and day.rd.count(",") == 98
    with pytest.raises(ReadingError, match="10443720008107413 2019-04-20: RD holds 99 slots"):
        decode_day(day)


def test_days_come_esiid_by_esiid_in_document_order_from_a_stream() -> None:
    days = list(iter_interval_days(io.BytesIO(response(esiids=10, days=3))))
    assert len(days) == 10 * 3 + 3  # the tenth ESIID also has G days
    assert [d.day for d in days[:3]] == [date(2024, 3, 9), date(2024, 3, 10), date(2024, 3, 11)]
    assert days[-1].reading_type == "G"
    readings = list(decode_days(days))
    assert len(readings) == 11 * (96 + 92 + 96)


def test_a_file_path_and_no_validation_give_the_same_days(tmp_path: Path) -> None:
    target = tmp_path / "answer.xml"
    target.write_bytes(response(esiids=2, days=2))
    assert list(iter_interval_days(target)) == list(iter_interval_days(target, validate=False))


def test_days_decoded_as_streamed_equal_the_days_decoded_afterwards() -> None:
    document = response(esiids=4, days=3, start=date(2024, 11, 2))  # the fall-back day

    fused = list(iter_interval_day_readings(io.BytesIO(document)))

    assert fused == list(iter_day_readings(iter_interval_days(io.BytesIO(document))))
    assert [len(day) for day in fused[:3]] == [96, 100, 96]
    with pytest.raises(ReadingError, match="RD holds 99 slots"):
        list(iter_interval_day_readings(GUIDE))


def test_an_invalid_payload_is_caught_before_its_days_are_handed_out() -> None:
    document = response(esiids=3, days=2).replace(b"<RT>C</RT>", b"<RT>CG</RT>", 3)
    days: list[IntervalDay] = []
    with pytest.raises(MalformedResponseError) as caught:
        days.extend(iter_interval_days(io.BytesIO(document)))
    assert days == []
    (violation, *_) = caught.value.violations
    assert violation.rule == "maxLength" and violation.path and "RT" in violation.path
    assert caught.value.operation == "processIntervalEnergyData"


def test_an_invalid_later_payload_stops_after_the_valid_ones() -> None:
    document = response(esiids=3, days=2)
    last = document.rindex(b"<esiid>")
    document = document[:last] + document[last:].replace(b"<esiid>", b"<esiidx>", 1).replace(
        b"</esiid>", b"</esiidx>", 1
    )
    seen: list[IntervalDay] = []
    with pytest.raises(MalformedResponseError):
        seen.extend(iter_interval_days(io.BytesIO(document)))
    assert len(seen) == 4  # the first two ESIIDs' days


def test_not_well_formed_xml_is_a_malformed_response() -> None:
    with pytest.raises(MalformedResponseError) as caught:
        list(iter_interval_days(io.BytesIO(response(esiids=1, days=1)[:-40])))
    assert caught.value.violations[0].rule == "not-well-formed"


def test_a_doctype_is_refused() -> None:
    document = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "x">]>' + response(1, 1)
    with pytest.raises(MalformedResponseError, match="DOCTYPE"):
        list(iter_interval_days(io.BytesIO(document)))


def test_another_operations_response_is_refused() -> None:
    other = (SOAP_FIXTURES / "energydata" / "processDailyRegisteredReads.response.xml").read_bytes()
    with pytest.raises(MalformedResponseError, match="processIntervalEnergyDataResponse"):
        list(iter_interval_days(io.BytesIO(other)))


def test_a_soap_fault_is_a_service_fault() -> None:
    fault = (
        f'<soapenv:Envelope xmlns:soapenv="{SOAP}"><soapenv:Body><soapenv:Fault>'
        "<faultcode>soapenv:Server</faultcode><faultstring>ESIID not found</faultstring>"
        "</soapenv:Fault></soapenv:Body></soapenv:Envelope>"
    ).encode()
    with pytest.raises(ServiceFaultError) as caught:
        list(iter_interval_days(io.BytesIO(fault)))
    assert caught.value.fault_string == "ESIID not found"


def empty_first_rd(document: bytes) -> bytes:
    start = document.index(b"<RD>")
    return document[:start] + b"<RD/>" + document[document.index(b"</RD>", start) + 5 :]


EDITS: dict[str, Callable[[bytes], bytes]] = {
    "an empty RD": empty_first_rd,
    "a CDATA section in RD": lambda d: d.replace(b"<RD>", b"<RD><![CDATA[]]>", 2),
    "CDATA between values": lambda d: d.replace(b"-A,", b"-A,<![CDATA[]]>", 2),
    "a comment in RD": lambda d: d.replace(b"-A,", b"-A,<!-- x -->", 2),
    "whitespace around RD": lambda d: d.replace(b"</RD>", b"\n  </RD>", 3),
}


@pytest.mark.parametrize("edit", EDITS)
def test_days_line_up_whatever_the_text_nodes_of_a_payload(edit: str) -> None:
    document = EDITS[edit](response(esiids=2, days=3))
    validated = list(iter_interval_days(io.BytesIO(document)))
    assert validated == list(iter_interval_days(io.BytesIO(document), validate=False))
    plain = list(iter_interval_days(io.BytesIO(response(esiids=2, days=3))))
    assert len(validated) == len(plain) == 6
    for day, expected in zip(validated, plain, strict=True):
        assert (day.day, day.revision, day.reading_type) == (
            expected.day,
            expected.revision,
            expected.reading_type,
        )
        assert day.rd.strip() == expected.rd or (edit == "an empty RD" and day.rd == "")
