import type { DashboardStage } from "@homeward/model";
import { total, type PrismaCountField, type PrismaFlow, type PrismaSource } from "./prisma.js";

/**
 * The dashboard's stage counts, read off the PRISMA flow so that the
 * dashboard and the flow diagram can never disagree. A stage that adds
 * several PRISMA boxes (e.g. identification from databases and from
 * websites) is "mixed" when some parts are live and others recorded.
 */
export function dashboardStages(flow: PrismaFlow): DashboardStage[] {
  const stage = (name: DashboardStage["stage"], fields: PrismaCountField[]): DashboardStage => {
    const parts = fields.filter((f) => flow.prismaSource[f] !== "none");
    const sources = new Set<PrismaSource>(parts.map((f) => flow.prismaSource[f]));
    const count = parts.length ? parts.reduce((a, f) => a + (total(flow.prisma[f]) ?? 0), 0) : null;
    const source: DashboardStage["source"] = sources.size === 0 ? "none" : sources.size > 1 ? "mixed" : [...sources][0]!;
    return { stage: name, count, source };
  };
  return [
    stage("identified", ["database_results", "register_results", "website_results", "organisation_results", "citations_results", "other_results"]),
    stage("duplicates", ["duplicates"]),
    stage("screened", ["records_screened"]),
    stage("fulltext", ["dbr_assessed", "other_assessed"]),
    stage("included", ["new_studies"]),
  ];
}
