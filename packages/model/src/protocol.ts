import { z } from "zod";
import { CodedItem, OptText, ScreeningStage } from "./common.js";

/** PICOT(S) text of the review question. */
export const Picot = z.object({
  population: z.string().default(""),
  intervention: z.string().default(""),
  comparison: z.string().default(""),
  outcomes: z.string().default(""),
  timing: z.string().default(""),
  setting: z.string().default(""),
});
export type Picot = z.infer<typeof Picot>;

/** One row of the inclusion or exclusion table; `category` groups rows (e.g. "Population", "Design"). */
export const Criterion = CodedItem.extend({ category: OptText });
export type Criterion = z.infer<typeof Criterion>;

/**
 * Exclusion reason. When a record meets several reasons, the one with the
 * lowest `rank` is the recorded (reported) reason; the others are kept on the
 * decision. `stage` restricts where the reason may be used ("any" = both).
 */
export const ExclusionReason = CodedItem.extend({
  rank: z.number().int().min(0),
  stage: z.union([ScreeningStage, z.literal("any")]).default("any"),
});
export type ExclusionReason = z.infer<typeof ExclusionReason>;

/** A level of a rating scheme (e.g. for recommendations); higher `rank` = stronger. */
export const RatingLevel = CodedItem.extend({ rank: z.number().int().default(0) });
export type RatingLevel = z.infer<typeof RatingLevel>;

const list = <T extends z.ZodTypeAny>(item: T) => z.array(item).default([]);

export const Protocol = z
  .object({
    question: z.string().default(""),
    picot: Picot.default(Picot.parse({})),
    eligibility: z
      .object({ inclusion: list(Criterion), exclusion: list(Criterion) })
      .default({ inclusion: [], exclusion: [] }),
    exclusionReasons: list(ExclusionReason),
    outcomeDomains: list(CodedItem),
    interventionTypology: list(CodedItem),
    componentLevels: list(CodedItem),
    /** PROGRESS-Plus characteristics (place, race/ethnicity, occupation, gender, religion, education, SES, social capital, plus). */
    equityCharacteristics: list(CodedItem),
    ratingScheme: list(RatingLevel),
    /** Further named lists the team defines, e.g. {"settings": [...]} */
    lists: z.record(z.string(), z.array(CodedItem)).default({}),
  })
  .superRefine((p, ctx) => {
    const dupes = (items: { code: string }[], path: (string | number)[]) => {
      const seen = new Set<string>();
      items.forEach((it, i) => {
        if (seen.has(it.code)) ctx.addIssue({ code: "custom", path: [...path, i, "code"], message: `duplicate code "${it.code}"` });
        seen.add(it.code);
      });
    };
    dupes(p.eligibility.inclusion, ["eligibility", "inclusion"]);
    dupes(p.eligibility.exclusion, ["eligibility", "exclusion"]);
    dupes(p.exclusionReasons, ["exclusionReasons"]);
    dupes(p.outcomeDomains, ["outcomeDomains"]);
    dupes(p.interventionTypology, ["interventionTypology"]);
    dupes(p.componentLevels, ["componentLevels"]);
    dupes(p.equityCharacteristics, ["equityCharacteristics"]);
    dupes(p.ratingScheme, ["ratingScheme"]);
    for (const [name, items] of Object.entries(p.lists)) dupes(items, ["lists", name]);
  });
export type Protocol = z.infer<typeof Protocol>;
export type ProtocolInput = z.input<typeof Protocol>;

export const emptyProtocol = (): Protocol => Protocol.parse({});

/**
 * The reason recorded for an exclusion when several apply: the lowest rank
 * among the given codes (unknown codes rank last, ties keep the given order).
 */
export function recordedExclusionReason(protocol: Pick<Protocol, "exclusionReasons">, codes: readonly string[]): string | null {
  if (codes.length === 0) return null;
  const rank = new Map(protocol.exclusionReasons.map((r) => [r.code, r.rank]));
  let best = codes[0]!;
  for (const c of codes) if ((rank.get(c) ?? Infinity) < (rank.get(best) ?? Infinity)) best = c;
  return best;
}
