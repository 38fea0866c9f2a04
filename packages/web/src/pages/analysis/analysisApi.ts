/**
 * The analysis routes (`analysisRoutes` of @homeward/api): the project's
 * analysis rows, a fit with its figures, and one figure as a file.
 */
import { analysisRoutes as r } from "@homeward/api";
import { call, callFile } from "../../api";

export const analysisApi = {
  data: (projectId: string, signal?: AbortSignal) => call(r.data, { params: { id: projectId } }, signal),
  analyse: (projectId: string, spec: Record<string, unknown>, signal?: AbortSignal) => call(r.analyse, { params: { id: projectId }, body: spec }, signal),
  /** One figure as a file (PNG is rendered on the server). */
  figureFile: (projectId: string, name: string, format: "png" | "svg" | "csv", spec: Record<string, unknown>) =>
    callFile(r.figure, { params: { id: projectId, name }, query: { format }, body: spec }),
};
