import { createAccounts } from "@homeward/accounts";
import { InputError, UserName } from "@homeward/model";
import type { Register } from "./index.js";
import { DEFAULT_DATA_DIR, withStore } from "../data.js";

/**
 * Users of the instance, for whoever runs the server (who holds its data
 * folder or database, and so every account anyway): list them, and give
 * someone a one-time link to set a new password, e.g. an owner who lost
 * theirs. Sign-in itself happens in the browser.
 */
export const register: Register = (program, io) => {
  const user = program.command("user").description("list users, or give one a one-time link to set a password");

  user
    .command("list")
    .option("--data <dir>", "data folder (ignored when DATABASE_URL is set)", DEFAULT_DATA_DIR)
    .option("--json", "print JSON")
    .action(async (o: { data: string; json?: boolean }) => {
      const users = await withStore(o.data, io, (store) => createAccounts(store).listUsers());
      if (o.json) return io.out(`${JSON.stringify(users, null, 2)}\n`);
      for (const u of users) io.out(`${u.name}\t${u.displayName}\t${u.admin ? "admin" : ""}\t${u.active ? "active" : "no password yet"}\n`);
    });

  user
    .command("link <name>")
    .description("print a one-time link with which the user sets a new password (their sessions end)")
    .option("--data <dir>", "data folder (ignored when DATABASE_URL is set)", DEFAULT_DATA_DIR)
    .option("--url <base>", "the server's address, to print the whole link", "http://127.0.0.1:5170")
    .action(async (name: string, o: { data: string; url: string }) => {
      const parsed = UserName.safeParse(name);
      if (!parsed.success) throw new InputError(`"${name}" is not a user name`);
      if (!/^https?:\/\/[^/]+$/.test(o.url.replace(/\/$/, ""))) throw new InputError(`--url takes the server's address such as http://127.0.0.1:5170, not "${o.url}"`);
      const link = await withStore(o.data, io, async (store) => {
        const accounts = createAccounts(store);
        // Acting as the instance itself: whoever runs this command holds the data already.
        return accounts.resetLink(null, parsed.data);
      });
      io.out(`${o.url.replace(/\/$/, "")}/welcome#token=${link.token}\t(valid until ${link.expiresAt})\n`);
    });
};
