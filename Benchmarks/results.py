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

  results.py compare --exact --peer NAME FIVEHOURS_CSV PEER_CSV
      The same check against the faithful peer: hours equal to the cent as written (no tolerance).

  results.py import-lap STDERR [--file activities/sessions.csv]
      From a FIVEHOURS_TIMING=1 stderr: "FILE_SECONDS PARTS_SECONDS" -- the laps that read the
      activity file (its own lap, plus "load FILE" and "FILE is read again" when they occur: all
      of its reading, whatever the encoding) and the largest "N parts" lap (the rows read in parts
      on all cores; the figure of the older sections). "-" for a lap that is not there.

  results.py manifest MANIFEST_JSON GENERATED_JSON
      The activity file's read, counted, merged and rejected rows in fivehours' manifest.json
      against what generate.py wrote (generated.json, expected_activity_rows). Exit 1 on a difference.

  results.py spellings RESULTS_TSV --bytes SPELLING=N ... [--imports FILE] [--checks FILE]
      The per-spelling table (lines: spelling name round wall user sys maxrss_kb exit; imports:
      spelling file_seconds parts_seconds; checks: spelling ok|DISAGREE text).
"""

import json
import re

import argparse
import math
import csv
import os
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
    if args.exact:
        return compare_exact(args, mine, n_mine, peer, n_peer)
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


def compare_exact(args, mine, n_mine, peer, n_peer):
    """Every volunteer's hours as written (two decimals) and status, with no tolerance."""
    missing = sorted(set(peer) - set(mine))
    extra = sorted(set(mine) - set(peer))
    bad = [(vid, mine[vid]["hours"], peer[vid]["hours"], mine[vid]["status"], peer[vid]["status"])
           for vid in sorted(set(mine) & set(peer))
           if dec(mine[vid]["hours"]) is None or dec(mine[vid]["hours"]) != dec(peer[vid]["hours"])
           or mine[vid]["status"] != peer[vid]["status"]]
    dup = (n_mine - len(mine)) + (n_peer - len(peer))
    met = sum(1 for r in mine.values() if r["status"] == "met")
    total = sum((dec(r["hours"]) or 0) for r in mine.values())
    print("hours check against the %s: %d volunteers (fivehours %d, peer %d), %d met, %s hours in all; "
          "%d differ in hours or status, %d missing in fivehours, %d only in fivehours, %d duplicate rows"
          % (args.peer, len(set(mine) | set(peer)), n_mine, n_peer, met, total, len(bad), len(missing),
             len(extra), dup))
    for vid, a, b, sa, sb in bad[:10]:
        print("  %s: fivehours %s %s, peer %s %s" % (vid, a, sa, b, sb))
    for vid in missing[:10]:
        print("  %s: missing in fivehours" % vid)
    for vid in extra[:10]:
        print("  %s: only in fivehours" % vid)
    return 1 if (bad or missing or extra or dup) else 0


TIMING = re.compile(r"^timing (.*?)\s+([0-9]+(?:\.[0-9]+)?) s\b")


def import_lap(args):
    file_s, parts = 0.0, []
    seen_file = False
    with open(args.stderr, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = TIMING.match(line)
            if not m:
                continue
            stage, secs = m.group(1).strip(), float(m.group(2))
            if (stage == args.file or stage == "load " + args.file
                    or stage.startswith(args.file + " is read again")):
                file_s += secs
                seen_file = True
            elif re.match(r"^[0-9]+ parts\b", stage):
                parts.append(secs)
    print("%s %s" % ("%.3f" % file_s if seen_file else "-", "%.3f" % max(parts) if parts else "-"))
    return 0


def manifest(args):
    with open(args.manifest, encoding="utf-8") as f:
        man = json.load(f)
    with open(args.generated, encoding="utf-8") as f:
        want = json.load(f).get("expected_activity_rows")
    if not want:
        print("manifest check: generated.json has no expected counts (plain data: nothing repeated)")
        return 0
    entries = []

    def walk(x):
        if isinstance(x, dict):
            if str(x.get("path", "")).replace("\\", "/").endswith("activities/sessions.csv"):
                entries.append(x)
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
    walk(man)
    if len(entries) != 1:
        print("manifest check: %d entries for activities/sessions.csv in %s" % (len(entries), args.manifest))
        return 1
    got = entries[0]
    keys = ("read", "counted", "merged", "rejected")
    diffs = ["%s %s (expected %s)" % (k, got.get(k), want[k]) for k in keys if got.get(k) != want[k]]
    print("manifest check: activity rows %s%s" % (
        ", ".join("%s %s" % (k, want[k]) for k in keys) if not diffs else "",
        "DIFFER: " + "; ".join(diffs) if diffs else " as written"))
    return 1 if diffs else 0


def spellings(args):
    rows = []
    with open(args.results) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 8:
                sp, name, rnd, wall, user, sys_, rss, rc = parts
                rows.append(dict(sp=sp, name=name, wall=float(wall), cpu=float(user) + float(sys_),
                                 rss=int(rss) / 1024.0))
    sizes = dict(b.split("=", 1) for b in args.bytes)
    imports = {}
    if args.imports and os.path.exists(args.imports):
        with open(args.imports) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3:
                    imports.setdefault(parts[0], []).append((parts[1], parts[2]))
    checks = {}
    if args.checks and os.path.exists(args.checks):
        with open(args.checks) as f:
            for line in f:
                sp, ok = line.split()[:2]
                checks[sp] = checks.get(sp, True) and ok == "ok"
    m = medians(rows, key=lambda r: (r["sp"], r["name"]))
    order = []
    for r in rows:
        if r["sp"] not in order:
            order.append(r["sp"])
    cores = args.cores or os.cpu_count() or 1

    def med(vals):
        vals = [float(v) for v in vals if v != "-"]
        return statistics.median(vals) if vals else None
    out = ["| spelling | MB | fivehours csv: wall s | DuckDB plain: wall s | faithful: wall s "
           "| wall ratio | fivehours peak MB | DuckDB peak MB | memory ratio "
           "| import MB/s per core | hours = faithful |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for sp in order:
        a, c, fa = m.get((sp, "a")), m.get((sp, "c")), m.get((sp, "f"))
        mb = int(sizes.get(sp, 0)) / 1e6
        file_lap = med(x[0] for x in imports.get(sp, []))
        parts_lap = med(x[1] for x in imports.get(sp, []))
        imp = "%.0f" % (mb / file_lap / cores) if file_lap else "n/a"
        if parts_lap and file_lap and abs(parts_lap - file_lap) > 0.0005:
            imp += " (parts %.0f)" % (mb / parts_lap / cores)
        cells = ["`%s`" % sp, "%.0f" % mb,
                 "%.2f" % a["wall"] if a else "", "%.2f" % c["wall"] if c else "",
                 "%.2f" % fa["wall"] if fa else "",
                 ratio(a["wall"], c["wall"]) if a and c else "",
                 "%.0f" % a["rss"] if a else "", "%.0f" % c["rss"] if c else "",
                 ratio(a["rss"], c["rss"]) if a and c else "", imp,
                 ("yes" if checks[sp] else "**NO**") if sp in checks else "not checked"]
        out.append("| " + " | ".join(cells) + " |")
    rows_of = dict((k, int(v)) for k, v in (b.split("=", 1) for b in args.rows))
    imp_s = {sp: med(x[0] for x in imports.get(sp, [])) for sp in order}
    # Against the same rows in UTF-8: excel-utf8 (the same text), else iso-seconds (the same values).
    gb = "excel-gb18030"
    utf = next((sp for sp in ("excel-utf8", "iso-seconds", "mixed") if sp in order), "mixed")
    if imp_s.get(gb) and imp_s.get(utf) and rows_of.get(gb) == rows_of.get(utf):
        mbs = lambda sp: int(sizes[sp]) / imp_s[sp]
        out.append("")
        out.append("GB18030 against UTF-8 (`%s`, the same %s rows): import %.0f %% in MB/s, %.0f %% in rows/s "
                   "(target ≥ 70 %%; the GB18030 file is %.0f %% of the UTF-8 bytes)."
                   % (utf, "{:,}".format(rows_of[gb]), 100 * mbs(gb) / mbs(utf),
                      100 * imp_s[utf] / imp_s[gb], 100 * int(sizes[gb]) / int(sizes[utf])))
    out.append("")
    n_rounds = max((r["n"] for r in m.values()), default=0)
    out.append("Medians of %s round%s. Wall and memory ratios: fivehours / the plain DuckDB peer (targets "
               "≤ 0.80× wall, ≤ 1.00× memory). Import: the activity file's size over the median of the "
               "`FIVEHOURS_TIMING` laps that read it (all of its reading, decoding included), divided by "
               "%d cores (target ≥ 800; GB18030 ≥ 70 %% of UTF-8); in brackets the older figure, the "
               "rows-in-parts lap alone. Hours = faithful: every volunteer's hours (to the cent) and status "
               "equal to the faithful peer's, and the manifest's row counts as generated."
               % (n_rounds, "" if n_rounds == 1 else "s", cores))
    print("\n".join(out))
    return 0


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


def nice_step(raw):
    """The smallest of 1, 2 or 5 times a power of ten that is at least `raw`."""
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    for f in (1, 2, 5, 10):
        if f * power >= raw:
            return f * power
    return 10 * power


def chart(args):
    """Two small line charts, wall time and peak memory against rows, fivehours and DuckDB, as SVG."""
    rows = load(args.results, with_size=True)
    m = medians(rows, key=lambda r: (r["rows_n"], r["name"]))
    sizes = sorted({r["rows_n"] for r in rows})
    series = {"a": ("fivehours weekly --format csv", "#c0392b"), "c": ("DuckDB peer", "#2c6fbb")}
    panels = [("wall time (s)", "wall", 1.0), ("peak memory (MB)", "rss", 1.0)]
    w, h, pad_l, pad_r, pad_t, pad_b = 340, 230, 52, 14, 30, 40
    svg = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11">'
           % (w * len(panels), h + 24)]
    xmax = max(sizes) if sizes else 1
    for p, (title, field, _) in enumerate(panels):
        ox = p * w
        values = [m[(n, k)][field] for n in sizes for k in series if (n, k) in m]
        step = nice_step(max(values) / 4) if values else 1
        ymax = math.ceil(max(values) * 1.05 / step) * step if values else 1
        ticks = int(round(ymax / step))
        def x(n):
            return ox + pad_l + (w - pad_l - pad_r) * n / xmax
        def y(v):
            return pad_t + (h - pad_t - pad_b) * (1 - v / ymax)
        svg.append('<text x="%d" y="16" font-weight="bold">%s</text>' % (ox + pad_l, title))
        svg.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#888"/>' % (ox + pad_l, h - pad_b, ox + w - pad_r, h - pad_b))
        svg.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#888"/>' % (ox + pad_l, pad_t, ox + pad_l, h - pad_b))
        for i in range(ticks + 1):
            v = step * i
            svg.append('<text x="%d" y="%.1f" text-anchor="end">%s</text>' % (ox + pad_l - 4, y(v) + 4, "%g" % round(v, 2)))
        for n in sizes:
            svg.append('<text x="%.1f" y="%d" text-anchor="middle">%sM</text>' % (x(n), h - pad_b + 14, ("%g" % (n / 1e6))))
        svg.append('<text x="%d" y="%d" text-anchor="middle">sessions in the log</text>' % (ox + (w + pad_l) // 2, h - 6))
        for k, (name, colour) in series.items():
            pts = [(x(n), y(m[(n, k)][field])) for n in sizes if (n, k) in m]
            if pts:
                svg.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>'
                           % (colour, " ".join("%.1f,%.1f" % q for q in pts)))
                svg += ['<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>' % (q[0], q[1], colour) for q in pts]
    for i, (k, (name, colour)) in enumerate(series.items()):
        svg.append('<rect x="%d" y="%d" width="12" height="3" fill="%s"/><text x="%d" y="%d">%s</text>'
                   % (pad_l + i * 230, h + 12, colour, pad_l + 16 + i * 230, h + 16, name))
    svg.append("</svg>")
    with open(args.svg, "w") as f:
        f.write("\n".join(svg) + "\n")
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("compare")
    c.add_argument("fivehours")
    c.add_argument("duckdb")
    c.add_argument("--exact", action="store_true", help="hours equal to the cent, no tolerance")
    c.add_argument("--peer", default="faithful peer", help="the peer's name in the summary (with --exact)")
    il = sub.add_parser("import-lap")
    il.add_argument("stderr")
    il.add_argument("--file", default="activities/sessions.csv")
    mf = sub.add_parser("manifest")
    mf.add_argument("manifest")
    mf.add_argument("generated")
    sp = sub.add_parser("spellings")
    sp.add_argument("results")
    sp.add_argument("--bytes", nargs="*", default=[], help="SPELLING=activity file bytes")
    sp.add_argument("--rows", nargs="*", default=[], help="SPELLING=activity rows")
    sp.add_argument("--imports")
    sp.add_argument("--checks")
    sp.add_argument("--cores", type=int, default=0)
    t = sub.add_parser("table")
    t.add_argument("results")
    t.add_argument("--activity-bytes", type=int, required=True)
    t.add_argument("--xml-bytes", type=int, default=0)
    s = sub.add_parser("scaling")
    s.add_argument("results")
    g = sub.add_parser("chart")
    g.add_argument("results")
    g.add_argument("svg")
    args = p.parse_args()
    sys.exit({"compare": compare, "table": table, "scaling": scaling, "chart": chart,
              "import-lap": import_lap, "manifest": manifest, "spellings": spellings}[args.cmd](args))


if __name__ == "__main__":
    main()
