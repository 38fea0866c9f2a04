import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { run, type Io } from "../index.js";
import { oidcFromEnv, stopServers } from "./serve.js";

const ISSUER = "https://id.example.org/realms/staff";

describe("homeward serve: organisation sign-in settings", () => {
  afterEach(async () => {
    await stopServers();
  });

  it("is off without settings, on with issuer and client id (defaults for the public URL and the label)", () => {
    expect(oidcFromEnv({}, 5170)).toBeNull();
    expect(oidcFromEnv({ HOMEWARD_PUBLIC_URL: "https://x.example", HOMEWARD_OIDC_LABEL: "X" }, 5170)).toBeNull();
    expect(oidcFromEnv({ HOMEWARD_OIDC_ISSUER: ISSUER, HOMEWARD_OIDC_CLIENT_ID: "homeward" }, 5170)).toEqual({
      issuer: ISSUER,
      clientId: "homeward",
      redirectBase: "http://127.0.0.1:5170",
      label: "your organisation",
    });
    expect(
      oidcFromEnv(
        { HOMEWARD_OIDC_ISSUER: ISSUER, HOMEWARD_OIDC_CLIENT_ID: "homeward", HOMEWARD_OIDC_CLIENT_SECRET: "s", HOMEWARD_PUBLIC_URL: "https://reviews.example.org/", HOMEWARD_OIDC_LABEL: " Example University " },
        0,
      ),
    ).toEqual({ issuer: ISSUER, clientId: "homeward", clientSecret: "s", redirectBase: "https://reviews.example.org", label: "Example University" });
  });

  it.each([
    [{ HOMEWARD_OIDC_ISSUER: ISSUER }, /needs HOMEWARD_OIDC_CLIENT_ID as well/],
    [{ HOMEWARD_OIDC_CLIENT_SECRET: "s" }, /needs HOMEWARD_OIDC_ISSUER and HOMEWARD_OIDC_CLIENT_ID/],
    [{ HOMEWARD_OIDC_ISSUER: "id.example.org", HOMEWARD_OIDC_CLIENT_ID: "c" }, /HOMEWARD_OIDC_ISSUER must be an absolute URL/],
    [{ HOMEWARD_OIDC_ISSUER: "http://id.example.org", HOMEWARD_OIDC_CLIENT_ID: "c" }, /must use https/],
    [{ HOMEWARD_OIDC_ISSUER: ISSUER, HOMEWARD_OIDC_CLIENT_ID: "c", HOMEWARD_PUBLIC_URL: "http://reviews.example.org" }, /HOMEWARD_PUBLIC_URL must use https/],
    [{ HOMEWARD_OIDC_ISSUER: ISSUER, HOMEWARD_OIDC_CLIENT_ID: "c", HOMEWARD_PUBLIC_URL: "https://x.example/homeward" }, /without a path/],
  ])("refuses a partial or malformed setting %#", (env, reason) => {
    expect(() => oidcFromEnv(env, 5170)).toThrow(reason);
  });

  it("exits 2 with a one-line reason, before opening any data", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "homeward-serve-oidc-"));
    let err = "";
    const io: Io = { out: () => {}, err: (t) => void (err += t), cwd };
    const saved = process.env.HOMEWARD_OIDC_ISSUER;
    process.env.HOMEWARD_OIDC_ISSUER = ISSUER;
    try {
      expect(await run(["serve", "--port", "0", "--data", "d"], io)).toBe(2);
    } finally {
      if (saved === undefined) delete process.env.HOMEWARD_OIDC_ISSUER;
      else process.env.HOMEWARD_OIDC_ISSUER = saved;
    }
    expect(err.trim().split("\n")).toHaveLength(1);
    expect(err).toMatch(/HOMEWARD_OIDC_CLIENT_ID/);
  });
});
