#!/usr/bin/env python3
"""DuckDB peer for the shapes of generate.py (after Benchmarks/peer_duckdb.py).

  python3 peer.py DATA OUT [--faithful] [--week-ending 2019-08-09]

Reads every CSV under DATA/rosters and DATA/activities (one read_csv over the file list; GB18030
files iconv'd first, timed), sums each rostered volunteer's hours for the week and writes
OUT/volunteers.csv (volunteer_id,hours). DATA/peer.json says how to read: mode typed (dateformat)
or varchar (every cell text, parsed with try_strptime over all spellings), ignore_errors.
--faithful: duplicates settled in file order, union of overlaps, daily cap 12 h (the contract).
"""
import argparse, csv, datetime as dt, glob, json, os, shutil, subprocess, tempfile
import duckdb

A_ALIAS = {"record_id": ["记录编号"], "volunteer_id": ["志愿者编号", "编号"], "date": ["日期", "服务日期"],
           "start": ["开始时间"], "end": ["结束时间"], "hours": ["时长", "服务时长", "服务时长(小时)"],
           "team": ["服务队"], "activity": ["活动", "活动名称", "服务内容"], "category": ["类别", "服务类别"],
           "location": ["地点"], "media": ["图片", "影像", "附件"], "unit": ["报送单位"], "submitted_at": ["报送时间"]}
R_ALIAS = {"volunteer_id": ["志愿者编号", "编号"], "name": ["姓名"], "unit": ["单位", "所属单位"],
           "teams": ["服务队"], "role": ["职务"], "liaison": ["联络员"], "phone": ["电话"]}
TYPES = {"date": "DATE", "start": "TIME", "end": "TIME", "hours": "DOUBLE"}

DATE_V = ("CAST(try_strptime(%s, ['%%Y-%%m-%%d', '%%Y/%%m/%%d', '%%Y.%%m.%%d', '%%Y年%%m月%%d日', '%%Y%%m%%d']) AS DATE)")
TIME_V = "(CAST(epoch(try_strptime(%s, ['%%H:%%M:%%S', '%%H:%%M'])) AS BIGINT) + 2208988800)"
HOURS_V = ("CASE WHEN contains(%(c)s, ':') THEN TRY_CAST(split_part(%(c)s, ':', 1) AS BIGINT) * 3600 "
           "+ TRY_CAST(split_part(%(c)s, ':', 2) AS BIGINT) * 60 "
           "ELSE CAST(round(TRY_CAST(regexp_extract(%(c)s, '^([0-9]*\\.?[0-9]+)', 1) AS DOUBLE) * 3600) AS BIGINT) END")


def cols_of(path, alias, types, enc):
    look = {k: k for k in alias}
    look.update({a: k for k, v in alias.items() for a in v})
    with open(path, encoding=enc, newline="") as f:
        cells = next(csv.reader([f.readline()]))
    out = {}
    for n, c in enumerate(cells):
        k = look.get(c.strip().lstrip("\ufeff").lower())
        if k is None or k in out:
            out["ignored_%d" % n] = "VARCHAR"
        else:
            out[k] = types.get(k, "VARCHAR")
    return out


def struct(cols):
    return "{" + ", ".join("'%s': '%s'" % kv for kv in cols.items()) + "}"


def flist(paths):
    return "[" + ", ".join("'%s'" % p.replace("'", "''") for p in paths) + "]"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("data"); p.add_argument("out")
    p.add_argument("--faithful", action="store_true")
    p.add_argument("--week-ending", default="2019-08-09")
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    info = json.load(open(os.path.join(a.data, "peer.json")))
    we = dt.date.fromisoformat(a.week_ending); ws = we - dt.timedelta(days=6)
    acts = sorted(glob.glob(os.path.join(a.data, "activities", "**", "*.csv"), recursive=True))
    rost = sorted(glob.glob(os.path.join(a.data, "rosters", "**", "*.csv"), recursive=True))
    tmp = None
    if info.get("gb18030"):
        tmp = tempfile.mkdtemp(prefix="peer-iconv-")
        conv = []
        for i, f in enumerate(rost + acts):
            d = os.path.join(tmp, "%06d.csv" % i)
            with open(d, "wb") as o:
                subprocess.run(["iconv", "-f", "GB18030", "-t", "UTF-8", f], stdout=o, check=True)
            conv.append(d)
        rost, acts = conv[:len(rost)], conv[len(rost):]
    try:
        con = duckdb.connect()
        con.execute("SET threads = %d" % a.threads)
        varchar = info["mode"] == "varchar"
        ign = ", ignore_errors = true, null_padding = false" if info.get("ignore_errors") else ""
        ac = cols_of(acts[0], A_ALIAS, {} if varchar else TYPES, "utf-8-sig")
        if varchar:
            src = "read_csv(%s, header=true, delim=',', quote='\"', columns=%s, all_varchar=true%s)" % (flist(acts), struct(ac), ign)
        else:
            src = "read_csv(%s, header=true, delim=',', quote='\"', columns=%s, dateformat='%s'%s)" % (
                flist(acts), struct(ac), info.get("dateformat", "%Y-%m-%d"), ign)
        src = "(SELECT row_number() OVER () AS rn, * FROM %s)" % src
        if varchar:
            t = {k: "nullif(trim(\"%s\"), '')" % k for k in ("record_id", "volunteer_id", "date", "start", "end", "hours")}
            sel = """SELECT rn, %s AS record_id, %s AS volunteer_id, %s AS date, %s AS start_s,
                     CASE WHEN %s IN ('24:00','24:00:00') THEN 86400 ELSE %s END AS end_s, %s AS hours_s FROM %s""" % (
                t["record_id"], t["volunteer_id"], DATE_V % t["date"], TIME_V % t["start"], t["end"],
                TIME_V % t["end"], HOURS_V % {"c": t["hours"]}, src)
        else:
            sel = """SELECT rn, nullif(trim(record_id), '') AS record_id, trim(volunteer_id) AS volunteer_id, "date",
                     CAST(extract('epoch' FROM "start") AS BIGINT) AS start_s,
                     CAST(extract('epoch' FROM "end") AS BIGINT) AS end_s,
                     CAST(round(hours * 3600) AS BIGINT) AS hours_s FROM %s""" % src
        rc = cols_of(rost[0], R_ALIAS, {}, "utf-8-sig")
        con.execute("""CREATE TEMP TABLE roster AS SELECT trim(volunteer_id) AS volunteer_id, name, unit
            FROM read_csv(%s, header=true, delim=',', quote='"', columns=%s, all_varchar=true)""" % (flist(rost), struct(rc)))
        if not a.faithful:
            con.execute("""CREATE TEMP TABLE wk AS SELECT volunteer_id,
                   sum(CASE WHEN start_s IS NOT NULL AND end_s IS NOT NULL
                       THEN end_s - start_s + CASE WHEN end_s < start_s THEN 86400 ELSE 0 END
                       ELSE hours_s END) AS secs
                FROM (%s) WHERE "date" BETWEEN ? AND ? GROUP BY volunteer_id""" % sel, [ws, we])
        else:
            con.execute("CREATE TEMP TABLE rows AS %s" % sel)
            con.execute("""CREATE TEMP TABLE kept AS
                WITH valid AS (SELECT * FROM rows WHERE volunteer_id IS NOT NULL AND "date" IS NOT NULL
                  AND ((start_s IS NOT NULL AND end_s IS NOT NULL AND start_s <> end_s) OR (hours_s > 0 AND hours_s <= 86400)))
                SELECT * FROM valid WHERE record_id IS NOT NULL
                QUALIFY row_number() OVER (PARTITION BY record_id ORDER BY rn) = 1
                UNION ALL
                SELECT * FROM valid WHERE record_id IS NULL
                QUALIFY row_number() OVER (PARTITION BY volunteer_id, "date", start_s, end_s, hours_s ORDER BY rn) = 1""")
            con.execute("""CREATE TEMP TABLE days AS
                WITH s AS (SELECT volunteer_id, "date", rn, start_s IS NOT NULL AND end_s IS NOT NULL AS timed,
                   ("date" - DATE '2000-01-01') * 86400 + start_s AS s,
                   ("date" - DATE '2000-01-01') * 86400 + start_s
                     + CASE WHEN end_s > start_s THEN end_s - start_s ELSE end_s + 86400 - start_s END AS e, hours_s
                   FROM kept WHERE "date" BETWEEN ? AND ?),
                c AS (SELECT volunteer_id, "date", greatest(0, e - greatest(s, coalesce(max(e) OVER (
                       PARTITION BY volunteer_id ORDER BY s, rn ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), s))) AS secs
                   FROM s WHERE timed UNION ALL SELECT volunteer_id, "date", hours_s FROM s WHERE NOT timed)
                SELECT volunteer_id, "date", least(sum(secs), 43200) AS secs FROM c WHERE "date" BETWEEN ? AND ?
                GROUP BY volunteer_id, "date" """, [ws - dt.timedelta(days=1), we, ws, we])
            con.execute("CREATE TEMP TABLE wk AS SELECT volunteer_id, sum(secs) AS secs FROM days GROUP BY volunteer_id")
        os.makedirs(a.out, exist_ok=True)
        con.execute("""COPY (SELECT r.volunteer_id, r.unit,
                printf('%%d.%%02d', (coalesce(w.secs,0) * 100 + 1800) // 3600 // 100, (coalesce(w.secs,0) * 100 + 1800) // 3600 %% 100) AS hours
                FROM roster r LEFT JOIN wk w USING (volunteer_id) ORDER BY r.volunteer_id)
            TO '%s' (HEADER, DELIMITER ',')""" % os.path.join(a.out, "volunteers.csv"))
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
