export { MetaInputError, isMetaInputError } from "./errors.js";
export type * from "./types.js";
export { designMatrix, levelTerm, INTERCEPT_TERM, type Design, type Moderator } from "./design.js";
export { rma, type RmaInput, type RmaControl } from "./rma.js";
export { pNormTwoSided, pTTwoSided, pChisqUpper, pFUpper, qNorm, qT, critical } from "./dist.js";
