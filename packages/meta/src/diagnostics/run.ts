/**
 * One entry point for front ends: runs the requested diagnostics on a
 * fitted model and returns plain, JSON-ready objects (keys as in the CLI
 * contract of `homeward meta`).
 */
import { MetaInputError } from "../errors.js";
import type { RmaFit, RmaUniFit } from "../types.js";
import { beggTest, type BeggResult } from "./begg.js";
import { eggerTest, type EggerTest } from "./egger.js";
import { failSafeN, type FailSafeN } from "./failsafe.js";
import { influenceDiagnostics, influenceFlags, type InfluenceDiagnostics, type InfluenceFlags } from "./influence.js";
import { leaveOneOut, type LeaveOneOut } from "./leave1out.js";
import { tau2ConfidenceInterval, type Tau2Interval } from "./qprofile.js";
import { subgroupAnalysis, type SubgroupAnalysis } from "./subgroups.js";
import { trimAndFill, type TrimFill } from "./trimfill.js";

export const DIAGNOSTICS = ["leave1out", "influence", "egger", "begg", "trimfill", "tau2CI", "subgroups", "failsafe"] as const;
export type DiagnosticName = (typeof DIAGNOSTICS)[number];

export interface DiagnosticsRequest {
  diagnostics: readonly string[];
  /** Per-row subgroup labels (required for "subgroups"). */
  subgroup?: ArrayLike<string>;
  /** Per-row study labels, used to name studies in multilevel leave-one-out. */
  studyLabels?: ArrayLike<string>;
}

export interface DiagnosticsResult {
  leave1out?: LeaveOneOut;
  influence?: InfluenceDiagnostics & { flags: InfluenceFlags };
  egger?: EggerTest;
  begg?: BeggResult;
  trimfill?: TrimFill;
  tau2CI?: Tau2Interval;
  subgroups?: SubgroupAnalysis;
  failsafe?: FailSafeN;
}

export function runDiagnostics(fit: RmaFit, request: DiagnosticsRequest): DiagnosticsResult {
  const names = [...new Set(request.diagnostics)];
  for (const n of names) {
    if (!(DIAGNOSTICS as readonly string[]).includes(n)) {
      throw new MetaInputError(`unknown diagnostic "${n}"; use any of ${DIAGNOSTICS.join(", ")}`);
    }
  }
  const uni = (what: string): RmaUniFit => {
    if (fit.model !== "uni") throw new MetaInputError(`${what} is available for univariate models only, not for multilevel models`);
    return fit;
  };
  const out: DiagnosticsResult = {};
  for (const n of names as DiagnosticName[]) {
    switch (n) {
      case "leave1out":
        out.leave1out = leaveOneOut(fit, { studyLabels: request.studyLabels });
        break;
      case "influence": {
        const inf = influenceDiagnostics(uni("influence diagnostics"));
        out.influence = { ...inf, flags: influenceFlags(inf) };
        break;
      }
      case "egger":
        out.egger = eggerTest(uni("Egger's regression test"));
        break;
      case "begg":
        out.begg = beggTest(fit.yi, fit.vi);
        break;
      case "trimfill":
        out.trimfill = trimAndFill(uni("trim-and-fill"));
        break;
      case "tau2CI":
        out.tau2CI = tau2ConfidenceInterval(uni("the Q-profile interval for τ²"));
        break;
      case "subgroups":
        if (!request.subgroup) throw new MetaInputError('the "subgroups" diagnostic needs a "subgroup" column');
        out.subgroups = subgroupAnalysis(fit, request.subgroup);
        break;
      case "failsafe":
        out.failsafe = failSafeN(fit.yi, fit.vi);
        break;
    }
  }
  return out;
}
