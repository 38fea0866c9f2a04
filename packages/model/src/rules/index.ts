export { fileRuleContext, type Actor, type CollectionRules, type Permit, type RuleContext, type Where, type WriteOp } from "./context.js";
export { prismaField, REASON_FIELDS, recordedCountIssue, validateRecordedCounts } from "./recorded-counts.js";
export { extractedValueIssue, itemAtVersion, validateCodebookItems, validateExtractedValues } from "./extracted-values.js";
export { signedBy } from "./signatures.js";
export { rankExclusionReasons, recordedExclusionReason, stageExclusionReasons } from "./exclusion-reasons.js";
export { checkProtocolChange, protocolVersions, sectionVersion, type ProtocolUsage, type ProtocolVersions } from "./protocol.js";
export { validateSearches } from "./searches.js";
export { pairKey, permitDuplicatePair, validateDuplicatePairs } from "./duplicates.js";
export { validateMemberRemoval, validateMembers } from "./members.js";
