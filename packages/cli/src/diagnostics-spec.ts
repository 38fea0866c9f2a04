import { InputError } from "@homeward/model";
import { DIAGNOSTICS, runDiagnostics, type DiagnosticsResult, type RmaFit } from "@homeward/meta";
import { labelColumn, type Row } from "./meta-spec.js";

/**
 * Reads the spec keys `"diagnostics": [names…]` and `"subgroup": "column"`
 * and runs the requested diagnostics on the fitted model. Returns an empty
 * object when the spec asks for none.
 */
export function diagnosticsFromSpec(fit: RmaFit, spec: Record<string, unknown>, rows: Row[]): DiagnosticsResult {
  const names = spec.diagnostics;
  if (names === undefined) {
    if (spec.subgroup !== undefined) throw new InputError(`spec "subgroup" is only used with "diagnostics": ["subgroups"]`);
    return {};
  }
  if (!Array.isArray(names) || names.some((n) => typeof n !== "string")) {
    throw new InputError(`spec "diagnostics" must be an array of names: ${DIAGNOSTICS.join(", ")}`);
  }
  let subgroup: string[] | undefined;
  if (spec.subgroup !== undefined) {
    if (typeof spec.subgroup !== "string" || spec.subgroup === "") throw new InputError(`spec "subgroup" must name a data column`);
    subgroup = labelColumn(rows, spec.subgroup);
  }
  const random = Array.isArray(spec.random) ? (spec.random as string[]) : [];
  const studyLabels = random.length > 0 ? labelColumn(rows, random[0]) : undefined;
  return runDiagnostics(fit, { diagnostics: names as string[], subgroup, studyLabels });
}
