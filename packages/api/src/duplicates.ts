import { z } from "zod";
import type { BibRecord, DuplicatePair } from "@homeward/model";
import type { DedupeProjectResult, FieldComparison, PairVerdict } from "@homeward/records";
import { IdParams } from "./core.js";
import { route } from "./route.js";

export const PairParams = z.object({ id: z.string().min(1), pairId: z.string().min(1) });

/** A maybe-queue pair with both records and how their fields compare. */
export interface DuplicatePairView {
  pair: DuplicatePair;
  a: BibRecord;
  b: BibRecord;
  fields: FieldComparison[];
  verdict: PairVerdict;
}

/** Duplicate detection and the maybe queue. */
export const duplicatesRoutes = {
  dedupe: route<DedupeProjectResult>()({
    method: "POST",
    path: "/api/projects/:id/dedupe",
    params: IdParams,
    summary: "link duplicate records into groups; uncertain pairs join the maybe queue",
  }),
  getDuplicatePair: route<DuplicatePairView>()({
    method: "GET",
    path: "/api/projects/:id/duplicate-pairs/:pairId",
    params: PairParams,
    summary: "a duplicate pair side by side, compared field by field",
  }),
} as const;
