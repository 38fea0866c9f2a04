import type { CodebookRow } from "@homeward/api";
import type { ExtractedValue } from "@homeward/model";

export const enc = encodeURIComponent;

/** What an input holds while being edited: text for most types, a list for multiple choice, cells for a grid. */
export type Raw = string | string[] | Record<string, Record<string, string>>;

const numeric = (s: string): number | string => {
  const t = s.trim();
  const n = Number(t);
  return t !== "" && Number.isFinite(n) ? n : t;
};

/**
 * The value to send for an input. A number that does not read as one is sent
 * as typed so the server's message says what is wrong with it.
 */
export function valueOf(item: CodebookRow, raw: Raw): unknown {
  switch (item.type) {
    case "multiple":
      return Array.isArray(raw) && raw.length > 0 ? raw : null;
    case "grid": {
      const out: Record<string, Record<string, string | number>> = {};
      for (const [r, cells] of Object.entries(raw as Record<string, Record<string, string>>)) {
        for (const [c, x] of Object.entries(cells)) if (x.trim() !== "") (out[r] ??= {})[c] = numeric(x);
      }
      return Object.keys(out).length ? out : null;
    }
    case "number":
    case "integer": {
      const s = String(raw).trim();
      return s === "" ? null : numeric(s);
    }
    case "boolean":
      return raw === "" ? null : raw === "true";
    case "json": {
      const s = String(raw).trim();
      if (s === "") return null;
      try {
        return JSON.parse(s);
      } catch {
        return s;
      }
    }
    default: {
      const s = String(raw);
      return s.trim() === "" ? null : s;
    }
  }
}

export function rawOf(item: CodebookRow, value: unknown): Raw {
  if (value === null || value === undefined) return item.type === "multiple" ? [] : item.type === "grid" ? {} : "";
  switch (item.type) {
    case "multiple":
      return Array.isArray(value) ? value.map(String) : [];
    case "grid":
      return Object.fromEntries(
        Object.entries(value as Record<string, Record<string, unknown>>).map(([r, cells]) => [r, Object.fromEntries(Object.entries(cells ?? {}).map(([c, x]) => [c, x == null ? "" : String(x)]))]),
      );
    case "json":
      return JSON.stringify(value);
    default:
      return String(value);
  }
}

/** A value as it reads in tables. */
export function shown(item: Pick<CodebookRow, "type" | "options" | "unit" | "rows" | "columns">, value: unknown): string {
  if (value === null || value === undefined) return "not reported";
  const label = (code: unknown) => item.options.find((o) => o.code === code)?.label || String(code);
  switch (item.type) {
    case "single":
    case "yesno":
      return label(value);
    case "multiple":
      return Array.isArray(value) ? value.map(label).join("; ") : String(value);
    case "number":
    case "integer":
      return `${String(value)}${item.unit ? ` ${item.unit}` : ""}`;
    case "boolean":
      return value ? "yes" : "no";
    case "grid": {
      const rows = new Map((item.rows ?? []).map((r) => [r.code, r.label || r.code]));
      const cols = new Map((item.columns ?? []).map((c) => [c.code, c.label || c.code]));
      return Object.entries(value as Record<string, Record<string, unknown>>)
        .map(([r, cells]) => `${rows.get(r) ?? r}: ${Object.entries(cells ?? {}).map(([c, x]) => `${cols.get(c) ?? c} ${String(x)}`).join(", ")}`)
        .join("; ");
    }
    default:
      return typeof value === "string" ? value : JSON.stringify(value);
  }
}

export const TYPE_LABELS: Record<CodebookRow["type"], string> = {
  section: "Section heading",
  text: "Text",
  number: "Number",
  integer: "Whole number",
  single: "Single choice",
  multiple: "Multiple choice",
  date: "Date",
  yesno: "Yes / no / unclear",
  grid: "Grid (rows × columns)",
  boolean: "Yes or no",
  json: "Structured (JSON)",
};

/** The codebook item a server message names (`item "code"`), if any. */
export function itemNamed(items: readonly CodebookRow[], message: string): CodebookRow | undefined {
  const m = /item "([^"]+)"/.exec(message);
  return m ? items.find((i) => i.code === m[1]) : undefined;
}

export const slot = (v: Pick<ExtractedValue, "itemId" | "outcomeId">) => `${v.itemId}\u0000${v.outcomeId ?? ""}`;

/** One input for one codebook item, labelled, with its help and the server's message when it refused the value. */
export function ValueField({
  item,
  raw,
  onChange,
  idPrefix,
  error,
  disabled,
  context,
}: {
  item: CodebookRow;
  raw: Raw;
  onChange: (raw: Raw) => void;
  idPrefix: string;
  error?: string | null;
  disabled?: boolean;
  /** Where the item is asked when it is asked more than once (an outcome), named to assistive technology. */
  context?: string;
}) {
  const id = `${idPrefix}-${item.id}`;
  const range = item.min != null || item.max != null ? `Allowed: ${item.min ?? "…"} to ${item.max ?? "…"}${item.unit ? ` ${item.unit}` : ""}.` : "";
  const helpText = [item.description, item.help, range].filter(Boolean).join(" ");
  const helpId = helpText ? `${id}-help` : undefined;
  const errId = error ? `${id}-error` : undefined;
  const describedBy = [helpId, errId].filter(Boolean).join(" ") || undefined;
  const title = (
    <>
      {item.label || item.code}
      {item.unit ? <span className="muted"> ({item.unit})</span> : null}
      {context ? <span className="visually-hidden"> for {context}</span> : null}
    </>
  );
  const help = (
    <>
      {helpId ? (
        <p id={helpId} className="hint">
          {helpText}
        </p>
      ) : null}
      {error ? (
        <p id={errId} className="field-error">
          {error}
        </p>
      ) : null}
    </>
  );
  const cls = `field${error ? " field-invalid" : ""}`;

  switch (item.type) {
    case "single":
    case "boolean": {
      const options = item.type === "boolean" ? [{ code: "true", label: "Yes" }, { code: "false", label: "No" }] : item.options;
      return (
        <div className={cls}>
          <label htmlFor={id}>{title}</label>
          <select id={id} value={String(raw)} onChange={(e) => onChange(e.target.value)} aria-describedby={describedBy} aria-invalid={error ? true : undefined} disabled={disabled}>
            <option value="">Not reported</option>
            {options.map((o) => (
              <option key={o.code} value={o.code}>
                {o.label || o.code}
              </option>
            ))}
          </select>
          {help}
        </div>
      );
    }
    case "yesno":
    case "multiple": {
      const multiple = item.type === "multiple";
      const options = multiple ? item.options : [...item.options, { code: "", label: "Not reported", description: null }];
      return (
        <fieldset className={`${cls} choice-group`} aria-describedby={describedBy}>
          <legend>{title}</legend>
          <div className="row choice-row">
            {options.map((o) => {
              const checked = multiple ? (raw as string[]).includes(o.code) : raw === o.code;
              return (
                <label key={o.code || "none"} className="choice">
                  <input
                    type={multiple ? "checkbox" : "radio"}
                    name={id}
                    value={o.code}
                    checked={checked}
                    disabled={disabled}
                    onChange={(e) => {
                      if (!multiple) onChange(o.code);
                      else onChange(e.target.checked ? [...(raw as string[]), o.code] : (raw as string[]).filter((x) => x !== o.code));
                    }}
                  />{" "}
                  {o.label || o.code}
                </label>
              );
            })}
          </div>
          {help}
        </fieldset>
      );
    }
    case "grid": {
      const cells = raw as Record<string, Record<string, string>>;
      return (
        <fieldset className={`${cls} grid-field`} aria-describedby={describedBy}>
          <legend>{title}</legend>
          <div className="table-wrap">
            <table className="data-table grid-table">
              <thead>
                <tr>
                  <td />
                  {(item.columns ?? []).map((c) => (
                    <th scope="col" key={c.code}>
                      {c.label || c.code}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {(item.rows ?? []).map((r) => (
                  <tr key={r.code}>
                    <th scope="row">{r.label || r.code}</th>
                    {(item.columns ?? []).map((c) => (
                      <td key={c.code}>
                        <input
                          type="text"
                          aria-label={`${item.label}${context ? ` (${context})` : ""}: ${r.label || r.code}, ${c.label || c.code}`}
                          value={cells[r.code]?.[c.code] ?? ""}
                          disabled={disabled}
                          onChange={(e) => onChange({ ...cells, [r.code]: { ...(cells[r.code] ?? {}), [c.code]: e.target.value } })}
                        />
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {help}
        </fieldset>
      );
    }
    case "text":
    case "json":
      return (
        <div className={cls}>
          <label htmlFor={id}>{title}</label>
          <textarea id={id} rows={2} value={String(raw)} onChange={(e) => onChange(e.target.value)} aria-describedby={describedBy} aria-invalid={error ? true : undefined} disabled={disabled} />
          {help}
        </div>
      );
    default:
      return (
        <div className={cls}>
          <label htmlFor={id}>{title}</label>
          <input
            id={id}
            type={item.type === "date" ? "date" : "text"}
            inputMode={item.type === "number" ? "decimal" : item.type === "integer" ? "numeric" : undefined}
            value={String(raw)}
            onChange={(e) => onChange(e.target.value)}
            aria-describedby={describedBy}
            aria-invalid={error ? true : undefined}
            disabled={disabled}
          />
          {help}
        </div>
      );
  }
}
