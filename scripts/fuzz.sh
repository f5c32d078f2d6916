#!/usr/bin/env bash
# Builds the libFuzzer targets (Sources/FuzzInputs, with -DFUZZING and the fuzzer and address
# sanitizers, in .build-fuzz so the ordinary build is untouched) and runs each for N seconds.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     targets: csv values xml import privacy (default: all five)
#
# Each target keeps its corpus in .build-fuzz/corpus/<target> (seeded from
# Tests/FiveHoursTests/Fixtures/fuzz/<target>); a crashing input is written to
# .build-fuzz/crashes/<target>/ — copy it to Tests/FiveHoursTests/Fixtures/fuzz/crashes/<target>/
# and FuzzRegressionTests replays it on every `swift test`.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-120}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(csv values xml import privacy)

# Release (-O keeps every precondition and overflow check) runs about twice as fast as debug.
flags=(-c "${FUZZ_CONFIG:-release}" --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING --product FuzzInputs)
# The address sanitizer's runtime makes ld.gold print thousands of "Cannot export local symbol" warnings.
mkdir -p .build-fuzz
if ! swift build "${flags[@]}" > .build-fuzz/build.log 2>&1; then
    grep -v "Cannot export local symbol" .build-fuzz/build.log | tail -40 >&2
    echo "fuzz build failed (.build-fuzz/build.log)" >&2
    exit 2
fi
bin="$(swift build "${flags[@]}" --show-bin-path)/FuzzInputs"
[ -x "$bin" ] || { echo "fuzz build failed" >&2; exit 2; }

status=0
for t in "${targets[@]}"; do
    corpus=".build-fuzz/corpus/$t"
    crashes=".build-fuzz/crashes/$t"
    mkdir -p "$corpus" "$crashes"
    seeds="Tests/FiveHoursTests/Fixtures/fuzz/$t"
    [ "$t" = import ] && seeds="Tests/FiveHoursTests/Fixtures/fuzz/csv Tests/FiveHoursTests/Fixtures/fuzz/xml"
    echo "== $t: ${seconds}s (corpus $corpus, seeds $seeds)"
    # -rss_limit_mb: an input that makes a reader use more than this is a finding too.
    # SWIFT_BACKTRACE=enable=no: else the Swift backtracer trips AddressSanitizer on a crash.
    # detect_leaks=0: the Swift runtime's never-freed globals are not findings.
    if ! FUZZ_TARGET="$t" SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 \
        "$bin" "$corpus" $seeds -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=20 \
        -max_len="${FUZZ_MAX_LEN:-16384}" -artifact_prefix="$crashes/" -print_final_stats=1 2>&1 | tee ".build-fuzz/$t.log" | grep -E "^(#[0-9]+[[:space:]]+(INITED|DONE)|==[0-9]+==|stat::|SUMMARY|artifact_prefix|Test unit written)" ; then
        :
    fi
    if grep -q "Test unit written" ".build-fuzz/$t.log"; then
        echo "!! $t: crashing input(s) in $crashes"
        status=1
    fi
done
exit $status
