/**
 * Tokens as CSV (RFC 4180: comma-separated, fields with commas, quotes or line breaks quoted,
 * `""` for a quote inside). The first line names the columns; `idToken` and `type` are required,
 * the others optional and in any order:
 *
 *     idToken,type,status,expiresAt,groupIdToken,groupIdTokenType,language1,language2,personalMessage,evseIds
 *     04A2B3C4D5,ISO14443,Accepted,2027-01-01T00:00:00Z,FLEET-1,Central,en,,Welcome,1;2
 *
 * `groupIdTokenType` defaults to `Central`; `personalMessage` is UTF8 text; `evseIds` are
 * separated by `;`. An empty cell is an absent field. Every line is checked against the token
 * schema; the first bad one makes the whole import fail, naming its line (nothing is imported).
 *
 * Writing (`csvRecord`, `csvField`) is the exports' (the transaction history): every text cell
 * that a spreadsheet would take for a formula is neutralised there.
 */
import { InvalidInputError } from '../../errors';

/**
 * The characters that make a spreadsheet read a cell as a formula (CSV injection, CWE-1236):
 * `=`, `+`, `-`, `@`, and a leading tab or carriage return some spreadsheets skip before them.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A text cell of an export, neutralised: one that would start a formula gets a leading `'`, which
 * spreadsheets show as text and never evaluate. Exports only: what stations send (idTokens,
 * reasons) reaches the operator's spreadsheet, and an import keeps what it is given.
 */
export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/**
 * One field of an exported record (RFC 4180): null empty, numbers as they are, text neutralised
 * (`neutraliseFormula`), then quoted when it holds a comma, a quote or a line break, quotes doubled.
 */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const text = neutraliseFormula(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One exported record, CRLF-ended (RFC 4180 §2). */
export function csvRecord(fields: readonly (string | number | null | undefined)[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}
import type { TokenInput } from '../config';

export const CSV_COLUMNS = [
  'idToken',
  'type',
  'status',
  'expiresAt',
  'groupIdToken',
  'groupIdTokenType',
  'language1',
  'language2',
  'personalMessage',
  'evseIds',
] as const;

type Column = (typeof CSV_COLUMNS)[number];

/** Records of the text with the line each one starts on (1-based). */
export function parseCsvRecords(text: string): { line: number; fields: string[] }[] {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: recordLine, fields });
    fields = [];
    field = '';
  };
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  while (i < source.length) {
    const c = source[i]!;
    if (quoted) {
      if (c === '"' && source[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else {
        if (c === '\n') line += 1;
        field += c;
      }
      i += 1;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && source[i + 1] === '\n') i += 1;
      endRecord();
      line += 1;
      recordLine = line;
    } else if (c === '"') throw new InvalidInputError(`line ${line}`, 'a quote inside an unquoted field (quote the whole field, and double the quote)');
    else field += c;
    i += 1;
  }
  if (quoted) throw new InvalidInputError(`line ${recordLine}`, 'a quoted field is not closed');
  endRecord();
  return records;
}

/** Tokens of a CSV text, each with its line; InvalidInputError names the line and the field. */
export function tokensFromCsv(text: string): { line: number; token: TokenInput }[] {
  const records = parseCsvRecords(text);
  const header = records.shift();
  if (!header) throw new InvalidInputError('line 1', 'the header line is missing (idToken,type,...)');
  const columns = header.fields.map((name) => name.trim());
  for (const name of columns) {
    if (!(CSV_COLUMNS as readonly string[]).includes(name)) {
      throw new InvalidInputError(`line ${header.line}`, `unknown column ${JSON.stringify(name)} (allowed: ${CSV_COLUMNS.join(', ')})`);
    }
  }
  for (const required of ['idToken', 'type']) {
    if (!columns.includes(required)) throw new InvalidInputError(`line ${header.line}`, `the column ${required} is required`);
  }
  return records.map(({ line, fields }) => {
    if (fields.length !== columns.length) {
      throw new InvalidInputError(`line ${line}`, `${fields.length} fields where the header has ${columns.length}`);
    }
    const cell = new Map<Column, string>();
    columns.forEach((name, index) => {
      const value = fields[index]!.trim();
      if (value !== '') cell.set(name as Column, value);
    });
    const token: Record<string, unknown> = { idToken: cell.get('idToken'), type: cell.get('type') };
    for (const name of ['status', 'expiresAt', 'language1', 'language2'] as const) if (cell.has(name)) token[name] = cell.get(name);
    if (cell.has('groupIdToken')) token.groupIdToken = { idToken: cell.get('groupIdToken'), type: cell.get('groupIdTokenType') ?? 'Central' };
    if (cell.has('personalMessage')) token.personalMessage = { format: 'UTF8', content: cell.get('personalMessage') };
    if (cell.has('evseIds')) {
      token.evseIds = cell
        .get('evseIds')!
        .split(';')
        .map((id) => (/^\s*\d+\s*$/.test(id) ? Number(id) : id.trim()));
    }
    if (token.idToken === undefined) delete token.idToken;
    if (token.type === undefined) delete token.type;
    return { line, token: token as unknown as TokenInput };
  });
}
