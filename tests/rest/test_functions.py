"""The REST function table: sixteen paths as the guide spells them, /v2/ twins, lookup."""

from __future__ import annotations

import pytest

from adapter.errors import ConfigurationError
from adapter.rest import FUNCTIONS, find_function
from tests.conftest import ROOT


def test_the_table_holds_the_sixteen_paths_of_section_3_1() -> None:
    assert [f.path for f in FUNCTIONS][:3] == [
        "/15minintervalreads/",
        "/dailyreads/",
        "/monthlybillingInformation/",
    ]
    assert len({f.path for f in FUNCTIONS}) == 16


def test_every_function_has_a_v2_path_and_request_schema() -> None:
    for function in FUNCTIONS:
        assert function.v2_path == "/v2" + function.path
        assert (ROOT / "schemas" / "rest" / f"{function.name}.request.schema.json").is_file()


def test_calls_that_change_state_or_spend_a_quota_are_not_repeatable() -> None:
    never = {f.name for f in FUNCTIONS if not f.repeatable}
    assert never == {"odr", "NewSubscription", "UnSubscription", "NewAgreement",
                     "Terminateagreement"}  # fmt: skip


@pytest.mark.parametrize("key", ["meterInfo", "/meterInfo/", "/v2/meterInfo/", "METERINFO"])
def test_lookup_accepts_name_path_and_any_case(key: str) -> None:
    assert find_function(key).path == "/meterInfo/"


def test_an_unknown_function_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(ConfigurationError) as caught:
        find_function("/nosuch/")
    assert caught.value.field == "function"
    assert "meterInfo" in str(caught.value)
