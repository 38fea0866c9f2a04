// Builds the assink2016 example bundle from metadat's dat.assink2016.
//
//   npx tsc -b && node examples/assink2016/build.mjs
//
// Reads the data set with R (the metadat package), writes project.json,
// users.json, studies.json, outcomes.json, effectSizes.json and
// savedAnalyses.json next to this file. The saved analyses' results are
// Homeward's own fits of the same rows the analysis page fits (their
// agreement with metafor is checked by assink2016.test.ts against
// reference/metafor.json, which reference/metafor.R writes).
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fitMetaSpec, parseMetaSpec } from "@homeward/meta";
import { analysisSnapshot, effectSizeRows } from "@homeward/review";
import { EffectSize, Outcome, Study } from "@homeward/model";

const here = dirname(fileURLToPath(import.meta.url));
// Ids padded so that the store's order (by id, byte order) is metadat's row order: study, then effect size.
const pad = (n, w) => String(n).padStart(w, "0");
const at = "2026-01-01T00:00:00.000Z";
const user = "metadat-example";

const raw = JSON.parse(
  execFileSync("Rscript", ["-e", 'suppressMessages(library(metadat)); cat(jsonlite::toJSON(dat.assink2016, digits = NA, dataframe = "rows"))'], { encoding: "utf8" }),
);
if (raw.length !== 100) throw new Error(`dat.assink2016 has ${raw.length} rows, expected 100`);

const source =
  "Assink, M., & Wibbelink, C. J. M. (2016). Fitting three-level meta-analytic models in R: A step-by-step tutorial. The Quantitative Methods for Psychology, 12(3), 154-174. https://doi.org/10.20982/tqmp.12.3.p154 (a subset of the data of Assink et al., 2015), as distributed in the metadat R package (dat.assink2016; licence GPL (>= 2), i.e. GPL-2 or GPL-3)";

const project = {
  format: "homeward-project",
  version: 2,
  project: {
    id: "assink2016",
    title: "Mental health disorders and recidivism in delinquent juveniles (outcome-level example)",
    description:
      "An example with outcome-level data: 100 standardised mean differences from 17 studies comparing recidivism between delinquent juveniles with and without a mental health disorder (positive = more recidivism with a disorder), several per study, for a three-level model with cluster-robust inference. " +
      `Source: ${source}. The studies are named by metadat's study number; year is the publication year approximately mean-centred, as in metadat. ` +
      "The data are redistributed under the GNU General Public License, version 2 or 3, as metadat is. Built by examples/assink2016/build.mjs.",
    blinding: {},
    createdAt: at,
    updatedAt: at,
  },
  protocol: {
    question: "Is a mental health disorder associated with persistent delinquent behaviour (recidivism) among juveniles, and does the association differ by publication year, publication status and type of delinquent behaviour?",
    outcomeDomains: [{ code: "recidivism", label: "Recidivism" }],
  },
};

const studyIds = [...new Set(raw.map((r) => r.study))].sort((a, b) => a - b);
const studies = studyIds.map((n) => {
  const rows = raw.filter((r) => r.study === n);
  const pub = [...new Set(rows.map((r) => r.pubstatus))];
  if (pub.length !== 1) throw new Error(`study ${n}: publication status varies`);
  return Study.parse({ id: `study-${pad(n, 2)}`, name: `Study ${n}`, attributes: { pubstatus: pub[0] }, createdAt: at });
});
// One outcome per effect size: year varies within study 3 (two publications of one data set), so it is kept per effect size, as metadat does.
const outcomes = raw.map((r) =>
  Outcome.parse({
    id: `study-${pad(r.study, 2)}-es-${pad(r.esid, 2)}`,
    studyId: `study-${pad(r.study, 2)}`,
    domain: "recidivism",
    name: `Recidivism (${r.deltype}) ${r.esid}`,
    measure: "SMD",
    higherIsBetter: false,
    attributes: { esid: r.esid, deltype: r.deltype, year: r.year },
  }),
);
const effectSizes = raw.map((r) =>
  EffectSize.parse({
    id: `es-${pad(r.id, 3)}`,
    outcomeId: `study-${pad(r.study, 2)}-es-${pad(r.esid, 2)}`,
    measure: "SMD",
    inputs: {},
    yi: r.yi,
    vi: r.vi,
    method: "reported (standardised mean difference and its sampling variance as in dat.assink2016)",
    provenance: `metadat dat.assink2016, row ${r.id}`,
    createdBy: user,
    createdAt: at,
  }),
);

// In the order an export writes them (by id, byte order), so an export of the imported project is this bundle again.
const byteOrder = (key) => (a, b) => (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : 0);
studies.sort(byteOrder("id"));
outcomes.sort(byteOrder("id"));
effectSizes.sort(byteOrder("id"));

const threeLevel = { data: "effectSizes", measure: "SMD", method: "REML", test: "t", random: ["study", "esid"] };
const specs = [
  {
    name: "Overall effect, three-level model",
    description: "Effect sizes within studies (rma.mv, random = ~ 1 | study/esid, REML, t tests), with leave-one-study-out, forest and funnel plots.",
    spec: { ...threeLevel, diagnostics: ["leave1out"], figures: ["forest", "funnel"] },
  },
  {
    name: "Overall effect, cluster-robust (CR2)",
    description: "The three-level model with CR2 cluster-robust standard errors and Satterthwaite degrees of freedom, clustered by study.",
    spec: { ...threeLevel, robust: { cluster: "study" }, figures: ["forest"] },
  },
  {
    name: "Moderator: publication year",
    description: "Meta-regression on the (centred) publication year in the three-level model, with CR2 robust inference.",
    spec: { ...threeLevel, moderators: [{ name: "year" }], robust: { cluster: "study" }, figures: ["bubble"] },
  },
  {
    name: "Moderator: type of delinquent behaviour",
    description: "Type of behaviour in which juveniles could recidivate (general as the reference, overt, covert) in the three-level model, with CR2 robust inference.",
    spec: { ...threeLevel, moderators: [{ name: "deltype", levels: ["general", "overt", "covert"] }], robust: { cluster: "study" } },
  },
  {
    name: "Small-study effects (univariate check)",
    description: "A univariate random-effects model (REML) ignoring the nesting, only to run Egger's regression test, the rank correlation test, trim-and-fill, fail-safe N, the Q-profile interval for τ², influence diagnostics and leave-one-out; its pooled estimate is not the review's.",
    spec: { data: "effectSizes", measure: "SMD", method: "REML", diagnostics: ["egger", "begg", "trimfill", "failsafe", "tau2CI", "influence", "leave1out"], figures: ["funnel", "influence"] },
  },
];

const data = effectSizeRows({ studies, outcomes, effectSizes });
const savedAnalyses = specs.map((s, i) => {
  const fitted = fitMetaSpec(parseMetaSpec(s.spec, ["figures", "figureOptions"]), data.rows);
  const { result, rows } = analysisSnapshot(fitted);
  return { id: `saved-${i + 1}`, name: s.name, version: 1, description: s.description, spec: s.spec, result, rows, savedBy: user, savedAt: at };
});

const write = (name, value) => writeFileSync(join(here, `${name}.json`), JSON.stringify(value, null, 2) + "\n");
write("project", project);
write("users", [{ name: user, displayName: "Example data (Assink & Wibbelink 2016, via metadat)" }]);
write("studies", studies);
write("outcomes", outcomes);
write("effectSizes", effectSizes);
write("savedAnalyses", savedAnalyses);
console.log(`wrote ${studies.length} studies, ${effectSizes.length} effect sizes, ${savedAnalyses.length} saved analyses`);
