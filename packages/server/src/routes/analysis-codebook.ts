import { codebookTree, flatten, settledValues, slotKey } from "@homeward/extraction";
import type { ExtractedValue } from "@homeward/model";
import { withCodebookValues, type AnalysisData, type StandingValue } from "@homeward/review";
import type { Store } from "@homeward/store";
import { blindView } from "../blinding.js";
import type { RequestContext } from "../context.js";

/**
 * The analysis rows with the codebook values standing for each study and
 * outcome (consensus, else the single or agreeing extraction) as moderator
 * columns. Only values the caller may see under blinding count, as on the
 * forms, so a model never reveals what the form hides.
 */
export async function withExtractedModerators(store: Store, projectId: string, ctx: RequestContext, data: AnalysisData): Promise<AnalysisData> {
  const [items, values, view] = await Promise.all([store.list(projectId, "codebookItems"), store.list(projectId, "extractedValues"), blindView(store, projectId, ctx)]);
  if (!values.length) return data;
  const visible: ExtractedValue[] = [];
  for (const v of values) if (await view.visible("extractedValues", v)) visible.push(v);
  const byId = new Map(items.map((i) => [i.id, i]));
  const standing: StandingValue[] = [];
  // settledValues keys by slot; the slot's study, item and outcome come from the values themselves.
  const slots = new Map(visible.map((v) => [slotKey(v), v]));
  for (const [k, s] of settledValues(items, visible)) {
    const v = slots.get(k);
    const item = v ? byId.get(v.itemId) : undefined;
    if (!v || !item || s.source === "unresolved") continue;
    standing.push({ studyId: v.studyId, outcomeId: v.outcomeId, code: item.code, value: s.value });
  }
  return withCodebookValues(data, flatten(codebookTree(items)).map((n) => n.item.code), standing);
}
