# Each target installs what it lacks (scripts/setup.sh), so these work on a fresh clone.
.PHONY: test build demo bench setup pack docs

PORT ?= 8787

test:
	bash scripts/test.sh

setup:
	bash scripts/setup.sh

# Benchmarks (issue 7): release package + release sandbox + headless Chromium; writes bench/results.json.
bench:
	bash bench/run.sh

build:
	bash scripts/build.sh

# The demo page and the package, served by the sandbox on one origin.
demo: build
	cargo build -q -p clc-sandbox
	target/debug/clc-sandbox --port $(PORT) --www www --pkg pkg

# The release artifact: target/pack/clc-wasm-<version>.tgz (npm pack of pkg/), the tarball the package tests install.
pack:
	bash scripts/pack.sh

# API reference: typedoc from the package's .d.ts into target/docs/js, and cargo doc for the crate into target/doc.
docs:
	bash scripts/docs.sh
