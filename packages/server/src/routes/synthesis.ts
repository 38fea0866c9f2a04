import type { FastifyInstance } from "fastify";
import { synthesisRoutes as r } from "@homeward/api";
import { InputError, type Entity } from "@homeward/model";
import type { Store, WriteContext } from "@homeward/store";
import { renderSvg, surveyChart } from "@homeward/figures";
import { isMetaInputError } from "@homeward/meta";
import { isHighRiskOfBias, RISK_OF_BIAS_COLUMN, RISK_OF_BIAS_TOOL_COLUMN } from "@homeward/review";
import {
  analysisEvidence,
  assessmentBasis,
  checkCerqual,
  codingMatrix,
  equalityAnnex,
  evidenceProfile,
  evidenceSummaryTable,
  explainConfidence,
  findingSuggestions,
  frameworkCodes,
  FRAMEWORKS,
  guideTrail,
  INDUCTIVE,
  jointDisplay,
  mergeCodes,
  parseDictionary,
  parseResponses,
  ratingScheme,
  renameCode,
  splitCode,
  gradedId,
  suggestGrade,
  summaryOfFindings,
  summaryOfQualitativeFindings,
  surveyCsv,
  tabulateSurvey,
  u3Statement,
  type AnalysisEvidence,
  type CodeChange,
} from "@homeward/synthesis";
import { writer, type RequestContext } from "../context.js";
import { fitAnalysisRequest } from "./saved-analyses.js";
import { serve } from "../contract.js";
import { attachment } from "../security.js";

/** Sample characteristics the equality annex tallies, where the studies' attributes carry them (the example's transcription names them so). */
const SAMPLE_KEYS = ["genderComposition", "ethnicityComposition", "mainReasonForCare", "lowSocioeconomicStatusIndicators", "majoritySingleParent", "placeOfResidence"];

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? "" : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const toCsv = (rows: unknown[][]) => rows.map((r) => r.map(csvCell).join(",")).join("\r\n") + "\r\n";

/**
 * Qualitative synthesis, integration and the practice guide over the store:
 * each view reads only the collections its table draws (never the records
 * or the audit log), and each write of several entities (a merge, a split,
 * a survey) is one transaction. The rules are the engine's and the model's.
 */
export async function registerSynthesisRoutes(app: FastifyInstance, store: Store): Promise<void> {
  const now = () => new Date().toISOString();

  /**
   * Saved analyses (version ids) as evidence, each refitted to today's data
   * by the saved-analyses rerun's own fit, so what GRADE, the joint display
   * and the guide say changes when the data do. A version whose spec no
   * longer fits is given with the reason and no estimate.
   */
  const linkedAnalyses = async (id: string, ids: readonly string[], ctx: RequestContext): Promise<AnalysisEvidence[]> => {
    const wanted = [...new Set(ids)];
    if (wanted.length === 0) return [];
    const saved = await store.list(id, "savedAnalyses", { id: wanted });
    const high = (row: Record<string, unknown>) => {
      const j = row[RISK_OF_BIAS_COLUMN];
      return typeof j === "string" && j ? isHighRiskOfBias(typeof row[RISK_OF_BIAS_TOOL_COLUMN] === "string" ? (row[RISK_OF_BIAS_TOOL_COLUMN] as string) : null, j) : null;
    };
    const out: AnalysisEvidence[] = [];
    for (const s of saved.sort((a, b) => a.name.localeCompare(b.name) || a.version - b.version)) {
      const ref = { id: s.id, name: s.name, version: s.version, savedAt: s.savedAt };
      try {
        out.push(analysisEvidence(ref, await fitAnalysisRequest(store, id, s.spec, ctx), high));
      } catch (err) {
        if (!(err instanceof InputError) && !isMetaInputError(err)) throw err;
        if (!(err instanceof Error)) throw err;
        const computedFrom = `${s.name}, version ${s.version}: cannot be refitted to today's data (${err.message})`;
        out.push({
          ...ref, computedFrom, weights: [], weighting: "", egger: null, eggerProblem: null, problem: err.message,
          result: { id: s.id, label: `${s.name} (version ${s.version})`, analysis: computedFrom, outcomeDomain: null, measure: null, estimate: null, ciLower: null, ciUpper: null, kStudies: null, kOutcomes: null, p: null, heterogeneity: null, studyIds: [], notes: null },
        });
      }
    }
    return out;
  };
  /** Every saved version, for the pages' pickers (name and version; no results or rows). */
  const savedVersions = async (id: string) =>
    // Names and versions only: a version's result and rows are left unread.
    (await store.listFields(id, "savedAnalyses", ["name", "version", "savedAt"]))
      .map((a) => ({ id: a.id, name: a.name, version: a.version, savedAt: a.savedAt }))
      .sort((a, b) => a.name.localeCompare(b.name) || b.version - a.version);

  /** Writes a code operation's changes in one transaction. */
  const apply = async (tx: Store, id: string, change: CodeChange, ctx: WriteContext) => {
    if (change.create.length) await tx.insert(id, "synthesisCodes", change.create, ctx);
    for (const c of change.update) await tx.update(id, "synthesisCodes", c.id, c, ctx);
    for (const e of change.excerpts) await tx.update(id, "codedExcerpts", e.id, { codeIds: e.codeIds }, ctx);
  };

  serve(app, r.coding, async ({ params: { id } }) => {
    const [codes, excerpts, studies, transcripts] = await Promise.all([
      store.list(id, "synthesisCodes"),
      store.list(id, "codedExcerpts"),
      store.list(id, "studies"),
      store.list(id, "transcripts"),
    ]);
    return { frameworks: FRAMEWORKS.map(({ id, label, reference }) => ({ id, label, reference })), codes, matrix: codingMatrix(codes, excerpts, studies, transcripts) };
  });

  serve(app, r.addFramework, async ({ params: { id, framework }, ctx }) => {
    const w = writer(ctx);
    return store.transaction(async (tx) => {
      const add = frameworkCodes(framework, await tx.list(id, "synthesisCodes"), w.actor, now());
      if (add.length === 0) throw new InputError(`the framework's codes are already in the project`, 409);
      return tx.insert(id, "synthesisCodes", add, w);
    });
  });

  serve(app, r.addCode, async ({ params: { id }, body, ctx }) => {
    const w = writer(ctx);
    return store.transaction(async (tx) => {
      const codes = await tx.list(id, "synthesisCodes");
      if (codes.some((c) => c.status === "active" && c.label.toLowerCase() === body.label.toLowerCase()))
        throw new InputError(`a code called "${body.label}" exists`, 409);
      const [c] = await tx.insert(
        id,
        "synthesisCodes",
        [{ framework: INDUCTIVE, label: body.label, description: body.description, history: [{ action: "created", detail: "added while coding", by: w.actor, at: now() }], order: codes.reduce((m, x) => Math.max(m, x.order), 0) + 1 }],
        w,
      );
      return c!;
    });
  });

  serve(app, r.renameCode, async ({ params: { id, codeId }, body, ctx }) => {
    const w = writer(ctx);
    return store.transaction(async (tx) => {
      const change = renameCode(await tx.list(id, "synthesisCodes"), codeId, body.label, w.actor, now());
      await apply(tx, id, change, w);
      return tx.get(id, "synthesisCodes", codeId);
    });
  });

  serve(app, r.mergeCodes, async ({ params: { id }, body, ctx }) => {
    const w = writer(ctx);
    return store.transaction(async (tx) => {
      const change = mergeCodes(await tx.list(id, "synthesisCodes"), await tx.list(id, "codedExcerpts"), body.fromIds, body.intoId, w.actor, now());
      await apply(tx, id, change, w);
      return tx.get(id, "synthesisCodes", body.intoId);
    });
  });

  serve(app, r.splitCode, async ({ params: { id, codeId }, body, ctx }) => {
    const w = writer(ctx);
    return store.transaction(async (tx) => {
      const codes = await tx.list(id, "synthesisCodes");
      const taken = new Set(codes.map((c) => c.id));
      const parts = body.parts.map((p, i) => {
        let pid = `${codeId}.${i + 1}`;
        for (let k = 2; taken.has(pid); k++) pid = `${codeId}.${i + 1}-${k}`;
        taken.add(pid);
        return { id: pid, label: p.label };
      });
      const change = splitCode(codes, await tx.list(id, "codedExcerpts"), codeId, parts, body.assign, w.actor, now());
      await apply(tx, id, change, w);
      return change.create;
    });
  });

  serve(app, r.findings, async ({ params: { id } }) => {
    const [findings, appraisals, codes, excerpts] = await Promise.all([
      store.list(id, "qualitativeFindings"),
      store.list(id, "appraisals"),
      store.list(id, "synthesisCodes"),
      store.list(id, "codedExcerpts"),
    ]);
    const held = new Set(excerpts.map((e) => e.id));
    return { findings: findings.map((f) => ({ ...f, suggestions: findingSuggestions(f, appraisals, codes, held) })) };
  });

  serve(app, r.assessCerqual, async ({ params: { id, findingId }, body, ctx }) => {
    const a = checkCerqual(body);
    const w = writer(ctx);
    return store.transaction(async (tx) => {
      const f = await tx.get(id, "qualitativeFindings", findingId);
      const appraisals = await tx.list(id, "appraisals", { studyId: f.studyIds } as never);
      return tx.update(
        id,
        "qualitativeFindings",
        findingId,
        {
          components: a.components,
          confidence: a.confidence,
          // Left empty, the explanation is written from the judgements as iSoQ words it.
          explanation: a.explanation.trim() || (a.confidence ? explainConfidence(a.confidence, Object.fromEntries(Object.entries(a.components).map(([k, c]) => [k, c.judgement])) as never) : ""),
          assessedBasis: assessmentBasis(f, appraisals), assessedBy: w.actor, assessedAt: now() },
        w,
      );
    });
  });

  serve(app, r.isoq, async ({ params: { id }, query, reply }) => {
    const [qualitativeFindings, studies, appraisals] = await Promise.all([store.list(id, "qualitativeFindings"), store.list(id, "studies"), store.list(id, "appraisals")]);
    const input = { qualitativeFindings, studies, appraisals };
    const profile = evidenceProfile(input);
    if (query.format === "csv") {
      const rows = [
        ["finding", "statement", "methodological_limitations", "ml_explanation", "coherence", "coherence_explanation", "adequacy", "adequacy_explanation", "relevance", "relevance_explanation", "confidence", "explanation", "studies", "needs_reassessment"],
        ...profile.map((p) => [p.id, p.statement, ...p.components.flatMap((c) => [c.judgement, c.explanation]), p.confidence, p.explanation, p.studies.map((s) => s.citation).join("; "), p.reassess.needed ? "yes" : "no"]),
      ];
      reply.header("content-disposition", attachment("cerqual-evidence-profile.csv")).type("text/csv; charset=utf-8").send(toCsv(rows));
      return reply as never;
    }
    return { summary: summaryOfQualitativeFindings(input), profile };
  });

  serve(app, r.joint, async ({ params: { id }, ctx }) => {
    const [jointDisplayRows, reportedResults, gradeAssessments, qualitativeFindings, surveyQuestions, transcripts] = await Promise.all([
      store.list(id, "jointDisplayRows"),
      store.list(id, "reportedResults"),
      store.list(id, "gradeAssessments"),
      store.list(id, "qualitativeFindings"),
      store.list(id, "surveyQuestions"),
      store.list(id, "transcripts"),
    ]);
    const analyses = await linkedAnalyses(id, jointDisplayRows.flatMap((x) => x.analysisIds ?? []), ctx);
    return jointDisplay({ jointDisplayRows, reportedResults: [...reportedResults, ...analyses.map((a) => a.result)], gradeAssessments, qualitativeFindings, surveyQuestions, transcripts });
  });

  serve(app, r.guide, async ({ params: { id }, ctx }) => {
    const [protocol, recommendations, qualitativeFindings, reportedResults, gradeAssessments, jointDisplayRows, codedExcerpts, synthesisCodes, studies, studyReports] = await Promise.all([
      store.getProtocol(id),
      store.list(id, "recommendations"),
      store.list(id, "qualitativeFindings"),
      store.list(id, "reportedResults"),
      store.list(id, "gradeAssessments"),
      store.list(id, "jointDisplayRows"),
      store.list(id, "codedExcerpts"),
      store.list(id, "synthesisCodes"),
      store.list(id, "studies"),
      store.list(id, "studyReports"),
    ]);
    const analyses = await linkedAnalyses(id, [
      ...recommendations.flatMap((x) => [...(x.analysisIds ?? []), ...(x.effectAnalysisId ? [x.effectAnalysisId] : [])]),
      ...jointDisplayRows.flatMap((x) => x.analysisIds ?? []),
    ], ctx);
    const input = { ratingScheme: protocol.ratingScheme, recommendations, qualitativeFindings, reportedResults: [...reportedResults, ...analyses.map((a) => a.result)], gradeAssessments, jointDisplayRows, codedExcerpts, synthesisCodes, studies, studyReports };
    return {
      analyses: analyses.map((a) => ({ id: a.id, name: a.name, version: a.version, computedFrom: a.computedFrom, problem: a.problem })),
      savedAnalyses: await savedVersions(id),
      scheme: ratingScheme(protocol.ratingScheme),
      defaultScheme: protocol.ratingScheme.length === 0,
      trail: guideTrail(input),
      summary: evidenceSummaryTable(input),
      statements: [...reportedResults.map(u3Statement), ...analyses.map((a) => ({ ...u3Statement(a.result), from: a.computedFrom }))].filter((s) => s.problem === null),
    };
  });

  serve(app, r.grade, async ({ params: { id }, query, ctx }) => {
    const [results, grades, appraisals, effectSizes, outcomes] = await Promise.all([
      store.list(id, "reportedResults"),
      store.list(id, "gradeAssessments"),
      store.list(id, "appraisals"),
      store.list(id, "effectSizes"),
      store.list(id, "outcomes"),
    ]);
    // A study's weight: the inverse-variance weight of its effect sizes (fixed-effect), when the project holds them; else studies count equally.
    const studyOf = new Map(outcomes.map((o) => [o.id, o.studyId]));
    const ivWeight = new Map<string, number>();
    for (const e of effectSizes) {
      const sid = studyOf.get(e.outcomeId);
      if (sid && e.vi !== null && e.vi > 0) ivWeight.set(sid, (ivWeight.get(sid) ?? 0) + 1 / e.vi);
    }
    const egger = query.eggerResult ? results.find((x) => x.id === query.eggerResult) : results.find((x) => /egger|regression/i.test(`${x.id} ${x.label}`));
    const eggerP = egger?.p ?? null;
    // A study counts at high risk where its standing RoB 2 or ROBINS-I overall says so; weights are the studies' shares of outcomes when the result carries no weights of its own.
    const high = new Map<string, boolean>();
    for (const a of appraisals) {
      if (a.tool !== "RoB2" && a.tool !== "ROBINS-I") continue;
      if (!a.overall || a.status === "draft") continue;
      high.set(a.studyId, (high.get(a.studyId) ?? false) || /high|serious|critical/i.test(a.overall));
    }
    const latest = (rid: string): Entity<"gradeAssessments"> | null => grades.filter((g) => gradedId(g) === rid).sort((a, b) => b.at.localeCompare(a.at))[0] ?? null;
    // Saved analyses graded, and the one the team is choosing (?analysis=), refitted: their suggestions read the model itself.
    const analysisIds = [...grades.flatMap((g) => (g.analysisId ? [g.analysisId] : [])), ...(query.analysis ? [query.analysis] : [])];
    const analyses = await linkedAnalyses(id, analysisIds, ctx);
    if (query.analysis && !analyses.some((a) => a.id === query.analysis)) throw new InputError(`no saved analysis with id "${query.analysis}"`, 404);
    return {
      savedAnalyses: await savedVersions(id),
      analyses: analyses.map((a) => {
        const assessment = latest(a.id);
        return {
          result: a.result,
          assessment,
          analysis: { id: a.id, name: a.name, version: a.version, computedFrom: a.computedFrom, problem: a.problem, egger: a.egger, eggerProblem: a.eggerProblem },
          suggestions: suggestGrade(a.result, {
            weights: a.weights,
            weighting: a.weighting,
            eggerP: a.egger?.p ?? null,
            eggerBasis: a.egger ? `computed on the analysis's ${a.result.kOutcomes} rows` : a.eggerProblem ?? undefined,
            threshold: assessment?.threshold ?? null,
          }),
        };
      }),
      results: results
        .filter((x) => x.estimate !== null)
        .map((result) => {
          const assessment = latest(result.id);
          const w = (result.heterogeneity as { weights?: Record<string, number> } | null)?.weights;
          const iv = result.studyIds.every((sid) => ivWeight.has(sid));
          const weights = result.studyIds.map((sid) => ({ studyId: sid, weight: w?.[sid] ?? (iv ? ivWeight.get(sid)! : 1), highRisk: high.has(sid) ? high.get(sid)! : null }));
          const weighting = w ? "the result's own study weights" : iv ? "inverse-variance weights of the studies' effect sizes" : "each study counted equally (no effect sizes held for all its studies)";
          return { result, assessment, suggestions: suggestGrade(result, { weights, weighting, eggerP, threshold: assessment?.threshold ?? null }) };
        }),
      summary: summaryOfFindings([...results, ...analyses.map((a) => a.result)], grades),
    };
  });

  const surveyTable = async (id: string) => {
    const [questions, responses] = await Promise.all([store.list(id, "surveyQuestions"), store.list(id, "surveyResponses")]);
    return { questions, respondents: responses.length, table: tabulateSurvey(questions, responses) };
  };
  /** The tables with a figure per closed question (@homeward/figures' survey chart, drawn here as the analysis figures are). */
  const surveyAnswer = async (id: string) => {
    const t = await surveyTable(id);
    const figures = [];
    for (const q of t.table.questions) {
      if (q.options.length === 0) continue;
      const figure = surveyChart({ question: q.text, multiple: q.type === "multiple", columns: t.table.columns, answers: q.options.map((o) => ({ label: o.label, counts: o.counts })) });
      figures.push({ question: q.code, title: figure.title, alt: figure.alt, description: figure.description, svg: await renderSvg(figure) });
    }
    return { ...t, figures };
  };

  serve(app, r.survey, async ({ params: { id }, query, reply }) => {
    if (query.format === "csv") {
      const { table } = await surveyTable(id);
      reply.header("content-disposition", attachment("survey-tables.csv")).type("text/csv; charset=utf-8").send(surveyCsv(table));
      return reply as never;
    }
    return surveyAnswer(id);
  });

  serve(app, r.importSurvey, async ({ params: { id }, body, ctx }) => {
    const dictionary = parseDictionary(body.dictionary);
    const responses = parseResponses(body.responses, dictionary, body.groupColumn);
    const w = writer(ctx);
    await store.transaction(async (tx) => {
      if ((await tx.list(id, "surveyQuestions")).length > 0) throw new InputError("a survey is already imported in this project", 409);
      await tx.insert(id, "surveyQuestions", dictionary.map((q) => ({ ...q, id: `q-${q.code}` })), w);
      await tx.insert(id, "surveyResponses", responses.map((x) => ({ ...x, importedBy: w.actor })), w);
    });
    return surveyAnswer(id);
  });

  serve(app, r.equality, async ({ params: { id }, query }) => {
    const [protocol, studies, reportedResults] = await Promise.all([store.getProtocol(id), store.list(id, "studies"), store.list(id, "reportedResults")]);
    const moderatorIds = query.moderators?.split(",").map((x) => x.trim()).filter(Boolean);
    const unknown = (moderatorIds ?? []).filter((m) => !reportedResults.some((x) => x.id === m));
    if (unknown.length) throw new InputError(`no result with id ${unknown.map((u) => `"${u}"`).join(", ")}`);
    return equalityAnnex({ studies, classifications: protocol.classifications, reportedResults, sampleKeys: SAMPLE_KEYS, moderatorIds });
  });
}
