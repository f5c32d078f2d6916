#!/usr/bin/env bash
# The week, the month and the year of one campaign, alternated: issue 14's targets compare the
# monthly and yearly runs with the weekly one on the same data (monthly ≤ 1 ×, yearly ≤ 1.3 ×).
#
#   Benchmarks/periods.sh --bin PATH [--data DIR] [--rounds N]
#
# DIR is a campaign from generate.py (default /tmp/fivehours-bench-iso-seconds, made with
# `Benchmarks/generate.py --spelling iso-seconds` when missing). Each round runs
#   weekly  --week-ending 2019-08-09 --now 2019-08-10T00:00:00+08:00
#   monthly --month 2019-08          --now 2019-09-10T00:00:00+08:00
#   yearly  --year 2019              --now 2020-01-10T00:00:00+08:00
# with --format csv --csv-header keys, timed by /usr/bin/time, and prints the medians of wall
# time, user + system CPU and peak memory, and the median of each round's ratio to its weekly run.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
BIN="" DATA=/tmp/fivehours-bench-iso-seconds ROUNDS=3
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) BIN="$2"; shift 2 ;;
    --data) DATA="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    *) echo "usage: $0 --bin PATH [--data DIR] [--rounds N]" >&2; exit 2 ;;
  esac
done
[ -n "$BIN" ] || { echo "usage: $0 --bin PATH [--data DIR] [--rounds N]" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
if [ ! -f "$DATA/campaign.yaml" ]; then
  spelling=$(basename "$DATA" | sed -n 's/^fivehours-bench-//p')
  python3 "$HERE/generate.py" --out "$DATA" ${spelling:+--spelling "$spelling"}
fi
OUT=$(mktemp -d /tmp/fivehours-periods.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
run() { # kind round args...
  local kind=$1 round=$2; shift 2
  /usr/bin/time -o "$OUT/time" -f "$kind $round %e %U %S %M" "$BIN" "$kind" --config "$DATA/campaign.yaml" \
    --format csv --csv-header keys --out "$OUT/$kind" --quiet "$@" >/dev/null
  cat "$OUT/time" >> "$OUT/times"
}
for round in $(seq "$ROUNDS"); do
  run weekly "$round" --week-ending 2019-08-09 --now 2019-08-10T00:00:00+08:00
  run monthly "$round" --month 2019-08 --now 2019-09-10T00:00:00+08:00
  run yearly "$round" --year 2019 --now 2020-01-10T00:00:00+08:00
done
python3 - "$OUT/times" <<'EOF'
import sys, statistics as st, collections
runs = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    kind, rnd, *v = line.split()
    runs[kind][rnd] = [float(x) for x in v]
print("| run | wall s | user + sys s | peak MB | against the weekly run (median of the rounds' ratios) |")
print("|---|---:|---:|---:|---:|")
for kind in ("weekly", "monthly", "yearly"):
    r = runs[kind]
    ratio = st.median(r[k][0] / runs["weekly"][k][0] for k in r)
    print(f"| {kind} | {st.median(x[0] for x in r.values()):.2f} | {st.median(x[1] + x[2] for x in r.values()):.2f} | "
          f"{st.median(x[3] for x in r.values()) / 1024:.0f} | {ratio:.2f} × |")
EOF
