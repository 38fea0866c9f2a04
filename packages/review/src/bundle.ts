/**
 * The reproducibility bundle of a review: its data, an R script that
 * reproduces every saved analysis with metafor and clubSandwich (and draws
 * the figures with base metafor plots), the robvis CSVs, the PRISMA2020
 * package's CSV and a manifest with the SHA-256 of each file. A pure function
 * of what it is given: the caller reads the project, writes or zips the files.
 */
import { createHash } from "node:crypto";
import { parseMetaSpec, type MetaSpec } from "@homeward/meta";
import type { EffectSize, SavedAnalysis, Study } from "@homeward/model";
import type { AnalysisData } from "./analysis-data.js";
import { toCsv, type CsvValue } from "./csv.js";
import { robvisCsv, type RobvisTable } from "./robvis-csv.js";

/** A PRISMA count: a number, or for the two "excluded with reasons" fields {reason: n}. */
export type BundlePrismaCount = number | Record<string, number> | null | undefined;

export interface ReproducibilityInput {
  project: { id: string; title: string };
  /**
   * The analysis rows that `data: "effectSizes"` of a saved spec means, as
   * the analysis route builds them (`effectSizeRows`, plus the risk-of-bias
   * and codebook columns the server adds), so that the script fits exactly
   * the rows Homeward fitted.
   */
  data: Pick<AnalysisData, "columns" | "rows">;
  /** The project's effect sizes, for the provenance columns (inputs, formula, reference, chain, who and when). */
  effectSizes: readonly EffectSize[];
  studies: readonly Study[];
  /** The saved analyses to reproduce (every version given is reproduced). */
  savedAnalyses: readonly SavedAnalysis[];
  /** One robvis table per tool (the appraisal route's robvis answer fits). */
  robvis?: readonly RobvisTable[];
  /**
   * The flow under the PRISMA2020 package's field names (`prismaFlow(p).prisma`
   * fits; `previous_studies`, `previous_reports`, `excluded_automatic`,
   * `excluded_other`, `total_studies`, `total_reports` are read too), with
   * per-source counts for its "specific results" rows and labels for
   * exclusion-reason codes.
   */
  prisma?: {
    counts: Partial<Record<string, BundlePrismaCount>>;
    databases?: readonly { name: string; n: number }[];
    registers?: readonly { name: string; n: number }[];
    reasonLabels?: Readonly<Record<string, string>>;
  };
  /** When the bundle was made (ISO 8601); written into the manifest, never read from a clock here. */
  generatedAt?: string;
}

export interface BundleFile {
  path: string;
  content: string;
}

export const BUNDLE_FORMAT = "homeward-reproducibility-bundle";
/** Where the R script writes its numbers (relative to the bundle). */
export const R_RESULTS_PATH = "results/r-results.json";

const EFFECT_SIZES_PATH = "data/effect-sizes.csv";
const PROVENANCE_COLUMNS = ["es.inputs", "es.formula", "es.reference", "es.chain", "es.recoded", "es.createdBy", "es.createdAt"] as const;

const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");
const json = (v: unknown) => JSON.stringify(v);

/** A file-name part from a name: lower-case letters, digits and hyphens. */
export function slugOf(name: string): string {
  const s = name.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  return s.slice(0, 60) || "analysis";
}

/** The key a saved analysis has in the R results and the figure file names. */
export const analysisKey = (a: Pick<SavedAnalysis, "name" | "version">) => `${slugOf(a.name)}-v${a.version}`;

const cell = (v: unknown): CsvValue => (v === null || v === undefined ? null : typeof v === "object" ? json(v) : (v as CsvValue));

function effectSizesCsv(input: ReproducibilityInput): string {
  const byId = new Map(input.effectSizes.map((e) => [e.id, e]));
  const columns = [...input.data.columns, ...PROVENANCE_COLUMNS];
  const rows = input.data.rows.map((r) => {
    const es = byId.get(String(r.effectSizeId));
    return [
      ...input.data.columns.map((c) => cell(r[c])),
      cell(es?.inputs ?? null), es?.formula ?? null, es?.reference ?? null, cell(es?.chain ?? null), es?.recoded ?? null, es?.createdBy ?? null, es?.createdAt ?? null,
    ];
  });
  return toCsv(columns, rows);
}

function studiesCsv(studies: readonly Study[]): string {
  const scalar = (v: unknown) => v === null || ["string", "number", "boolean"].includes(typeof v);
  const classCodes = [...new Set(studies.flatMap((s) => Object.keys(s.classifications)))].sort();
  const attrKeys = [...new Set(studies.flatMap((s) => Object.entries(s.attributes).filter(([, v]) => scalar(v)).map(([k]) => k)))];
  const columns = ["studyId", "name", "shortCitation", "design", "country", "arms", "timePoints", ...classCodes.map((c) => `class.${c}`), ...attrKeys.map((k) => `attr.${k}`)];
  const rows = studies.map((s) => [
    s.id, s.name, s.shortCitation, s.design, s.country,
    s.arms.length ? s.arms.map((a) => (a.n === null || a.n === undefined ? a.label : `${a.label} (n = ${a.n})`)).join("; ") : null,
    s.timePoints.length ? s.timePoints.map((t) => t.label).join("; ") : null,
    ...classCodes.map((c) => {
      const v = s.classifications[c];
      return v === undefined ? null : Array.isArray(v) ? v.join("+") : v;
    }),
    ...attrKeys.map((k) => (scalar(s.attributes[k]) ? (s.attributes[k] as CsvValue) : null)),
  ]);
  return toCsv(columns, rows);
}

// ------------------------------------------------------------------ PRISMA2020

/**
 * Rows of the PRISMA2020 R package's template CSV (`inst/extdata/PRISMA.csv`,
 * read by `PRISMA_data()`; Haddaway et al. 2022): data field, node, box,
 * description, box text, tooltip and link, `n` filled from the project.
 */
const PRISMA_TEMPLATE: readonly [data: string | null, node: string | null, box: string, description: string, boxtext: string, tooltip: string | null, url: string | null][] = [
  [null, "node4", "prevstud", "Grey title box; Previous studies", "Previous studies", "Grey title box; Previous studies", "prevstud.html"],
  ["previous_studies", "node5", "box1", "Studies included in previous version of review", "Studies included in previous version of review", "Studies included in previous version of review", "previous_studies.html"],
  ["previous_reports", null, "box1", "Reports of studies included in previous version of review", "Reports of studies included in previous version of review", null, "previous_reports.html"],
  [null, "node6", "newstud", "Yellow title box; Identification of new studies via databases and registers", "Identification of new studies via databases and registers", "Yellow title box; Identification of new studies via databases and registers", "newstud.html"],
  ["database_results", "node7", "box2", "Records identified from: Databases", "Databases", "Records identified from: Databases and Registers", "database_results.html"],
  ["database_specific_results", null, "box2", "Records identified from: specific databases", "Specific Databases", null, "database_results.html"],
  ["register_results", null, "box2", "Records identified from: Registers", "Registers", null, null],
  ["register_specific_results", null, "box2", "Records identified from: specific registers", "Specific Registers", null, "database_results.html"],
  [null, "node16", "othstud", "Grey title box; Identification of new studies via other methods", "Identification of new studies via other methods", "Grey title box; Identification of new studies via other methods", "othstud.html"],
  ["website_results", "node17", "box11", "Records identified from: Websites", "Websites", "Records identified from: Websites, Organisations and Citation Searching", "website_results.html"],
  ["organisation_results", null, "box11", "Records identified from: Organisations", "Organisations", null, null],
  ["citations_results", null, "box11", "Records identified from: Citation searching", "Citation searching", null, null],
  ["duplicates", "node8", "box3", "Duplicate records", "Duplicate records", "Duplicate records", "duplicates.html"],
  ["excluded_automatic", null, "box3", "Records marked as ineligible by automation tools", "Records marked as ineligible by automation tools", null, null],
  ["excluded_other", null, "box3", "Records removed for other reasons", "Records removed for other reasons", null, null],
  ["records_screened", "node9", "box4", "Records screened (databases and registers)", "Records screened", "Records screened (databases and registers)", "records_screened.html"],
  ["records_excluded", "node10", "box5", "Records excluded (databases and registers)", "Records excluded", "Records excluded (databases and registers)", "records_excluded.html"],
  ["dbr_sought_reports", "node11", "box6", "Reports sought for retrieval (databases and registers)", "Reports sought for retrieval", "Reports sought for retrieval (databases and registers)", "dbr_sought_reports.html"],
  ["dbr_notretrieved_reports", "node12", "box7", "Reports not retrieved (databases and registers)", "Reports not retrieved", "Reports not retrieved (databases and registers)", "dbr_notretrieved_reports.html"],
  ["other_sought_reports", "node18", "box12", "Reports sought for retrieval (other)", "Reports sought for retrieval", "Reports sought for retrieval (other)", "other_sought_reports.html"],
  ["other_notretrieved_reports", "node19", "box13", "Reports not retrieved (other)", "Reports not retrieved", "Reports not retrieved (other)", "other_notretrieved_reports.html"],
  ["dbr_assessed", "node13", "box8", "Reports assessed for eligibility (databases and registers)", "Reports assessed for eligibility", "Reports assessed for eligibility (databases and registers)", "dbr_assessed.html"],
  ["dbr_excluded", "node14", "box9", "Reports excluded (databases and registers): reasons and numbers separated by ;", "Reports excluded", "Reports excluded (databases and registers)", "dbrexcludedrecords.html"],
  ["other_assessed", "node20", "box14", "Reports assessed for eligibility (other)", "Reports assessed for eligibility", "Reports assessed for eligibility (other)", "other_assessed.html"],
  ["other_excluded", "node21", "box15", "Reports excluded (other): reasons and numbers separated by ;", "Reports excluded", "Reports excluded (other)", "other_excluded.html"],
  ["new_studies", "node15", "box10", "New studies included in review", "New studies included in review", "New studies included in review", "new_studies.html"],
  ["new_reports", null, "box10", "Reports of new included studies", "Reports of new included studies", null, null],
  ["total_studies", "node22", "box16", "Total studies included in review", "Total studies included in review", "Total studies included in review", "total_studies.html"],
  ["total_reports", null, "box16", "Reports of total included studies", "Reports of total included studies", null, null],
  ["identification", "node1", "identification", "Blue identification box", "Identification", "Blue identification box", "identification.html"],
  ["screening", "node2", "screening", "Blue screening box", "Screening", "Blue screening box", "screening.html"],
  ["included", "node3", "included", "Blue included box", "Included", "Blue included box", "included.html"],
];

/** The PRISMA2020 columns, in the template's order. */
export const PRISMA2020_COLUMNS = ["data", "node", "box", "description", "boxtext", "tooltips", "url", "n"] as const;

/**
 * The flow as the PRISMA2020 package's CSV. The template writes "NA" for an
 * empty data/node/tooltip/url cell and `PRISMA_data()` reads those as text,
 * so "NA" is kept; a count the project does not have is left empty (NA),
 * never written as 0. Lists ("Reason, n; Reason, n") are the package's.
 */
export function prisma2020Csv(prisma: NonNullable<ReproducibilityInput["prisma"]>): string {
  const c = prisma.counts;
  const num = (k: string): number | null => (typeof c[k] === "number" ? (c[k] as number) : null);
  const list = (items: readonly { name: string; n: number }[] | undefined) => (items && items.length ? items.map((i) => `${i.name.replace(/[,;]/g, " ")}, ${i.n}`).join("; ") : null);
  const reasons = (k: string) => {
    const v = c[k];
    if (!v || typeof v !== "object") return null;
    return Object.entries(v).map(([code, n]) => `${(prisma.reasonLabels?.[code] ?? code).replace(/[,;]/g, " ")}, ${n}`).join("; ") || null;
  };
  const sum = (a: number | null, b: number | null) => (a === null && b === null ? null : (a ?? 0) + (b ?? 0));
  const value = (field: string | null): CsvValue => {
    switch (field) {
      case null:
      case "identification":
      case "screening":
      case "included":
        return 0;
      case "database_specific_results":
        return list(prisma.databases);
      case "register_specific_results":
        return list(prisma.registers);
      case "dbr_excluded":
      case "other_excluded":
        return reasons(field);
      case "total_studies":
        return num("total_studies") ?? sum(num("previous_studies"), num("new_studies"));
      case "total_reports":
        return num("total_reports") ?? sum(num("previous_reports"), num("new_reports"));
      default:
        return num(field);
    }
  };
  const na = (v: string | null) => v ?? "NA";
  return toCsv(PRISMA2020_COLUMNS, PRISMA_TEMPLATE.map(([data, node, box, description, boxtext, tooltip, url]) => [na(data), na(node), box, description, boxtext, na(tooltip), na(url), value(data)]));
}

// ------------------------------------------------------------------ R script

const rStr = (s: string) => JSON.stringify(s);
const rVec = (xs: readonly string[]) => `c(${xs.map(rStr).join(", ")})`;
const rNum = (x: number) => String(Math.round(x * 1e10) / 1e10);

/** What the R script of one saved analysis needs: the parsed spec, its data file and its figures. */
interface ScriptAnalysis {
  saved: SavedAnalysis;
  key: string;
  spec: MetaSpec;
  dataPath: string;
  figures: string[];
  /** Coefficient names as Homeward reports them (R's differ), in order. */
  terms: string[];
}

const R_FIGURES = ["forest", "funnel", "bubble", "influence"] as const;

function analysisBlock(a: ScriptAnalysis): string {
  const { spec, saved, key } = a;
  const multilevel = spec.random.length > 0;
  const L: string[] = [];
  L.push(`## ${saved.name} (version ${saved.version}), saved by ${saved.savedBy} at ${saved.savedAt}`);
  if (saved.description) L.push(...saved.description.split(/\r?\n/).map((l) => `## ${l}`));
  L.push(`src <- read_rows(${rStr(a.dataPath)})`);
  if (spec.measure !== undefined) L.push(`src <- src[which(trimws(src[["measure"]]) == ${rStr(spec.measure)}), , drop = FALSE]  # one effect measure`);
  L.push(`d <- data.frame(yi = as.numeric(src[[${rStr(spec.yi)}]]), vi = as.numeric(src[[${rStr(spec.vi)}]]))`);
  spec.random.forEach((g, i) => L.push(`d$g${i + 1} <- src[[${rStr(g)}]]  # random effect: ${g}`));
  spec.moderators.forEach((m, i) => {
    L.push(m.levels
      ? `d$m${i + 1} <- factor(src[[${rStr(m.name)}]], levels = ${rVec(m.levels)})  # moderator ${m.name}, reference level first`
      : `d$m${i + 1} <- as.numeric(src[[${rStr(m.name)}]])  # moderator ${m.name}`);
  });
  if (spec.cluster !== undefined) L.push(`d$cluster <- src[[${rStr(spec.cluster)}]]  # robust inference clustered by ${spec.cluster}`);
  const slab = multilevel ? `src[[${rStr(spec.random[0]!)}]]` : `if ("study" %in% names(src)) src[["study"]] else as.character(seq_len(nrow(src)))`;
  L.push(`d$label <- ${slab}`);
  const mods = spec.moderators.length > 0 ? `~ ${spec.moderators.map((_, i) => `m${i + 1}`).join(" + ")}${spec.intercept ? "" : " - 1"}` : null;
  const level = rNum(spec.level * 100);
  if (multilevel) {
    const random = `~ 1 | ${spec.random.map((_, i) => `g${i + 1}`).join("/")}`;
    L.push(`fit_model <- function(d) mv_fit(list(yi = d$yi, V = d$vi, ${mods ? `mods = ${mods}, ` : ""}random = ${random}, data = d, method = ${rStr(spec.method)}, test = ${rStr(spec.test)}, level = ${level}))`);
  } else {
    L.push(`fit_model <- function(d) rma(yi, vi, ${mods ? `mods = ${mods}, ` : ""}data = d, method = ${rStr(spec.method)}, test = ${rStr(spec.test === "t" ? "knha" : "z")}, level = ${level}, control = uni_control)`);
  }
  L.push(`fit <- fit_model(d)`);
  L.push(`terms <- ${rVec(a.terms)}`);
  L.push(`res <- model_result(fit, terms, has_mods = ${spec.moderators.length > 0 ? "TRUE" : "FALSE"})`);
  if (spec.cluster !== undefined) L.push(`res$robust <- robust_cr2(fit, d$cluster, terms, ${spec.level})`);
  for (const name of spec.diagnostics ?? []) {
    switch (name) {
      case "leave1out":
        L.push(multilevel ? `res$leave1out <- leave1out_studies(fit_model, d)` : `res$leave1out <- leave1out_result(fit)`);
        break;
      case "egger":
        L.push(`res$egger <- egger_result(fit)`);
        break;
      case "begg":
        L.push(`res$begg <- begg_result(fit)`);
        break;
      case "trimfill":
        L.push(`res$trimfill <- trimfill_result(fit)`);
        break;
      case "failsafe":
        L.push(`res$failsafe <- failsafe_result(d)`);
        break;
      case "tau2CI":
        L.push(`res$tau2CI <- tau2ci_result(fit)`);
        break;
      case "influence":
        L.push(`res$influence <- influence_result(fit)`);
        break;
      default:
        // Subgroup analyses refit the model per subgroup with Homeward's own rules for small groups; left to the reader here.
        L.push(`# "${name}" is not reproduced by this script`);
    }
  }
  L.push(`results$analyses[[${rStr(key)}]] <- c(list(id = ${rStr(saved.id)}, name = ${rStr(saved.name)}, version = ${saved.version}), res)`);
  for (const f of a.figures) L.push(`draw_figure(${rStr(f)}, fit, d, ${rStr(key)})`);
  // One analysis that fails (a model that does not converge in R) is recorded with its error; the others still run.
  const [title, ...body] = L;
  return [
    title,
    "tryCatch({",
    ...body.map((l) => `  ${l}`),
    `}, error = function(e) {`,
    `  message(${rStr(`${saved.name} (version ${saved.version}): `)}, conditionMessage(e))`,
    `  results$analyses[[${rStr(key)}]] <<- list(id = ${rStr(saved.id)}, name = ${rStr(saved.name)}, version = ${saved.version}, error = conditionMessage(e))`,
    "})",
  ].join("\n");
}

const R_PRELUDE = String.raw`suppressMessages({
  library(metafor)
  library(clubSandwich)
  library(jsonlite)
})

# Paths are relative to this script's folder.
here <- (function() {
  f <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
  if (length(f) == 1) dirname(normalizePath(f)) else getwd()
})()
setwd(here)
dir.create("results", showWarnings = FALSE)
dir.create("figures", showWarnings = FALSE)

# Every column as text, as written; numbers are converted where a model needs them.
read_rows <- function(path) read.csv(path, colClasses = "character", na.strings = "", check.names = FALSE, encoding = "UTF-8")

# Convergence tighter than metafor's defaults, as Homeward's estimators converge,
# so that both report the optimum itself rather than where an optimiser stopped.
uni_control <- list(threshold = 1e-12, tol = 1e-13, maxiter = 10000)
mv_fit <- function(args) {
  for (tol in c(1e-12, 1e-11, 1e-10)) {
    r <- try(do.call(rma.mv, c(args, list(control = list(rel.tol = tol, eval.max = 10000, iter.max = 10000)))), silent = TRUE)
    if (!inherits(r, "try-error")) return(r)
  }
  stop("rma.mv did not converge")
}

coef_list <- function(terms, estimate, se, statistic, df, p, lower, upper) {
  # I(): one coefficient is still written as a list of one, as Homeward writes it.
  list(term = I(terms), estimate = I(as.vector(estimate)), se = I(as.vector(se)), statistic = I(as.vector(statistic)),
       df = I(if (is.null(df)) rep(NA, length(terms)) else as.vector(df)), p = I(as.vector(p)),
       ciLower = I(as.vector(lower)), ciUpper = I(as.vector(upper)))
}

model_result <- function(fit, terms, has_mods) {
  df <- if (fit$test == "z") NULL else rep(fit$k - fit$p, fit$p)
  out <- list(k = fit$k, coefficients = coef_list(terms, fit$beta, fit$se, fit$zval, df, fit$pval, fit$ci.lb, fit$ci.ub))
  if (inherits(fit, "rma.mv")) {
    out$sigma2 <- I(as.vector(fit$sigma2))
  } else {
    out$tau2 <- fit$tau2; out$I2 <- fit$I2; out$H2 <- fit$H2
  }
  out$QE <- fit$QE; out$QEdf <- fit$k - fit$p; out$QEp <- fit$QEp
  if (has_mods) {
    # A z test has one df (metafor writes NA for the second), as Homeward writes it.
    out$QM <- fit$QM; out$QMdf <- I(fit$QMdf[!is.na(fit$QMdf)]); out$QMp <- fit$QMp
  } else if (fit$int.only) {
    pr <- predict(fit)
    out$prediction <- list(lower = as.vector(pr$pi.lb), upper = as.vector(pr$pi.ub))
  }
  if (fit$method %in% c("REML", "ML")) out$logLik <- as.numeric(logLik(fit))
  out
}

# CR2 cluster-robust inference (clubSandwich): Satterthwaite t tests and intervals per
# coefficient, and the HTZ Wald test of the moderators (or of the only coefficient).
robust_cr2 <- function(fit, cluster, terms, level) {
  ct <- coef_test(fit, vcov = "CR2", cluster = cluster, test = "Satterthwaite")
  ci <- conf_int(fit, vcov = "CR2", cluster = cluster, test = "Satterthwaite", level = level)
  btt <- if (fit$int.incl && fit$p > 1) 2:fit$p else seq_len(fit$p)
  wt <- Wald_test(fit, constraints = constrain_zero(btt), vcov = "CR2", cluster = cluster, test = "HTZ")
  list(coefficients = coef_list(terms, ct$beta, ct$SE, ct$tstat, ct$df_Satt, ct$p_Satt, ci$CI_L, ci$CI_U),
       QM = wt$Fstat, QMdf = c(wt$df_num, wt$df_denom), QMp = wt$p_val)
}

leave1out_result <- function(fit) {
  l <- leave1out(fit)
  list(unit = "outcome", estimate = l$estimate, se = l$se, ciLower = l$ci.lb, ciUpper = l$ci.ub, tau2 = l$tau2, I2 = l$I2, QE = l$Q)
}

# Multilevel I-squared with the sampling-variance matrix (Nakagawa & Santos 2012).
ml_I2 <- function(f) {
  W <- solve(f$V); X <- model.matrix(f)
  P <- W - W %*% X %*% solve(t(X) %*% W %*% X) %*% t(X) %*% W
  100 * sum(f$sigma2) / (sum(f$sigma2) + (f$k - f$p) / sum(diag(P)))
}

# metafor 3.8 has no leave1out() for rma.mv: each study (outermost level) is left out in turn.
leave1out_studies <- function(fit_model, d) {
  studies <- unique(d$g1)
  fits <- lapply(studies, function(s) fit_model(d[d$g1 != s, , drop = FALSE]))
  list(unit = "study", omitted = studies,
       estimate = sapply(fits, function(f) f$beta[1]), se = sapply(fits, function(f) f$se[1]),
       ciLower = sapply(fits, function(f) f$ci.lb[1]), ciUpper = sapply(fits, function(f) f$ci.ub[1]),
       tau2 = sapply(fits, function(f) sum(f$sigma2)), I2 = sapply(fits, ml_I2), QE = sapply(fits, function(f) f$QE))
}

egger_result <- function(fit) {
  e <- regtest(fit)
  list(statistic = e$zval, p = e$pval, limitEstimate = unname(e$est), limitLower = e$ci.lb, limitUpper = e$ci.ub)
}
begg_result <- function(fit) { r <- ranktest(fit); list(tau = unname(r$tau), p = r$pval) }
trimfill_result <- function(fit) {
  t <- trimfill(fit, control = uni_control)
  list(k0 = t$k0, side = t$side, estimate = as.vector(t$beta), se = t$se, ciLower = t$ci.lb, ciUpper = t$ci.ub, tau2 = t$tau2)
}
failsafe_result <- function(d) list(
  rosenthal = fsn(d$yi, d$vi, type = "Rosenthal")$fsnum,
  orwin = fsn(d$yi, d$vi, type = "Orwin")$fsnum,
  rosenberg = fsn(d$yi, d$vi, type = "Rosenberg")$fsnum)
tau2ci_result <- function(fit) {
  ci <- confint(fit, control = list(tol = 1e-12))$random
  list(lower = ci["tau^2", "ci.lb"], upper = ci["tau^2", "ci.ub"])
}
influence_result <- function(fit) {
  inf <- influence(fit)$inf
  list(rstudent = inf$rstudent, cookD = inf$cook.d, hat = inf$hat, dffits = inf$dffits, covRatio = inf$cov.r)
}

# Each figure as PDF and PNG, with metafor's own plots.
draw_figure <- function(name, fit, d, key) {
  h <- if (name == "forest") max(5, 0.18 * fit$k + 2) else 6
  draw <- function() switch(name,
    forest = forest(fit, slab = d$label, header = TRUE),
    funnel = funnel(fit),
    bubble = regplot(fit, mod = 2),
    influence = plot(influence(fit)))
  # A figure that cannot be drawn is reported and skipped; the numbers stand.
  tryCatch({
    pdf(file.path("figures", paste0(key, "-", name, ".pdf")), width = 8, height = h)
    draw(); invisible(dev.off())
    png(file.path("figures", paste0(key, "-", name, ".png")), width = 8, height = h, units = "in", res = 150)
    draw(); invisible(dev.off())
  }, error = function(e) {
    while (dev.cur() > 1) invisible(dev.off())
    message("figure ", key, "-", name, ": ", conditionMessage(e))
  })
}
`;

function rScript(input: ReproducibilityInput, analyses: ScriptAnalysis[], skipped: { saved: SavedAnalysis; reason: string }[]): string {
  const head = [
    `# Reproduces the saved analyses of "${input.project.title.replace(/\s+/g, " ")}" (project ${input.project.id})`,
    `# with metafor and clubSandwich, and draws their figures with metafor's plots.`,
    `#`,
    `#   Rscript analysis.R`,
    `#`,
    `# reads ${EFFECT_SIZES_PATH} (one row per effect size, as Homeward fitted them),`,
    `# writes ${R_RESULTS_PATH} (each analysis's numbers, under the keys of`,
    `# homeward-results.json) and figures/<analysis>-<figure>.pdf and .png.`,
    `# Needs the R packages metafor, clubSandwich and jsonlite.`,
  ];
  const results = `results <- list(metafor = as.character(packageVersion("metafor")), clubSandwich = as.character(packageVersion("clubSandwich")), analyses = list())`;
  const notes = skipped.map((s) => `# "${s.saved.name}" (version ${s.saved.version}) is not reproduced: ${s.reason}`);
  const tail = `write_json(results, ${rStr(R_RESULTS_PATH)}, auto_unbox = TRUE, digits = NA, null = "null", na = "null", pretty = TRUE)`;
  return [head.join("\n"), R_PRELUDE, results, ...notes, ...analyses.map(analysisBlock), tail].join("\n\n") + "\n";
}

/** Homeward's coefficient names for a spec: as the design matrix names them. */
function termsOf(saved: SavedAnalysis, spec: MetaSpec): string[] {
  const coefs = (saved.result as { coefficients?: { term: string }[] }).coefficients;
  if (Array.isArray(coefs)) return coefs.map((c) => c.term);
  const terms = spec.intercept ? ["intrcpt"] : [];
  for (const m of spec.moderators) {
    if (!m.levels) terms.push(m.name);
    else terms.push(...m.levels.slice(spec.intercept ? 1 : 0).map((l) => `${m.name}${l}`));
  }
  return terms;
}

/**
 * The bundle's files, each `{path, content}` (text, UTF-8), `manifest.json`
 * last with each other file's size and SHA-256. Saved analyses whose spec no
 * longer parses are listed in the script as not reproduced, with the reason.
 */
export function buildReproducibilityBundle(input: ReproducibilityInput): BundleFile[] {
  const files: BundleFile[] = [];
  files.push({ path: EFFECT_SIZES_PATH, content: effectSizesCsv(input) });
  files.push({ path: "data/study-characteristics.csv", content: studiesCsv(input.studies) });

  const analyses: ScriptAnalysis[] = [];
  const skipped: { saved: SavedAnalysis; reason: string }[] = [];
  const ordered = [...input.savedAnalyses].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.version - b.version));
  for (const saved of ordered) {
    let spec: MetaSpec;
    try {
      spec = parseMetaSpec(saved.spec, ["figures", "figureOptions"]);
    } catch (err) {
      skipped.push({ saved, reason: (err as Error).message });
      continue;
    }
    const key = analysisKey(saved);
    let dataPath = EFFECT_SIZES_PATH;
    if (Array.isArray(saved.spec.data)) {
      const rows = saved.spec.data as Record<string, unknown>[];
      const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
      dataPath = `data/analysis-${key}.csv`;
      files.push({ path: dataPath, content: toCsv(cols, rows.map((r) => cols.map((c) => cell(r[c])))) });
    }
    const asked = Array.isArray(saved.spec.figures) ? (saved.spec.figures as string[]) : [];
    let figures = asked.filter((f): f is (typeof R_FIGURES)[number] => (R_FIGURES as readonly string[]).includes(f));
    if (asked.length === 0) figures = ["forest", "funnel"];
    // Influence plots and Egger-style diagnostics are univariate in metafor 3.8; a bubble plot needs one moderator.
    figures = figures.filter((f) => (f === "influence" ? spec.random.length === 0 : f === "bubble" ? spec.moderators.length === 1 && !spec.moderators[0]!.levels : true));
    analyses.push({ saved, key, spec, dataPath, figures, terms: termsOf(saved, spec) });
  }
  files.push({ path: "analysis.R", content: rScript(input, analyses, skipped) });
  files.push({
    path: "homeward-results.json",
    content: JSON.stringify({
      project: input.project,
      analyses: Object.fromEntries(analyses.map((a) => [a.key, {
        id: a.saved.id, name: a.saved.name, version: a.saved.version, savedBy: a.saved.savedBy, savedAt: a.saved.savedAt,
        spec: a.saved.spec, result: a.saved.result,
      }])),
    }, null, 2) + "\n",
  });
  for (const t of input.robvis ?? []) {
    if (t.rows.length > 0) files.push({ path: `robvis/robvis-${slugOf(t.tool.id)}.csv`, content: robvisCsv(t) });
  }
  if (input.prisma) files.push({ path: "prisma/PRISMA.csv", content: prisma2020Csv(input.prisma) });
  files.push({ path: "README.md", content: readme(input, analyses, files.map((f) => f.path)) });

  const manifest = {
    format: BUNDLE_FORMAT,
    version: 1,
    project: input.project,
    generatedAt: input.generatedAt ?? null,
    analyses: analyses.map((a) => ({ key: a.key, id: a.saved.id, name: a.saved.name, version: a.saved.version })),
    files: files.map((f) => ({ path: f.path, bytes: Buffer.byteLength(f.content, "utf8"), sha256: sha256(f.content) })),
  };
  files.push({ path: "manifest.json", content: JSON.stringify(manifest, null, 2) + "\n" });
  return files;
}

function readme(input: ReproducibilityInput, analyses: ScriptAnalysis[], paths: string[]): string {
  const lines = [
    `# ${input.project.title}: reproducibility bundle`,
    "",
    "Run `Rscript analysis.R` in this folder (R with metafor, clubSandwich and jsonlite).",
    `It refits each saved analysis below from \`${EFFECT_SIZES_PATH}\`, writes the numbers to`,
    `\`${R_RESULTS_PATH}\` under the same keys as \`homeward-results.json\` (Homeward's numbers),`,
    "and draws the figures into `figures/`. `manifest.json` lists every file with its SHA-256.",
    "",
    "| analysis | key |",
    "|---|---|",
    ...analyses.map((a) => `| ${a.saved.name.replace(/\|/g, "/")} (version ${a.saved.version}) | \`${a.key}\` |`),
    "",
    "Files:",
    "",
    ...paths.map((p) => `- \`${p}\`${p === EFFECT_SIZES_PATH ? ": effect sizes with their provenance (es.inputs, es.formula, es.reference, es.chain, es.createdBy, es.createdAt)" : p.startsWith("robvis/") ? ": robvis's Study, D1…Dn, Overall, Weight" : p === "prisma/PRISMA.csv" ? ": the PRISMA2020 R package's CSV (`PRISMA_data(read.csv(...))`)" : ""}`),
    "- `manifest.json`",
    "",
  ];
  return lines.join("\n");
}
