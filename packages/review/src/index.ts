export * from "./appraisal-rules.js";
export * from "./project.js";
export * from "./prisma.js";
export * from "./summary.js";
