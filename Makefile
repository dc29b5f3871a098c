# Two commands on a fresh Debian/Ubuntu machine with python3 and git:
#   make demo   set up what is missing (apt packages, .venv), then run the offline demo
#   make test   set up what is missing, then run the tests
# Each target is a job of scripts/setup (a machine without make: `scripts/setup demo`).
.PHONY: setup demo test lint bench

setup:
	@scripts/setup

demo:
	@scripts/setup demo

test:
	@scripts/setup test

lint:  # ruff: lint rules and format check, line length 110 (pyproject.toml)
	@scripts/setup lint

bench:  # the README's benchmarks at a small size (full size: see README)
	@scripts/setup bench
