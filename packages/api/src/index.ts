export * from "./route.js";
export * from "./core.js";
