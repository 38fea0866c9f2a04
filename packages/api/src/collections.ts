import { z } from "zod";
import { PageQuery, type CollectionName, type Entity, type EntityInput, type Page } from "@homeward/model";
import { checkedBody, type Route, type RouteSpec } from "./route.js";

/** An audit reason a body may carry when the collection's entities have no field named `reason`. */
export interface WithReason {
  reason?: string;
}

// Any collection name is accepted by the schema (an unknown one is a 404, not a 400).
const CollectionParams = z.object({ id: z.string().min(1), name: z.string().min(1) });
const EntityParams = CollectionParams.extend({ entityId: z.string().min(1) });
const base = "/api/projects/:id/collections/:name";

const specs = {
  list: {
    method: "GET",
    access: "viewer",
    path: base,
    params: CollectionParams,
    // Paging; every other key is an equality filter on a field, checked against the collection's schema by the handler.
    query: PageQuery.loose(),
    summary: "a collection's entities in its order, filtered by field and paged",
  },
  get: { method: "GET", access: "viewer", path: `${base}/:entityId`, params: EntityParams, summary: "one entity" },
  create: {
    method: "POST",
    // Each collection names the role its writes need (`COLLECTIONS[name].writeRole`); the handler checks it.
    access: "reviewer",
    path: base,
    params: CollectionParams,
    // Checked against the schema of the collection named in the path, refusing unknown fields.
    body: checkedBody<unknown>(),
    status: 201,
    summary: "insert one entity, or an array in one transaction",
  },
  update: {
    method: "PATCH",
    // Each collection names the role its writes need (`COLLECTIONS[name].writeRole`); the handler checks it.
    access: "reviewer",
    path: `${base}/:entityId`,
    params: EntityParams,
    body: checkedBody<unknown>(),
    summary: "change fields of an entity (refused for append-only collections)",
  },
  remove: {
    method: "DELETE",
    // Each collection names the role its writes need (`COLLECTIONS[name].writeRole`); the handler checks it.
    access: "reviewer",
    path: `${base}/:entityId`,
    params: EntityParams,
    body: checkedBody<unknown>(),
    status: 204,
    summary: "remove an entity (refused for append-only and permanent collections, and while referred to)",
  },
} as const satisfies Record<string, RouteSpec>;

/**
 * A collection route as collection `C` types it: callers name `C` in the
 * path and send its entities; the handler sees the parsed path and an
 * unchecked body whatever `C` is.
 */
type Typed<S extends RouteSpec & { params: z.ZodType }, C extends CollectionName, Answer, Body = never> = Route<
  Omit<S, "params" | "body"> & { params: z.ZodType<z.output<S["params"]>, z.input<S["params"]> & { name: C }> } & ([Body] extends [never] ? unknown : { body: z.ZodType<unknown, Body> }),
  Answer
>;

/**
 * An entity to insert: the store fills ids, times and actor fields left out
 * and checks the required ones, so every field is optional here.
 */
export type NewEntityBody<C extends CollectionName> = Partial<EntityInput<C>>;

/** The routes of one collection, answering its own entity type. */
export interface CollectionRoutes<C extends CollectionName = CollectionName> {
  list: Typed<typeof specs.list, C, Page<Entity<C>>>;
  get: Typed<typeof specs.get, C, Entity<C>>;
  create: Typed<typeof specs.create, C, Entity<C> | Entity<C>[], (NewEntityBody<C> & WithReason) | NewEntityBody<C>[]>;
  update: Typed<typeof specs.update, C, Entity<C>, Partial<EntityInput<C>> & WithReason>;
  remove: Typed<typeof specs.remove, C, void, WithReason | undefined>;
}

/**
 * Validated, audited access to every project collection of @homeward/model:
 * `call(collectionRoutes.list, { params: { id, name: "studies" } })`.
 * Answers are typed for any collection; `collectionRoutesFor(name)` types
 * them for one.
 */
// The declarations are the same for every collection; only their types differ.
export const collectionRoutes: CollectionRoutes = specs as unknown as CollectionRoutes;

/** The collection routes typed for one collection: `call(collectionRoutesFor("recordedCounts").list, …)` answers `Page<RecordedCount>`. */
export const collectionRoutesFor = <C extends CollectionName>(_name: C): CollectionRoutes<C> => collectionRoutes as unknown as CollectionRoutes<C>;
