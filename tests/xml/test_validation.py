"""Validating whole SOAP messages and bare payloads against the bundled contract."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from adapter import (
    Direction,
    Limits,
    MessageValidator,
    Profile,
    SchemaViolationError,
    iter_violations,
    validate,
)
from tests.conftest import SOAP_FIXTURES, all_soap_fixtures, fixture_id

INTERVAL_REQUEST = SOAP_FIXTURES / "energydata" / "processIntervalEnergyData.request.xml"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
WIRE = MessageValidator(Profile.WIRE)


@pytest.mark.parametrize("path", all_soap_fixtures(), ids=fixture_id)
def test_every_fixture_is_valid_under_the_wire_profile(path: Path) -> None:
    result = WIRE.check(path)
    assert result.valid, [v.format() for v in result.violations]
    assert result.operation is not None
    direction = Direction.REQUEST if path.name.endswith("request.xml") else Direction.RESPONSE
    assert result.direction is direction
    assert path.name.startswith(result.operation.name + ".")


def _mutated(edit: str, replacement: str, source: Path = INTERVAL_REQUEST) -> bytes:
    text = source.read_text()
    assert edit in text, edit
    return text.replace(edit, replacement, 1).encode()


def _line_of(data: bytes, needle: str) -> int:
    return data.decode()[: data.decode().index(needle)].count("\n") + 1


def test_a_missing_required_element_is_reported_on_its_parent() -> None:
    data = _mutated("<SMTTermsandConditions>Y</SMTTermsandConditions>", "")
    (violation,) = WIRE.check(data).violations
    assert violation.rule == "missing-element"
    assert violation.expected == "<SMTTermsandConditions>"
    assert violation.path is not None and violation.path.endswith("/EnergyDataRequest")


def test_a_value_outside_the_enumeration_names_the_value_and_the_allowed_set() -> None:
    data = _mutated("<version>L</version>", "<version>X</version>")
    (violation,) = WIRE.check(data).violations
    assert (violation.rule, violation.value, violation.expected) == (
        "enumeration",
        "X",
        "A, L, a, l",
    )
    assert violation.line == _line_of(data, "<version>X")
    assert violation.path == (
        "/soapenv:Envelope/soapenv:Body/met:processIntervalEnergyData/EnergyDataRequest/version"
    )


def test_a_trans_id_longer_than_32_characters_breaks_its_pattern() -> None:
    long_id = "A" * 33
    data = _mutated("<trans_id>A12</trans_id>", f"<trans_id>{long_id}</trans_id>")
    (violation,) = WIRE.check(data).violations
    assert (violation.rule, violation.value, violation.expected) == (
        "pattern",
        long_id,
        "[a-zA-Z0-9]{1,32}",
    )


def test_a_wrapper_in_the_wrong_namespace_is_an_unknown_operation_with_a_hint() -> None:
    data = _mutated(
        'xmlns:met="http://schemas.esb.ams.com/meterusagesource"',
        'xmlns:met="http://schemas.esb.ams.com/meterusage"',
    )
    (violation,) = WIRE.check(data).violations
    assert violation.rule == "unknown-operation"
    assert violation.value == "{http://schemas.esb.ams.com/meterusage}processIntervalEnergyData"
    assert "http://schemas.esb.ams.com/meterusagesource" in violation.message


def test_an_element_out_of_order_is_unexpected_where_it_stands() -> None:
    data = _mutated("<version>L</version>", "").replace(
        b"<startDate>", b"<version>L</version><startDate>", 1
    )
    violations = WIRE.check(data).violations
    assert violations[0].rule == "unexpected-element"
    assert violations[0].value == "version"
    assert violations[0].expected == "<startDate>"


def test_a_namespace_qualified_payload_is_refused_because_smt_sends_it_unqualified() -> None:
    data = _mutated("<EnergyDataRequest>", "<met:EnergyDataRequest>").replace(
        b"</EnergyDataRequest>", b"</met:EnergyDataRequest>"
    )
    (violation,) = WIRE.check(data).violations
    assert violation.rule == "unexpected-element"
    assert violation.expected == "unqualified <EnergyDataRequest>"
    assert violation.message.startswith(
        "element <EnergyDataRequest> in namespace http://schemas.esb.ams.com/meterusagesource "
        "is not allowed here"
    )


def test_a_soap_fault_is_a_valid_message() -> None:
    fault = (
        f'<s:Envelope xmlns:s="{SOAP}"><s:Body><s:Fault><faultcode>s:Client</faultcode>'
        "<faultstring>bad request</faultstring></s:Fault></s:Body></s:Envelope>"
    ).encode()
    result = WIRE.check(fault)
    assert result.valid and result.operation is None
    assert result.body_element == f"{{{SOAP}}}Fault"


def test_a_soap_fault_without_faultstring_is_invalid() -> None:
    fault = (
        f'<s:Envelope xmlns:s="{SOAP}"><s:Body><s:Fault><faultcode>s:Client</faultcode>'
        "</s:Fault></s:Body></s:Envelope>"
    )
    (violation,) = WIRE.check(fault.encode()).violations
    assert violation.rule == "missing-element" and violation.expected == "<faultstring>"


def test_a_bare_payload_without_a_type_is_not_an_envelope() -> None:
    (violation,) = WIRE.check(b"<EnergyDataRequest/>").violations
    assert violation.rule == "not-an-envelope"
    assert "--type" in violation.message


def test_a_soap_1_2_envelope_is_refused_as_such() -> None:
    data = b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>'
    (violation,) = WIRE.check(data).violations
    assert violation.rule == "not-an-envelope" and "SOAP 1.2" in violation.message


@pytest.mark.parametrize(
    ("body", "problem"),
    [("<s:Body/>", "is empty"), ("<s:Header/>", "is missing")],
)
def test_an_envelope_without_an_operation_is_refused(body: str, problem: str) -> None:
    data = f'<s:Envelope xmlns:s="{SOAP}">{body}</s:Envelope>'.encode()
    (violation,) = WIRE.check(data).violations
    assert violation.rule == "missing-element" and problem in violation.message


def _interval_response(esiids: int, days: int, defect: tuple[int, int] | None = None) -> bytes:
    items = []
    for e in range(1, esiids + 1):
        rows = []
        for d in range(1, days + 1):
            rt = "CX" if (e, d) == defect else "C"
            day = 1 + d % 28
            rows.append(
                f"<energyData><DT>01/{day:02d}/2024</DT><RevTS>01/{day:02d}/2024 23:00:00</RevTS>"
                f"<RT>{rt}</RT><RD>{','.join(['.1-A'] * 100)}</RD></energyData>\n"
            )
        items.append(
            f"<IntervalEnergyDataSyncResponse><trans_id>T1</trans_id><esiid>10443720{e:09d}</esiid>"
            f"<energyDataList>\n{''.join(rows)}</energyDataList></IntervalEnergyDataSyncResponse>\n"
        )
    return (
        f'<soapenv:Envelope xmlns:soapenv="{SOAP}"><soapenv:Body>\n'
        '<NS1:processIntervalEnergyDataResponse xmlns:NS1="http://schemas.esb.ams.com/meterusagesource">\n'
        f"{''.join(items)}</NS1:processIntervalEnergyDataResponse></soapenv:Body></soapenv:Envelope>\n"
    ).encode()


def test_a_large_response_is_valid_item_by_item() -> None:
    assert WIRE.check(_interval_response(esiids=120, days=20)).valid


def test_a_defect_deep_in_a_large_response_is_located_exactly() -> None:
    data = _interval_response(esiids=120, days=20, defect=(97, 13))
    (violation,) = WIRE.check(data).violations
    assert violation.rule == "maxLength" and violation.value == "CX"
    assert violation.path == (
        "/soapenv:Envelope/soapenv:Body/NS1:processIntervalEnergyDataResponse/"
        "IntervalEnergyDataSyncResponse[97]/energyDataList/energyData[13]/RT"
    )
    assert violation.line == _line_of(data, "<RT>CX</RT>")


def test_structure_around_the_items_is_still_checked_in_a_large_response() -> None:
    ack = (
        b"<Acknowledgement><trans_id>T1</trans_id>"
        b"<correlationId>c</correlationId></Acknowledgement>"
    )
    data = _interval_response(esiids=5, days=2).replace(
        b"</NS1:processIntervalEnergyDataResponse>",
        ack + b"</NS1:processIntervalEnergyDataResponse>",
    )
    (violation,) = WIRE.check(data).violations
    assert (violation.rule, violation.value) == ("unexpected-element", "Acknowledgement")


def test_checking_stops_after_the_violation_limit() -> None:
    data = _interval_response(esiids=3, days=1).replace(b"<RT>C</RT>", b"<RT>CC</RT>")
    violations = MessageValidator(limits=Limits(max_violations=2)).check(data).violations
    assert [v.rule for v in violations] == ["maxLength", "maxLength", "truncated"]


def test_a_file_and_its_bytes_give_the_same_violations() -> None:
    path = SOAP_FIXTURES / "subscription" / "subscription.response.xml"
    guide = MessageValidator(Profile.GUIDE)
    from_file = [(v.rule, v.line, v.path) for v in guide.check(path).violations]
    from_bytes = [(v.rule, v.line, v.path) for v in guide.check(path.read_bytes()).violations]
    assert from_file == from_bytes and len(from_file) == 4


def test_a_utf16_message_is_read_like_any_other() -> None:
    text = INTERVAL_REQUEST.read_text()
    data = ('<?xml version="1.0" encoding="UTF-16"?>\n' + text).encode("utf-16")
    assert WIRE.check(data).valid


def _payload(fixture: Path, tag: str) -> bytes:
    root = etree.parse(str(fixture)).getroot()
    (element,) = root.iter(tag)
    return etree.tostring(element)


def test_a_bare_payload_validates_against_the_named_type() -> None:
    validator = MessageValidator(payload_type="EnergyDataRequest")
    result = validator.check(_payload(INTERVAL_REQUEST, "EnergyDataRequest"))
    assert result.valid and result.body_element == "EnergyDataRequest"


def test_a_bare_payload_breaking_its_type_is_reported() -> None:
    payload = _payload(INTERVAL_REQUEST, "EnergyDataRequest").replace(b">CSP<", b">ABC<")
    (violation,) = MessageValidator(payload_type="EnergyDataRequest").check(payload).violations
    assert (violation.rule, violation.value, violation.path) == (
        "enumeration",
        "ABC",
        "/EnergyDataRequest/requesterType",
    )


def test_a_bare_payload_that_is_a_global_element_must_have_its_name() -> None:
    fixture = SOAP_FIXTURES / "meterinformation" / "prosessMeterInformation.request.xml"
    payload = _payload(fixture, "{http://BIM_MeterInformationSOAP}MeterSearchRequest")
    assert MessageValidator(payload_type="MeterSearchRequest").check(payload).valid
    (violation,) = (
        MessageValidator(payload_type="meterinformation:Acknowledgement").check(payload).violations
    )
    assert violation.rule == "unexpected-element"


def test_a_qualified_root_is_refused_for_a_payload_type_that_smt_sends_unqualified() -> None:
    payload = b'<m:EnergyDataRequest xmlns:m="urn:x"/>'
    (violation,) = MessageValidator(payload_type="EnergyDataRequest").check(payload).violations
    assert violation.rule == "unexpected-element"
    assert violation.message == (
        "the payload root is <EnergyDataRequest> in namespace urn:x; SMT sends payload type "
        "energydata:EnergyDataRequest as <EnergyDataRequest>"
    )


def test_validate_raises_with_every_violation_and_returns_the_result_when_valid() -> None:
    assert validate(INTERVAL_REQUEST).valid
    with pytest.raises(SchemaViolationError) as caught:
        validate(
            SOAP_FIXTURES / "subscription" / "subscription.response.xml", profile=Profile.GUIDE
        )
    assert len(caught.value.violations) == 4
    assert re.match(r".*subscription\.response\.xml:14: .*\[maxLength\]", str(caught.value))


def test_iter_violations_yields_what_check_finds() -> None:
    path = SOAP_FIXTURES / "energydata" / "processIntervalEnergyData.response.xml"
    assert [v.rule for v in iter_violations(path, profile=Profile.GUIDE)] == ["maxLength"]
    assert list(iter_violations(path)) == []


def test_threads_sharing_one_validator_get_what_one_thread_gets() -> None:
    from concurrent.futures import ThreadPoolExecutor

    good = _interval_response(esiids=3, days=2)
    bad = _interval_response(esiids=3, days=2, defect=(2, 1))
    expected = {good: WIRE.check(good).violations, bad: WIRE.check(bad).violations}
    work = [good, bad] * 200
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(WIRE.check, work))
    assert [r.violations for r in results] == [expected[d] for d in work]


def test_thousands_of_items_leave_no_errors_behind_once_emptied() -> None:
    item = (
        "<IntervalEnergyDataSyncResponse><trans_id>T1</trans_id><esiid>10443720000000001</esiid>"
        "<energyDataList><energyData><DT>01/01/2024</DT><RevTS>01/02/2024 01:00:00</RevTS>"
        "<RT>C</RT><RD>.1-A</RD></energyData></energyDataList></IntervalEnergyDataSyncResponse>\n"
    )
    data = (
        f'<soapenv:Envelope xmlns:soapenv="{SOAP}"><soapenv:Body>'
        '<NS1:processIntervalEnergyDataResponse xmlns:NS1="http://schemas.esb.ams.com/meterusagesource">\n'
        f"{item * 3000}</NS1:processIntervalEnergyDataResponse></soapenv:Body></soapenv:Envelope>"
    ).encode()
    assert WIRE.check(data).valid


def test_text_after_an_item_is_reported_on_the_wrapper() -> None:
    data = _mutated("</EnergyDataRequest>", "</EnergyDataRequest>oops")
    (violation,) = WIRE.check(data).violations
    assert (violation.rule, violation.value) == ("unexpected-text", "oops")
    assert violation.path == "/soapenv:Envelope/soapenv:Body/met:processIntervalEnergyData"


def test_a_second_element_in_the_body_is_refused() -> None:
    fault = (
        "<soapenv:Fault><faultcode>soapenv:Client</faultcode>"
        "<faultstring>x</faultstring></soapenv:Fault>"
    )
    data = _mutated("</met:processIntervalEnergyData>", "</met:processIntervalEnergyData>" + fault)
    (violation,) = WIRE.check(data).violations
    assert (violation.rule, violation.value) == ("unexpected-element", "Fault")


def test_an_undefined_entity_is_reported_with_its_cause_and_line() -> None:
    data = _mutated("<trans_id>A12</trans_id>", "<trans_id>&foo;</trans_id>")
    (violation,) = WIRE.check(data).violations
    assert violation.rule == "not-well-formed"
    assert "Entity 'foo' not defined" in violation.message
    assert violation.line == _line_of(data, "&foo;")


def test_lines_past_65535_are_recovered_from_the_document() -> None:
    data = _interval_response(esiids=1, days=70_000, defect=(1, 69_999))
    (violation,) = WIRE.check(data).violations
    assert violation.line == _line_of(data, "<RT>CX</RT>") > 65_535


def test_a_value_interrupted_by_a_comment_is_reported_whole() -> None:
    path = SOAP_FIXTURES / "energydata" / "processIntervalEnergyData.response.xml"
    data = path.read_bytes().replace(b"04/21/2019 09:49:58", b"04/21/2019<!-- c --> 09:49:58")
    (violation,) = MessageValidator(Profile.GUIDE).check(data).violations
    assert violation.value == "04/21/2019 09:49:58"


def test_a_bare_payload_must_carry_a_name_smt_sends_its_type_under() -> None:
    original = _payload(INTERVAL_REQUEST, "EnergyDataRequest")
    payload = re.sub(rb"(</?)EnergyDataRequest\b", rb"\1Anything", original)
    (violation,) = MessageValidator(payload_type="EnergyDataRequest").check(payload).violations
    assert (violation.rule, violation.value, violation.expected) == (
        "unexpected-element",
        "Anything",
        "EnergyDataRequest",
    )


def test_a_whole_message_checked_as_a_payload_gets_a_hint_to_drop_the_type() -> None:
    (violation,) = (
        MessageValidator(payload_type="EnergyDataRequest").check(INTERVAL_REQUEST).violations
    )
    assert violation.message.endswith("this is a whole SOAP message: leave out --type")


def test_a_path_the_os_cannot_take_is_unreadable_not_an_exception() -> None:
    (violation,) = WIRE.check("bad\x00name.xml").violations
    assert violation.rule == "unreadable"
    assert violation.source == "bad\\x00name.xml"


def test_a_violation_error_without_violations_still_says_what_it_is() -> None:
    assert str(SchemaViolationError("m.xml", [])) == "m.xml: breaks the SMT contract"


@pytest.mark.parametrize("path", all_soap_fixtures(), ids=fixture_id)
def test_a_small_valid_message_checked_in_one_pass_gets_the_full_checks_result(
    path: Path,
) -> None:
    validator = MessageValidator()
    assert validator._pass_small(path.read_bytes()) is not None  # it takes the short path
    in_one_pass = validator.check(path.read_bytes())
    in_full = validator.check(path)  # a file: read item by item
    assert in_one_pass.violations == in_full.violations == ()
    assert (in_one_pass.operation, in_one_pass.direction, in_one_pass.body_element) == (
        in_full.operation,
        in_full.direction,
        in_full.body_element,
    )


def test_a_small_message_with_a_doctype_is_refused_even_when_otherwise_valid() -> None:
    body = (SOAP_FIXTURES / "energydata/processIntervalEnergyData.request.xml").read_bytes()
    with_doctype = b'<!DOCTYPE soapenv:Envelope [<!ENTITY x "y">]>\n' + body.split(b"-->", 1)[1]
    assert [v.rule for v in MessageValidator().check(with_doctype).violations] == ["doctype"]
