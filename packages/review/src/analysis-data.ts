/**
 * A project's effect sizes as the data rows of a meta spec: one row per
 * effect size with its yi and vi, joined to its outcome and study so that
 * `study`, `outcome` and their attributes can serve as grouping columns and
 * moderators.
 */
import type { EffectSize, Outcome, Study } from "@homeward/model";

export type AnalysisCell = string | number | boolean | null;
export type AnalysisRow = Record<string, AnalysisCell>;

export interface AnalysisData {
  /** Column names in a stable order: the fixed ones, then study attributes, then outcome attributes. */
  columns: string[];
  rows: AnalysisRow[];
  /** Effect sizes left out, with the reason (no yi or vi yet). */
  skipped: { effectSizeId: string; reason: string }[];
}

/** Columns every row has, in this order. */
export const EFFECT_SIZE_COLUMNS = [
  "effectSizeId", "yi", "vi", "measure", "method",
  "studyId", "study", "design", "country", "strand",
  "outcomeId", "outcome", "domain", "timing", "outcomeMeasure", "higherIsBetter",
] as const;

/**
 * Labels unique within their scope: the name when it is unique, otherwise
 * "name (id)", so that two studies (or two outcomes of one study) with the
 * same name never fall into one group of a random effect.
 */
function uniqueLabels<T extends { id: string }>(items: readonly T[], name: (t: T) => string, scope: (t: T) => string = () => ""): Map<string, string> {
  const seen = new Map<string, number>();
  for (const t of items) {
    const key = `${scope(t)}\u0000${name(t)}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return new Map(items.map((t) => [t.id, (seen.get(`${scope(t)}\u0000${name(t)}`) ?? 0) > 1 ? `${name(t)} (${t.id})` : name(t)]));
}

const scalar = (v: unknown): v is AnalysisCell => v === null || typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));

export function effectSizeRows(p: { studies: readonly Study[]; outcomes: readonly Outcome[]; effectSizes: readonly EffectSize[] }): AnalysisData {
  const studies = new Map(p.studies.map((s) => [s.id, s]));
  const outcomes = new Map(p.outcomes.map((o) => [o.id, o]));
  const studyLabel = uniqueLabels(p.studies, (s) => s.name);
  const outcomeLabel = uniqueLabels(p.outcomes, (o) => o.name, (o) => o.studyId);

  // Attribute columns: scalar values only (nested objects are documentation, not variables);
  // a name already taken by a fixed column or by the study gets an "outcome." / "study." prefix.
  const taken = new Set<string>(EFFECT_SIZE_COLUMNS);
  const studyAttr = new Map<string, string>();
  const outcomeAttr = new Map<string, string>();
  for (const s of p.studies) for (const [k, v] of Object.entries(s.attributes)) if (scalar(v) && !studyAttr.has(k)) studyAttr.set(k, taken.has(k) ? `study.${k}` : k);
  for (const c of studyAttr.values()) taken.add(c);
  for (const o of p.outcomes) for (const [k, v] of Object.entries(o.attributes)) if (scalar(v) && !outcomeAttr.has(k)) outcomeAttr.set(k, taken.has(k) ? `outcome.${k}` : k);

  const rows: AnalysisRow[] = [];
  const skipped: AnalysisData["skipped"] = [];
  for (const es of p.effectSizes) {
    if (es.yi === null || es.vi === null) {
      skipped.push({ effectSizeId: es.id, reason: es.yi === null && es.vi === null ? "no yi and vi" : es.yi === null ? "no yi" : "no vi" });
      continue;
    }
    const o = outcomes.get(es.outcomeId);
    const s = o ? studies.get(o.studyId) : undefined;
    if (!o || !s) {
      // References are checked on every write, so this only happens with damaged data.
      skipped.push({ effectSizeId: es.id, reason: "its outcome or study is missing" });
      continue;
    }
    const row: AnalysisRow = {
      effectSizeId: es.id, yi: es.yi, vi: es.vi, measure: es.measure, method: es.method,
      studyId: s.id, study: studyLabel.get(s.id)!, design: s.design, country: s.country, strand: s.strand,
      outcomeId: o.id, outcome: outcomeLabel.get(o.id)!, domain: o.domain, timing: o.timing, outcomeMeasure: o.measure, higherIsBetter: o.higherIsBetter,
    };
    for (const [k, col] of studyAttr) row[col] = scalar(s.attributes[k]) ? (s.attributes[k] as AnalysisCell) : null;
    for (const [k, col] of outcomeAttr) row[col] = scalar(o.attributes[k]) ? (o.attributes[k] as AnalysisCell) : null;
    rows.push(row);
  }
  return { columns: [...EFFECT_SIZE_COLUMNS, ...studyAttr.values(), ...outcomeAttr.values()], rows, skipped };
}
