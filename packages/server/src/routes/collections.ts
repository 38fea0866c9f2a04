import type { FastifyInstance, FastifyReply } from "fastify";
import { z } from "zod";
import { collectionRoutes as r } from "@homeward/api";
import { collectionAccess, collectionInfo, InputError, isCollectionName, parseInput, roleAllows, type CollectionName } from "@homeward/model";
import { blindView } from "../blinding.js";
import type { Store, WriteContext } from "@homeward/store";
import { writer, type RequestContext } from "../context.js";
import { serve } from "../contract.js";

const Reason = z.string().trim().max(10_000, "a reason is at most 10,000 characters");
const PAGE_KEYS = new Set(["offset", "limit"]);

/** The base type of a schema field under its optional/nullable/default wrappers ("string", "number", "boolean", "enum", "array", …). */
function baseType(t: z.ZodType): { type: string; nullable: boolean } {
  let def = (t as unknown as { _zod: { def: { type: string; innerType?: z.ZodType } } })._zod.def;
  let nullable = false;
  while (def.innerType) {
    if (def.type === "nullable") nullable = true;
    def = (def.innerType as unknown as { _zod: { def: { type: string; innerType?: z.ZodType } } })._zod.def;
  }
  return { type: def.type, nullable };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Generic, validated and audited access to every project collection of
 * @homeward/model (`collections`; routes `collectionRoutes` in
 * @homeward/api): how teams enter recorded PRISMA counts, studies,
 * appraisals, extraction values, effect sizes, findings and recommendations.
 *
 * Lifecycles follow the model: append-only collections refuse PATCH and
 * DELETE, permanent ones DELETE (405 with an `Allow` header). Bodies are
 * checked against the collection's schema, and fields it does not have are
 * refused (400 naming the field) rather than dropped. References, free ids
 * and the one-lead-report rule are checked by the store (400/409).
 *
 * Every write is audited with the request's actor and an optional reason: a
 * `reason` field of an object body when the collection's entities have no
 * field of that name, else the request context's (`X-Homeward-Reason`).
 */
export async function registerCollectionRoutes(app: FastifyInstance, store: Store): Promise<void> {
  const collection = (name: string): CollectionName => {
    if (!isCollectionName(name)) throw new InputError(`no such collection "${name}"`, 404);
    return name;
  };

  /** Who writes and why: a body's `reason` (see `takeReason`) wins over the context's. */
  const context = (ctx: RequestContext, bodyReason?: unknown): WriteContext => {
    if (bodyReason === undefined || bodyReason === null) return writer(ctx);
    if (typeof bodyReason !== "string") throw new InputError(`"reason" must be text`);
    return writer(ctx, parseInput(Reason, bodyReason, "reason") || null);
  };

  /** Removes and returns the body's `reason` unless the collection's entities have a field of that name. */
  const takeReason = (c: CollectionName, body: Record<string, unknown>): unknown => {
    if (!("reason" in body) || "reason" in collectionInfo(c).schema.shape) return undefined;
    const reason = body.reason;
    delete body.reason;
    return reason;
  };

  const checkFields = (c: CollectionName, value: Record<string, unknown>, what: string) => {
    const shape = collectionInfo(c).schema.shape;
    for (const key of Object.keys(value)) {
      if (!(key in shape)) throw new InputError(`${what}: unknown field "${key}" (${c} have: ${Object.keys(shape).join(", ")})`);
    }
  };

  const lifecycle = (reply: FastifyReply, c: CollectionName, method: "PATCH" | "DELETE") => {
    const info = collectionInfo(c);
    const allow = ["GET", "POST", ...(info.appendOnly ? [] : ["PATCH"]), ...(info.appendOnly || info.permanent ? [] : ["DELETE"])];
    if (allow.includes(method)) return;
    reply.header("allow", allow.join(", "));
    const why = info.appendOnly
      ? `${c} are append-only: their history is the data, so record a new one instead`
      : `${c} are permanent: they can be changed but never removed`;
    throw new InputError(`${method} not allowed: ${why}`, 405);
  };

  /**
   * A write through this route: refused for collections with a domain route
   * of their own (whose rules it would skip) and below the collection's role;
   * the signing field and the time are the session's and the server's, never
   * the body's.
   */
  const writable = (c: CollectionName, ctx: RequestContext, reply: FastifyReply): void => {
    const a = collectionAccess[c];
    if (a.write === null) reply.header("allow", "GET");
    if (a.write === null) throw new InputError(`${c} are not written through the collections routes: use ${a.via}`, 405);
    if (!roleAllows(ctx.role, a.write)) throw new InputError(`writing ${c} needs the ${a.write} role or above in this project; ${ctx.actor} is a ${ctx.role}`, 403);
  };
  const stamped = (c: CollectionName, ctx: RequestContext, item: Record<string, unknown>, what: string, creating: boolean): void => {
    const { signer, stamp } = collectionAccess[c];
    if (stamp && stamp in item) throw new InputError(`${what}: "${stamp}" is set by the server, not sent`);
    if (signer && signer in item && item[signer] !== ctx.actor)
      throw new InputError(`${what}: "${signer}" is the signed-in user (${ctx.actor}); a ${c} entry cannot be signed for someone else`, 403);
    if (stamp) item[stamp] = new Date().toISOString();
    if (signer && (creating || signer in item)) item[signer] = ctx.actor;
  };

  serve(app, r.list, async ({ params: { id, name }, query, ctx }) => {
    const c = collection(name);
    const shape = collectionInfo(c).schema.shape;
    const where: Record<string, string | number | null> = {};
    for (const [field, raw] of Object.entries(query)) {
      if (PAGE_KEYS.has(field)) continue;
      if (!(field in shape)) throw new InputError(`cannot filter ${c} by "${field}": no such field`);
      if (typeof raw !== "string") throw new InputError(`filter "${field}" is given more than once`);
      const { type, nullable } = baseType(shape[field] as z.ZodType);
      if (nullable && raw === "null") where[field] = null;
      else if (type === "number") {
        const n = Number(raw);
        if (raw.trim() === "" || !Number.isFinite(n)) throw new InputError(`filter "${field}" must be a number`);
        where[field] = n;
      } else if (type === "boolean") {
        if (raw !== "true" && raw !== "false") throw new InputError(`filter "${field}" must be true or false`);
        // Stored as 0/1 in both engines.
        where[field] = raw === "true" ? 1 : 0;
      } else if (type === "string" || type === "enum") where[field] = raw;
      else throw new InputError(`cannot filter ${c} by "${field}": only text, number and true/false fields can be filtered`);
    }
    await store.getProject(id);
    // The store reads the whole filtered collection in its order; collections other than records are small.
    let all = await store.list(id, c, where as never);
    if (collectionAccess[c].blind) {
      const view = await blindView(store, id, ctx);
      const shown = await Promise.all(all.map((e) => view.visible(c, e as Record<string, unknown>)));
      all = all.filter((_, i) => shown[i]);
    }
    return { total: all.length, offset: query.offset, limit: query.limit, items: all.slice(query.offset, query.offset + query.limit) };
  });

  serve(app, r.get, async ({ params: { id, name, entityId }, ctx }) => {
    const c = collection(name);
    const entity = await store.get(id, c, entityId);
    // Hidden work answers as absent, so that its existence is not told either.
    if (collectionAccess[c].blind && !(await (await blindView(store, id, ctx)).visible(c, entity as Record<string, unknown>)))
      throw new InputError(`no ${c} entity with id "${entityId}"`, 404);
    return entity;
  });

  serve(app, r.create, async ({ params: { id, name }, body, ctx, reply }) => {
    const c = collection(name);
    writable(c, ctx, reply);
    const many = Array.isArray(body);
    if (!many && !isObject(body)) throw new InputError(`the body must be a ${c} entity (a JSON object) or an array of them`);
    const items: unknown[] = many ? [...body] : [{ ...body }];
    if (items.length === 0) throw new InputError("the array holds no entities");
    items.forEach((item, i) => {
      if (!isObject(item)) throw new InputError(`entity #${i + 1} is not a JSON object`);
    });
    const write = context(ctx, many ? undefined : takeReason(c, items[0] as Record<string, unknown>));
    items.forEach((item, i) => checkFields(c, item as Record<string, unknown>, many ? `entity #${i + 1}` : "entity"));
    items.forEach((item, i) => stamped(c, ctx, item as Record<string, unknown>, many ? `entity #${i + 1}` : "entity", true));
    const saved = await store.insert(id, c, items as never[], write);
    return many ? saved : saved[0];
  });

  serve(app, r.update, async ({ params: { id, name, entityId }, body, ctx, reply }) => {
    const c = collection(name);
    writable(c, ctx, reply);
    lifecycle(reply, c, "PATCH");
    if (!isObject(body)) throw new InputError("the body must be a JSON object of the fields to change");
    const patch = { ...body };
    const write = context(ctx, takeReason(c, patch));
    checkFields(c, patch, "change");
    if (Object.keys(patch).length === 0) throw new InputError("nothing to change");
    stamped(c, ctx, patch, "change", false);
    return store.update(id, c, entityId, patch as never, write);
  });

  serve(app, r.remove, async ({ params: { id, name, entityId }, body, ctx, reply }) => {
    const c = collection(name);
    writable(c, ctx, reply);
    lifecycle(reply, c, "DELETE");
    // serve() gives an empty DELETE the body {}.
    if (!isObject(body)) throw new InputError(`the body of a DELETE, if any, must be {"reason": "…"}`);
    const { reason, ...rest } = body;
    if (Object.keys(rest).length > 0) throw new InputError(`the body of a DELETE takes only "reason"`);
    await store.remove(id, c, entityId, context(ctx, reason));
  });
}
