#!/usr/bin/env python3
"""Times fivehours against the DuckDB peer on one case made by generate.py; prints a line and
appends it to results.tsv beside the case's folder.

  python3 run.py DATA [--cmd weekly|monthly|yearly|daily|check] [--rounds N] [--no-peer]
                      [--faithful] [--label L] [--bin PATH]

Each round runs fivehours then the plain peer (alternated), under nice -n 10, with
/usr/bin/time -f '%e %M'. Medians reported. With --faithful also runs peer.py --faithful once and
compares every rostered volunteer's weekly hours with fivehours' volunteers.csv.
"""
import argparse, csv, glob, json, os, shutil, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
NOW = "2019-08-10T00:00:00+08:00"


def timed(cmd, log):
    t = ["nice", "-n", "10", "/usr/bin/time", "-f", "TIME %e %M"] + cmd
    r = subprocess.run(t, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    last = [l for l in r.stderr.splitlines() if l.startswith("TIME ")][-1].split()
    with open(log, "a") as f:
        f.write("$ %s\nrc=%d\n%s\n%s\n" % (" ".join(cmd), r.returncode, r.stdout[-3000:], r.stderr[-3000:]))
    return float(last[1]), int(last[2]) / 1024, r.returncode


def size_mb(d):
    tot = 0
    for root, _, files in os.walk(d):
        for f in files:
            if f.endswith((".csv", ".xml")) and "/out" not in root and "/peer" not in root:
                tot += os.path.getsize(os.path.join(root, f))
    return tot / 1e6


def main():
    p = argparse.ArgumentParser()
    p.add_argument("data")
    p.add_argument("--cmd", default="weekly")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--no-peer", action="store_true")
    p.add_argument("--faithful", action="store_true")
    p.add_argument("--label", default=None)
    p.add_argument("--bin", required=True)
    a = p.parse_args()
    d = os.path.abspath(a.data)
    label = a.label or os.path.basename(d)
    out = os.path.join(d, "out")
    log = os.path.join(d, "run.log")
    cfg = os.path.join(d, "campaign.yaml")
    extra = {"weekly": ["--week-ending", "2019-08-09"], "monthly": ["--month", "2019-08"],
             "yearly": ["--year", "2019"], "daily": ["--date", "2019-08-07"],
             "check": ["--week-ending", "2019-08-09"]}[a.cmd]
    fh = [a.bin, a.cmd, "--config", cfg] + extra + ["--now", NOW, "--quiet"]
    if a.cmd != "check":
        fh += ["--format", "csv", "--csv-header", "keys", "--out", out]
    peer = ["python3", os.path.join(HERE, "peer.py"), d, os.path.join(d, "peer")]
    F, P = [], []
    for _ in range(a.rounds):
        F.append(timed(fh, log))
        if not a.no_peer:
            P.append(timed(peer, log))
    fw = statistics.median(x[0] for x in F); fm = statistics.median(x[1] for x in F)
    pw = statistics.median(x[0] for x in P) if P else float("nan")
    pm = statistics.median(x[1] for x in P) if P else float("nan")
    agree = ""
    if a.faithful and a.cmd == "weekly":
        timed(peer + ["--faithful"], log)
        vf = glob.glob(os.path.join(out, "weekly-*", "volunteers.csv"))[0]
        fhh = {r["volunteer_id"]: r["hours"] for r in csv.DictReader(open(vf, encoding="utf-8-sig"))}
        ph = {r["volunteer_id"]: r["hours"] for r in csv.DictReader(open(os.path.join(d, "peer", "volunteers.csv"), encoding="utf-8"))}
        common = set(fhh) & set(ph)
        bad = [k for k in common if abs(float(fhh[k]) - float(ph[k])) > 0.005]
        agree = "%d/%d equal; fh-only %d peer-only %d%s" % (len(common) - len(bad), len(common), len(set(fhh) - set(ph)),
                                                         len(set(ph) - set(fhh)), (" e.g. %s fh=%s peer=%s" % (bad[0], fhh[bad[0]], ph[bad[0]])) if bad else "")
    rows = ""
    man = glob.glob(os.path.join(out, "%s-*" % a.cmd, "manifest.json"))
    if man:
        m = json.load(open(man[0]))
        rows = json.dumps(m)[:0]
    line = "\t".join([label, a.cmd, "%.0f" % size_mb(d), "%.2f" % fw, "%.0f" % fm, "%.2f" % pw, "%.0f" % pm,
                      "%.2f" % (fw / pw) if P else "-", "%.2f" % (fm / pm) if P else "-",
                      ",".join(str(x[2]) for x in F), agree])
    print(line)
    with open(os.path.join(os.path.dirname(d), "results.tsv"), "a") as f:
        f.write(line + "\n")


if __name__ == "__main__":
    main()
