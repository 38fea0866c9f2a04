import iconv from "iconv-lite";
import { isUtf8 } from "node:buffer";
import type { ByteSource } from "./types.js";

/** What the decoder found out about the bytes; filled in as decoding proceeds. */
export interface DecodeInfo {
  encoding?: string;
  warnings: string[];
}

/** Bytes looked at before the encoding is chosen (more is read only for files that are longer). */
const SNIFF_BYTES = 64 * 1024;

async function* chunksOf(source: ByteSource): AsyncGenerator<Uint8Array> {
  if (source instanceof Uint8Array) {
    // Hand big buffers on in slices so downstream work stays incremental.
    for (let i = 0; i < source.length; i += 1 << 20) yield source.subarray(i, i + (1 << 20));
    return;
  }
  for await (const c of source as AsyncIterable<Uint8Array>) {
    yield typeof c === "string" ? Buffer.from(c as string) : c;
  }
}

/**
 * Detects the encoding from a file's first bytes: a byte-order mark wins; then
 * the pattern of zero bytes that ASCII text takes in UTF-16 without a BOM; then
 * UTF-8 if the bytes are valid UTF-8; otherwise Windows-1252, the superset of
 * Latin-1 that older database exports use.
 */
export function sniffEncoding(head: Uint8Array): { encoding: string; bom: number } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: "utf-8", bom: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: "utf-16le", bom: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: "utf-16be", bom: 2 };
  const n = Math.min(head.length, 4096) & ~1;
  if (n >= 4) {
    let evenZero = 0;
    let oddZero = 0;
    for (let i = 0; i < n; i += 2) {
      if (head[i] === 0) evenZero++;
      if (head[i + 1] === 0) oddZero++;
    }
    const pairs = n / 2;
    if (oddZero > pairs * 0.3 && evenZero < pairs * 0.05) return { encoding: "utf-16le", bom: 0 };
    if (evenZero > pairs * 0.3 && oddZero < pairs * 0.05) return { encoding: "utf-16be", bom: 0 };
  }
  return { encoding: validUtf8Prefix(head) ? "utf-8" : "windows-1252", bom: 0 };
}

/** Length of a trailing, possibly incomplete, UTF-8 sequence (0 if the buffer ends on a boundary). */
function incompleteTail(b: Uint8Array): number {
  for (let k = 1; k <= Math.min(3, b.length); k++) {
    const c = b[b.length - k];
    if ((c & 0xc0) === 0x80) continue; // continuation byte: keep looking back
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return need > k ? k : 0;
  }
  return 0;
}

/** Length of the longest prefix that is valid UTF-8 (RFC 3629: no overlongs, surrogates or values above U+10FFFF). */
function validUtf8Length(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    let n = 0;
    let min = 0;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) (n = 1), (min = 0x80);
    else if (c >= 0xe0 && c <= 0xef) (n = 2), (min = 0x800);
    else if (c >= 0xf0 && c <= 0xf4) (n = 3), (min = 0x10000);
    else return i;
    if (i + n >= b.length) return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return i;
}

/** True when the bytes are valid UTF-8, allowing a sequence cut off at the end. */
function validUtf8Prefix(b: Uint8Array): boolean {
  return isUtf8(b.subarray(0, b.length - incompleteTail(b)));
}

/**
 * Decodes a byte source into text chunks. A file that is valid UTF-8 in its
 * first 64 KiB but not later switches to Windows-1252 at the first bad chunk
 * and says so in `info.warnings` (the mixed file is read, not rejected).
 */
export async function* decodeText(source: ByteSource, forced: string | undefined, info: DecodeInfo): AsyncGenerator<string> {
  const it = chunksOf(source)[Symbol.asyncIterator]();
  const headParts: Uint8Array[] = [];
  let headLen = 0;
  let done = false;
  while (headLen < SNIFF_BYTES) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    headParts.push(r.value);
    headLen += r.value.length;
  }
  const head = Buffer.concat(headParts);
  let encoding: string;
  let bom = 0;
  if (forced) {
    if (!iconv.encodingExists(forced)) throw new Error(`unknown encoding "${forced}"`);
    encoding = forced.toLowerCase();
    const s = sniffEncoding(head);
    if (s.encoding === encoding && s.bom) bom = s.bom;
  } else {
    ({ encoding, bom } = sniffEncoding(head.subarray(0, SNIFF_BYTES)));
  }
  info.encoding = encoding;

  if (encoding !== "utf-8") {
    const dec = iconv.getDecoder(encoding, { stripBOM: false });
    const first = dec.write(Buffer.from(head.subarray(bom)));
    if (first) yield first;
    while (!done) {
      const r = await it.next();
      if (r.done) break;
      const s = dec.write(Buffer.from(r.value));
      if (s) yield s;
    }
    const tail = dec.end();
    if (tail) yield tail;
    return;
  }

  // UTF-8: validate chunk by chunk, carrying an incomplete sequence to the next chunk.
  const utf8 = new TextDecoder("utf-8");
  let fallback: ReturnType<typeof iconv.getDecoder> | undefined;
  let carry: Uint8Array = new Uint8Array(0);
  let offset = 0;
  const feed = (chunk: Uint8Array, last: boolean): string => {
    let buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    if (fallback) return fallback.write(Buffer.from(buf));
    const t = last ? 0 : incompleteTail(buf);
    const body = buf.subarray(0, buf.length - t);
    carry = buf.subarray(buf.length - t);
    if (isUtf8(body)) {
      offset += body.length;
      return utf8.decode(body);
    }
    const good = validUtf8Length(body);
    fallback = iconv.getDecoder("windows-1252");
    info.encoding = "utf-8, then windows-1252";
    info.warnings.push(`the file is not valid UTF-8 after byte ${offset + good}; the rest was read as Windows-1252`);
    const rest = Buffer.concat([body.subarray(good), carry]);
    carry = new Uint8Array(0);
    return utf8.decode(body.subarray(0, good)) + fallback.write(rest);
  };
  const first = feed(head.subarray(bom), done);
  if (first) yield first;
  while (!done) {
    const r = await it.next();
    if (r.done) break;
    const s = feed(r.value, false);
    if (s) yield s;
  }
  if (carry.length) {
    const rest = carry;
    carry = new Uint8Array(0);
    if (fallback) yield fallback.write(Buffer.from(rest));
    else {
      info.warnings.push("the file ends in the middle of a UTF-8 character");
      yield utf8.decode(rest);
    }
  }
  if (fallback) {
    const t = fallback.end();
    if (t) yield t;
  }
}

export interface Line {
  /** Text without the line terminator (truncated to the maximum length if `long`). */
  text: string;
  /** 1-based line number. */
  no: number;
  /** Set when the line was longer than the maximum and was cut. */
  long?: boolean;
}

/** Splits text chunks into lines; accepts LF, CRLF and lone CR (old Mac exports). */
export async function* linesOf(chunks: AsyncIterable<string>, maxLineLength: number): AsyncGenerator<Line> {
  let pending = "";
  let pendingLong = false;
  let no = 0;
  let lastWasCR = false;
  for await (const chunk of chunks) {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      if (c === 10 && lastWasCR && i === start) {
        // the LF of a CRLF split across the previous line end
        start = i + 1;
        lastWasCR = false;
        continue;
      }
      let text = pending + chunk.slice(start, i);
      let long = pendingLong;
      if (text.length > maxLineLength) {
        text = text.slice(0, maxLineLength);
        long = true;
      }
      yield long ? { text, no: ++no, long } : { text, no: ++no };
      pending = "";
      pendingLong = false;
      lastWasCR = c === 13;
      if (c === 13 && i + 1 < chunk.length && chunk.charCodeAt(i + 1) === 10) i++, (lastWasCR = false);
      start = i + 1;
    }
    if (start < chunk.length) {
      lastWasCR = false;
      pending += chunk.slice(start);
      if (pending.length > maxLineLength) {
        pending = pending.slice(0, maxLineLength);
        pendingLong = true;
      }
    }
  }
  if (pending.length || pendingLong) yield pendingLong ? { text: pending, no: ++no, long: true } : { text: pending, no: ++no };
}
