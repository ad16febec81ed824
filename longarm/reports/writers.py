"""The recoveries report as JSON (the spec's one object), CSV, XLSX and PDF.

JSON is exactly the spec's object. The other formats carry the same figures
under the same names, with the period, so that every format says the same.
"""

import csv
import io
import json

from longarm.reports.recoveries import KEYS, Period

FORMATS = ("json", "csv", "xlsx", "pdf")
TITLE = "Fugitives returned and assets recovered"


def write_json(report: dict, period: Period) -> bytes:
    return (json.dumps({key: report[key] for key in KEYS}, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_csv(report: dict, period: Period) -> bytes:
    """One header row with the spec's keys and one row of values, after the period columns."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["from", "to", *KEYS])
    writer.writerow([period.date_from.isoformat(), period.date_to.isoformat(), *(report[key] for key in KEYS)])
    return buffer.getvalue().encode("utf-8")


def _period_text(period: Period) -> str:
    name = f"{period.operation}: " if period.operation else ""
    return f"{name}{period.date_from.isoformat()} to {period.date_to.isoformat()}"


def write_xlsx(report: dict, period: Period) -> bytes:
    """A sheet `recoveries` with the period and one row per figure; the amount is a number with two places."""
    from decimal import Decimal

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "recoveries"
    sheet.append([TITLE])
    sheet.append(["period", _period_text(period)])
    sheet.append([])
    sheet.append(["figure", "value"])
    for key in KEYS:
        value = report[key]
        sheet.append([key, Decimal(value) if key == "amount_recovered" else value])
        if key == "amount_recovered":
            sheet.cell(row=sheet.max_row, column=2).number_format = "#,##0.00"
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 28
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_pdf(report: dict, period: Period) -> bytes:
    """One page: title, period and a table of the figures."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, title=TITLE, author="longarm")
    styles = getSampleStyleSheet()
    table = Table([["figure", "value"], *([key, str(report[key])] for key in KEYS)], colWidths=[200, 200])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("ALIGN", (1, 1), (1, -1), "RIGHT"),
    ]))
    document.build([Paragraph(TITLE, styles["Title"]), Paragraph(_period_text(period), styles["Normal"]),
                    Spacer(1, 12), table])
    return buffer.getvalue()


WRITERS = {"json": write_json, "csv": write_csv, "xlsx": write_xlsx, "pdf": write_pdf}


def write_report(report: dict, period: Period, fmt: str) -> bytes:
    return WRITERS[fmt](report, period)
