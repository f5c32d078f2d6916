"""Reads the monthly and yearly workbooks back through real clients; used by RollupWorkbookTests.

    check_rollup_workbooks.py LIBREOFFICE_CSV_DIR CREATED FOLDER...

Each FOLDER is a monthly-YYYY-MM or yearly-YYYY report folder holding its workbook
(monthly-assessment.xlsx or yearly-summary.xlsx) beside its CSVs. LIBREOFFICE_CSV_DIR holds every
sheet of those workbooks as LibreOffice exported it (`<book>-<sheet>.csv`, cells as shown). Each
sheet must equal the CSV of the same table cell by cell, once the CSV's formula guard is taken off
(a rate shown as 80% equals the CSV's 0.80), as check_workbooks.py does for the weekly workbook.
openpyxl then checks the cells' types column by column (ids and keys text, hours 0.00, counts whole
numbers, scores and points numbers with two places, rates percentages, week endings dates), that
no cell is a formula, the sheet setup, the fixed timestamps (zip entries, creation time = --now)
and that no mobile number is anywhere in the file. Prints one line per problem; exit 1 when any.
"""
import csv
import os
import re
import sys
import zipfile

import openpyxl

lo_dir, created = sys.argv[1:3]
folders = sys.argv[3:]
problems = []

GUARD = set("=+-@\t\r＝＋－＠")
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")

T, L, H, C, R, D, N = "text", "list", "hours", "count", "rate", "date", "decimal"
# Sheet (zh-CN name) -> (CSV stem, the type of each column in the CSV's order).
SHEETS = {
    "志愿者": ("volunteers", [T, T, T, H, L, T, T, T, T, T, C, C, C, C, C, C, T, L]),
    "志愿者每周": ("volunteer-weeks", [T, D, H, H, T]),
    "单位考核": ("units", [T, T, C, N, C, H, C, C, C, R, N, C, C, C, N, C, C, C, N, C, N, T, N, T, D]),
    "单位每周": ("unit-weeks", [T, D, T, C, C, C, C, R, H, T, C, C, C, C, T, T]),
    "服务队": ("teams", [T, T, T, L, C, H, C, H, R]),
    "检查发现": ("findings", [T, T, T, T, D, T, T]),
    "未读入的数据": ("rejects", [T, T, T]),
}

TESTS = {
    T: lambda c: c.data_type == "s" and isinstance(c.value, str),
    L: lambda c: c.data_type == "s" and isinstance(c.value, str),
    H: lambda c: c.data_type == "n" and isinstance(c.value, (int, float)) and c.number_format == "0.00",
    C: lambda c: c.data_type == "n" and isinstance(c.value, int),
    R: lambda c: c.data_type == "n" and c.number_format == "0%",
    D: lambda c: c.is_date and c.number_format == "yyyy-mm-dd",
    N: lambda c: c.data_type == "n" and isinstance(c.value, (int, float)) and c.number_format == "0.00",
}


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


for folder in folders:
    book = "monthly-assessment" if os.path.basename(folder.rstrip("/")).startswith("monthly-") else "yearly-summary"
    path = os.path.join(folder, book + ".xlsx")
    if not os.path.exists(path):
        problems.append(f"{folder}: no {book}.xlsx")
        continue

    # 1. LibreOffice: every sheet equals its CSV.
    for sheet, (stem, _) in SHEETS.items():
        exported = os.path.join(lo_dir, f"{book}-{sheet}.csv")
        if not os.path.exists(exported):
            problems.append(f"{book}: LibreOffice exported no sheet {sheet}")
            continue
        shown = read_csv(exported)
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

    # 2. The zip: fixed timestamps, creation time = --now, no mobile number in any part.
    with zipfile.ZipFile(path) as z:
        stamps = {i.date_time for i in z.infolist()}
        if stamps != {(1980, 1, 1, 0, 0, 0)}:
            problems.append(f"{book}: zip entries stamped {sorted(stamps)}, not libxlsxwriter's fixed 1980-01-01")
        core = z.read("docProps/core.xml").decode()
        if f">{created}<" not in core:
            problems.append(f"{book}: creation time is not --now ({created}): {core[-300:]}")
        for info in z.infolist():
            found = PHONE.search(z.read(info.filename).decode("utf-8", "replace"))
            if found:
                problems.append(f"{book}: a mobile number {found.group()} in {info.filename}")

    # 3. openpyxl: sheets in order, typed cells, no formula, the sheet setup.
    wb = openpyxl.load_workbook(path)
    if [ws.title for ws in wb.worksheets] != list(SHEETS):
        problems.append(f"{book}: sheets {[ws.title for ws in wb.worksheets]}, expected {list(SHEETS)}")
    for ws in wb.worksheets:
        types = SHEETS.get(ws.title, (None, []))[1]
        if ws.max_column != len(types):
            problems.append(f"{book}/{ws.title}: {ws.max_column} columns, expected {len(types)}")
        for row in ws.iter_rows(min_row=2):
            for cell, kind in zip(row, types):
                if cell.data_type == "f" or (isinstance(cell.value, str) and cell.data_type != "s"):
                    problems.append(f"{book}/{ws.title} {cell.coordinate}: {cell.value!r} is a formula")
                elif cell.value is not None and not TESTS[kind](cell):
                    problems.append(f"{book}/{ws.title} {cell.coordinate}: {cell.value!r} is not {kind} "
                                    f"(type {cell.data_type}, format {cell.number_format})")
        if ws.freeze_panes != "A2":
            problems.append(f"{book}/{ws.title}: header row not frozen ({ws.freeze_panes})")
        if not (ws.auto_filter.ref or "").startswith("A1:"):
            problems.append(f"{book}/{ws.title}: no autofilter")
        if ws.print_title_rows != "$1:$1":
            problems.append(f"{book}/{ws.title}: header row not repeated on printed pages ({ws.print_title_rows})")
        if str(ws.page_setup.paperSize) != "9":
            problems.append(f"{book}/{ws.title}: paper is not A4 ({ws.page_setup.paperSize})")

for p in problems[:200]:
    print(p)
if len(problems) > 200:
    print(f"... and {len(problems) - 200} more")
sys.exit(1 if problems else 0)
