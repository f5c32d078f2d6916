#!/usr/bin/env python3
"""The peers: what a user would write instead of fivehours, in DuckDB (`pip install duckdb`).

Reads the benchmark campaign's roster and activity CSVs, computes for one week (7 days ending on
--week-ending) every rostered volunteer's hours and their status against the five hours, and writes

  volunteers.csv   volunteer_id,name,unit,teams,hours,required_hours,shortfall_hours,status
  units.csv        unit,volunteers,met,short,compliance_rate,hours

to --out. Two peers, for each spelling that generate.py writes (--spelling):

- the plain peer (default): a script as a user would write it -- read_csv with the right formats
  (for GB18030 after `iconv -f GB18030 -t UTF-8` into a temporary file, part of the timed run; for
  `mixed` every cell read as text and parsed with coalesce/try_strptime over the spellings), a
  WHERE on the week's seven days, end - start (crossing midnight when end < start) else hours,
  summed per volunteer. No validation, no overlap union, no daily cap, no duplicate handling.
- the faithful peer (--faithful): the contract's counting (CONTRACT.md section 4, docs/counting.md):
  duplicates settled over the whole year in file order (the first row of a record id is kept,
  whether the later ones are identical or conflicting; rows without a record id that are equal in
  volunteer, date, start, end and hours count once), the union of each volunteer's timed sessions
  (the week's and its eve's, on one time line; the later start loses the overlap), sessions given
  by hours alone added, each day capped at --max-daily-hours after the union, all in whole
  seconds; hours written to the cent, rounded half up, as fivehours writes them. Its hours must
  equal fivehours' for every volunteer. (active_from/active_until are not handled: the generator
  does not write them.)

  python3 peer_duckdb.py --data /tmp/fivehours-bench --week-ending 2019-08-09 --out /tmp/peer
  python3 peer_duckdb.py --data /tmp/fivehours-bench-mixed --spelling mixed --faithful \
      --week-ending 2019-08-09 --out /tmp/peer-f
"""

import argparse
import csv
import datetime as dt
import os
import shutil
import subprocess
import tempfile

import duckdb

ROSTER_COLUMNS = {
    "volunteer_id": "VARCHAR", "name": "VARCHAR", "unit": "VARCHAR", "teams": "VARCHAR",
    "role": "VARCHAR", "liaison": "VARCHAR", "phone": "VARCHAR",
}
ACTIVITY_COLUMNS = {
    "record_id": "VARCHAR", "volunteer_id": "VARCHAR", "date": "DATE", "start": "TIME",
    "end": "TIME", "hours": "DOUBLE", "team": "VARCHAR", "activity": "VARCHAR",
    "category": "VARCHAR", "location": "VARCHAR", "media": "VARCHAR", "unit": "VARCHAR",
    "submitted_at": "VARCHAR",
}


def sql_struct(columns):
    return "{" + ", ".join("'%s': '%s'" % kv for kv in columns.items()) + "}"


# The contract's header names (CONTRACT.md section 3): key -> Chinese aliases.
ACTIVITY_ALIASES = {
    "record_id": ["记录编号"], "volunteer_id": ["志愿者编号", "编号"], "date": ["日期", "服务日期"],
    "start": ["开始时间"], "end": ["结束时间"], "hours": ["时长", "服务时长", "服务时长(小时)"],
    "team": ["服务队"], "activity": ["活动", "活动名称", "服务内容"], "category": ["类别", "服务类别"],
    "location": ["地点"], "media": ["图片", "影像", "附件"], "unit": ["报送单位"],
    "submitted_at": ["报送时间"],
}
ROSTER_ALIASES = {
    "volunteer_id": ["志愿者编号", "编号"], "name": ["姓名"], "unit": ["单位", "所属单位"],
    "teams": ["服务队", "志愿服务队"], "role": ["职务", "角色"], "liaison": ["联络员", "是否联络员"],
    "phone": ["电话", "联系电话", "手机"], "grid": ["网格"], "building": ["楼栋"], "floor": ["楼层"],
    "active_from": ["入队日期"], "active_until": ["离队日期"], "submitted_at": ["报送时间"],
}
SPELLINGS = ("plain", "iso-seconds", "excel-gb18030", "excel-utf8", "mixed")


def normalise(name):
    """A header cell as docs/formats.md section 6 compares it: trimmed, full-width folded, no spaces, lower case."""
    name = "".join(chr(ord(c) - 0xFEE0) if 0xFF01 <= ord(c) <= 0xFF5E else c for c in name)
    return "".join(c for c in name if not c.isspace() and c != "\ufeff").lower()


def header_columns(path, aliases, types):
    """read_csv's `columns` for the file's own header: each cell named by its key (typed from
    `types`, VARCHAR otherwise), unknown cells as ignored_N."""
    lookup = {normalise(k): k for k in aliases}
    lookup.update({normalise(a): k for k, names in aliases.items() for a in names})
    with open(path, encoding="utf-8-sig", newline="") as f:
        cells = next(csv.reader([f.readline()]))
    out = {}
    for n, cell in enumerate(cells):
        key = lookup.get(normalise(cell))
        if key is None or key in out:
            out["ignored_%d" % n] = "VARCHAR"
        else:
            out[key] = types.get(key, "VARCHAR")
    return out


def to_utf8(path, tmp):
    """What a user does with a GB18030 file before DuckDB reads it: iconv into a temporary file."""
    dst = os.path.join(tmp, os.path.basename(os.path.dirname(path)) + "-" + os.path.basename(path))
    with open(dst, "wb") as out:
        subprocess.run(["iconv", "-f", "GB18030", "-t", "UTF-8", path], stdout=out, check=True)
    return dst


def trimmed(col):
    return "nullif(trim(%s), '')" % col


# Seconds since midnight of a time cell, and seconds of an hours cell, for cells read as text.
MIXED_DATE = ("CAST(try_strptime(%s, ['%%Y-%%m-%%d', '%%Y/%%m/%%d', '%%Y.%%m.%%d', '%%Y年%%m月%%d日', "
              "'%%Y%%m%%d']) AS DATE)")
# (try_strptime gives 1900-01-01 HH:MM:SS; a scalar expression, not a subquery, which DuckDB would
# turn into a join that does not keep the file's order.)
MIXED_TIME = "(CAST(epoch(try_strptime(%s, ['%%H:%%M:%%S', '%%H:%%M'])) AS BIGINT) + 2208988800)"
MIXED_HOURS = ("CASE WHEN contains(%(c)s, ':') THEN CAST(split_part(%(c)s, ':', 1) AS BIGINT) * 3600 "
               "+ CAST(split_part(%(c)s, ':', 2) AS BIGINT) * 60 "
               "ELSE CAST(round(CAST(regexp_extract(%(c)s, '^([0-9]*\\.?[0-9]+)', 1) AS DOUBLE) * 3600) AS BIGINT) END")


def activity_select(spelling, path, numbered=False):
    """SELECT record_id, volunteer_id, date, start_s, end_s, hours_s (seconds; NULL when not given)
    over the activity file, for one spelling; with `numbered` also rn, the row's place in the file:
    row_number() over the file as read_csv gives it (DuckDB keeps the file's order, with its default
    preserve_insertion_order), numbered before anything else is done to the rows."""
    src = activity_source(spelling, path)
    if numbered:
        src = "(SELECT row_number() OVER () AS rn, * FROM %s)" % src
    rn = "rn, " if numbered else ""
    if spelling == "mixed":
        t = {k: trimmed('"%s"' % k) for k in ("record_id", "volunteer_id", "date", "start", "end", "hours")}
        return """SELECT %s%s AS record_id, %s AS volunteer_id, %s AS date,
                         %s AS start_s, %s AS end_s, %s AS hours_s FROM %s""" % (
            rn, t["record_id"], t["volunteer_id"], MIXED_DATE % t["date"], MIXED_TIME % t["start"],
            "CASE WHEN %(c)s IN ('24:00', '24:00:00') THEN 86400 ELSE %(t)s END" % {"c": t["end"], "t": MIXED_TIME % t["end"]},
            MIXED_HOURS % {"c": t["hours"]}, src)
    return """SELECT %s%s AS record_id, trim(volunteer_id) AS volunteer_id, "date",
                     CAST(extract('epoch' FROM "start") AS BIGINT) AS start_s,
                     CAST(extract('epoch' FROM "end") AS BIGINT) AS end_s,
                     CAST(round(hours * 3600) AS BIGINT) AS hours_s FROM %s""" % (rn, trimmed("record_id"), src)


def activity_source(spelling, path):
    """read_csv over the activity file: every cell as text for mixed, typed otherwise."""
    if spelling == "mixed":
        cols = header_columns(path, ACTIVITY_ALIASES, {})
        return "read_csv('%s', header = true, delim = ',', quote = '\"', columns = %s, all_varchar = true)" % (
            path.replace("'", "''"), sql_struct(cols))
    types = {"date": "DATE", "start": "TIME", "end": "TIME", "hours": "DOUBLE"}
    cols = header_columns(path, ACTIVITY_ALIASES, types)
    dateformat = "%Y/%m/%d" if spelling.startswith("excel-") else "%Y-%m-%d"
    return "read_csv('%s', header = true, delim = ',', quote = '\"', columns = %s, dateformat = '%s')" % (
        path.replace("'", "''"), sql_struct(cols), dateformat)


def roster_select(path):
    cols = header_columns(path, ROSTER_ALIASES, {})
    return """SELECT trim(volunteer_id) AS volunteer_id, trim(name) AS name, trim(unit) AS unit,
                     trim(teams) AS teams
              FROM read_csv('%s', header = true, delim = ',', quote = '"', columns = %s, all_varchar = true)""" % (
        path.replace("'", "''"), sql_struct(cols))


def plain_peer(con, args, roster, activities, week_start, week_end):
    """The user's script: the week's rows summed per volunteer."""
    if args.spelling != "mixed":                    # today's peer (plain: unchanged); typed columns
        if args.spelling == "plain":
            act_columns, roster_columns = ACTIVITY_COLUMNS, ROSTER_COLUMNS
            dateformat = "%Y-%m-%d"
        else:                                       # the file's own header, typed the same way
            act_columns = header_columns(activities, ACTIVITY_ALIASES, ACTIVITY_COLUMNS)
            roster_columns = header_columns(roster, ROSTER_ALIASES, {})
            dateformat = "%Y/%m/%d" if args.spelling.startswith("excel-") else "%Y-%m-%d"
        con.execute("""
            CREATE TEMP TABLE week_hours AS
            SELECT volunteer_id,
                   sum(CASE WHEN "start" IS NOT NULL AND "end" IS NOT NULL
                            THEN (date_diff('second', "start", "end")
                                  + CASE WHEN "end" < "start" THEN 86400 ELSE 0 END) / 3600.0
                            ELSE hours END) AS hours
            FROM read_csv(?, header = true, delim = ',', quote = '"', columns = %s,
                          dateformat = '%s', timestampformat = '%%Y-%%m-%%d %%H:%%M')
            WHERE "date" BETWEEN ? AND ?
            GROUP BY volunteer_id
        """ % (sql_struct(act_columns), dateformat), [activities, week_start, week_end])
        roster_sql = "SELECT * FROM read_csv(?, header = true, delim = ',', quote = '\"', columns = %s)" % sql_struct(roster_columns)
        roster_args = [roster]
    else:                                           # every cell as text, parsed
        con.execute("""
            CREATE TEMP TABLE week_hours AS
            SELECT volunteer_id,
                   sum(CASE WHEN start_s IS NOT NULL AND end_s IS NOT NULL
                            THEN (end_s - start_s + CASE WHEN end_s < start_s THEN 86400 ELSE 0 END) / 3600.0
                            ELSE hours_s / 3600.0 END) AS hours
            FROM (%s)
            WHERE "date" BETWEEN ? AND ?
            GROUP BY volunteer_id
        """ % activity_select(args.spelling, activities), [week_start, week_end])
        roster_sql = roster_select(roster)
        roster_args = []
    con.execute("""
        CREATE TEMP TABLE volunteers AS
        SELECT r.volunteer_id, r.name, r.unit, r.teams,
               coalesce(w.hours, 0) AS hours,
               CAST(? AS DOUBLE) AS required_hours,
               greatest(CAST(? AS DOUBLE) - coalesce(w.hours, 0), 0) AS shortfall_hours,
               CASE WHEN coalesce(w.hours, 0) >= ? - 1e-9 THEN 'met' ELSE 'short' END AS status
        FROM (%s) r
        LEFT JOIN week_hours w USING (volunteer_id)
    """ % roster_sql, [args.weekly_hours, args.weekly_hours, args.weekly_hours] + roster_args)
    con.execute("""
        CREATE TEMP VIEW out_volunteers AS
        SELECT volunteer_id, name, unit, teams,
               printf('%.2f', hours) AS hours,
               printf('%.2f', required_hours) AS required_hours,
               printf('%.2f', shortfall_hours) AS shortfall_hours,
               status, hours AS hours_value
        FROM volunteers
    """)


def settle_duplicates(con, spelling, activities):
    """TEMP TABLE kept: the activity rows that count, duplicates settled over the whole file in
    file order (rn): the first row of a record id is kept, whether the later ones are identical
    or conflicting; rows without a record id equal in volunteer, date, start, end and hours count
    once. A row that cannot be read is a reject and takes no part; the generator writes none."""
    con.execute("CREATE TEMP TABLE rows AS %s" % activity_select(spelling, activities, numbered=True))
    con.execute("""
        CREATE TEMP TABLE kept AS
        WITH valid AS (
            SELECT * FROM rows
            WHERE volunteer_id IS NOT NULL AND "date" IS NOT NULL
              AND ((start_s IS NOT NULL AND end_s IS NOT NULL AND start_s <> end_s)
                   OR (hours_s > 0 AND hours_s <= 86400)))
        SELECT * FROM valid WHERE record_id IS NOT NULL
        QUALIFY row_number() OVER (PARTITION BY record_id ORDER BY rn) = 1
        UNION ALL
        SELECT * FROM valid WHERE record_id IS NULL
        QUALIFY row_number() OVER (PARTITION BY volunteer_id, "date", start_s, end_s, hours_s ORDER BY rn) = 1
    """)


def cents_sql(x):
    """SQL: seconds `x` as hours with two decimals, rounded half up, as fivehours writes them."""
    return "printf('%%d.%%02d', (%(x)s * 100 + 1800) // 3600 // 100, (%(x)s * 100 + 1800) // 3600 %% 100)" % {"x": x}


def create_day_totals(con, first_day, last_day, max_daily_seconds):
    """TEMP TABLE days (volunteer_id, date, secs): each volunteer's counted seconds on each day
    from first_day to last_day, from the kept rows: the union of the timed sessions on one time
    line (the day before first_day's sessions too: one running past midnight blocks time on the
    first day; the later start loses the overlap, equal starts by file order), sessions given by
    hours alone added, each day capped at max_daily_seconds after the union."""
    con.execute("""
        CREATE TEMP TABLE days AS
        WITH sessions AS (
            SELECT volunteer_id, "date", rn,
                   start_s IS NOT NULL AND end_s IS NOT NULL AS timed,
                   ("date" - DATE '2000-01-01') * 86400 + start_s AS s,
                   ("date" - DATE '2000-01-01') * 86400 + start_s
                       + CASE WHEN end_s > start_s THEN end_s - start_s ELSE end_s + 86400 - start_s END AS e,
                   hours_s
            FROM kept WHERE "date" BETWEEN ? AND ?),
        counted AS (
            SELECT volunteer_id, "date",
                   greatest(0, e - greatest(s, coalesce(max(e) OVER (
                       PARTITION BY volunteer_id ORDER BY s, rn
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), s))) AS secs
            FROM sessions WHERE timed
            UNION ALL
            SELECT volunteer_id, "date", hours_s FROM sessions WHERE NOT timed)
        SELECT volunteer_id, "date", least(sum(secs), ?) AS secs
        FROM counted WHERE "date" BETWEEN ? AND ?
        GROUP BY volunteer_id, "date"
    """, [first_day - dt.timedelta(days=1), last_day, max_daily_seconds, first_day, last_day])


def faithful_peer(con, args, roster, activities, week_start, week_end):
    """The contract's counting, in whole seconds (see the module's docstring)."""
    settle_duplicates(con, args.spelling, activities)
    create_day_totals(con, week_start, week_end, round(args.max_daily_hours * 3600))
    con.execute("CREATE TEMP TABLE week_hours AS SELECT volunteer_id, sum(secs) AS secs FROM days GROUP BY volunteer_id")
    required = round(args.weekly_hours * 3600)
    roster_sql = roster_select(roster) if args.spelling != "plain" else (
        "SELECT * FROM read_csv('%s', header = true, delim = ',', quote = '\"', columns = %s)"
        % (roster.replace("'", "''"), sql_struct(ROSTER_COLUMNS)))
    con.execute("""
        CREATE TEMP TABLE volunteers AS
        SELECT r.volunteer_id, r.name, r.unit, r.teams, CAST(coalesce(w.secs, 0) AS BIGINT) AS secs
        FROM (%s) r LEFT JOIN week_hours w USING (volunteer_id)
    """ % roster_sql)
    cents = cents_sql
    con.execute("""
        CREATE TEMP VIEW out_volunteers AS
        SELECT volunteer_id, name, unit, teams, %s AS hours, %s AS required_hours,
               %s AS shortfall_hours,
               CASE WHEN secs >= %d THEN 'met' ELSE 'short' END AS status, secs / 3600.0 AS hours_value
        FROM volunteers
    """ % (cents("secs"), cents(str(required)), cents("greatest(%d - secs, 0)" % required), required))


def add_input_arguments(p):
    """--data, --roster, --activities, --spelling: the campaign files a peer reads."""
    p.add_argument("--data", default="/tmp/fivehours-bench", help="the generated campaign folder")
    p.add_argument("--roster", help="roster CSV (default DATA/rosters/roster.csv)")
    p.add_argument("--activities", help="activity CSV (default DATA/activities/sessions.csv)")
    p.add_argument("--spelling", choices=SPELLINGS, default="plain",
                   help="how the files are written (generate.py --spelling; default plain)")


def with_inputs(args, work):
    """Calls work(roster, activities) on the files of add_input_arguments; a GB18030 spelling's
    files first converted to UTF-8 (iconv) into a temporary folder, removed afterwards."""
    roster = args.roster or os.path.join(args.data, "rosters", "roster.csv")
    activities = args.activities or os.path.join(args.data, "activities", "sessions.csv")
    os.makedirs(args.out, exist_ok=True)
    tmp = None
    try:
        if args.spelling == "excel-gb18030":
            tmp = tempfile.mkdtemp(prefix="peer-iconv-")
            roster, activities = to_utf8(roster, tmp), to_utf8(activities, tmp)
        work(roster, activities)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def main():
    p = argparse.ArgumentParser(description="DuckDB peers of `fivehours weekly` (hours per volunteer)")
    add_input_arguments(p)
    p.add_argument("--faithful", action="store_true",
                   help="the contract's counting: duplicates, union of overlaps, daily cap")
    p.add_argument("--week-ending", required=True, help="the week's last day, YYYY-MM-DD")
    p.add_argument("--weekly-hours", type=float, default=5.0)
    p.add_argument("--max-daily-hours", type=float, default=12.0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out", required=True, help="output folder")
    args = p.parse_args()

    week_end = dt.date.fromisoformat(args.week_ending)
    week_start = week_end - dt.timedelta(days=6)

    def work(roster, activities):
        con = duckdb.connect()
        con.execute("SET threads = %d" % args.threads)
        (faithful_peer if args.faithful else plain_peer)(con, args, roster, activities, week_start, week_end)
        con.execute("""
            COPY (SELECT volunteer_id, name, unit, teams, hours, required_hours, shortfall_hours, status
                  FROM out_volunteers ORDER BY unit, volunteer_id)
            TO '%s' (HEADER, DELIMITER ',')
        """ % os.path.join(args.out, "volunteers.csv").replace("'", "''"))
        con.execute("""
            COPY (SELECT unit, count(*) AS volunteers,
                         count(*) FILTER (WHERE status = 'met') AS met,
                         count(*) FILTER (WHERE status = 'short') AS short,
                         printf('%%.2f', count(*) FILTER (WHERE status = 'met') / count(*)) AS compliance_rate,
                         printf('%%.2f', sum(hours_value)) AS hours
                  FROM out_volunteers GROUP BY unit ORDER BY unit)
            TO '%s' (HEADER, DELIMITER ',')
        """ % os.path.join(args.out, "units.csv").replace("'", "''"))

    with_inputs(args, work)


if __name__ == "__main__":
    main()
