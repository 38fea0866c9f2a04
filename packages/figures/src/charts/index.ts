export { forestPlot, type ForestInput, type ForestRow, type ForestSummary } from "./forest.js";
export { funnelPlot, type FunnelInput } from "./funnel.js";
export { bubblePlot, type BubbleInput } from "./bubble.js";
export { influencePlot, type InfluenceInput } from "./influence.js";
export { leaveOneOutPlot, type LeaveOneOutInput, type LeaveOneOutOptions } from "./leave1out.js";
export { distributionPlot, type DistributionInput } from "./distribution.js";
export type { ChartOptions } from "./common.js";
export { recallCurvePlot, type RecallInput, type RecallCurve } from "./recall.js";
export { surveyChart, type SurveyChartInput } from "./survey.js";
