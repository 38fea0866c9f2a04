export * from "./codebook.js";
export * from "./codebook-io.js";
export * from "./template.js";
export * from "./values.js";
export * from "./compare.js";
export * from "./sample.js";
export * from "./outputs.js";
export * from "./checks.js";
