import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

const pkgs = ["model", "meta", "figures", "records", "screening", "review", "accounts", "appraisal", "extraction", "synthesis", "report", "api", "store", "server", "cli"];

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources, so no package needs building first.
    alias: Object.fromEntries([
      // Subpath exports first: "@homeward/server" would also match "@homeward/server/load".
      ["@homeward/server/load", fileURLToPath(new URL("./packages/server/src/load.ts", import.meta.url))],
      ["@homeward/model/node", fileURLToPath(new URL("./packages/model/src/node/index.ts", import.meta.url))],
      ["@homeward/report/pdf", fileURLToPath(new URL("./packages/report/src/pdf.ts", import.meta.url))],
      ...pkgs.map((p) => [`@homeward/${p}`, fileURLToPath(new URL(`./packages/${p}/src/index.ts`, import.meta.url))]),
    ]),
  },
  test: {
    include: ["packages/*/src/**/*.test.ts", "packages/*/test/**/*.test.ts", "examples/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
