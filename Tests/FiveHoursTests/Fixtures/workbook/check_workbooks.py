"""Reads fivehours' workbooks back through real clients (issue 16); used by WorkbookClientTests.

    check_workbooks.py WEEKLY_DIR DAILY_DIR LIBREOFFICE_CSV_DIR CREATED PHONE...

LIBREOFFICE_CSV_DIR holds every sheet of both workbooks as LibreOffice exported it
(`<book>-<sheet>.csv`, cells as shown). Each must equal the CSV the report folder holds beside the
workbook, cell by cell, once the CSV's formula guard (a leading ' before = + - @ …) is taken off;
a rate shown as 80% equals the CSV's 0.80. openpyxl then checks the cells' types (ids text, hours
numbers, dates dates, no formula anywhere), the sheet setup, the fixed timestamps (zip entries and
the creation time = --now) and that no phone number is anywhere in the file. Prints one line
per problem; exit 1 when there is any.
"""
import csv
import os
import sys
import zipfile

import openpyxl

weekly, daily, lo_dir, created = sys.argv[1:5]
phones = sys.argv[5:]
problems = []

SHEETS = {
    "weekly-summary": (weekly, {"志愿者": "volunteers", "单位": "units", "服务队": "teams", "检查发现": "findings",
                                "未读入的数据": "rejects", "简报报送": None}),
    "daily-bulletin": (daily, {"今日活动": "activities", "检查发现": "findings", "未读入的数据": "rejects"}),
}
GUARD = set("=+-@\t\r＝＋－＠")


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def unguard(cell):
    return cell[1:] if len(cell) >= 2 and cell[0] == "'" and cell[1] in GUARD else cell


def same(shown, ours):
    if shown == ours:
        return True
    if shown.endswith("%") and ours:
        try:
            return abs(float(shown[:-1]) / 100 - float(ours)) < 1e-9
        except ValueError:
            return False
    return False


# 1. LibreOffice: every sheet equals its CSV.
for book, (folder, sheets) in SHEETS.items():
    for sheet, stem in sheets.items():
        path = os.path.join(lo_dir, f"{book}-{sheet}.csv")
        if not os.path.exists(path):
            problems.append(f"{book}: LibreOffice exported no sheet {sheet}")
            continue
        shown = read_csv(path)
        if stem is None:
            units = read_csv(os.path.join(weekly, "units.csv"))
            if [r[0] for r in shown[1:]] != [r[0] for r in units[1:]]:
                problems.append(f"{book}/{sheet}: units differ from units.csv")
            continue
        ours = [[unguard(c) for c in row] for row in read_csv(os.path.join(folder, stem + ".csv"))]
        if len(shown) != len(ours):
            problems.append(f"{book}/{sheet}: {len(shown)} rows, {stem}.csv has {len(ours)}")
        for r, (a, b) in enumerate(zip(shown, ours)):
            if len(a) != len(b):
                problems.append(f"{book}/{sheet} row {r + 1}: {len(a)} cells, {stem}.csv has {len(b)}: {a!r} / {b!r}")
                continue
            for c, (x, y) in enumerate(zip(a, b)):
                if not same(x, y):
                    problems.append(f"{book}/{sheet} row {r + 1} column {c + 1}: LibreOffice shows {x!r}, {stem}.csv has {y!r}")

# 2. openpyxl: types, setup, timestamps, privacy.
def column(ws, key):
    header = [c.value for c in ws[1]]
    return header.index(key)


def check_column(ws, book, key, test, what):
    k = column(ws, key)
    for row in ws.iter_rows(min_row=2):
        cell = row[k]
        if cell.value is not None and not test(cell):
            problems.append(f"{book}/{ws.title} {cell.coordinate} ({key}): {cell.value!r} is not {what} "
                            f"(type {cell.data_type}, format {cell.number_format})")


text = (lambda c: c.data_type == "s" and isinstance(c.value, str), "text")
hours = (lambda c: c.data_type == "n" and isinstance(c.value, (int, float)) and c.number_format == "0.00", "hours (0.00)")
count = (lambda c: c.data_type == "n" and isinstance(c.value, int), "a whole number")
rate = (lambda c: c.data_type == "n" and c.number_format == "0%", "a percentage")
date = (lambda c: c.is_date and c.number_format == "yyyy-mm-dd", "a date")
time = (lambda c: c.is_date and c.number_format in ("hh:mm", "hh:mm:ss"), "a time")

TYPES = {
    "志愿者": {"志愿者编号": text, "姓名": text, "单位": text, "服务队": text, "服务时长": hours, "应达时长": hours, "差额": hours, "状态": text},
    "单位": {"单位": text, "志愿者人数": count, "达标人数": count, "未达标人数": count, "达标率": rate, "服务时长": hours, "联络员": text},
    "服务队": {"服务队": text, "牵头单位": text, "志愿者人数": count, "服务时长": hours, "服务次数": count},
    "检查发现": {"规则": text, "对象": text, "日期": date, "详情": text, "来源": text},
    "未读入的数据": {"来源": text, "原因": text, "原始记录": text},
    "今日活动": {"记录编号": text, "志愿者编号": text, "姓名": text, "开始时间": time, "结束时间": time, "服务时长": hours, "活动": text},
    "简报报送": {"单位": text},
}

for book, (folder, sheets) in SHEETS.items():
    path = os.path.join(folder, book + ".xlsx")
    with zipfile.ZipFile(path) as z:
        stamps = {i.date_time for i in z.infolist()}
        if stamps != {(1980, 1, 1, 0, 0, 0)}:
            problems.append(f"{book}: zip entries stamped {sorted(stamps)}, not libxlsxwriter's fixed 1980-01-01")
        core = z.read("docProps/core.xml").decode()
        if f">{created}<" not in core:
            problems.append(f"{book}: creation time is not --now ({created}): {core[-300:]}")
        for info in z.infolist():
            body = z.read(info.filename).decode("utf-8", "replace")
            for p in phones:
                if p in body:
                    problems.append(f"{book}: phone number {p} in {info.filename}")
    wb = openpyxl.load_workbook(path)
    if [ws.title for ws in wb.worksheets] != list(sheets):
        problems.append(f"{book}: sheets {[ws.title for ws in wb.worksheets]}, expected {list(sheets)}")
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (isinstance(cell.value, str) and cell.data_type != "s"):
                    problems.append(f"{book}/{ws.title} {cell.coordinate}: {cell.value!r} is a formula")
        for key, (test, what) in TYPES.get(ws.title, {}).items():
            check_column(ws, book, key, test, what)
        if ws.freeze_panes != "A2":
            problems.append(f"{book}/{ws.title}: header row not frozen ({ws.freeze_panes})")
        if not (ws.auto_filter.ref or "").startswith("A1:"):
            problems.append(f"{book}/{ws.title}: no autofilter")
        if ws.print_title_rows != "$1:$1":
            problems.append(f"{book}/{ws.title}: header row not repeated on printed pages ({ws.print_title_rows})")
        if str(ws.page_setup.paperSize) != "9":
            problems.append(f"{book}/{ws.title}: paper is not A4 ({ws.page_setup.paperSize})")

# 3. The nasty ids of the test campaign are text, exactly as written.
wb = openpyxl.load_workbook(os.path.join(weekly, "weekly-summary.xlsx"))
ids = {row[0].value for row in wb["志愿者"].iter_rows(min_row=2)}
for wanted in ["00123", "410184199001011234", "1E5", "=SUM(A1)", "-V7", "@team"]:
    if wanted not in ids:
        problems.append(f"volunteer id {wanted!r} is not in the volunteers sheet as text: {sorted(map(str, ids))}")

for p in problems:
    print(p)
sys.exit(1 if problems else 0)
