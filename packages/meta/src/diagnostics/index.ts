export { kendallTest, mahonianCdf, type KendallResult } from "./kendall.js";
export { beggTest, type BeggResult } from "./begg.js";
export { eggerTest, type EggerTest } from "./egger.js";
export { trimAndFill, roundHalfEven, type TrimFill } from "./trimfill.js";
export { failSafeN, type FailSafeN } from "./failsafe.js";
export { cohensU3, readEffect, type EffectReading } from "./reading.js";
export { generalisedQ, tau2ConfidenceInterval, type Tau2Interval } from "./qprofile.js";
export {
  influenceDiagnostics, influenceFlags, hatValues, quantile7,
  type InfluenceDiagnostics, type InfluenceFlags,
} from "./influence.js";
export { leaveOneOut, multilevelI2, type LeaveOneOut, type LeaveOneOutOptions } from "./leave1out.js";
export { subgroupAnalysis, type SubgroupAnalysis } from "./subgroups.js";
export { runDiagnostics, DIAGNOSTICS, type DiagnosticName, type DiagnosticsRequest, type DiagnosticsResult } from "./run.js";
export { modelWeights } from "./weights.js";
