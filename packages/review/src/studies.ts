import { InputError, type Study, type StudyReport } from "@homeward/model";

/**
 * Forming studies from the reports a review includes, and keeping the link
 * between them right as the team learns more: several reports of one study
 * (one of them the lead), a report split off into a study of its own, two
 * studies merged. The rules are here; the reads and writes go through
 * `StudiesStore`, whose transaction audits each write with who and why.
 */

/** What a study's name is made from. */
export interface StudyRecord {
  id: string;
  title: string;
  authors: string[];
  year: number | null;
}

export type NewStudy = Pick<Study, "name"> & Partial<Pick<Study, "shortCitation">>;
export type NewReport = Pick<StudyReport, "studyId" | "recordId" | "role">;

/** Reads and writes inside one transaction. */
export interface StudiesTx {
  /** Waits for, then holds off, other changes to the project's studies until this transaction ends. */
  lock(): Promise<void>;
  /** The study; a 404 when there is none. */
  study(id: string): Promise<Study>;
  studies(): Promise<Study[]>;
  reportsOfStudies(studyIds: string[]): Promise<StudyReport[]>;
  reportsOfRecords(recordIds: string[]): Promise<StudyReport[]>;
  records(ids: string[]): Promise<StudyRecord[]>;
  insertStudies(studies: NewStudy[]): Promise<Study[]>;
  insertReports(reports: NewReport[]): Promise<StudyReport[]>;
  updateReport(id: string, patch: Partial<Pick<StudyReport, "studyId" | "role">>): Promise<StudyReport>;
  /** Refused (409) while extraction, appraisals or findings refer to the study. */
  removeStudy(id: string): Promise<void>;
  /** One audit entry summing up the change (the writes above are audited one by one as well). */
  note(action: string, entityId: string | null, before: unknown, after: unknown): Promise<void>;
}

export interface StudiesStore {
  /** Records included at full text, a duplicate group once (by its primary), in record order. */
  fullTextIncludes(): Promise<string[]>;
  transaction<T>(fn: (tx: StudiesTx) => Promise<T>): Promise<T>;
}

// ------------------------------------------------------------------ names

/** A first author's family name: "Smith, J." → "Smith"; "Jane Smith" → "Smith". */
export function familyName(author: string): string {
  const a = author.trim();
  if (a.includes(",")) return a.slice(0, a.indexOf(",")).trim();
  const parts = a.split(/\s+/);
  return parts[parts.length - 1] ?? a;
}

/** "Smith 2019" from the record's first author and year; "n.d." without a year; the title's first words without authors. */
export function baseStudyName(r: Pick<StudyRecord, "title" | "authors" | "year">): string {
  const first = r.authors.find((a) => a.trim() !== "");
  const who = first ? familyName(first) : r.title.trim().split(/\s+/).slice(0, 4).join(" ") || "Untitled";
  return `${who} ${r.year ?? "n.d."}`;
}

/**
 * Names for new studies from their records, none equal to a name in
 * `taken` or to each other: the second "Smith 2019" becomes "Smith 2019b"
 * (and the next "Smith 2019c"), as reference lists tell same-name works apart.
 */
export function studyNames(records: readonly Pick<StudyRecord, "title" | "authors" | "year">[], taken: Iterable<string>): string[] {
  const used = new Set([...taken].map((n) => n.toLowerCase()));
  return records.map((r) => {
    const base = baseStudyName(r);
    let name = base;
    for (let i = 1; used.has(name.toLowerCase()); i++) name = `${base}${suffix(i)}`;
    used.add(name.toLowerCase());
    return name;
  });
}

/** b, c, … z, then ba, bb … (a stays with the first work). */
function suffix(i: number): string {
  let s = "";
  let n = i;
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26);
  } while (n > 0);
  return s;
}

// ------------------------------------------------------------------ use cases

export interface FormAnswer {
  created: Study[];
}

/**
 * One study per included record not yet a report of any study, with that
 * record as its lead, in one transaction; records already in a study keep
 * their place, so forming again after more includes adds only the new ones.
 */
export async function formStudies(store: StudiesStore): Promise<FormAnswer> {
  const included = await store.fullTextIncludes();
  return store.transaction(async (tx) => {
    await tx.lock();
    const linked = new Set((await tx.reportsOfRecords(included)).map((r) => r.recordId));
    const open = included.filter((id) => !linked.has(id));
    if (open.length === 0) return { created: [] };
    const records = await tx.records(open);
    const byId = new Map(records.map((r) => [r.id, r]));
    const ordered = open.map((id) => byId.get(id)).filter((r): r is StudyRecord => r !== undefined);
    const names = studyNames(ordered, (await tx.studies()).map((s) => s.name));
    const created = await tx.insertStudies(ordered.map((r, i) => ({ name: names[i]!, shortCitation: names[i]! })));
    await tx.insertReports(created.map((s, i) => ({ studyId: s.id, recordId: ordered[i]!.id, role: "lead" as const })));
    await tx.note("studies.form", null, null, { count: created.length, studyIds: created.map((s) => s.id), recordIds: ordered.map((r) => r.id) });
    return { created };
  });
}

/** Adds an included record to a study as a linked report; a record already a report of a study is a 409 naming it. */
export async function linkReport(store: StudiesStore, studyId: string, recordId: string): Promise<StudyReport> {
  const included = new Set(await store.fullTextIncludes());
  if (!included.has(recordId)) throw new InputError(`record "${recordId}" is not included at full text, so it cannot be a report of a study`, 409);
  return store.transaction(async (tx) => {
    await tx.lock();
    const study = await tx.study(studyId);
    const [already] = await tx.reportsOfRecords([recordId]);
    if (already) {
      const other = await tx.study(already.studyId);
      throw new InputError(`the record is already a report of "${other.name}"; merge the studies, or split it off first`, 409);
    }
    const [report] = await tx.insertReports([{ studyId: study.id, recordId, role: "linked" }]);
    return report!;
  });
}

/** Makes one of the study's reports its lead; the lead it had becomes a linked report. */
export async function setLead(store: StudiesStore, studyId: string, reportId: string): Promise<StudyReport[]> {
  return store.transaction(async (tx) => {
    await tx.study(studyId);
    const reports = await tx.reportsOfStudies([studyId]);
    const chosen = reports.find((r) => r.id === reportId);
    if (!chosen) throw new InputError(`report "${reportId}" is not a report of this study`, 404);
    if (chosen.role === "lead") return reports;
    // The old lead steps down first: a study never has two leads, even inside the transaction.
    for (const r of reports) if (r.role === "lead") await tx.updateReport(r.id, { role: "linked" });
    await tx.updateReport(chosen.id, { role: "lead" });
    return tx.reportsOfStudies([studyId]);
  });
}

export interface SplitAnswer {
  study: Study;
  report: StudyReport;
}

/**
 * Takes a linked report out of its study into a new study of its own (its
 * lead), named from its record. The lead is not split off: the study would
 * be left without one; the team makes another report the lead first.
 */
export async function splitReport(store: StudiesStore, studyId: string, reportId: string): Promise<SplitAnswer> {
  return store.transaction(async (tx) => {
    const from = await tx.study(studyId);
    const reports = await tx.reportsOfStudies([studyId]);
    const report = reports.find((r) => r.id === reportId);
    if (!report) throw new InputError(`report "${reportId}" is not a report of "${from.name}"`, 404);
    if (report.role === "lead") throw new InputError(`the lead report of "${from.name}" cannot be split off; make another report the lead first`, 409);
    const [record] = report.recordId ? await tx.records([report.recordId]) : [];
    const base = record ?? { title: report.citation ?? "Untitled", authors: [], year: null };
    const [name] = studyNames([base], (await tx.studies()).map((s) => s.name));
    const [study] = await tx.insertStudies([{ name: name!, shortCitation: name! }]);
    const moved = await tx.updateReport(report.id, { studyId: study!.id, role: "lead" });
    await tx.note("studies.split", study!.id, { studyId: from.id, report }, { studyId: study!.id, report: moved });
    return { study: study!, report: moved };
  });
}

export interface MergeAnswer {
  study: Study;
  moved: StudyReport[];
}

/**
 * Merges study `fromId` into `intoId`: its reports move (as linked reports;
 * `intoId` keeps its lead) and it is removed, its last state kept in the
 * audit log. A study that extraction, appraisals or findings refer to is
 * not removed: the merge is refused and nothing moves.
 */
export async function mergeStudies(store: StudiesStore, intoId: string, fromId: string): Promise<MergeAnswer> {
  if (intoId === fromId) throw new InputError("a study cannot be merged into itself");
  return store.transaction(async (tx) => {
    const into = await tx.study(intoId);
    const from = await tx.study(fromId);
    const reports = await tx.reportsOfStudies([fromId]);
    const moved: StudyReport[] = [];
    for (const r of reports) moved.push(await tx.updateReport(r.id, { studyId: into.id, role: "linked" }));
    try {
      await tx.removeStudy(from.id);
    } catch (err) {
      if (err instanceof InputError && err.status === 409) throw new InputError(`"${from.name}" cannot be merged away: ${err.message}; move or remove that first`, 409);
      throw err;
    }
    await tx.note("studies.merge", into.id, { into, from, reports }, { into: into.id, moved: moved.map((r) => r.id) });
    return { study: into, moved };
  });
}
