# The two commands of the README: `make demo` and `make test`.
.PHONY: setup demo test lint bench

setup:
	./scripts/setup.sh

demo: setup
	.venv/bin/councilkg demo

test: setup
	.venv/bin/ruff check .
	.venv/bin/python -m pytest

lint: setup
	.venv/bin/ruff check .

bench: setup
	.venv/bin/python -m benchmarks
