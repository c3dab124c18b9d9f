"""The mock's SOAP layer, and the only module that imports spyne.

spyne takes the envelope the WSGI layer has parsed and checked, dispatches on the operation
wrapper's qualified name and writes the response envelope and SOAP Faults. It is driven
below its own WSGI server, whose HTTP handling and second parse would only repeat work.
The payloads themselves are built by the mock's handlers with lxml, because SMT's
payloads are unqualified and one wrapper carries either a synchronous payload or an
``Acknowledgement``; spyne's typed models qualify children and fix one payload per
operation. So every method takes and returns ``AnyXml`` in the
``bare`` body style, with the wire's wrapper names set explicitly
(``_in_message_name``/``_out_message_name``): spyne never builds a schema of its own, and
the WSDL served is the bundled one.

spyne 2.14.0, its last release, runs on Python 3.11 but not on 3.12+: replacing it means
replacing this module only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from lxml import etree

from adapter.contract import Operation, Service
from adapter.xml.names import SOAP_ENVELOPE, local

try:  # pragma: no cover - exercised by every mock test on 3.11
    from spyne import (  # type: ignore[import-untyped]
        AnyXml,
        Application,
        Fault,
        MethodContext,
        ServiceBase,
        rpc,
    )
    from spyne import const as spyne_const
    from spyne.protocol import ProtocolBase  # type: ignore[import-untyped]
    from spyne.protocol.soap import Soap11  # type: ignore[import-untyped]
    from spyne.server import ServerBase  # type: ignore[import-untyped]
except ImportError as exc:  # pragma: no cover - Python 3.12+
    _SPYNE_ERROR: ImportError | None = exc
else:
    _SPYNE_ERROR = None

__all__ = ["SoapEndpoint", "SoapFault", "build_fault", "build_soap_app"]

Payloads = etree._Element | list[etree._Element]
Handler = Callable[[Operation, etree._Element, Mapping[str, Any]], Payloads]
"""Answers one call: (operation, request payload element, WSGI environ) -> the payload, or
several (one synchronous payload per ESIID: the wrappers repeat them, ERRATA I-06)."""

_LOG = logging.getLogger("adapter.mock")

# spyne logs a traceback for every fault a method raises; ours are answers, not errors.
for _name in ("spyne.application.client", "spyne.application.server"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)

# spyne's AnyXml holds one element, and a list would be wrapped item by item: several
# payloads travel in this carrier, which is unwrapped once spyne has built the envelope.
_CARRIER = "{urn:smt-adapter:mock}payloads"
_BODY, _HEADER, _FAULT = (f"{{{SOAP_ENVELOPE}}}{name}" for name in ("Body", "Header", "Fault"))


class SoapFault(Exception):  # noqa: N818 - it is the SOAP term
    """Raised by a handler to answer with a SOAP Fault: ``code`` is ``Client`` (the request
    is wrong) or ``Server``; ``text`` becomes the faultstring."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(text)
        self.code = code
        self.text = text


class SoapEndpoint:
    """One service's SOAP layer: ``answer(body, environ)`` gives the HTTP status and the
    response envelope. The WSGI layer in front has read the body and checked the request;
    spyne is driven below its own WSGI server, which would only repeat that work."""

    def __init__(self, application: Any) -> None:
        self._server = ServerBase(application)

    def answer(self, envelope: etree._Element, environ: Mapping[str, Any]) -> tuple[int, bytes]:
        """Answer a request already parsed (and checked) by the layer in front."""
        server = self._server
        protocol = server.app.in_protocol
        context = MethodContext(server, MethodContext.SERVER)
        context.transport.req_env = environ  # where the handlers find their call
        context.in_document = (envelope, {})  # what spyne's own parse would have made
        try:
            protocol.decompose_incoming_envelope(context, ProtocolBase.REQUEST)
            call = protocol.generate_method_contexts(context)[0]
        except Fault as fault:
            context.in_error = context.out_error = fault
            call = context
        try:
            if not call.in_error:
                server.get_in_object(call)
            if not call.in_error:
                server.get_out_object(call)
            if call.in_error and not call.out_error:
                call.out_error = call.in_error
            server.get_out_string(call)
            return (500 if call.out_error else 200), b"".join(call.out_string)
        finally:
            call.close()


def build_soap_app(service: Service, handler: Handler) -> SoapEndpoint:
    """The SOAP layer of ``service``, every operation answered by ``handler``."""
    if _SPYNE_ERROR is not None:
        raise RuntimeError(
            "the mock needs spyne 2.14.0, which runs on Python 3.11 only "
            f"(this is a newer Python): {_SPYNE_ERROR}"
        )
    methods = {op.name: _method(op, handler) for op in service.operations}
    service_class = type(f"{service.name}Service", (ServiceBase,), methods)
    application = Application(
        [service_class],
        tns=service.namespace,
        name=service.name,
        in_protocol=_CheckedSoap11(validator=None),  # the bundled XSDs have validated it
        out_protocol=Soap11(),
    )
    application.out_protocol.event_manager.add_listener("after_serialize", _unwrap_carriers)
    # spyne declares every namespace of this map on each response envelope, then removes
    # the unused ones: fifteen, kept for the WSDL spyne could write (the mock serves the
    # bundled one). A response uses two: the SOAP envelope's and the service's (tns).
    nsmap = application.interface.nsmap
    for prefix in [p for p, uri in nsmap.items() if uri not in (SOAP_ENVELOPE, service.namespace)]:
        del nsmap[prefix]
    return SoapEndpoint(application)


if _SPYNE_ERROR is None:
    # spyne runs a full gc.collect() at most once a second, when a call's context closes, so
    # that file descriptors held by garbage are returned. The mock's contexts hold none, and
    # a full collection stops every thread of the server for milliseconds.
    spyne_const.MIN_GC_INTERVAL = float("inf")

    class _CheckedSoap11(Soap11):  # type: ignore[misc]
        """spyne's SOAP 1.1 for envelopes the WSGI layer has parsed and checked against the
        bundled schema: the Header and Body are found by name, where spyne evaluates two
        XPath expressions, compiled anew, for every request. The rest is spyne's."""

        def decompose_incoming_envelope(
            self, ctx: Any, message: Any = ProtocolBase.REQUEST
        ) -> None:
            envelope, _ = ctx.in_document
            body = next(envelope.iterchildren(_BODY), None)
            if body is None or not len(body):
                raise Fault("Client.SoapError", "the envelope holds no Body payload")
            header = next(envelope.iterchildren(_HEADER), None)
            ctx.in_document = envelope
            ctx.in_body_doc = body[0]
            if ctx.in_body_doc.tag != _FAULT:
                ctx.in_header_doc = None if header is None else header.getchildren()
                ctx.method_request_string = ctx.in_body_doc.tag
                self.validate_body(ctx, message)


def _unwrap_carriers(ctx: Any) -> None:
    # a carrier only ever stands right in the response wrapper: look nowhere deeper
    body = ctx.out_body_doc
    for wrapper in () if body is None else body:
        for carrier in list(wrapper.iterchildren(_CARRIER)):
            for payload in list(carrier):
                carrier.addprevious(payload)
            wrapper.remove(carrier)


def _method(operation: Operation, handler: Handler) -> Any:
    def call(ctx: Any, payload: etree._Element) -> etree._Element:
        try:
            answer = handler(operation, payload, ctx.transport.req_env)
        except SoapFault as fault:
            raise Fault(faultcode=fault.code, faultstring=fault.text) from fault
        except Exception:
            # spyne answers "Internal Error"; its own log of it is silenced above
            _LOG.exception("the mock failed in %s", operation.name)
            raise
        if isinstance(answer, list) and len(answer) == 1:
            return answer[0]  # one payload needs no carrier
        if isinstance(answer, list):
            carrier = etree.Element(_CARRIER)
            carrier.extend(answer)
            return carrier
        return answer

    # spyne keys methods by function name: each operation's must be its own.
    call.__name__ = call.__qualname__ = operation.name
    return rpc(
        AnyXml,
        _returns=AnyXml,
        _body_style="bare",
        _in_message_name=local(operation.request_element),
        _out_message_name=local(operation.response_element),
    )(call)


def build_fault(code: str, text: str) -> bytes:
    """A SOAP 1.1 Fault envelope, shaped like the ones spyne writes, for refusals made
    before a request reaches spyne (schema violations, a wrong SOAPAction)."""
    envelope = etree.Element(f"{{{SOAP_ENVELOPE}}}Envelope", nsmap={"soapenv": SOAP_ENVELOPE})
    body = etree.SubElement(envelope, f"{{{SOAP_ENVELOPE}}}Body")
    fault = etree.SubElement(body, f"{{{SOAP_ENVELOPE}}}Fault")
    etree.SubElement(fault, "faultcode").text = f"soapenv:{code}"
    etree.SubElement(fault, "faultstring").text = text
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"))
