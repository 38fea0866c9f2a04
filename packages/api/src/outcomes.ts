import { z } from "zod";
import type { CodedItem, EffectSize, Outcome, OutcomeDataInput, Study } from "@homeward/model";
import { checkedBody, route } from "./route.js";

export const OutcomeStudyParams = z.object({ id: z.string().min(1), studyId: z.string().min(1) });
export const OutcomeParams = z.object({ id: z.string().min(1), studyId: z.string().min(1), outcomeId: z.string().min(1) });
export const OutcomeDataParams = z.object({ id: z.string().min(1), studyId: z.string().min(1), outcomeId: z.string().min(1), dataId: z.string().min(1) });

const label = (what: string) => z.string({ error: `give the ${what}'s label` }).trim().min(1, `give the ${what}'s label`).max(500);
const optText = z.string().trim().max(2000).nullable().optional();

/** The study's arms in order; an arm without an id is new (the server gives it one). */
export const ArmsBody = z
  .object({
    arms: z.array(z.object({ id: z.string().trim().min(1).optional(), label: label("arm"), description: optText, n: z.number().int("an arm's n is a whole number").min(0).nullable().optional() }).strict()),
  })
  .strict();
export const TimePointsBody = z.object({ timePoints: z.array(z.object({ id: z.string().trim().min(1).optional(), label: label("time point") }).strict()) }).strict();

export const OutcomeBody = z
  .object({
    name: z.string({ error: "give the outcome's name" }).trim().min(1, "give the outcome's name").max(500),
    /** A code of the protocol's outcome domains. */
    domain: z.string().trim().min(1).nullable().optional(),
    /** The measure or instrument, e.g. "Child Behavior Checklist, total problems". */
    measure: optText,
    timing: optText,
    /** true: higher is better; false: higher is worse (its effect sizes are recoded once). */
    higherIsBetter: z.boolean({ error: "say whether higher is better (true) or worse (false)" }).nullable().optional(),
  })
  .strict();
export const OutcomePatchBody = OutcomeBody.partial().strict();

/**
 * Outcome data: group 1 and group 2 (arm ids of the study), the time point,
 * and the data in the form reported (`OutcomeData`, checked by the server so
 * that messages name study, outcome and field).
 */
export const OutcomeDataBody = z
  .object({
    armIds: z.tuple([z.string().min(1), z.string().min(1)], { error: "name two arms: group 1 and group 2" }),
    timePointId: z.string().min(1).nullable().optional(),
    inputs: checkedBody<OutcomeDataInput>(),
  })
  .strict();

/** One outcome with its data rows (each an effect size with its inputs, formula, reference and chain). */
export interface OutcomeWithData extends Outcome {
  data: EffectSize[];
}

export interface StudyOutcomesAnswer {
  study: Pick<Study, "id" | "name" | "arms" | "timePoints">;
  outcomes: OutcomeWithData[];
  /** The protocol's outcome domains, for choosing an outcome's domain. */
  domains: CodedItem[];
}

/**
 * A study's arms, time points and outcomes, and outcome data entered as
 * reported, each turned into one effect size (with its chain) when saved.
 * Who acts and when come from the session.
 */
export const outcomeRoutes = {
  list: route<StudyOutcomesAnswer>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/studies/:studyId/outcomes",
    params: OutcomeStudyParams,
    summary: "a study's arms, time points and outcomes with their data as reported and the computed effect sizes with their chains",
  }),
  arms: route<Study>()({
    method: "PUT", access: "reviewer",
    path: "/api/projects/:id/studies/:studyId/arms",
    params: OutcomeStudyParams,
    body: ArmsBody,
    bodyName: "arms",
    summary: "set a study's arms (new ones get an id; an arm with outcome data cannot be removed)",
  }),
  timePoints: route<Study>()({
    method: "PUT", access: "reviewer",
    path: "/api/projects/:id/studies/:studyId/time-points",
    params: OutcomeStudyParams,
    body: TimePointsBody,
    bodyName: "time points",
    summary: "set a study's time points (new ones get an id; a time point with outcome data cannot be removed)",
  }),
  addOutcome: route<Outcome>()({
    method: "POST", access: "reviewer",
    path: "/api/projects/:id/studies/:studyId/outcomes",
    params: OutcomeStudyParams,
    body: OutcomeBody,
    bodyName: "outcome",
    status: 201,
    summary: "add an outcome to a study (domain from the protocol, direction, measure)",
  }),
  editOutcome: route<OutcomeWithData>()({
    method: "PATCH", access: "reviewer",
    path: "/api/projects/:id/studies/:studyId/outcomes/:outcomeId",
    params: OutcomeParams,
    body: OutcomePatchBody,
    bodyName: "outcome change",
    summary: "change an outcome; its effect sizes are recomputed in the same transaction (a change of direction recodes them)",
  }),
  addData: route<EffectSize>()({
    method: "POST", access: "reviewer",
    path: "/api/projects/:id/studies/:studyId/outcomes/:outcomeId/data",
    params: OutcomeParams,
    body: OutcomeDataBody,
    bodyName: "outcome data",
    status: 201,
    summary: "enter an outcome's data as reported for two arms at a time point; its effect size is computed through meta (400 naming study, outcome and field when it cannot be)",
  }),
  editData: route<EffectSize>()({
    method: "PUT", access: "reviewer",
    path: "/api/projects/:id/studies/:studyId/outcomes/:outcomeId/data/:dataId",
    params: OutcomeDataParams,
    body: OutcomeDataBody,
    bodyName: "outcome data",
    summary: "change an outcome's data; its effect size is recomputed from the new inputs",
  }),
} as const;
