export { buildServer, defaultWebDir, type ServerOptions, type AccessPolicy, type Identity } from "./app.js";
export { SESSION_COOKIE } from "./auth.js";
