export * from "./types.js";
export * from "./engine.js";
export * from "./scales.js";
export * from "./registry.js";
export * from "./departures.js";
export * from "./tools/rob2.js";
