import { InputError } from "@homeward/model";
import { createAccounts } from "@homeward/accounts";
import { buildServer, type ServerOptions } from "@homeward/server";
import type { Register } from "./index.js";
import { DEFAULT_DATA_DIR, openDataStore } from "../data.js";
import { VERSION } from "../version.js";

export const DEFAULT_PORT = 5170;
const HOST = "127.0.0.1";

type OidcOptions = NonNullable<ServerOptions["oidc"]>;
const isLoopback = (host: string) => host === "localhost" || host === "[::1]" || /^127\./.test(host);

/**
 * Organisation sign-in from the environment (HOMEWARD_OIDC_ISSUER,
 * HOMEWARD_OIDC_CLIENT_ID, HOMEWARD_OIDC_CLIENT_SECRET, HOMEWARD_PUBLIC_URL,
 * HOMEWARD_OIDC_LABEL); null when none of the OIDC settings is given. A
 * partial or malformed setting is an error naming it, so a typo does not
 * quietly leave organisation sign-in off.
 */
export function oidcFromEnv(env: NodeJS.ProcessEnv, port: number): OidcOptions | null {
  const get = (k: string) => (env[k] ?? "").trim();
  const issuer = get("HOMEWARD_OIDC_ISSUER");
  const clientId = get("HOMEWARD_OIDC_CLIENT_ID");
  const clientSecret = get("HOMEWARD_OIDC_CLIENT_SECRET");
  if (!issuer && !clientId && !clientSecret) return null;
  const missing = [!issuer && "HOMEWARD_OIDC_ISSUER", !clientId && "HOMEWARD_OIDC_CLIENT_ID"].filter(Boolean);
  if (missing.length) throw new InputError(`organisation sign-in needs ${missing.join(" and ")} as well`);
  const url = (name: string, value: string): URL => {
    let u: URL;
    try {
      u = new URL(value);
    } catch {
      throw new InputError(`${name} must be an absolute URL, not "${value}"`);
    }
    // Codes and ID tokens travel these URLs: plain http only on this machine.
    if (u.protocol !== "https:" && !(u.protocol === "http:" && isLoopback(u.hostname))) {
      throw new InputError(`${name} must use https (plain http only on localhost), not "${value}"`);
    }
    if (u.search || u.hash || u.username || u.password) throw new InputError(`${name} must not carry a query, fragment or credentials: "${value}"`);
    return u;
  };
  url("HOMEWARD_OIDC_ISSUER", issuer);
  const publicUrl = get("HOMEWARD_PUBLIC_URL");
  if (!publicUrl && port === 0) throw new InputError("organisation sign-in with --port 0 needs HOMEWARD_PUBLIC_URL (the provider must know where to send people back)");
  const base = url("HOMEWARD_PUBLIC_URL", publicUrl || `http://${HOST}:${port}`);
  if (base.pathname !== "/") throw new InputError(`HOMEWARD_PUBLIC_URL must be the server's root, without a path: "${publicUrl}"`);
  const label = get("HOMEWARD_OIDC_LABEL") || "your organisation";
  if (label.length > 100) throw new InputError("HOMEWARD_OIDC_LABEL is at most 100 characters");
  return { issuer, clientId, ...(clientSecret ? { clientSecret } : {}), redirectBase: base.origin, label };
}

const running = new Set<() => Promise<void>>();

/** Stops every server `serve` started in this process (for tests and signal handling). */
export async function stopServers(): Promise<void> {
  await Promise.all([...running].map((stop) => stop()));
}

export const register: Register = (program, io) => {
  program
    .command("serve")
    .option("--port <n>", "port (0 = any free port)", String(DEFAULT_PORT))
    .option("--data <dir>", "data folder, created on first start (ignored when DATABASE_URL is set)", DEFAULT_DATA_DIR)
    .option(
      "--allowed-host <name>",
      "a host name the server answers besides localhost and 127.0.0.1 (repeatable; also HOMEWARD_ALLOWED_HOSTS, comma-separated)",
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .action(async (o: { port: string; data: string; allowedHost: string[] }) => {
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InputError(`--port must be an integer 0-65535, not "${o.port}"`);
      const allowedHosts = [...o.allowedHost, ...(process.env.HOMEWARD_ALLOWED_HOSTS ?? "").split(",")].map((h) => h.trim().toLowerCase()).filter(Boolean);
      const bad = allowedHosts.find((h) => !/^[a-z0-9.-]+$|^\[[0-9a-f:.]+\]$/.test(h));
      if (bad !== undefined) throw new InputError(`--allowed-host takes a host name without scheme or port, not "${bad}"`);
      const oidc = oidcFromEnv(process.env, port);
      const store = await openDataStore(o.data, io);
      let app: Awaited<ReturnType<typeof buildServer>>;
      const accounts = createAccounts(store);
      try {
        const publicHost = oidc ? new URL(oidc.redirectBase).hostname : null;
        app = await buildServer({
          store,
          accounts,
          version: VERSION,
          // The public URL is a name the server is reached by (through a proxy); the browser reaches it over TLS when it says https.
          allowedHosts: publicHost && !isLoopback(publicHost) ? [...allowedHosts, publicHost] : allowedHosts,
          ...(oidc ? { oidc, secureCookies: oidc.redirectBase.startsWith("https:") } : {}),
        });
        await app.listen({ port, host: HOST });
      } catch (err) {
        await store.close();
        if ((err as NodeJS.ErrnoException).code === "EADDRINUSE") throw new InputError(`port ${port} is already in use (choose another with --port)`);
        throw err;
      }
      const address = app.server.address();
      const actual = typeof address === "object" && address ? address.port : port;
      const stop = async () => {
        running.delete(stop);
        await app.close();
        await store.close();
      };
      running.add(stop);
      io.out(`Homeward ${VERSION} is running at http://${HOST}:${actual}/ (${store.dialect === "sqlite" ? `data: ${o.data}` : "PostgreSQL"})\n`);
      if (oidc) io.out(`Organisation sign-in: ${oidc.issuer} (register ${oidc.redirectBase}/api/auth/oidc/callback as the redirect URI)\n`);
      // As Jupyter does: until someone owns the instance, each start prints a fresh one-time
      // link that creates the owner; the token follows '#' so it never reaches a server log.
      if (await accounts.setupNeeded()) {
        const link = await accounts.issueSetupLink();
        io.out(`Open this one-time link to set up Homeward: http://${HOST}:${actual}/setup#token=${link.token}\n`);
      }
      if (running.size === 1) {
        for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => void stopServers());
      }
    });
};
