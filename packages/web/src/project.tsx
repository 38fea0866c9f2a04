import { createContext, useContext } from "react";
import type { Role } from "@homeward/model";
import type { ProjectDetail } from "./api";

export interface ProjectContextValue {
  id: string;
  project: ProjectDetail | undefined;
  /** Refetches the project (title, counts, dashboard) after a change. */
  reload: () => void;
  /**
   * The signed-in user's role here: undefined while unknown, null when not a
   * member. Pages hide what the role cannot do; the server still decides.
   */
  role: Role | null | undefined;
}

export const ProjectContext = createContext<ProjectContextValue | null>(null);

/** The project the current page belongs to, loaded once by the project layout. */
export function useProject(): ProjectContextValue {
  const ctx = useContext(ProjectContext);
  if (!ctx) throw new Error("useProject is only available on project pages");
  return ctx;
}
