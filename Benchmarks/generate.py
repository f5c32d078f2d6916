#!/usr/bin/env python3
"""Deterministic generator of a large fivehours campaign, for the benchmark.

Writes, into a folder outside the repository (default /tmp/fivehours-bench):

  campaign.yaml                  contract §2: 12 units (9 departments, 3 workstations), 6 teams
  rosters/roster.csv             --volunteers rows (default 100,000), one liaison per unit
  activities/sessions.csv        --rows sessions (default 3,500,000, about 500 MB) over the
                                 52 weeks 2019-01-05 (Sat) .. 2020-01-03 (Fri), in date order
  submissions/submissions.csv    each unit's daily bulletins and weekly summaries for the year
  generated.json                 the parameters, so that run.sh can tell whether to regenerate

and with --xml also

  activities-xml/sessions.xml    --xml-rows <activity> elements (default 1,000,000)
  campaign-xml.yaml              the same campaign reading activities-xml/ instead of activities/

Python 3 standard library only; the same arguments and --seed give byte-identical files.

--spelling writes the same drawn values as offices write them (see the classes Plain, IsoSeconds,
ExcelGB18030 and Mixed, and Benchmarks/README.md): plain (default) is the files described here,
byte for byte; iso-seconds, excel-gb18030 (GB18030, Chinese headers, 2019/8/5, 9:00), excel-utf8 (the same
rows as Excel's "CSV UTF-8" saves them) and mixed
(every spelling of docs/formats.md, drawn per cell) go by default into
/tmp/fivehours-bench-SPELLING and also hold what real logs hold (class Extras: overlapping
sessions, night patrols past midnight, repeated rows with and without record ids, conflicting
record ids, days above the daily cap, unrostered volunteers; --overlaps, --duplicates,
--conflicts, --over-cap, --unrostered, all 0 by default for plain). generated.json then records
the activity rows fivehours' manifest must show.

How the sessions are drawn: every week gets rows/52 sessions (the year is exactly 52 weeks, so
the benchmark week 2019-08-03..09 holds 1/52 of the file). In each week a fresh random set of
volunteers "meets" the five hours: 70% of the roster, or fewer when the week's row budget is
smaller than that (at 3.5 M rows and 100,000 volunteers a week has only ~67,300 rows, so about
66% can meet, each with one long duty of 5-8 h). Left-over rows go half to volunteers who stay
short (1-4.5 h), half to splitting the meeters' time into 2-3 sessions on different days. A
volunteer's sessions in one week fall on different days, so there are no overlaps; a few
evening patrols cross midnight (e.g. 22:00-01:00). About 20% of the sessions give hours only
(e.g. "2.5"), the others start and end, half of those also the hours; 5% name a photo in media;
the workstations' rows leave the optional submitted_at empty. No record id repeats, no row is
malformed: fivehours and the DuckDB peer must agree on every volunteer's hours.
"""

import argparse
import datetime as dt
import json
import math
import os
import random
import sys
import time

# Bumped whenever the non-plain files change for the same arguments (run.sh regenerates then).
GENERATOR_VERSION = 3

FIRST_DAY = dt.date(2019, 1, 5)  # a Saturday; weeks end on Fridays
WEEKS = 52

UNITS = [
    ("党政办", "department", "DZ"),
    ("党建办", "department", "DJ"),
    ("社会事业部", "department", "SH"),
    ("综治办", "department", "ZZ"),
    ("安监办", "department", "AJ"),
    ("文宣办", "department", "WX"),
    ("卫计办", "department", "WJ"),
    ("工会办", "department", "GH"),
    ("纪检办", "department", "JJ"),
    ("第一工作站", "workstation", "G1"),
    ("第二工作站", "workstation", "G2"),
    ("第三工作站", "workstation", "G3"),
]
# Relative sizes of the units (workstations are bigger: they hold the residents).
UNIT_WEIGHTS = [6, 5, 8, 7, 6, 5, 6, 5, 4, 16, 17, 15]

TEAMS = [
    ("小红象志愿服务队", True, ["综治办", "安监办"]),
    ("绿城啄木鸟志愿服务队", True, ["社会事业部"]),
    ("红绿灯志愿服务队", True, ["纪检办", "工会办"]),
    ("春雨行动志愿服务队", True, ["党政办", "文宣办"]),
    ("青年学雷锋志愿服务队", False, ["党政办"]),
    ("巾帼学雷锋志愿服务队", False, ["卫计办"]),
]

# (activity, category, locations it happens at)
ACTIVITIES = [
    ("群防群治巡逻", "平安建设", ["瑞鑫社区", "锦程社区", "IT产业园广场", "双鹤湖公园"]),
    ("不文明行为劝阻", "文明引导", ["双鹤湖公园", "园博园", "航空港区体育中心"]),
    ("交通文明劝导", "文明引导", ["新港大道与郑港四街交叉口", "雍州路公交站", "航空港区地铁站"]),
    ("景区讲解", "文化旅游", ["园博园", "苑陵故城遗址"]),
    ("文化旅游宣传", "文化旅游", ["园博园", "航空港区体育中心", "IT产业园广场"]),
    ("文化惠民演出服务", "文化惠民", ["社区文化活动中心广场", "IT产业园广场"]),
    ("环境卫生整治", "环境整治", ["瑞鑫社区", "锦程社区", "富士康北门", "园区主干道"]),
    ("垃圾分类宣传", "环境整治", ["瑞鑫社区", "锦程社区", "邻里中心"]),
    ("关爱空巢老人", "扶贫帮困", ["敬老院", "瑞鑫社区", "锦程社区"]),
    ("爱心义诊", "医疗卫生", ["社区卫生服务中心", "邻里中心"]),
    ("应急救援知识普及", "应急救援", ["IT产业园广场", "园区消防站"]),
    ("安全隐患排查", "安全生产", ["园区企业", "工业园三号厂区", "富士康北门"]),
    ("理论宣讲", "理论宣讲", ["党群服务中心", "社区会议室"]),
    ("职工法律咨询", "法律服务", ["职工之家", "党群服务中心"]),
    ("全民健身指导", "体育健身", ["航空港区体育中心", "双鹤湖公园"]),
    ("民族运动会信息咨询服务", "信息咨询", ["航空港区体育中心"]),
    ("图书整理与阅读推广", "文化惠民", ["社区图书室", "邻里中心"]),
    ("留守儿童课业辅导", "关爱未成年人", ["社区四点半课堂", "党群服务中心"]),
]
NIGHT = ("夜间治安巡逻", "平安建设", ["瑞鑫社区", "锦程社区", "园区主干道"])

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强海涛红梅晓丽永强婷婷继跃俊峰"
         "子涵浩然欣怡宇轩雨萱梓豪思远佳怡博文嘉怡一鸣诗涵天宇晨阳雪梅春燕国庆建华立新文军玉兰淑珍")
ROLES_MEMBER = ["志愿者"] * 12 + ["队员"] * 6 + ["副队长", "队长", "党员志愿者"]


def half_hours(h2):
    """A count of half hours as the hours text ("2", "2.5")."""
    return str(h2 // 2) if h2 % 2 == 0 else "%d.5" % (h2 // 2)


def clock(h2):
    """Half hours since midnight as HH:MM (mod 24 h)."""
    h2 %= 48
    return "%02d:%02d" % (h2 // 2, 30 * (h2 % 2))


def write_text(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def campaign_yaml(activities_dir):
    lines = [
        "# Generated by fivehours/Benchmarks/generate.py: a year of a large campaign.",
        "campaign:",
        "  name: 人人都是志愿者 每周奉献五小时",
        "  organizer: IT产业园社区服务中心",
        "  timezone: Asia/Shanghai",
        "rules:",
        "  weekly_hours: 5",
        "  week_ends_on: friday",
        '  daily_bulletin_due: "15:30"',
        "  daily_bulletin_days: [mon, tue, wed, thu, fri, sat, sun]",
        '  weekly_summary_due: "15:00"',
        "  roster_due: 2019-01-04",
        "  liaisons_per_unit: 1",
        "  max_daily_hours: 12",
        "units:",
    ]
    lines += ["  - { name: %s, kind: %s }" % (n, k) for n, k, _ in UNITS]
    lines.append("teams:")
    for name, focus, leads in TEAMS:
        lines.append("  - { name: %s, focus: %s, leads: [%s] }"
                     % (name, "true" if focus else "false", ", ".join(leads)))
    lines += [
        "inputs:",
        "  rosters: [rosters]",
        "  activities: [%s]" % activities_dir,
        "  submissions: [submissions]",
        "output:",
        "  dir: reports",
        "  language: zh-CN",
        "",
    ]
    return "\n".join(lines)


class Volunteers:
    def __init__(self, n, rng):
        self.n = n
        self.ids = ["V%06d" % (i + 1) for i in range(n)]
        self.unit = rng.choices(range(len(UNITS)), weights=UNIT_WEIGHTS, k=n)
        team_names = [t[0] for t in TEAMS]
        pairs = [[t] for t in team_names] + [[x, y] for x in team_names for y in team_names if x != y]
        rnd = rng.random
        # each volunteer is in 1 team (70%) or 2; sessions name one of them
        self.teams = [pairs[int(rnd() * len(team_names))] if rnd() < 0.7
                      else pairs[len(team_names) + int(rnd() * (len(pairs) - len(team_names)))]
                      for _ in range(n)]
        ns, ng = len(SURNAMES), len(GIVEN)
        self.names = [SURNAMES[int(rnd() * ns)] + GIVEN[int(rnd() * ng)]
                      + (GIVEN[int(rnd() * ng)] if rnd() < 0.7 else "")
                      for _ in range(n)]

    def roster_records(self, rng):
        """(id, name, unit, teams, role, liaison, phone) per volunteer; the first of each unit is its liaison."""
        liaison_seen = set()
        rnd = rng.random
        prefixes = ("38", "39", "58", "86")
        for i in range(self.n):
            u = self.unit[i]
            if u not in liaison_seen:
                liaison_seen.add(u)
                role, liaison = "联络员", True
            else:
                role, liaison = ROLES_MEMBER[int(rnd() * len(ROLES_MEMBER))], False
            phone = "1%s%08d" % (prefixes[int(rnd() * 4)], int(rnd() * 1e8))
            yield self.ids[i], self.names[i], UNITS[u][0], self.teams[i], role, liaison, phone

    def roster_csv(self, rng, spelling=None):
        return (spelling or Plain()).roster(self.roster_records(rng))


_PERMUTATIONS = {}


def _permutation(rng, n):
    if n not in _PERMUTATIONS:
        rnd = rng.random
        _PERMUTATIONS[n] = sorted(range(n), key=lambda _v: rnd())
    return _PERMUTATIONS[n]


def draw_week(rng, n_vol, budget, met_share=0.70):
    """The week's sessions as (volunteer, day 0..6, half-hours) tuples, exactly `budget` of them."""
    met = min(int(round(met_share * n_vol)), int(budget * 0.985))
    rest = budget - met
    short = min(n_vol - met, rest // 2)
    extra = rest - short                      # sessions added by splitting meeters' time
    rnd = rng.random
    # a random subset in random order: an affine walk over a fixed random permutation of the roster
    perm = _permutation(rng, n_vol)
    step = 1 + int(rnd() * (n_vol - 1))
    while math.gcd(step, n_vol) != 1:
        step += 1
    offset = int(rnd() * n_vol)
    order = [perm[(offset + i * step) % n_vol] for i in range(met + short)]
    sessions = []
    append = sessions.append
    sample = rng.sample
    # the extra sessions split the time of some meeters into 2 or 3 (order is random already)
    n2 = min(met, extra)
    n3 = min(met, extra - n2)
    leftover = extra - n2 - n3                # only when every meeter already has 3 sessions
    for k in range(met):
        v = order[k]
        total = 10 + int(rnd() * 7)           # 5.0 .. 8.0 h in half hours
        if k >= n2:
            append((v, int(rnd() * 7), total))
            continue
        n = 3 if k < n3 else 2
        while True:                           # every part at least an hour
            cuts = sorted(sample(range(1, total), n - 1))
            parts = [y - x for x, y in zip([0] + cuts, cuts + [total])]
            if min(parts) >= 2:
                break
        for p, d in zip(parts, sample(range(7), n)):
            append((v, d, p))
    for k in range(met, met + short):
        append((order[k], int(rnd() * 7), 2 + int(rnd() * 8)))          # 1.0 .. 4.5 h
    for _ in range(leftover):                 # very dense weeks: more short sessions
        append((order[int(rnd() * met)] if met else int(rnd() * n_vol),
                int(rnd() * 7), 2 + int(rnd() * 3)))
    return sessions


# Units whose logs carry no submitted_at column values (the column is optional): the workstations.
NO_SUBMITTED_AT = {"第一工作站", "第二工作站", "第三工作站"}


def session_rows(vols, rng, n_rows, make_line, id_prefix, extras=None):
    """Yields lists of preformatted lines, one list per day through the year.

    With `extras` (an Extras), each drawn row is handed to it and the day's lines are what it
    returns: the same rows plus overlapping sessions, repeated rows and so on, drawn from its own
    random generator, so that the rows drawn here are the same with or without it."""
    per_week = [n_rows // WEEKS + (1 if w < n_rows % WEEKS else 0) for w in range(WEEKS)]
    acts = [(name, cat, loc) for name, cat, locs in ACTIVITIES for loc in locs]
    night = [(NIGHT[0], NIGHT[1], loc) for loc in NIGHT[2]]
    n_acts, n_night = len(acts), len(night)
    clocks = [clock(i) for i in range(96)]
    hours_text = [half_hours(i) for i in range(49)]
    vol_team2 = [t if len(t) == 2 else (t[0], t[0]) for t in vols.teams]
    vol_unit = [UNITS[u][0] for u in vols.unit]
    vol_stamped = [UNITS[u][0] not in NO_SUBMITTED_AT for u in vols.unit]
    ids = vols.ids
    seq = 0
    rnd = rng.random
    for w in range(WEEKS):
        sessions = draw_week(rng, vols.n, per_week[w])
        by_day = [[] for _ in range(7)]
        for s in sessions:
            by_day[s[1]].append(s)
        for d in range(7):
            day = FIRST_DAY + dt.timedelta(days=7 * w + d)
            date = day.isoformat()
            next_date = (day + dt.timedelta(days=1)).isoformat()
            # 80% stamped the same afternoon, 20% the next morning
            stamps = (["%s %02d:%02d" % (date, 15 + i // 60, i % 60) for i in range(120)] * 2
                      + ["%s %02d:%02d" % (next_date, 8 + i // 60, i % 60) for i in range(60)])
            n_stamps = len(stamps)
            todays = by_day[d]
            todays.sort(key=lambda _s: rnd())
            lines = []
            append = lines.append
            if extras is not None:
                extras.begin(7 * w + d)
            for v, _, h2 in todays:
                seq += 1
                r = rnd()
                s0 = None
                if r < 0.2:
                    start = end = ""
                    hours = hours_text[h2]
                    a = acts[int(rnd() * n_acts)]
                else:
                    if h2 <= 8 and r > 0.985:          # an evening patrol, maybe past midnight
                        s0 = 38 + int(rnd() * 8)       # 19:00 .. 22:30
                        a = night[int(rnd() * n_night)]
                    else:
                        s0 = 14 + int(rnd() * (26 - h2))   # from 07:00, ends by 20:00
                        a = acts[int(rnd() * n_acts)]
                    start, end = clocks[s0], clocks[s0 + h2]
                    hours = hours_text[h2] if r < 0.6 else ""
                x = rnd()
                team = vol_team2[v][0 if x < 0.6 else 1]
                sub = stamps[int(x * n_stamps)] if vol_stamped[v] else ""
                if extras is None:
                    append(make_line("%s%07d" % (id_prefix, seq), ids[v], date, start, end, hours,
                                     team, a, vol_unit[v], sub, x))
                else:
                    extras.add(("%s%07d" % (id_prefix, seq), ids[v], date, start, end, hours,
                                team, a, vol_unit[v], sub, x), s0, h2)
            if extras is not None:
                lines = [make_line(*rec) for rec in extras.end(last=(w == WEEKS - 1 and d == 6))]
            yield lines


def csv_line_maker():
    def make(rid, vid, date, start, end, hours, team, a, unit, sub, x):
        media = "media/%s/%s.jpg" % (date, rid) if x * 97 % 1 < 0.05 else ""
        return "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\r\n" % (
            rid, vid, date, start, end, hours, team, a[0], a[1], a[2], media, unit, sub)
    return make


def xml_line_maker():
    def make(rid, vid, date, start, end, hours, team, a, unit, sub, x):
        if start:
            when = 'start="%s" end="%s"' % (start, end)
        else:
            when = 'hours="%s"' % hours
        return ('  <activity id="%s" volunteer="%s" date="%s" %s team="%s" category="%s" '
                'location="%s"><title>%s</title></activity>\n'
                % (rid, vid, date, when, team, a[1], a[2], a[0]))
    return make


class Extras:
    """What real logs hold besides clean sessions, added to each day's rows from a random generator
    of its own (the rows drawn by session_rows stay the same):

    - overlaps: after a session with clock times, with probability `overlaps`, another session of
      the same volunteer on the same date that overlaps it (1-3 h, its own record id); and, with
      probability `overlaps` / 3, a night patrol the same date that runs past midnight (from
      21:00-23:30, 3-5 h), half of them followed by a session dated the next day that starts
      before the patrol ends (so that the day before a week blocks time on its first day);
    - duplicates: with probability `duplicates`, the row is repeated later in the file (the same
      day's block or one of the next two days'): half with the same record id and the same content
      (merged), half with neither row carrying a record id, the same volunteer, date, start, end and
      hours but maybe another activity or place (merged, finding duplicate);
    - conflicts: with probability `conflicts`, the row is repeated later with the same record id
      and another end time or hours (the later copy is rejected, the first kept);
    - over_cap: with probability `over_cap`, an 8-11 h session given by hours alone on the same day
      (some of those days are above max_daily_hours = 12);
    - unrostered: with probability `unrostered`, a session of a volunteer on no roster;
    - mismatches: with probability `mismatches`, a session with start, end and hours gets hours
      half an hour off (start and end win, finding hours_mismatch).

    `counts` says how many of each were written; `expected` what fivehours' manifest must show."""

    def __init__(self, rng, id_prefix, overlaps=0.0, duplicates=0.0, conflicts=0.0, over_cap=0.0,
                 unrostered=0.0, mismatches=0.0):
        self.rnd = rng.random
        self.prefix = id_prefix + "E"
        self.p = dict(overlaps=overlaps, duplicates=duplicates, conflicts=conflicts,
                      over_cap=over_cap, unrostered=unrostered, mismatches=mismatches)
        self.clocks = [clock(i) for i in range(96)]
        self.hours_text = [half_hours(i) for i in range(49)]
        self.acts = [(name, cat, loc) for name, cat, locs in ACTIVITIES for loc in locs]
        self.pending = {}
        self.today = []
        self.day = 0
        self.seq = 0
        self.counts = dict(base=0, overlaps=0, night=0, overlaps_next_day=0, duplicates_same_id=0,
                           duplicates_no_id=0, conflicts=0, over_cap=0, unrostered=0, mismatches=0)

    def new_id(self):
        self.seq += 1
        return "%s%07d" % (self.prefix, self.seq)

    def begin(self, day):
        self.day = day
        self.today = []

    def later(self, rec, k=None):
        """A row for later: at the end of today's block (k = 0), or somewhere in the block k days on
        (k drawn from 0..2 when not given)."""
        if k is None:
            k = int(self.rnd() * 3)
        self.pending.setdefault(self.day + k, []).append((k, rec))

    def add(self, rec, s0, h2):
        rnd, p = self.rnd, self.p
        rid, vid, date, start, end, hours, team, a, unit, sub, x = rec
        self.counts["base"] += 1
        if s0 is not None and hours and rnd() < p["mismatches"]:
            self.counts["mismatches"] += 1
            hours = self.hours_text[h2 + 1 if h2 < 3 or rnd() < 0.5 else h2 - 1]
            rec = rec[:5] + (hours,) + rec[6:]
        r = rnd()
        if r < p["duplicates"] / 2:
            self.counts["duplicates_same_id"] += 1
            self.later(rec)
        elif r < p["duplicates"]:
            self.counts["duplicates_no_id"] += 1
            rec = ("",) + rec[1:]
            a2 = self.acts[int(rnd() * len(self.acts))] if rnd() < 0.5 else a
            self.later(("", vid, date, start, end, hours, team, a2, unit, sub, x))
        elif r < p["duplicates"] + p["conflicts"]:
            self.counts["conflicts"] += 1
            if s0 is not None:
                changed = (rid, vid, date, start, self.clocks[s0 + h2 + 1],
                           self.hours_text[h2 + 1] if hours else "", team, a, unit, sub, x)
            else:
                changed = (rid, vid, date, start, end, self.hours_text[h2 + 1], team, a, unit, sub, x)
            self.later(changed)
        self.today.append(rec)
        if s0 is not None and rnd() < p["overlaps"]:
            self.counts["overlaps"] += 1
            length = 2 + int(rnd() * 5)                         # 1 .. 3 h
            lo, hi = max(0, s0 - length + 1), min(47, s0 + h2 - 1)
            ps = lo + int(rnd() * (hi - lo + 1))
            self.today.append((self.new_id(), vid, date, self.clocks[ps], self.clocks[ps + length],
                               self.hours_text[length] if rnd() < 0.5 else "", team,
                               self.acts[int(rnd() * len(self.acts))], unit, sub, rnd()))
        if s0 is not None and rnd() < p["overlaps"] / 3:
            self.counts["night"] += 1
            ns, nl = 42 + int(rnd() * 6), 6 + int(rnd() * 5)  # 21:00-23:30, 3-5 h: past midnight
            self.today.append((self.new_id(), vid, date, self.clocks[ns], self.clocks[ns + nl],
                               "", team, NIGHT[:2] + (NIGHT[2][0],), unit, sub, rnd()))
            if rnd() < 0.5:
                self.counts["overlaps_next_day"] += 1
                length = 2 + int(rnd() * 5)
                ps = int(rnd() * (ns + nl - 48))               # from midnight, before the patrol ends
                next_date = (dt.date(int(date[:4]), int(date[5:7]), int(date[8:10]))
                             + dt.timedelta(days=1)).isoformat()
                self.later((self.new_id(), vid, next_date, self.clocks[ps], self.clocks[ps + length],
                            "", team, a, unit, sub, rnd()), k=1)
        if rnd() < p["over_cap"]:
            self.counts["over_cap"] += 1
            self.today.append((self.new_id(), vid, date, "", "", self.hours_text[16 + int(rnd() * 7)],
                               team, a, unit, sub, rnd()))
        if rnd() < p["unrostered"]:
            self.counts["unrostered"] += 1
            self.today.append((self.new_id(), "X%06d" % int(rnd() * 1e6), date, start, end, hours or
                               self.hours_text[h2], team, a, unit, sub, rnd()))

    def end(self, last=False):
        """Today's rows with the repeats due today: today's own at the end, earlier days' anywhere."""
        rows = self.today
        due = self.pending.pop(self.day, [])
        if last:                                          # the year is over: everything left
            for k in sorted(self.pending):
                due += self.pending.pop(k)
        for k, rec in due:
            if k == 0:
                rows.append(rec)
            else:
                rows.insert(int(self.rnd() * (len(rows) + 1)), rec)
        self.today = []
        return rows

    def expected(self):
        c = self.counts
        rows = (c["base"] + c["duplicates_same_id"] + c["duplicates_no_id"] + c["conflicts"]
                + c["overlaps"] + c["night"] + c["overlaps_next_day"] + c["over_cap"] + c["unrostered"])
        return dict(read=rows, merged=c["duplicates_same_id"] + c["duplicates_no_id"],
                    rejected=c["conflicts"], counted=rows - c["duplicates_same_id"]
                    - c["duplicates_no_id"] - c["conflicts"])


# ---------------------------------------------------------------- spellings
#
# A spelling turns the drawn values into the bytes of one kind of office's files. The values are
# the same for every spelling (the same seed gives the same sessions); only how they are written
# differs. Activity rows come in as session_rows makes them: dates "YYYY-MM-DD", times "HH:MM",
# hours "2.5", submitted_at "YYYY-MM-DD HH:MM" in the campaign's zone (or empty).

ACTIVITY_KEYS = ["record_id", "volunteer_id", "date", "start", "end", "hours", "team", "activity",
                 "category", "location", "media", "unit", "submitted_at"]
ROSTER_KEYS = ["volunteer_id", "name", "unit", "teams", "role", "liaison", "phone"]
SUBMISSION_KEYS = ["unit", "kind", "period", "submitted_at", "title", "summary", "plan"]


def media_of(date, rid, x):
    return "media/%s/%s.jpg" % (date, rid) if x * 97 % 1 < 0.05 else ""


class Plain:
    """Today's benchmark files, byte for byte: UTF-8, English keys, ISO dates, HH:MM."""
    name = "plain"
    encoding = "utf-8"

    def roster(self, recs):
        out = ["\ufeffvolunteer_id,name,unit,teams,role,liaison,phone\r\n"]
        for vid, name, unit, teams, role, liaison, phone in recs:
            out.append("%s,%s,%s,%s,%s,%s,%s\r\n" % (vid, name, unit, ";".join(teams), role,
                                                     "是" if liaison else "", phone))
        return out

    def activity_header(self):
        return ("record_id,volunteer_id,date,start,end,hours,team,activity,category,location,"
                "media,unit,submitted_at\r\n")

    def activity_maker(self):
        return csv_line_maker()

    def submissions(self, recs):
        out = ["\ufeffunit,kind,period,submitted_at,title,summary,plan\r\n"]
        for unit, kind, period, when, title, summary, plan in recs:
            out.append("%s,%s,%s,%s,%s,%s,%s\r\n" % (
                unit, kind, period.isoformat() if period else "", when.strftime("%Y-%m-%d %H:%M"),
                title, summary, '"%s"' % plan if plan else ""))
        return out


class IsoSeconds(Plain):
    """UTF-8; submitted_at as ISO instants with seconds and no offset (2019-08-05T15:04:09);
    times HH:MM:SS; otherwise as plain."""
    name = "iso-seconds"

    def activity_maker(self):
        def make(rid, vid, date, start, end, hours, team, a, unit, sub, x):
            if start:
                start, end = start + ":00", end + ":00"
            if sub:
                sub = "%sT%s:%02d" % (sub[:10], sub[11:], int(x * 1e6) % 60)
            return "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\r\n" % (
                rid, vid, date, start, end, hours, team, a[0], a[1], a[2], media_of(date, rid, x),
                unit, sub)
        return make

    def submissions(self, recs):
        out = ["\ufeffunit,kind,period,submitted_at,title,summary,plan\r\n"]
        for unit, kind, period, when, title, summary, plan in recs:
            out.append("%s,%s,%s,%s,%s,%s,%s\r\n" % (
                unit, kind, period.isoformat() if period else "",
                when.strftime("%Y-%m-%dT%H:%M:") + "%02d" % (len(title) * 7 % 60),
                title, summary, '"%s"' % plan if plan else ""))
        return out


def excel_date(iso):
    return "%d/%d/%d" % (int(iso[:4]), int(iso[5:7]), int(iso[8:10]))


def excel_time(hhmm):
    return hhmm[1:] if hhmm[0] == "0" else hhmm


class ExcelGB18030(Plain):
    """What Excel or WPS on Chinese Windows saves as plain CSV: GB18030 bytes, CRLF, Chinese
    headers, dates 2019/8/5, times 9:00, instants 2019/8/5 15:04, hours 2.5; all three kinds."""
    name = "excel-gb18030"
    encoding = "gb18030"

    def roster(self, recs):
        out = ["志愿者编号,姓名,单位,服务队,职务,联络员,电话\r\n"]
        for vid, name, unit, teams, role, liaison, phone in recs:
            out.append("%s,%s,%s,%s,%s,%s,%s\r\n" % (vid, name, unit, "、".join(teams), role,
                                                     "是" if liaison else "否", phone))
        return out

    def activity_header(self):
        return "记录编号,志愿者编号,日期,开始时间,结束时间,时长,服务队,活动,类别,地点,图片,报送单位,报送时间\r\n"

    def activity_maker(self):
        def make(rid, vid, date, start, end, hours, team, a, unit, sub, x):
            if start:
                start, end = excel_time(start), excel_time(end)
            if sub:
                sub = "%s %s" % (excel_date(sub[:10]), excel_time(sub[11:]))
            return "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\r\n" % (
                rid, vid, excel_date(date), start, end, hours, team, a[0], a[1], a[2],
                media_of(date, rid, x), unit, sub)
        return make

    def submissions(self, recs):
        kinds = {"daily": "简报", "weekly": "周总结", "roster": "名单"}
        out = ["单位,类型,日期,报送时间,标题,总结,下周计划\r\n"]
        for unit, kind, period, when, title, summary, plan in recs:
            out.append("%s,%s,%s,%d/%d/%d %d:%02d,%s,%s,%s\r\n" % (
                unit, kinds[kind], excel_date(period.isoformat()) if period else "",
                when.year, when.month, when.day, when.hour, when.minute, title, summary, plan))
        return out


class ExcelUTF8(ExcelGB18030):
    """What Excel saves as "CSV UTF-8" on Chinese Windows: the rows of excel-gb18030, byte for
    byte the same text, in UTF-8 with a BOM. Against excel-gb18030 it measures what the encoding
    alone costs (docs/PERFORMANCE.md: GB18030 against UTF-8)."""
    name = "excel-utf8"
    encoding = "utf-8"

    def roster(self, recs):
        out = super().roster(recs)
        return ["\ufeff" + out[0]] + out[1:]

    def activity_header(self):
        return "\ufeff" + super().activity_header()

    def submissions(self, recs):
        out = super().submissions(recs)
        return ["\ufeff" + out[0]] + out[1:]


class Mixed(Plain):
    """Every spelling of docs/formats.md and the contract in one file, drawn per cell: UTF-8 with
    a BOM; headers mixing keys (any case, spaces) and Chinese aliases, columns in another order and
    one unknown column (备注); dates 2019-08-05, 2019/8/5, 2019/08/05, 2019.8.5, 2019年8月5日,
    20190805; times 9:00, 09:00, 09:00:00; hours 2.5, 2.5h, 2.5H, 2.5 h, 2.5小时, 2:30; instants
    with +08:00 or Z (the same instant in UTC), T or spaces, with or without seconds, any date
    spelling; some cells quoted, some with spaces around the value. A repeated row is spelled
    anew, so that identical content is identical only after parsing."""
    name = "mixed"

    ACTIVITY_HEADERS = {
        "record_id": ["record_id", "记录编号", "Record_ID"],
        "volunteer_id": ["volunteer_id", "志愿者编号", " Volunteer_ID ", "编号"],
        "date": ["date", "日期", "服务日期", "DATE"],
        "start": ["start", "开始时间", "Start"],
        "end": ["end", "结束时间", "END"],
        "hours": ["hours", "时长", "服务时长", "服务时长(小时)", "服务时长（小时）", "服务时长 (小时)"],
        "team": ["team", "服务队", "Team"],
        "activity": ["activity", "活动", "活动名称", "服务内容"],
        "category": ["category", "类别", "服务类别"],
        "location": ["location", "地点"],
        "media": ["media", "图片", "影像", "附件"],
        "unit": ["unit", "报送单位", "Unit"],
        "submitted_at": ["submitted_at", "报送时间", "Submitted_At"],
    }
    ROSTER_HEADERS = {
        "volunteer_id": ["volunteer_id", "志愿者编号", "编号", " Volunteer_ID "],
        "name": ["name", "姓名", "Name"],
        "unit": ["unit", "单位", "所属单位"],
        "teams": ["teams", "服务队", "志愿服务队"],
        "role": ["role", "职务", "角色"],
        "liaison": ["liaison", "联络员", "是否联络员"],
        "phone": ["phone", "电话", "联系电话", "手机"],
    }
    SUBMISSION_HEADERS = {
        "unit": ["unit", "单位", "报送单位"],
        "kind": ["kind", "类型"],
        "period": ["period", "日期", "周期"],
        "submitted_at": ["submitted_at", "报送时间"],
        "title": ["title", "标题"],
        "summary": ["summary", "总结"],
        "plan": ["plan", "下周计划"],
    }

    def __init__(self, seed=0):
        self.rng = random.Random(seed + 6)
        self.rnd = self.rng.random

    def header(self, names):
        """The columns in a random order with one spelling of each, and 备注 somewhere: (order, line)."""
        order = list(names) + ["note"]
        self.rng.shuffle(order)
        cells = [("备注" if k == "note" else self.rng.choice(names[k])) for k in order]
        return order, "\ufeff" + ",".join(cells) + "\r\n"

    def cell(self, text):
        if not text:
            return text
        r = self.rnd()
        if r < 0.06:
            return '"%s"' % text
        if r < 0.10:
            return " %s " % text
        if r < 0.12:
            return '"  %s "' % text
        return text

    def date(self, y, m, d):
        r = int(self.rnd() * 7)
        return ("%04d-%02d-%02d" % (y, m, d), "%d/%d/%d" % (y, m, d), "%d/%02d/%02d" % (y, m, d),
                "%d.%d.%d" % (y, m, d), "%d年%d月%d日" % (y, m, d), "%04d%02d%02d" % (y, m, d),
                "%04d-%02d-%02d" % (y, m, d))[r]

    def time(self, h, mi):
        r = int(self.rnd() * 3)
        return ("%d:%02d" % (h, mi), "%02d:%02d" % (h, mi), "%02d:%02d:00" % (h, mi))[r]

    def hours(self, text):
        h2 = int(float(text) * 2)
        r = int(self.rnd() * 7)
        if r == 0:
            return "%d:%02d" % (h2 // 2, 30 * (h2 % 2))
        return text + ("", "h", "H", " h", "小时", " 小时", "")[r]

    def instant(self, y, m, d, h, mi):
        r = self.rnd()
        if r < 0.2:                                       # with an offset
            return "%04d-%02d-%02dT%02d:%02d%s+08:00" % (y, m, d, h, mi, ":00" if self.rnd() < 0.5 else "")
        if r < 0.35:                                      # the same instant in UTC
            u = dt.datetime(y, m, d, h, mi) - dt.timedelta(hours=8)
            return "%04d-%02d-%02dT%02d:%02d%sZ" % (u.year, u.month, u.day, u.hour, u.minute,
                                                     ":00" if self.rnd() < 0.5 else "")
        sep = ("T", " ", " ", "  ")[int(self.rnd() * 4)]
        return self.date(y, m, d) + sep + self.time(h, mi)

    def roster(self, recs):
        order, head = self.header(self.ROSTER_HEADERS)
        out = [head]
        yes, no = ["是", "yes", "Y", "true", "1", "√"], ["", "否", "no", "0", "false"]
        cell, choice = self.cell, self.rng.choice
        for vid, name, unit, teams, role, liaison, phone in recs:
            v = dict(volunteer_id=vid, name=name, unit=unit, teams=choice(";；、|").join(teams),
                     role=role, liaison=choice(yes) if liaison else choice(no), phone=phone,
                     note="")
            out.append(",".join(cell(v[k]) for k in order) + "\r\n")
        return out

    def activity_header(self):
        self.activity_order, head = self.header(self.ACTIVITY_HEADERS)
        return head

    def activity_maker(self):
        order = self.activity_order
        cell, rnd = self.cell, self.rnd
        notes = ["", "", "", "补录", "已核实", "照片见群"]

        def make(rid, vid, date, start, end, hours, team, a, unit, sub, x):
            y, m, d = int(date[:4]), int(date[5:7]), int(date[8:10])
            v = dict(record_id=rid, volunteer_id=vid, date=self.date(y, m, d),
                     start=self.time(int(start[:2]), int(start[3:])) if start else "",
                     end=self.time(int(end[:2]), int(end[3:])) if end else "",
                     hours=self.hours(hours) if hours else "", team=team, activity=a[0],
                     category=a[1], location=a[2], media=media_of(date, rid, x), unit=unit,
                     submitted_at=self.instant(int(sub[:4]), int(sub[5:7]), int(sub[8:10]),
                                               int(sub[11:13]), int(sub[14:16])) if sub else "",
                     note=notes[int(rnd() * len(notes))])
            return ",".join(cell(v[k]) for k in order) + "\r\n"
        return make

    def submissions(self, recs):
        order, head = self.header(self.SUBMISSION_HEADERS)
        out = [head]
        kinds = {"daily": ["daily", "简报", "Daily"], "weekly": ["weekly", "周总结", "WEEKLY"],
                 "roster": ["roster", "名单", "Roster"]}
        cell, choice = self.cell, self.rng.choice
        for unit, kind, period, when, title, summary, plan in recs:
            v = dict(unit=unit, kind=choice(kinds[kind]),
                     period=self.date(period.year, period.month, period.day) if period else "",
                     submitted_at=self.instant(when.year, when.month, when.day, when.hour, when.minute),
                     title=title, summary=summary, plan=plan, note="")
            out.append(",".join(cell(v[k]) for k in order) + "\r\n")
        return out


SPELLINGS = {c.name: c for c in (Plain, IsoSeconds, ExcelGB18030, ExcelUTF8, Mixed)}


def submission_records(rng):
    """(unit, kind, period, submitted, title, summary, plan): each unit's roster, daily bulletins
    (some late, some missing) and Friday summaries; period a date (None for a roster), submitted
    a naive local datetime."""
    for name, _, _ in UNITS:
        when = dt.datetime(2019, 1, 3, 9 + rng.randrange(8), rng.randrange(60))
        yield name, "roster", None, when, "%s志愿者花名册" % name, "已按要求报送本单位志愿者名单。", ""
    for day_index in range(7 * WEEKS):
        day = FIRST_DAY + dt.timedelta(days=day_index)
        for name, _, _ in UNITS:
            r = rng.random()
            if r < 0.03:
                continue                                   # missing
            if r < 0.10:
                hh, mm = 16 + rng.randrange(4), rng.randrange(60)      # late
            else:
                hh, mm = 9 + rng.randrange(6), rng.randrange(60)
            yield (name, "daily", day, dt.datetime(day.year, day.month, day.day, hh, mm),
                   "%s%d月%d日志愿服务简报" % (name, day.month, day.day),
                   "当日开展志愿服务%d人次。" % (20 + rng.randrange(400)), "")
        if day.weekday() == 4:                             # Friday: the weekly summaries
            for name, _, _ in UNITS:
                r = rng.random()
                if r < 0.04:
                    continue
                hh = 15 + rng.randrange(3) if r < 0.12 else 10 + rng.randrange(5)
                when = dt.datetime(day.year, day.month, day.day, hh, rng.randrange(60))
                yield (name, "weekly", day, when, "%s本周志愿服务总结" % name, "本周志愿服务有序开展。",
                       "下周继续开展文明引导、环境整治等志愿服务。")


def submissions_csv(rng, spelling=None):
    return (spelling or Plain()).submissions(submission_records(rng))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out_pos", nargs="?", help="output folder (same as --out)")
    p.add_argument("--out", default=None,
                   help="output folder (default /tmp/fivehours-bench, /tmp/fivehours-bench-SPELLING "
                        "for another spelling)")
    p.add_argument("--rows", type=int, default=3_500_000, help="activity rows (default 3,500,000)")
    p.add_argument("--volunteers", type=int, default=100_000, help="roster size (default 100,000)")
    p.add_argument("--spelling", choices=sorted(SPELLINGS), default="plain",
                   help="how the files are written (default plain: today's files, byte for byte)")
    p.add_argument("--overlaps", type=float, default=None,
                   help="share of timed sessions given an overlapping one (default 0.03; 0 for plain)")
    p.add_argument("--duplicates", type=float, default=None,
                   help="share of rows repeated later (default 0.01; 0 for plain)")
    p.add_argument("--conflicts", type=float, default=None,
                   help="share of rows repeated with the same record id and other times "
                        "(default 0.001; 0 for plain)")
    p.add_argument("--over-cap", type=float, default=None,
                   help="share of sessions given an 8-11 h session by hours the same day "
                        "(default 0.002; 0 for plain)")
    p.add_argument("--unrostered", type=float, default=None,
                   help="share of sessions given one of a volunteer on no roster (default 0.0005; "
                        "0 for plain)")
    p.add_argument("--mismatches", type=float, default=None,
                   help="share of sessions with start, end and hours whose hours are half an hour off "
                        "(default 0.005; 0 for plain)")
    p.add_argument("--xml", action="store_true", help="also write the XML variant")
    p.add_argument("--xml-rows", type=int, default=1_000_000, help="XML activities (default 1,000,000)")
    p.add_argument("--seed", type=int, default=20190809)
    args = p.parse_args()
    plain = args.spelling == "plain"
    defaults = dict(overlaps=0.03, duplicates=0.01, conflicts=0.001, over_cap=0.002, unrostered=0.0005,
                    mismatches=0.005)
    extra = {k: (getattr(args, k) if getattr(args, k) is not None else (0.0 if plain else v))
             for k, v in defaults.items()}
    with_extras = any(v > 0 for v in extra.values())
    for k, v in extra.items():
        if not 0 <= v < 0.5:
            sys.exit("generate.py: --%s must be at least 0 and below 0.5" % k.replace("_", "-"))
    out = os.path.abspath(args.out or args.out_pos
                          or ("/tmp/fivehours-bench" if plain else "/tmp/fivehours-bench-" + args.spelling))
    repo = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
    if out == repo or out.startswith(repo + os.sep):
        sys.exit("generate.py: write the data outside the repository (got %s)" % out)
    if args.volunteers < len(UNITS):
        sys.exit("generate.py: need at least %d volunteers" % len(UNITS))
    spelling = Mixed(args.seed) if args.spelling == "mixed" else SPELLINGS[args.spelling]()
    encoding = spelling.encoding
    t0 = time.time()
    os.makedirs(out, exist_ok=True)
    marker = os.path.join(out, "generated.json")
    if os.path.exists(marker):
        os.remove(marker)                       # incomplete until rewritten at the end

    rng = random.Random(args.seed)
    vols = Volunteers(args.volunteers, rng)
    write_text(os.path.join(out, "campaign.yaml"), campaign_yaml("activities"))
    os.makedirs(os.path.join(out, "rosters"), exist_ok=True)
    with open(os.path.join(out, "rosters", "roster.csv"), "w", encoding=encoding, newline="") as f:
        f.writelines(vols.roster_csv(random.Random(args.seed + 1), spelling))
    os.makedirs(os.path.join(out, "submissions"), exist_ok=True)
    with open(os.path.join(out, "submissions", "submissions.csv"), "w", encoding=encoding,
              newline="") as f:
        f.writelines(submissions_csv(random.Random(args.seed + 2), spelling))

    os.makedirs(os.path.join(out, "activities"), exist_ok=True)
    path = os.path.join(out, "activities", "sessions.csv")
    extras = Extras(random.Random(args.seed + 5), "S19-", **extra) if with_extras else None
    with open(path, "w", encoding=encoding, newline="", buffering=1 << 22) as f:
        f.write(spelling.activity_header())
        for lines in session_rows(vols, random.Random(args.seed + 3), args.rows,
                                  spelling.activity_maker(), "S19-", extras):
            f.writelines(lines)
    size = os.path.getsize(path)
    n_rows = extras.expected()["read"] if extras else args.rows
    print("%s: %d rows, %.1f MB, %.1f s" % (path, n_rows, size / 1e6, time.time() - t0),
          file=sys.stderr)

    if args.xml:
        t1 = time.time()
        write_text(os.path.join(out, "campaign-xml.yaml"), campaign_yaml("activities-xml"))
        os.makedirs(os.path.join(out, "activities-xml"), exist_ok=True)
        xpath = os.path.join(out, "activities-xml", "sessions.xml")
        with open(xpath, "w", encoding="utf-8", newline="", buffering=1 << 22) as f:
            f.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                    '<activities submitted-at="2020-01-03T15:00:00+08:00">\n')
            for lines in session_rows(vols, random.Random(args.seed + 4), args.xml_rows,
                                      xml_line_maker(), "X19-"):
                f.writelines(lines)
            f.write("</activities>\n")
        print("%s: %d elements, %.1f MB, %.1f s" % (xpath, args.xml_rows,
              os.path.getsize(xpath) / 1e6, time.time() - t1), file=sys.stderr)

    info = {"rows": args.rows, "volunteers": args.volunteers, "seed": args.seed,
            "xml": args.xml, "xml_rows": args.xml_rows if args.xml else 0,
            "activity_bytes": size}
    if not plain or with_extras:                # plain without extras: today's file, byte for byte
        info.update(spelling=args.spelling, generator=GENERATOR_VERSION, extras=extra,
                    written=extras.counts if extras else {"base": args.rows},
                    expected_activity_rows=extras.expected() if extras else
                    dict(read=args.rows, merged=0, rejected=0, counted=args.rows))
    with open(marker, "w") as f:
        json.dump(info, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print("generated %s in %.1f s" % (out, time.time() - t0), file=sys.stderr)


if __name__ == "__main__":
    main()
