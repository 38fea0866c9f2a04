import { defineConfig } from "vitest/config";
import { availableParallelism } from "node:os";
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
    // Two files at a time at least: most of a browser test's time is spent waiting on Chromium and the
    // server, so on a two-core machine (where the default would be one) a second file fills that wait.
    // Every suite that uses PostgreSQL works in a database of its own (store/test/scratch-database.ts).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
