"""Report file names: the guide's examples read and written back exactly."""

from __future__ import annotations

import pytest

from adapter.errors import ConfigurationError
from adapter.reports import ReportName, format_report_name, parse_report_name

GUIDE_NAMES = [
    "IntervalMeterUsagecfd024ab76ee195c3c326fe9.CSV.8286294561000",
    "IntervalMeterUsagecfd024ab76ee195c3c326fe9.lse.8286294561000",
    "DailyMeterUsage00122c501ff160ca73ad74a7.CSV.799530915",
    "957877905IntervalData20100122123001980.lse.002.799530915",
    "007923311IntervalData20190721120710101.lse.001.787476634.asc",
]


@pytest.mark.parametrize("name", GUIDE_NAMES)
def test_the_guides_names_read_back_unchanged(name: str) -> None:
    assert format_report_name(parse_report_name(name)) == name


def test_an_interval_csv_name_says_kind_id_format_and_number() -> None:
    name = parse_report_name("IntervalMeterUsagecfd024ab76ee195c3c326fe9.CSV.8286294561000")
    assert name == ReportName(
        kind="interval", report_id="cfd024ab76ee195c3c326fe9", format="CSV", number="8286294561000"
    )


def test_a_daily_lse_name_carries_duns_timestamp_and_sequence() -> None:
    name = parse_report_name("957877905IntervalData20100122123001980.lse.002.799530915")
    assert (name.kind, name.duns, name.report_id, name.sequence, name.number) == (
        "lse-daily",
        "957877905",
        "20100122123001980",
        "002",
        "799530915",
    )
    assert name.format == "LSE" and not name.zipped and not name.armoured


def test_a_zipped_and_armoured_name_keeps_the_inner_name() -> None:
    built = ReportName(
        kind="meter", report_id="4afcb1e8ad6711e984b60a04", format="CSV", number="1",
        zipped=True, armoured=True,
    )  # fmt: skip
    text = format_report_name(built)
    assert text == "MeterAttributes4afcb1e8ad6711e984b60a04.CSV.1.zip.asc"
    assert parse_report_name(text) == built
    assert built.inner == "MeterAttributes4afcb1e8ad6711e984b60a04.CSV.1"


@pytest.mark.parametrize(
    "name",
    [
        "IntervalMeterUsageabc.csv.1",  # the guide writes .CSV
        "IntervalMeterUsageabc.LSE.1",  # and .lse
        "IntervalMeterUsageabc.CSV",
        "Something.CSV.1",
        "IntervalMeterUsageabc.CSV.1.asc.zip",  # zipped first, then armoured
        "957877905IntervalData20100122123001980.lse.2.799530915",
    ],
)
def test_an_unknown_name_is_refused_naming_the_rule(name: str) -> None:
    with pytest.raises(ConfigurationError, match="rule") as caught:
        parse_report_name(name)
    assert caught.value.field == "name"


def test_a_kind_in_a_format_it_never_comes_in_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="meter report comes as CSV"):
        parse_report_name("MeterAttributesabc.lse.1")
    with pytest.raises(ConfigurationError):
        ReportName(kind="premise", report_id="abc", format="XML", number="1")


def test_parts_that_cannot_make_a_name_are_refused() -> None:
    with pytest.raises(ConfigurationError):
        ReportName(kind="daily", report_id="a.b", format="CSV", number="1")
    with pytest.raises(ConfigurationError):
        ReportName(kind="daily", report_id="abc", format="CSV", number="x1")
    with pytest.raises(ConfigurationError):
        ReportName(kind="interval", report_id="abc", format="CSV", number="1", sequence="001")
