#!/usr/bin/env python3
"""Helpers of run.sh (standard library only).

  results.py compare FIVEHOURS_VOLUNTEERS_CSV DUCKDB_VOLUNTEERS_CSV
      Compares every volunteer's hours (and status) between fivehours' volunteers.csv (written with
      --csv-header keys: BOM, CRLF) and the DuckDB peer's. Prints a one-line summary; exit 1 on any
      mismatch, missing or extra volunteer.

  results.py table RESULTS_TSV --activity-bytes N [--xml-bytes N]
      The table of medians of the weekly benchmark, as Markdown, from run.sh's raw results
      (lines: name round wall user sys maxrss_kb exit).

  results.py scaling SCALING_TSV
      The scaling table (lines: rows bytes name round wall user sys maxrss_kb exit).
"""

import argparse
import csv
import statistics
import sys
from decimal import Decimal, InvalidOperation

NAMES = {
    "a": "(a) `fivehours weekly --format csv`",
    "b": "(b) `fivehours weekly --format html,md,csv`",
    "c": "(c) DuckDB peer (`peer_duckdb.py`, 2 threads)",
    "d": "(d) `fivehours check` on the XML variant",
    "e": "(e) `xmllint --stream --noout` on the XML",
}


def read_volunteers(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    out = {}
    for r in rows:
        out[r["volunteer_id"]] = r
    return out, len(rows)


def dec(text):
    try:
        return Decimal(text)
    except (InvalidOperation, TypeError):
        return None


def compare(args):
    mine, n_mine = read_volunteers(args.fivehours)
    peer, n_peer = read_volunteers(args.duckdb)
    missing = sorted(set(peer) - set(mine))
    extra = sorted(set(mine) - set(peer))
    hours_bad, status_bad = [], []
    for vid in sorted(set(mine) & set(peer)):
        a, b = dec(mine[vid]["hours"]), dec(peer[vid]["hours"])
        if a is None or b is None or abs(a - b) > Decimal("0.005"):
            hours_bad.append((vid, mine[vid]["hours"], peer[vid]["hours"]))
        if mine[vid]["status"] != peer[vid]["status"]:
            status_bad.append((vid, mine[vid]["status"], peer[vid]["status"]))
    dup = (n_mine - len(mine)) + (n_peer - len(peer))
    met = sum(1 for r in mine.values() if r["status"] == "met")
    print("hours check: %d volunteers (fivehours %d, DuckDB %d), %d met; "
          "%d hours mismatches, %d status mismatches, %d missing in fivehours, "
          "%d only in fivehours, %d duplicate rows"
          % (len(set(mine) | set(peer)), n_mine, n_peer, met, len(hours_bad), len(status_bad),
             len(missing), len(extra), dup))
    for vid, a, b in hours_bad[:10]:
        print("  %s: fivehours %s, DuckDB %s" % (vid, a, b))
    for vid, a, b in status_bad[:10]:
        print("  %s: status fivehours %s, DuckDB %s" % (vid, a, b))
    for vid in missing[:10]:
        print("  %s: missing in fivehours" % vid)
    for vid in extra[:10]:
        print("  %s: only in fivehours" % vid)
    return 1 if (hours_bad or status_bad or missing or extra or dup) else 0


def load(path, with_size=False):
    rows = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if not parts:
                continue
            if with_size:
                n, size, name, rnd, wall, user, sys_, rss, rc = parts
                rows.append(dict(rows_n=int(n), size=int(size), name=name, wall=float(wall),
                                 cpu=float(user) + float(sys_), rss=int(rss) / 1024.0))
            else:
                name, rnd, wall, user, sys_, rss, rc = parts
                rows.append(dict(name=name, wall=float(wall), cpu=float(user) + float(sys_),
                                 rss=int(rss) / 1024.0))
    return rows


def medians(rows, key=lambda r: r["name"]):
    groups = {}
    for r in rows:
        groups.setdefault(key(r), []).append(r)
    return {k: dict(n=len(v),
                    wall=statistics.median(r["wall"] for r in v),
                    wall_min=min(r["wall"] for r in v),
                    wall_max=max(r["wall"] for r in v),
                    cpu=statistics.median(r["cpu"] for r in v),
                    rss=statistics.median(r["rss"] for r in v))
            for k, v in groups.items()}


def ratio(a, b):
    return "%.2f×" % (a / b) if b > 0 else "n/a"


def table(args):
    m = medians(load(args.results))
    out = ["| run | rounds | wall s (median) | wall s (min–max) | CPU s (user+sys) | peak RSS MB | MB/s |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    for key in "abcde":
        if key not in m:
            continue
        r = m[key]
        size = args.xml_bytes if key in "de" else args.activity_bytes
        mbs = size / 1e6 / r["wall"] if r["wall"] > 0 and size else 0
        out.append("| %s | %d | %.2f | %.2f–%.2f | %.2f | %.0f | %.0f |"
                   % (NAMES[key], r["n"], r["wall"], r["wall_min"], r["wall_max"], r["cpu"],
                      r["rss"], mbs))
    out.append("")
    out.append("MB/s is the activity file (%.1f MB CSV%s) over the median wall time."
               % (args.activity_bytes / 1e6,
                  ", %.1f MB XML for (d) and (e)" % (args.xml_bytes / 1e6) if args.xml_bytes else ""))
    out.append("")
    ratios = []
    if "a" in m and "c" in m:
        ratios.append("fivehours csv / DuckDB: wall %s, peak RSS %s (target ≤ 0.80× wall, ≤ 1.00× memory)"
                      % (ratio(m["a"]["wall"], m["c"]["wall"]), ratio(m["a"]["rss"], m["c"]["rss"])))
    if "a" in m and "b" in m:
        ratios.append("all formats / csv only: wall %s (target ≤ 1.50×)"
                      % ratio(m["b"]["wall"], m["a"]["wall"]))
    if "d" in m and "e" in m:
        ratios.append("check XML / xmllint --stream: wall %s (target ≤ 1.30×)"
                      % ratio(m["d"]["wall"], m["e"]["wall"]))
    out += ["Ratios of medians: " + "; ".join(ratios) + "."] if ratios else []
    print("\n".join(out))
    return 0


def scaling(args):
    rows = load(args.results, with_size=True)
    sizes = {r["rows_n"]: r["size"] for r in rows}
    m = medians(rows, key=lambda r: (r["rows_n"], r["name"]))
    out = ["| rows | CSV MB | fivehours csv: wall s | µs/row | MB/s | peak RSS MB | DuckDB: wall s | peak RSS MB | wall ratio |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for n in sorted(sizes):
        a, c = m.get((n, "a")), m.get((n, "c"))
        mb = sizes[n] / 1e6
        cells = ["{:,}".format(n), "%.0f" % mb]
        if a:
            cells += ["%.2f" % a["wall"], "%.2f" % (a["wall"] / n * 1e6), "%.0f" % (mb / a["wall"]),
                      "%.0f" % a["rss"]]
        else:
            cells += ["", "", "", ""]
        if c:
            cells += ["%.2f" % c["wall"], "%.0f" % c["rss"]]
        else:
            cells += ["", ""]
        cells.append(ratio(a["wall"], c["wall"]) if a and c else "")
        out.append("| " + " | ".join(cells) + " |")
    print("\n".join(out))
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("compare")
    c.add_argument("fivehours")
    c.add_argument("duckdb")
    t = sub.add_parser("table")
    t.add_argument("results")
    t.add_argument("--activity-bytes", type=int, required=True)
    t.add_argument("--xml-bytes", type=int, default=0)
    s = sub.add_parser("scaling")
    s.add_argument("results")
    args = p.parse_args()
    sys.exit({"compare": compare, "table": table, "scaling": scaling}[args.cmd](args))


if __name__ == "__main__":
    main()
