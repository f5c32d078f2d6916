#!/usr/bin/env python3
"""The DuckDB peer of `fivehours yearly --format csv` (issue 14): the year's tables as a user would
compute them with DuckDB (`pip install duckdb`), counting as the contract counts (the faithful peer
of peer_duckdb.py: duplicates settled over the whole file in file order, the union of each
volunteer's overlapping sessions on one time line, each day capped at --max-daily-hours after the
union, all in whole seconds). Writes to --out

  volunteers.csv        volunteer_id,name,unit,hours,weeks_required,weeks_met,star_level
  volunteer-weeks.csv   volunteer_id,week_ending,hours,required_hours,status

with the meanings of docs/rollups.md: `hours` counts every day of the year; the weeks are those
that belong to the year (their last day is in it; none that began before --start-date), each
counted over its seven days (the first one reaches back into December of the year before);
`status` is met or short for a week that is over at --now (its weekly summary due, the week's last
day at --summary-due), in_progress otherwise; weeks_required counts the weeks over, weeks_met
those met; star_level is how many of --star-hours the year's hours reach. Hours are written to the
cent, rounded half up, as fivehours writes them. Roster rows are all active all year (the
generator writes no active_from/active_until; like peer_duckdb.py, the peer does not read them).

    python3 peer_yearly.py --data /tmp/fivehours-bench --year 2019 --out /tmp/peer-yearly
    python3 peer_yearly.py --out /tmp/peer-yearly --check /tmp/fh/yearly-2019

--check compares (untimed, nothing computed) the peer's files in --out with fivehours' own
`yearly --csv-header keys` files in the folder given: every volunteer's hours, weeks required and
met and star level, and every volunteer-week's hours and status; exit status 1 when any differs.
"""

import argparse
import datetime as dt
import os
import sys

import duckdb

from peer_duckdb import (ROSTER_COLUMNS, add_input_arguments, cents_sql, create_day_totals, roster_select,
                         settle_duplicates, sql_struct, with_inputs)

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def year_weeks(year, ends_on, start_date):
    """The last days of the weeks that belong to the year: those ending on `ends_on` (0 = Monday)
    within it, except weeks whose first day is before start_date."""
    day = dt.date(year, 1, 1)
    day += dt.timedelta(days=(ends_on - day.weekday()) % 7)
    out = []
    while day.year == year:
        if start_date is None or day - dt.timedelta(days=6) >= start_date:
            out.append(day)
        day += dt.timedelta(days=7)
    return out


def compute(con, args, roster, activities):
    year_first, year_last = dt.date(args.year, 1, 1), dt.date(args.year, 12, 31)
    ends_on = WEEKDAYS.index(args.week_ends_on)
    weeks = year_weeks(args.year, ends_on, args.start_date)
    first = min([year_first] + [w - dt.timedelta(days=6) for w in weeks])
    last = max([year_last] + weeks)
    required = round(args.weekly_hours * 3600)
    now = dt.datetime.fromisoformat(args.now) if args.now else None
    summary_h, summary_m = (int(x) for x in args.summary_due.split(":"))
    tz = dt.timezone(dt.timedelta(hours=8))   # Asia/Shanghai: no summer time since 1991

    def over(w):
        return now is None or dt.datetime(w.year, w.month, w.day, summary_h, summary_m, tzinfo=tz) <= now

    settle_duplicates(con, args.spelling, activities)
    create_day_totals(con, first, last, round(args.max_daily_hours * 3600))
    con.execute("CREATE TEMP TABLE weeks (week_ending DATE, is_over BOOLEAN)")
    con.executemany("INSERT INTO weeks VALUES (?, ?)", [[w, over(w)] for w in weeks])
    roster_sql = roster_select(roster) if args.spelling != "plain" else (
        "SELECT trim(volunteer_id) AS volunteer_id, name, unit FROM read_csv('%s', header = true, delim = ',', quote = '\"', columns = %s)"
        % (roster.replace("'", "''"), sql_struct(ROSTER_COLUMNS)))
    con.execute("CREATE TEMP TABLE roster AS SELECT row_number() OVER () AS rn, volunteer_id, name, unit FROM (%s)" % roster_sql)
    # Each day to the week it belongs to: the next `ends_on` weekday on or after it.
    con.execute("""
        CREATE TEMP TABLE week_secs AS
        SELECT volunteer_id, CAST("date" + CAST((? - (isodow("date") - 1) + 7) % 7 AS INTEGER) AS DATE) AS week_ending,
               sum(secs) AS secs
        FROM days GROUP BY ALL
    """, [ends_on])
    con.execute("""
        CREATE TEMP TABLE volunteer_weeks AS
        SELECT r.rn, r.volunteer_id, w.week_ending, CAST(coalesce(s.secs, 0) AS BIGINT) AS secs,
               CASE WHEN NOT w.is_over THEN 'in_progress' WHEN coalesce(s.secs, 0) >= %d THEN 'met' ELSE 'short' END AS status
        FROM roster r CROSS JOIN weeks w
        LEFT JOIN week_secs s ON s.volunteer_id = r.volunteer_id AND s.week_ending = w.week_ending
    """ % required)
    stars = " + ".join("CASE WHEN secs >= %d THEN 1 ELSE 0 END" % (h * 3600) for h in args.star_hours) or "0"
    con.execute("""
        CREATE TEMP TABLE volunteers AS
        WITH year_secs AS (
            SELECT volunteer_id, sum(secs) AS secs FROM days WHERE "date" BETWEEN ? AND ? GROUP BY volunteer_id),
        counts AS (
            SELECT volunteer_id, count(*) FILTER (WHERE status <> 'in_progress') AS weeks_required,
                   count(*) FILTER (WHERE status = 'met') AS weeks_met
            FROM volunteer_weeks GROUP BY volunteer_id)
        SELECT r.rn, r.volunteer_id, r.name, r.unit, CAST(coalesce(y.secs, 0) AS BIGINT) AS secs,
               coalesce(c.weeks_required, 0) AS weeks_required, coalesce(c.weeks_met, 0) AS weeks_met
        FROM roster r LEFT JOIN year_secs y USING (volunteer_id) LEFT JOIN counts c USING (volunteer_id)
    """, [year_first, year_last])
    con.execute("""
        COPY (SELECT volunteer_id, name, unit, %s AS hours, weeks_required, weeks_met, %s AS star_level
              FROM volunteers ORDER BY rn)
        TO '%s' (HEADER, DELIMITER ',')
    """ % (cents_sql("secs"), stars, os.path.join(args.out, "volunteers.csv").replace("'", "''")))
    con.execute("""
        COPY (SELECT volunteer_id, strftime(week_ending, '%%Y-%%m-%%d') AS week_ending, %s AS hours,
                     %s AS required_hours, status
              FROM volunteer_weeks ORDER BY rn, week_ending)
        TO '%s' (HEADER, DELIMITER ',')
    """ % (cents_sql("secs"), cents_sql(str(required)), os.path.join(args.out, "volunteer-weeks.csv").replace("'", "''")))


def check(con, peer, fivehours):
    """Compares the peer's files with fivehours' (`--csv-header keys`); returns the differences."""
    def read(folder, name, columns):
        # Every cell as text; the header row skipped (fivehours' starts with a BOM).
        return "read_csv('%s', header = false, skip = 1, delim = ',', quote = '\"', all_varchar = true, columns = %s)" % (
            os.path.join(folder, name).replace("'", "''"), sql_struct({c: "VARCHAR" for c in columns}))
    fh_volunteers = ["volunteer_id", "name", "unit", "hours", "teams", "role", "liaison", "grid", "building", "floor",
                     "sessions", "weeks_required", "weeks_met", "weeks_partial", "weeks_in_progress", "star_level",
                     "award_candidate", "flagged"]
    peer_volunteers = ["volunteer_id", "name", "unit", "hours", "weeks_required", "weeks_met", "star_level"]
    week_columns = ["volunteer_id", "week_ending", "hours", "required_hours", "status"]
    compared = ["hours", "weeks_required", "weeks_met", "star_level"]
    report = []
    for name, fh_cols, peer_cols, keys, fields in [
            ("volunteers.csv", fh_volunteers, peer_volunteers, ["volunteer_id"], compared),
            ("volunteer-weeks.csv", week_columns, week_columns, ["volunteer_id", "week_ending"], ["hours", "required_hours", "status"])]:
        on = " AND ".join("f.%s = p.%s" % (k, k) for k in keys)
        differs = " OR ".join("f.%s IS DISTINCT FROM p.%s" % (c, c) for c in fields)
        total, missing, extra, diff = con.execute("""
            SELECT count(*), count(*) FILTER (WHERE f.volunteer_id IS NULL), count(*) FILTER (WHERE p.volunteer_id IS NULL),
                   count(*) FILTER (WHERE f.volunteer_id IS NOT NULL AND p.volunteer_id IS NOT NULL AND (%s))
            FROM %s f FULL OUTER JOIN %s p ON %s
        """ % (differs, read(fivehours, name, fh_cols), read(peer, name, peer_cols), on)).fetchone()
        print("check %s: %d rows; %d only in the peer, %d only in fivehours, %d differ" % (name, total, missing, extra, diff))
        if missing or extra or diff:
            sample = con.execute("""
                SELECT %s FROM %s f FULL OUTER JOIN %s p ON %s
                WHERE f.volunteer_id IS NULL OR p.volunteer_id IS NULL OR (%s) LIMIT 5
            """ % (", ".join("f.%s AS fh_%s, p.%s AS peer_%s" % (c, c, c, c) for c in keys + fields),
                   read(fivehours, name, fh_cols), read(peer, name, peer_cols), on, differs)).fetchall()
            report += ["%s: %s" % (name, row) for row in sample]
    return report


def main():
    p = argparse.ArgumentParser(description="The DuckDB peer of `fivehours yearly` (volunteers.csv, volunteer-weeks.csv)")
    add_input_arguments(p)
    p.add_argument("--year", type=int, default=2019)
    p.add_argument("--week-ends-on", choices=WEEKDAYS, default="friday")
    p.add_argument("--start-date", type=dt.date.fromisoformat, help="campaign.start_date, if the campaign sets one")
    p.add_argument("--now", help="an ISO 8601 instant with offset; without it every week of the year is over")
    p.add_argument("--summary-due", default="15:00", help="rules.weekly_summary_due")
    p.add_argument("--weekly-hours", type=float, default=5.0)
    p.add_argument("--max-daily-hours", type=float, default=12.0)
    p.add_argument("--star-hours", type=lambda s: [int(x) for x in s.split(",") if x], default=[100, 300, 600, 1000, 1500])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out", required=True, help="the peer's output folder")
    p.add_argument("--check", metavar="DIR", help="compare --out with fivehours' yearly folder DIR instead of computing")
    args = p.parse_args()

    con = duckdb.connect()
    con.execute("SET threads = %d" % args.threads)
    if args.check:
        problems = check(con, args.out, args.check)
        for line in problems:
            print("  " + line)
        sys.exit(1 if problems else 0)

    with_inputs(args, lambda roster, activities: compute(con, args, roster, activities))


if __name__ == "__main__":
    main()
