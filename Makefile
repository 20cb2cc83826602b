# Two commands do everything on a fresh clone (see README):
#   make demo   install (prebuilt wheels only), pull the starter library, build the index, answer a sample question
#   make test   install, run the test suite (what CI runs)
VENV     ?= .venv
PY       := $(VENV)/bin/python
SHARED   ?= ../shared/data
QUESTION ?= Which adults should be screened for abdominal aortic aneurysm, and how?
# The 115 raw guideline files, when a local copy sits beside the clone; otherwise `pull` downloads them.
MIRROR   := $(abspath $(SHARED))/guidelines/ngc-public/raw_xml
ifneq ($(wildcard $(MIRROR)),)
export MEDASSIST_GUIDELINES_MIRROR ?= $(MIRROR)
endif
export MEDASSIST_SHARED_DATA ?= $(abspath $(SHARED))

.PHONY: demo test test-fast lint install gguf bench ui hostile

# What `make demo` needs, nothing more: medassist and the prebuilt llama.cpp engine (xllamacpp, a
# ~34 MB wheel: no compiler, no conversion), so the first answer runs on llama.cpp.
$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	# CPU build of torch first: a bare `torch` requirement would pull a multi-GB CUDA build.
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[xllamacpp]"
	touch $@

install: $(VENV)/.installed

# Tests, the web UI, notebooks and the reference evaluator.
$(VENV)/.dev: $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

# The llama-cpp-python engine (compiled here: ~4 min on 2 cores; ~12 min of CPU), built for this CPU's
# vector units but never with AMX, which crashes llama.cpp's decode on this kind of machine. Optional:
# it gives log-likelihood scoring on the GGUF itself; `make test` builds it to test that engine.
$(VENV)/.gguf: $(VENV)/.installed
	CMAKE_ARGS="$$($(PY) scripts/llamacpp_cmake_args.py)" CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) \
		$(PY) -m pip install --quiet --no-cache-dir "llama-cpp-python[server]>=0.3"
	touch $@

gguf: $(VENV)/.gguf

demo: $(VENV)/.installed
	$(VENV)/bin/medassist guidelines pull
	$(VENV)/bin/medassist index
	# The demo shows the default model's licence (Gemma Terms of Use) and accepts it for you.
	$(VENV)/bin/medassist ask "$(QUESTION)" --accept-licence

# The web UI's browser tests drive Debian's Chromium (Playwright cannot download browsers here).
$(VENV)/.browser:
	@command -v chromium >/dev/null 2>&1 || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }
	touch $@

# The full suite, in random order (module by module; the seed is printed: `-p random_order
# --random-order-seed=N` repeats an order), as CI runs it.
test: $(VENV)/.dev $(VENV)/.gguf $(VENV)/.browser
	$(VENV)/bin/python -m pytest --random-order

# Everyday work: everything not marked slow (no model loads, no browser, no large index), a few minutes.
test-fast: $(VENV)/.dev
	$(VENV)/bin/python -m pytest -m "not slow" --random-order

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check medassist tests bench scripts
	$(VENV)/bin/mypy

bench: $(VENV)/.installed
	$(VENV)/bin/python bench/bench_library.py
	$(VENV)/bin/python bench/retrieval_quality.py
	$(VENV)/bin/python bench/bench_ask_path.py
	$(VENV)/bin/python bench/bench_eval.py

# Hostile inputs (issue 14), made at run time and run through the real CLI: damaged stores and history,
# an empty index, rebuilds with the user's documents, bombs, hidden text, bad arguments. Prints a table;
# fails on any traceback, hang or lost document. About 5 minutes (no model loads).
hostile: $(VENV)/.dev
	$(PY) -m tests.hostile

# The research web UI on http://127.0.0.1:7860 (after `make demo`).
ui: $(VENV)/.dev
	$(VENV)/bin/medassist ui
