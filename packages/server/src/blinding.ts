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
 * reviewer, to anyone once an owner has lifted blinding for its stage, and
 * otherwise only to someone who has done the same item at the same stage
 * themselves. Every read route that returns such entities (the collections
 * routes, the audit log, the exports) asks this one object.
 */
export interface BlindView {
  /** May the caller see this entity of collection `c`? */
  visible(c: CollectionName, entity: Record<string, unknown>): Promise<boolean>;
  /** Is any stage with dual work still blind? (Whole-project exports wait for it, except for owners.) */
  anyBlind: boolean;
}

export async function blindView(store: Store, projectId: string, ctx: RequestContext): Promise<BlindView> {
  const { blinding } = await store.getProject(projectId);
  // The caller's own done items per collection, read once per request and only when needed.
  const done = new Map<CollectionName, Promise<Set<string>>>();
  const doneIn = (rule: BlindRule, c: CollectionName): Promise<Set<string>> => {
    const where = rule.doneIn ?? c;
    let s = done.get(where);
    if (!s) {
      const own = collectionAccess[where].blind;
      const field = own?.reviewer ?? "reviewer";
      s = store.list(projectId, where, { [field]: ctx.actor } as never).then((rows) => {
        const set = new Set<string>();
        for (const row of rows as unknown as Record<string, unknown>[]) {
          if (own?.unfinished && own.unfinished.values.includes(String(row[own.unfinished.field]))) continue;
          const stage = own ? blindStageOf(own, row) : "";
          set.add(`${stage}\u0000${String(row[own?.item ?? rule.item])}`);
        }
        return set;
      });
      done.set(where, s);
    }
    return s;
  };
  const stages: BlindStage[] = ["title_abstract", "full_text", "extraction", "appraisal", "cerqual"];
  return {
    anyBlind: stages.some((s) => isBlind(blinding, s)),
    async visible(c, entity) {
      const rule = collectionAccess[c].blind;
      if (!rule) return true;
      const stage = blindStageOf(rule, entity);
      if (!isBlind(blinding, stage)) return true;
      if (rule.reviewer !== null && entity[rule.reviewer] === ctx.actor) return true;
      return (await doneIn(rule, c)).has(`${stage}\u0000${String(entity[rule.item])}`);
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
