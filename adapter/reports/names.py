"""The names of SMT's report files (guide 3.3, "FTPS Overview"), parsed and formatted.

Ad-hoc and subscription reports land in ``adhocusage/``, named
``<prefix><report id>.<FORMAT>.<number>``::

    IntervalMeterUsagecfd024ab76ee195c3c326fe9.CSV.8286294561000
    IntervalMeterUsagecfd024ab76ee195c3c326fe9.lse.8286294561000
    DailyMeterUsage00122c501ff160ca73ad74a7.CSV.799530915

The daily LSE files of the REP of record land in ``intervaldata/``, named
``<DUNS>IntervalData<timestamp>.lse.<sequence>.<number>``::

    957877905IntervalData20100122123001980.lse.002.799530915

Either may be zipped (``.zip``) and then ASCII-armoured PGP (``.asc``), in that order
(``...CSV.8286294561000.zip.asc``); the guide's own listing shows ``.lse....asc``.
Format tokens keep the guide's case: ``.CSV``, ``.lse``; ``.XML`` (Green Button) is not
in the guide and is inferred. Prefixes of the monthly, meter and premise reports are
inferred from the guide's operation names (``MonthlyBillingInformation``,
``MeterAttributes``, ``PremiseAttributes``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from adapter.errors import ConfigurationError

__all__ = [
    "FORMATS",
    "KINDS",
    "PREFIXES",
    "ReportName",
    "format_report_name",
    "parse_report_name",
]

KINDS = ("interval", "daily", "monthly", "meter", "premise", "lse-daily")
PREFIXES = {
    "interval": "IntervalMeterUsage",
    "daily": "DailyMeterUsage",
    "monthly": "MonthlyBillingInformation",
    "meter": "MeterAttributes",
    "premise": "PremiseAttributes",
}
FORMATS = {"CSV": "CSV", "LSE": "lse", "XML": "XML"}  # format -> token in the name
# Which formats each kind comes in (LSE is interval data only; attributes are CSV only).
_KIND_FORMATS = {
    "interval": ("CSV", "LSE", "XML"),
    "daily": ("CSV", "XML"),
    "monthly": ("CSV", "XML"),
    "meter": ("CSV",),
    "premise": ("CSV",),
    "lse-daily": ("LSE",),
}
_TOKENS = {token: fmt for fmt, token in FORMATS.items()}
_ADHOC = re.compile(
    r"(?P<prefix>IntervalMeterUsage|DailyMeterUsage|MonthlyBillingInformation"
    r"|MeterAttributes|PremiseAttributes)(?P<id>[0-9A-Za-z_-]+)"
    r"\.(?P<token>CSV|lse|XML)\.(?P<number>\d+)(?P<zip>\.zip)?(?P<asc>\.asc)?\Z"
)
_DAILY_LSE = re.compile(
    r"(?P<duns>\d{9}(?:\d{4})?)IntervalData(?P<id>\d{14,17})"
    r"\.lse\.(?P<seq>\d{3})\.(?P<number>\d+)(?P<zip>\.zip)?(?P<asc>\.asc)?\Z"
)
_RULE = (
    "<IntervalMeterUsage|DailyMeterUsage|MonthlyBillingInformation|MeterAttributes"
    "|PremiseAttributes><id>.<CSV|lse|XML>.<digits>[.zip][.asc] or "
    "<DUNS>IntervalData<timestamp>.lse.<NNN>.<digits>[.zip][.asc]"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportName:
    """What a report file's name says. ``kind`` is one of ``KINDS``; ``report_id`` the
    id after the prefix (the timestamp for ``lse-daily``); ``format`` CSV, LSE or XML;
    ``sequence`` the three-digit sequence of a daily LSE file (None otherwise); ``number``
    the trailing digits; ``duns`` the DUNS that prefixes a daily LSE file (None
    otherwise). Raises ``ConfigurationError`` on construction when the parts cannot make
    a name ``parse_report_name`` would read back."""

    kind: str
    report_id: str
    format: str
    number: str
    sequence: str | None = None
    duns: str | None = None
    zipped: bool = False
    armoured: bool = False

    def __post_init__(self) -> None:
        if self.kind not in _KIND_FORMATS:
            raise ConfigurationError(
                f"report kind {self.kind!r} is unknown: one of {', '.join(KINDS)}",
                field="kind",
                value=self.kind,
            )
        if self.format not in _KIND_FORMATS[self.kind]:
            raise ConfigurationError(
                f"a {self.kind} report comes as {' or '.join(_KIND_FORMATS[self.kind])}, "
                f"not {self.format!r}",
                field="format",
                value=self.format,
            )
        daily = self.kind == "lse-daily"
        if daily != (self.sequence is not None) or daily != (self.duns is not None):
            raise ConfigurationError(
                "sequence and duns belong to daily LSE names (lse-daily) and only there",
                field="sequence" if daily != (self.sequence is not None) else "duns",
                value=str(self.sequence if daily != (self.sequence is not None) else self.duns),
            )
        text = format_report_name(self)
        if _parts(text) != self._parts():
            raise ConfigurationError(
                f"the parts make {text!r}, which breaks the naming rule {_RULE}",
                field="report_id",
                value=self.report_id,
            )

    def _parts(self) -> tuple[object, ...]:
        return (self.kind, self.report_id, self.format, self.number, self.sequence,
                self.duns, self.zipped, self.armoured)  # fmt: skip

    @property
    def inner(self) -> str:
        """The name of the report itself, without ``.zip`` and ``.asc``."""
        return format_report_name(self, wrapped=False)


def parse_report_name(name: str) -> ReportName:
    """Read a report file's name (a bare name, not a path).

    Raises ``ConfigurationError`` (field ``name``) naming the rule when the name is not
    one of SMT's report names, or when the kind does not come in that format."""
    parts = _parts(name)
    if parts is None:
        raise ConfigurationError(
            f"report name {name!r} is not an SMT report name: the rule is {_RULE}",
            field="name",
            value=name,
        )
    kind, report_id, fmt, number, sequence, duns, zipped, armoured = parts
    if fmt not in _KIND_FORMATS[kind]:
        raise ConfigurationError(
            f"report name {name!r}: a {kind} report comes as "
            f"{' or '.join(_KIND_FORMATS[kind])}, not {fmt}",
            field="name",
            value=name,
        )
    return ReportName(
        kind=kind,
        report_id=report_id,
        format=fmt,
        number=number,
        sequence=sequence,
        duns=duns,
        zipped=zipped,
        armoured=armoured,
    )


def _parts(
    name: str,
) -> tuple[str, str, str, str, str | None, str | None, bool, bool] | None:
    adhoc = _ADHOC.match(name)
    if adhoc:
        kind = next(k for k, p in PREFIXES.items() if p == adhoc["prefix"])
        return (kind, adhoc["id"], _TOKENS[adhoc["token"]], adhoc["number"], None, None,
                adhoc["zip"] is not None, adhoc["asc"] is not None)  # fmt: skip
    daily = _DAILY_LSE.match(name)
    if daily:
        return ("lse-daily", daily["id"], "LSE", daily["number"], daily["seq"], daily["duns"],
                daily["zip"] is not None, daily["asc"] is not None)  # fmt: skip
    return None


def format_report_name(name: ReportName, *, wrapped: bool = True) -> str:
    """The file name of ``name``, with ``.zip`` / ``.asc`` when ``wrapped`` and set."""
    token = FORMATS[name.format]
    if name.kind == "lse-daily":
        text = f"{name.duns}IntervalData{name.report_id}.{token}.{name.sequence}.{name.number}"
    else:
        text = f"{PREFIXES[name.kind]}{name.report_id}.{token}.{name.number}"
    if wrapped:
        text += ".zip" * name.zipped + ".asc" * name.armoured
    return text
