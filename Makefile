# Each target installs what it lacks (scripts/setup.sh), so these work on a fresh clone.
.PHONY: test build demo bench setup

test:
	bash scripts/test.sh

setup:
	bash scripts/setup.sh

# Benchmarks (issue 7): release package + release sandbox + headless Chromium; writes bench/results.json.
bench:
	bash bench/run.sh
