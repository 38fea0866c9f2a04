export { MetaInputError, isMetaInputError } from "./errors.js";
export type * from "./types.js";
export { designMatrix, levelTerm, INTERCEPT_TERM, type Design, type Moderator } from "./design.js";
export { rma, type RmaInput, type RmaControl } from "./rma.js";
export { pNormTwoSided, pTTwoSided, pChisqUpper, pFUpper, qNorm, qNormPrecise, qT, critical } from "./dist.js";
export { rmaMv, nesting, marginalBlock, type RmaMvInput, type RmaMvControl, type RandomLevel, type Nesting } from "./rmamv.js";
export * from "./diagnostics/index.js";
export { robust, type RobustResult } from "./robust.js";
export { escalc, hedgesCorrection, tFromSignedP, MEASURE_INPUT_SETS, MEASURE_VTYPES, type EscalcOptions, type VType, type AddTo, smdFromT, smdFromP, smdFromRegression, logOrFromLogRr, recode, MEASURE_INPUTS, type Measure, type EffectSize, type Provenance } from "./escalc.js";
export {
  logOrToSmd, smdToLogOr, rrToOr, logRatioFromCi, logRatioFromP, logOrFromCi, smdFromMeanDifference, smdFromTStatistic, smdFromF, smdFromPValue,
  corToSmd, smdToCor, betaToCor, smdFromRegressionB, meanSdFromMedian, recodeHigherWorse,
  type Conversion, type ConversionStep, type ConversionMeasure, type Estimate, type Direction, type MeanDifferenceInput, type MedianInput, type MeanSd,
} from "./convert.js";
export { predict } from "./predict.js";
export {
  parseMetaSpec, fitMetaSpec, metaSpecResult, specDiagnostics, inlineRows, checkKeys, stringField, numberColumn, labelColumn, measureCounts, selectMeasure,
  META_SPEC_KEYS, MEASURE_COLUMN, type MetaSpec, type FittedSpec, type MetaSpecResult, type MeasureSelection, type Row,
} from "./spec.js";
export { robustWarnings, subgroupWarnings, SMALL_DF, type MetaWarning, type MetaWarningCode } from "./warnings.js";
