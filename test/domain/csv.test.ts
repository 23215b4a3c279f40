// CSV for spreadsheets: exact output for examples, the formula defences, and a
// property test that reads random tables back with a strict RFC 4180 parser
// written here (so the check does not trust the library that wrote the file).
import t from 'tap';
import fc from 'fast-check';
import { decimal, DecimalCell, FORMULA_START, toCsv, type Cell } from '../../src/domain/csv.ts';

const BOM = '\uFEFF';

/**
 * Strict RFC 4180: a BOM first, every record ended by CRLF, quotes only around
 * whole fields with "" inside; a bare CR, LF or quote in an unquoted field is
 * an error, because that is where spreadsheets would split a row.
 */
function parseCsv(text: string): string[][] {
  if (!text.startsWith(BOM)) throw new Error('no BOM');
  const records: string[][] = [];
  let record: string[] = [];
  let i = BOM.length;
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i += 1;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new Error('unterminated quoted field');
        field += text.slice(i, q);
        if (text[q + 1] === '"') {
          field += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
    } else {
      let j = i;
      while (j < text.length && text[j] !== ',' && text[j] !== '\r' && text[j] !== '\n') {
        if (text[j] === '"') throw new Error(`quote inside an unquoted field at ${j}`);
        j += 1;
      }
      field = text.slice(i, j);
      i = j;
    }
    record.push(field);
    if (text[i] === ',') {
      i += 1;
    } else if (text.startsWith('\r\n', i)) {
      records.push(record);
      record = [];
      i += 2;
    } else {
      throw new Error(`unexpected ${JSON.stringify(text[i])} at ${i}`);
    }
  }
  if (record.length > 0) throw new Error('the last record has no CRLF');
  return records;
}

t.test('a table: BOM, CRLF, quoting only where needed, numbers and empties', async (t) => {
  const csv = toCsv(
    ['name', 'amount', 'count', 'comment'],
    [
      ['Ada Park', decimal('1234.50'), 3, 'plain'],
      ['Park, Ada', decimal('-12.50'), -2, 'she said "thanks"'],
      ['Bo', null, 0, 'two\nlines'],
      ['Cy', decimal('5000'), 1.5, 'a\rb'],
      ['Dee', decimal('0.00074'), null, 'x\r\ny'],
    ],
  );
  t.equal(
    csv,
    BOM +
      'name,amount,count,comment\r\n' +
      'Ada Park,1234.50,3,plain\r\n' +
      '"Park, Ada",-12.50,-2,"she said ""thanks"""\r\n' +
      'Bo,,0,"two\nlines"\r\n' +
      'Cy,5000,1.5,"a\rb"\r\n' +
      'Dee,0.00074,,"x\r\ny"\r\n',
  );
  t.same([...Buffer.from(csv, 'utf8').subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with a BOM, so Excel reads it as UTF-8');
  t.same(parseCsv(csv)[2], ['Park, Ada', '-12.50', '-2', 'she said "thanks"']);
});

t.test('an empty table is its header line', async (t) => {
  t.equal(toCsv(['a', 'b'], []), `${BOM}a,b\r\n`);
});

t.test('text that a spreadsheet would run as a formula gets a leading apostrophe', async (t) => {
  const cases: [string, string][] = [
    ['=HYPERLINK("http://evil")', `"'=HYPERLINK(""http://evil"")"`],
    ['=1+2', "'=1+2"],
    ['+1', "'+1"],
    ['-12.50', "'-12.50"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['\r=1', `"'\r=1"`],
    ['\uFF1D1+1', "'\uFF1D1+1"],
    ['\uFF0B1', "'\uFF0B1"],
    ['\uFF0D1', "'\uFF0D1"],
    ['\uFF20x', "'\uFF20x"],
  ];
  for (const [input, written] of cases) {
    t.equal(toCsv(['x'], [[input]]), `${BOM}x\r\n${written}\r\n`, JSON.stringify(input));
  }
  for (const harmless of ['a=1', ' =1', "'quoted", '1-2', 'Ada', '']) {
    t.equal(toCsv(['x'], [[harmless]]), `${BOM}x\r\n${harmless}\r\n`, `${JSON.stringify(harmless)} is left alone`);
  }
  t.equal(toCsv(['=x'], []), `${BOM}'=x\r\n`, 'headings are text too');
});

t.test('numbers we write ourselves are never mangled', async (t) => {
  t.equal(toCsv(['n', 'm'], [[-12, decimal('-12.50')]]), `${BOM}n,m\r\n-12,-12.50\r\n`);
  t.equal(toCsv(['n'], [[-0]]), `${BOM}n\r\n0\r\n`);
});

t.test('decimal() accepts plain decimals only, so it cannot smuggle a formula', async (t) => {
  for (const ok of ['0', '5000', '-12.50', '1234.50', '0.00074']) t.equal(decimal(ok).text, ok);
  for (const bad of ['', '-', '=1', '+1', '1e5', ' 1', '1 ', '1.', '.5', '1,000', '1\n', '--1', 'NaN', '１']) {
    t.throws(() => decimal(bad), RangeError, `refuses ${JSON.stringify(bad)}`);
  }
  t.ok(decimal('1') instanceof DecimalCell);
});

t.test('mistakes in the table are bugs, not output', async (t) => {
  t.throws(() => toCsv(['a', 'b'], [['only one']]), /row 0 has 1 cells for 2 columns/);
  t.throws(() => toCsv(['a'], [['x', 'y']]), /row 0 has 2 cells for 1 columns/);
  for (const n of [NaN, Infinity, -Infinity]) t.throws(() => toCsv(['a'], [[n]]), RangeError, String(n));
});

// Strings rich in what matters here (formula starters, quotes, separators,
// line ends, apostrophes), and arbitrary Unicode besides.
const tricky = fc.string({ unit: fc.constantFrom('=', '+', '-', '@', '\t', '\r', '\n', '"', ',', "'", ' ', 'a', '1', '.', 'é', '\uFF1D', '\uFF20', '한') });
const text = fc.oneof(tricky, fc.string({ unit: 'binary' }));
const decimalText = fc
  .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 24n }), fc.option(fc.stringMatching(/^\d{1,12}$/), { nil: undefined }))
  .map(([negative, whole, fraction]) => `${negative ? '-' : ''}${whole}${fraction === undefined ? '' : `.${fraction}`}`);
const cell: fc.Arbitrary<Cell> = fc.oneof(
  text,
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  decimalText.map(decimal),
  fc.constant(null),
);
const tableArb = fc.integer({ min: 1, max: 6 }).chain((width) =>
  fc.record({
    header: fc.array(text, { minLength: width, maxLength: width }),
    rows: fc.array(fc.array(cell, { minLength: width, maxLength: width }), { maxLength: 8 }),
  }),
);

t.test('property: every table reads back cell for cell, and no text cell starts a formula', async (t) => {
  t.doesNotThrow(() =>
    fc.assert(
      fc.property(tableArb, ({ header, rows }) => {
        const parsed = parseCsv(toCsv(header, rows));
        if (parsed.length !== rows.length + 1) return false;
        const expected: Cell[][] = [header, ...rows];
        return expected.every((cells, r) =>
          cells.every((original, c) => {
            const got = parsed[r]?.[c];
            if (got === undefined || parsed[r]?.length !== cells.length) return false;
            if (original === null) return got === '';
            if (typeof original === 'number') return got === String(original);
            if (original instanceof DecimalCell) return got === original.text;
            // Text: never a formula in the file, and the original once the
            // neutralising apostrophe (added exactly when needed) is removed.
            if (FORMULA_START.test(got)) return false;
            return FORMULA_START.test(original) ? got === `'${original}` : got === original;
          }),
        );
      }),
      { numRuns: 500 },
    ),
  );
});
