export * from "./types.js";
export * from "./data.js";
export * from "./prisma-items.js";
export * from "./default-spec.js";
export * from "./html.js";
export * from "./versions.js";
export * from "./bundle.js";
export * from "./docx.js";
