import { renameSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { InputError } from "@homeward/model";
import { renderPng, renderSvg } from "@homeward/figures";
import { ANALYSIS_FIGURES as FIGURES, analysisFigure, isAnalysisFigureName } from "@homeward/review";
import { readSpec } from "../meta-spec.js";
import { fitSpec } from "./meta.js";
import type { Register } from "./index.js";

interface PlotOptions {
  spec: string;
  figure: string;
  out: string;
  label?: string;
  measure?: string;
  contour?: boolean;
  trimfill?: boolean;
  metric: string;
  cookRule: string;
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
      const name = opts.figure;
      if (!isAnalysisFigureName(name)) throw new InputError(`--figure must be one of ${FIGURES.join(", ")}`);
      if (opts.cookRule !== "iqr" && opts.cookRule !== "4k") throw new InputError("--cook-rule must be iqr or 4k");
      if (opts.metric !== "estimate" && opts.metric !== "I2") throw new InputError("--metric must be estimate or I2");
      const out = resolve(io.cwd, opts.out);
      const png = /\.png$/i.test(out);
      if (!png && !/\.svg$/i.test(out)) throw new InputError("--out must end in .svg or .png");
      const scale = Number(opts.scale);
      if (!(scale > 0 && scale <= 10)) throw new InputError("--scale must be a number in (0, 10]");
      const { spec, dir } = readSpec(opts.spec, io.cwd);
      const { figure } = analysisFigure(name, fitSpec(spec, dir), {
        label: opts.label, measure: opts.measure, contour: opts.contour, trimfill: opts.trimfill, metric: opts.metric, cookRule: opts.cookRule,
      });
      const data = png ? await renderPng(figure, { scale }) : await renderSvg(figure);
      // Write beside the target and rename, so a failed render never leaves a half-written file.
      const tmp = `${out}.${process.pid}.tmp`;
      writeFileSync(tmp, data);
      renameSync(tmp, out);
      io.out(`${figure.title}\n\n${figure.description}\n`);
    });
};
