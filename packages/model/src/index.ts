export * from "./errors.js";
export * from "./common.js";
export * from "./protocol.js";
export * from "./entities.js";
export * from "./collections.js";
export * from "./project-file.js";
export * from "./api.js";
export * from "./audit-chain.js";
