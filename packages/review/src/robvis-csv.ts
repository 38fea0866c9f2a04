import { toCsv } from "./csv.js";

/** One study's row as robvis reads it: judgements per domain id (robvis labels), the overall and the weight. */
export interface RobvisCsvRow {
  study: string;
  judgements: Record<string, string | null>;
  overall: string | null;
  weight: number;
}

/** A tool's robvis table (the appraisal route's robvis answer has this shape). */
export interface RobvisTable {
  tool: { id: string; name: string; version?: string };
  domains: readonly { id: string }[];
  rows: readonly RobvisCsvRow[];
}

/**
 * The CSV robvis's `rob_summary` and `rob_traffic_light` read (McGuinness &
 * Higgins 2021): columns by position, Study, D1…Dn, Overall, Weight. One
 * implementation for the appraisal route's download and the reproducibility
 * bundle, so the two files are the same bytes.
 */
export function robvisCsv(table: Pick<RobvisTable, "domains" | "rows">): string {
  const columns = ["Study", ...table.domains.map((d) => d.id), "Overall", "Weight"];
  return toCsv(columns, table.rows.map((row) => [row.study, ...table.domains.map((d) => row.judgements[d.id] ?? null), row.overall, row.weight]));
}
