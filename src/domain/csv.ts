// CSV for spreadsheets: RFC 4180 text that Excel, LibreOffice and Numbers open
// as intended (UTF-8 with a BOM, CRLF line ends, fields quoted when needed),
// with formula injection neutralised. Pure: builds a string, does no I/O.
import { stringify } from 'csv-stringify/sync';

// Exact decimals in major units (money from formatMajor, exchange rates):
// digits, an optional minus, an optional fraction. Nothing else may pass as a
// number, or the type would be a way around the formula check below.
const PLAIN_DECIMAL = /^-?\d+(?:\.\d+)?$/;

/**
 * A number we formatted ourselves and write as it is, e.g. "1234.50" or
 * "-12.50". Only `decimal()` makes one, and it accepts plain decimals only.
 */
export class DecimalCell {
  private constructor(readonly text: string) {}

  static of(text: string): DecimalCell {
    if (!PLAIN_DECIMAL.test(text)) throw new RangeError(`Not a plain decimal: ${JSON.stringify(text.slice(0, 40))}`);
    return new DecimalCell(text);
  }
}

export function decimal(text: string): DecimalCell {
  return DecimalCell.of(text);
}

/** Free text (a string), a number (a JS number or a DecimalCell), or empty (null). */
export type Cell = string | number | DecimalCell | null;

/**
 * First characters that make a spreadsheet read a cell as a formula (OWASP
 * "CSV Injection"): a donor named `=HYPERLINK(...)` must stay a name. Tab and
 * CR are there because some programs skip them before looking for `=`. The
 * full-width forms are there because Numbers folds them to their ASCII twins.
 */
export const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

// Free text gets the neutralising apostrophe; numbers never do. That is why
// the cell types are kept apart: a refund written as the number -12.50 must
// stay a number the spreadsheet can add up, while a name that happens to
// start with "-" or "=" is text and is defused.
function cellText(cell: Cell): string {
  if (cell === null) return '';
  if (cell instanceof DecimalCell) return cell.text;
  if (typeof cell === 'number') {
    if (!Number.isFinite(cell)) throw new RangeError(`A CSV number must be finite, got ${cell}`);
    return String(cell);
  }
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  rows.forEach((row, i) => {
    // A short or long row would put values under the wrong heading (an
    // e-mail under "comment"), so it is a bug, not something to pad.
    if (row.length !== header.length) {
      throw new RangeError(`CSV row ${i} has ${row.length} cells for ${header.length} columns`);
    }
  });
  const records = [header.map(cellText), ...rows.map((row) => row.map(cellText))];
  return stringify(records, {
    bom: true,
    record_delimiter: 'windows',
    // With a record delimiter given, csv-stringify would quote only fields
    // containing the whole CRLF; a lone LF or CR inside a comment would then
    // split the row in every spreadsheet.
    quote_record_delimiter: true,
  });
}
