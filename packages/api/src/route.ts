import { z } from "zod";
import type { Access } from "@homeward/model";

/**
 * The HTTP API as data: every route is declared once, with its method, path,
 * the schemas of its path parameters, query and body, and the type of its
 * answer. The server registers its handlers from these declarations (so a
 * handler cannot read a body its route did not declare) and the web app calls
 * them through one typed `call` (so it cannot drift from what the server
 * answers).
 *
 * Why a package of its own rather than part of @homeward/model: answers are
 * the engines' own types (a screening status, a PRISMA flow, a fitted model),
 * and the engines depend on the model. This package imports those types only
 * (`import type`), so the web bundle gets the schemas and nothing of the
 * engines.
 */

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RouteSpec {
  method: Method;
  /** Who may call it (see `Access`): checked by the server before the handler runs. */
  access: Access;
  /** Fastify-style path under the server root, e.g. "/api/projects/:id/records". */
  path: string;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** What the body is called in error messages ("decision", "project change"); default "body". */
  bodyName?: string;
  /** Largest body the route reads, bytes; default the server's small JSON limit (1 MiB). */
  bodyLimit?: number;
  /** Success status when not 200 (201 for creations, 204 for removals). */
  status?: 200 | 201 | 204;
  /** What the route does, for the route table in the server's README and errors. */
  summary: string;
}

/** A declared route; `Answer` exists only in the type system. */
export type Route<S extends RouteSpec = RouteSpec, Answer = unknown> = S & { readonly __answer?: Answer };

/**
 * Declares a route answering `Answer`: `route<Page<X>>()({ method: "GET", … })`.
 * Curried so the spec's literal types are inferred while the answer is named.
 */
export const route =
  <Answer>() =>
  <const S extends RouteSpec>(spec: S): Route<S, Answer> =>
    spec as Route<S, Answer>;

/**
 * A body its handler checks itself, so that errors name the part as the
 * engine or the store does (a project file, a meta spec, an entity of the
 * collection named in the path). `Input` types what callers send; the
 * handler sees `unknown`.
 */
export const checkedBody = <Input>(): z.ZodType<unknown, Input> => z.unknown() as unknown as z.ZodType<unknown, Input>;

/** The answer of a route that sends a file (an export, a figure): fetched as a Blob, not parsed as JSON. */
export type FileAnswer = Blob;

type Input<T> = T extends z.ZodType ? z.input<T> : undefined;
type Output<T> = T extends z.ZodType ? z.output<T> : undefined;

export type ParamsOf<R extends RouteSpec> = Input<R["params"]>;
export type QueryOf<R extends RouteSpec> = Input<R["query"]>;
export type BodyOf<R extends RouteSpec> = Input<R["body"]>;
export type ParsedParams<R extends RouteSpec> = Output<R["params"]>;
export type ParsedQuery<R extends RouteSpec> = Output<R["query"]>;
export type ParsedBody<R extends RouteSpec> = Output<R["body"]>;
export type AnswerOf<R> = R extends { readonly __answer?: infer A } ? A : never;

/** What a caller passes: only the parts the route declares (path parameters, query, body). */
export type CallArgs<R extends RouteSpec> = (R["params"] extends z.ZodType ? { params: ParamsOf<R> } : { params?: undefined }) &
  (R["query"] extends z.ZodType ? { query?: QueryOf<R> } : { query?: undefined }) &
  (R["body"] extends z.ZodType ? { body: BodyOf<R> } : { body?: undefined });

/** The URL of a call: path parameters filled in (percent-encoded), the query as a query string. */
export function routeUrl(r: RouteSpec, params?: Record<string, unknown>, query?: Record<string, unknown>): string {
  const path = r.path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) => {
    const v = params?.[name];
    if (v === undefined || v === null || v === "") throw new Error(`${r.method} ${r.path}: missing path parameter "${name}"`);
    return encodeURIComponent(String(v));
  });
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === null) continue;
    for (const item of Array.isArray(v) ? v : [v]) qs.append(k, String(item));
  }
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}
