// Start-up of the built CLI: `homeward --version` and `homeward --help`, each
// as a whole process, run RUNS times (default 10); prints the medians.
// Run: npm run bench -w @homeward/cli   (uses the built dist/)
import { fileURLToPath } from "node:url";
import { load, median, seconds, timeProcess } from "./time.mjs";

const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const runs = Number(process.env.RUNS ?? 10);

console.log(`${load()}; ${runs} runs each`);
for (const args of [["--version"], ["--help"]]) {
  const t = Array.from({ length: runs }, () => timeProcess([process.execPath, main, ...args]));
  console.log(`homeward ${args.join(" ")}: median wall ${seconds(median(t.map((x) => x.wall)))}, CPU ${seconds(median(t.map((x) => x.cpu)))}`);
}
