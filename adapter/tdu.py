"""Texas transmission and distribution utilities (TDUs), told apart by ESIID prefix.

SMT counts some limits per TDU (3,000 on-demand reads a day for each); the mock lays out its
synthetic ESIIDs under the same prefixes.
"""

from __future__ import annotations

__all__ = ["TDUS", "find_tdu"]

TDUS: dict[str, tuple[str, ...]] = {
    "ONCOR": ("10443720", "1017699"),
    "CENTERPOINT": ("1008901",),
    "AEP_CENTRAL": ("1003278",),
    "AEP_NORTH": ("1020404",),
    "TNMP": ("1040051",),
}


def find_tdu(esiid: str) -> str | None:
    """The TDU whose ESIID prefix ``esiid`` starts with (the longest that matches), None
    if no known prefix does."""
    found = [(len(p), tdu) for tdu, ps in TDUS.items() for p in ps if esiid.startswith(p)]
    return max(found)[1] if found else None
