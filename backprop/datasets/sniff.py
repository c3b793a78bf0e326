"""How a CSV is written: its delimiter (comma, semicolon, tab, pipe) and decimal mark,
guessed from its first lines."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class CsvFormat:
    """How a CSV was read: its ``delimiter``, ``decimal`` mark and header ``fields``."""

    delimiter: str
    decimal: str
    fields: int

    def describe(self) -> str:
        mark = "comma" if self.decimal == "," else "point"
        return f"{CSV_DELIMITERS[self.delimiter]}-separated, decimal {mark}"


CSV_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
SNIFF_LINES = 50
_NUMBER = r"\s*[+-]?(?:\d+(?:{0}\d*)?|{0}\d+)(?:[eE][+-]?\d+)?\s*"
_DOT_NUMBER = re.compile(_NUMBER.format(r"\.") + "$")
_COMMA_NUMBER = re.compile(_NUMBER.format(",") + "$")


def sniff_csv(text: str) -> CsvFormat:
    """The delimiter that splits the first lines of ``text`` into the same number (>= 2) of
    fields, the one whose cells read as numbers breaking ties; comma if none does. Then a
    decimal comma if the delimiter is not a comma and numbers use commas but never points.
    """
    f = io.StringIO(text)
    lines = [ln for ln in (f.readline() for _ in range(SNIFF_LINES)) if ln.strip()]
    best, best_score, best_cells = ",", None, []
    for d in CSV_DELIMITERS:
        rows = _rows(lines, d)
        h = len(rows[0]) if rows else 0
        if h < 2:
            continue
        cells = [c for r in rows[1:] for c in r]
        numeric = sum(bool(_DOT_NUMBER.match(c) or _COMMA_NUMBER.match(c)) for c in cells)
        agree = sum(len(r) == h for r in rows)
        score = (agree == len(rows), numeric, agree, h)
        if best_score is None or score > best_score:
            best, best_score, best_cells = d, score, cells
    points = any("." in c and _DOT_NUMBER.match(c) for c in best_cells)
    commas = any("," in c and _COMMA_NUMBER.match(c) for c in best_cells)
    decimal = "," if best != "," and commas and not points else "."
    fields = len(next(iter(_rows(lines[:1], best)), []))
    return CsvFormat(best, decimal, max(fields, 1))


def _rows(lines: list[str], delimiter: str) -> list[list[str]]:
    """``lines`` split by ``delimiter``; none where Python's csv module gives up (a field
    over its 128 KiB limit, say): pandas reads the file then, and says what is wrong."""
    try:
        return list(csv.reader(lines, delimiter=delimiter))
    except csv.Error:
        return []
