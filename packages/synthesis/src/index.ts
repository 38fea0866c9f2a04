export * from "./coding.js";
export * from "./cerqual.js";
export * from "./joint.js";
export * from "./grade.js";
export * from "./guide.js";
export * from "./survey.js";
export * from "./analysis.js";
