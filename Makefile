# grade — correcteur des labs Docker Deep Dive.
GO ?= go
BIN ?= bin/grade
PKGS := ./...
# kustomize (lab 10) would link Go's plugin package without this tag (+34 MB): every build,
# test and vet passes it.
TAGS := kustomize_disable_go_plugin_support

.PHONY: build build-static setup image test test-unit images bench bench-batch fuzz fuzz-list lint vet clean

# Two builds: bin/grade is what students get (no reference solution, no readable quiz key);
# bin/grade-instructor also embeds the solutions (`grade-instructor init labN --solution`).
build:
	$(GO) build -trimpath -tags $(TAGS) -o $(BIN) ./cmd/grade
	$(GO) build -trimpath -tags $(TAGS),instructor -o $(BIN)-instructor ./cmd/grade

# A static binary (no libc), for the container image and for platforms that copy it into
# their own image (Gradescope, PrairieLearn).
build-static:
	CGO_ENABLED=0 $(GO) build -trimpath -tags $(TAGS) -ldflags '-s -w' -o bin/grade-static ./cmd/grade

# Packages (busybox-static, curl, jq) and a Docker engine that answers: what .ci/run does
# first. Says what it needs where it cannot do it (not root, no apt-get).
setup:
	.ci/setup

vet:
	$(GO) vet -tags $(TAGS) $(PKGS)

# The full suite: unit tests, then the integration tests against the real engine (they build
# the ddlab/* base images offline on first use). Without an engine the integration tests skip
# with one line; GRADE_REQUIRE_DOCKER=1 makes that a failure (.ci/run sets it).
test: vet
	$(GO) test -tags $(TAGS) -race -count=1 -timeout 30m $(PKGS)

# Unit tests only: no Docker engine needed.
test-unit:
	$(GO) test -tags $(TAGS) -short -race -count=1 $(PKGS)

images: build
	$(BIN) images

# The grader as a container image for CI runners (Dockerfile; docs/ci.md), built offline
# on top of ddlab/busybox:1, which `make images` builds.
IMAGE ?= ddlab/grade:dev
image: build-static images
	docker build -t $(IMAGE) .

bench:
	$(GO) test -tags $(TAGS) -run '^$$' -bench . -benchmem $(PKGS)

# grade batch on a generated class of lab 5 submissions (N=30): -j 1, -j 2, shards and merge.
# Long (every submission builds); figures in /tmp/grade-bench-batch/figures.txt.
bench-batch: build
	tools/bench-batch/bench-batch.sh

# Every parser of student input (and of what student code prints) has a fuzz target. The
# targets are found, not listed: every `func FuzzX(` of a test file of a package of the module
# (go list leaves out testdata and _starter trees, which are not the module's packages).
FUZZTIME ?= 20s

fuzz:
	@set -e; $(GO) list -f '{{.Dir}} {{.ImportPath}}' $(PKGS) | while read -r dir pkg; do \
		for name in $$(cat "$$dir"/*_test.go 2>/dev/null | sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p'); do \
			echo "== $$name $$pkg"; \
			$(GO) test -tags $(TAGS) -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

# fuzz-list prints the targets `make fuzz` runs, without running them.
fuzz-list:
	@$(GO) list -f '{{.Dir}} {{.ImportPath}}' $(PKGS) | while read -r dir pkg; do \
		cat "$$dir"/*_test.go 2>/dev/null | sed -n "s|^func \(Fuzz[A-Za-z0-9_]*\)(.*|\1 $$pkg|p"; \
	done

clean:
	rm -rf bin
