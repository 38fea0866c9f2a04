import type { AnalysisCell, AnalysisData, AnalysisRow } from "./analysis-data.js";

/**
 * A codebook value standing for a study (outcomeId null) or for one of its
 * outcomes: the consensus value, else the single or agreeing extraction (the
 * extraction package's `settledValues`). `value` undefined: nothing stands.
 */
export interface StandingValue {
  studyId: string;
  outcomeId: string | null;
  code: string;
  value: unknown;
}

/** A value as a moderator: text, number or yes/no as they are; a list of codes as one category ("a+b", sorted); grids and records none. */
function moderatorCell(v: unknown): AnalysisCell | undefined {
  if (v === null || typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v.length ? [...new Set(v)].sort().join("+") : null;
  return undefined;
}

/**
 * The analysis rows with one moderator column per codebook item (in the
 * order of `codes`) that holds a usable value: a study-level item's value on
 * every row of the study, a per-outcome item's on the rows of that outcome.
 * A code already taken by another column is prefixed "codebook.". Items
 * with no usable value (grids, nothing extracted) add no column.
 */
export function withCodebookValues(data: AnalysisData, codes: readonly string[], values: readonly StandingValue[]): AnalysisData {
  const byStudy = new Map<string, Map<string, AnalysisCell>>();
  const byOutcome = new Map<string, Map<string, AnalysisCell>>();
  const used = new Set<string>();
  for (const v of values) {
    const cell = moderatorCell(v.value);
    if (cell === undefined) continue;
    const [m, key] = v.outcomeId === null ? [byStudy, v.studyId] : [byOutcome, v.outcomeId];
    (m.get(key) ?? m.set(key, new Map()).get(key)!).set(v.code, cell);
    used.add(v.code);
  }
  const taken = new Set(data.columns);
  const cols = codes.filter((c) => used.has(c)).map((code) => ({ code, col: taken.has(code) ? `codebook.${code}` : code }));
  if (!cols.length) return data;
  const rows: AnalysisRow[] = data.rows.map((r) => {
    const s = typeof r.studyId === "string" ? byStudy.get(r.studyId) : undefined;
    const o = typeof r.outcomeId === "string" ? byOutcome.get(r.outcomeId) : undefined;
    const out: AnalysisRow = { ...r };
    for (const { code, col } of cols) out[col] = o?.get(code) ?? s?.get(code) ?? null;
    return out;
  });
  return { ...data, columns: [...data.columns, ...cols.map((c) => c.col)], rows };
}
