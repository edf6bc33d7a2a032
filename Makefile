# grade — correcteur des labs Docker Deep Dive.
GO ?= go
BIN ?= bin/grade
PKGS := ./...

.PHONY: build test test-unit images bench fuzz lint vet clean

# Two builds: bin/grade is what students get (no reference solution, no readable quiz key);
# bin/grade-instructor also embeds the solutions (`grade-instructor init labN --solution`).
build:
	$(GO) build -trimpath -o $(BIN) ./cmd/grade
	$(GO) build -trimpath -tags instructor -o $(BIN)-instructor ./cmd/grade

vet:
	$(GO) vet $(PKGS)

# The full suite: unit tests, then the integration tests against the real engine (they build
# the ddlab/* base images offline on first use). Without an engine the integration tests skip
# with one line; GRADE_REQUIRE_DOCKER=1 makes that a failure (.ci/run sets it).
test: vet
	$(GO) test -race -count=1 -timeout 30m $(PKGS)

# Unit tests only: no Docker engine needed.
test-unit:
	$(GO) test -short -race -count=1 $(PKGS)

images: build
	$(BIN) images

bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

# Every parser of student input (and of what student code prints) has a fuzz target.
FUZZTIME ?= 20s
FUZZ_TARGETS := \
	FuzzAnalyze:./internal/dockerfile \
	FuzzParse:./internal/lab \
	FuzzParseKeyValues:./graders/lab01 FuzzParseAnswers:./graders/lab01 \
	FuzzEventActions:./graders/lab02 FuzzParseKV:./graders/lab02 \
	FuzzReadArchive:./graders/lab03 \
	FuzzParseAnswers:./graders/lab04 FuzzJudgeLogs:./graders/lab04 FuzzParseStatsLimit:./graders/lab04 \
	FuzzLastLine:./graders/lab06 FuzzParseArchive:./graders/lab06 \
	FuzzParseProbeOutput:./internal/probe \
	FuzzScreen:./internal/compose FuzzLocate:./internal/compose FuzzLoadProject:./internal/compose \
	FuzzParseManifest:./internal/registry \
	FuzzParseResponse:./internal/images/assets/labprobe FuzzParseRoutes:./internal/images/assets/labprobe

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		name=$${t%%:*}; pkg=$${t#*:}; \
		echo "== $$name $$pkg"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg; \
	done

clean:
	rm -rf bin
