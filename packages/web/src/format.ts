const numberFmt = new Intl.NumberFormat("en-GB");
const dateFmt = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium" });
const dateTimeFmt = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short" });

export const formatCount = (n: number): string => numberFmt.format(n);

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

function toDate(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function formatDate(iso: string | null | undefined): string {
  const d = toDate(iso);
  return d ? dateFmt.format(d) : "";
}

export function formatDateTime(iso: string | null | undefined): string {
  const d = toDate(iso);
  return d ? dateTimeFmt.format(d) : "";
}

/** Authors arrive as a list or a preformatted string; tables show a short form. */
export function formatAuthors(a: unknown, max = 3): string {
  if (Array.isArray(a)) {
    const names = a.map((x) => (typeof x === "string" ? x : formatPerson(x))).filter(Boolean);
    return names.length > max ? `${names.slice(0, max).join("; ")} et al.` : names.join("; ");
  }
  return typeof a === "string" ? a : "";
}

function formatPerson(x: unknown): string {
  if (x && typeof x === "object") {
    const o = x as Record<string, unknown>;
    if (typeof o.name === "string") return o.name;
    const family = typeof o.family === "string" ? o.family : typeof o.last === "string" ? o.last : "";
    const given = typeof o.given === "string" ? o.given : typeof o.first === "string" ? o.first : "";
    return [family, given].filter(Boolean).join(", ");
  }
  return x == null ? "" : String(x);
}

/** Turns camelCase / snake_case keys into sentence-case labels. */
export function humanize(key: string): string {
  const s = key
    .replace(/[_-]+/g, " ")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .trim()
    .toLowerCase();
  return s.charAt(0).toUpperCase() + s.slice(1);
}
