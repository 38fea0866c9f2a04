import { createAccounts } from "@homeward/accounts";
import type { Store } from "@homeward/store";
import { SESSION_COOKIE } from "../auth.js";

/**
 * A signed-in user for a benchmark, made the way the first start makes the
 * owner (owner of every project the store holds when called), so that
 * measured requests pay for the session lookup as real ones do. Returns the
 * Cookie header value.
 */
export async function benchSession(store: Store, name: string): Promise<string> {
  const accounts = createAccounts(store);
  const password = "bench password 1";
  if (await accounts.setupNeeded()) {
    const link = await accounts.issueSetupLink();
    return `${SESSION_COOKIE}=${(await accounts.setup(link.token, { name, displayName: "", password })).token}`;
  }
  return `${SESSION_COOKIE}=${(await accounts.signIn(name, password, "bench")).token}`;
}
