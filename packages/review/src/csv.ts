/**
 * CSV as RFC 4180 describes it: comma-separated, CRLF line ends, fields
 * quoted when they hold a comma, quote or line break, quotes doubled.
 * Numbers are written as JavaScript prints them; null/undefined as empty.
 */
export type CsvValue = string | number | boolean | null | undefined;

export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  const cell = (v: CsvValue) => {
    if (v === null || v === undefined) return "";
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
}
