#!/usr/bin/env bash
# Measures `grade batch` on one machine: a class of N lab 5 submissions (default 30) graded
# with -j 1 and with -j 2, then the same class as two shards and the time of `grade merge`.
# Run with `make bench-batch` (needs a Docker engine; takes long: every submission builds).
#
# The class: two thirds are the reference solution, each with its own comment in
# cmd/server/main.go so that no two builds share the Go compile step; one third are the
# starter (graded fast: its build fails a check early). Figures go to stdout and to
# $OUT/figures.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."

N=${N:-30}
OUT=${OUT:-/tmp/grade-bench-batch}
GRADE=${GRADE:-bin/grade}
# Only the instructor build embeds the reference solution (docs/design-notes.md, issue 17).
INSTRUCTOR=${INSTRUCTOR:-bin/grade-instructor}

rm -rf "$OUT"
mkdir -p "$OUT/class"
for i in $(seq -w 1 "$N"); do
	dir="$OUT/class/student$i"
	if [ $((10#$i % 3)) -eq 0 ]; then
		"$GRADE" init lab5 "$dir" >/dev/null
	else
		"$INSTRUCTOR" init lab5 "$dir" --solution >/dev/null
		printf '\n// bench variant %s\n' "$i" >>"$dir/cmd/server/main.go"
	fi
done

"$GRADE" images >/dev/null

run() { # label, then the command; prints "label: seconds"
	local label=$1
	shift
	local start end
	start=$(date +%s.%N)
	"$@" >"$OUT/$label.log" 2>&1 || [ $? -eq 1 ]
	end=$(date +%s.%N)
	printf '%-22s %8.1f s\n' "$label" "$(echo "$end - $start" | bc)" | tee -a "$OUT/figures.txt"
}

echo "grade batch lab5, $N submissions, $(nproc) CPU, $(date -u +%FT%TZ)" | tee "$OUT/figures.txt"
run "j1" "$GRADE" batch lab5 "$OUT/class" --out "$OUT/j1" -j 1
run "j2" "$GRADE" batch lab5 "$OUT/class" --out "$OUT/j2" -j 2
run "shard-0of2" "$GRADE" batch lab5 "$OUT/class" --out "$OUT/shard-0" --shard 0/2
run "shard-1of2" "$GRADE" batch lab5 "$OUT/class" --out "$OUT/shard-1" --shard 1/2
run "merge" "$GRADE" merge "$OUT/shard-0" "$OUT/shard-1" --out "$OUT/merged"
for f in gradebook-canvas.csv gradebook-moodle.csv class-report.html; do
	if cmp -s "$OUT/j1/$f" "$OUT/merged/$f"; then
		echo "$f: merged shards = one run" | tee -a "$OUT/figures.txt"
	else
		echo "$f: merged shards differ from one run (a submission graded differently?)" | tee -a "$OUT/figures.txt"
	fi
done
