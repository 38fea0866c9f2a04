import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const pkgs = ["model", "meta", "figures", "records", "screening", "review", "accounts", "appraisal", "api", "store", "server", "cli"];

// Benchmarks run like tests (so TypeScript and the workspace aliases work) but only when asked for.
export default defineConfig({
  root,
  resolve: {
    alias: Object.fromEntries(pkgs.map((p) => [`@homeward/${p}`, `${root}packages/${p}/src/index.ts`])),
  },
  test: {
    include: ["packages/web/bench/**/*.bench.ts"],
    testTimeout: 900_000,
    hookTimeout: 900_000,
  },
});
