import {
  recordedExclusionReason,
  type BibRecord,
  type Decision,
  type DuplicateGroup,
  type FullTextRetrieval,
  type Protocol,
  type RecordedCount,
  type Reconciliation,
  type ScreeningDecision,
  type ScreeningStage,
  type Search,
  type SearchKind,
  type StudyReport,
} from "@homeward/model";
import { includedStudies, labelOf, type StudiesInput } from "./project.js";

/**
 * PRISMA 2020 flow counts (Page et al., BMJ 2021;372:n71) under the field
 * names of the PRISMA2020 R package / Shiny app (Haddaway et al., Campbell
 * Systematic Reviews 2022;18:e1230). "dbr_" = identified via databases and
 * registers, "other_" = via other methods (websites, organisations, citation
 * searching). Both excluded-with-reasons fields are {reason: n}, as the
 * package takes them ("reason, n; reason, n").
 *
 * `other_results` is not one of the package's fields: it holds records from
 * searches of kind "other" (e.g. Google Scholar), which the PRISMA 2020
 * template lists under other methods as a source of their own ("Citation
 * searching (n = ) etc."), so that they are never counted as citation
 * searching.
 */
export const PRISMA_FIELDS = [
  "database_results",
  "register_results",
  "duplicates",
  "records_screened",
  "records_excluded",
  "dbr_sought_reports",
  "dbr_notretrieved_reports",
  "dbr_assessed",
  "dbr_excluded",
  "website_results",
  "organisation_results",
  "citations_results",
  "other_results",
  "other_sought_reports",
  "other_notretrieved_reports",
  "other_assessed",
  "other_excluded",
  "new_studies",
  "new_reports",
] as const;
export type PrismaCountField = (typeof PRISMA_FIELDS)[number];

type ReasonCounts = Record<string, number>;
export type PrismaCounts = { [F in PrismaCountField]: F extends "dbr_excluded" | "other_excluded" ? ReasonCounts | null : number | null };

/**
 * Where each number comes from: "live" = counted from records, decisions and
 * studies held in Homeward; "recorded" = counts the team entered for work
 * done elsewhere (or a search's reported number of results); "none" = no
 * data of either kind.
 */
export type PrismaSource = "live" | "recorded" | "none";

export interface PrismaFlow {
  prisma: PrismaCounts;
  prismaSource: Record<PrismaCountField, PrismaSource>;
}

/** What the flow needs of a record: which search found it and whether it is a duplicate. */
export type FlowRecord = Pick<BibRecord, "id" | "searchId" | "duplicateGroupId">;

/** What the flow needs of a screening decision (the store reads just these columns). */
export type FlowDecision = Pick<ScreeningDecision, "recordId" | "stage" | "reviewer" | "decision" | "reasons" | "at">;

/** Records one search identified, and how many of them are duplicates (see `isDuplicate`). */
export interface SearchRecordCount {
  searchId: string;
  records: number;
  duplicates: number;
}

/**
 * What the flow is counted from. Records are the one part that grows with a
 * search: the identification boxes need only how many each search found
 * (`identified`), and the later boxes follow only records that have a
 * screening decision or a full-text retrieval, so those are all `records`
 * must hold, and only the three fields the flow reads.
 */
export interface PrismaInput extends StudiesInput {
  protocol: Pick<Protocol, "classifications" | "exclusionReasons">;
  searches: readonly Search[];
  /**
   * Records the flow follows past identification (at least every record with
   * a decision or a retrieval; more do no harm). When `identified` is left
   * out, it is counted from these, which must then be every record.
   */
  records: readonly FlowRecord[];
  /** At least the groups of `records` (every group when `identified` is left out). */
  duplicateGroups: readonly DuplicateGroup[];
  /** Per search, the records it identified and the duplicates among them (an aggregate query over the store). */
  identified?: readonly SearchRecordCount[];
  /** In the store's order: by time, then id. */
  screeningDecisions: readonly FlowDecision[];
  reconciliations: readonly Reconciliation[];
  fullTextRetrievals: readonly FullTextRetrieval[];
  recordedCounts: readonly RecordedCount[];
  studyReports: readonly StudyReport[];
}

/**
 * The collections of `PrismaInput` read whole (records are read as counts and
 * `FlowRecord`s, duplicate groups as those of the followed records,
 * decisions as `FlowDecision`s).
 */
export const PRISMA_INPUT_COLLECTIONS = [
  "searches",
  "reconciliations",
  "fullTextRetrievals",
  "recordedCounts",
  "studies",
  "studyReports",
] as const satisfies readonly (keyof PrismaInput)[];

const DBR_KINDS: ReadonlySet<SearchKind> = new Set(["database", "register"]);

/**
 * A duplicate is a member of a duplicate group other than its primary: it is
 * counted as identified and removed before screening. (The store counts the
 * same rule in SQL for `identified`.)
 */
export function isDuplicate(r: FlowRecord, primaryOf: ReadonlyMap<string, string>): boolean {
  return r.duplicateGroupId !== null && primaryOf.get(r.duplicateGroupId) !== r.id;
}

/** Per search, records identified and duplicates among them, counted from every record of a project held in memory. */
export function identifiedCounts(records: readonly FlowRecord[], duplicateGroups: readonly Pick<DuplicateGroup, "id" | "primaryRecordId">[]): SearchRecordCount[] {
  const primaryOf = new Map(duplicateGroups.map((g) => [g.id, g.primaryRecordId]));
  const out = new Map<string, SearchRecordCount>();
  for (const r of records) {
    // Only records a search identified are in the flow; a record without one is a
    // report attached to a study (bibliography), not a search result.
    if (r.searchId === null) continue;
    let c = out.get(r.searchId);
    if (!c) out.set(r.searchId, (c = { searchId: r.searchId, records: 0, duplicates: 0 }));
    c.records++;
    if (isDuplicate(r, primaryOf)) c.duplicates++;
  }
  return [...out.values()];
}

/** The records the flow follows past identification: those with a decision or a retrieval. */
export function followedRecordIds(p: Pick<PrismaInput, "screeningDecisions" | "fullTextRetrievals">): string[] {
  return [...new Set([...p.screeningDecisions.map((d) => d.recordId), ...p.fullTextRetrievals.map((r) => r.recordId)])];
}

/** Final decision on a record at a stage: the latest reconciliation, else the reviewers' current decisions when they agree. */
function finalDecisions(p: PrismaInput, stage: ScreeningStage): Map<string, { decision: Decision; reasons: string[] }> {
  const current = new Map<string, Map<string, { decision: Decision; reasons: string[]; at: string }>>();
  for (const d of p.screeningDecisions) {
    if (d.stage !== stage) continue;
    let byReviewer = current.get(d.recordId);
    if (!byReviewer) current.set(d.recordId, (byReviewer = new Map()));
    const prev = byReviewer.get(d.reviewer);
    // Decisions are listed in insertion order, so ">=" keeps the later of equal timestamps.
    if (!prev || d.at >= prev.at) byReviewer.set(d.reviewer, { decision: d.decision, reasons: d.reasons, at: d.at });
  }
  const out = new Map<string, { decision: Decision; reasons: string[] }>();
  for (const [recordId, byReviewer] of current) {
    const ds = [...byReviewer.values()];
    if (ds.every((d) => d.decision === ds[0]!.decision)) out.set(recordId, { decision: ds[0]!.decision, reasons: ds[0]!.reasons });
  }
  const recon = new Map<string, { decision: Decision; reasons: string[]; at: string }>();
  for (const r of p.reconciliations) {
    if (r.stage !== stage) continue;
    const prev = recon.get(r.recordId);
    if (!prev || r.at >= prev.at) recon.set(r.recordId, r);
  }
  for (const [id, r] of recon) out.set(id, { decision: r.decision, reasons: r.reasons });
  return out;
}

interface Side {
  identified: Map<SearchKind, number>;
  duplicates: number;
  screened: number;
  excluded: number;
  sought: number;
  notRetrieved: number;
  assessed: number;
  excludedReasons: ReasonCounts;
  hasRecords: boolean;
  hasTitleAbstract: boolean;
  hasFullText: boolean;
}

function liveSides(p: PrismaInput): { dbr: Side; other: Side } {
  const kindOf = new Map(p.searches.map((s) => [s.id, s.kind]));
  const primaryOf = new Map(p.duplicateGroups.map((g) => [g.id, g.primaryRecordId]));
  const ta = finalDecisions(p, "title_abstract");
  const ft = finalDecisions(p, "full_text");
  const taAny = new Set(p.screeningDecisions.filter((d) => d.stage === "title_abstract").map((d) => d.recordId));
  const ftAny = new Set(p.screeningDecisions.filter((d) => d.stage === "full_text").map((d) => d.recordId));
  const retrieval = new Map<string, { status: string; updatedAt: string }>();
  for (const r of p.fullTextRetrievals) {
    const prev = retrieval.get(r.recordId);
    if (!prev || r.updatedAt >= prev.updatedAt) retrieval.set(r.recordId, r);
  }
  const blank = (): Side => ({
    identified: new Map(),
    duplicates: 0,
    screened: 0,
    excluded: 0,
    sought: 0,
    notRetrieved: 0,
    assessed: 0,
    excludedReasons: {},
    hasRecords: false,
    hasTitleAbstract: false,
    hasFullText: false,
  });
  const dbr = blank(), other = blank();
  const sideOf = (searchId: string): { kind: SearchKind; side: Side } => {
    const kind: SearchKind = kindOf.get(searchId) ?? "other";
    return { kind, side: DBR_KINDS.has(kind) ? dbr : other };
  };
  for (const c of p.identified ?? identifiedCounts(p.records, p.duplicateGroups)) {
    if (c.records === 0) continue;
    const { kind, side } = sideOf(c.searchId);
    side.hasRecords = true;
    side.identified.set(kind, (side.identified.get(kind) ?? 0) + c.records);
    side.duplicates += c.duplicates;
  }
  // Past identification only records with a decision or a retrieval move; the rest were identified and wait.
  for (const r of p.records) {
    if (r.searchId === null || isDuplicate(r, primaryOf)) continue;
    const { side } = sideOf(r.searchId);
    if (taAny.has(r.id)) side.hasTitleAbstract = true;
    const t = ta.get(r.id);
    if (t) {
      side.screened++;
      if (t.decision === "exclude") side.excluded++;
    }
    // Reports are sought for records kept at title/abstract ("maybe" goes on to full text),
    // and for records that enter at full text directly (other methods have no screening box).
    const ret = retrieval.get(r.id);
    const sought = t ? t.decision !== "exclude" : ftAny.has(r.id) || ret !== undefined;
    if (!sought) continue;
    side.sought++;
    if (ftAny.has(r.id) || ret) side.hasFullText = true;
    if (ret?.status === "not_retrieved") {
      side.notRetrieved++;
      continue;
    }
    const f = ft.get(r.id);
    if (f && f.decision !== "maybe") {
      side.assessed++;
      if (f.decision === "exclude") {
        const code = recordedExclusionReason(p.protocol, f.reasons) ?? "Reason not recorded";
        const label = labelOf(p.protocol.exclusionReasons, code);
        side.excludedReasons[label] = (side.excludedReasons[label] ?? 0) + 1;
      }
    }
  }
  return { dbr, other };
}

/** Team-entered counts per field: values summed over sources; reasons merged. */
function recordedTotals(p: PrismaInput): Map<string, { value: number; reasons: ReasonCounts | null }> {
  const out = new Map<string, { value: number; reasons: ReasonCounts | null }>();
  for (const c of p.recordedCounts) {
    const cur = out.get(c.field) ?? { value: 0, reasons: null };
    cur.value += c.value;
    if (c.reasons) {
      cur.reasons ??= {};
      for (const [code, n] of Object.entries(c.reasons)) {
        const label = labelOf(p.protocol.exclusionReasons, code);
        cur.reasons[label] = (cur.reasons[label] ?? 0) + n;
      }
    }
    out.set(c.field, cur);
  }
  return out;
}

/** Reason breakdown of a recorded excluded count; any remainder not broken down is shown as such. */
function reasonsOf(total: { value: number; reasons: ReasonCounts | null }): ReasonCounts {
  const reasons = { ...(total.reasons ?? {}) };
  const sum = Object.values(reasons).reduce((a, b) => a + b, 0);
  if (total.value > sum) reasons["Reason not recorded"] = total.value - sum;
  return reasons;
}

/**
 * PRISMA 2020 counts with provenance. For each number, live data win where
 * they exist (records for the identification boxes, title/abstract decisions
 * for screening, retrievals and full-text decisions for the report boxes,
 * studies and their reports for the included box); otherwise the team's
 * recorded count is used; for the identification boxes the searches'
 * reported numbers of results count as recorded.
 */
export function prismaFlow(p: PrismaInput): PrismaFlow {
  const { dbr, other } = liveSides(p);
  const rec = recordedTotals(p);
  const prisma = {} as Record<PrismaCountField, number | ReasonCounts | null>;
  const prismaSource = {} as Record<PrismaCountField, PrismaSource>;
  const searchResults = (kinds: SearchKind[]) => {
    const ss = p.searches.filter((s) => kinds.includes(s.kind) && s.resultsCount !== null);
    return ss.length ? ss.reduce((a, s) => a + s.resultsCount!, 0) : null;
  };
  const set = (field: PrismaCountField, live: boolean, liveValue: number | ReasonCounts, fallback?: number | null) => {
    if (live) {
      prisma[field] = liveValue;
      prismaSource[field] = "live";
      return;
    }
    const r = rec.get(field);
    if (r) {
      prisma[field] = field === "dbr_excluded" || field === "other_excluded" ? reasonsOf(r) : r.value;
      prismaSource[field] = "recorded";
    } else if (fallback != null) {
      prisma[field] = fallback;
      prismaSource[field] = "recorded";
    } else {
      prisma[field] = null;
      prismaSource[field] = "none";
    }
  };
  const ident = (side: Side, kinds: SearchKind[]) => kinds.reduce((a, k) => a + (side.identified.get(k) ?? 0), 0);
  const anyOf = (side: Side, kinds: SearchKind[]) => kinds.some((k) => side.identified.has(k));

  set("database_results", anyOf(dbr, ["database"]), ident(dbr, ["database"]), searchResults(["database"]));
  set("register_results", anyOf(dbr, ["register"]), ident(dbr, ["register"]), searchResults(["register"]));
  set("duplicates", dbr.hasRecords, dbr.duplicates);
  set("records_screened", dbr.hasTitleAbstract, dbr.screened);
  set("records_excluded", dbr.hasTitleAbstract, dbr.excluded);
  set("dbr_sought_reports", dbr.hasTitleAbstract || dbr.hasFullText, dbr.sought);
  set("dbr_notretrieved_reports", dbr.hasFullText, dbr.notRetrieved);
  set("dbr_assessed", dbr.hasFullText, dbr.assessed);
  set("dbr_excluded", dbr.hasFullText, dbr.excludedReasons);
  set("website_results", anyOf(other, ["website"]), ident(other, ["website"]), searchResults(["website"]));
  set("organisation_results", anyOf(other, ["organisation"]), ident(other, ["organisation"]), searchResults(["organisation"]));
  set("citations_results", anyOf(other, ["citation"]), ident(other, ["citation"]), searchResults(["citation"]));
  set("other_results", anyOf(other, ["other"]), ident(other, ["other"]), searchResults(["other"]));
  set("other_sought_reports", other.hasTitleAbstract || other.hasFullText, other.sought);
  set("other_notretrieved_reports", other.hasFullText, other.notRetrieved);
  set("other_assessed", other.hasFullText, other.assessed);
  set("other_excluded", other.hasFullText, other.excludedReasons);
  const included = includedStudies(p);
  const includedIds = new Set(included.map((s) => s.id));
  set("new_studies", included.length > 0, included.length);
  set("new_reports", included.length > 0, p.studyReports.filter((r) => includedIds.has(r.studyId)).length);
  return { prisma: prisma as PrismaCounts, prismaSource };
}

/** Sum of a reasons object (or a plain number), for arithmetic checks and drawing. */
export function total(v: number | ReasonCounts | null | undefined): number | null {
  if (v === null || v === undefined) return null;
  return typeof v === "number" ? v : Object.values(v).reduce((a, b) => a + b, 0);
}

export interface FlowCheck {
  /** The arithmetic identity, in PRISMA field names. */
  identity: string;
  expected: number;
  actual: number;
  /** "at most" when the identity is an inequality (the shown number may not exceed `expected`); equality otherwise. */
  relation?: "at most";
}

/**
 * Arithmetic a PRISMA flow must satisfy; each failure is reported, not
 * corrected (the counts are what the team recorded). Checks only identities
 * whose terms are all known.
 */
export function flowChecks(prisma: PrismaCounts): FlowCheck[] {
  const v = (f: PrismaCountField) => total(prisma[f] as number | ReasonCounts | null);
  const checks: [string, (number | null)[], number | null][] = [
    ["records_screened = database_results + register_results − duplicates", [v("database_results"), v("register_results") ?? 0, v("duplicates")], v("records_screened")],
    ["dbr_sought_reports = records_screened − records_excluded", [v("records_screened"), v("records_excluded")], v("dbr_sought_reports")],
    ["dbr_assessed = dbr_sought_reports − dbr_notretrieved_reports", [v("dbr_sought_reports"), v("dbr_notretrieved_reports")], v("dbr_assessed")],
    ["other_assessed = other_sought_reports − other_notretrieved_reports", [v("other_sought_reports"), v("other_notretrieved_reports")], v("other_assessed")],
  ];
  const out: FlowCheck[] = [];
  for (const [identity, terms, actual] of checks) {
    if (actual === null || terms.some((t) => t === null)) continue;
    const t = terms as number[];
    const expected = identity.startsWith("records_screened") ? t[0]! + t[1]! - t[2]! : t[0]! - t[1]!;
    if (expected !== actual) out.push({ identity, expected, actual });
  }
  // Reports that passed eligibility on each side: a side with neither number is absent
  // (no reports came that way); a side with only one of the two cannot be checked.
  const side = (assessed: PrismaCountField, excluded: PrismaCountField): number | null | undefined => {
    const a = v(assessed), e = v(excluded);
    if (a === null && e === null) return undefined;
    return a === null || e === null ? null : a - e;
  };
  const sides = [side("dbr_assessed", "dbr_excluded"), side("other_assessed", "other_excluded")];
  if (sides.some((x) => x !== undefined) && !sides.includes(null)) {
    const eligible = (sides as (number | undefined)[]).reduce<number>((a, x) => a + (x ?? 0), 0);
    const terms = [sides[0] !== undefined ? "dbr_assessed − dbr_excluded" : null, sides[1] !== undefined ? "other_assessed − other_excluded" : null]
      .filter((t) => t !== null)
      .join(" + ");
    const newReports = v("new_reports");
    const newStudies = v("new_studies");
    if (newReports !== null) {
      if (newReports !== eligible) out.push({ identity: `new_reports = ${terms}`, expected: eligible, actual: newReports });
    } else if (newStudies !== null && newStudies > eligible) {
      // Without a count of reports, a study can still not be included from no report.
      out.push({ identity: `new_studies ≤ ${terms}`, expected: eligible, actual: newStudies, relation: "at most" });
    }
    // Every included study has at least one included report.
    if (newReports !== null && newStudies !== null && newStudies > newReports)
      out.push({ identity: "new_studies ≤ new_reports", expected: newReports, actual: newStudies, relation: "at most" });
  }
  return out;
}
