import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AnswerOf, ParsedBody, ParsedParams, ParsedQuery, Route, RouteSpec } from "@homeward/api";
import { parseInput } from "@homeward/model";
import { authorize, type AccessPolicy, type RequestContext } from "./context.js";

/** What a handler gets: its route's parsed inputs and the request context. */
export interface HandlerInput<R extends RouteSpec> {
  params: ParsedParams<R>;
  query: ParsedQuery<R>;
  body: ParsedBody<R>;
  ctx: RequestContext;
  req: FastifyRequest;
  reply: FastifyReply;
}

/**
 * Registers the handler of a declared route: inputs are parsed with the
 * route's schemas (a bad one is a 400 naming the part) and the answer is typed
 * by the declaration. A handler that sends its own reply (a file, a CSV)
 * returns the reply.
 */
export function serve<R extends Route>(
  app: FastifyInstance,
  route: R,
  handler: (input: HandlerInput<R>) => Promise<AnswerOf<R> | FastifyReply>,
): void {
  const policy: AccessPolicy | undefined = app.accessPolicy;
  if (!policy) throw new Error("serve() needs the server's access policy (buildServer sets it before registering routes)");
  app.route({
    method: route.method,
    url: route.path,
    config: { access: route.access },
    // Undeclared, the server's own limit applies (DEFAULT_BODY_LIMIT unless configured).
    ...(route.bodyLimit ? { bodyLimit: route.bodyLimit } : {}),
    handler: async (req, reply) => {
      // Who may call is checked first: a caller without access learns nothing from validation errors.
      const projectId = (req.params as { id?: unknown } | undefined)?.id;
      await authorize(policy, req.ctx, route.access, typeof projectId === "string" ? projectId : undefined);
      const params = (route.params ? parseInput(route.params, req.params, "path") : undefined) as ParsedParams<R>;
      const input = {
        params,
        query: (route.query ? parseInput(route.query, req.query ?? {}, "query") : undefined) as ParsedQuery<R>,
        body: (route.body ? parseInput(route.body, req.body ?? defaultBody(route), bodyName(route)) : undefined) as ParsedBody<R>,
        ctx: req.ctx,
        req,
        reply,
      };
      const answer = await handler(input);
      if (answer === reply) return reply;
      if (route.status === 204) return reply.code(204).send();
      if (route.status) reply.code(route.status);
      return answer;
    },
  });
}

/**
 * Largest body a route reads unless its declaration says otherwise: API
 * bodies are small JSON; only a route that takes a whole file declares more
 * (a project import). Upload routes that stream their body to a file are
 * bounded by their own limit, not this one, since Fastify does not buffer them.
 */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

// An empty POST carries no body; schemas with defaults then apply them.
const defaultBody = (r: RouteSpec): unknown => (r.body && r.method !== "GET" ? {} : undefined);
const bodyName = (r: RouteSpec): string => r.bodyName ?? "body";
