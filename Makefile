# seqlab: the course "Processing Sequences with RNNs and CNNs" and its companion package.
#
#   make book        build the executed book (full size) into _build/html
#   make test        companion tests on three Keras backends and the docstring examples,
#                    every chapter under nbval (quick size), and a warnings-as-errors
#                    build of the book, then opened in headless Chromium
#   make notebooks   one Colab-ready .ipynb per chapter into _build/notebooks
#   make bench       benchmarks (not part of make test), results in bench/results
#
# Each target creates .venv on first use.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.seqlab-installed
BACKENDS := tensorflow jax torch
BACKEND ?= tensorflow
NOTEBOOKS_DIR := _build/notebooks
PYTEST := $(BIN)/python -m pytest

export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONWARNINGS := ignore::DeprecationWarning

.PHONY: help venv book test test-companion test-notebooks test-book notebooks bench clean
.PHONY: test-notebooks-jax test-notebooks-torch bench-chapters bench-tensorflow
.PHONY: test-site check-site chromium linkcheck
.PHONY: colab-check check-tf-cpu

help:
	@sed -n '3,10p' Makefile

# The whole stack is pinned in constraints/stack.txt (its header says how to update it on
# purpose). `make test CONSTRAINTS=` installs the newest releases instead: the weekly
# workflow "newest" does that in a fresh clone and reports the drift.
CONSTRAINTS ?= constraints/stack.txt

$(STAMP): pyproject.toml $(CONSTRAINTS)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[tensorflow,book,test,backends]" \
	  $(if $(CONSTRAINTS),-c $(CONSTRAINTS))
	@touch $@

venv: $(STAMP)

# jupyter-cache re-executes a chapter whose code changed, not one whose seqlab changed:
# book_cache_key.py clears the execution cache when companion/ or the stack changed.
book: $(STAMP)
	$(BIN)/python scripts/book_cache_key.py --reset-if-changed _build
	env -u SEQLAB_QUICK $(BIN)/jupyter-book build --warningiserror --keep-going .
	@echo "Book written to _build/html/index.html"

# The setup cell of each notebook installs seqlab at REF (the publish workflow passes the
# commit that CI tested); by default the commit checked out.
REF ?= $(shell git rev-parse HEAD 2>/dev/null)
notebooks: $(STAMP)
	$(BIN)/python scripts/make_notebooks.py --out $(NOTEBOOKS_DIR) $(if $(REF),--ref $(REF))

test: test-companion test-notebooks test-book test-site
	@echo "make test: all passed"

# Test processes run side by side (pytest-xdist): JOBS=2 by default, JOBS=0 runs each
# suite in one process. Measured on 2 idle cores: the chapters under nbval 5:07 in one
# process, 2:56 on 2 workers; the TensorFlow tests 2:36 and 2:05; the JAX tests (cold
# compilation cache) 4:35 and 2:56. The PyTorch tests stay in one process: torch already
# spreads its work over every core, and 2 workers took 1:33 against 1:01.
JOBS ?= 2
workers = $(if $(filter torch,$(1)),0,$(JOBS))

# The docstring examples run once, on TensorFlow: they show the API, and the tests above
# already cover each backend (they pass on jax and torch too; measured on 2 busy cores:
# 32 s with tensorflow, 77 s with jax, 41 s with torch).
test-companion: $(STAMP)
	@$(foreach backend,$(BACKENDS), \
	  echo "=== companion tests, KERAS_BACKEND=$(backend) ==="; \
	  KERAS_BACKEND=$(backend) $(PYTEST) tests -q -p no:randomly \
	    -n $(call workers,$(backend));)
	@echo "=== docstring examples (doctest), KERAS_BACKEND=tensorflow ==="
	KERAS_BACKEND=tensorflow $(PYTEST) --doctest-modules companion/seqlab -q -p no:randomly

# The chapters on one backend: make test-notebooks BACKEND=jax (default tensorflow, as in
# Colab); test-notebooks-jax and test-notebooks-torch are shorthands.
# SIZE=full runs them at full size (the GPU workflow), with the same stderr check.
SIZE ?= quick
# A chapter's cells share one kernel: --dist loadscope keeps each notebook on one worker.
NBVAL_WORKERS = -n $(call workers,$(BACKEND)) --dist loadscope
QUICK_FLAG = $(if $(filter full,$(SIZE)),0,$(if $(filter quick,$(SIZE)),1,$(error \
  SIZE must be quick or full, got '$(SIZE)')))
test-notebooks: notebooks
	@echo "=== chapters under nbval (SIZE=$(SIZE), KERAS_BACKEND=$(BACKEND)) ==="
	SEQLAB_QUICK=$(QUICK_FLAG) KERAS_BACKEND=$(BACKEND) PYTHONPATH=scripts $(PYTEST) --nbval-lax \
	  --nbval-current-env -p nbval_clean_output --nbval-cell-timeout=$(CELL_TIMEOUT) -q \
	  $(NBVAL_WORKERS) --durations=0 $(NOTEBOOKS_DIR)

# Seconds per cell. PyTorch runs recurrent layers as a Python loop over the time steps on
# the CPU: chapter 2's memory models took over 900 s there on a loaded machine (all 11
# chapters at quick size: 4:40 on PyTorch, 4:47 on JAX on 2 idle cores).
CELL_TIMEOUT ?= 900
test-notebooks-jax:
	$(MAKE) test-notebooks BACKEND=jax

test-notebooks-torch:
	$(MAKE) test-notebooks BACKEND=torch CELL_TIMEOUT=2400

test-book: $(STAMP)
	@echo "=== book build, execution off, warnings as errors ==="
	$(BIN)/python scripts/book_config_noexec.py _build/_config.noexec.yml
	$(BIN)/jupyter-book build --warningiserror --keep-going \
	  --config _build/_config.noexec.yml --path-output _build/noexec .

# The built book in headless Chromium (tests/browser): JavaScript errors, requests to other
# hosts, broken images, untypeset math, each chapter's Colab badge, log lines in outputs.
# test-site (part of make test) checks the execution-off build, check-site the executed
# book of make book. Screenshots of one chapter go to _build/screenshots/.
# Debian's chromium package; on hosted GitHub runners (Ubuntu, where the chromium package
# is a snap stub) the preinstalled Google Chrome.
CHROMIUM ?= $(or $(wildcard /usr/bin/chromium),$(wildcard /usr/bin/google-chrome),/usr/bin/chromium)
SITE_TEST = SEQLAB_CHROMIUM=$(CHROMIUM) $(PYTEST) tests/browser --confcutdir=tests/browser \
  -q -p no:randomly

test-site: test-book
	@echo "=== the book in headless Chromium (execution-off build) ==="
	SEQLAB_SITE=_build/noexec/_build/html SEQLAB_SCREENSHOTS=_build/screenshots/noexec \
	  $(SITE_TEST)

check-site: $(STAMP)
	@test -f _build/html/index.html || { echo "No book in _build/html: run make book"; exit 1; }
	SEQLAB_SITE=_build/html SEQLAB_SCREENSHOTS=_build/screenshots/book $(SITE_TEST)

# Debian's chromium package for the browser test; .ci/run calls it (as root).
chromium:
	@if [ -x "$(CHROMIUM)" ]; then echo "Chromium found: $(CHROMIUM)"; else \
	  echo "No Chromium at $(CHROMIUM): installing Debian's chromium package (apt-get)" \
	    "for the browser test in tests/browser"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	fi

# Every external link of the book (needs the network): run weekly by CI, not by make test.
linkcheck: $(STAMP)
	$(BIN)/python scripts/book_config_noexec.py _build/_config.noexec.yml
	$(BIN)/jupyter-book build --builder linkcheck --config _build/_config.noexec.yml \
	  --path-output _build/linkcheck . \
	  || { echo "Broken links: see _build/linkcheck/_build/html/output.txt"; exit 1; }

# Training speed per backend, TensorFlow as Keras and as seqlab configures it, and the
# recipe against plain fit; bench/results/speed.md side by side. make bench BENCH_ARGS=--quick
BENCH_ARGS ?=
bench: $(STAMP)
	@for backend in $(BACKENDS); do \
	  $(BIN)/python bench/run.py --backend $$backend $(BENCH_ARGS) || exit 1; \
	done
	$(BIN)/python bench/run.py --summary

# Where TensorFlow's time goes against JAX: per-step cost, XLA, steps per call, unrolling
# (bench/tensorflow_overhead.py), results in bench/results/tensorflow_overhead.md.
bench-tensorflow: $(STAMP)
	$(BIN)/python bench/tensorflow_overhead.py

# Every chapter's execution time per backend and size (bench/chapters.py), results in
# bench/results/chapters_<backend>_<size>.md; e.g. make bench-chapters BENCH_SIZES=quick
BENCH_BACKENDS ?= tensorflow jax
BENCH_SIZES ?= quick full
bench-chapters: $(STAMP)
	@for size in $(BENCH_SIZES); do for backend in $(BENCH_BACKENDS); do \
	  $(BIN)/python bench/chapters.py --backend $$backend --size $$size || exit 1; \
	done; done

# Colab parity (scripts/wheel_check.sh): the seqlab wheel installed, as a user would, into
# a fresh venv under _build/ holding Colab's versions (constraints/colab.txt, Python 3.12
# as in Colab); installing it must change nothing installed; pip check; every generated
# notebook executed at quick size from a folder outside the repository. Needs no .venv.
COLAB_PYTHON ?= python3.12
COLAB_STACK := -c constraints/colab.txt tensorflow keras numpy pandas matplotlib statsmodels \
  jax jaxlib
colab-check:
	bash scripts/wheel_check.sh _build/colab-check $(COLAB_PYTHON) "$(COLAB_STACK)"

# The wheel next to tensorflow-cpu: installing seqlab must keep it (no second TensorFlow
# pulled on top), then pip check, import seqlab and one chapter at quick size.
TF_CPU_STACK := tensorflow-cpu==2.19.*
check-tf-cpu:
	bash scripts/wheel_check.sh _build/tf-cpu-check $(PYTHON) "$(TF_CPU_STACK)" \
	  01_recurrent_layers

clean:
	rm -rf _build
