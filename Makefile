# The two commands of the README: `make demo` and `make test`.
.PHONY: setup demo test lint bench

setup:
	./scripts/setup.sh

demo: setup
	.venv/bin/councilkg demo

test: setup
	.venv/bin/ruff check .
	@# pytest exits 5 when it collected no tests: a suite that runs nothing proves nothing.
	.venv/bin/python -m pytest; rc=$$?; \
	if [ $$rc = 5 ]; then echo "make test: pytest collected no tests" >&2; fi; exit $$rc

lint: setup
	.venv/bin/ruff check .

bench: setup
	.venv/bin/python -m benchmarks
