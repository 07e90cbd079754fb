#!/usr/bin/env bash
# Install the seqlab wheel into an environment that already holds a given stack, as a
# learner or Colab would, and run the generated notebooks there at quick size.
#
#   scripts/wheel_check.sh DIR PYTHON "STACK" [NOTEBOOK_STEM ...]
#
# DIR     work folder (under _build/): DIR/venv, DIR/dist, DIR/notebooks, DIR/report.txt
# PYTHON  the interpreter of the venv (Colab: python3.12)
# STACK   pip arguments that make the existing environment, e.g.
#         "-c constraints/colab.txt tensorflow keras numpy pandas matplotlib"
# NOTEBOOK_STEM  chapters to execute (default: every generated notebook)
#
# Steps: (1) a venv with STACK and the notebook tools (rebuilt when STACK, PYTHON or a
# constraints file changes; otherwise what a previous run added is uninstalled and the
# venv must then match the freeze recorded when it was made, or it is rebuilt); (2) the wheel,
# built from a copy of the package; (3) `pip install` of the wheel with no constraints,
# as a user types it, which must change no installed distribution (so TensorFlow, Keras
# and NumPy are kept) and add only what STACK lacks; (4) `pip check`; (5) `import seqlab`
# from outside the repository resolves to the installed wheel; (6) the notebooks, made by
# scripts/make_notebooks.py and copied to a temporary folder outside the repository,
# run under nbval with SEQLAB_QUICK=1 (a cell writing to stderr fails).
set -euo pipefail

DIR=$1 PYTHON=$2 STACK=$3
shift 3
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
VENV=$DIR/venv
TOOLS="nbval ipykernel jupytext pyyaml pytest"
REPORT=$DIR/report.txt

# (1) The existing environment.
constraints=$(grep -o -- '-c [^ ]*' <<<"$STACK" | cut -c4- || true)
stamp=$( { "$PYTHON" --version; echo "$STACK $TOOLS"; for c in $constraints; do cat "$c"; done; } \
  | sha256sum | cut -c1-16)
if [[ -x $VENV/bin/python && -f $VENV/.stack-$stamp ]]; then
  echo "=== (1) reusing $VENV (same stack), back to its fresh state ==="
  extra=$("$VENV/bin/python" -m pip freeze --all | sort | comm -13 "$VENV/.stack-$stamp" - \
    | sed 's/[=@ ].*//' | grep -v -x -i -E 'pip|setuptools|wheel' || true)
  # shellcheck disable=SC2086
  [[ -z $extra ]] || "$VENV/bin/python" -m pip uninstall --quiet --yes $extra
fi
if ! [[ -x $VENV/bin/python && -f $VENV/.stack-$stamp ]] ||
   ! "$VENV/bin/python" -m pip freeze --all | sort | cmp -s - "$VENV/.stack-$stamp"; then
  echo "=== (1) fresh venv in $VENV: $STACK ==="
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  # shellcheck disable=SC2086  # STACK is a list of pip arguments
  "$VENV/bin/python" -m pip install --quiet $STACK $TOOLS
  "$VENV/bin/python" -m pip freeze --all | sort >"$VENV/.stack-$stamp"
fi
PIP=("$VENV/bin/python" -m pip)
"${PIP[@]}" freeze --all | sort >"$DIR/before.txt"

# (2) The wheel, built from a copy so that the checkout gets no build/ or egg-info.
echo "=== (2) building the seqlab wheel ==="
rm -rf "$DIR/src" "$DIR/dist"
mkdir -p "$DIR/src"
cp -r pyproject.toml README.md companion "$DIR/src/"
find "$DIR/src" -name __pycache__ -prune -exec rm -rf {} +
"${PIP[@]}" wheel --quiet --no-deps --wheel-dir "$DIR/dist" "$DIR/src"
wheel=$(ls "$DIR"/dist/seqlab-*.whl)

# (3) Install it as a user would; nothing installed may change.
echo "=== (3) pip install $(basename "$wheel") ==="
"${PIP[@]}" install --quiet "$wheel"
"${PIP[@]}" freeze --all | sort >"$DIR/after.txt"
changed=$(comm -23 "$DIR/before.txt" "$DIR/after.txt")
added=$(comm -13 "$DIR/before.txt" "$DIR/after.txt" | grep -v '^seqlab' || true)
if [[ -n $changed ]]; then
  echo "Installing seqlab replaced or removed installed distributions:"
  echo "$changed"
  echo "now:"; comm -13 "$DIR/before.txt" "$DIR/after.txt"
  exit 1
fi
if grep -q -i -E '^(tensorflow|tensorflow-[a-z]+|tf-nightly|keras|numpy)==' <<<"$added"; then
  echo "Installing seqlab added a TensorFlow, Keras or NumPy next to the installed one:"
  echo "$added"
  exit 1
fi
[[ -z $added ]] || { echo "Installing seqlab added what the stack lacked:"; echo "$added"; }

# (4) A consistent environment.
echo "=== (4) pip check ==="
"${PIP[@]}" check

# (5) The installed wheel, not the checkout.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "=== (5) import seqlab from $work ==="
(cd "$work" && env -u PYTHONPATH "$VENV/bin/python" - <<'EOF') | tee "$REPORT"
import sys, importlib.metadata as md
import seqlab, keras
assert "site-packages" in seqlab.__file__, f"seqlab imported from {seqlab.__file__}"
names = ["tensorflow", "tensorflow-cpu", "keras", "numpy", "pandas", "matplotlib",
         "statsmodels", "seqlab"]
found = []
for name in names:
    try:
        found.append(f"{name} {md.version(name)}")
    except md.PackageNotFoundError:
        pass
print(f"Python {sys.version.split()[0]}; " + ", ".join(found))
print(f"seqlab from {seqlab.__file__}; Keras backend {keras.backend.backend()}")
EOF

# (6) The notebooks, outside the repository.
echo "=== (6) notebooks at quick size, from $work ==="
"$VENV/bin/python" scripts/make_notebooks.py --out "$DIR/notebooks" >/dev/null
if [[ $# -gt 0 ]]; then
  for stem in "$@"; do cp "$DIR/notebooks/$stem.ipynb" "$work/"; done
else
  cp "$DIR"/notebooks/*.ipynb "$work/"
fi
cd "$work"
start=$SECONDS
env -u PYTHONPATH PYTHONPATH="$ROOT/scripts" SEQLAB_QUICK=1 KERAS_BACKEND=tensorflow \
  "$VENV/bin/python" -m pytest --nbval-lax --nbval-current-env -p nbval_clean_output \
  --nbval-cell-timeout=900 -p no:cacheprovider -q --durations=0 ./*.ipynb \
  2>&1 | tee "$DIR/nbval.txt"
status=${PIPESTATUS[0]}
notebooks=$(ls ./*.ipynb | wc -l)
echo "notebooks: $notebooks; nbval exit $status; $((SECONDS - start)) s" | tee -a "$REPORT"
exit "$status"
