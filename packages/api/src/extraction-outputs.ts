import { z } from "zod";
import type { CharacteristicsTable } from "@homeward/extraction";
import { IdParams } from "./core.js";
import { route, type FileAnswer } from "./route.js";

export type { CharacteristicsTable };

export const CharacteristicsQuery = z.object({
  /** Item codes, comma-separated, in the order of the columns; without, every study-level item some study has a value for. */
  items: z.string().max(5000).optional(),
  /** A value of the protocol's synthesis strand scheme (e.g. "effectiveness"): only its studies, as the seed's Appendices C and D. */
  strand: z.string().min(1).max(200).optional(),
  caption: z.string().max(500).optional(),
  format: z.enum(["json", "csv"]).default("json"),
});

export const ExtractionExportQuery = z.object({
  layout: z.enum(["wide", "long"], { error: 'layout must be "wide" (studies × items) or "long" (one row per value)' }).default("wide"),
});

export interface CharacteristicsAnswer extends CharacteristicsTable {
  /** The strands the protocol declares, for choosing the table's studies. */
  strands: { code: string; label: string }[];
}

/**
 * The extraction stage's outputs: the characteristics-of-studies table and
 * the studies × items exports. Values a caller may not see under blinding
 * are left out, as on the forms.
 */
export const extractionOutputRoutes = {
  characteristics: route<CharacteristicsAnswer>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/extraction/characteristics",
    params: IdParams,
    query: CharacteristicsQuery,
    summary: "characteristics of included studies from the codebook (consensus values, else the extraction, else the study's transcribed attribute), as JSON or CSV",
  }),
  export: route<FileAnswer>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/extraction/export",
    params: IdParams,
    query: ExtractionExportQuery,
    summary: "studies × items as CSV: wide (one column per item) or long (study, item, outcome, value, reviewer, status, source)",
  }),
} as const;
