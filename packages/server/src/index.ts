export { buildServer, defaultWebDir, DEFAULT_USER, USER_HEADER, type ServerOptions } from "./app.js";
