import { z } from "zod";
import { Project, StudyReport, Study, BibRecord } from "./entities.js";

/** Bodies and query strings of the HTTP API (see packages/server/README.md). */

export const ProjectCreate = z.object({
  title: Project.shape.title,
  description: Project.shape.description,
});
export type ProjectCreate = z.input<typeof ProjectCreate>;

export const ProjectPatch = z
  .object({ title: Project.shape.title.optional(), description: z.string().max(20_000).optional() })
  .strict()
  .refine((p) => p.title !== undefined || p.description !== undefined, { message: "nothing to change" });
export type ProjectPatch = z.infer<typeof ProjectPatch>;

const offset = z.coerce.number().int().min(0).default(0);
const limit = z.coerce.number().int().min(1).max(1000).default(100);

export const PageQuery = z.object({ offset, limit });
export type PageQuery = z.infer<typeof PageQuery>;

export const RecordSort = z.enum(["title", "year", "authors", "journal", "createdAt"]);
export type RecordSort = z.infer<typeof RecordSort>;

export const RecordsQuery = z.object({
  offset,
  limit,
  sort: RecordSort.default("createdAt"),
  dir: z.enum(["asc", "desc"]).default("asc"),
  /** Words to find in title, abstract, authors, journal, keywords, DOI (all must occur; prefixes match). */
  q: z.string().trim().max(500).optional(),
  /**
   * The id of the last record of the page before (the same sort and search): the page is then the
   * records after it, read from the index without skipping `offset` entries. Ignored for the year
   * sort and when the record is not found.
   */
  after: z.string().max(500).optional(),
});
export type RecordsQuery = z.infer<typeof RecordsQuery>;
export type RecordsQueryInput = z.input<typeof RecordsQuery>;

export interface Page<T> {
  /** Entities in all (at least this many when `totalCapped`). */
  total: number;
  /** Set when a search's matches were counted only up to `total` (the records table says "more than"). */
  totalCapped?: true;
  /**
   * Set when a search's page was answered without counting its matches: `total` is then only the
   * matches up to this page's end, and `GET …/records-count` counts them.
   */
  uncounted?: true;
  offset: number;
  limit: number;
  items: T[];
}

/** The records a records-table query holds (a search's matches counted up to a cap, `totalCapped` past it). */
export interface RecordsCount {
  total: number;
  totalCapped?: true;
}

/** The columns of the records table view; the full record is at /records/:id. */
export type RecordSummary = Pick<
  BibRecord,
  "id" | "title" | "authors" | "year" | "journal" | "doi" | "pmid" | "searchId" | "duplicateGroupId" | "createdAt"
>;

export interface ProjectSummary extends Project {
  counts: { records: number; studies: number };
}

export const DashboardStageName = z.enum(["identified", "duplicates", "screened", "fulltext", "included"]);
export interface DashboardStage {
  stage: z.infer<typeof DashboardStageName>;
  /** null when the project holds neither live data nor a recorded count for the stage. */
  count: number | null;
  /**
   * "live" = counted from data in Homeward; "recorded" = counts the team
   * entered for work done elsewhere; "mixed" = a sum of live and recorded
   * parts; "none" = no data.
   */
  source: "live" | "recorded" | "mixed" | "none";
}

export interface ProjectDetail extends ProjectSummary {
  dashboard: { stages: DashboardStage[] };
}

export type StudyReportView = StudyReport & { record: RecordSummary | null };
export type StudyView = Study & { leadReport: StudyReportView | null; reports: StudyReportView[] };

export interface ApiError {
  error: string;
  details?: unknown[];
}
