import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { collectionInfo, InputError, isCollectionName, parseInput, UserName, type CollectionName, type Page } from "@homeward/model";
import type { Store, WriteContext } from "@homeward/store";
import { DEFAULT_USER, USER_HEADER } from "../app.js";

export const REASON_HEADER = "x-homeward-reason";

const CollectionParams = z.object({ id: z.string().min(1), name: z.string().min(1) });
const EntityParams = CollectionParams.extend({ entityId: z.string().min(1) });
const Reason = z.string().trim().max(10_000, "a reason is at most 10,000 characters");
const PAGE_KEYS = new Set(["offset", "limit"]);
const limitQuery = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

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
 * @homeward/model (`collections`): how teams enter recorded PRISMA counts,
 * studies, appraisals, extraction values, effect sizes, findings and
 * recommendations.
 *
 *   GET    /api/projects/:id/collections/:name            ?field=value…&offset&limit → Page<entity>
 *   GET    /api/projects/:id/collections/:name/:entityId  → entity
 *   POST   /api/projects/:id/collections/:name            entity | entity[] → 201 the stored entity | entities (one transaction)
 *   PATCH  /api/projects/:id/collections/:name/:entityId  {fields…} → the updated entity
 *   DELETE /api/projects/:id/collections/:name/:entityId  → 204
 *
 * Lifecycles follow the model: append-only collections refuse PATCH and
 * DELETE, permanent ones DELETE (405 with an `Allow` header). Bodies are
 * checked against the collection's schema, and fields it does not have are
 * refused (400 naming the field) rather than dropped. References, free ids
 * and the one-lead-report rule are checked by the store (400/409).
 *
 * Every write is audited with the acting user (`X-Homeward-User`) and an
 * optional reason: the `X-Homeward-Reason` header (percent-encoded when it
 * is not plain ASCII), or a `reason` field of an object body when the
 * collection's entities have no field of that name.
 */
export async function registerCollectionRoutes(app: FastifyInstance, store: Store): Promise<void> {
  const base = "/api/projects/:id/collections/:name";

  const collection = (name: string): CollectionName => {
    if (!isCollectionName(name)) throw new InputError(`no such collection "${name}"`, 404);
    return name;
  };

  /**
   * Who writes and why. `bodyReason` is the `reason` an object body carried
   * (see `takeReason`); it wins over the header.
   */
  const context = (req: FastifyRequest, bodyReason?: unknown): WriteContext => {
    const u = req.headers[USER_HEADER];
    const user = Array.isArray(u) ? u[0] : u;
    const actor = user === undefined || user === "" ? DEFAULT_USER : parseInput(UserName, user, `${USER_HEADER} header`);
    const h = req.headers[REASON_HEADER];
    let reason: unknown = Array.isArray(h) ? h[0] : h;
    if (typeof reason === "string") {
      try {
        reason = decodeURIComponent(reason);
      } catch {
        // Not percent-encoded: taken as written.
      }
    }
    if (bodyReason !== undefined && bodyReason !== null) reason = bodyReason;
    if (reason !== undefined && typeof reason !== "string") throw new InputError(`"reason" must be text`);
    const r = reason === undefined ? null : parseInput(Reason, reason, "reason");
    return { actor, reason: r === "" ? null : r };
  };

  /** Removes and returns the body's `reason` unless the collection's entities have a field of that name. */
  const takeReason = (c: CollectionName, body: Record<string, unknown>): unknown => {
    if (!("reason" in body) || "reason" in collectionInfo(c).schema.shape) return undefined;
    const r = body.reason;
    delete body.reason;
    return r;
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

  app.get(base, async (req): Promise<Page<unknown>> => {
    const { id, name } = parseInput(CollectionParams, req.params, "path");
    const c = collection(name);
    const query = (req.query ?? {}) as Record<string, unknown>;
    const page = parseInput(limitQuery, Object.fromEntries(Object.entries(query).filter(([k]) => PAGE_KEYS.has(k))), "query");
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
    const all = (await store.list(id, c, where as never)) as unknown[];
    return { total: all.length, offset: page.offset, limit: page.limit, items: all.slice(page.offset, page.offset + page.limit) };
  });

  app.get(`${base}/:entityId`, async (req) => {
    const { id, name, entityId } = parseInput(EntityParams, req.params, "path");
    return store.get(id, collection(name), entityId);
  });

  app.post(base, async (req, reply) => {
    const { id, name } = parseInput(CollectionParams, req.params, "path");
    const c = collection(name);
    const body = req.body;
    const many = Array.isArray(body);
    if (!many && !isObject(body)) throw new InputError(`the body must be a ${c} entity (a JSON object) or an array of them`);
    const items = many ? [...body] : [{ ...body }];
    if (items.length === 0) throw new InputError("the array holds no entities");
    items.forEach((item, i) => {
      if (!isObject(item)) throw new InputError(`entity #${i + 1} is not a JSON object`);
    });
    const ctx = context(req, many ? undefined : takeReason(c, items[0] as Record<string, unknown>));
    items.forEach((item, i) => checkFields(c, item as Record<string, unknown>, many ? `entity #${i + 1}` : "entity"));
    const saved = await store.insert(id, c, items as never[], ctx);
    return reply.code(201).send(many ? saved : saved[0]);
  });

  app.patch(`${base}/:entityId`, async (req, reply) => {
    const { id, name, entityId } = parseInput(EntityParams, req.params, "path");
    const c = collection(name);
    lifecycle(reply, c, "PATCH");
    if (!isObject(req.body)) throw new InputError("the body must be a JSON object of the fields to change");
    const patch = { ...req.body };
    const ctx = context(req, takeReason(c, patch));
    checkFields(c, patch, "change");
    if (Object.keys(patch).length === 0) throw new InputError("nothing to change");
    return store.update(id, c, entityId, patch as never, ctx);
  });

  app.delete(`${base}/:entityId`, async (req, reply) => {
    const { id, name, entityId } = parseInput(EntityParams, req.params, "path");
    const c = collection(name);
    lifecycle(reply, c, "DELETE");
    const body = req.body === undefined || req.body === null ? {} : req.body;
    if (!isObject(body)) throw new InputError(`the body of a DELETE, if any, must be {"reason": "…"}`);
    const { reason, ...rest } = body;
    if (Object.keys(rest).length > 0) throw new InputError(`the body of a DELETE takes only "reason"`);
    const ctx = context(req, reason);
    await store.remove(id, c, entityId, ctx);
    return reply.code(204).send();
  });
}
