#!/usr/bin/env bash
# Execute notebooks/analysis.ipynb headless against a subnetlab result folder; fail on any
# cell error.
#
#   notebooks/run.sh <result dir> [output dir]
#
# The executed notebook and its figures (supply.png, role_shares.png) go to the output dir
# (default: <result dir>/notebook). Python packages come from PyPI into a venv, pinned in
# notebooks/requirements.txt; the venv is reused while it matches them. Environment:
#   SUBNETLAB_NOTEBOOK_VENV  where the venv lives (default ~/.cache/subnetlab/notebook-venv)
#   PYTHON                   the interpreter that creates it (default python3; 3.10 or newer)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: notebooks/run.sh <result dir> [output dir]" >&2
  exit 2
fi
if [ ! -f "$1/network.parquet" ]; then
  echo "$1 is not a subnetlab result folder (no network.parquet); write one with \`subnetlab run\`" >&2
  exit 2
fi
result=$(cd "$1" && pwd)
out=${2:-$result/notebook}
mkdir -p "$out"
out=$(cd "$out" && pwd)

venv=${SUBNETLAB_NOTEBOOK_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/subnetlab/notebook-venv}
python=${PYTHON:-python3}
stamp="$venv/.requirements"
if [ ! -x "$venv/bin/jupyter" ] || ! cmp -s "$here/requirements.txt" "$stamp"; then
  # Only a venv (one this script made holds the stamp; a half-made one pyvenv.cfg), or an
  # empty folder, is ever replaced: SUBNETLAB_NOTEBOOK_VENV pointing at a folder of other
  # files must not delete them.
  if [ -e "$venv" ] && [ ! -f "$stamp" ] && [ ! -f "$venv/pyvenv.cfg" ] \
    && [ -n "$(ls -A "$venv" 2>/dev/null)" ]; then
    echo "$venv exists and is not a Python venv; point SUBNETLAB_NOTEBOOK_VENV at a venv, a new folder or an empty one" >&2
    exit 2
  fi
  echo "setting up the notebook venv in $venv (from PyPI)" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
  cp "$here/requirements.txt" "$stamp"
fi

# The kernel is the venv's own (ipykernel installs its spec there); figures render inline.
SUBNETLAB_RESULT="$result" SUBNETLAB_NOTEBOOK_OUT="$out" \
  "$venv/bin/jupyter" nbconvert --to notebook --execute "$here/analysis.ipynb" \
  --output analysis.ipynb --output-dir "$out" \
  --ExecutePreprocessor.timeout=600 --ExecutePreprocessor.kernel_name=python3

for figure in supply.png role_shares.png; do
  if [ ! -s "$out/$figure" ]; then
    echo "the notebook ran but did not write $out/$figure" >&2
    exit 1
  fi
done
echo "executed notebook: $out/analysis.ipynb"
