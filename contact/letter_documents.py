"""The day's no-contact letters as documents for the mail correspondence process: one merged
PDF for printing (a page per letter) and a CSV for the mail system.

fpdf2 writes the PDF (pure Python; no system libraries). With a Unicode TrueType font
(``LETTER_PDF_FONT``, DejaVu Sans where Debian installs it) every name prints as typed;
without one, the PDF falls back to Helvetica and characters outside Latin-1 print as "?".
"""

import csv
import io
import re
from datetime import UTC
from pathlib import Path

from fpdf import FPDF

from callbacks import categories, conf

CSV_COLUMNS = (
    "letter_id",
    "callback_id",
    "produced_at_utc",
    "account_number",
    "name",
    "address",
    "postal_code",
    "phone",
    "call_reason",
    "outage",
    "attempts",
)


# A formula may start a cell, or start again after anything a spreadsheet may split cells on
# (";" where it is the list separator, ",", "|", tab, a line break): "ok;=HYPERLINK(...)".
_FORMULA_START = re.compile(r"(^|[;,|\t\r\n])([ \t]*)([=+\-@])")


def spreadsheet_safe(value):
    """Free text as a spreadsheet will not run it as a formula: an apostrophe before every
    character that could start one, wherever a cell could start (not only at the start)."""
    value = _FORMULA_START.sub(r"\1\2'\3", str(value or ""))
    return "'" + value if value[:1] in ("\t", "\r") else value


def letters_csv(letters):
    """The batch for the mail correspondence system: one row per letter, UTF-8 with a header.
    Every free-text cell is neutralised against formula injection."""
    out = io.StringIO()
    # Every cell quoted: a ";" inside a cell cannot split it for a ";"-separated spreadsheet.
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)
    writer.writerow(CSV_COLUMNS)
    for letter in letters:
        callback = letter.callback
        writer.writerow(
            (
                letter.pk,
                callback.pk,
                letter.produced_at.astimezone(UTC).isoformat(),
                spreadsheet_safe(callback.account_number),
                spreadsheet_safe(letter.name),
                spreadsheet_safe(letter.address),
                spreadsheet_safe(letter.postal_code),
                spreadsheet_safe(callback.phone),
                spreadsheet_safe(callback.call_reason),
                spreadsheet_safe(callback.outage.title if callback.outage else ""),
                callback.attempts,
            )
        )
    return out.getvalue()


def letter_paragraphs(letter, *, brand_name, inbound_number):
    """What one letter says, paragraph by paragraph (the printable page says the same)."""
    callback = letter.callback
    about = callback.call_reason
    category = categories.category_label(callback.category)
    if category:
        about += f" ({category.lower()})"
    outage = (
        f', during the service interruption "{callback.outage.title}"' if callback.outage else ""
    )
    tries = f" {callback.attempts} times" if callback.attempts > 1 else ""
    return [
        f"Dear {letter.name},",
        f"On {callback.created_at:%-d %B %Y} you contacted {brand_name} about {about}{outage}. "
        "We promised to call you back once the service was restored.",
        f"We tried to reach you on {callback.phone}{tries}, but could not speak to you.",
        f"If you still need help, please call us on {inbound_number} and mention this letter. "
        "We are sorry for the inconvenience.",
        "Yours sincerely,",
        f"Customer care, {brand_name}",
    ]


def _font(pdf):
    path = Path(conf.letter_pdf_font() or "")
    if path.is_file():
        pdf.add_font("Letter", "", str(path))
        return "Letter", False
    return "Helvetica", True


def letters_pdf(letters, *, today, brand_name, inbound_number):
    """One PDF, an A4 page per letter, in the order given. Returns bytes."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(20, 25, 20)
    pdf.set_auto_page_break(True, margin=25)
    family, latin1_only = _font(pdf)

    def text(value):
        if latin1_only:
            return str(value).encode("latin-1", "replace").decode("latin-1")
        return str(value)

    for letter in letters:
        pdf.add_page()
        pdf.set_font(family, size=12)
        pdf.multi_cell(0, 6, text(brand_name), new_x="LMARGIN", new_y="NEXT")
        pdf.multi_cell(0, 6, text(f"{today:%-d %B %Y}"), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(12)
        for line in (letter.name, letter.address, letter.postal_code):
            if line:
                pdf.multi_cell(0, 6, text(line), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(12)
        for paragraph in letter_paragraphs(
            letter, brand_name=brand_name, inbound_number=inbound_number
        ):
            pdf.multi_cell(0, 6, text(paragraph), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(4)
    return bytes(pdf.output())
