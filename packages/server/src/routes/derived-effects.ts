import { InputError, type Outcome, type Study } from "@homeward/model";
import { checkComparison, effectSizeFromOutcomeData, type DerivedEffect } from "@homeward/review";
import type { Store } from "@homeward/store";

/** A study of the project, or a 404 (and a 404 naming the project when it is the project that is missing). */
export async function studyOf(store: Store, projectId: string, studyId: string): Promise<Study> {
  const study = (await store.list(projectId, "studies", { id: [studyId] }))[0];
  if (!study) {
    await store.getProject(projectId);
    throw new InputError(`study "${studyId}" is not in this project`, 404);
  }
  return study;
}

/**
 * The effect size of outcome data as reported, after checking the arms and
 * time point compared belong to the study: shared by the outcome routes and
 * the extraction checks, so data entered and data corrected by a check are
 * turned into an effect size by the same rule.
 */
export function deriveEffect(study: Study, outcome: Outcome, armIds: [string, string], timePointId: string | null, inputs: unknown): DerivedEffect {
  checkComparison(study, outcome, armIds, timePointId);
  return effectSizeFromOutcomeData(study, outcome, inputs);
}

/** The stored fields of a derived effect size, signed by whoever's write produced it. */
export const effectSizeFields = (d: DerivedEffect, armIds: string[], timePointId: string | null, actor: string) => ({
  measure: d.measure,
  inputs: d.inputs as Record<string, unknown>,
  yi: d.yi,
  vi: d.vi,
  method: d.method,
  provenance: d.provenance,
  formula: d.formula,
  reference: d.reference,
  chain: d.chain as unknown as Record<string, unknown>[],
  recoded: d.recoded,
  armIds,
  timePointId,
  createdBy: actor,
  createdAt: new Date().toISOString(),
});
