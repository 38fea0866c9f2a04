import type { FastifyInstance } from "fastify";
import {
  extractionRoutes as r,
  type CheckedOutcomeDatum,
  type CheckedValue,
  type ExtractionChecksAnswer,
  type SeniorSampleAnswer,
} from "@homeward/api";
import { checkState, checkStepIssue, checkValue, codebookTree, currentValues, drawSeniorCheck, flatten, isChecked, sameInputs, sameValue, slotKey, type CheckState } from "@homeward/extraction";
import {
  extractionSetupOf,
  InputError,
  sectionVersion,
  type CodebookItem,
  type EffectSize,
  type ExtractedValue,
  type ExtractionCheck,
  type Outcome,
  type Study,
} from "@homeward/model";
import type { DerivedEffect } from "@homeward/review";
import type { Store } from "@homeward/store";
import { randomInt } from "node:crypto";
import { blindView } from "../blinding.js";
import { writer, type RequestContext } from "../context.js";
import { deriveEffect, effectSizeFields, studyOf } from "./derived-effects.js";
import { serve } from "../contract.js";

const sameJson = sameInputs;

/** Entered as reported (an imported effect size may carry only yi and vi, which no one re-enters). */
const entered = (e: EffectSize) => typeof (e.inputs as { kind?: unknown }).kind === "string" && e.armIds !== null;

type Target = { kind: "value"; value: ExtractedValue; item: CodebookItem; extractor: string; state: CheckState; rows: ExtractedValue[] } | { kind: "outcomeData"; data: EffectSize; outcome: Outcome; extractor: string; state: CheckState };

/**
 * Checks of extracted work over the store: a checker agrees with a value or
 * outcome datum or proposes a change, its extractor accepts or disputes, an
 * adjudicator settles. Every step is a row of its own; an accepted value is a
 * new value row naming the one it replaces, an accepted outcome datum has its
 * effect size recomputed in the same transaction (as the outcome routes do),
 * and the check rows keep the inputs before and after.
 */
export async function registerExtractionCheckRoutes(app: FastifyInstance, store: Store): Promise<void> {
  /** Everything a study's checks are read from. */
  const load = async (s: Store, id: string, studyId: string) => {
    const study = await studyOf(s, id, studyId);
    const [items, values, checks, outcomes, protocol] = await Promise.all([
      s.list(id, "codebookItems"),
      s.list(id, "extractedValues", { studyId }),
      s.list(id, "extractionChecks", { studyId }),
      s.list(id, "outcomes", { studyId }),
      s.getProtocol(id),
    ]);
    const sizes = outcomes.length ? await s.list(id, "effectSizes", { outcomeId: outcomes.map((o) => o.id) }) : [];
    return { study, items, values, checks, outcomes, sizes, setup: extractionSetupOf(protocol) };
  };
  type Loaded = Awaited<ReturnType<typeof load>>;

  /** The values in force per extractor and the outcome data, each with its check state. */
  const targets = (l: Loaded): Target[] => {
    const byItem = new Map(l.items.map((i) => [i.id, i]));
    const { byReviewer } = currentValues(l.values);
    const out: Target[] = [];
    for (const [reviewer, slots] of byReviewer) {
      for (const v of slots.values()) {
        const item = byItem.get(v.itemId);
        if (!item) continue;
        const rows = l.values.filter((x) => !x.consensus && x.reviewer === reviewer && slotKey(x) === slotKey(v));
        const ids = new Set(rows.map((x) => x.id));
        const steps = l.checks.filter((c) => c.target === "value" && c.valueId !== null && ids.has(c.valueId));
        out.push({ kind: "value", value: v, item, extractor: reviewer, rows, state: checkState(steps, v.value, (a, b) => sameValue(item, a, b)) });
      }
    }
    const outcomeOf = new Map(l.outcomes.map((o) => [o.id, o]));
    for (const e of l.sizes.filter(entered)) {
      const steps = l.checks.filter((c) => c.target === "outcomeData" && c.effectSizeId === e.id);
      const state = checkState(steps, e.inputs, sameJson);
      // A settlement signs the data with the adjudicator, so the extractor is carried by the steps; data changed since are the changer's.
      const last = state.history[state.history.length - 1];
      const extractor = state.status !== "unchecked" && last?.extractor ? last.extractor : e.createdBy;
      out.push({ kind: "outcomeData", data: e, outcome: outcomeOf.get(e.outcomeId)!, extractor, state });
    }
    return out;
  };

  const answer = async (id: string, studyId: string, ctx: RequestContext): Promise<ExtractionChecksAnswer> => {
    const l = await load(store, id, studyId);
    const view = await blindView(store, id, ctx);
    const ordered = flatten(codebookTree(l.items)).map((n) => ({ ...n.item, depth: n.depth, number: n.number }));
    const position = new Map(ordered.map((i, k) => [i.id, k]));
    const values: CheckedValue[] = [];
    const hidden = new Set<string>();
    const outcomeData: CheckedOutcomeDatum[] = [];
    for (const t of targets(l)) {
      const view_ = { status: t.state.status, extractor: t.extractor, checkedBy: t.state.checkedBy, open: t.state.open, history: t.state.history };
      if (t.kind === "value") {
        // Dual extraction stays blind: another's values show only as blinding allows.
        if (l.setup.mode === "dual" && t.extractor !== ctx.actor && !(await view.visible("extractedValues", t.value))) {
          hidden.add(t.extractor);
          continue;
        }
        values.push({ ...view_, value: t.value, replaced: t.rows.filter((x) => x.id !== t.value.id).sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id)) });
      } else {
        outcomeData.push({ ...view_, outcome: { id: t.outcome.id, name: t.outcome.name }, data: t.data });
      }
    }
    values.sort((a, b) => (position.get(a.value.itemId) ?? 0) - (position.get(b.value.itemId) ?? 0) || (a.value.outcomeId ?? "").localeCompare(b.value.outcomeId ?? "") || a.extractor.localeCompare(b.extractor));
    outcomeData.sort((a, b) => a.outcome.name.localeCompare(b.outcome.name) || a.data.id.localeCompare(b.data.id));
    return {
      study: { id: l.study.id, name: l.study.name },
      setup: l.setup,
      items: ordered,
      outcomes: l.outcomes.map((o) => ({ id: o.id, name: o.name, timing: o.timing })).sort((a, b) => a.name.localeCompare(b.name)),
      arms: l.study.arms.flatMap((a) => (a.id ? [{ id: a.id, label: a.label }] : [])),
      timePoints: l.study.timePoints,
      values,
      hiddenExtractors: hidden.size,
      outcomeData,
      uncheckedOutcomeData: outcomeData.filter((o) => !isChecked(o.status)).length,
      sampled: l.checks.some((c) => c.action === "sampled"),
    };
  };

  /** The stored fields of a recomputed effect size, signed by the one whose step changed it. */
  const fields = (d: DerivedEffect, e: EffectSize, actor: string) => effectSizeFields(d, e.armIds!, e.timePointId, actor);
  const derive = (study: Study, outcome: Outcome, e: EffectSize, inputs: unknown) => deriveEffect(study, outcome, e.armIds as [string, string], e.timePointId, inputs);

  const row = (studyId: string, t: Target, action: ExtractionCheck["action"], actor: string, rest: Partial<ExtractionCheck>): Omit<ExtractionCheck, "id" | "at"> => ({
    studyId,
    target: t.kind,
    valueId: t.kind === "value" ? t.value.id : null,
    effectSizeId: t.kind === "outcomeData" ? t.data.id : null,
    action,
    basis: t.kind === "value" ? t.value.value : t.data.inputs,
    proposed: null,
    reason: null,
    replyTo: null,
    extractor: t.extractor,
    reviewer: actor,
    ...rest,
  });
  const what = (l: Loaded, t: Target) => (t.kind === "value" ? `study "${l.study.name}", item "${t.item.code}"` : `study "${l.study.name}", outcome "${t.outcome.name}"`);
  const refuseStep = (l: Loaded, t: Target, action: ExtractionCheck["action"], actor: string) => {
    const issue = checkStepIssue(t.state, action, actor, t.extractor);
    if (issue) throw new InputError(`${what(l, t)}: ${issue}`, actor === t.extractor || action === "accept" || action === "dispute" ? 403 : 409);
  };

  serve(app, r.setup, async ({ params: { id }, body, ctx }) => {
    const protocol = await store.getProtocol(id);
    const before = extractionSetupOf(protocol);
    const value = { mode: body.mode, seniorCheckShare: body.seniorCheckShare ?? before.seniorCheckShare };
    const after = await store.updateProtocolSection(id, "extraction", value, sectionVersion(protocol, "extraction"), writer(ctx, body.reason ?? null));
    return extractionSetupOf(after);
  });

  serve(app, r.checks, async ({ params: { id, studyId }, ctx }) => answer(id, studyId, ctx));

  serve(app, r.check, async ({ params: { id, studyId }, body, ctx }) => {
    await store.transaction(async (tx) => {
      await tx.lockProject(id);
      const l = await load(tx, id, studyId);
      const all = targets(l);
      const t = all.find((x) => (body.target === "value" ? x.kind === "value" && x.value.id === body.id : x.kind === "outcomeData" && x.data.id === body.id));
      if (!t) {
        const stale = body.target === "value" && l.values.some((v) => v.id === body.id);
        throw new InputError(stale ? `study "${l.study.name}": the value checked has been changed since; reload to check the value in force` : `study "${l.study.name}": ${body.target === "value" ? "value" : "outcome datum"} "${body.id}" is not one of the study's`, stale ? 409 : 404);
      }
      if (t.kind === "value" && l.setup.mode === "dual" && t.extractor !== ctx.actor) {
        const view = await blindView(tx, id, ctx);
        if (!(await view.visible("extractedValues", t.value))) throw new InputError(`${what(l, t)}: extraction is dual and blind; extract the study yourself before checking another's values`, 403);
      }
      refuseStep(l, t, body.action, ctx.actor);
      let proposed: unknown = null;
      if (body.action === "propose") {
        if (body.value === undefined) throw new InputError(`${what(l, t)}: give the value proposed`);
        if (t.kind === "value") {
          checkValue(l.study, t.item, body.value);
          proposed = body.value;
          if (sameValue(t.item, proposed, t.value.value)) throw new InputError(`${what(l, t)}: the value proposed is the value entered; agree instead`);
        } else {
          proposed = derive(l.study, t.outcome, t.data, body.value).inputs;
          if (sameJson(proposed, t.data.inputs)) throw new InputError(`${what(l, t)}: the data proposed are the data entered; agree instead`);
        }
      }
      await tx.insert(id, "extractionChecks", [row(studyId, t, body.action, ctx.actor, { proposed, reason: body.reason || null })], writer(ctx));
    });
    return answer(id, studyId, ctx);
  });

  /** The target a proposal is about, with its state now. */
  const proposalTarget = (l: Loaded, checkId: string): { t: Target; proposal: ExtractionCheck } => {
    const proposal = l.checks.find((c) => c.id === checkId);
    if (!proposal || proposal.action !== "propose") throw new InputError(`study "${l.study.name}": "${checkId}" is not a proposed change of this study`, 404);
    const t = targets(l).find((x) => (x.kind === "value" ? x.state.history.some((c) => c.id === checkId) : x.data.id === proposal.effectSizeId));
    if (!t || t.state.open?.id !== checkId) throw new InputError(`study "${l.study.name}": the proposed change is no longer open (answered, settled or overtaken by a later change)`, 409);
    return { t, proposal };
  };

  serve(app, r.answerCheck, async ({ params: { id, studyId, checkId }, body, ctx }) => {
    await store.transaction(async (tx) => {
      await tx.lockProject(id);
      const l = await load(tx, id, studyId);
      const { t, proposal } = proposalTarget(l, checkId);
      refuseStep(l, t, body.action, ctx.actor);
      const w = writer(ctx);
      const reason = body.reason || null;
      if (body.action === "dispute") {
        await tx.insert(id, "extractionChecks", [row(studyId, t, "dispute", ctx.actor, { replyTo: checkId, reason })], w);
        return;
      }
      if (t.kind === "value") {
        checkValue(l.study, t.item, proposal.proposed);
        const [v] = await tx.insert(id, "extractedValues", [{
          studyId, itemId: t.item.id, outcomeId: t.value.outcomeId, value: proposal.proposed ?? null, reviewer: ctx.actor,
          note: `change proposed by ${proposal.reviewer} accepted${proposal.reason ? `: ${proposal.reason}` : ""}`, at: new Date().toISOString(),
          itemVersion: t.item.version ?? 1, source: t.value.source, supersedes: t.value.id, consensus: null,
        }], w);
        await tx.insert(id, "extractionChecks", [row(studyId, t, "accept", ctx.actor, { valueId: v!.id, basis: v!.value, replyTo: checkId, reason })], w);
      } else {
        const d = derive(l.study, t.outcome, t.data, proposal.proposed);
        const e = await tx.update(id, "effectSizes", t.data.id, fields(d, t.data, ctx.actor), w);
        await tx.insert(id, "extractionChecks", [row(studyId, t, "accept", ctx.actor, { basis: e.inputs, replyTo: checkId, reason })], w);
      }
    });
    return answer(id, studyId, ctx);
  });

  serve(app, r.settleCheck, async ({ params: { id, studyId, checkId }, body, ctx }) => {
    await store.transaction(async (tx) => {
      await tx.lockProject(id);
      const l = await load(tx, id, studyId);
      const { t, proposal } = proposalTarget(l, checkId);
      refuseStep(l, t, "settle", ctx.actor);
      const w = writer(ctx, body.reason);
      const base = { replyTo: checkId, reason: body.reason };
      if (body.keep === "original") {
        await tx.insert(id, "extractionChecks", [row(studyId, t, "settle", ctx.actor, { ...base, proposed: t.kind === "value" ? t.value.value : t.data.inputs })], w);
      } else if (t.kind === "value") {
        // The extractor's value stays as entered; the settled one is the slot's consensus value, signed by the adjudicator.
        checkValue(l.study, t.item, proposal.proposed);
        const before = currentValues(l.values).consensus.get(slotKey(t.value));
        await tx.insert(id, "extractedValues", [{
          studyId, itemId: t.item.id, outcomeId: t.value.outcomeId, value: proposal.proposed ?? null, reviewer: ctx.actor, note: body.reason,
          at: new Date().toISOString(), itemVersion: t.item.version ?? 1, source: t.value.source, supersedes: before?.id ?? null, consensus: true,
        }], w);
        await tx.insert(id, "extractionChecks", [row(studyId, t, "settle", ctx.actor, { ...base, proposed: proposal.proposed })], w);
      } else {
        const d = derive(l.study, t.outcome, t.data, proposal.proposed);
        const e = await tx.update(id, "effectSizes", t.data.id, fields(d, t.data, ctx.actor), w);
        await tx.insert(id, "extractionChecks", [row(studyId, t, "settle", ctx.actor, { ...base, basis: e.inputs, proposed: e.inputs })], w);
      }
    });
    return answer(id, studyId, ctx);
  });

  // ------------------------------------------------------------ senior check

  const sample = async (id: string): Promise<SeniorSampleAnswer> => {
    const [drawn, protocol] = await Promise.all([store.list(id, "extractionChecks", { action: "sampled" }), store.getProtocol(id)]);
    const setup = extractionSetupOf(protocol);
    if (drawn.length === 0) return { sample: null, studies: [], setup };
    const first = drawn[0]!;
    const draw = (first.proposed ?? {}) as { fraction?: number; seed?: number; of?: number };
    const studyIds = drawn.map((c) => c.studyId);
    const studies: SeniorSampleAnswer["studies"] = [];
    for (const s of await store.list(id, "studies", { id: studyIds })) {
      const l = await load(store, id, s.id);
      const vs = targets(l).filter((t) => t.kind === "value");
      const checked = vs.filter((t) => isChecked(t.state.status)).length;
      studies.push({ id: s.id, name: s.name, values: vs.length, checked, status: checked === 0 ? "not_started" : checked === vs.length ? "checked" : "in_progress" });
    }
    studies.sort((a, b) => a.name.localeCompare(b.name));
    return { sample: { studyIds, fraction: draw.fraction ?? setup.seniorCheckShare, seed: draw.seed ?? 0, of: draw.of ?? studyIds.length, drawnBy: first.reviewer, drawnAt: first.at }, studies, setup };
  };

  serve(app, r.seniorSample, async ({ params: { id } }) => {
    await store.getProject(id);
    return sample(id);
  });

  serve(app, r.drawSeniorSample, async ({ params: { id }, body, ctx }) => {
    await store.transaction(async (tx) => {
      await tx.lockProject(id);
      if ((await tx.list(id, "extractionChecks", { action: "sampled" })).length) throw new InputError("the senior check's sample is drawn already; it stays as drawn", 409);
      const studies = await tx.list(id, "studies");
      if (studies.length === 0) throw new InputError("there are no studies to draw the senior check's sample from", 409);
      const setup = extractionSetupOf(await tx.getProtocol(id));
      // Seeded, and the seed kept with the sample, so the draw can be repeated from the same studies.
      const seed = body.seed ?? randomInt(1, 2 ** 31 - 1);
      const drawn = drawSeniorCheck(studies.map((s) => s.id), setup.seniorCheckShare, seed);
      await tx.insert(id, "extractionChecks", drawn.studyIds.map((studyId) => ({
        studyId, target: "study" as const, valueId: null, effectSizeId: null, action: "sampled" as const, basis: null,
        proposed: { fraction: drawn.fraction, seed: drawn.seed, of: drawn.of }, reason: null, replyTo: null, extractor: null, reviewer: ctx.actor,
      })), writer(ctx));
    });
    return sample(id);
  });
}
