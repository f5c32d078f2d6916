#!/usr/bin/env bash
# `daily --public` against the plain `daily` on a generated campaign (issue 17: --public at
# most 1.5x the plain run on 100,000 volunteers). Alternating runs, medians of wall seconds and
# peak memory (/usr/bin/time). Nothing is written into the repository.
#
#   Benchmarks/public.sh [--bin PATH] [--data DIR] [--rounds N] [--date YYYY-MM-DD]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/release/fivehours data=/tmp/fivehours-bench-350000r-100000v rounds=5 date=2019-08-07
while [ $# -gt 0 ]; do
    case "$1" in
        --bin) bin="$2"; shift 2 ;;
        --data) data="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        --date) date="$2"; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
[ -x "$bin" ] || swift build -c release --product fivehours
[ -f "$data/campaign.yaml" ] || python3 Benchmarks/generate.py --out "$data" --rows 350000 --volunteers 100000
work="${FIVEHOURS_BENCH_WORK:-/tmp/fivehours-bench-runs}/public"
mkdir -p "$work"
cat "$data"/*/* > /dev/null 2>&1 || true # warm the page cache
plain=() public=()
for r in $(seq "$rounds"); do
    for mode in plain public; do
        flag=(); [ "$mode" = public ] && flag=(--public)
        /usr/bin/time -f '%e %M' -o "$work/time" "$bin" daily --config "$data/campaign.yaml" --date "$date" \
            --now 2019-08-10T00:00:00+08:00 --out "$work/$mode" --quiet "${flag[@]}" > /dev/null
        line="$(tail -1 "$work/time")"
        if [ "$mode" = plain ]; then plain+=("$line"); else public+=("$line"); fi
        echo "round $r $mode: $line (s KB)"
    done
done
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
pw=$(printf '%s\n' "${plain[@]}" | cut -d' ' -f1 | median); pm=$(printf '%s\n' "${plain[@]}" | cut -d' ' -f2 | median)
qw=$(printf '%s\n' "${public[@]}" | cut -d' ' -f1 | median); qm=$(printf '%s\n' "${public[@]}" | cut -d' ' -f2 | median)
echo "plain:  ${pw} s, ${pm} KB"
echo "public: ${qw} s, ${qm} KB"
awk -v p="$pw" -v q="$qw" 'BEGIN { printf "public / plain: %.2f x\n", q / p }'
