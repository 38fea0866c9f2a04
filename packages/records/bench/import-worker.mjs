import { createReadStream } from "node:fs";
import { validate } from "../dist/index.js";

const file = process.argv[2];
if (file === "-") {
  console.log(JSON.stringify({ maxRssMB: process.resourceUsage().maxRSS / 1024 }));
} else {
  const t = performance.now();
  const rep = await validate(createReadStream(file, { highWaterMark: 1 << 16 }), { fileName: file });
  const seconds = (performance.now() - t) / 1000;
  if (rep.errors) throw new Error(`unexpected errors: ${JSON.stringify(rep.problems.slice(0, 3))}`);
  console.log(JSON.stringify({ records: rep.records, seconds, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
}
