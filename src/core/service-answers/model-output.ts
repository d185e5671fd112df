/**
 * The findings shape a model answers in: the Bedrock analyzer's tool input and
 * the SageMaker endpoint's JSON response both read
 * `{ findings: [{ label, confidence, code?, codeSystem?, region? }], modelVersion? }`.
 * A model's answer is untrusted: it is checked with the same rules as any
 * analyzer result, and anything that does not fit is a malformed answer, never
 * a crash.
 */
import { ANALYZER_CONTRACT_VERSION, AnalyzerFinding, AnalyzerStatus } from '../../shared/analyzer-result';
import { validateAnalyzerResult } from '../analysis/result-validation';

/** Most findings a model may report for one image. */
export const MAX_MODEL_FINDINGS = 50;

/** What a model version may look like on a result (the result contract's identifier rule). */
export const MODEL_VERSION = /^[A-Za-z0-9][A-Za-z0-9 ._:/+()-]{0,127}$/;

export type ModelOutputReading =
  | { readonly ok: true; readonly findings: AnalyzerFinding[]; readonly modelVersion?: string }
  | { readonly ok: false; readonly problem: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The findings of one image's answer, or why the answer is malformed (the
 * problem names fields, never values: a model may echo anything).
 */
export function readModelOutput(raw: unknown, imageRef: string): ModelOutputReading {
  if (!isObject(raw)) return { ok: false, problem: 'the answer is not a JSON object' };
  if (!Array.isArray(raw.findings)) return { ok: false, problem: 'findings must be an array' };
  if (raw.findings.length > MAX_MODEL_FINDINGS) return { ok: false, problem: `more than ${MAX_MODEL_FINDINGS} findings` };
  if (raw.modelVersion !== undefined && (typeof raw.modelVersion !== 'string' || !MODEL_VERSION.test(raw.modelVersion))) {
    return { ok: false, problem: 'modelVersion must be 1-128 letters, digits or . _ : / + ( ) -' };
  }
  for (const [index, item] of raw.findings.entries()) {
    if (!isObject(item)) return { ok: false, problem: `findings[${index}] is not an object` };
  }
  // The result contract's own checks (label, confidence, code with system, region inside the
  // image); keys the shape does not name are dropped, and every finding is about this image.
  const checked = validateAnalyzerResult({
    schemaVersion: ANALYZER_CONTRACT_VERSION,
    analyzerName: 'model-output',
    modelId: 'model-output',
    modelVersion: 'model-output',
    status: AnalyzerStatus.SUCCEEDED,
    findings: (raw.findings as Array<Record<string, unknown>>).map((item) => ({ ...item, imageRef })),
    durationMs: 0,
  }, { analyzerName: 'model-output', imageRefs: new Set([imageRef]) });
  if (!checked.valid) return { ok: false, problem: checked.problem };
  return {
    ok: true,
    findings: checked.result.findings,
    ...(raw.modelVersion === undefined ? {} : { modelVersion: raw.modelVersion as string }),
  };
}
