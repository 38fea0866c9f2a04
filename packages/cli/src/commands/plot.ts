import { renameSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { InputError } from "@homeward/model";
import {
  beggTest, critical, eggerTest, influenceDiagnostics, influenceFlags, leaveOneOut, modelWeights, multilevelI2, predict, trimAndFill,
  type RmaFit,
} from "@homeward/meta";
import {
  bubblePlot, distributionPlot, forestPlot, funnelPlot, influencePlot, leaveOneOutPlot, renderPng, renderSvg, type Figure,
} from "@homeward/figures";
import { labelColumn, readSpec, type Row } from "../meta-spec.js";
import { fitSpec } from "./meta.js";
import type { Register } from "./index.js";

const FIGURES = ["forest", "funnel", "bubble", "influence", "leave1out", "distribution"] as const;
type FigureName = (typeof FIGURES)[number];

interface PlotOptions {
  spec: string;
  figure: string;
  out: string;
  label?: string;
  measure?: string;
  contour?: boolean;
  trimfill?: boolean;
  metric?: string;
  cookRule?: string;
  scale?: string;
}

/**
 * `homeward plot --spec FILE --figure NAME --out FILE.svg|.png`: fits the
 * model of a meta spec, draws the figure, writes it (PNG when the output
 * ends in .png) and prints the figure's title and long description.
 */
export const register: Register = (program, io) => {
  program
    .command("plot")
    .description("draw a figure for the model of a meta spec and print its long description")
    .requiredOption("--spec <file>", "JSON spec, as for `homeward meta`")
    .requiredOption("--figure <name>", FIGURES.join(" | "))
    .requiredOption("--out <file>", "output file, .svg or .png")
    .option("--label <column>", "data column labelling rows (forest plot); default: study and outcome columns of a multilevel model")
    .option("--measure <text>", "axis title for the effect size, e.g. \"Standardised mean difference\"")
    .option("--contour", "funnel: contour-enhanced (significance regions around 0)")
    .option("--trimfill", "funnel: add the outcomes imputed by trim-and-fill")
    .option("--metric <name>", "leave1out: estimate | I2", "estimate")
    .option("--cook-rule <rule>", "influence: Cook's distance threshold, iqr (median + 6×IQR) | 4k (4/k)", "iqr")
    .option("--scale <n>", "PNG pixel density", "2")
    .action(async (opts: PlotOptions) => {
      if (!(FIGURES as readonly string[]).includes(opts.figure)) throw new InputError(`--figure must be one of ${FIGURES.join(", ")}`);
      const out = resolve(io.cwd, opts.out);
      const png = /\.png$/i.test(out);
      if (!png && !/\.svg$/i.test(out)) throw new InputError("--out must end in .svg or .png");
      const scale = Number(opts.scale);
      if (!(scale > 0 && scale <= 10)) throw new InputError("--scale must be a number in (0, 10]");
      const { spec, dir } = readSpec(opts.spec, io.cwd);
      const { fit, rows, mods } = fitSpec(spec, dir);
      const random = Array.isArray(spec.random) ? (spec.random as string[]) : [];
      const figure = draw(opts.figure as FigureName, fit, rows, random, mods.map((m) => m.name), opts);
      const data = png ? await renderPng(figure, { scale }) : await renderSvg(figure);
      // Write beside the target and rename, so a failed render never leaves a half-written file.
      const tmp = `${out}.${process.pid}.tmp`;
      writeFileSync(tmp, data);
      renameSync(tmp, out);
      io.out(`${figure.title}\n\n${figure.description}\n`);
    });
};

function draw(name: FigureName, fit: RmaFit, rows: Row[], random: string[], modNames: string[], opts: PlotOptions): Figure {
  const measure = opts.measure;
  const interceptOnly = () => {
    if (fit.p !== 1 || !fit.intercept) throw new InputError(`the ${name} figure needs a model without moderators`);
  };
  const uni = () => {
    if (fit.model !== "uni") throw new InputError(`the ${name} figure is available for univariate models only`);
    return fit;
  };
  switch (name) {
    case "forest": {
      interceptOnly();
      const z = critical(fit.level, null);
      const weights = modelWeights(fit);
      const study = opts.label ? labelColumn(rows, opts.label) : random.length ? labelColumn(rows, random[0]) : rows.map((_, i) => `Outcome ${i + 1}`);
      const outcome = !opts.label && random.length > 1 ? labelColumn(rows, random[random.length - 1]) : undefined;
      const pr = predict(fit);
      return forestPlot({
        rows: Array.from(fit.yi, (y, i) => ({
          study: study[i], outcome: outcome?.[i], estimate: y,
          ciLower: y - z * Math.sqrt(fit.vi[i]), ciUpper: y + z * Math.sqrt(fit.vi[i]), weight: weights[i],
        })),
        summary: {
          label: fit.model === "mv" ? "Multilevel random-effects model" : fit.model === "uni" && fit.method === "FE" ? "Fixed-effect model" : "Random-effects model",
          estimate: pr.estimate, ciLower: pr.ciLower, ciUpper: pr.ciUpper,
          ...(fit.model === "uni" && fit.method === "FE" ? {} : { piLower: pr.lower ?? undefined, piUpper: pr.upper ?? undefined }),
        },
        measure, level: fit.level, groupByStudy: random.length > 1 ? true : undefined,
      });
    }
    case "funnel": {
      interceptOnly();
      const tests = fit.model === "uni" && fit.k >= 3 ? { egger: eggerTest(fit), begg: beggTest(fit.yi, fit.vi) } : undefined;
      const tf = opts.trimfill ? trimAndFill(uni()) : undefined;
      return funnelPlot({
        yi: Array.from(fit.yi), vi: Array.from(fit.vi), estimate: fit.beta[0], contour: !!opts.contour,
        filled: tf ? { yi: tf.filledYi, vi: tf.filledVi } : undefined, tests, measure,
      });
    }
    case "bubble": {
      if (fit.p !== 2 || !fit.intercept || modNames.length !== 1) throw new InputError("the bubble figure needs a model with an intercept and one numeric moderator");
      const x = Array.from({ length: fit.k }, (_, i) => fit.X[i * 2 + 1]);
      const lo = Math.min(...x), hi = Math.max(...x);
      const grid = Array.from({ length: 41 }, (_, j) => lo + ((hi - lo) * j) / 40);
      const preds = grid.map((g) => predict(fit, [1, g]));
      const s = fit.coefficients[1];
      return bubblePlot({
        x, yi: Array.from(fit.yi), weights: modelWeights(fit),
        line: { x: grid, estimate: preds.map((p) => p.estimate), ciLower: preds.map((p) => p.ciLower), ciUpper: preds.map((p) => p.ciUpper) },
        slope: { estimate: s.estimate, ciLower: s.ciLower, ciUpper: s.ciUpper, p: s.p },
        moderator: modNames[0], measure, level: fit.level,
      });
    }
    case "influence": {
      const f = uni();
      if (opts.cookRule !== "iqr" && opts.cookRule !== "4k") throw new InputError("--cook-rule must be iqr or 4k");
      const inf = influenceDiagnostics(f);
      const flags = influenceFlags(inf);
      const iqr = opts.cookRule === "iqr";
      return influencePlot({
        ...inf, tau2: f.tau2, QE: f.QE, p: f.p,
        flags: {
          outlierThreshold: flags.outlierThreshold, outliers: flags.outliers,
          cookThreshold: iqr ? flags.cookThresholdIQR : flags.cookThreshold4k,
          cookRule: iqr ? "median + 6 × IQR" : "4/k",
          influential: iqr ? flags.cookInfluentialIQR : flags.cookInfluential4k,
        },
      });
    }
    case "leave1out": {
      if (opts.metric !== "estimate" && opts.metric !== "I2") throw new InputError("--metric must be estimate or I2");
      const l1o = leaveOneOut(fit, { studyLabels: random.length ? labelColumn(rows, random[0]) : undefined });
      const c = fit.coefficients[0];
      const fullI2 = fit.model === "uni" ? fit.I2 : multilevelI2(fit);
      return leaveOneOutPlot(
        { unit: l1o.unit, omitted: l1o.omitted, estimate: l1o.estimate, ciLower: l1o.ciLower, ciUpper: l1o.ciUpper, I2: l1o.I2,
          full: { estimate: c.estimate, ciLower: c.ciLower, ciUpper: c.ciUpper, I2: fullI2 }, measure },
        { metric: opts.metric },
      );
    }
    case "distribution": {
      interceptOnly();
      return distributionPlot({ d: fit.beta[0] });
    }
  }
}
