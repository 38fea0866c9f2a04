import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import * as api from "@homeward/api";
import type { RouteSpec } from "@homeward/api";
import { openStore, type Store } from "@homeward/store";
import { buildServer } from "@homeward/server";
import { namedUserPolicy } from "./identity.js";

const isRoute = (v: unknown): v is RouteSpec =>
  typeof v === "object" && v !== null && typeof (v as RouteSpec).method === "string" && typeof (v as RouteSpec).path === "string" && typeof (v as RouteSpec).summary === "string";

/** Every route table @homeward/api exports (an object whose values are all routes), found by shape so new tables are covered too. */
const tables: [string, RouteSpec[]][] = Object.entries(api)
  .filter(([, v]) => typeof v === "object" && v !== null && Object.keys(v).length > 0 && Object.values(v).every(isRoute))
  .map(([name, table]) => [name, Object.values(table as Record<string, RouteSpec>)]);
const declared = tables.flatMap(([table, routes]) => routes.map((r) => ({ table, key: `${r.method} ${r.path}`, route: r })));

/** "METHOD /path" of each row of the README's route tables; "GET/PUT" rows count for both, query strings are dropped. */
function readmeRoutes(text: string): Set<string> {
  const rows = new Set<string>();
  for (const line of text.split("\n")) {
    const m = /^\|\s*([A-Z]+(?:\/[A-Z]+)*)\s*\|\s*`([^`]+)`/.exec(line);
    if (!m) continue;
    const path = m[2]!.split(/[?[]/)[0]!;
    for (const method of m[1]!.split("/")) rows.add(`${method} ${path}`);
  }
  return rows;
}

describe("route contract", () => {
  let store: Store;
  let app: FastifyInstance;
  beforeAll(async () => {
    store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-contract-")) });
    app = await buildServer({ store, policy: namedUserPolicy, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")) });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it("finds the route tables of @homeward/api", () => {
    expect(tables.map(([name]) => name)).toEqual(expect.arrayContaining(["coreRoutes", "recordsRoutes", "collectionRoutes", "analysisRoutes"]));
  });

  it("declares each method and path once across all tables", () => {
    const seen = new Map<string, string>();
    for (const { table, key } of declared) {
      expect(seen.get(key), `${key} in ${table} and ${seen.get(key)}`).toBeUndefined();
      seen.set(key, table);
    }
  });

  it("serves every declared route", () => {
    expect(app.hasRoute({ method: "GET", url: "/api/projects/:id/no-such-route" })).toBe(false);
    const missing = declared.filter(({ route }) => !app.hasRoute({ method: route.method, url: route.path })).map(({ table, key }) => `${table}: ${key}`);
    expect(missing).toEqual([]);
  });

  it("lists every declared route in the README's route tables", () => {
    const listed = readmeRoutes(readFileSync(new URL("../README.md", import.meta.url), "utf8"));
    // The failure shows the rows to add.
    const missing = declared.filter(({ key }) => !listed.has(key)).map(({ route: r }) => `| ${r.method} | \`${r.path}\` | ${r.summary} |`);
    expect(missing).toEqual([]);
  });

  it("reads README rows as method and path", () => {
    expect([...readmeRoutes("| GET/PUT | `/api/projects/:id/protocol` | x |\n| POST | `/api/projects/import[?copy=true]` | y |\n| Method | Path |")]).toEqual([
      "GET /api/projects/:id/protocol",
      "PUT /api/projects/:id/protocol",
      "POST /api/projects/import",
    ]);
  });
});
