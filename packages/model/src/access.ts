import { z } from "zod";
import type { Role } from "./entities.js";

/** Roles from most to least trusted; a role may do whatever a later one may. */
export const ROLE_ORDER = ["owner", "adjudicator", "reviewer", "viewer"] as const satisfies readonly Role[];

/** Does `role` give at least what `needed` gives? */
export function roleAllows(role: Role | null | undefined, needed: Role): boolean {
  if (!role) return false;
  return ROLE_ORDER.indexOf(role) <= ROLE_ORDER.indexOf(needed);
}

/**
 * Who may call a route or run a command:
 * - "public": anyone, signed in or not (health, sign-in itself);
 * - "signedIn": any signed-in user (their own account, their project list);
 * - "admin": a user who administers the instance (users, password resets);
 * - a role: a member of the project named in the path with at least that role.
 */
export type Access = "public" | "signedIn" | "admin" | Role;

/**
 * Work done by two people independently, blind to each other until both have
 * done it: the screening stages, extraction, appraisal and CERQual
 * assessment. An owner lifts blinding for a stage (and may impose it again).
 */
export const BlindStage = z.enum(["title_abstract", "full_text", "extraction", "appraisal", "cerqual"]);
export type BlindStage = z.infer<typeof BlindStage>;

/** Stages whose blinding an owner has lifted, with who lifted it and when; a stage not listed is blind. */
export const Blinding = z.partialRecord(BlindStage, z.object({ liftedBy: z.string(), liftedAt: z.string() })).default({});
export type Blinding = z.infer<typeof Blinding>;

export const isBlind = (blinding: Blinding | undefined, stage: BlindStage): boolean => !blinding?.[stage];

/** Smallest password length: long enough that a rate-limited guesser gets nowhere, short enough for a passphrase. */
export const MIN_PASSWORD_LENGTH = 10;
export const Password = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `a password has at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(1024, "a password has at most 1,024 characters");
