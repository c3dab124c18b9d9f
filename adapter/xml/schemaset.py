"""Compiling the bundled XSDs into lxml (libxml2) schemas, per profile.

Every schema is compiled from the bundle folder only: a resolver refuses any other
location, so a schema can never reach the network or the rest of the disk. The ``guide``
profile is the same files with each service's ``wire/`` override layer swapped for its
``guide/`` twin at load time (see schemas/ERRATA.md). The *skeleton* variant types the
children of every operation wrapper as ``xsd:anyType``: it checks a message's structure
around its payload items once the items themselves have been validated and emptied.

Compiled schemas are cached once per process and shared by threads. An lxml
``XMLSchema`` keeps the error log of its last validation on the object, so a validation
and the reading of its log hold the schema's lock (``schema_lock``). One cache, not one
per thread, because compiling is unsafe beside other threads' parsing: lxml swaps
libxml2's process-wide document loader around every parse and every compile, and a parse
ending during a compile can leave the compile loading files from disk, past the bundle
resolver (a skeleton compiled without its relaxed wrappers, a guide profile built from
wire files). Compile everything up front (``MessageValidator.warm``) before threads parse.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec, TypeVar
from urllib.parse import unquote, urlparse
from xml.sax.saxutils import quoteattr

from lxml import etree

from adapter.contract import Profile, bundle_root, load_services
from adapter.errors import ConfigurationError, ContractError
from adapter.xml.names import SOAP_ENVELOPE, XSD, clark, local
from adapter.xml.parsing import safe_parser

__all__ = [
    "PayloadType",
    "envelope_schema",
    "find_payload_type",
    "item_schemas",
    "list_payload_types",
    "payload_roots",
    "payload_schema",
    "schema_lock",
    "skeleton_schema",
]

_LAYERS = ("wire", "guide")
_P = ParamSpec("_P")
_T = TypeVar("_T")
_COMPILING = threading.RLock()  # one compile at a time; item_schemas nests compiles
_SCHEMA_LOCKS: dict[int, threading.Lock] = {}  # by id(): cached schemas live forever


def _shared(function: Callable[_P, _T]) -> Callable[_P, _T]:
    """``functools.cache`` for compiled schemas: one process-wide cache, filled under a
    lock so that each schema is compiled once."""
    cache: dict[object, _T] = {}

    @functools.wraps(function)
    def cached(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        key = (args, tuple(sorted(kwargs.items())))
        if key in cache:
            return cache[key]
        with _COMPILING:
            if key not in cache:
                cache[key] = function(*args, **kwargs)
            return cache[key]

    return cached


def schema_lock(schema: etree.XMLSchema) -> threading.Lock:
    """The lock to hold while ``schema`` validates and its error log is read."""
    return _SCHEMA_LOCKS[id(schema)]


@dataclass(frozen=True, slots=True)
class PayloadType:
    """A named complex type or global element that ``--type`` can validate a bare payload
    against. ``service`` is the schema folder (``energydata``, ``meterinformation``, ...)."""

    service: str
    namespace: str
    name: str
    kind: str  # "type" or "element"

    @property
    def clark(self) -> str:
        return f"{{{self.namespace}}}{self.name}"

    @property
    def label(self) -> str:
        return f"{self.service}:{self.name}"


class _BundleResolver(etree.Resolver):
    """Serves files from the bundle's schemas/ folder only; for ``guide`` redirects each
    ``<service>/wire/<file>`` to ``<service>/guide/<file>``; for a skeleton, serves the
    wrapper-declaring files with their wrappers' children relaxed to ``xsd:anyType``."""

    def __init__(self, schemas: Path, profile: Profile, *, skeleton: bool = False) -> None:
        super().__init__()
        self._schemas = schemas
        self._profile = profile
        self._skeleton = skeleton

    def resolve(self, system_url: str | None, public_id: str | None, context: Any) -> Any:
        if system_url is None:
            return None
        parsed = urlparse(system_url)
        if parsed.scheme not in ("", "file"):
            raise ContractError(f"schema reference outside the bundle refused: {system_url}")
        path = Path(unquote(parsed.path)).resolve()
        if not path.is_relative_to(self._schemas):
            raise ContractError(f"schema reference outside the bundle refused: {system_url}")
        if self._profile is Profile.GUIDE and path.parent.name == "wire":
            path = path.parent.parent / "guide" / path.name
        if self._skeleton and path in _wrapper_files():
            return self.resolve_string(_relaxed_wrappers(path), context, base_url=path.as_uri())
        return self.resolve_filename(str(path), context)


def _schemas_dir() -> Path:
    return (bundle_root() / "schemas").resolve()


def _compile(
    driver: str, profile: Profile, what: str, *, skeleton: bool = False
) -> etree.XMLSchema:
    schemas = _schemas_dir()
    parser = safe_parser()
    parser.resolvers.add(_BundleResolver(schemas, profile, skeleton=skeleton))
    try:
        document = etree.fromstring(
            driver.encode(), parser, base_url=(schemas / "driver.xsd").as_uri()
        )
        schema = etree.XMLSchema(document)
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
        raise ContractError(
            f"the bundled schemas do not compile for {what} (profile {profile.value}): {exc}",
            path=str(schemas),
        ) from exc
    _SCHEMA_LOCKS[id(schema)] = threading.Lock()
    return schema


@functools.cache
def _imports() -> str:
    """Imports of every bundled namespace: one base schema file per namespace."""
    schemas = _schemas_dir()
    located = [(SOAP_ENVELOPE, schemas / "soap" / "envelope.xsd")]
    located += [(_read_xsd(path).get("targetNamespace", ""), path) for path in _base_files()]
    return "".join(
        f"<xsd:import namespace={quoteattr(ns)} schemaLocation={quoteattr(path.as_uri())}/>"
        for ns, path in located
    )


@_shared
def envelope_schema(profile: Profile) -> etree.XMLSchema:
    """The schema for whole SOAP messages: the SOAP 1.1 envelope plus every service."""
    return _compile(f'<xsd:schema xmlns:xsd="{XSD}">{_imports()}</xsd:schema>', profile, "SOAP")


@_shared
def skeleton_schema(profile: Profile) -> etree.XMLSchema:
    """``envelope_schema`` with every operation wrapper's children typed ``xsd:anyType``."""
    driver = f'<xsd:schema xmlns:xsd="{XSD}">{_imports()}</xsd:schema>'
    return _compile(driver, profile, "the message skeleton", skeleton=True)


@_shared
def _type_schema(profile: Profile, root: str, type_clark: str) -> etree.XMLSchema:
    """A schema whose only new global element is the unqualified ``root`` of ``type_clark``:
    how a payload that is a local element on the wire is validated on its own."""
    namespace, _, name = type_clark[1:].partition("}")
    driver = (
        f'<xsd:schema xmlns:xsd="{XSD}" xmlns:t={quoteattr(namespace)}>{_imports()}'
        f"<xsd:element name={quoteattr(root)} type={quoteattr('t:' + name)}/></xsd:schema>"
    )
    return _compile(driver, profile, f"payload type {type_clark}")


def payload_schema(profile: Profile, payload: PayloadType, root: str) -> etree.XMLSchema:
    """The schema that validates a bare payload whose root element is ``root`` (Clark), one
    of ``payload_roots(profile, payload)``."""
    if payload.kind == "element":
        return envelope_schema(profile)
    return _type_schema(profile, local(root), payload.clark)


@functools.cache
def payload_roots(profile: Profile, payload: PayloadType) -> frozenset[str]:
    """The element names (Clark) a payload of this type is sent as, in this profile."""
    if payload.kind == "element":
        return frozenset({payload.clark})
    layer = "guide" if profile is Profile.GUIDE else "wire"
    files = [*_base_files(), *sorted(_schemas_dir().glob(f"*/{layer}/*.xsd"))]
    names = set()
    for path in files:
        for node in _read_xsd(path).iter(f"{{{XSD}}}element"):
            if node.get("type") and clark(node, node.get("type", "")) == payload.clark:
                names.add(node.get("name", ""))
    return frozenset(names)


@_shared
def item_schemas(profile: Profile, wrapper: str) -> dict[str, etree.XMLSchema]:
    """For an operation wrapper element (Clark), the schema that validates each kind of child
    it may hold, keyed by the child's name (Clark for qualified children, plain local name
    otherwise). Messages are validated one child (one ESIID's payload) at a time."""
    declaration = _global_elements().get(wrapper)
    if declaration is None:
        return {}
    items: dict[str, etree.XMLSchema] = {}
    for particle in declaration.iterfind(f"{{{XSD}}}complexType//{{{XSD}}}element"):
        ref, name, kind = particle.get("ref"), particle.get("name"), particle.get("type")
        if ref is not None:
            items[clark(particle, ref)] = envelope_schema(profile)
        elif name is not None and kind is not None:
            items[name] = _type_schema(profile, name, clark(particle, kind))
        else:
            raise ContractError(
                f"wrapper {wrapper} declares a child that is neither a ref nor a typed element",
                path=str(_schemas_dir()),
            )
    return items


def list_payload_types() -> tuple[PayloadType, ...]:
    """Every named complex type and global element of the bundled service schemas."""
    return _payload_types()


def find_payload_type(spec: str) -> PayloadType:
    """Resolve ``Name``, ``service:Name`` or ``{namespace}Name`` to one payload type.

    Raises ``ConfigurationError`` naming the candidates when the name is unknown or
    ambiguous."""
    candidates = _payload_types()
    if spec.startswith("{"):
        matches = [p for p in candidates if p.clark == spec]
    elif ":" in spec:
        service, _, name = spec.partition(":")
        matches = [
            p for p in candidates if p.name == name and service.lower() in _service_aliases(p)
        ]
    else:
        matches = [p for p in candidates if p.name == spec]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ConfigurationError(
            f"payload type {spec!r} is not in the bundled schemas; "
            "`smt validate --list-types` lists them",
            field="type",
            value=spec,
        )
    labels = ", ".join(p.label for p in matches)
    raise ConfigurationError(
        f"payload type {spec!r} is ambiguous; name one of {labels}", field="type", value=spec
    )


def _service_aliases(payload: PayloadType) -> set[str]:
    aliases = {payload.service}
    for service in load_services():
        if service.schema.parent.name == payload.service:
            aliases.add(service.name.lower())
    return aliases


def _base_files() -> list[Path]:
    schemas = _schemas_dir()
    return [
        path
        for path in sorted(schemas.glob("*/*.xsd"))
        if path.parent.name != "soap" and path.parent.name not in _LAYERS
    ]


@functools.cache
def _payload_types() -> tuple[PayloadType, ...]:
    found = []
    for path in _base_files():
        root = _read_xsd(path)
        namespace = root.get("targetNamespace", "")
        for node in root:
            if node.tag in (f"{{{XSD}}}complexType", f"{{{XSD}}}element") and node.get("name"):
                kind = "type" if node.tag.endswith("complexType") else "element"
                found.append(PayloadType(path.parent.name, namespace, node.get("name", ""), kind))
    return tuple(found)


@functools.cache
def _global_elements() -> dict[str, etree._Element]:
    table = {}
    for path in _base_files():
        root = _read_xsd(path)
        namespace = root.get("targetNamespace", "")
        for node in root.iterfind(f"{{{XSD}}}element"):
            table[f"{{{namespace}}}{node.get('name')}"] = node
    return table


@functools.cache
def _wrapper_names() -> frozenset[str]:
    return frozenset(
        name
        for service in load_services()
        for op in service.operations
        for name in (op.request_element, op.response_element)
    )


@functools.cache
def _wrapper_files() -> frozenset[Path]:
    """The base schema files that declare operation wrappers."""
    found = set()
    for path in _base_files():
        root = _read_xsd(path)
        namespace = root.get("targetNamespace", "")
        names = {
            f"{{{namespace}}}{node.get('name')}" for node in root.iterfind(f"{{{XSD}}}element")
        }
        if names & _wrapper_names():
            found.add(path)
    return frozenset(found)


@functools.cache
def _relaxed_wrappers(path: Path) -> str:
    """The schema file at ``path`` with each wrapper's children typed ``xsd:anyType``."""
    root = _read_xsd(path)
    namespace = root.get("targetNamespace", "")
    xsd_prefix = next(prefix for prefix, uri in root.nsmap.items() if uri == XSD and prefix)
    for node in root.iterfind(f"{{{XSD}}}element"):
        if f"{{{namespace}}}{node.get('name')}" not in _wrapper_names():
            continue
        for particle in node.iterfind(f"{{{XSD}}}complexType//{{{XSD}}}element"):
            ref = particle.attrib.pop("ref", None)
            if ref is not None:  # a reference to a global element of this same namespace
                particle.set("name", local(ref))
                particle.set("form", "qualified")
            particle.set("type", f"{xsd_prefix}:anyType")
    return etree.tostring(root, encoding="unicode")


@functools.cache
def _read_xsd_cached(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ContractError(f"cannot read bundled schema {path}: {exc}", path=str(path)) from exc


def _read_xsd(path: Path) -> etree._Element:
    """A fresh parse of a bundled schema file (callers may change the tree)."""
    try:
        root: etree._Element = etree.fromstring(_read_xsd_cached(path), safe_parser())
    except etree.XMLSyntaxError as exc:
        raise ContractError(f"cannot read bundled schema {path}: {exc}", path=str(path)) from exc
    return root
