import type { CollectionName, Entity } from "../collections.js";
import type { Protocol } from "../protocol.js";

/**
 * The user a write is made for. `roles` are their roles in the project; they
 * stay empty until sign-in provides them, so rules that need a role cannot
 * be written yet.
 */
export interface Actor {
  name: string;
  roles: readonly string[];
}

export type WriteOp = "create" | "update" | "remove";

/** Equality on scalar fields; an array matches any one of its values. */
export type Where<C extends CollectionName> = Partial<Record<keyof Entity<C> & string, string | number | null | readonly string[]>>;

/**
 * What a rule may read of the project. For a live write the store answers
 * from inside the write's transaction (before the write); for an import the
 * answers come from the file. The entities being checked may therefore be
 * visible or not: a rule that looks for other entities skips the ids it was
 * given.
 */
export interface RuleContext {
  protocol(): Promise<Protocol>;
  /** Entities of `c` matching every filter (`{id: [...]}` fetches by id), one read whatever the number of values. */
  find<C extends CollectionName>(c: C, where: Where<C>): Promise<Entity<C>[]>;
}

/**
 * Rules a collection declares beside its `refs`; the store runs them for
 * every write, whoever the caller, so the CLI, the server and imports agree.
 */
export interface CollectionRules<E> {
  /**
   * Checks parsed entities about to be created or updated (a whole batch at
   * once, so a rule reads the project once per batch), and the collection of
   * an imported file. Throws an InputError.
   */
  validate?: (entities: readonly E[], ctx: RuleContext) => Promise<void>;
  /**
   * Whether `actor` may make this change; throws an InputError (403) if not.
   * Pure and synchronous: the store calls it once per entity. Not run on
   * import, which carries other people's past decisions.
   */
  permit?: Permit<E>;
  /**
   * Checks entities about to be removed (the project before the removal is
   * what `ctx` reads). Throws an InputError.
   */
  validateRemove?: (entities: readonly E[], ctx: RuleContext) => Promise<void>;
}

export type Permit<E> = (op: WriteOp, before: E | null, after: E | null, actor: Actor) => void;

type FileLike = { protocol: Protocol } & { [C in CollectionName]?: readonly Entity<C>[] };

/** A RuleContext over a whole project held in memory (a project file being imported). */
export function fileRuleContext(file: FileLike): RuleContext {
  return {
    protocol: async () => file.protocol,
    find: async <C extends CollectionName>(c: C, where: Where<C>) => {
      const tests = Object.entries(where as Record<string, unknown>).map(([field, v]) => {
        const allowed = Array.isArray(v) ? new Set<unknown>(v) : null;
        return (e: Record<string, unknown>) => (allowed ? allowed.has(e[field]) : e[field] === v);
      });
      const all = (file[c] ?? []) as readonly Entity<C>[];
      return all.filter((e) => tests.every((t) => t(e as Record<string, unknown>)));
    },
  };
}
