import type { FastifyInstance } from "fastify";
import { extractionOutputRoutes as r } from "@homeward/api";
import { characteristicsRows, characteristicsTable, csvSafe, extractionLong, extractionWide, type OutputTable } from "@homeward/extraction";
import { InputError, isIncludedStudy, schemeWithRole, type ExtractedValue, type Study } from "@homeward/model";
import { toCsv } from "@homeward/review";
import type { Store } from "@homeward/store";
import { blindView } from "../blinding.js";
import type { RequestContext } from "../context.js";
import { serve } from "../contract.js";
import { attachment } from "../security.js";

const csvOf = (t: OutputTable): string => toCsv(t.header, t.rows.map((row) => row.map(csvSafe)));

/**
 * The extraction stage's outputs over the store (the pure tables of
 * @homeward/extraction): the characteristics-of-studies table and the
 * studies × items exports. Only values the caller may see under blinding go
 * in, as on the forms, so a download never shows what the form hides.
 */
export async function registerExtractionOutputRoutes(app: FastifyInstance, store: Store): Promise<void> {
  const visibleValues = async (id: string, ctx: RequestContext): Promise<ExtractedValue[]> => {
    const [values, view] = await Promise.all([store.list(id, "extractedValues"), blindView(store, id, ctx)]);
    const out: ExtractedValue[] = [];
    for (const v of values) if (await view.visible("extractedValues", v)) out.push(v);
    return out;
  };
  const byCitation = (a: Study, b: Study) => (a.shortCitation || a.name).localeCompare(b.shortCitation || b.name) || a.id.localeCompare(b.id);

  serve(app, r.characteristics, async ({ params: { id }, query: q, reply, ctx }) => {
    const [protocol, studies, items, values] = await Promise.all([
      store.getProtocol(id),
      store.list(id, "studies"),
      store.list(id, "codebookItems"),
      visibleValues(id, ctx),
    ]);
    const strand = schemeWithRole(protocol, "strand");
    let shown = studies.filter((s) => isIncludedStudy(protocol, s));
    let caption = "Characteristics of included studies";
    if (q.strand) {
      const value = strand?.values.find((v) => v.code === q.strand);
      if (!strand || !value) throw new InputError(`"${q.strand}" is not a synthesis strand of the protocol${strand ? ` (${strand.values.map((v) => v.code).join(", ")})` : ""}`);
      shown = shown.filter((s) => ([] as string[]).concat(s.classifications[strand.code] ?? []).includes(value.code));
      caption = `Characteristics of included studies: ${value.label || value.code}`;
    }
    const codes = q.items?.split(",").map((c) => c.trim()).filter(Boolean);
    const table = characteristicsTable({ items, values, studies: shown.sort(byCitation), codes, caption: q.caption?.trim() || caption });
    if (q.format === "csv") {
      const name = `characteristics-of-studies${q.strand ? `-${q.strand}` : ""}.csv`;
      return reply.header("content-disposition", attachment(name)).type("text/csv; charset=utf-8").send(csvOf(characteristicsRows(table)));
    }
    return { ...table, strands: (strand?.values ?? []).map((v) => ({ code: v.code, label: v.label || v.code })) };
  });

  serve(app, r.export, async ({ params: { id }, query: q, reply, ctx }) => {
    const [studies, items, outcomes, reports, values] = await Promise.all([
      store.list(id, "studies"),
      store.list(id, "codebookItems"),
      store.list(id, "outcomes"),
      store.list(id, "studyReports"),
      visibleValues(id, ctx),
    ]);
    studies.sort(byCitation);
    outcomes.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    const p = { items, values, studies, outcomes };
    const table = q.layout === "long" ? extractionLong({ ...p, reports: new Map(reports.map((x) => [x.id, x.citation?.trim() || x.id])) }) : extractionWide(p);
    return reply
      .header("content-disposition", attachment(`extraction-${q.layout}.csv`))
      .type("text/csv; charset=utf-8")
      .send(csvOf(table));
  });
}
