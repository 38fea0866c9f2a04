import type { FastifyInstance } from "fastify";
import {
  extractionRoutes as r,
  type CodebookAnswer,
  type ExtractionComparison,
  type ExtractionForm,
  type ExtractionReport,
} from "@homeward/api";
import {
  agreementByItem,
  checkValue,
  codebookTree,
  compareExtractions,
  currentValues,
  checkState,
  drawSeniorCheck,
  editItem,
  exportCodebook,
  flatten,
  importCodebook,
  importEppiCodeSets,
  isEppiCodeSets,
  isChecked,
  newItem,
  reorder,
  retireItem,
  restoreItem,
  sameInputs,
  sameValue,
  scopeIssue,
  seedCodebookTemplate,
  slotKey,
} from "@homeward/extraction";
import { extractionSetupOf, InputError, type CodebookItem, type ExtractedValue, type StudyReport } from "@homeward/model";
import type { Store } from "@homeward/store";
import { randomUUID } from "node:crypto";
import { blindView } from "../blinding.js";
import { registerExtractionCheckRoutes } from "./extraction-checks.js";
import { writer, type RequestContext } from "../context.js";
import { studyOf } from "./derived-effects.js";
import { serve } from "../contract.js";

/**
 * The extraction stage's adaptor: the codebook and value rules of
 * @homeward/extraction over the store. Values are never overwritten: a
 * changed value is a new row naming the one it replaces, signed and stamped
 * from the session; another extractor's values reach the caller only as
 * blinding allows (the `extractedValues` rule in model.collectionAccess).
 */
export async function registerExtractionRoutes(app: FastifyInstance, store: Store): Promise<void> {
  const codebook = async (id: string): Promise<CodebookItem[]> => store.list(id, "codebookItems");
  const answer = (items: readonly CodebookItem[]): CodebookAnswer => ({
    items: flatten(codebookTree(items)).map((n) => ({ ...n.item, depth: n.depth, number: n.number })),
  });
  const itemOf = async (id: string, itemId: string): Promise<CodebookItem> => {
    const item = (await store.list(id, "codebookItems", { id: [itemId] }))[0];
    if (!item) throw new InputError(`codebook item "${itemId}" is not in this project`, 404);
    return item;
  };
  const outcomesOf = async (id: string, studyId: string) =>
    (await store.list(id, "outcomes", { studyId })).map((o) => ({ id: o.id, name: o.name, timing: o.timing })).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  const reportsOf = async (id: string, studyIds: string[]): Promise<Map<string, ExtractionReport[]>> => {
    const reports: StudyReport[] = studyIds.length ? await store.list(id, "studyReports", { studyId: studyIds }) : [];
    const recordIds = [...new Set(reports.flatMap((x) => (x.recordId ? [x.recordId] : [])))];
    const records = new Map((recordIds.length ? await store.list(id, "records", { id: recordIds }) : []).map((x) => [x.id, x]));
    const out = new Map<string, ExtractionReport[]>();
    for (const x of reports) {
      const rec = x.recordId ? records.get(x.recordId) : undefined;
      const citation = x.citation?.trim() || (rec ? [rec.authors.slice(0, 3).join(", "), rec.year ? `(${rec.year})` : "", rec.title].filter(Boolean).join(" ") : "");
      const list = out.get(x.studyId) ?? out.set(x.studyId, []).get(x.studyId)!;
      list.push({ id: x.id, role: x.role, recordId: x.recordId, citation });
    }
    for (const list of out.values()) list.sort((a, b) => (a.role === b.role ? a.citation.localeCompare(b.citation) : a.role === "lead" ? -1 : 1));
    return out;
  };

  // ------------------------------------------------------------ codebook

  serve(app, r.codebook, async ({ params: { id } }) => answer(await codebook(id)));

  serve(app, r.addItem, async ({ params: { id }, body, ctx }) => {
    const items = await codebook(id);
    const item = newItem(items, body, randomUUID());
    return (await store.insert(id, "codebookItems", [item], writer(ctx)))[0]!;
  });

  serve(app, r.editItem, async ({ params: { id, itemId }, body, ctx }) => {
    const items = await codebook(id);
    const item = items.find((i) => i.id === itemId);
    if (!item) throw new InputError(`codebook item "${itemId}" is not in this project`, 404);
    const { id: _same, ...next } = editItem(items, item, body);
    return store.update(id, "codebookItems", itemId, next, writer(ctx));
  });

  serve(app, r.reorder, async ({ params: { id }, body, ctx }) => {
    const changes = reorder(await codebook(id), body.parentId, body.ids);
    await store.transaction(async (tx) => {
      for (const c of changes) await tx.update(id, "codebookItems", c.id, { order: c.order }, writer(ctx));
    });
    return answer(await codebook(id));
  });

  serve(app, r.retire, async ({ params: { id, itemId }, body, ctx }) => {
    const item = await itemOf(id, itemId);
    if (!body.retired && !item.retiredAt) return item;
    const next = body.retired ? retireItem(item, new Date().toISOString()) : restoreItem(item);
    return store.update(id, "codebookItems", itemId, { retiredAt: next.retiredAt }, writer(ctx));
  });

  const addFile = async (id: string, file: unknown, ctx: RequestContext, read = importCodebook): Promise<CodebookAnswer> => {
    await store.getProject(id);
    const added = read(await codebook(id), file, () => randomUUID());
    if (added.length) await store.insert(id, "codebookItems", added, writer(ctx));
    return answer(await codebook(id));
  };
  // One import takes both kinds of file, so the file's shape says which it is.
  serve(app, r.importCodebook, async ({ params: { id }, body, ctx }) => addFile(id, body, ctx, isEppiCodeSets(body) ? importEppiCodeSets : importCodebook));
  serve(app, r.template, async ({ params: { id }, ctx }) => addFile(id, seedCodebookTemplate(), ctx));
  serve(app, r.exportCodebook, async ({ params: { id } }) => {
    const project = await store.getProject(id);
    return exportCodebook(await codebook(id), project.title);
  });

  // ------------------------------------------------------------ forms

  serve(app, r.studies, async ({ params: { id }, ctx }) => {
    const [studies, items, values, outcomes, sizes, checks, protocol] = await Promise.all([
      store.list(id, "studies"), codebook(id), store.list(id, "extractedValues"), store.list(id, "outcomes"), store.list(id, "effectSizes"), store.list(id, "extractionChecks"), store.getProtocol(id),
    ]);
    const reports = await reportsOf(id, studies.map((s) => s.id));
    const byStudy = new Map<string, ExtractedValue[]>();
    for (const v of values) (byStudy.get(v.studyId) ?? byStudy.set(v.studyId, []).get(v.studyId)!).push(v);
    const studyOfOutcome = new Map(outcomes.map((o) => [o.id, o.studyId]));
    // Outcome data entered as reported, each with whether a second reviewer has checked it.
    const dataByStudy = new Map<string, boolean[]>();
    const proposedToYou = new Map<string, number>();
    const toYou = (studyId: string) => proposedToYou.set(studyId, (proposedToYou.get(studyId) ?? 0) + 1);
    for (const e of sizes) {
      const studyId = studyOfOutcome.get(e.outcomeId);
      if (!studyId || typeof (e.inputs as { kind?: unknown }).kind !== "string" || e.armIds === null) continue;
      const steps = checks.filter((c) => c.effectSizeId === e.id);
      const state = checkState(steps, e.inputs, sameInputs);
      (dataByStudy.get(studyId) ?? dataByStudy.set(studyId, []).get(studyId)!).push(isChecked(state.status));
      if (state.status === "proposed" && state.open?.extractor === ctx.actor) toYou(studyId);
    }
    // A proposal on a value is open while the value it was made on is still in force and nobody has answered it.
    const answered = new Set(checks.flatMap((c) => (c.replyTo ? [c.replyTo] : [])));
    const inForce = new Set([...byStudy.values()].flatMap((vs) => [...(currentValues(vs).byReviewer.get(ctx.actor)?.values() ?? [])].map((v) => v.id)));
    for (const c of checks) if (c.action === "propose" && c.target === "value" && c.valueId && inForce.has(c.valueId) && !answered.has(c.id)) toYou(c.studyId);
    const sampled = new Set(checks.filter((c) => c.action === "sampled").map((c) => c.studyId));
    const rows = studies.map((s) => {
      const { byReviewer, consensus } = currentValues(byStudy.get(s.id) ?? []);
      const data = dataByStudy.get(s.id) ?? [];
      return {
        id: s.id,
        name: s.name,
        reports: reports.get(s.id) ?? [],
        extractors: [...byReviewer.keys()].sort(),
        mine: byReviewer.get(ctx.actor)?.size ?? 0,
        consensus: consensus.size,
        outcomeData: data.length,
        uncheckedOutcomeData: data.filter((x) => !x).length,
        sampled: sampled.has(s.id),
        proposedToYou: proposedToYou.get(s.id) ?? 0,
      };
    });
    return {
      items: items.filter((i) => !i.retiredAt && i.type !== "section").length,
      setup: extractionSetupOf(protocol),
      uncheckedOutcomeData: rows.reduce((n, s) => n + s.uncheckedOutcomeData, 0),
      studies: rows,
    };
  });

  const form = async (id: string, studyId: string, ctx: RequestContext): Promise<ExtractionForm> => {
    const study = await studyOf(store, id, studyId);
    const [items, values, reports, outcomes, view] = await Promise.all([
      codebook(id),
      store.list(id, "extractedValues", { studyId }),
      reportsOf(id, [studyId]),
      outcomesOf(id, studyId),
      blindView(store, id, ctx),
    ]);
    const { byReviewer, consensus } = currentValues(values);
    const replacedIds = new Set(values.flatMap((v) => (v.supersedes ? [v.supersedes] : [])));
    const others: ExtractionForm["others"] = [];
    let hiddenOthers = 0;
    for (const [reviewer, vs] of [...byReviewer].sort(([a], [b]) => a.localeCompare(b))) {
      if (reviewer === ctx.actor) continue;
      const list = [...vs.values()];
      if (await view.visible("extractedValues", list[0]!)) others.push({ reviewer, values: list });
      else hiddenOthers += 1;
    }
    // A consensus row is an extracted value too: blinding decides who reads it.
    const agreed: ExtractedValue[] = [];
    for (const v of consensus.values()) if (await view.visible("extractedValues", v)) agreed.push(v);
    return {
      study: { id: study.id, name: study.name },
      reports: reports.get(studyId) ?? [],
      outcomes,
      items: answer(items).items,
      mine: [...(byReviewer.get(ctx.actor)?.values() ?? [])],
      replaced: values.filter((v) => v.reviewer === ctx.actor && !v.consensus && replacedIds.has(v.id)).sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id)),
      others,
      hiddenOthers,
      consensus: agreed,
    };
  };

  serve(app, r.form, async ({ params: { id, studyId }, ctx }) => form(id, studyId, ctx));

  /**
   * Rows to write for values given as `reviewer`: each checked against its
   * item first (all or none), unchanged ones skipped, a changed one a new row
   * naming the row it replaces.
   */
  const rowsFor = async (
    id: string,
    studyId: string,
    reviewer: string,
    given: { itemId: string; outcomeId: string | null; value: unknown; note: string | null; source: ExtractedValue["source"] }[],
    consensus: boolean,
  ): Promise<Omit<ExtractedValue, "id">[]> => {
    const study = await studyOf(store, id, studyId);
    const items = new Map((await codebook(id)).map((i) => [i.id, i]));
    const values = await store.list(id, "extractedValues", { studyId });
    const current = currentValues(values);
    const mine = consensus ? current.consensus : (current.byReviewer.get(reviewer) ?? new Map<string, ExtractedValue>());
    const outcomes = new Set((await store.list(id, "outcomes", { studyId })).map((o) => o.id));
    const reports = new Set((await store.list(id, "studyReports", { studyId })).map((x) => x.id));
    const seen = new Set<string>();
    const at = new Date().toISOString();
    const rows: Omit<ExtractedValue, "id">[] = [];
    for (const g of given) {
      const item = items.get(g.itemId);
      if (!item) throw new InputError(`study "${study.name}": codebook item "${g.itemId}" is not in this project`);
      const misplaced = scopeIssue(study, item, g.outcomeId);
      if (misplaced) throw new InputError(misplaced);
      if (g.outcomeId !== null && !outcomes.has(g.outcomeId)) throw new InputError(`study "${study.name}", item "${item.code}": outcome "${g.outcomeId}" is not an outcome of this study`);
      const slot = slotKey({ studyId, itemId: item.id, outcomeId: g.outcomeId });
      if (seen.has(slot)) throw new InputError(`study "${study.name}", item "${item.code}": given twice`);
      seen.add(slot);
      if (g.source?.reportId && !reports.has(g.source.reportId)) throw new InputError(`study "${study.name}", item "${item.code}": the source "${g.source.reportId}" is not a report of this study`);
      checkValue(study, item, g.value);
      const before = mine.get(slot);
      if (before && sameValue(item, before.value, g.value) && JSON.stringify(before.value) === JSON.stringify(g.value ?? null) && before.note === g.note && JSON.stringify(before.source) === JSON.stringify(g.source)) continue;
      rows.push({
        studyId,
        itemId: item.id,
        outcomeId: g.outcomeId,
        value: g.value ?? null,
        reviewer,
        note: g.note,
        at,
        itemVersion: item.version ?? 1,
        source: g.source,
        supersedes: before?.id ?? null,
        consensus: consensus ? true : null,
      });
    }
    return rows;
  };

  serve(app, r.save, async ({ params: { id, studyId }, body, ctx }) => {
    const rows = await rowsFor(id, studyId, ctx.actor, body.values, false);
    if (rows.length) await store.insert(id, "extractedValues", rows, writer(ctx));
    return form(id, studyId, ctx);
  });

  // ------------------------------------------------------------ checks

  const comparison = async (id: string, studyId: string, first?: string, second?: string): Promise<ExtractionComparison> => {
    const study = await studyOf(store, id, studyId);
    const [items, values] = await Promise.all([codebook(id), store.list(id, "extractedValues", { studyId })]);
    const extractors = [...currentValues(values).byReviewer.keys()].sort();
    const a = first ?? extractors.find((x) => x !== second);
    const b = second ?? extractors.find((x) => x !== a);
    if (!a || !b) throw new InputError(`study "${study.name}" has ${extractors.length === 0 ? "no extraction" : "one extraction"} yet; a comparison needs two`, 409);
    if (a === b) throw new InputError("choose two different extractors to compare");
    const ordered = flatten(codebookTree(items)).map((n) => n.item);
    return { ...compareExtractions(ordered, values, studyId, a, b), study: { id: study.id, name: study.name }, extractors, outcomes: await outcomesOf(id, studyId) };
  };

  serve(app, r.comparison, async ({ params: { id, studyId }, query }) => comparison(id, studyId, query.first, query.second));

  serve(app, r.consensus, async ({ params: { id, studyId }, body, ctx }) => {
    // Consensus is signed by the adjudicator who records it, and marked apart from extractions.
    const rows = await rowsFor(id, studyId, ctx.actor, [{ ...body, source: null }], true);
    if (rows.length) await store.insert(id, "extractedValues", rows, writer(ctx, body.note));
    return comparison(id, studyId);
  });

  serve(app, r.agreement, async ({ params: { id } }) => {
    const [items, values] = await Promise.all([codebook(id), store.list(id, "extractedValues")]);
    const byStudy = new Map<string, ExtractedValue[]>();
    for (const v of values) (byStudy.get(v.studyId) ?? byStudy.set(v.studyId, []).get(v.studyId)!).push(v);
    const pairs = [...byStudy].flatMap(([studyId, vs]) => {
      const [first, second] = [...currentValues(vs).byReviewer.keys()].sort();
      return first && second ? [{ studyId, first, second }] : [];
    });
    return agreementByItem(flatten(codebookTree(items)).map((n) => n.item), values, pairs);
  });

  serve(app, r.seniorCheck, async ({ params: { id }, query }) => {
    const studies = await store.list(id, "studies");
    return drawSeniorCheck(studies.map((s) => s.id), query.fraction, query.seed);
  });

  await registerExtractionCheckRoutes(app, store);
}
