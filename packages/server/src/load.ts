import { PRISMA_INPUT_COLLECTIONS, type PrismaInput } from "@homeward/review";
import type { Store } from "@homeward/store";

/** Reads just the collections the PRISMA flow counts from. */
export async function loadPrismaInput(store: Store, projectId: string): Promise<PrismaInput> {
  const [protocol, ...lists] = await Promise.all([
    store.getProtocol(projectId),
    ...PRISMA_INPUT_COLLECTIONS.map((c) => store.list(projectId, c)),
  ]);
  return { protocol, ...Object.fromEntries(PRISMA_INPUT_COLLECTIONS.map((c, i) => [c, lists[i]])) } as PrismaInput;
}
