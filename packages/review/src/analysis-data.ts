/**
 * A project's effect sizes as the data rows of a meta spec: one row per
 * effect size with its yi and vi, joined to its outcome and study so that
 * `study`, `outcome`, the study's classifications and their attributes can
 * serve as grouping columns and moderators.
 */
import { measureCounts } from "@homeward/meta";
import type { EffectSize, Outcome, Protocol, Study } from "@homeward/model";

export type AnalysisCell = string | number | boolean | null;
export type AnalysisRow = Record<string, AnalysisCell>;

export interface AnalysisData {
  /** Column names in a stable order: the fixed ones, then study classifications, study attributes, outcome attributes. */
  columns: string[];
  rows: AnalysisRow[];
  /** Effect sizes left out, with the reason (no yi or vi yet). */
  skipped: { effectSizeId: string; reason: string }[];
  /**
   * The effect measures of the rows, most frequent first. A model pools one
   * (the meta spec's "measure" selects it and refuses rows that mix them),
   * so a front end offers these as a filter, the first as the default.
   */
  measures: { measure: string; rows: number }[];
}

/** Columns every row has, in this order. */
export const EFFECT_SIZE_COLUMNS = [
  "effectSizeId", "yi", "vi", "measure", "method",
  "studyId", "study", "design", "country",
  "outcomeId", "outcome", "domain", "timing", "outcomeMeasure", "higherIsBetter",
  "timePoint", "arms",
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

/**
 * The schemes studies are classified by, in the protocol's order (then any
 * other scheme a study uses, by code), each with its values in order.
 */
function schemesOf(studies: readonly Study[], protocol?: Pick<Protocol, "classifications">): { code: string; values: string[] }[] {
  const out = (protocol?.classifications ?? []).map((c) => ({ code: c.code, values: c.values.map((v) => v.code) }));
  const byCode = new Map(out.map((c) => [c.code, c]));
  const extra: { code: string; values: string[] }[] = [];
  for (const s of studies) {
    for (const [code, v] of Object.entries(s.classifications)) {
      let scheme = byCode.get(code);
      if (!scheme) byCode.set(code, (scheme = { code, values: [] })), extra.push(scheme);
      for (const x of Array.isArray(v) ? v : [v]) if (!scheme.values.includes(x)) scheme.values.push(x);
    }
  }
  extra.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  for (const c of extra) c.values.sort();
  return [...out, ...extra];
}

/**
 * Without the protocol, classification columns follow the codes the studies
 * use; with it, its order of schemes and values.
 */
export function effectSizeRows(p: {
  studies: readonly Study[];
  outcomes: readonly Outcome[];
  effectSizes: readonly EffectSize[];
  protocol?: Pick<Protocol, "classifications">;
}): AnalysisData {
  const studies = new Map(p.studies.map((s) => [s.id, s]));
  const outcomes = new Map(p.outcomes.map((o) => [o.id, o]));
  const studyLabel = uniqueLabels(p.studies, (s) => s.name);
  const outcomeLabel = uniqueLabels(p.outcomes, (o) => o.name, (o) => o.studyId);

  // One column per classification scheme, holding the study's value code; a study with several
  // values of a scheme gets them joined by "+" in the scheme's order, one category per combination.
  const taken = new Set<string>(EFFECT_SIZE_COLUMNS);
  const schemes = schemesOf(p.studies, p.protocol).filter((c) => p.studies.some((s) => c.code in s.classifications));
  const classCol = new Map<string, string>();
  for (const c of schemes) classCol.set(c.code, taken.has(c.code) ? `study.${c.code}` : c.code);
  for (const col of classCol.values()) taken.add(col);
  const classCell = (s: Study, scheme: { code: string; values: string[] }): AnalysisCell => {
    const v = s.classifications[scheme.code];
    if (v === undefined) return null;
    if (!Array.isArray(v)) return v;
    return v.length ? [...new Set(v)].sort((a, b) => scheme.values.indexOf(a) - scheme.values.indexOf(b)).join("+") : null;
  };

  // Attribute columns: scalar values only (nested objects are documentation, not variables);
  // a name already taken by a fixed column or by the study gets an "outcome." / "study." prefix.
  const studyAttr = new Map<string, string>();
  const outcomeAttr = new Map<string, string>();
  const studyName = (k: string) => (!taken.has(k) ? k : !taken.has(`study.${k}`) ? `study.${k}` : `study.attributes.${k}`);
  for (const s of p.studies) for (const [k, v] of Object.entries(s.attributes)) if (scalar(v) && !studyAttr.has(k)) studyAttr.set(k, studyName(k));
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
      studyId: s.id, study: studyLabel.get(s.id)!, design: s.design, country: s.country,
      outcomeId: o.id, outcome: outcomeLabel.get(o.id)!, domain: o.domain, timing: o.timing, outcomeMeasure: o.measure, higherIsBetter: o.higherIsBetter,
      // The study's time point and the arms compared, by label, as the outcome data names them (ids mean nothing to a model).
      timePoint: es.timePointId ? (s.timePoints.find((t) => t.id === es.timePointId)?.label ?? es.timePointId) : null,
      arms: es.armIds?.length ? es.armIds.map((a) => s.arms.find((x) => x.id === a)?.label ?? a).join(" vs ") : null,
    };
    for (const c of schemes) row[classCol.get(c.code)!] = classCell(s, c);
    for (const [k, col] of studyAttr) row[col] = scalar(s.attributes[k]) ? (s.attributes[k] as AnalysisCell) : null;
    for (const [k, col] of outcomeAttr) row[col] = scalar(o.attributes[k]) ? (o.attributes[k] as AnalysisCell) : null;
    rows.push(row);
  }
  return {
    columns: [...EFFECT_SIZE_COLUMNS, ...classCol.values(), ...studyAttr.values(), ...outcomeAttr.values()],
    rows,
    skipped,
    measures: measureCounts(rows),
  };
}
