import { describe, expect, it } from "vitest";
import { coreRoutes, routeUrl } from "../src/index.js";

describe("route contract", () => {
  it("fills path parameters percent-encoded and appends the query", () => {
    expect(routeUrl(coreRoutes.getRecord, { id: "p 1", recordId: "a/b" })).toBe("/api/projects/p%201/records/a%2Fb");
    expect(routeUrl(coreRoutes.listRecords, { id: "p" }, { offset: 0, limit: 50, q: "home care", sort: undefined })).toBe(
      "/api/projects/p/records?offset=0&limit=50&q=home+care",
    );
  });

  it("refuses a call missing a path parameter", () => {
    expect(() => routeUrl(coreRoutes.getProject, {})).toThrow(/missing path parameter "id"/);
  });

  it("declares each method and path once", () => {
    const keys = Object.values(coreRoutes).map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
