import { useEffect, useRef, useState, type DragEvent, type KeyboardEvent, type ReactNode } from "react";

/** One item of an edited list with a key of its own, so React keeps its fields (and focus) as it moves. */
export interface Keyed<T> {
  key: string;
  value: T;
}

let nextKey = 0;
export const keyed = <T,>(items: readonly T[]): Keyed<T>[] => items.map((value) => ({ key: `k${++nextKey}`, value }));
export const unkeyed = <T,>(items: readonly Keyed<T>[]): T[] => items.map((i) => i.value);

export interface FieldSpec<T> {
  key: keyof T & string;
  label: string;
  kind?: "text" | "textarea" | "number" | "select" | "checkbox";
  options?: { value: string; label: string }[];
  hint?: string;
  /** Wide fields take a whole line of the item. */
  wide?: boolean;
}

/**
 * An ordered list of coded items edited in place: each item is a group of
 * fields with Move up, Move down and Remove; Alt+↑ and Alt+↓ move the item
 * holding the focus (announced on the buttons with aria-keyshortcuts), and a
 * mouse user may drag an item by its handle. `onMoved` lets a ranked list
 * renumber after a move.
 */
export function ListEditor<T>({
  id,
  items,
  onChange,
  fields,
  noun,
  nameOf,
  newItem,
  renderExtra,
  onMoved,
  addLabel,
}: {
  id: string;
  items: Keyed<T>[];
  onChange: (items: Keyed<T>[]) => void;
  fields: FieldSpec<T>[];
  noun: string;
  nameOf: (item: T, index: number) => string;
  newItem: (items: T[]) => T;
  renderExtra?: (item: T, set: (v: T) => void, key: string) => ReactNode;
  onMoved?: (items: Keyed<T>[]) => Keyed<T>[];
  addLabel?: string;
}) {
  const [said, setSaid] = useState("");
  const [focus, setFocus] = useState<string | null>(null);
  const dragFrom = useRef<number | null>(null);
  const [dropAt, setDropAt] = useState<number | null>(null);

  useEffect(() => {
    if (!focus) return;
    document.getElementById(focus)?.focus();
    setFocus(null);
  }, [focus]);

  const move = (from: number, to: number, focusId?: string) => {
    if (to < 0 || to >= items.length || from === to) return;
    const next = [...items];
    const [it] = next.splice(from, 1);
    next.splice(to, 0, it!);
    const renumbered = onMoved ? onMoved(next) : next;
    onChange(renumbered);
    setSaid(`${capital(noun)} ${nameOf(it!.value, to)} moved to position ${to + 1} of ${items.length}.`);
    // At either end the button just used is disabled: focus goes to the other one.
    const end = to === 0 ? "-up" : to === items.length - 1 ? "-down" : null;
    if (focusId) setFocus(end && focusId.endsWith(end) ? focusId.replace(/-(up|down)$/, end === "-up" ? "-down" : "-up") : focusId);
  };

  const set = (i: number, v: T) => onChange(items.map((it, j) => (j === i ? { ...it, value: v } : it)));

  const onKey = (e: KeyboardEvent, i: number, key: string) => {
    if (!e.altKey || (e.key !== "ArrowUp" && e.key !== "ArrowDown")) return;
    e.preventDefault();
    // A list inside an item (a classification's values) moves its own item, not the outer one.
    e.stopPropagation();
    const active = document.activeElement?.id;
    move(i, e.key === "ArrowUp" ? i - 1 : i + 1, active || `${id}-${key}-${e.key === "ArrowUp" ? "up" : "down"}`);
  };

  const onDrop = (e: DragEvent, i: number) => {
    e.preventDefault();
    const from = dragFrom.current;
    dragFrom.current = null;
    setDropAt(null);
    if (from !== null) move(from, i);
  };

  return (
    <div className="stack list-editor">
      {items.length === 0 ? <p className="muted">None yet.</p> : null}
      <ol className="list-editor-items">
        {items.map((it, i) => {
          const name = nameOf(it.value, i);
          const base = `${id}-${it.key}`;
          return (
            <li
              key={it.key}
              className={`list-editor-item${dropAt === i ? " drop-target" : ""}`}
              onKeyDown={(e) => onKey(e, i, it.key)}
              onDragOver={(e) => {
                if (dragFrom.current === null) return;
                e.preventDefault();
                setDropAt(i);
              }}
              onDragLeave={() => setDropAt((d) => (d === i ? null : d))}
              onDrop={(e) => onDrop(e, i)}
              data-item={name}
            >
              <fieldset>
                <legend>
                  <span
                    className="drag-handle"
                    draggable
                    aria-hidden="true"
                    title="Drag to reorder"
                    onDragStart={(e) => {
                      dragFrom.current = i;
                      e.dataTransfer.effectAllowed = "move";
                      e.dataTransfer.setData("text/plain", name);
                    }}
                    onDragEnd={() => {
                      dragFrom.current = null;
                      setDropAt(null);
                    }}
                  >
                    ⠿
                  </span>{" "}
                  {capital(noun)} {i + 1}: {name}
                </legend>
                <div className="list-editor-fields">
                  {fields.map((f) => (
                    <Field key={f.key} spec={f} id={`${base}-${f.key}`} value={(it.value as Record<string, unknown>)[f.key]} onChange={(v) => set(i, { ...it.value, [f.key]: v })} />
                  ))}
                </div>
                {renderExtra ? renderExtra(it.value, (v) => set(i, v), it.key) : null}
                <div className="row">
                  <button
                    type="button"
                    className="button-secondary"
                    id={`${base}-up`}
                    disabled={i === 0}
                    aria-keyshortcuts="Alt+ArrowUp"
                    aria-label={`Move ${noun} ${name} up`}
                    onClick={() => move(i, i - 1, `${base}-up`)}
                  >
                    Move up
                  </button>
                  <button
                    type="button"
                    className="button-secondary"
                    id={`${base}-down`}
                    disabled={i === items.length - 1}
                    aria-keyshortcuts="Alt+ArrowDown"
                    aria-label={`Move ${noun} ${name} down`}
                    onClick={() => move(i, i + 1, `${base}-down`)}
                  >
                    Move down
                  </button>
                  <button
                    type="button"
                    className="button-secondary"
                    aria-label={`Remove ${noun} ${name}`}
                    onClick={() => {
                      onChange(onMoved ? onMoved(items.filter((_, j) => j !== i)) : items.filter((_, j) => j !== i));
                      setSaid(`${capital(noun)} ${name} removed.`);
                      setFocus(`${id}-add`);
                    }}
                  >
                    Remove
                  </button>
                </div>
              </fieldset>
            </li>
          );
        })}
      </ol>
      <div className="row">
        <button
          type="button"
          className="button-secondary"
          id={`${id}-add`}
          onClick={() => {
            const value = newItem(unkeyed(items));
            const [k] = keyed([value]);
            // A ranked list numbers by order: the new item takes its place at the end.
            onChange(onMoved ? onMoved([...items, k!]) : [...items, k!]);
            setSaid(`New ${noun} added at position ${items.length + 1}.`);
            setFocus(`${id}-${k!.key}-${fields[0]!.key}`);
          }}
        >
          {addLabel ?? `Add ${noun}`}
        </button>
      </div>
      <p className="visually-hidden" role="status" aria-live="polite">
        {said}
      </p>
    </div>
  );
}

function Field<T>({ spec, id, value, onChange }: { spec: FieldSpec<T>; id: string; value: unknown; onChange: (v: unknown) => void }) {
  const hint = spec.hint ? `${id}-hint` : undefined;
  const kind = spec.kind ?? "text";
  if (kind === "checkbox")
    return (
      <div className={`field field-check${spec.wide ? " wide" : ""}`}>
        <label htmlFor={id}>
          <input id={id} type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} aria-describedby={hint} /> {spec.label}
        </label>
        {hint ? <span id={hint} className="hint">{spec.hint}</span> : null}
      </div>
    );
  return (
    <div className={`field${spec.wide || kind === "textarea" ? " wide" : ""}`}>
      <label htmlFor={id}>{spec.label}</label>
      {kind === "textarea" ? (
        <textarea id={id} rows={2} value={(value as string | null) ?? ""} onChange={(e) => onChange(e.target.value === "" ? null : e.target.value)} aria-describedby={hint} />
      ) : kind === "select" ? (
        <select id={id} value={(value as string | null) ?? ""} onChange={(e) => onChange(e.target.value === "" ? null : e.target.value)} aria-describedby={hint}>
          {spec.options!.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      ) : kind === "number" ? (
        <input
          id={id}
          type="number"
          inputMode="numeric"
          step={1}
          value={value === null || value === undefined || Number.isNaN(value) ? "" : String(value)}
          onChange={(e) => onChange(e.target.value === "" ? NaN : Number(e.target.value))}
          aria-describedby={hint}
        />
      ) : (
        <input id={id} type="text" value={(value as string | null) ?? ""} onChange={(e) => onChange(e.target.value)} aria-describedby={hint} />
      )}
      {hint ? <span id={hint} className="hint">{spec.hint}</span> : null}
    </div>
  );
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
