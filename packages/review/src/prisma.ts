import {
  flowKey,
  parseFlowKey,
  recordFlow,
  recordedExclusionReason,
  type FlowCount,
  type BibRecord,
  type DuplicateGroup,
  type FullTextRetrieval,
  type Protocol,
  type RecordedCount,
  type Reconciliation,
  type ScreeningDecision,
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
export type FlowDecision = Pick<ScreeningDecision, "id" | "recordId" | "stage" | "reviewer" | "decision" | "reasons" | "at">;

/** Records one search identified, and how many of them are duplicates (see `isDuplicate`). */
export interface SearchRecordCount {
  searchId: string;
  records: number;
  duplicates: number;
}

/** What every form of the flow's input holds: the protocol, searches, the team's recorded counts, studies and their reports. */
interface FlowBase extends StudiesInput {
  protocol: Pick<Protocol, "classifications" | "exclusionReasons">;
  searches: readonly Search[];
  recordedCounts: readonly RecordedCount[];
  studyReports: readonly StudyReport[];
}

/**
 * The flow counted from numbers, however many records a project holds: per
 * search, the records identified, and the records at each place in the flow
 * (`FlowCount`, keyed by the model's `flowKey`; every place but "not yet
 * screened"). The store keeps both in step in every write's transaction.
 */
export interface FlowInput extends FlowBase {
  identified: readonly Pick<SearchRecordCount, "searchId" | "records">[];
  flowCounts: readonly FlowCount[];
}

/**
 * The flow counted from a project's records and screening held in memory
 * (a project file): `records` must then be every record. When `identified`
 * and `flowCounts` are given, they are what is counted and the record-level
 * collections are not read here (the report reads the decisions for its
 * screening facts).
 */
export interface PrismaInput extends FlowBase {
  records: readonly FlowRecord[];
  duplicateGroups: readonly DuplicateGroup[];
  /** In the store's order: by time, then id. */
  screeningDecisions: readonly FlowDecision[];
  reconciliations: readonly Reconciliation[];
  fullTextRetrievals: readonly FullTextRetrieval[];
  identified?: FlowInput["identified"];
  flowCounts?: FlowInput["flowCounts"];
}

/** The collections of `FlowInput` read whole (records are read as counts). */
export const FLOW_INPUT_COLLECTIONS = ["searches", "recordedCounts", "studies", "studyReports"] as const satisfies readonly (keyof FlowInput)[];

const DBR_KINDS: ReadonlySet<SearchKind> = new Set(["database", "register"]);

/**
 * A duplicate is a member of a duplicate group other than its primary: it is
 * counted as identified and removed before screening.
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

/**
 * Per search, the records at each place in the flow, counted from every
 * record of a project held in memory through the model's `recordFlow`: the
 * rule by which the store keeps the same counts in step with its writes.
 */
export function flowCounts(p: Pick<PrismaInput, "records" | "duplicateGroups" | "screeningDecisions" | "reconciliations" | "fullTextRetrievals">): FlowCount[] {
  const primaryOf = new Map(p.duplicateGroups.map((g) => [g.id, g.primaryRecordId]));
  const byRecord = <T extends { recordId: string }>(xs: readonly T[]) => {
    const m = new Map<string, T[]>();
    for (const x of xs) {
      const l = m.get(x.recordId);
      if (l) l.push(x);
      else m.set(x.recordId, [x]);
    }
    return m;
  };
  const decisions = byRecord(p.screeningDecisions);
  const reconciliations = byRecord(p.reconciliations);
  const retrievals = byRecord(p.fullTextRetrievals);
  const out = new Map<string, FlowCount>();
  for (const r of p.records) {
    if (r.searchId === null) continue;
    const key = flowKey(
      recordFlow({
        duplicate: isDuplicate(r, primaryOf),
        decisions: decisions.get(r.id) ?? [],
        reconciliations: reconciliations.get(r.id) ?? [],
        retrievals: retrievals.get(r.id) ?? [],
      }),
    );
    if (key === "") continue;
    const k = `${r.searchId}\n${key}`;
    const c = out.get(k);
    if (c) c.n++;
    else out.set(k, { searchId: r.searchId, key, n: 1 });
  }
  return [...out.values()];
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

function liveSides(p: FlowInput | PrismaInput): { dbr: Side; other: Side } {
  const kindOf = new Map(p.searches.map((s) => [s.id, s.kind]));
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
  const counted = p.identified !== undefined && p.flowCounts !== undefined;
  const identified = counted ? p.identified! : identifiedCounts((p as PrismaInput).records, (p as PrismaInput).duplicateGroups);
  const places = counted ? p.flowCounts! : flowCounts(p as PrismaInput);
  for (const c of identified) {
    // '' holds the records no search found: they are not in the flow.
    if (c.records === 0 || c.searchId === "") continue;
    const { kind, side } = sideOf(c.searchId);
    side.hasRecords = true;
    side.identified.set(kind, (side.identified.get(kind) ?? 0) + c.records);
  }
  // Past identification only records with a decision or a retrieval move; the rest were identified and wait.
  for (const { searchId, key, n } of places) {
    if (n === 0 || searchId === "" || key === "") continue;
    const f = parseFlowKey(key);
    const { side } = sideOf(searchId);
    if (f.duplicate) {
      side.duplicates += n;
      continue;
    }
    if (f.titleAbstractDecided) side.hasTitleAbstract = true;
    const t = f.titleAbstract;
    if (t) {
      side.screened += n;
      if (t === "exclude") side.excluded += n;
    }
    // Reports are sought for records kept at title/abstract ("maybe" goes on to full text),
    // and for records that enter at full text directly (other methods have no screening box).
    const atFullText = f.fullTextDecided || f.retrieval !== "none";
    const sought = t ? t !== "exclude" : atFullText;
    if (!sought) continue;
    side.sought += n;
    if (atFullText) side.hasFullText = true;
    if (f.retrieval === "not_retrieved") {
      side.notRetrieved += n;
      continue;
    }
    if (f.fullText && f.fullText !== "maybe") {
      side.assessed += n;
      if (f.fullText === "exclude") {
        const code = recordedExclusionReason(p.protocol, f.fullTextReasons) ?? "Reason not recorded";
        const label = labelOf(p.protocol.exclusionReasons, code);
        side.excludedReasons[label] = (side.excludedReasons[label] ?? 0) + n;
      }
    }
  }
  return { dbr, other };
}

/** Team-entered counts per field: values summed over sources; reasons merged. */
function recordedTotals(p: FlowBase): Map<string, { value: number; reasons: ReasonCounts | null }> {
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
export function prismaFlow(p: FlowInput | PrismaInput): PrismaFlow {
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
