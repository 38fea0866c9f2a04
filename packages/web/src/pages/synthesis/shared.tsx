import type { ReactNode } from "react";
import { collectionRoutesFor } from "@homeward/api";
import { roleAllows, type CollectionName, type Entity } from "@homeward/model";
import { call } from "../../api";
import { useApi } from "../../hooks";
import { useProject } from "../../project";
import { Link } from "../../router";

/** A collection of the project, first 1,000 in its order (the synthesis collections are a review's findings, rows and recommendations: far fewer). */
export function useCollection<C extends CollectionName>(id: string, name: C, deps: readonly unknown[] = []) {
  return useApi(async (s) => (await call(collectionRoutesFor(name).list, { params: { id, name }, query: { offset: 0, limit: 1000 } }, s)).items as Entity<C>[], [id, name, ...deps]);
}

export const create = <C extends CollectionName>(id: string, name: C, body: Record<string, unknown>) =>
  call(collectionRoutesFor(name).create, { params: { id, name }, body } as never) as Promise<Entity<C>>;
export const patch = <C extends CollectionName>(id: string, name: C, entityId: string, body: Record<string, unknown>) =>
  call(collectionRoutesFor(name).update, { params: { id, name, entityId }, body } as never) as Promise<Entity<C>>;

/** Whether the signed-in user may write as a reviewer (or adjudicator) here. */
export function useCan(role: "reviewer" | "adjudicator"): boolean {
  const { role: mine } = useProject();
  return mine != null && roleAllows(mine, role);
}

export const studyLabel = (s: Pick<Entity<"studies">, "name" | "shortCitation">) => s.shortCitation ?? s.name;

/** Values chosen in a <select multiple>. */
export const chosen = (el: HTMLSelectElement): string[] => [...el.selectedOptions].map((o) => o.value);

/**
 * A <select multiple> of entities by id, each option showing its label: the
 * synthesis forms link a row, finding or recommendation to several others this way.
 */
export function MultiSelect<T extends { id: string }>({
  id,
  size,
  value,
  onChange,
  options,
  label,
  describedBy,
}: {
  id: string;
  size: number;
  value: string[];
  onChange: (ids: string[]) => void;
  options: readonly T[];
  label: (option: T) => string;
  describedBy?: string;
}) {
  return (
    <select id={id} multiple size={size} value={value} onChange={(e) => onChange(chosen(e.target))} aria-describedby={describedBy}>
      {options.map((x) => (
        <option key={x.id} value={x.id}>
          {label(x)}
        </option>
      ))}
    </select>
  );
}

/** A judgement chosen from a scale of [value, label] levels, with an empty first choice for "not judged". */
export function LevelSelect({
  id,
  value,
  onChange,
  none,
  levels,
  describedBy,
  disabled,
}: {
  id: string;
  value: string;
  onChange: (value: string) => void;
  none: string;
  levels: readonly (readonly [string, string])[];
  describedBy?: string;
  disabled?: boolean;
}) {
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value)} aria-describedby={describedBy} disabled={disabled}>
      <option value="">{none}</option>
      {levels.map(([v, l]) => (
        <option key={v} value={v}>
          {l}
        </option>
      ))}
    </select>
  );
}

/** The synthesis pages' sub-navigation: the chain from quote to recommendation, in order. */
export function ChainNav({ here }: { here: string }) {
  const { id } = useProject();
  const steps: [string, string][] = [
    ["coding", "1. Framework coding"],
    ["findings", "2. Findings and CERQual"],
    ["grade", "3. GRADE"],
    ["joint-display", "4. Joint display"],
    ["guide", "5. Recommendations"],
    ["survey", "Primary research"],
    ["equality", "Equality annex"],
  ];
  return (
    <nav aria-label="Synthesis steps" className="synthesis-steps">
      <ul>
        {steps.map(([path, label]) => (
          <li key={path}>
            <Link to={`/projects/${encodeURIComponent(id)}/${path}`} current={path === here}>
              {label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function Suggested({ children }: { children: ReactNode }) {
  return <p className="hint synthesis-suggestion">Suggestion (the team decides): {children}</p>;
}
