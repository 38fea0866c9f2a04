import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import type { FastifyInstance } from "fastify";
import { ensureExamples, type Store } from "@homeward/store";
import type { OpenStore } from "../../store/test/scratch-database.js";
import { buildServer } from "@homeward/server";
import { namedUserPolicy } from "./identity.js";

export interface ExampleServer {
  /** Both set by the suite's `beforeAll`: read them inside tests, not while the suite is declared. */
  store: Store;
  app: FastifyInstance;
  /** A request as `user` (by `namedUserPolicy`'s header): its status and parsed body (null when empty). */
  call: (method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE", url: string, payload?: unknown, user?: string) => Promise<{ status: number; body: any }>;
}

/**
 * A server over the example projects on one engine of `storeEngines`,
 * opened before the enclosing suite and closed (its scratch database
 * dropped) after it.
 */
export function exampleServer(open: OpenStore): ExampleServer {
  let done: (() => Promise<void>) | undefined;
  const server = {
    call: async (method, url, payload, user = "ana") => {
      const res = await server.app.inject({ method, url, payload: payload as never, headers: { "x-homeward-user": user } });
      return { status: res.statusCode, body: res.body ? res.json() : null };
    },
  } as ExampleServer;
  beforeAll(async () => {
    const opened = await open();
    server.store = opened.store;
    done = opened.done;
    await ensureExamples(server.store);
    server.app = await buildServer({ store: server.store, policy: namedUserPolicy, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")) });
  });
  afterAll(async () => {
    await server.app?.close();
    await server.store?.close();
    await done?.();
  });
  return server;
}
