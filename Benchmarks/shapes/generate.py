#!/usr/bin/env python3
"""Data shaped unlike the weekly benchmark's (Benchmarks/generate.py), to find where fivehours is
slow or hungry for memory against a DuckDB script: quoted cells, rejects, many files, a million
volunteers, heavy overlaps, values that defeat memoisation (docs/PERFORMANCE.md, "Other shapes").

  python3 gen.py CASE OUTDIR [--rows N] [--vols N] [--seed S]

Writes OUTDIR/campaign.yaml, rosters/, activities/, submissions/ and OUTDIR/peer.json (how the
peer should read the files). Cases: see CASES at the bottom (python3 gen.py --list).
Dates are spread over 2019-01-05 .. 2020-01-03; the week reported is the one ending 2019-08-09.
"""
import argparse, datetime as dt, json, os, random, sys

FIRST = dt.date(2019, 1, 5)
DAYS = 364
HDR = ["record_id", "volunteer_id", "date", "start", "end", "hours", "team", "activity",
       "category", "location", "media", "unit", "submitted_at"]
HDR_ZH = ["记录编号", "志愿者编号", "服务日期", "开始时间", "结束时间", "服务时长", "服务队", "活动名称",
          "服务类别", "地点", "附件", "报送单位", "报送时间"]
ROSTER_HDR = ["volunteer_id", "name", "unit", "teams", "role", "liaison", "phone"]
ROSTER_HDR_ZH = ["志愿者编号", "姓名", "单位", "服务队", "职务", "联络员", "电话"]
HANZI = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定"
         "行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由"
         "其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问"
         "意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图"
         "山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海"
         "口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至"
         "达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低"
         "持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值"
         "号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁"
         "价严龙飞")
SURN = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志海红梅晓永婷继跃俊峰子涵浩然欣怡宇轩雨萱"
ACTS = [("群防群治巡逻", "平安建设", "瑞鑫社区"), ("交通文明劝导", "文明引导", "雍州路公交站"),
        ("环境卫生整治", "环境整治", "园区主干道"), ("关爱空巢老人", "扶贫帮困", "敬老院"),
        ("爱心义诊", "医疗卫生", "社区卫生服务中心"), ("理论宣讲", "理论宣讲", "党群服务中心")]


def zh(rng, n):
    return "".join(rng.choice(HANZI) for _ in range(n))


def csv_cell(s):
    if s and (s[0] == '"' or any(c in s for c in ',\r\n')):
        return '"' + s.replace('"', '""') + '"'
    return s


class Camp:
    def __init__(self, rng, n_units=12, n_teams=6, long_names=False):
        self.units = []
        for i in range(n_units):
            if long_names:
                nm = "%s第%d%s志愿服务工作站" % (zh(rng, 20 + int(rng.random() * 40)), i, zh(rng, 10))
            elif n_units > 12:
                nm = "第%d工作站" % (i + 1)
            else:
                nm = ["党政办", "党建办", "社会事业部", "综治办", "安监办", "文宣办", "卫计办", "工会办",
                      "纪检办", "第一工作站", "第二工作站", "第三工作站"][i]
            self.units.append((nm, "workstation" if i % 4 == 3 else "department"))
        self.teams = []
        for i in range(n_teams):
            nm = ("%s第%d队" % (zh(rng, 4), i)) if n_teams > 6 else \
                ["小红象志愿服务队", "绿城啄木鸟志愿服务队", "红绿灯志愿服务队", "春雨行动志愿服务队",
                 "青年学雷锋志愿服务队", "巾帼学雷锋志愿服务队"][i]
            leads = [self.units[int(rng.random() * n_units)][0] for _ in range(2)]
            self.teams.append((nm, sorted(set(leads))))

    def yaml(self, activities="activities"):
        L = ["campaign:", "  name: 悬崖测试", "  organizer: 测试中心", "  timezone: Asia/Shanghai",
             "rules:", "  weekly_hours: 5", "  week_ends_on: friday", '  daily_bulletin_due: "15:30"',
             "  daily_bulletin_days: [mon, tue, wed, thu, fri, sat, sun]", '  weekly_summary_due: "15:00"',
             "  roster_due: 2019-01-04", "  liaisons_per_unit: 1", "  max_daily_hours: 12", "units:"]
        L += ['  - { name: "%s", kind: %s }' % u for u in self.units]
        L.append("teams:")
        L += ['  - { name: "%s", focus: true, leads: [%s] }' % (t, ", ".join('"%s"' % x for x in l))
              for t, l in self.teams]
        L += ["inputs:", "  rosters: [rosters]", "  activities: [%s]" % activities,
              "  submissions: [submissions]", "output:", "  dir: reports", "  language: zh-CN", ""]
        return "\n".join(L)


class Vols:
    def __init__(self, rng, n, camp, idfmt="V%07d"):
        self.n = n
        self.ids = [idfmt % (i + 1) for i in range(n)]
        nu, nt = len(camp.units), len(camp.teams)
        self.unit = [int(rng.random() * nu) for _ in range(n)]
        self.team = [int(rng.random() * nt) for _ in range(n)]
        self.names = [rng.choice(SURN) + rng.choice(GIVEN) + rng.choice(GIVEN) for _ in range(n)]

    def roster_rows(self, camp, rng, idxs=None):
        seen = set()
        for i in (range(self.n) if idxs is None else idxs):
            u = self.unit[i]
            liaison = u not in seen
            seen.add(u)
            yield [self.ids[i], self.names[i], camp.units[u][0], camp.teams[self.team[i]][0],
                   "联络员" if liaison else "志愿者", "是" if liaison else "",
                   "1%d%08d" % (38 + int(rng.random() * 2), int(rng.random() * 1e8))]


def write_csv(path, header, rows, enc="utf-8", bom=False, eol="\n"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding=enc, newline="") as f:
        if bom:
            f.write("\ufeff")
        f.write(",".join(header) + eol)
        buf = []
        for r in rows:
            buf.append(",".join(csv_cell(c) for c in r) + eol)
            if len(buf) >= 20000:
                f.write("".join(buf)); buf = []
        f.write("".join(buf))


def date_spell(d, style):
    if style == 0: return d.isoformat()
    if style == 1: return "%d/%d/%d" % (d.year, d.month, d.day)
    if style == 2: return "%d.%d.%d" % (d.year, d.month, d.day)
    if style == 3: return "%d年%d月%d日" % (d.year, d.month, d.day)
    return "%04d%02d%02d" % (d.year, d.month, d.day)


def hms(s, secs=False):
    s %= 86400
    if secs:
        return "%02d:%02d:%02d" % (s // 3600, s // 60 % 60, s % 60)
    return "%02d:%02d" % (s // 3600, s // 60 % 60)


def base_sessions(rng, vols, n, days=None, vol_pick=None):
    """(vi, day, start_s, dur_s, timed) draws; start/dur on whole minutes (half-hour grid)."""
    rnd = rng.random
    for _ in range(n):
        vi = vol_pick() if vol_pick else int(rnd() * vols.n)
        day = days() if days else int(rnd() * DAYS)
        dur = (1 + int(rnd() * 8)) * 1800
        st = (14 + int(rnd() * 20)) * 1800
        yield vi, day, st, dur, rnd() < 0.8


def std_rows(rng, camp, vols, sessions, secs=False, date_style=0, extra=None, rid=True):
    rnd = rng.random
    k = 0
    for vi, day, st, dur, timed in sessions:
        k += 1
        d = FIRST + dt.timedelta(days=day)
        a = ACTS[int(rnd() * len(ACTS))]
        start, end = (hms(st, secs), hms(st + dur, secs)) if timed else ("", "")
        hours = ("%g" % (dur / 3600)) if (not timed or rnd() < 0.5) else ""
        row = ["R%08d" % k if rid else "", vols.ids[vi], date_spell(d, date_style), start, end, hours,
               camp.teams[vols.team[vi]][0], a[0], a[1], a[2], "", camp.units[vols.unit[vi]][0],
               "%s 16:%02d" % (d.isoformat(), int(rnd() * 60))]
        if extra:
            row = extra(row, vi, d, st, dur, timed)
        yield row


def submissions(camp, path, every_day=False):
    rows = []
    for u, _ in camp.units:
        rows.append([u, "roster", "", "2019-01-03 10:00"])
        for w in range(52):
            fri = FIRST + dt.timedelta(days=7 * w + 6)
            rows.append([u, "weekly", fri.isoformat(), "%s 14:00" % fri.isoformat()])
        if every_day:
            for day in range(DAYS):
                d = FIRST + dt.timedelta(days=day)
                rows.append([u, "daily", d.isoformat(), "%s 15:%02d" % (d.isoformat(), day % 60)])
    write_csv(path, ["unit", "kind", "period", "submitted_at"], rows)


def common(out, rng, camp, vols, roster_split=0, enc="utf-8", zh_hdr=False, bom=False, eol="\n",
           every_day=False, activities="activities"):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "campaign.yaml"), "w", encoding="utf-8") as f:
        f.write(camp.yaml(activities))
    rh = ROSTER_HDR_ZH if zh_hdr else ROSTER_HDR
    if roster_split:
        by_unit = {}
        for i in range(vols.n):
            by_unit.setdefault(vols.unit[i], []).append(i)
        for u, idxs in by_unit.items():
            write_csv(os.path.join(out, "rosters", "u%04d" % u, "roster-%04d.csv" % u), rh,
                      vols.roster_rows(camp, rng, idxs), enc, bom, eol)
    else:
        write_csv(os.path.join(out, "rosters", "roster.csv"), rh, vols.roster_rows(camp, rng), enc, bom, eol)
    submissions(camp, os.path.join(out, "submissions", "submissions.csv"), every_day)


def write_log(out, rng, camp, vols, a, hdr=HDR, days=None, extra=None):
    """The case's activity log, activities/a.csv: a.rows sessions (on `days`), written as
    std_rows writes them, `extra` changing each row."""
    write_csv(os.path.join(out, "activities", "a.csv"), hdr,
              std_rows(rng, camp, vols, base_sessions(rng, vols, a.rows, days=days), extra=extra))


def peerinfo(out, **kw):
    with open(os.path.join(out, "peer.json"), "w") as f:
        json.dump(kw, f)


# ---------------------------------------------------------------- cases
def c_baseline(out, rng, a):
    camp = Camp(rng); vols = Vols(rng, a.vols, camp); common(out, rng, camp, vols)
    write_log(out, rng, camp, vols, a)
    peerinfo(out, mode="typed", dateformat="%Y-%m-%d")


def c_memo(out, rng, a):
    """Every row different: random seconds, hours with many decimals, dates in 5 spellings,
    instants with random seconds and Z/+08:00/+0530/+08 offsets."""
    camp = Camp(rng); vols = Vols(rng, a.vols, camp); common(out, rng, camp, vols)
    rnd = rng.random

    def extra(row, vi, d, st, dur, timed):
        st2 = st + int(rnd() * 1799); dur2 = 60 + int(rnd() * 14000)
        row[2] = date_spell(d, int(rnd() * 5))
        if timed:
            row[3], row[4] = hms(st2, True), hms(st2 + dur2, True)
            row[5] = ""
        else:
            row[5] = "%.9f" % (dur2 / 3600 + rnd() * 1e-4)
        z = int(rnd() * 4)
        sec = int(rnd() * 86400)
        off = ["Z", "+08:00", "+0530", "-03"][z]
        row[12] = "%sT%s%s" % (d.isoformat(), hms(sec, True), off) if rnd() < 0.8 else \
            "%s %s" % (date_spell(d, int(rnd() * 5)), hms(sec, True))
        return row
    write_log(out, rng, camp, vols, a, extra=extra)
    peerinfo(out, mode="varchar")


def c_wide(out, rng, a):
    camp = Camp(rng); vols = Vols(rng, a.vols, camp); common(out, rng, camp, vols)
    ncol = a.extra_cols
    rnd = rng.random
    pool = [zh(rng, 2) + str(i) for i in range(1000)]
    hdr = HDR + ["extra_%03d" % i for i in range(ncol)]

    def extra(row, *_):
        return row + [pool[int(rnd() * 1000)] for _ in range(ncol)]
    write_log(out, rng, camp, vols, a, hdr=hdr, extra=extra)
    peerinfo(out, mode="typed", dateformat="%Y-%m-%d")


def c_longtext(out, rng, a):
    camp = Camp(rng); vols = Vols(rng, a.vols, camp); common(out, rng, camp, vols)
    rnd = rng.random
    blobs = [zh(rng, 4000) for _ in range(50)]

    def extra(row, *_):
        n = 340 + int(rnd() * 3000)   # 1-10 KB in UTF-8
        b = blobs[int(rnd() * 50)]
        s = int(rnd() * 900)
        row[7] = b[s:s + n] + "，" + b[:5]
        return row
    write_log(out, rng, camp, vols, a, extra=extra)
    peerinfo(out, mode="typed", dateformat="%Y-%m-%d")


def c_quoted(out, rng, a):
    camp = Camp(rng); vols = Vols(rng, a.vols, camp); common(out, rng, camp, vols)
    rnd = rng.random

    def extra(row, *_):
        if rnd() < 0.9:
            row[7] = '%s, 第%d次 "重点"%s续行' % (row[7], int(rnd() * 100), "\n" if rnd() < a.nl else " ")
            row[9] = '%s,"东门"' % row[9]
            if not a.clean and rnd() < 0.1:
                row[12] = '"%s"' % row[12]
        return row
    write_log(out, rng, camp, vols, a, extra=extra)
    peerinfo(out, mode="typed", dateformat="%Y-%m-%d")


def c_manyfiles(out, rng, a):
    units = a.units or 500
    camp = Camp(rng, n_units=units); vols = Vols(rng, a.vols, camp)
    common(out, rng, camp, vols, roster_split=1)
    rows = list(std_rows(rng, camp, vols, base_sessions(rng, vols, a.rows)))
    nf = a.files
    # lognormal-ish file sizes
    w = [rng.lognormvariate(0, 1.5) for _ in range(nf)]
    tot = sum(w)
    pos = 0
    for i in range(nf):
        k = max(1, int(round(len(rows) * w[i] / tot))) if i < nf - 1 else len(rows) - pos
        chunk = rows[pos:pos + k]; pos += k
        p = os.path.join(out, "activities", "d%02d" % (i % 37), "e%03d" % (i % 211), "f%05d.csv" % i)
        write_csv(p, HDR, chunk)
        if pos >= len(rows):
            break
    peerinfo(out, mode="typed", dateformat="%Y-%m-%d")


def c_bigroster(out, rng, a):
    c_baseline(out, rng, a)


def c_heavy(out, rng, a):
    """Few volunteers with thousands of sessions each; `--week-only` puts all sessions in the 7
    days of the reported week (hundreds of overlapping sessions per volunteer per day)."""
    camp = Camp(rng); vols = Vols(rng, a.vols, camp); common(out, rng, camp, vols)
    wk0 = (dt.date(2019, 8, 3) - FIRST).days
    days = (lambda: wk0 + int(rng.random() * 7)) if a.week_only else None
    write_log(out, rng, camp, vols, a, days=days)
    peerinfo(out, mode="typed", dateformat="%Y-%m-%d")


def c_dups(out, rng, a):
    """30% of rows repeated later (half with the record id, half with no record id at all)."""
    camp = Camp(rng); vols = Vols(rng, a.vols, camp); common(out, rng, camp, vols)
    rnd = rng.random
    base = list(std_rows(rng, camp, vols, base_sessions(rng, vols, int(a.rows * 0.7))))
    for r in base:
        if rnd() < 0.5:
            r[0] = ""
    reps = [list(base[int(rnd() * len(base))]) for _ in range(a.rows - len(base))]
    allr = base + reps
    # shuffle partially: repeats interleaved
    rng.shuffle(allr)
    write_csv(os.path.join(out, "activities", "a.csv"), HDR, allr)
    peerinfo(out, mode="typed", dateformat="%Y-%m-%d")


def c_rejects(out, rng, a):
    """20% rows rejected: bad dates, words as hours, missing volunteer, ragged rows, 25:00 times."""
    camp = Camp(rng); vols = Vols(rng, a.vols, camp); common(out, rng, camp, vols)
    rnd = rng.random

    def extra(row, *_):
        r = rnd()
        if r < 0.2:
            k = int(r * 25)
            if k == 0: row[2] = "2019-02-30"
            elif k == 1: row[5] = "两小时"; row[3] = row[4] = ""
            elif k == 2: row[1] = ""
            elif k == 3: row = row + ["多余"]
            else: row[3] = "25:%02d" % int(rnd() * 60)
        return row
    write_log(out, rng, camp, vols, a, extra=extra)
    peerinfo(out, mode="varchar", ignore_errors=True)


def c_gbk(out, rng, a):
    """GB18030, Chinese headers, Chinese ids/teams/activities/places, 2019年8月5日 dates, CRLF."""
    camp = Camp(rng, n_units=60, n_teams=60)
    vols = Vols(rng, a.vols, camp, idfmt="志愿者%07d")
    common(out, rng, camp, vols, enc="gb18030", zh_hdr=True, eol="\r\n")
    rnd = rng.random
    places = [zh(rng, 12) for _ in range(500)]

    def extra(row, *_):
        row[0] = "记录" + row[0]
        row[7] = zh(rng, 10)
        row[9] = places[int(rnd() * 500)] + "社区服务中心"
        row[5] = row[5] + "小时" if row[5] else ""
        return row
    write_csv(os.path.join(out, "activities", "a.csv"), HDR_ZH,
              std_rows(rng, camp, vols, base_sessions(rng, vols, a.rows), date_style=3, extra=extra),
              enc="gb18030", eol="\r\n")
    peerinfo(out, mode="varchar", gb18030=True)


def c_bomcrlf(out, rng, a):
    camp = Camp(rng); vols = Vols(rng, a.vols, camp)
    common(out, rng, camp, vols, zh_hdr=True, bom=True, eol="\r\n")
    write_csv(os.path.join(out, "activities", "a.csv"), HDR_ZH,
              std_rows(rng, camp, vols, base_sessions(rng, vols, a.rows)), bom=True, eol="\r\n")
    peerinfo(out, mode="typed", dateformat="%Y-%m-%d")


def c_xml(out, rng, a):
    """XML activity log; --xml-style attr|child (child: every field a child element)."""
    camp = Camp(rng); vols = Vols(rng, a.vols, camp); common(out, rng, camp, vols)
    rows = std_rows(rng, camp, vols, base_sessions(rng, vols, a.rows))
    p = os.path.join(out, "activities", "a.xml")
    os.makedirs(os.path.dirname(p), exist_ok=True)
    keys = ["id", "volunteer", "date", "start", "end", "hours", "team", "activity", "category",
            "location", None, "unit", "submitted-at"]
    ckeys = ["record-id", "volunteer-id", "date", "start", "end", "hours", "team", "title", "category",
             "location", None, "unit", "submitted-at"]
    with open(p, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<activities>\n')
        buf = []
        for r in rows:
            if a.xml_style == "attr":
                buf.append("  <activity %s/>\n" % " ".join('%s="%s"' % (k, v) for k, v in zip(keys, r) if k and v))
            else:
                buf.append("  <activity>%s</activity>\n" % "".join(
                    "<%s>%s</%s>" % (k, v, k) for k, v in zip(ckeys, r) if k and v))
            if len(buf) > 20000:
                f.write("".join(buf)); buf = []
        f.write("".join(buf) + "</activities>\n")
    peerinfo(out, mode="xml")


def c_manyunits(out, rng, a):
    camp = Camp(rng, n_units=a.units or 2000, n_teams=a.teams or 2000, long_names=True)
    vols = Vols(rng, a.vols, camp)
    common(out, rng, camp, vols, every_day=True)
    write_log(out, rng, camp, vols, a)
    peerinfo(out, mode="typed", dateformat="%Y-%m-%d")


CASES = {k[2:]: v for k, v in globals().items() if k.startswith("c_")}

if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("case", nargs="?"); p.add_argument("out", nargs="?")
    p.add_argument("--rows", type=int, default=2_000_000)
    p.add_argument("--vols", type=int, default=100_000)
    p.add_argument("--extra-cols", type=int, default=150)
    p.add_argument("--files", type=int, default=10_000)
    p.add_argument("--units", type=int, default=0)
    p.add_argument("--teams", type=int, default=0)
    p.add_argument("--week-only", action="store_true")
    p.add_argument("--clean", action="store_true", help="quoted: no quoted submitted_at (no rejects)")
    p.add_argument("--nl", type=float, default=1.0, help="quoted: share of quoted cells holding a line break")
    p.add_argument("--xml-style", default="attr")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--list", action="store_true")
    a = p.parse_args()
    if a.list or not a.case:
        for k, v in CASES.items():
            print(k, "-", (v.__doc__ or "").strip().split("\n")[0])
        sys.exit(0)
    CASES[a.case](a.out, random.Random(a.seed), a)
    with open(os.path.join(a.out, "gen.json"), "w") as f:
        json.dump(vars(a), f)
