import type { FastifyInstance } from "fastify";
import { parse } from "csv-parse/sync";
import { robvisImportRoutes as r, type RobvisImportRow } from "@homeward/api";
import { getTool, type Tool } from "@homeward/appraisal";
import { InputError, type AppraisalTool, type Study } from "@homeward/model";
import { citationOf } from "@homeward/review";
import type { Store } from "@homeward/store";
import { writer } from "../context.js";
import { serve } from "../contract.js";

export const ROBVIS_IMPORT_NOTE = "imported from robvis CSV";

/** The tools robvis has templates for, as the model stores them. */
const TOOLS: Record<string, { tool: AppraisalTool; variant: string }> = {
  rob2: { tool: "RoB2", variant: "assignment" },
  "rob2-adhering": { tool: "RoB2", variant: "adhering" },
  "robins-i": { tool: "ROBINS-I", variant: "assignment" },
  "robins-i-adhering": { tool: "ROBINS-I", variant: "adhering" },
};

/** Names compared without case, punctuation or spacing, so "Akin et al. 2017" meets "Akin et al., 2017". */
const key = (s: string) => s.normalize("NFKD").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");

/** A cell as the tool's judgement: its label or its robvis label, in any case; undefined when off the scale. */
function judgementOf(tool: Tool, cell: string): string | null | undefined {
  const v = cell.trim();
  if (v === "") return null;
  const k = key(v);
  const level = tool.scale.levels.find((l) => key(l.label) === k || (l.robvis !== undefined && key(l.robvis) === k) || key(`${l.label} risk`) === k);
  return level?.label;
}

/**
 * robvis CSV import: columns by position as robvis reads them (the study,
 * one per domain, the overall, an optional weight); rows matched to studies
 * by their citation, name or id. Written only on confirmation, as the
 * caller's own submitted assessments, so the usual comparison and
 * consensus apply to them.
 */
export async function registerRobvisImportRoutes(app: FastifyInstance, store: Store): Promise<void> {
  serve(app, r.robvisImport, async ({ params: { id }, body, ctx }) => {
    const tool = getTool(body.tool);
    const model = TOOLS[body.tool];
    if (!tool || !model || tool.domains.length === 0) throw new InputError(`robvis CSV import takes RoB 2 or ROBINS-I (rob2, rob2-adhering, robins-i, robins-i-adhering), not "${body.tool}"`);
    let cells: string[][];
    try {
      cells = parse(body.csv, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true }) as string[][];
    } catch (err) {
      throw new InputError(`the CSV cannot be read: ${(err as Error).message}`);
    }
    const n = tool.domains.length;
    const [header, ...data] = cells;
    if (!header || header.length < n + 2 || header.length > n + 3)
      throw new InputError(`a robvis CSV for ${tool.name} has ${n + 3} columns (Study, ${tool.domains.map((d) => d.id).join(", ")}, Overall, Weight); this one has ${header?.length ?? 0}`);
    if (data.length === 0) throw new InputError("the CSV has a header but no rows");

    const [studies, appraisals] = await Promise.all([store.list(id, "studies"), store.list(id, "appraisals")]);
    const byKey = new Map<string, Study[]>();
    for (const s of studies) {
      for (const k of new Set([citationOf(s), s.name, s.shortCitation ?? "", s.id].filter(Boolean).map(key))) byKey.set(k, [...(byKey.get(k) ?? []), s]);
    }
    const mine = new Set(appraisals.filter((a) => a.reviewer === ctx.actor && !a.consensus && a.tool === model.tool && (a.variant ?? "assignment") === model.variant && a.outcomeId === null).map((a) => a.studyId));
    const seen = new Set<string>();
    const rows: RobvisImportRow[] = data.map((row, i) => {
      const study = row[0] ?? "";
      const problems: string[] = [];
      const found = [...new Set(byKey.get(key(study)) ?? [])];
      let match: RobvisImportRow["match"] = null;
      if (found.length === 1) match = { studyId: found[0]!.id, name: found[0]!.name };
      else if (found.length > 1) problems.push(`"${study}" names ${found.length} studies: ${found.map((s) => s.name).join("; ")}`);
      else problems.push(`no study is named "${study}"`);
      if (row.length !== header.length) problems.push(`${row.length} cells where the header has ${header.length}`);
      const judgements: Record<string, string | null> = {};
      tool.domains.forEach((d, j) => {
        const j2 = judgementOf(tool, row[j + 1] ?? "");
        if (j2 === undefined) problems.push(`${d.id} "${row[j + 1]}" is not a ${tool.name} judgement (${tool.scale.levels.map((l) => l.label).join(", ")})`);
        judgements[d.id] = j2 ?? null;
      });
      const overall = judgementOf(tool, row[n + 1] ?? "");
      if (overall === undefined) problems.push(`Overall "${row[n + 1]}" is not a ${tool.name} judgement`);
      if (match) {
        if (mine.has(match.studyId)) problems.push(`you have already assessed ${match.name} with ${tool.name}`);
        if (seen.has(match.studyId)) problems.push(`${match.name} has an earlier row in this CSV`);
        seen.add(match.studyId);
      }
      return { line: i + 2, study, match, judgements, overall: overall ?? null, problems };
    });
    const ready = rows.filter((x) => x.problems.length === 0);
    let written = 0;
    if (body.confirm && ready.length > 0) {
      const at = new Date().toISOString();
      await store.insert(
        id,
        "appraisals",
        ready.map((x) => ({
          studyId: x.match!.studyId,
          outcomeId: null,
          tool: model.tool,
          toolVersion: tool.version,
          variant: model.variant,
          status: "submitted" as const,
          domains: tool.domains.map((d) => ({ domain: d.name, judgement: x.judgements[d.id] ?? null, support: "", answers: {} })),
          overall: x.overall,
          overallSupport: ROBVIS_IMPORT_NOTE,
          reviewer: ctx.actor,
          consensus: false,
          at,
        })),
        writer(ctx, ROBVIS_IMPORT_NOTE),
      );
      written = ready.length;
    }
    return {
      tool: { id: tool.id, name: tool.name, version: tool.version },
      rows,
      unmatched: rows.filter((x) => x.match === null).map((x) => x.study),
      ready: ready.length,
      confirmed: body.confirm,
      written,
    };
  });
}
