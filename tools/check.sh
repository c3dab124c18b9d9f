#!/usr/bin/env bash
# Set up (virtual environment, package with its test and dev extras) and run every check:
# ruff, ruff format, mypy --strict, pytest. Safe to run again; CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "check.sh: Python 3.11 or later is needed (found $("$python" --version 2>&1))" >&2
    exit 2
fi
# PGP runs through the gpg binary (report delivery); a fresh Debian machine may lack it.
if ! command -v gpg >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
        sudo_=""; [ "$(id -u)" -ne 0 ] && sudo_="sudo"
        $sudo_ apt-get update -qq && $sudo_ apt-get install -y -qq gnupg >/dev/null
    else
        echo "check.sh: gpg is needed (install GnuPG)" >&2
        exit 2
    fi
fi
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test,dev]"

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy --strict adapter
.venv/bin/python -m pytest "$@"
