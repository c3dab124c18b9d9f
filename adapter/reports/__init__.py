"""SMT's report files: their names, layouts, writers and streaming parsers.

- ``names``: ``ReportName``, ``parse_report_name``, ``format_report_name``.
- ``layouts``: the CSV and LSE layouts as data, and the writers.
- ``csv_reports``, ``lse``, ``green_button``: streaming parsers; bad rows go to a
  ``DeadLetters`` sink (``dead_letters``) and never stop a file.
- ``dispatch``: ``iter_report_records`` picks the parser from the file's name.
"""

from __future__ import annotations

from adapter.reports.cells import escape_cell, unescape_cell
from adapter.reports.csv_reports import (
    iter_daily_csv,
    iter_interval_csv,
    iter_meter_csv,
    iter_monthly_csv,
    iter_premise_csv,
)
from adapter.reports.dead_letters import DeadLetter, DeadLetters
from adapter.reports.dispatch import ReportRecord, iter_report_records
from adapter.reports.green_button import GreenButtonReading, iter_green_button_readings
from adapter.reports.layouts import (
    DAILY,
    INTERVAL,
    METER,
    MONTHLY,
    PREMISE,
    Column,
    CsvLayout,
    write_daily_csv,
    write_interval_csv,
    write_lse,
    write_meter_csv,
    write_monthly_csv,
    write_premise_csv,
)
from adapter.reports.lse import iter_lse_days
from adapter.reports.names import ReportName, format_report_name, parse_report_name

__all__ = [
    "DAILY",
    "INTERVAL",
    "METER",
    "MONTHLY",
    "PREMISE",
    "Column",
    "CsvLayout",
    "DeadLetter",
    "DeadLetters",
    "GreenButtonReading",
    "ReportName",
    "ReportRecord",
    "escape_cell",
    "format_report_name",
    "iter_daily_csv",
    "iter_green_button_readings",
    "iter_interval_csv",
    "iter_lse_days",
    "iter_meter_csv",
    "iter_monthly_csv",
    "iter_premise_csv",
    "iter_report_records",
    "parse_report_name",
    "unescape_cell",
    "write_daily_csv",
    "write_interval_csv",
    "write_lse",
    "write_meter_csv",
    "write_monthly_csv",
    "write_premise_csv",
]
