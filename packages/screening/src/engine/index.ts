export * from "./answers.js";
export * from "./events.js";
export * from "./stage.js";
export * from "./qa-review.js";
export * from "./engine.js";
