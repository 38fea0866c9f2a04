import { describe, expect, it } from "vitest";
import { buildPath, matchPath } from "./paths";

describe("matchPath", () => {
  it("matches literal segments and captures parameters", () => {
    expect(matchPath("/", "/")).toEqual({});
    expect(matchPath("/projects/:id", "/projects/p1")).toEqual({ id: "p1" });
    expect(matchPath("/projects/:id/records", "/projects/p1/records")).toEqual({ id: "p1" });
  });

  it("ignores a trailing slash", () => {
    expect(matchPath("/projects/:id", "/projects/p1/")).toEqual({ id: "p1" });
  });

  it("rejects other lengths and other literals", () => {
    expect(matchPath("/projects/:id", "/projects")).toBeNull();
    expect(matchPath("/projects/:id", "/projects/p1/records")).toBeNull();
    expect(matchPath("/projects/:id/records", "/projects/p1/studies")).toBeNull();
  });

  it("decodes parameters and rejects malformed escapes", () => {
    expect(matchPath("/projects/:id", "/projects/a%20b%2Fc")).toEqual({ id: "a b/c" });
    expect(matchPath("/projects/:id", "/projects/%E0%A4%A")).toBeNull();
  });
});

describe("buildPath", () => {
  it("encodes parameters so they round-trip through matchPath", () => {
    const id = "review 2025/ü?#";
    const path = buildPath("/projects/:id/records", { id });
    expect(path).toBe("/projects/review%202025%2F%C3%BC%3F%23/records");
    expect(matchPath("/projects/:id/records", path)).toEqual({ id });
  });
});
