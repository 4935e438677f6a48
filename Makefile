.PHONY: run test lint format bench migrate

run:  ## install and serve on the embedded PostgreSQL
	scripts/run

test:  ## install everything and run lint, types, migrations check and all tests
	scripts/test

lint:
	.venv/bin/ruff check src tests bench && .venv/bin/ruff format --check src tests bench && .venv/bin/mypy

format:
	.venv/bin/ruff check --fix src tests bench && .venv/bin/ruff format src tests bench

bench:  ## print every benchmark figure (README: Benchmarks)
	scripts/install --dev && .venv/bin/python -m bench

migrate:
	.venv/bin/catachess migrate
