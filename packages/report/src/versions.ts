import { createHash } from "node:crypto";
import type { ReportData, ReportSpec, ReportTable } from "./types.js";

/** Stable JSON: object keys sorted, so equal data hash equally whatever order they were built in. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v as object)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v ?? null);
}

export const sha256Hex = (text: string | Uint8Array): string => createHash("sha256").update(text).digest("hex");

/** The hash of what a report renders from: a new version is due when the live data hash differently from the last frozen one. */
export const reportDataHash = (d: ReportData): string => sha256Hex(stableJson(d));
export const reportSpecHash = (s: ReportSpec): string => sha256Hex(stableJson(s));

/** What the PRISMA 2020 flow for updated reviews needs of the previous version. */
export interface PreviousVersion {
  label: string;
  /** Included studies of the previous version, by id. */
  studyIds: string[];
  /** Reports of those studies. */
  reports: number;
}

export function previousVersionOf(label: string, d: ReportData): PreviousVersion {
  const inc = d.facts.studies.filter((s) => s.included);
  return { label, studyIds: inc.map((s) => s.id), reports: inc.reduce((n, s) => n + s.reports, 0) };
}

/**
 * The boxes of the PRISMA 2020 flow diagram for updated reviews (Page et
 * al. 2021, Figure 1 "for updated systematic reviews"): studies and reports
 * of the previous version, the new ones, and the totals.
 */
export function updateFlowTable(prev: PreviousVersion, d: ReportData): ReportTable {
  const before = new Set(prev.studyIds);
  const inc = d.facts.studies.filter((s) => s.included);
  const fresh = inc.filter((s) => !before.has(s.id));
  const dropped = prev.studyIds.filter((id) => !inc.some((s) => s.id === id));
  const sum = (xs: typeof inc) => xs.reduce((n, s) => n + s.reports, 0);
  return {
    id: "updateFlow",
    caption: `PRISMA 2020 flow for updated reviews: previous version (${prev.label}) and this version`,
    columns: ["Box", "Count"],
    rows: [
      ["Studies included in previous version of review", String(prev.studyIds.length)],
      ["Reports of studies included in previous version of review", String(prev.reports)],
      ["New studies included in review", String(fresh.length)],
      ["Reports of new included studies", String(sum(fresh))],
      ...(dropped.length ? [["Studies of the previous version no longer included", String(dropped.length)]] : []),
      ["Total studies included in review", String(inc.length)],
      ["Reports of total included studies", String(sum(inc))],
    ],
    note: "Identification and screening boxes of this version are in the PRISMA flow diagram above.",
  };
}

/** An audit entry as a change's cause. */
export interface AuditCause {
  at: string;
  actor: string;
  action: string;
  entity: string;
  entityId: string | null;
  reason: string | null;
  after?: unknown;
  before?: unknown;
}

export type ReportChangeKind =
  | "study-added" | "study-removed"
  | "effect-size-added" | "effect-size-removed" | "effect-size-changed"
  | "estimate-moved" | "analysis-added" | "analysis-removed"
  | "confidence-changed" | "finding-added" | "finding-removed"
  | "rating-changed" | "recommendation-added" | "recommendation-removed"
  | "search-added" | "count-changed";

export interface ReportChange {
  kind: ReportChangeKind;
  /** What changed, in words (a study's citation, an analysis and term). */
  subject: string;
  before: string | null;
  after: string | null;
  /** Audit entries that wrote it, oldest first (empty when the log names none, e.g. a change of the analysis code). */
  causes: Omit<AuditCause, "before" | "after">[];
}

const fx = (x: number | null | undefined, d = 4) => (x === null || x === undefined || !Number.isFinite(x) ? "—" : x.toFixed(d));
/** Differences below this are rounding of the same fit, not a move. */
const MOVED = 5e-7;

function byId<T extends { id: string }>(xs: readonly T[]): Map<string, T> {
  return new Map(xs.map((x) => [x.id, x]));
}

/**
 * What changed between two versions of a report's data: studies, effect
 * sizes, analyses' estimates and intervals, CERQual confidence,
 * recommendation ratings, searches and PRISMA counts, each with the audit
 * entries (written after `a` was frozen) that touched what changed.
 */
export function reportChanges(a: ReportData, b: ReportData, audit: readonly AuditCause[] = []): ReportChange[] {
  const out: ReportChange[] = [];
  const causes = (entities: readonly string[], ids: readonly string[]) => {
    const idSet = new Set(ids);
    return audit
      .filter((e) => entities.includes(e.entity) && (e.entityId ? idSet.has(e.entityId) : ids.some((id) => JSON.stringify(e.after ?? null).includes(`"${id}"`))))
      .sort((x, y) => x.at.localeCompare(y.at))
      .map(({ before: _b, after: _a, ...rest }) => rest);
  };

  const sa = byId(a.facts.studies), sb = byId(b.facts.studies);
  for (const s of b.facts.studies) {
    const was = sa.get(s.id);
    if (s.included && !was?.included) out.push({ kind: "study-added", subject: s.citation, before: was ? "not included" : null, after: "included", causes: causes(["studies", "studyReports"], [s.id]) });
  }
  for (const s of a.facts.studies) {
    const now = sb.get(s.id);
    if (s.included && !now?.included) out.push({ kind: "study-removed", subject: s.citation, before: "included", after: now ? "not included" : null, causes: causes(["studies", "studyReports"], [s.id]) });
  }

  const ea = byId(a.facts.effectSizes), eb = byId(b.facts.effectSizes);
  const esLabel = (e: ReportData["facts"]["effectSizes"][number]) => `${e.study}: ${e.outcome} (${e.measure})`;
  const esText = (e: ReportData["facts"]["effectSizes"][number]) => `yi ${fx(e.yi)}, vi ${fx(e.vi)}`;
  for (const e of b.facts.effectSizes) {
    const was = ea.get(e.id);
    if (!was) out.push({ kind: "effect-size-added", subject: esLabel(e), before: null, after: esText(e), causes: causes(["effectSizes"], [e.id]) });
    else if (was.yi !== e.yi || was.vi !== e.vi || was.measure !== e.measure) {
      out.push({ kind: "effect-size-changed", subject: esLabel(e), before: esText(was), after: esText(e), causes: causes(["effectSizes"], [e.id]) });
    }
  }
  for (const e of a.facts.effectSizes) if (!eb.has(e.id)) out.push({ kind: "effect-size-removed", subject: esLabel(e), before: esText(e), after: null, causes: causes(["effectSizes"], [e.id]) });

  const key = (x: { id: string }) => x.id;
  const aa = new Map(a.analyses.map((x) => [key(x), x])), ab = new Map(b.analyses.map((x) => [key(x), x]));
  for (const an of b.analyses) {
    const was = aa.get(an.id);
    const why = () => [...causes(["effectSizes"], [...new Set([...(was?.effectSizeIds ?? []), ...an.effectSizeIds])]), ...causes(["savedAnalyses"], [an.id])].sort((x, y) => x.at.localeCompare(y.at));
    if (!was) {
      out.push({ kind: "analysis-added", subject: an.name, before: null, after: an.error ?? `${an.coefficients.length} coefficient(s), k = ${an.k}`, causes: causes(["savedAnalyses"], [an.id]) });
      continue;
    }
    const ca = new Map(was.coefficients.map((c) => [c.term, c]));
    for (const c of an.coefficients) {
      const p = ca.get(c.term);
      const moved = !p || Math.abs(p.estimate - c.estimate) > MOVED || Math.abs(p.ciLower - c.ciLower) > MOVED || Math.abs(p.ciUpper - c.ciUpper) > MOVED;
      if (moved) {
        out.push({
          kind: "estimate-moved",
          subject: `${an.name}: ${c.term}${was.k !== an.k ? ` (k ${was.k} → ${an.k})` : ""}`,
          before: p ? `${fx(p.estimate)} (95% CI ${fx(p.ciLower)} to ${fx(p.ciUpper)})` : null,
          after: `${fx(c.estimate)} (95% CI ${fx(c.ciLower)} to ${fx(c.ciUpper)})`,
          causes: why(),
        });
      }
    }
    if (was.I2 !== null && an.I2 !== null && Math.abs(was.I2 - an.I2) > 1e-4) {
      out.push({ kind: "estimate-moved", subject: `${an.name}: I²`, before: `${fx(was.I2, 1)}%`, after: `${fx(an.I2, 1)}%`, causes: why() });
    }
    if (!!was.error !== !!an.error) out.push({ kind: "estimate-moved", subject: an.name, before: was.error ?? "fitted", after: an.error ?? "fitted", causes: why() });
  }
  for (const an of a.analyses) if (!ab.has(an.id)) out.push({ kind: "analysis-removed", subject: an.name, before: `k = ${an.k}`, after: null, causes: causes(["savedAnalyses"], [an.id]) });

  const qa = byId(a.facts.cerqual), qb = byId(b.facts.cerqual);
  for (const q of b.facts.cerqual) {
    const was = qa.get(q.id);
    if (!was) out.push({ kind: "finding-added", subject: q.statement, before: null, after: q.confidence ?? "not assessed", causes: causes(["qualitativeFindings"], [q.id]) });
    else if (was.confidence !== q.confidence) out.push({ kind: "confidence-changed", subject: q.statement, before: was.confidence ?? "not assessed", after: q.confidence ?? "not assessed", causes: causes(["qualitativeFindings"], [q.id]) });
  }
  for (const q of a.facts.cerqual) if (!qb.has(q.id)) out.push({ kind: "finding-removed", subject: q.statement, before: q.confidence ?? "not assessed", after: null, causes: causes(["qualitativeFindings"], [q.id]) });

  const ra = byId(a.facts.recommendations), rb = byId(b.facts.recommendations);
  for (const r of b.facts.recommendations) {
    const was = ra.get(r.id);
    if (!was) out.push({ kind: "recommendation-added", subject: r.text, before: null, after: r.rating ?? "no rating", causes: causes(["recommendations"], [r.id]) });
    else if (was.rating !== r.rating) out.push({ kind: "rating-changed", subject: r.text, before: was.rating ?? "no rating", after: r.rating ?? "no rating", causes: causes(["recommendations"], [r.id]) });
  }
  for (const r of a.facts.recommendations) if (!rb.has(r.id)) out.push({ kind: "recommendation-removed", subject: r.text, before: r.rating ?? "no rating", after: null, causes: causes(["recommendations"], [r.id]) });

  const sra = byId(a.facts.searches);
  for (const s of b.facts.searches) if (!sra.has(s.id)) out.push({ kind: "search-added", subject: `${s.source}${s.date ? ` (${s.date})` : ""}`, before: null, after: s.resultsCount === null ? "searched" : `${s.resultsCount} records`, causes: causes(["searches", "records", "importBatches"], [s.id]) });

  for (const [k, v] of Object.entries(b.facts.prisma)) {
    const was = a.facts.prisma[k];
    if ((was?.value ?? null) !== v.value) {
      out.push({
        kind: "count-changed",
        subject: `PRISMA: ${k.replace(/_/g, " ")}`,
        before: was?.value == null ? "—" : String(was.value),
        after: v.value == null ? "—" : String(v.value),
        causes: audit
          .filter((e) => ["records", "searches", "importBatches", "screeningDecisions", "reconciliations", "recordedCounts", "fullTextRetrievals", "duplicateGroups"].includes(e.entity))
          .slice(-5)
          .map(({ before: _b, after: _a, ...rest }) => rest),
      });
    }
  }
  return out;
}
