"""Reading libxml2's validation messages as rules, values and expectations."""

from __future__ import annotations

import pytest
from lxml import etree

from adapter.xml.diagnostics import describe
from adapter.xml.locating import readable_path, resolve


@pytest.mark.parametrize(
    ("message", "text", "rule", "value", "expected"),
    [
        (
            "Element 'trans_id': [facet 'pattern'] The value 'A-1' is not accepted by the "
            "pattern '[a-zA-Z0-9]{1,32}'.",
            None,
            "pattern",
            "A-1",
            "[a-zA-Z0-9]{1,32}",
        ),
        (
            "Element 'version': [facet 'enumeration'] The value 'X' is not an element of the "
            "set {'A', 'L', 'a', 'l'}.",
            None,
            "enumeration",
            "X",
            "A, L, a, l",
        ),
        (
            "Element 'RevTS': [facet 'maxLength'] The value has a length of '19'; this exceeds "
            "the allowed maximum length of '10'.",
            "04/21/2019 09:49:58",
            "maxLength",
            "04/21/2019 09:49:58",
            "10",
        ),
        (
            "Element 'esiid': [facet 'minLength'] The value has a length of '3'; this underruns "
            "the allowed minimum length of '17'.",
            "123",
            "minLength",
            "123",
            "17",
        ),
        (
            "Element 'zipcode': [facet 'length'] The value has a length of '4'; this differs "
            "from the allowed length of '5'.",
            "7520",
            "length",
            "7520",
            "5",
        ),
        (
            "Element 'agreementNumber': 'x1' is not a valid value of the atomic type 'xs:integer'.",
            None,
            "datatype",
            "x1",
            "xs:integer",
        ),
        (
            "Element 'ESIIDList': This element is not expected. Expected is ( ESIIDLList ).",
            None,
            "unexpected-element",
            "ESIIDList",
            "<ESIIDLList>",
        ),
        (
            "Element 'foo': This element is not expected. Expected is one of ( a, b ).",
            None,
            "unexpected-element",
            "foo",
            "one of <a>, <b>",
        ),
        (
            "Element '{http://BIM_MeterInformationSOAP}Acknowledgement': Missing child "
            "element(s). Expected is ( faultESIIDs ).",
            None,
            "missing-element",
            None,
            "<faultESIIDs>",
        ),
        (
            "Element '{urn:x}op': No matching global element declaration available, but "
            "demanded by the strict wildcard.",
            None,
            "undeclared-element",
            "op",
            None,
        ),
        (
            "Element 'energyData': Character content other than whitespace is not allowed "
            "because the content type is 'element-only'.",
            " stray ",
            "unexpected-text",
            "stray",
            None,
        ),
        (
            "Element 'x', attribute 'y': The attribute 'y' is not allowed.",
            None,
            "attribute",
            "y",
            None,
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 20 else None,
)
def test_libxml2_messages_become_rules_values_and_expectations(
    message: str, text: str | None, rule: str, value: str | None, expected: str | None
) -> None:
    finding = describe(message, text)
    assert (finding.rule, finding.value, finding.expected) == (rule, value, expected)
    assert finding.message


def test_an_unknown_message_is_kept_whole() -> None:
    finding = describe("Element 'x': Something libxml2 says rarely.")
    assert finding.rule == "schema"
    assert "Something libxml2 says rarely." in finding.message


def test_readable_paths_use_the_documents_prefixes_and_positions() -> None:
    root = etree.fromstring(
        b'<s:E xmlns:s="urn:s"><s:B><op xmlns="urn:d"><i/><i/><j/></op></s:B></s:E>'
    )
    second_i = root[0][0][1]
    assert readable_path(second_i) == "/s:E/s:B/op/i[2]"


def test_libxml2_paths_with_default_namespace_steps_resolve_to_the_right_element() -> None:
    root = etree.fromstring(
        b'<s:E xmlns:s="urn:s"><s:B><op xmlns="urn:d"><i/><j/><i/></op></s:B></s:E>'
    )
    assert resolve(root, "/s:E/s:B/*/*[3]", skip_first=True) is root[0][0][2]
    assert resolve(root, "/s:E/s:B/*/*[9]", skip_first=True) is None


@pytest.mark.parametrize(
    ("message", "rule", "value", "expected"),
    [
        (
            "Element 'faultcode': The QName value 'soap:Client' has no corresponding namespace "
            "declaration in scope.",
            "datatype",
            "soap:Client",
            "xs:QName",
        ),
        ("Element 'RT': The element is not 'nillable'.", "nillable", None, None),
        (
            "Element 'r', attribute 'kind': [facet 'enumeration'] The value 'Z' is not an element "
            "of the set {'A', 'B'}.",
            "enumeration",
            "Z",
            "A, B",
        ),
        ("Element 'r': The attribute 'kind' is required but missing.", "attribute", "kind", None),
        (
            "Element '{urn:x}extra': This element is not expected. Expected is ( "
            "##other{http://schemas.xmlsoap.org/soap/envelope/}* ).",
            "unexpected-element",
            "extra",
            "any element outside namespace http://schemas.xmlsoap.org/soap/envelope/",
        ),
    ],
    ids=["qname-prefix", "nillable", "attribute-facet", "attribute-missing", "wildcard"],
)
def test_less_common_libxml2_messages_get_their_own_rules(
    message: str, rule: str, value: str | None, expected: str | None
) -> None:
    finding = describe(message)
    assert (finding.rule, finding.value, finding.expected) == (rule, value, expected)


def test_an_attribute_facet_names_the_attribute_and_its_element() -> None:
    finding = describe(
        "Element 'r', attribute 'kind': [facet 'enumeration'] The value 'Z' is not an element "
        "of the set {'A', 'B'}."
    )
    assert finding.message == "value 'Z' of attribute 'kind' of <r> is not one of: A, B"
