#!/bin/sh
# Makes the shapes of docs/PERFORMANCE.md ("Other shapes") under ${SHAPES:-/tmp/fivehours-shapes}
# and times fivehours against the DuckDB peer on each, alternated:
#   Benchmarks/shapes/cases.sh BIN [case ...]      (default: every case; ~8 GB of data)
# A case already generated is reused; generate.py --list names the generator's kinds.
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); shift
ROOT=${SHAPES:-/tmp/fivehours-shapes}
ROUNDS=${ROUNDS:-3}
mkdir -p "$ROOT"
g() { local n=$1 kind=$2; shift 2; [ -d "$ROOT/$n" ] || python3 "$HERE/generate.py" "$kind" "$ROOT/$n" "$@"; }
for c in ${@:-baseline memo quotedclean quotednonl quoted rejects1m dups manyfiles bigroster heavyweek gbk bomcrlf wide longtext}; do
  case $c in
    baseline)      g baseline baseline --rows 2000000 ;;
    memo)          g memo memo --rows 2000000 ;;
    quoted)        g quoted quoted --rows 2000000 ;;
    quotedclean)   g quotedclean quoted --rows 2000000 --clean ;;
    quotednonl)    g quotednonl quoted --rows 2000000 --clean --nl 0 ;;
    dups)          g dups dups --rows 2000000 ;;
    rejects1m)     g rejects1m rejects --rows 1000000 ;;
    bomcrlf)       g bomcrlf bomcrlf --rows 2000000 ;;
    wide)          g wide wide --rows 500000 --extra-cols 150 ;;
    longtext)      g longtext longtext --rows 100000 ;;
    manyfiles)     g manyfiles manyfiles --rows 2000000 --files 10000 --units 500 ;;
    bigroster)     g bigroster bigroster --rows 2000000 --vols 1000000 ;;
    heavyweek)     g heavyweek heavy --rows 1000000 --vols 1000 --week-only ;;
    gbk)           g gbk gbk --rows 2000000 ;;
    *) echo "cases.sh: no case $c" >&2; exit 2 ;;
  esac
  python3 "$HERE/run.py" "$ROOT/$c" --bin "$BIN" --rounds "$ROUNDS"
done
