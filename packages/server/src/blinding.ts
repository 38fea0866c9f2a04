import {
  blindStageOf,
  collectionAccess,
  isBlind,
  isCollectionName,
  roleAllows,
  type BlindRule,
  type BlindStage,
  type CollectionName,
} from "@homeward/model";
import type { Store } from "@homeward/store";
import type { RequestContext } from "./context.js";

/**
 * What of other reviewers' blind work a request may see. An entity of a
 * blind collection (`collectionAccess[c].blind`) is visible to its own
 * reviewer, to anyone once an owner has lifted blinding for its stage, to
 * someone who has done the same item at the same stage themselves, and to an
 * adjudicator (or owner) once two people have done the item, unless they are
 * still doing it themselves. Every read route that returns such entities (the
 * collections routes, the audit log, the exports, the appraisal and review
 * tables) asks this one object.
 */
export interface BlindView {
  /** May the caller see this entity of collection `c`? */
  visible(c: CollectionName, entity: Record<string, unknown>): Promise<boolean>;
  /** Is any stage with dual work still blind? (Whole-project exports wait for it, except for owners.) */
  anyBlind: boolean;
}

/**
 * Collections a request has already read whole (every entity of the project's
 * collection): the view decides from these rows instead of reading them again,
 * so a list route that checks every entity pays no query per item.
 */
export type ReadWhole = Partial<Record<CollectionName, readonly object[]>>;

export async function blindView(store: Store, projectId: string, ctx: RequestContext, readWhole: ReadWhole = {}): Promise<BlindView> {
  const { blinding } = await store.getProject(projectId);
  const keyOf = (own: BlindRule | undefined, rule: BlindRule, row: Record<string, unknown>) =>
    `${own ? blindStageOf(own, row) : ""}\u0000${String(row[own?.item ?? rule.item])}`;
  const finished = (own: BlindRule | undefined, row: Record<string, unknown>) =>
    !(own?.unfinished && own.unfinished.values.includes(String(row[own.unfinished.field])));
  // The caller's own work per collection, read once per request and only when needed: the items
  // they have done, and those they have started and not finished.
  const mine = new Map<CollectionName, Promise<{ done: Set<string>; pending: Set<string> }>>();
  const ownWork = (rule: BlindRule, c: CollectionName) => {
    const where = rule.doneIn ?? c;
    let s = mine.get(where);
    if (!s) {
      const own = collectionAccess[where].blind;
      const field = own?.reviewer ?? "reviewer";
      const whole = readWhole[where] as readonly Record<string, unknown>[] | undefined;
      const read = whole ? Promise.resolve(whole.filter((row) => row[field] === ctx.actor)) : store.list(projectId, where, { [field]: ctx.actor } as never);
      s = read.then((rows) => {
        const done = new Set<string>();
        const pending = new Set<string>();
        for (const row of rows as unknown as Record<string, unknown>[]) (finished(own, row) ? done : pending).add(keyOf(own, rule, row));
        return { done, pending };
      });
      mine.set(where, s);
    }
    return s;
  };
  // Whether two people or more have done an item, asked only for adjudicators: item by item
  // (an indexed read each) for a page of entries, the whole collection once past PER_ITEM items.
  const PER_ITEM = 200;
  const complete = new Map<CollectionName, { asked: Map<string, Promise<boolean>>; all: Promise<Set<string>> | null }>();
  const doneByTwo = (rows: readonly Record<string, unknown>[], own: BlindRule | undefined, rule: BlindRule) => {
    const field = own?.reviewer ?? "reviewer";
    const by = new Map<string, Set<string>>();
    for (const row of rows) {
      if (!finished(own, row) || row.consensus === true) continue;
      const k = keyOf(own, rule, row);
      by.set(k, (by.get(k) ?? new Set<string>()).add(String(row[field])));
    }
    return new Set([...by].filter(([, people]) => people.size >= 2).map(([k]) => k));
  };
  const completeIn = async (rule: BlindRule, c: CollectionName, key: string, item: unknown): Promise<boolean> => {
    const where = rule.doneIn ?? c;
    const own = collectionAccess[where].blind;
    let state = complete.get(where);
    if (!state) complete.set(where, (state = { asked: new Map(), all: null }));
    const whole = readWhole[where] as readonly Record<string, unknown>[] | undefined;
    if (!state.all && whole) state.all = Promise.resolve(doneByTwo(whole, own, rule));
    if (!state.all && state.asked.size >= PER_ITEM) state.all = store.list(projectId, where).then((rows) => doneByTwo(rows as never, own, rule));
    if (state.all) return (await state.all).has(key);
    let answer = state.asked.get(key);
    if (!answer) {
      const itemField = own?.item ?? rule.item;
      answer = store.list(projectId, where, { [itemField]: item } as never).then((rows) => doneByTwo(rows as never, own, rule).has(key));
      state.asked.set(key, answer);
    }
    return answer;
  };
  const adjudicates = roleAllows(ctx.role, "adjudicator");
  const stages: BlindStage[] = ["title_abstract", "full_text", "extraction", "appraisal", "cerqual"];
  return {
    anyBlind: stages.some((s) => isBlind(blinding, s)),
    async visible(c, entity) {
      const rule = collectionAccess[c].blind;
      if (!rule) return true;
      const stage = blindStageOf(rule, entity);
      if (!isBlind(blinding, stage)) return true;
      if (rule.reviewer !== null && entity[rule.reviewer] === ctx.actor) return true;
      const key = `${stage}\u0000${String(entity[rule.item])}`;
      const own = await ownWork(rule, c);
      if (own.done.has(key)) return true;
      // An adjudicator compares and settles once two people have done an item, unless they are
      // still doing it themselves: then the blind protects their own judgement too.
      return adjudicates && !own.pending.has(key) && (await completeIn(rule, c, key, entity[rule.item]));
    },
  };
}

/** The audit entry's entity, when it names a blind collection. */
export const blindCollection = (entity: string): CollectionName | null =>
  isCollectionName(entity) && collectionAccess[entity].blind ? entity : null;

/** Refuses a whole-project download while blinding holds, except to owners (who decide when it lifts). */
export function exportAllowed(view: BlindView, ctx: RequestContext): string | null {
  if (!view.anyBlind || roleAllows(ctx.role, "owner")) return null;
  return "the download holds every reviewer's decisions, so while a stage is blind only an owner can take it; an owner can lift blinding on the Members page";
}
