"""ERRATA.md, its machine-readable twin, and the claims they make about the contract."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from adapter import MessageValidator, Profile
from tests.conftest import FIXTURES, ROOT, SOAP_FIXTURES, all_soap_fixtures, fixture_id

SCHEMAS = ROOT / "schemas"
REST_FIXTURES = FIXTURES / "rest"
ERRATA = tomllib.loads((SCHEMAS / "errata.toml").read_text())
XSD = "{http://www.w3.org/2001/XMLSchema}"
GUIDE = MessageValidator(Profile.GUIDE)


def _expected_failures() -> dict[str, list[dict[str, Any]]]:
    table: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in ERRATA["disagreement"]:
        for failure in row["guide_failures"]:
            table[failure["fixture"]].append({**failure, "id": row["id"]})
    return table


EXPECTED = _expected_failures()


def _matches(violation: Any, failure: dict[str, Any]) -> bool:
    path = re.sub(r"\[\d+\]|[\w.-]+:", "", violation.path or "")
    return violation.rule == failure["rule"] and path.endswith("/" + failure["path"])


def test_errata_md_is_written_from_its_twin() -> None:
    check = [sys.executable, str(ROOT / "tools" / "render_errata.py"), "--check"]
    assert subprocess.run(check, capture_output=True, check=False).returncode == 0


def test_ids_are_unique_and_in_order() -> None:
    for kind, letter in [
        ("disagreement", "E"),
        ("inferred", "I"),
        ("reassembly", "R"),
        ("note", "N"),
        ("rest", "J"),
        ("report", "F"),
    ]:
        ids = [row["id"] for row in ERRATA[kind]]
        assert ids == [f"{letter}-{n:02d}" for n in range(1, len(ids) + 1)]


def test_every_id_cited_by_a_schema_or_wsdl_exists() -> None:
    known = {row["id"] for kind in ERRATA.values() for row in kind}
    texts = [p.read_text() for p in [*SCHEMAS.rglob("*.xsd"), *(ROOT / "wsdl").glob("*.wsdl")]]
    cited = {m for text in texts for m in re.findall(r"\b[EIRN]-\d\d\b", text)}
    assert cited <= known, cited - known


def test_every_id_cited_by_the_rest_contract_exists() -> None:
    known = {row["id"] for kind in ERRATA.values() for row in kind}
    paths = [
        *(SCHEMAS / "rest").glob("*.json"),
        *(ROOT / "adapter" / "rest").glob("*.py"),
        ROOT / "adapter" / "rest_records.py",
        REST_FIXTURES / "README.md",
    ]
    cited = {m for p in paths for m in re.findall(r"\b[EIRNJ]-\d\d\b", p.read_text())}
    assert cited <= known, cited - known


@pytest.mark.parametrize("path", all_soap_fixtures(), ids=fixture_id)
def test_under_guide_exactly_the_named_fixtures_fail_for_the_named_reasons(path: Path) -> None:
    violations = GUIDE.check(path).violations
    named = EXPECTED.get(str(path.relative_to(FIXTURES)), [])
    reportable = [f for f in named if "masked_by" not in f]
    if not named:
        assert violations == (), [v.format() for v in violations]
        return
    for failure in reportable:
        assert any(_matches(v, failure) for v in violations), (
            failure,
            [v.format() for v in violations],
        )
    for violation in violations:
        assert any(_matches(violation, f) for f in reportable), violation.format()


def test_every_fixture_named_by_the_errata_exists() -> None:
    for fixture in EXPECTED:
        assert (FIXTURES / fixture).is_file(), fixture


def test_a_masked_failure_names_a_disagreement_reported_on_the_same_fixture() -> None:
    for fixture, failures in EXPECTED.items():
        reported = {f["id"] for f in failures if "masked_by" not in f}
        for failure in failures:
            if "masked_by" in failure:
                assert failure["masked_by"] in reported, (fixture, failure)


def _layer_components(path: Path) -> set[str]:
    root = etree.parse(str(path)).getroot()
    return {
        node.get("name", "")
        for node in root
        if node.tag in (f"{XSD}simpleType", f"{XSD}complexType", f"{XSD}group", f"{XSD}element")
    }


def test_the_override_layers_hold_exactly_the_components_the_errata_name() -> None:
    named: dict[str, set[str]] = defaultdict(set)
    for row in ERRATA["disagreement"]:
        for component in row["components"]:
            file, _, name = component.partition("#")
            named[file].add(name)
    layers: dict[str, set[str]] = {}
    for profile in ("wire", "guide"):
        for path in SCHEMAS.glob(f"*/{profile}/*.xsd"):
            file = f"{path.parent.parent.name}/{path.name}"
            layers.setdefault(file, _layer_components(path))
            assert _layer_components(path) == layers[file], f"{profile}/{path.name} differs"
    assert layers == dict(named)


def test_every_disagreement_names_at_least_one_example_source() -> None:
    for row in ERRATA["disagreement"]:
        for field in ("section", "subject", "xsd", "examples", "wire", "evidence"):
            assert row[field].strip(), (row["id"], field)


def test_the_guide_example_rd_keeps_its_99_slots_as_erratum_e20_says() -> None:
    response = SOAP_FIXTURES / "energydata" / "processIntervalEnergyData.response.xml"
    (rd,) = etree.parse(str(response)).getroot().iter("RD")
    assert len((rd.text or "").split(",")) == 99


def test_every_rest_example_the_errata_name_exists() -> None:
    for row in ERRATA["rest"]:
        for field in ("section", "subject", "guide", "reading"):
            assert row[field].strip(), (row["id"], field)
        for fixture in [*row["fixtures"], *row.get("repaired", [])]:
            assert (FIXTURES / fixture).is_file(), (row["id"], fixture)


def test_every_repaired_rest_example_is_named_by_a_row_and_kept_verbatim_beside() -> None:
    repaired = {fixture for row in ERRATA["rest"] for fixture in row.get("repaired", [])}
    verbatim = {
        str(p.with_suffix(".json").relative_to(FIXTURES)) for p in REST_FIXTURES.rglob("*.txt")
    }
    assert repaired == verbatim
    for fixture in repaired:
        json.loads((FIXTURES / fixture).read_text())  # the repair is valid JSON


def _rest_schema(name: str) -> Any:
    return json.loads((SCHEMAS / "rest" / f"{name}.schema.json").read_text())


def test_requestor_ids_are_as_long_as_erratum_j03_says() -> None:
    long = set()
    for path in (SCHEMAS / "rest").glob("*.request.schema.json"):
        properties = json.loads(path.read_text())["properties"]
        properties = properties.get("GreenButtonRequest", {}).get("properties", properties)
        if properties["requestorID"]["maxLength"] == 100:
            long.add(path.name.split(".")[0])
        else:
            assert properties["requestorID"]["maxLength"] == 32, path.name
    assert long == {"greenbutton", "reportrequeststatus", "meterInfo"}


def test_correlation_ids_fit_the_length_erratum_j06_gives_not_the_printed_18() -> None:
    limit = _rest_schema("acknowledgement.response")["properties"]["correlationId"]["maxLength"]
    assert limit == 64
    sent = [json.loads(p.read_text())["correlationId"] for p in REST_FIXTURES.glob("*/*ack.json")]
    assert sent and all(18 < len(c.strip()) <= limit for c in sent)
