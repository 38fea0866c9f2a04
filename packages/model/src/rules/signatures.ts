import { InputError } from "../errors.js";
import type { Permit } from "./context.js";

/**
 * Permission rule for a field that signs an entity (a decision's reviewer, a
 * count's recorder, ...): the signature, when the write sets or changes it,
 * must be the acting user. Left out, the store fills it with the acting user.
 */
export function signedBy<E extends object>(field: keyof E & string, what: string): Permit<E> {
  return (op, before, after, actor) => {
    if (op === "remove" || after === null) return;
    const by: unknown = after[field];
    if (by === null || by === undefined || by === actor.name) return;
    if (before !== null && before[field] === by) return;
    throw new InputError(`a ${what} signed by "${String(by)}" cannot be recorded by "${actor.name}": ${field} must be the acting user`, 403);
  };
}
