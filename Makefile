# Cap Reconversion — the few verbs a newcomer needs. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
PY        := $(VENV)/bin/python
STAMP     := $(VENV)/.installed
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONHASHSEED := 0
export TF_DETERMINISTIC_OPS := 1

.PHONY: help install db train run shell test test-fast bench lint lock clean widget

help:
	@echo "make run     — installe, construit la base, entraîne si besoin, lance l'assistant (http://localhost:8080/)"
	@echo "make test    — installe ce qu'il faut et lance toute la suite de tests"
	@echo "make install — environnement Python 3.10 dans .venv/ (idempotent)"
	@echo "make shell   — discuter avec l'assistant dans le terminal"
	@echo "make bench   — mesures de vitesse et de mémoire (moteur, formations, service comparé à un bot rasa init)"

$(STAMP): pyproject.toml constraints.txt scripts/install.sh
	@bash scripts/install.sh
	@touch $(STAMP)

install: $(STAMP)

db: install
	@$(PY) -m bot db build

train: install
	@$(PY) scripts/train_if_needed.py

run: install db train
	@bash scripts/run.sh

shell: install db train
	@bash scripts/run.sh --shell

test: install db
	@bash scripts/test.sh

test-fast: install db
	@$(PY) -m pytest -q -m "not rasa and not servers and not browser"

bench: install db
	@$(PY) scripts/bench.py

lint: install
	@$(VENV)/bin/ruff check  # every Python directory (pyproject.toml [tool.ruff])

lock:
	@bash scripts/lock.sh

clean:
	rm -rf var models results .pytest_cache

widget:
	@cd web && npm ci --no-audit --no-fund && node build.mjs
