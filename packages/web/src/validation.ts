import { ProjectCreate } from "@homeward/model";
import { formatCount } from "./format";

/**
 * Checks the project form against the same schema the server applies, so the
 * user sees a message next to the field before a round trip. The server's
 * answer is still shown if it disagrees.
 */
export interface ProjectInputErrors {
  title?: string;
  description?: string;
}

const LABELS: Record<string, string> = { title: "Title", description: "Description" };

export function validateProjectInput(input: { title: string; description: string }): ProjectInputErrors {
  const result = ProjectCreate.safeParse({ title: input.title, description: input.description.trim() });
  const errors: ProjectInputErrors = {};
  if (result.success) return errors;
  for (const issue of result.error.issues) {
    const field = issue.path[0];
    if (field !== "title" && field !== "description") continue;
    if (errors[field]) continue;
    errors[field] = message(field, issue);
  }
  return errors;
}

function message(field: "title" | "description", issue: { code: string; message: string; maximum?: unknown; minimum?: unknown }): string {
  const label = LABELS[field];
  if (issue.code === "too_big") return `${label} must be at most ${formatCount(Number(issue.maximum))} characters.`;
  if (issue.code === "too_small" && field === "title") return "Enter a title for the project.";
  const m = issue.message.replace(/^\w/, (c) => c.toUpperCase());
  return m.endsWith(".") ? m : `${m}.`;
}
