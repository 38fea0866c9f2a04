import { createHash } from "node:crypto";

/** The most bytes one stored part holds (a stored file's, a job's output file's). */
export const FILE_PART_BYTES = 1024 * 1024;

/**
 * Writes a stream of bytes as numbered parts of exactly FILE_PART_BYTES (the
 * last shorter), one `put` per part as the stream arrives, so neither an
 * upload nor a job's output is ever held whole; answers the size and SHA-256
 * of what was written. Stored files and job outputs both keep their bytes so.
 */
export async function writeInParts(chunks: AsyncIterable<Uint8Array>, put: (part: number, bytes: Buffer) => Promise<void>): Promise<{ size: number; sha256: string }> {
  const hash = createHash("sha256");
  let size = 0;
  let part = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async (all: boolean) => {
    while (pendingBytes >= FILE_PART_BYTES || (all && pendingBytes > 0)) {
      const joined = Buffer.concat(pending);
      const bytes = joined.subarray(0, FILE_PART_BYTES);
      const rest = joined.subarray(bytes.length);
      await put(part++, Buffer.from(bytes));
      pending = rest.length > 0 ? [Buffer.from(rest)] : [];
      pendingBytes = rest.length;
    }
  };
  for await (const chunk of chunks) {
    hash.update(chunk);
    size += chunk.length;
    pending.push(Buffer.from(chunk));
    pendingBytes += chunk.length;
    await flush(false);
  }
  await flush(true);
  return { size, sha256: hash.digest("hex") };
}
