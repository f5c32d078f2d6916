#!/usr/bin/env bash
# The fivehours benchmark (issue 5). See Benchmarks/README.md.
#
#   Benchmarks/run.sh [--rounds N] [--rows N] [--volunteers N] [--skip-xml] [--scaling] [--yearly]
#                     [--spelling S | --spellings S,S,...]
#                     [--data DIR] [--bin PATH] [--scratch-path DIR] [--doc FILE] [--no-doc]
#
# Builds fivehours in release mode, generates the campaign if missing (outside the repository),
# runs alternately, --rounds times each:
#   (a) fivehours weekly --format csv       (b) fivehours weekly --format html,md,csv
#   (c) the DuckDB peer (peer_duckdb.py)    (d) fivehours check on the XML variant
#   (e) xmllint --stream --noout on the XML
# measures wall, user+sys CPU and peak RSS with /usr/bin/time, prints the medians and ratios,
# checks that fivehours and DuckDB agree on every volunteer's hours, and appends a dated section
# to docs/PERFORMANCE.md. --scaling instead runs (a) and (c) at 0.35 M, 1.75 M, 3.5 M and 7 M rows.
# --spelling S (or --spellings plain,iso-seconds,excel-gb18030,excel-utf8,mixed, or all) instead runs, per
# spelling of generate.py, (a), (c) the plain DuckDB peer for that spelling and (f) the faithful
# DuckDB peer, checks fivehours' hours against (f) for every volunteer to the cent and its
# manifest against the rows generated, and writes one table with a row per spelling.
# --yearly instead runs (y) fivehours yearly --year 2019 --format csv and (p) its DuckDB peer
# (peer_yearly.py), alternated, and checks every volunteer's and volunteer-week's figures; with
# --spelling S (one), on that spelling's data (overlaps, repeats, caps: a year's findings).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$HERE")

ROUNDS=3
ROWS=3500000
VOLS=100000
SKIP_XML=0
SCALING=0
YEARLY=0
DATA=""
BIN=""
SCRATCH=""
WRITE_DOC=1
WEEK=2019-08-09
NOW=2019-08-10T00:00:00+08:00
WORK=${FIVEHOURS_BENCH_WORK:-/tmp/fivehours-bench-runs}
# Each run's dated section goes here; docs/PERFORMANCE.md holds the current figures, copied by hand.
DOC="$WORK/results.md"
PYTHON=${PYTHON:-python3}
SPELLINGS=""
ALL_SPELLINGS="plain,iso-seconds,excel-gb18030,excel-utf8,mixed"

usage() { sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --rows) ROWS=$2; shift 2 ;;
    --volunteers) VOLS=$2; shift 2 ;;
    --skip-xml) SKIP_XML=1; shift ;;
    --scaling) SCALING=1; shift ;;
    --yearly) YEARLY=1; shift ;;
    --spelling|--spellings) SPELLINGS=$2; shift 2 ;;
    --data) DATA=$2; shift 2 ;;
    --bin) BIN=$2; shift 2 ;;                 # use this fivehours executable, do not build
    --scratch-path) SCRATCH=$2; shift 2 ;;    # passed to swift build
    --doc) DOC=$2; shift 2 ;;
    --no-doc) WRITE_DOC=0; shift ;;
    -h|--help) usage 0 ;;
    *) echo "run.sh: unknown option $1" >&2; usage 2 ;;
  esac
done
[ "$ROUNDS" -ge 1 ] 2>/dev/null || { echo "run.sh: --rounds must be a positive number" >&2; exit 2; }
if [ -n "$SPELLINGS" ]; then
  [ "$SPELLINGS" = all ] && SPELLINGS=$ALL_SPELLINGS
  for sp in ${SPELLINGS//,/ }; do
    case ",$ALL_SPELLINGS," in *",$sp,"*) ;; *) echo "run.sh: unknown spelling '$sp' (one of $ALL_SPELLINGS)" >&2; exit 2 ;; esac
  done
  [ "$SCALING" = 0 ] || { echo "run.sh: --scaling and --spelling do not go together" >&2; exit 2; }
  SKIP_XML=1                                  # the spellings are CSV only
fi
if [ "$YEARLY" = 1 ]; then
  [ "$SCALING" = 0 ] && [ "${SPELLINGS//,/}" = "$SPELLINGS" ] || { echo "run.sh: --yearly goes with one --spelling at most, and not with --scaling" >&2; exit 2; }
  SKIP_XML=1                                  # the yearly run reads the CSV campaign
fi

say() { printf '\n== %s\n' "$*" >&2; }
commas() { echo "$1" | sed -e ':a' -e 's/\B[0-9]\{3\}\>/,&/' -e 'ta'; }

# ---------------------------------------------------------------- tools
if [ ! -x /usr/bin/time ]; then
  say "installing GNU time"
  apt-get install -y time >/dev/null || { apt-get update >/dev/null && apt-get install -y time >/dev/null; }
fi
if [ "$SCALING" = 0 ] && [ "$SKIP_XML" = 0 ] && ! command -v xmllint >/dev/null; then
  say "installing xmllint (libxml2-utils)"
  apt-get install -y libxml2-utils >/dev/null || { apt-get update >/dev/null && apt-get install -y libxml2-utils >/dev/null; }
fi
if ! "$PYTHON" -c 'import duckdb' 2>/dev/null; then
  say "installing duckdb (pip)"
  "$PYTHON" -m pip install --quiet duckdb
fi

# ---------------------------------------------------------------- build
if [ -z "$BIN" ]; then
  build_args=(-c release --product fivehours)
  [ -n "$SCRATCH" ] && build_args+=(--scratch-path "$SCRATCH")
  say "swift build ${build_args[*]}"
  tries=0
  until (cd "$REPO" && swift build "${build_args[@]}" >&2); do
    tries=$((tries + 1))
    if [ "$tries" -ge 5 ]; then echo "run.sh: the release build failed $tries times" >&2; exit 1; fi
    echo "run.sh: build failed (sources being edited?); retrying in 60 s" >&2
    sleep 60
  done
  BIN="$(cd "$REPO" && swift build "${build_args[@]}" --show-bin-path)/fivehours"
fi
[ -x "$BIN" ] || { echo "run.sh: no executable at $BIN" >&2; exit 1; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
# what was built: the commit, and whether Sources/ had uncommitted changes at that moment
COMMIT=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$REPO" --no-optional-locks status --porcelain -- Sources Package.swift Package.resolved 2>/dev/null | sed -n 1p)" ]; then
  COMMIT="$COMMIT + uncommitted changes in Sources/"
fi
LOAD_BEFORE=""   # taken just before the first timed run

# ---------------------------------------------------------------- data
data_dir() {  # rows -> folder
  if [ -n "$DATA" ] && [ "$SCALING" = 0 ]; then echo "$DATA"
  elif [ "$1" = 3500000 ] && [ "$VOLS" = 100000 ]; then echo /tmp/fivehours-bench
  else echo "/tmp/fivehours-bench-${1}r-${VOLS}v"; fi
}

# The folder of one spelling's data: --data when one spelling is asked for, else
# /tmp/fivehours-bench-SPELLING (default size) or /tmp/fivehours-bench-SPELLING-<rows>r-<vols>v;
# plain's is the weekly benchmark's own folder.
spelling_dir() {  # spelling
  if [ -n "$DATA" ] && [ "${SPELLINGS//,/}" = "$SPELLINGS" ]; then echo "$DATA"
  elif [ "$1" = plain ]; then data_dir "$ROWS"
  elif [ "$ROWS" = 3500000 ] && [ "$VOLS" = 100000 ]; then echo "/tmp/fivehours-bench-$1"
  else echo "/tmp/fivehours-bench-$1-${ROWS}r-${VOLS}v"; fi
}

ensure_data() {  # dir rows want_xml [spelling]
  local dir=$1 rows=$2 xml=$3 spelling=${4:-plain}
  local xml_rows=$(( (rows * 2 + 3) / 7 ))   # 1,000,000 XML activities at the default 3,500,000 rows
  local version
  version=$(sed -n 's/^GENERATOR_VERSION = //p' "$HERE/generate.py")
  if "$PYTHON" - "$dir/generated.json" "$rows" "$VOLS" "$xml" "$xml_rows" "$spelling" "$version" <<'EOF'
import json, sys
try:
    g = json.load(open(sys.argv[1]))
except Exception:
    sys.exit(1)
ok = g["rows"] == int(sys.argv[2]) and g["volunteers"] == int(sys.argv[3])
ok = ok and (sys.argv[4] == "0" or (g.get("xml") and g.get("xml_rows") == int(sys.argv[5])))
ok = ok and g.get("spelling", "plain") == sys.argv[6]
ok = ok and (sys.argv[6] == "plain") == ("extras" not in g)
ok = ok and (sys.argv[6] == "plain" or str(g.get("generator")) == sys.argv[7])
sys.exit(0 if ok else 1)
EOF
  then return 0; fi
  local xml_flag=()
  [ "$xml" = 1 ] && xml_flag=(--xml --xml-rows "$xml_rows")
  say "generating $rows rows, $VOLS volunteers, spelling $spelling into $dir"
  local t0=$SECONDS
  "$PYTHON" "$HERE/generate.py" --out "$dir" --rows "$rows" --volunteers "$VOLS" --spelling "$spelling" "${xml_flag[@]}"
  echo "generated in $((SECONDS - t0)) s" >&2
}

# ---------------------------------------------------------------- measuring
mkdir -p "$WORK"

# measure NAME ROUND OK_EXIT_CODES STDOUT_FILE CMD... : appends "name round wall user sys rss rc"
measure() {
  local name=$1 round=$2 ok=$3 stdout=$4; shift 4
  local tf="$WORK/time.$name" rc
  set +e
  /usr/bin/time -f '%e %U %S %M' -o "$tf" "$@" >"$stdout" 2>"$WORK/$name.stderr"
  rc=$?
  set -e
  if ! [[ " $ok " == *" $rc "* ]]; then
    echo "run.sh: ($name) exited $rc: $*" >&2
    tail -20 "$WORK/$name.stderr" >&2
    exit 1
  fi
  local line
  line=$(tail -1 "$tf")
  echo "$name $round $line $rc" >>"$RESULTS"
  printf '  %s round %s: %s s wall, %s s user, %s s sys, %s KB peak RSS\n' "$name" "$round" $line >&2
}

warm() { cat "$@" >/dev/null; }   # the page cache, so that every round reads warm files

week_args=(--week-ending "$WEEK" --now "$NOW" --quiet)

# (a) also reports its stages (FIVEHOURS_TIMING, a few lines on stderr): the import figure is
# the activity file's parts lap, the part of the run that reads it on both cores.
run_a() { FIVEHOURS_TIMING=1 measure a "$1" 0 /dev/null "$BIN" weekly --config "$2/campaign.yaml" "${week_args[@]}" \
            --format csv --csv-header keys --out "$WORK/a"
          import_lap >>"$WORK/import.txt"; }
# The wall time of the activity file's parts (the largest lap "N parts[, each with its UTF-8
# check]"), or when there is none the laps that read the activity file (results.py import-lap).
# Nothing when neither is there.
import_lap() { "$PYTHON" "$HERE/results.py" import-lap "$WORK/a.stderr" | awk '{v = ($2 != "-") ? $2 : $1; if (v != "-") print v}'; }
run_b() { measure b "$1" 0 /dev/null "$BIN" weekly --config "$2/campaign.yaml" "${week_args[@]}" \
            --format html,md,csv --out "$WORK/b"; }
run_c() { measure c "$1" 0 /dev/null "$PYTHON" "$HERE/peer_duckdb.py" --data "$2" \
            --week-ending "$WEEK" --out "$WORK/c" ${3:+--spelling "$3"}; }
# (f) the faithful peer: the contract's counting (duplicates, union of overlaps, daily cap).
run_f() { measure f "$1" 0 /dev/null "$PYTHON" "$HERE/peer_duckdb.py" --data "$2" \
            --week-ending "$WEEK" --out "$WORK/f" --spelling "$3" --faithful; }
run_d() { measure d "$1" "0 1" "$WORK/check.out" "$BIN" check --config "$2/campaign-xml.yaml" \
            --week-ending "$WEEK" --quiet; }
run_e() { measure e "$1" 0 /dev/null xmllint --stream --noout "$2/activities-xml/sessions.xml"; }

# The import: the activity file over the median of (a)'s parts laps, per core.
import_figure() {
  local laps median
  laps=$(sort -n "$WORK/import.txt" | tr '\n' ' ')
  # The median as results.py takes it: the middle value, or the mean of the two middle ones.
  median=$(sort -n "$WORK/import.txt" | awk 'NF {v[++n] = $1} END {if (n) print (n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2)}')
  [ -n "$median" ] || { echo "Import: no parts lap found in (a)'s timing."; return; }
  awk -v b="$1" -v m="$median" -v c="$(nproc)" -v laps="$laps" 'BEGIN {
    printf "Import (the activity file read in parts on all cores: UTF-8 check, rows split, validated, identity-hashed, the records of the week; `FIVEHOURS_TIMING` lap of (a), %s s): median %.3f s, %.0f MB/s, **%.0f MB/s per core** (target ≥ 800).\n", laps, m, b / m / 1e6, b / m / 1e6 / c }'
}

compare_hours() {
  "$PYTHON" "$HERE/results.py" compare "$WORK/a/weekly-$WEEK/volunteers.csv" "$WORK/c/volunteers.csv"
}

machine() {
  local cpu mem swiftv duckv xmlv
  cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
  mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
  swiftv=$(swift --version 2>&1 | sed -n 1p)
  duckv=$("$PYTHON" -c 'import duckdb; print(duckdb.__version__)')
  echo "- Machine: $(nproc) cores ($cpu), $mem memory, $(uname -sr)"
  echo "- Toolchain: $swiftv; DuckDB $duckv (Python $("$PYTHON" -c 'import platform; print(platform.python_version())'))"
  if [ "$SKIP_XML" = 0 ] && [ "$SCALING" = 0 ]; then
    xmlv=$(xmllint --version 2>&1 | sed -n 1p | sed 's/^xmllint: //')
    echo "- xmllint: $xmlv"
  fi
  echo "- fivehours: $("$BIN" --version 2>/dev/null || echo '?'), commit $COMMIT, release build"
  echo "- Load average (1/5/15 min) before the runs: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg)"
}

append_doc() {  # file with the section's body
  [ "$WRITE_DOC" = 1 ] || return 0
  mkdir -p "$(dirname "$DOC")"
  { echo; cat "$1"; } >>"$DOC"
  echo "appended to $DOC" >&2
}

# ---------------------------------------------------------------- the weekly benchmark
weekly_benchmark() {
  local dir want_xml=1
  [ "$SKIP_XML" = 1 ] && want_xml=0
  dir=$(data_dir "$ROWS")
  ensure_data "$dir" "$ROWS" "$want_xml"
  if [ "$want_xml" = 1 ] && [ ! -f "$dir/campaign-xml.yaml" ]; then
    echo "run.sh: $dir has no XML variant" >&2; exit 1
  fi
  local csv_bytes xml_bytes=0
  csv_bytes=$(stat -c %s "$dir/activities/sessions.csv")
  [ "$want_xml" = 1 ] && xml_bytes=$(stat -c %s "$dir/activities-xml/sessions.xml")
  RESULTS="$WORK/results.tsv"
  : >"$RESULTS"
  : >"$WORK/import.txt"
  rm -rf "$WORK/a" "$WORK/b" "$WORK/c"
  warm "$dir"/rosters/* "$dir"/activities/* "$dir"/submissions/*
  [ "$want_xml" = 1 ] && warm "$dir/activities-xml/sessions.xml"

  say "fivehours: $BIN"
  say "data: $dir ($(numfmt --to=si "$csv_bytes")B CSV$( [ "$want_xml" = 1 ] && echo ", $(numfmt --to=si "$xml_bytes")B XML"))"
  local r
  LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
  for r in $(seq 1 "$ROUNDS"); do
    say "round $r of $ROUNDS"
    run_a "$r" "$dir"
    run_b "$r" "$dir"
    run_c "$r" "$dir"
    if [ "$want_xml" = 1 ]; then
      run_d "$r" "$dir"
      run_e "$r" "$dir"
    fi
  done

  local section="$WORK/section.md" check_rc=0 check_line
  set +e
  check_line=$(compare_hours)
  check_rc=$?
  set -e
  {
    echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — weekly run, $(commas "$ROWS") sessions, $(commas "$VOLS") volunteers"
    echo
    machine
    echo "- Data: \`Benchmarks/generate.py --rows $ROWS --volunteers $VOLS$( [ "$want_xml" = 1 ] && echo " --xml --xml-rows $(( (ROWS * 2 + 3) / 7 ))")\`; week ending $WEEK, \`--now $NOW\`; $ROUNDS rounds, runs alternated, warm page cache"
    echo
    "$PYTHON" "$HERE/results.py" table "$RESULTS" --activity-bytes "$csv_bytes" --xml-bytes "$xml_bytes"
    echo
    import_figure "$csv_bytes"
    echo
    echo "${check_line%%$'\n'*}$( [ "$check_rc" = 0 ] && echo ' — agree.' || echo ' — DISAGREE.')"
  } >"$section"
  echo >&2
  cat "$section"
  [ "$check_rc" = 0 ] || printf '%s\n' "$check_line" >&2
  append_doc "$section"
  return "$check_rc"
}

# ---------------------------------------------------------------- scaling
scaling_benchmark() {
  local sizes=(${FIVEHOURS_BENCH_SIZES:-350000 1750000 3500000 7000000}) n dir bytes r
  RESULTS="$WORK/scaling-raw.tsv"
  local scaled="$WORK/scaling.tsv" failures=0 checks=""
  : >"$scaled"
  for n in "${sizes[@]}"; do
    dir=$(data_dir "$n")
    ensure_data "$dir" "$n" 0
    bytes=$(stat -c %s "$dir/activities/sessions.csv")
    warm "$dir"/rosters/* "$dir"/activities/* "$dir"/submissions/*
    : >"$RESULTS"
    rm -rf "$WORK/a" "$WORK/c"
    say "scaling: $n rows ($(numfmt --to=si "$bytes")B) in $dir"
    [ -n "$LOAD_BEFORE" ] || LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
    for r in $(seq 1 "$ROUNDS"); do
      run_a "$r" "$dir"
      run_c "$r" "$dir"
    done
    awk -v n="$n" -v b="$bytes" '{print n, b, $0}' "$RESULTS" >>"$scaled"
    local line rc=0
    set +e
    line=$(compare_hours)
    rc=$?
    set -e
    [ "$rc" = 0 ] || failures=$((failures + 1))
    checks+="- $(commas "$n") rows: $(echo "${line%%$'\n'*}" | sed "s/^hours check: //")"$'\n'
    echo "${line}" >&2
  done
  local section="$WORK/scaling-section.md"
  {
    echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — scaling, $(commas "$VOLS") volunteers, \`fivehours weekly --format csv\` and the DuckDB peer"
    echo
    machine
    echo "- Data: \`Benchmarks/generate.py --rows N --volunteers $VOLS\` for each N; week ending $WEEK; $ROUNDS rounds each, alternated, medians"
    echo
    "$PYTHON" "$HERE/results.py" scaling "$scaled"
    echo
    echo "Hours check per size:"
    echo
    printf '%s' "$checks"
  } >"$section"
  echo >&2
  cat "$section"
  append_doc "$section"
  if [ "$WRITE_DOC" = 1 ]; then
    "$PYTHON" "$HERE/results.py" chart "$scaled" "$(dirname "$DOC")/performance-scaling.svg"
    echo "chart: $(dirname "$DOC")/performance-scaling.svg" >&2
  fi
  [ "$failures" = 0 ]
}

# ---------------------------------------------------------------- spellings
spellings_benchmark() {
  local sp dir bytes r sps=() bytes_args=() rows_args=() failures=0
  IFS=, read -ra sps <<<"$SPELLINGS"
  local all="$WORK/spellings.tsv" imports="$WORK/spellings-import.txt" checks="$WORK/spellings-checks.txt"
  local notes="$WORK/spellings-notes.md" gen_lines="$WORK/spellings-data.md"
  : >"$all"; : >"$imports"; : >"$checks"; : >"$notes"; : >"$gen_lines"
  for sp in "${sps[@]}"; do
    ensure_data "$(spelling_dir "$sp")" "$ROWS" 0 "$sp"
  done
  for sp in "${sps[@]}"; do
    dir=$(spelling_dir "$sp")
    bytes=$(stat -c %s "$dir/activities/sessions.csv")
    bytes_args+=("$sp=$bytes")
    rows_args+=("$sp=$("$PYTHON" -c 'import json, sys; g = json.load(open(sys.argv[1])); print(g.get("expected_activity_rows", {}).get("read", g["rows"]))' "$dir/generated.json")")
    RESULTS="$WORK/results-$sp.tsv"
    : >"$RESULTS"
    : >"$WORK/import.txt"
    rm -rf "$WORK/a" "$WORK/c" "$WORK/f"
    warm "$dir"/rosters/* "$dir"/activities/* "$dir"/submissions/*
    say "spelling $sp: $dir ($(numfmt --to=si "$bytes")B CSV)"
    [ -n "$LOAD_BEFORE" ] || LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
    for r in $(seq 1 "$ROUNDS"); do
      run_a "$r" "$dir"
      echo "$sp $("$PYTHON" "$HERE/results.py" import-lap "$WORK/a.stderr")" >>"$imports"
      run_c "$r" "$dir" "$sp"
      run_f "$r" "$dir" "$sp"
    done
    awk -v sp="$sp" '{print sp, $0}' "$RESULTS" >>"$all"
    local vol="$WORK/a/weekly-$WEEK/volunteers.csv" line mline cline="" rc=0 mrc=0 crc=0
    set +e
    line=$("$PYTHON" "$HERE/results.py" compare --exact --peer "faithful peer" "$vol" "$WORK/f/volunteers.csv")
    rc=$?
    mline=$("$PYTHON" "$HERE/results.py" manifest "$WORK/a/weekly-$WEEK/manifest.json" "$dir/generated.json")
    mrc=$?
    if [ "$sp" = plain ]; then          # clean data: the plain peer must agree too, as before
      cline=$("$PYTHON" "$HERE/results.py" compare "$vol" "$WORK/c/volunteers.csv")
      crc=$?
    fi
    set -e
    if [ "$rc" = 0 ] && [ "$mrc" = 0 ] && [ "$crc" = 0 ]; then
      echo "$sp ok" >>"$checks"
    else
      echo "$sp DISAGREE" >>"$checks"
      failures=$((failures + 1))
      { echo; echo "!!!!!!!! $sp: fivehours DISAGREES"; printf '%s\n' "$line" "$mline" "$cline"; echo "!!!!!!!!"; } >&2
    fi
    {
      echo "- \`$sp\`: ${line%%$'\n'*}$( [ "$rc" = 0 ] && echo ' — agree' || echo ' — **DISAGREE**')."
      echo "  ${mline%%$'\n'*}."
      [ -z "$cline" ] || echo "  Plain peer: ${cline%%$'\n'*}$( [ "$crc" = 0 ] && echo ' — agree' || echo ' — **DISAGREE**')."
    } >>"$notes"
    "$PYTHON" - "$dir/generated.json" "$sp" >>"$gen_lines" <<'EOF'
import json, sys
g = json.load(open(sys.argv[1]))
w, e = g.get("written"), g.get("expected_activity_rows")
if w:
    print("  - `%s`: %s rows read (%s drawn; %s overlapping sessions added (%s of them the next day, after %s night patrols added), %s repeated with the same "
          "record id, %s without one, %s conflicting record ids, %s long sessions towards the cap, "
          "%s unrostered, %s with hours half an hour off start and end), %.1f MB" % (sys.argv[2], "{:,}".format(e["read"]), "{:,}".format(w["base"]),
          w["overlaps"] + w.get("overlaps_next_day", 0), w.get("overlaps_next_day", 0), w.get("night", 0), w["duplicates_same_id"], w["duplicates_no_id"], w["conflicts"], w["over_cap"],
          w["unrostered"], w.get("mismatches", 0), g["activity_bytes"] / 1e6))
else:
    print("  - `%s`: %s rows, clean (no overlaps, duplicates or rejects), %.1f MB"
          % (sys.argv[2], "{:,}".format(g["rows"]), g["activity_bytes"] / 1e6))
EOF
  done

  local section="$WORK/spellings-section.md"
  {
    echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — spellings, $(commas "$ROWS") sessions, $(commas "$VOLS") volunteers"
    echo
    machine
    echo "- Data: \`Benchmarks/generate.py --spelling S --rows $ROWS --volunteers $VOLS\` (each spelling's default extras); week ending $WEEK, \`--now $NOW\`; $ROUNDS rounds per spelling, runs alternated, warm page cache:"
    cat "$gen_lines"
    echo
    "$PYTHON" "$HERE/results.py" spellings "$all" --bytes "${bytes_args[@]}" --rows "${rows_args[@]}" --imports "$imports" \
      --checks "$checks" --cores "$(nproc)"
    echo
    echo "Checks:"
    echo
    cat "$notes"
  } >"$section"
  echo >&2
  cat "$section"
  append_doc "$section"
  if [ "$failures" != 0 ]; then
    echo "run.sh: fivehours DISAGREES with the faithful peer or the generated row counts on $failures spelling(s); see above" >&2
    return 1
  fi
}

# ---------------------------------------------------------------- the year (issue 14)
YEAR=2019
YEAR_NOW=2020-01-10T00:00:00+08:00   # every week of 2019 over, as the peer takes them without --now
run_y() { measure y "$1" 0 /dev/null "$BIN" yearly --config "$2/campaign.yaml" --year "$YEAR" --now "$YEAR_NOW" --quiet \
            --format csv --csv-header keys --out "$WORK/y"; }
run_p() { measure p "$1" 0 /dev/null "$PYTHON" "$HERE/peer_yearly.py" --data "$2" --spelling "$3" --year "$YEAR" --out "$WORK/p"; }

yearly_benchmark() {
  local dir r spelling=${SPELLINGS:-plain}
  dir=$(spelling_dir "$spelling")
  ensure_data "$dir" "$ROWS" 0 "$spelling"
  RESULTS="$WORK/yearly.tsv"
  : >"$RESULTS"
  rm -rf "$WORK/y" "$WORK/p"
  warm "$dir"/rosters/* "$dir"/activities/* "$dir"/submissions/*
  say "yearly: $BIN and peer_yearly.py on $dir"
  LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
  for r in $(seq 1 "$ROUNDS"); do
    say "round $r of $ROUNDS"
    run_y "$r" "$dir"
    run_p "$r" "$dir" "$spelling"
  done
  local section="$WORK/yearly-section.md" check check_rc=0
  set +e
  check=$("$PYTHON" "$HERE/peer_yearly.py" --out "$WORK/p" --check "$WORK/y/yearly-$YEAR")
  check_rc=$?
  set -e
  {
    echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — yearly run, $(commas "$ROWS") sessions, $(commas "$VOLS") volunteers, spelling $spelling"
    echo
    machine
    echo "- Data: \`Benchmarks/generate.py --rows $ROWS --volunteers $VOLS --spelling $spelling\`; year $YEAR, \`--now $YEAR_NOW\`; $ROUNDS rounds, runs alternated, warm page cache, medians"
    echo
    echo "| run | wall s | user+sys s | peak RSS MB |"
    echo "|---|---:|---:|---:|"
    # results.tsv: name round wall user sys rss rc; the median of each column per run.
    for name in y p; do
      awk -v n="$name" '$1 == n {w[++k] = $3; c[k] = $4 + $5; m[k] = $6}
        function med(a, k,   i, j, t) { for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                                     return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }
        END { label = (n == "y") ? "(y) `fivehours yearly --format csv`" : "(p) DuckDB peer `peer_yearly.py`"
              printf "| %s | %.2f | %.2f | %.0f |\n", label, med(w, k), med(c, k), med(m, k) / 1024 }' "$RESULTS"
    done
    awk '$1 == "y" {y[++a] = $3} $1 == "p" {p[++b] = $3}
      function med(v, k,   i, j, t) { for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
                                   return k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2 }
      END { printf "\nfivehours / peer, wall: **%.2f×** (target ≤ 0.8×).\n", med(y, a) / med(p, b) }' "$RESULTS"
    echo
    echo "Check (every volunteer's hours, weeks required and met, star level; every volunteer-week's hours and status):"
    echo
    printf '%s\n' "$check" | sed 's/^/    /'
    echo
    echo "$( [ "$check_rc" = 0 ] && echo 'fivehours and the peer agree.' || echo '**fivehours and the peer DISAGREE.**')"
  } >"$section"
  echo >&2
  cat "$section"
  append_doc "$section"
  return "$check_rc"
}

if [ "$YEARLY" = 1 ]; then yearly_benchmark
elif [ -n "$SPELLINGS" ]; then spellings_benchmark
elif [ "$SCALING" = 1 ]; then scaling_benchmark
else weekly_benchmark; fi

