"""Compiling the bundled XSDs: every file, both profiles, two independent engines."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import xmlschema
from lxml import etree

from adapter import (
    ConfigurationError,
    ContractError,
    Profile,
    find_payload_type,
    list_payload_types,
)
from adapter.contract import bundle_root
from adapter.xml import schemaset

SCHEMAS = bundle_root() / "schemas"
BASE_FILES = sorted(p for p in SCHEMAS.glob("*/*.xsd") if p.parent.name not in ("wire", "guide"))


def _guide_uri(url: str) -> str:
    """xmlschema's uri_mapper sees locations as written (``wire/x.xsd``) or absolute."""
    return re.sub(r"(^|/)wire/", r"\1guide/", url)


@pytest.mark.parametrize("path", BASE_FILES, ids=lambda p: str(p.relative_to(SCHEMAS)))
@pytest.mark.parametrize("profile", list(Profile), ids=lambda p: p.value)
def test_every_schema_file_compiles_in_libxml2(path: Path, profile: Profile) -> None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    parser.resolvers.add(schemaset._BundleResolver(SCHEMAS.resolve(), profile))
    etree.XMLSchema(etree.parse(str(path.resolve()), parser))


@pytest.mark.parametrize("path", BASE_FILES, ids=lambda p: str(p.relative_to(SCHEMAS)))
@pytest.mark.parametrize("profile", list(Profile), ids=lambda p: p.value)
def test_every_schema_file_compiles_in_xmlschema(path: Path, profile: Profile) -> None:
    mapper = _guide_uri if profile is Profile.GUIDE else None
    schema = xmlschema.XMLSchema10(
        str(path), allow="sandbox", defuse="always", uri_mapper=mapper, base_url=str(SCHEMAS)
    )
    layers = {Path(s.url or "").parent.name for s in schema.maps.iter_schemas()}
    assert layers & {"wire", "guide"} <= {profile.value}


def test_the_two_engines_agree_on_the_guide_reading_of_a_disagreement() -> None:
    wire = xmlschema.XMLSchema10(str(SCHEMAS / "energydata" / "meterusagelib.xsd"))
    guide = xmlschema.XMLSchema10(
        str(SCHEMAS / "energydata" / "meterusagelib.xsd"), uri_mapper=_guide_uri
    )
    name = "{http://schemas.esb.ams.com/meterusagelib}RevisionTimestamp"
    assert wire.maps.types[name].max_length == 19
    assert guide.maps.types[name].max_length == 10


def test_a_schema_reference_outside_the_bundle_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.xsd"
    outside.write_text(
        '<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:o"/>'
    )
    driver = (
        '<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">'
        f'<xsd:import namespace="urn:o" schemaLocation="{outside.as_uri()}"/></xsd:schema>'
    )
    with pytest.raises(ContractError):
        schemaset._compile(driver, Profile.WIRE, "a test driver")


def test_payload_types_are_found_by_name_by_service_and_by_namespace() -> None:
    assert find_payload_type("EnergyDataRequest").namespace == "http://BIM_MeterUsageSOAP"
    assert find_payload_type("meterinformation:Acknowledgement").kind == "element"
    assert find_payload_type("MeterInformation:Acknowledgement").service == "meterinformation"
    assert find_payload_type("{http://BIM_PremiseInformationSOAP}Acknowledgement").service == (
        "premiseinformation"
    )
    assert len(list_payload_types()) > 60


def test_an_ambiguous_payload_type_names_the_candidates() -> None:
    with pytest.raises(ConfigurationError) as caught:
        find_payload_type("Acknowledgement")
    assert caught.value.field == "type"
    assert "energydata:Acknowledgement" in str(caught.value)
    assert "premiseinformation:Acknowledgement" in str(caught.value)


def test_an_unknown_payload_type_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="not in the bundled schemas"):
        find_payload_type("EnergyDataRequests")
