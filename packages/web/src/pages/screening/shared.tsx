import { useEffect, useState } from "react";
import type { Protocol } from "@homeward/model";
import { api } from "../../api";
import { useApi } from "../../hooks";
import { useProject } from "../../project";
import { buildPath, Link, useLocation, useSearchParam } from "../../router";
import { stageReasons } from "./rules";
import { STAGES, stageFromParam, type Stage } from "./screeningApi";
import "./screening.css";

export { reasonLabel, recordedReason, stageReasons } from "./rules";

export const SCREENING_VIEWS: { path: string; label: string }[] = [
  { path: "/projects/:id/screening", label: "Title and abstract" },
  { path: "/projects/:id/screening/full-text", label: "Full text" },
  { path: "/projects/:id/screening/conflicts", label: "Conflicts" },
  { path: "/projects/:id/screening/agreement", label: "Agreement and QA" },
  { path: "/projects/:id/screening/settings", label: "Set-up" },
  { path: "/projects/:id/screening/models", label: "Models" },
];

/** Links between the screening views. */
export function ScreeningNav() {
  const { id } = useProject();
  const { pathname } = useLocation();
  return (
    <nav aria-label="Screening" className="screening-nav">
      <ul>
        {SCREENING_VIEWS.map((v) => {
          const to = buildPath(v.path, { id });
          return (
            <li key={v.path}>
              <Link to={to} current={to === pathname}>
                {v.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

/** The stage a view shows, kept in the URL (?stage=full_text). */
export function useStageParam(): [Stage, (s: Stage) => void] {
  const [v, set] = useSearchParam("stage");
  return [stageFromParam(v), (s) => set(s === "title_abstract" ? null : s)];
}

export function StageSelect({ stage, onChange }: { stage: Stage; onChange: (s: Stage) => void }) {
  return (
    <div className="field stage-select">
      <label htmlFor="screening-stage">Stage</label>
      <select id="screening-stage" value={stage} onChange={(e) => onChange(e.target.value as Stage)}>
        {STAGES.map((s) => (
          <option key={s.stage} value={s.stage}>
            {s.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The protocol, and its exclusion reasons usable at `stage` in rank order (highest first). */
export function useStageProtocol(stage: Stage) {
  const { id } = useProject();
  const protocol = useApi((s) => api.getProtocol(id, s) as Promise<Protocol>, [id]);
  const reasons = stageReasons(protocol.data, stage);
  return { protocol, reasons };
}

/** A boolean kept in localStorage (e.g. the prioritisation switch). */
export function useStoredFlag(key: string, initial: boolean): [boolean, (v: boolean) => void] {
  const read = () => {
    try {
      const v = localStorage.getItem(key);
      return v === null ? initial : v === "true";
    } catch {
      return initial;
    }
  };
  const [value, setValue] = useState(read);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => setValue(read()), [key]);
  return [
    value,
    (v) => {
      setValue(v);
      try {
        localStorage.setItem(key, String(v));
      } catch {
        // Storage disabled: the choice lasts for this page only.
      }
    },
  ];
}

export const formatPercent = (x: number | null | undefined, digits = 1) => (x == null || !Number.isFinite(x) ? "–" : `${(x * 100).toFixed(digits)}%`);
export const formatStat = (x: number | null | undefined, digits = 3) => (x == null || !Number.isFinite(x) ? "not defined" : x.toFixed(digits).replace(/^-(0\.0+)$/, "$1"));
