"""Write schemas/ERRATA.md from schemas/errata.toml (its machine-readable twin).

python tools/render_errata.py          # rewrite ERRATA.md
python tools/render_errata.py --check  # exit 1 if ERRATA.md is out of date
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "schemas" / "errata.toml"
TARGET = ROOT / "schemas" / "ERRATA.md"

INTRO = """\
# SMT SOAP contract: errata

The SMT 2.0 Interface Guide (July 18, 2020) prints XSD fragments for each SOAP service
(section 3.2) and example messages, and the two often disagree. This file lists every
disagreement and every name the guide never prints, with the reading each profile follows.
It is written from [`errata.toml`](errata.toml) by `python tools/render_errata.py`; the
tests check every row against the schemas and the fixtures.

**Evidence, strongest first:** request examples that carry soapUI's comments
(`<!--Optional:-->`) were generated from SMT's real WSDL; response examples were captured
from SMT's test system; then the printed XSDs. Where they disagree, the wire wins.

**Profiles.** `wire` (the default) accepts what the examples show SMT sending and accepting.
`guide` is the printed XSDs, repaired only to be well-formed and to compile (plus E-19, which
no message can observe). Both are one set
of files: each service folder holds the common schemas, and the components that differ live
in a small override layer, `<service>/wire/<file>.xsd`, swapped for `<service>/guide/<file>.xsd`
when the `guide` profile is loaded. The bundled WSDLs import the `wire` files.

Under `guide`, exactly the fixtures named in the last column fail, for the reason given
there. *Masked* means libxml2 cannot report that failure because an earlier one in the same
element stops its check.
"""


REST_INTRO = """\
The REST functions have no XSD and no profiles: `schemas/rest/*.schema.json` and
`adapter.rest` accept what the JSON examples show SMT sending, and read the table's
spelling too where the two disagree. Examples that are not valid JSON as printed are kept
verbatim as `fixtures/rest/<function>/<name>.txt` beside the repaired `<name>.json`.
"""


def examples(row: dict[str, Any]) -> str:
    items = [f"`{name}`" for name in row["fixtures"]]
    items += [f"`{name}` (repaired)" for name in row.get("repaired", [])]
    return "<br>".join(items) if items else "none"


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def failures(row: dict[str, Any]) -> str:
    items = []
    for failure in row["guide_failures"]:
        text = f"`{failure['fixture']}`: {failure['rule']} at `{failure['path']}`"
        if "masked_by" in failure:
            text += f" (masked by {failure['masked_by']})"
        items.append(text)
    return "<br>".join(items) if items else "none"


def table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def render(errata: dict[str, Any]) -> str:
    disagreements = errata["disagreement"]
    inferred = errata["inferred"]
    reassembly = errata["reassembly"]
    notes = errata["note"]
    rest = errata["rest"]
    reports = errata.get("report", [])
    parts = [
        INTRO,
        f"## Disagreements between the printed XSDs and the examples ({len(disagreements)})\n",
        table(
            [
                "ID",
                "Section",
                "Subject",
                "Printed XSD",
                "Examples show",
                "`wire` follows",
                "Evidence",
                "Fails under `guide`",
            ],
            [
                [
                    r["id"],
                    r["section"],
                    r["subject"],
                    r["xsd"],
                    r["examples"],
                    r["wire"],
                    r["evidence"],
                    failures(r),
                ]
                for r in disagreements
            ],
        ),
        f"\n## Inferred: names the guide never prints ({len(inferred)})\n",
        "Both profiles use these; each is marked *inferred* in the schema that declares it.\n",
        table(
            ["ID", "Section", "Inferred", "Basis"],
            [[r["id"], r["section"], r["name"], r["basis"]] for r in inferred],
        ),
        f"\n## Reassembled XSD fragments ({len(reassembly)})\n",
        table(
            ["ID", "Section", "What was done"],
            [[r["id"], r["section"], r["what"]] for r in reassembly],
        ),
        f"\n## Notes: oddities that change nothing on the wire ({len(notes)})\n",
        table(["ID", "Section", "Note"], [[r["id"], r["section"], r["what"]] for r in notes]),
        f"\n## REST: the JSON functions of section 3.1 ({len(rest)})\n",
        REST_INTRO,
        table(
            ["ID", "Section", "Subject", "The guide prints", "The adapter reads", "Examples"],
            [
                [r["id"], r["section"], r["subject"], r["guide"], r["reading"], examples(r)]
                for r in rest
            ],
        ),
        f"\n## Report files: names and layouts the guide never prints ({len(reports)})\n",
        "The guide names a few report files and the interval CSV's columns; everything else "
        "about the files in `adhocusage/` and `intervaldata/` is inferred. The mock writes "
        "and the client reads exactly these layouts (`adapter/reports/`).\n",
        table(
            ["ID", "Section", "Subject", "The guide prints", "The adapter reads and writes"],
            [[r["id"], r["section"], r["subject"], r["guide"], r["reading"]] for r in reports],
        ),
    ]
    return "\n".join(parts) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if ERRATA.md is out of date")
    args = parser.parse_args()
    text = render(tomllib.loads(SOURCE.read_text(encoding="utf-8")))
    if args.check:
        if TARGET.read_text(encoding="utf-8") != text:
            print(f"{TARGET} is out of date: run python tools/render_errata.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
