import { z } from "zod";

/**
 * Entity ids are strings unique within their project (the store keys every
 * table on (project, id)), so an exported project keeps its ids on import and
 * example bundles may use readable ids such as "study-07".
 */
export const Id = z.string().min(1, "id must not be empty").max(200);
export type Id = z.infer<typeof Id>;

/** ISO 8601 date-time with offset or Z, e.g. "2025-03-01T09:30:00.000Z". */
export const Timestamp = z.iso.datetime({ offset: true });
export type Timestamp = z.infer<typeof Timestamp>;

/** Calendar date "YYYY-MM-DD". */
export const IsoDate = z.iso.date();

/** A user's unique login-style name; reviewers and actors are referred to by it everywhere. */
export const UserName = z
  .string()
  .trim()
  .min(1, "user name must not be empty")
  .max(100)
  .regex(/^[^\s].*$/, "user name must not start with a space");
export type UserName = z.infer<typeof UserName>;

/** Optional free text: absent or null both mean "none"; always null (never undefined) once parsed. */
export const OptText = z.string().nullable().default(null);
export const OptInt = z.number().int().nullable().default(null);
export const OptNumber = z.number().nullable().default(null);
export const IdList = z.array(Id).default([]);
export const StringList = z.array(z.string()).default([]);
/** Open-ended attributes (stored as JSON); keys are the team's own. */
export const Attributes = z.record(z.string(), z.unknown()).default({});

/** A coded entry in a named list of the protocol (outcome domain, exclusion reason, rating, ...). */
export const CodedItem = z.object({
  code: z.string().trim().min(1, "code must not be empty").max(100),
  label: z.string().default(""),
  description: OptText,
});
export type CodedItem = z.infer<typeof CodedItem>;

export const ScreeningStage = z.enum(["title_abstract", "full_text"]);
export type ScreeningStage = z.infer<typeof ScreeningStage>;
