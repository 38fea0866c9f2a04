import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { parse } from "csv-parse/sync";

export const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);
export const references = JSON.parse(readFileSync(fixture("references.json"), "utf8"));

export function loadCsv(url: URL): { texts: string[]; labels: number[] } {
  const rows: Record<string, string>[] = parse(readFileSync(url), { columns: true, bom: true });
  return { texts: rows.map((r) => `${r.title ?? ""} ${r.abstract ?? ""}`), labels: rows.map((r) => Number(r.label_included)) };
}

/** The shared benchmark's scoring script, when it and a Python with scikit-learn are present. */
export const screeningPy = new URL("../../../../shared/bench/screening.py", import.meta.url).pathname;
export function pythonAvailable(): boolean {
  try {
    execFileSync("/usr/bin/python3", ["-c", "import sklearn, pandas"], { stdio: "ignore" });
    readFileSync(screeningPy);
    return true;
  } catch {
    return false;
  }
}
