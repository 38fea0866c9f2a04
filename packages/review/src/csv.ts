import { stringify } from "csv-stringify/sync";

/**
 * CSV as RFC 4180 describes it: comma-separated, CRLF line ends, fields
 * quoted when they hold a comma, quote or line break, quotes doubled.
 * Numbers are written as JavaScript prints them; null/undefined as empty.
 */
export type CsvValue = string | number | boolean | null | undefined;

export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  // csv-stringify does the quoting (a line break inside a cell is quoted too, not only CRLF); booleans are written as JavaScript prints them, not as 1/"".
  return stringify([header, ...rows] as CsvValue[][], { record_delimiter: "\r\n", quoted_match: /[\r\n]/, cast: { boolean: (v) => String(v) } });
}
