"""The checks every table of the mock's TOML settings goes through: a table, its known
keys, a value of the right type, and a refusal that names the setting, its value and the
rule (``ConfigurationError``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NoReturn, TypeVar

from adapter.errors import ConfigurationError

__all__ = ["as_table", "fail", "only", "prefixed", "typed"]

_T = TypeVar("_T")


def fail(name: str, value: str, rule: str) -> NoReturn:
    raise ConfigurationError(f"{name} = {value}: must be {rule}", field=name, value=value)


def as_table(raw: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        fail(where, repr(raw), "a table")
    return raw


def only(settings: Mapping[str, Any], where: str, known: set[str]) -> None:
    for key in settings:
        if key not in known:  # its value is not echoed: a misspelt key may hold a secret
            name = f"{where}.{key}"
            raise ConfigurationError(
                f"{name}: no such setting; the keys of [{where}] are {', '.join(sorted(known))}",
                field=name,
                value=key,
            )


def typed(
    settings: Mapping[str, Any],
    key: str,
    kind: type | tuple[type, ...],
    where: str,
    *,
    secret: bool = False,
) -> Any:
    """``settings[key]`` if it is a ``kind`` (a bool is never taken for a number)."""
    value = settings[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        shown = f"(a {type(value).__name__}, not shown)" if secret else repr(value)
        fail(where, shown, f"a {getattr(kind, '__name__', 'number')}")
    return value


def prefixed(build: Callable[[], _T], where: str = "mock") -> _T:
    """Run a constructor; re-raise its ConfigurationError with the setting's full name."""
    try:
        return build()
    except ConfigurationError as exc:
        name = exc.field if exc.field.startswith("mock") else f"{where}.{exc.field}"
        raise ConfigurationError(
            str(exc).replace(exc.field, name, 1), field=name, value=exc.value
        ) from None
