# fhird: build, run, test. `make run` and `make test` are the two set-up
# commands of the README.

GO        ?= go
BIN       := bin/fhird
VERSION   ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
# No TLS to the database on loopback: it only costs CPU at both ends (reads
# by id serve 9-17% more requests per second without it; BENCHMARKS.md). A
# database on another host takes its own URL, with sslmode=verify-full.
DB_URL    ?= postgres://postgres@127.0.0.1:5432/fhir?sslmode=disable
# Fuzzing budget: empty runs each target for a fixed number of executions
# (about ten seconds each here); a duration (FUZZTIME=1m) or a count
# (FUZZTIME=1000000x) applies to every target. CI uses the counts: under Go
# 1.26 a duration run can end with a bare "context deadline exceeded" and no
# failing input, a race in the fuzz coordinator (go.dev/issue/75804, fixed in
# Go 1.27), which a count never starts.
FUZZTIME  ?=

.PHONY: all build run test test-short fuzz generate check-generate vet fmt bench bench-go clean

all: build

# One static binary: no cgo, no dynamic libraries.
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/fhird

# Serves on :8080 against the local default database (created and migrated
# if missing; a private PostgreSQL is started under .data/ when none
# listens), with the sample data of testdata/sample in the default tenant.
run: build
	scripts/devdb.sh
	FHIR_DEV=$${FHIR_DEV:-1} FHIR_DATABASE_URL=$${FHIR_DATABASE_URL:-$(DB_URL)} \
	FHIR_SAMPLE_DATA=$${FHIR_SAMPLE_DATA:-testdata/sample} ./$(BIN) serve

# Every test, the integration tests against the real PostgreSQL included
# (CI=true makes a missing database a failure instead of a skip).
test: vet
	$(GO) test -count=1 ./...

test-short:
	$(GO) test -count=1 -short ./...

vet:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

# A short run of the fuzz targets of the parsers (validation, extraction, search).
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzResource$$' -fuzztime $(or $(FUZZTIME),70000x) ./fhir/validate
	$(GO) test -run '^$$' -fuzz '^FuzzExtract$$' -fuzztime $(or $(FUZZTIME),200000x) ./fhir/index
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(or $(FUZZTIME),200000x) ./search

# Regenerates fhir/registry_gen.go from the pinned R4 definitions, and
# fhir/index/fold_gen.go from the Unicode tables of the pinned x/text.
generate:
	defs="$$(scripts/fetch-definitions.sh)" && examples="$$(scripts/fetch-definitions.sh examples)" && \
	$(GO) run ./cmd/fhirgen -defs "$$defs" -examples "$$examples"
	$(GO) run ./cmd/foldgen -out fhir/index/fold_gen.go

# Fails when a fresh generation changes the tree: the state of the working
# tree (its diff and its untracked files) is taken before and after
# `make generate`, so it works on a tree with uncommitted changes too.
TREE_STATE = { git diff HEAD -- . ':!.cache'; git status --porcelain --untracked-files=all -- . ':!.cache'; } | sha256sum
check-generate:
	@before="$$($(TREE_STATE))" && $(MAKE) --no-print-directory generate >/dev/null && after="$$($(TREE_STATE))" && \
	if [ "$$before" != "$$after" ]; then git status --short; echo "check-generate: make generate changed the tree; commit its output"; exit 1; fi

# The benchmark kit's default run against the server of `make run` (start it
# first, in another terminal): a seeded 10k-patient dataset, imported once,
# then every scenario at 1, 16 and 64 clients; results in bench/results/.
# BENCHMARKS.md has the other tiers and settings.
bench: build
	scripts/bench.sh

# Go benchmarks of the full HTTP stack against the real database.
bench-go:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 2s ./server

clean:
	rm -rf bin
