// Import benchmark: writes a 500,000-record RIS file, then streams it through
// the parser in a separate process and reports time and peak resident memory.
// Peak RSS staying flat as the file grows is the evidence of bounded memory.
import { execFileSync } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";

const worker = new URL("./import-worker.mjs", import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), "homeward-import-bench-"));

async function writeRis(path, n) {
  const out = createWriteStream(path);
  for (let i = 0; i < n; i++) {
    const rec =
      `TY  - JOUR\nID  - ${i + 1}\nTI  - Effect of intervention ${i % 977} on outcome ${i % 613} in a randomised trial of ${i} participants\n` +
      `AU  - Author${i % 5000}, A. B.\nAU  - Second${i % 313}, C.\nAU  - Third${i % 97}, D. E.\nPY  - ${1980 + (i % 44)}\n` +
      `T2  - Journal of Studies ${i % 400}\nVL  - ${1 + (i % 90)}\nIS  - ${1 + (i % 12)}\nSP  - ${1 + (i % 900)}\nEP  - ${10 + (i % 900)}\n` +
      `DO  - 10.1234/bench.${i}\nAB  - Background: this abstract describes study ${i}. Methods: participants were randomised.\n` +
      `      Results: the intervention improved outcomes. Conclusions: more research is needed.\nKW  - trial\nKW  - outcome ${i % 50}\n` +
      `M3  - vendor field kept verbatim\nER  - \n\n`;
    if (!out.write(rec)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

console.log("Streaming RIS import (parse + validation, records not kept), separate process per run");
console.log("records    file MB   time     records/s   peak RSS MB");
const baseline = JSON.parse(execFileSync(process.execPath, [worker, "-"]).toString());
for (const n of [50_000, 500_000]) {
  const file = join(tmp, `bench-${n}.ris`);
  await writeRis(file, n);
  const r = JSON.parse(execFileSync(process.execPath, [worker, file]).toString());
  const mb = statSync(file).size / 2 ** 20;
  console.log(`${String(r.records).padStart(7)}  ${mb.toFixed(0).padStart(8)}  ${r.seconds.toFixed(1).padStart(5)} s  ${Math.round(r.records / r.seconds).toString().padStart(9)}   ${r.maxRssMB.toFixed(0).padStart(6)}`);
  rmSync(file);
}
console.log(`(an idle Node process that loads the package peaks at ${baseline.maxRssMB.toFixed(0)} MB)`);
rmSync(tmp, { recursive: true, force: true });
