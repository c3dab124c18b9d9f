"""The SMT SOAP contract as shipped: where the bundle is, and which services and
operations it defines.

The WSDL files are the single source of truth for operations (names, wrapper elements,
soapAction, endpoint paths); this module reads them rather than repeating them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from lxml import etree

from adapter.errors import ConfigurationError, ContractError
from adapter.xml.names import XSD, clark, local
from adapter.xml.parsing import safe_parser

__all__ = [
    "Direction",
    "Operation",
    "Profile",
    "Service",
    "bundle_root",
    "find_operation",
    "load_services",
]

_WSDL = "http://schemas.xmlsoap.org/wsdl/"
_WSDL_SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
_NS = {"wsdl": _WSDL, "soap": _WSDL_SOAP, "xsd": XSD}


class Profile(Enum):
    """Which reading of the contract to validate against (see schemas/ERRATA.md).

    ``WIRE`` accepts what SMT really sends and accepts; ``GUIDE`` is the XSDs as the
    Interface Guide prints them, repaired only to be well-formed."""

    WIRE = "wire"
    GUIDE = "guide"

    @classmethod
    def parse(cls, value: str) -> Profile:
        try:
            return cls(value)
        except ValueError:
            names = ", ".join(p.value for p in cls)
            raise ConfigurationError(
                f"profile {value!r} does not exist; choose one of {names}",
                field="profile",
                value=value,
            ) from None


class Direction(Enum):
    """Whether a wrapper element opens a request or a response."""

    REQUEST = "request"
    RESPONSE = "response"


@dataclass(frozen=True, slots=True)
class Operation:
    """One SOAP operation. Element names are in Clark notation, ``{namespace}local``."""

    service: str
    name: str
    soap_action: str
    request_element: str
    response_element: str


@dataclass(frozen=True, slots=True)
class Service:
    """One SMT SOAP service: its WSDL, the schema its WSDL imports, and its operations."""

    name: str
    namespace: str
    path: str
    wsdl: Path
    schema: Path
    operations: tuple[Operation, ...]


def bundle_root() -> Path:
    """The folder that holds ``schemas/`` and ``wsdl/``: inside the installed package when
    installed from a wheel, the top of the checkout otherwise."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "_bundled", package.parent):
        if (candidate / "schemas").is_dir() and (candidate / "wsdl").is_dir():
            return candidate
    raise ContractError(
        f"the bundled contract (schemas/ and wsdl/) is neither in {package / '_bundled'} "
        f"nor in {package.parent}; reinstall smt-adapter",
        path=str(package),
    )


@functools.cache
def load_services() -> tuple[Service, ...]:
    """Every service of the bundled contract, read from ``wsdl/*.wsdl``, sorted by name."""
    wsdl_dir = bundle_root() / "wsdl"
    services = [_read_wsdl(path) for path in sorted(wsdl_dir.glob("*.wsdl"))]
    if not services:
        raise ContractError(f"no WSDL files in {wsdl_dir}", path=str(wsdl_dir))
    return tuple(sorted(services, key=lambda s: s.name))


def find_operation(element: str) -> tuple[Operation, Direction] | None:
    """The operation whose request or response wrapper is ``element`` (Clark notation)."""
    return _wrappers().get(element)


@functools.cache
def _wrappers() -> dict[str, tuple[Operation, Direction]]:
    table: dict[str, tuple[Operation, Direction]] = {}
    for service in load_services():
        for op in service.operations:
            table[op.request_element] = (op, Direction.REQUEST)
            table[op.response_element] = (op, Direction.RESPONSE)
    return table


def _read_wsdl(path: Path) -> Service:
    try:
        root = etree.parse(str(path), safe_parser()).getroot()
    except (OSError, etree.XMLSyntaxError) as exc:
        raise ContractError(f"cannot read WSDL {path}: {exc}", path=str(path)) from exc

    def need(xpath: str) -> etree._Element:
        found = root.xpath(xpath, namespaces=_NS)
        if not isinstance(found, list) or not found or not isinstance(found[0], etree._Element):
            raise ContractError(f"WSDL {path} has no {xpath}", path=str(path))
        return found[0]

    namespace = root.get("targetNamespace", "")
    imported = need("wsdl:types/xsd:schema/xsd:import")
    schema = (path.parent / imported.get("schemaLocation", "")).resolve()
    port = need("wsdl:service/wsdl:port")
    address = need("wsdl:service/wsdl:port/soap:address").get("location", "")
    service_path = "/" + address.split("://", 1)[-1].split("/", 1)[-1]
    binding_name = local(port.get("binding", ""))
    actions = {
        op.get("name", ""): _soap_action(op)
        for op in need(f"wsdl:binding[@name='{binding_name}']").iterfind(f"{{{_WSDL}}}operation")
    }
    messages = {
        m.get("name", ""): _part_element(path, m) for m in root.iterfind(f"{{{_WSDL}}}message")
    }
    operations = []
    for op in need("wsdl:portType").iterfind(f"{{{_WSDL}}}operation"):
        name = op.get("name", "")
        io = {child.tag: local(child.get("message", "")) for child in op}
        operations.append(
            Operation(
                service=root.get("name", path.stem),
                name=name,
                soap_action=actions[name],
                request_element=messages[io[f"{{{_WSDL}}}input"]],
                response_element=messages[io[f"{{{_WSDL}}}output"]],
            )
        )
    return Service(
        name=root.get("name", path.stem),
        namespace=namespace,
        path=service_path,
        wsdl=path,
        schema=schema,
        operations=tuple(operations),
    )


def _soap_action(binding_operation: etree._Element) -> str:
    soap_op = binding_operation.find(f"{{{_WSDL_SOAP}}}operation")
    return "" if soap_op is None else soap_op.get("soapAction", "")


def _part_element(path: Path, message: etree._Element) -> str:
    part = message.find(f"{{{_WSDL}}}part")
    if part is None or not part.get("element"):
        raise ContractError(f"WSDL {path}: message {message.get('name')} has no element part")
    return clark(part, part.get("element", ""))
