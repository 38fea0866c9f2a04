export * from "./route.js";
export * from "./core.js";
export * from "./records.js";
export * from "./duplicates.js";
export * from "./collections.js";
export * from "./analysis.js";
export * from "./screening.js";
export * from "./review.js";
