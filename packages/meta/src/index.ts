export { MetaInputError, isMetaInputError } from "./errors.js";
export type * from "./types.js";
export { designMatrix, levelTerm, INTERCEPT_TERM, type Design, type Moderator } from "./design.js";
export { rma, type RmaInput, type RmaControl } from "./rma.js";
export { pNormTwoSided, pTTwoSided, pChisqUpper, pFUpper, qNorm, qT, critical } from "./dist.js";
export { rmaMv, nesting, marginalBlock, type RmaMvInput, type RmaMvControl, type RandomLevel, type Nesting } from "./rmamv.js";
export * from "./diagnostics/index.js";
export { robust, type RobustResult } from "./robust.js";
