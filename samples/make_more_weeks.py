#!/usr/bin/env python3
"""Write the sample campaign's later weeks of August 2019 (standard library only, deterministic).

    python3 samples/make_more_weeks.py        # after make_samples.py, which rewrites the folders

Adds two files so that a month has content for `fivehours monthly --month 2019-08`:

  activities/2019-08-第二三周-工作站与科室.csv   sessions of the weeks ending 2019-08-16 and 2019-08-23
  submissions/2019-08-第二三周-报送.csv          daily bulletins and weekly summaries of those weeks

Every row is dated 2019-08-10 .. 2019-08-23: outside the sample week (2019-08-03 .. 09), its
previous week and its eve, so that the weekly and daily reports of the sample week are unchanged.
Every record has its own record_id (prefix B), so that no row of the first week is merged or
rejected because of them, and no row of these files is rejected. Deliberate imperfections, for the
monthly report: V012 overlaps itself on 2019-08-13, V043 serves 13 hours on 2019-08-17 (capped at
12), V020's hours disagree with its start and end on 2019-08-12, 纪检办's volunteers stay short,
工会办's weekly summary of 2019-08-16 is late and 纪检办's is missing, some bulletins late or missing.
"""

import csv
import io
import os
import random
import datetime as dt
from xml.etree import ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(20190823)
DAYS = [dt.date(2019, 8, 10) + dt.timedelta(days=i) for i in range(14)]
UNITS = ["党政办", "党建办", "社会事业部", "综治办", "安监办", "文宣办", "卫计办", "工会办", "纪检办",
         "第一工作站", "第二工作站", "第三工作站"]


def roster():
    """(id, unit, first team, active_until) of every rostered volunteer, in id order."""
    out = []
    with open(os.path.join(HERE, "rosters/科室花名册.csv"), encoding="gb18030", newline="") as f:
        for r in csv.DictReader(f):
            out.append((r["志愿者编号"], r["所属单位"], r["志愿服务队"].split("、")[0], r["离队日期"]))
    with open(os.path.join(HERE, "rosters/工作站花名册.csv"), encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):
            out.append((r["volunteer_id"], r["unit"], r["teams"].split(";")[0], r["active_until"]))
    root = ET.parse(os.path.join(HERE, "rosters/第三工作站.xml")).getroot()
    for v in root.iter("volunteer"):
        teams = [t.text for t in v.findall("team")]
        out.append((v.get("id"), v.get("unit") or root.get("unit"), teams[0] if teams else "", v.get("active-until") or ""))
    return sorted(out)


def sessions():
    rows = []
    n = 0
    for vid, unit, team, until in roster():
        if until:  # left the squad: no sessions
            continue
        for week in (DAYS[:7], DAYS[7:]):
            short = unit == "纪检办" or rng.random() < 0.2
            target = rng.choice([2, 3, 4]) if short else rng.choice([5, 6, 7, 8])
            days = sorted(rng.sample(range(7), 3))
            left = target
            for i, d in enumerate(days):
                h = left if i == len(days) - 1 else min(left, rng.choice([1, 2, 3]))
                if h <= 0:
                    break
                left -= h
                start = rng.choice([8, 9, 14, 15])
                n += 1
                rows.append(["B%04d" % n, vid, week[d].isoformat(), "%02d:00" % start, "%02d:00" % (start + h), str(h), team,
                             "志愿服务", unit, "%s %02d:%02d" % (week[d].isoformat(), 18, rng.randrange(60))])
    # The imperfections.
    rows.append(["B9001", "V012", "2019-08-13", "10:00", "12:00", "2", "", "文明劝导", "综治办", "2019-08-13 18:10"])
    rows.append(["B9002", "V012", "2019-08-13", "11:00", "13:00", "2", "", "文明劝导", "综治办", "2019-08-13 18:11"])
    rows.append(["B9003", "V043", "2019-08-17", "07:00", "20:00", "13", "小红象志愿服务队", "民族运动会保障", "第一工作站", "2019-08-17 21:00"])
    rows.append(["B9004", "V020", "2019-08-12", "09:00", "11:00", "3", "", "环境整治", "安监办", "2019-08-12 18:00"])
    return rows


def submissions():
    rows = []
    for unit in UNITS:
        for day in DAYS:
            r = rng.random()
            if r < 0.06:
                continue  # missing
            hour, minute = (16, rng.randrange(60)) if r < 0.14 else (rng.choice([10, 11, 14]), rng.randrange(60))
            rows.append([unit, "daily", day.isoformat(), "%s %02d:%02d" % (day.isoformat(), hour, minute),
                         "%s%d月%d日志愿服务简报" % (unit, day.month, day.day), "", ""])
        for last in (DAYS[6], DAYS[13]):
            if unit == "纪检办" and last == DAYS[6]:
                continue  # missing
            at = "%s 16:40" % last.isoformat() if unit == "工会办" and last == DAYS[6] else "%s 14:%02d" % (last.isoformat(), rng.randrange(60))
            rows.append([unit, "weekly", last.isoformat(), at, "%s本周志愿服务总结" % unit, "本周志愿服务有序开展。", "下周继续开展文明引导。"])
    return rows


def write(path, header, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    with open(os.path.join(HERE, path), "w", encoding="utf-8-sig", newline="") as f:
        f.write(buf.getvalue())


write("activities/2019-08-第二三周-工作站与科室.csv",
      ["record_id", "volunteer_id", "date", "start", "end", "hours", "team", "activity", "unit", "submitted_at"], sessions())
write("submissions/2019-08-第二三周-报送.csv", ["unit", "kind", "period", "submitted_at", "title", "summary", "plan"], submissions())
