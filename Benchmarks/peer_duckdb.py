#!/usr/bin/env python3
"""The peer: what a user would write instead of fivehours, in DuckDB (`pip install duckdb`).

Reads the benchmark campaign's roster and activity CSVs, computes for one week (7 days ending on
--week-ending) every rostered volunteer's hours -- end - start (crossing midnight when end < start),
else hours -- and their status against the five hours, and writes

  volunteers.csv   volunteer_id,name,unit,teams,hours,required_hours,shortfall_hours,status
  units.csv        unit,volunteers,met,short,compliance_rate,hours

to --out. A plain script as a user would write it: explicit column types, no validation beyond
what read_csv does, no overlap union, no daily cap, no duplicate handling.

  python3 peer_duckdb.py --data /tmp/fivehours-bench --week-ending 2019-08-09 --out /tmp/peer
"""

import argparse
import datetime as dt
import os

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


def main():
    p = argparse.ArgumentParser(description="DuckDB peer of `fivehours weekly` (hours per volunteer)")
    p.add_argument("--data", default="/tmp/fivehours-bench", help="the generated campaign folder")
    p.add_argument("--roster", help="roster CSV (default DATA/rosters/roster.csv)")
    p.add_argument("--activities", help="activity CSV (default DATA/activities/sessions.csv)")
    p.add_argument("--week-ending", required=True, help="the week's last day, YYYY-MM-DD")
    p.add_argument("--weekly-hours", type=float, default=5.0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out", required=True, help="output folder")
    args = p.parse_args()

    roster = args.roster or os.path.join(args.data, "rosters", "roster.csv")
    activities = args.activities or os.path.join(args.data, "activities", "sessions.csv")
    week_end = dt.date.fromisoformat(args.week_ending)
    week_start = week_end - dt.timedelta(days=6)
    os.makedirs(args.out, exist_ok=True)

    con = duckdb.connect()
    con.execute("SET threads = %d" % args.threads)
    con.execute("""
        CREATE TEMP TABLE week_hours AS
        SELECT volunteer_id,
               sum(CASE WHEN "start" IS NOT NULL AND "end" IS NOT NULL
                        THEN (date_diff('second', "start", "end")
                              + CASE WHEN "end" < "start" THEN 86400 ELSE 0 END) / 3600.0
                        ELSE hours END) AS hours
        FROM read_csv(?, header = true, delim = ',', quote = '"', columns = %s,
                      dateformat = '%%Y-%%m-%%d', timestampformat = '%%Y-%%m-%%d %%H:%%M')
        WHERE "date" BETWEEN ? AND ?
        GROUP BY volunteer_id
    """ % sql_struct(ACTIVITY_COLUMNS), [activities, week_start, week_end])
    con.execute("""
        CREATE TEMP TABLE volunteers AS
        SELECT r.volunteer_id, r.name, r.unit, r.teams,
               coalesce(w.hours, 0) AS hours,
               CAST(? AS DOUBLE) AS required_hours,
               greatest(CAST(? AS DOUBLE) - coalesce(w.hours, 0), 0) AS shortfall_hours,
               CASE WHEN coalesce(w.hours, 0) >= ? - 1e-9 THEN 'met' ELSE 'short' END AS status
        FROM read_csv(?, header = true, delim = ',', quote = '"', columns = %s) r
        LEFT JOIN week_hours w USING (volunteer_id)
    """ % sql_struct(ROSTER_COLUMNS),
                [args.weekly_hours, args.weekly_hours, args.weekly_hours, roster])
    con.execute("""
        COPY (SELECT volunteer_id, name, unit, teams,
                     printf('%%.2f', hours) AS hours,
                     printf('%%.2f', required_hours) AS required_hours,
                     printf('%%.2f', shortfall_hours) AS shortfall_hours,
                     status
              FROM volunteers ORDER BY unit, volunteer_id)
        TO '%s' (HEADER, DELIMITER ',')
    """ % os.path.join(args.out, "volunteers.csv").replace("'", "''"))
    con.execute("""
        COPY (SELECT unit, count(*) AS volunteers,
                     count(*) FILTER (WHERE status = 'met') AS met,
                     count(*) FILTER (WHERE status = 'short') AS short,
                     printf('%%.2f', count(*) FILTER (WHERE status = 'met') / count(*)) AS compliance_rate,
                     printf('%%.2f', sum(hours)) AS hours
              FROM volunteers GROUP BY unit ORDER BY unit)
        TO '%s' (HEADER, DELIMITER ',')
    """ % os.path.join(args.out, "units.csv").replace("'", "''"))


if __name__ == "__main__":
    main()
