import { InputError } from "@homeward/model";
import { createAccounts } from "@homeward/accounts";
import { buildServer } from "@homeward/server";
import type { Register } from "./index.js";
import { DEFAULT_DATA_DIR, openDataStore } from "../data.js";
import { VERSION } from "../version.js";

export const DEFAULT_PORT = 5170;
const HOST = "127.0.0.1";

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
      const store = await openDataStore(o.data, io);
      let app: Awaited<ReturnType<typeof buildServer>>;
      const accounts = createAccounts(store);
      try {
        app = await buildServer({ store, accounts, version: VERSION, allowedHosts });
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
