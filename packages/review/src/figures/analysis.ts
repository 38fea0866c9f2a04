/**
 * The analysis figures of a fitted meta spec (forest, funnel, bubble,
 * influence, leave-one-out, distribution), each with the data behind it as
 * a table for CSV download. One builder for every front end: the `plot`
 * command and the HTTP analysis route draw the same figure from the same
 * spec.
 */
import { InputError } from "@homeward/model";
import {
  beggTest, critical, eggerTest, influenceDiagnostics, influenceFlags, labelColumn, leaveOneOut, modelWeights, multilevelI2, predict,
  trimAndFill, type FittedSpec, type RmaUniFit,
} from "@homeward/meta";
import {
  bubblePlot, distributionPlot, forestPlot, funnelPlot, influencePlot, leaveOneOutPlot, type Figure,
} from "@homeward/figures";
import { toCsv, type CsvValue } from "../csv.js";

export const ANALYSIS_FIGURES = ["forest", "funnel", "bubble", "influence", "leave1out", "distribution"] as const;
export type AnalysisFigureName = (typeof ANALYSIS_FIGURES)[number];

export interface AnalysisFigureOptions {
  /**
   * Data column labelling forest-plot rows; default the study and outcome
   * columns of a multilevel model. Studies are identified by the model's
   * outermost random effect or the data's study columns, not by this.
   */
  label?: string;
  /** Axis title for the effect size, e.g. "Standardised mean difference". */
  measure?: string;
  /** Funnel: significance contours around 0. */
  contour?: boolean;
  /** Funnel: add the outcomes imputed by trim-and-fill. */
  trimfill?: boolean;
  /** Leave-one-out: which value to plot. */
  metric?: "estimate" | "I2";
  /** Influence: Cook's distance threshold, median + 6×IQR or 4/k. */
  cookRule?: "iqr" | "4k";
  /** Forest: a data column shown as text beside the plot, e.g. "riskOfBias". */
  column?: string;
}

/** The data behind a figure, one row per drawn unit. */
export interface FigureTable {
  columns: string[];
  rows: CsvValue[][];
}

export interface AnalysisFigure {
  figure: Figure;
  table: FigureTable;
}

/** Headings of columns a front end commonly shows beside the forest plot; any other column is headed by its name. */
const COLUMN_TITLES: Record<string, string> = { riskOfBias: "Risk of bias", riskOfBiasTool: "Appraisal tool" };

const cellText = (v: unknown): string | null => (v === null || v === undefined || v === "" ? null : String(v));

export function isAnalysisFigureName(s: string): s is AnalysisFigureName {
  return (ANALYSIS_FIGURES as readonly string[]).includes(s);
}

export const figureTableCsv = (t: FigureTable): string => toCsv(t.columns, t.rows);

/** Draws one analysis figure of a fitted spec; refusals (wrong model for the figure, bad option) are input errors. */
export function analysisFigure(name: AnalysisFigureName, fitted: FittedSpec, opts: AnalysisFigureOptions = {}): AnalysisFigure {
  const { fit, rows, mods, spec } = fitted;
  const random = spec.random;
  const measure = opts.measure;
  const interceptOnly = () => {
    if (fit.p !== 1 || !fit.intercept) throw new InputError(`the ${name} figure needs a model without moderators`);
  };
  const uni = (): RmaUniFit => {
    if (fit.model !== "uni") throw new InputError(`the ${name} figure is available for univariate models only`);
    return fit;
  };
  switch (name) {
    case "forest": {
      interceptOnly();
      const z = critical(fit.level, null);
      const weights = modelWeights(fit);
      // Which study each outcome comes from: the outermost random effect of a multilevel model, else the
      // data's own study columns (the project's rows have them). The row labels chosen for drawing never
      // stand in for studies, so "k outcomes from n studies" counts studies even when labels repeat.
      const complete = (c: string) => rows.every((r) => r[c] !== undefined && r[c] !== null && r[c] !== "");
      const studyCol = random.length ? random[0] : complete("study") ? "study" : undefined;
      const studyIdCol = random.length ? random[0] : complete("studyId") ? "studyId" : studyCol;
      const studyName = studyCol ? labelColumn(rows, studyCol) : undefined;
      const studyId = studyIdCol ? labelColumn(rows, studyIdCol) : undefined;
      const grouped = studyId !== undefined && (random.length > 1 || new Set(studyId).size < rows.length);
      const labelCol = opts.label && opts.label !== studyCol ? opts.label
        : random.length > 1 ? random[random.length - 1]
        : grouped && complete("outcome") ? "outcome" : undefined;
      const label = labelCol ? labelColumn(rows, labelCol) : undefined;
      const textCol = opts.column;
      if (textCol !== undefined && !rows.some((r) => textCol in r)) throw new InputError(`the data has no column "${textCol}" to show beside the forest plot`);
      const pr = predict(fit);
      const fe = fit.model === "uni" && fit.method === "FE";
      const drawn = Array.from(fit.yi, (y, i) => ({
        ...(studyName ? { study: studyName[i], studyId: studyId![i], outcome: label?.[i] } : { study: label?.[i] ?? `Outcome ${i + 1}`, outcome: undefined }),
        estimate: y, ciLower: y - z * Math.sqrt(fit.vi[i]), ciUpper: y + z * Math.sqrt(fit.vi[i]), weight: weights[i],
        ...(textCol ? { text: cellText(rows[i]![textCol]) } : {}),
      }));
      const figure = forestPlot({
        rows: drawn,
        summary: {
          label: fit.model === "mv" ? "Multilevel random-effects model" : fe ? "Fixed-effect model" : "Random-effects model",
          estimate: pr.estimate, ciLower: pr.ciLower, ciUpper: pr.ciUpper,
          ...(fe ? {} : { piLower: pr.lower ?? undefined, piUpper: pr.upper ?? undefined }),
        },
        measure, level: fit.level, groupByStudy: grouped,
        ...(textCol ? { textColumn: COLUMN_TITLES[textCol] ?? textCol } : {}),
      });
      return {
        figure,
        table: {
          columns: ["study", "outcome", "estimate", "ciLower", "ciUpper", "weightPercent", ...(textCol ? [textCol] : [])],
          rows: [
            ...drawn.map((r) => [r.study, r.outcome ?? null, r.estimate, r.ciLower, r.ciUpper, r.weight, ...(textCol ? [r.text ?? null] : [])]),
            ["(summary)", null, pr.estimate, pr.ciLower, pr.ciUpper, 100, ...(textCol ? [null] : [])],
          ],
        },
      };
    }
    case "funnel": {
      interceptOnly();
      const tests = fit.model === "uni" && fit.k >= 3 ? { egger: eggerTest(fit), begg: beggTest(fit.yi, fit.vi) } : undefined;
      const tf = opts.trimfill ? trimAndFill(uni()) : undefined;
      const figure = funnelPlot({
        yi: Array.from(fit.yi), vi: Array.from(fit.vi), estimate: fit.beta[0], contour: !!opts.contour,
        filled: tf ? { yi: tf.filledYi, vi: tf.filledVi } : undefined, tests, measure,
      });
      const point = (kind: string) => (y: number, i: number, vi: ArrayLike<number>): CsvValue[] => [kind, y, Math.sqrt(vi[i]), vi[i]];
      return {
        figure,
        table: {
          columns: ["kind", "yi", "se", "vi"],
          rows: [
            ...Array.from(fit.yi, (y, i) => point("observed")(y, i, fit.vi)),
            ...(tf ? Array.from(tf.filledYi, (y, i) => point("imputed")(y, i, tf.filledVi)) : []),
          ],
        },
      };
    }
    case "bubble": {
      if (fit.p !== 2 || !fit.intercept || mods.length !== 1 || "levels" in mods[0]) {
        throw new InputError("the bubble figure needs a model with an intercept and one numeric moderator");
      }
      const x = Array.from({ length: fit.k }, (_, i) => fit.X[i * 2 + 1]);
      const lo = Math.min(...x), hi = Math.max(...x);
      const grid = Array.from({ length: 41 }, (_, j) => lo + ((hi - lo) * j) / 40);
      const preds = grid.map((g) => predict(fit, [1, g]));
      const s = fit.coefficients[1];
      const weights = modelWeights(fit);
      const figure = bubblePlot({
        x, yi: Array.from(fit.yi), weights,
        line: { x: grid, estimate: preds.map((p) => p.estimate), ciLower: preds.map((p) => p.ciLower), ciUpper: preds.map((p) => p.ciUpper) },
        slope: { estimate: s.estimate, ciLower: s.ciLower, ciUpper: s.ciUpper, p: s.p },
        moderator: mods[0].name, measure, level: fit.level,
      });
      return { figure, table: { columns: [mods[0].name, "yi", "weightPercent"], rows: x.map((v, i) => [v, fit.yi[i], weights[i]]) } };
    }
    case "influence": {
      const f = uni();
      const rule = opts.cookRule ?? "iqr";
      if (rule !== "iqr" && rule !== "4k") throw new InputError("the Cook's distance rule must be iqr or 4k");
      const inf = influenceDiagnostics(f);
      const flags = influenceFlags(inf);
      const iqr = rule === "iqr";
      const influential = iqr ? flags.cookInfluentialIQR : flags.cookInfluential4k;
      const figure = influencePlot({
        ...inf, tau2: f.tau2, QE: f.QE, p: f.p,
        flags: {
          outlierThreshold: flags.outlierThreshold, outliers: flags.outliers,
          cookThreshold: iqr ? flags.cookThresholdIQR : flags.cookThreshold4k,
          cookRule: iqr ? "median + 6 × IQR" : "4/k",
          influential,
        },
      });
      const keys = ["rstudent", "dffits", "cookD", "covRatio", "tau2Del", "QEDel", "hat", "weight"] as const;
      return {
        figure,
        table: {
          columns: ["outcome", ...keys, "outlier", "influential"],
          rows: Array.from({ length: f.k }, (_, i) => [i + 1, ...keys.map((k) => inf[k][i]), flags.outliers.includes(i), influential.includes(i)]),
        },
      };
    }
    case "leave1out": {
      const metric = opts.metric ?? "estimate";
      if (metric !== "estimate" && metric !== "I2") throw new InputError("the leave-one-out metric must be estimate or I2");
      const l1o = leaveOneOut(fit, { studyLabels: random.length ? labelColumn(rows, random[0]) : undefined });
      const c = fit.coefficients[0];
      const fullI2 = fit.model === "uni" ? fit.I2 : multilevelI2(fit);
      const figure = leaveOneOutPlot(
        { unit: l1o.unit, omitted: l1o.omitted, estimate: l1o.estimate, ciLower: l1o.ciLower, ciUpper: l1o.ciUpper, I2: l1o.I2,
          full: { estimate: c.estimate, ciLower: c.ciLower, ciUpper: c.ciUpper, I2: fullI2 }, measure },
        { metric },
      );
      return {
        figure,
        table: {
          columns: ["omitted", "estimate", "ciLower", "ciUpper", "tau2", "I2"],
          rows: l1o.omitted.map((o, i) => [o, l1o.estimate[i], l1o.ciLower[i], l1o.ciUpper[i], l1o.tau2[i], l1o.I2[i]]),
        },
      };
    }
    case "distribution": {
      interceptOnly();
      return { figure: distributionPlot({ d: fit.beta[0] }), table: { columns: ["d"], rows: [[fit.beta[0]]] } };
    }
  }
}
