import type { Departure } from "./types.js";

/**
 * The reunification review's departure (seed 000, Methods, "Quality
 * appraisal": for RoB 2 and ROBINS-I non-blinding was not counted as a
 * cause for concern, because children, young people and parents know
 * whether they receive a service). Expressed for RoB 2 as participant
 * awareness (2.1) answered "Probably no"; a project that also wants
 * carers' or outcome assessors' awareness set aside adds 2.2 or 4.3.
 */
export const NON_BLINDING_NOT_A_CONCERN: Departure = {
  id: "non-blinding-not-a-concern",
  tools: ["rob2", "rob2-adhering"],
  // ROBINS-I (2016) proposes no domain judgement, so an override there would change nothing the engine reports.
  text: "Non-blinding of participants is not counted as a cause for concern: families always know whether they receive a reunification service, unlike participants in trials where blinding is possible.",
  source: "Review protocol and report, Methods, Quality appraisal (RoB-2 and ROBINS-I)",
  overrides: [{ question: "2.1", answer: "PN" }],
};
