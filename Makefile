# dialgate: the two commands of the README, and a few more.
SWIFT ?= swift
SIP ?= 127.0.0.1:5060

.PHONY: deps build run test bench clean

deps:
	@scripts/install-deps

build: deps
	$(SWIFT) build --product dialgate
	$(SWIFT) build --product dialgatectl

## Installs what is missing, builds, and runs the daemon on loopback with the bundled dialplans
## and its state (SQLite call records, control socket) in ./var.
run: build
	mkdir -p var
	.build/debug/dialgate serve --sip $(SIP) --dialplans ./dialplans --state ./var

## Installs what is missing, builds once, and runs every test.
test:
	@scripts/test

## Release-build benchmarks (figures as ratios against a baseline measured in the same run).
bench: deps
	scripts/bench

clean:
	rm -rf .build
