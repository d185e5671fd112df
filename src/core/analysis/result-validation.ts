/**
 * Analyzer output crosses a trust boundary (a user's Lambda, a model's answer):
 * it is checked against the `AnalyzerResult` contract before anything is
 * aggregated, stored or reported, and rebuilt from the known fields only.
 */
import {
  AnalyzerFinding,
  AnalyzerResult,
  AnalyzerStatus,
  FindingRegion,
  TokenUsage,
} from '../../shared/analyzer-result';

/** More findings than this for one image is not an answer a clinician can use. */
export const MAX_FINDINGS_PER_IMAGE = 200;
const MAX_LABEL_LENGTH = 256;
const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9 ._:/+()-]{0,127}$/;
const CODE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;
/** Code systems are absolute http(s) URLs or URNs (SNOMED CT, RadLex, LOINC, urn:oid:...): never javascript: or data:. */
const CODE_SYSTEM = /^(https?:\/\/[A-Za-z0-9.-]+(:[0-9]+)?(\/[A-Za-z0-9._~%!$&'()*+,;=:@/-]*)?|urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:[A-Za-z0-9()+,.:=@;$_!*'%/?#-]+)$/;

/** Whether a code system is an absolute http(s) URL or a URN (what FHIR Coding.system and the reports accept). */
export function isSafeCodeSystem(system: string): boolean {
  return CODE_SYSTEM.test(system);
}

export type ResultValidation =
  | { readonly valid: true; readonly result: AnalyzerResult }
  | { readonly valid: false; readonly problem: string };

export interface ResultExpectation {
  readonly analyzerName: string;
  /** The images the invocation was about; every finding must name one of them. */
  readonly imageRefs: ReadonlySet<string>;
}

class Invalid extends Error {}

function fail(problem: string): never {
  throw new Invalid(problem);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFraction = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1;

function text(value: unknown, field: string, pattern: RegExp): string {
  if (typeof value !== 'string' || !pattern.test(value)) fail(`${field} is missing or malformed`);
  return value;
}

function optionalText(value: unknown, field: string, pattern: RegExp): string | undefined {
  return value === undefined || value === null ? undefined : text(value, field, pattern);
}

function region(value: unknown, index: number): FindingRegion | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) fail(`findings[${index}].region is not an object`);
  const { left, top, width, height } = value;
  if (![left, top, width, height].every(isFraction)) fail(`findings[${index}].region needs left, top, width and height between 0 and 1`);
  const r = { left, top, width, height } as FindingRegion;
  const slack = 1e-6;
  if (r.left + r.width > 1 + slack || r.top + r.height > 1 + slack) fail(`findings[${index}].region reaches outside the image`);
  return r;
}

function finding(value: unknown, index: number, expected: ResultExpectation): AnalyzerFinding {
  if (!isObject(value)) fail(`findings[${index}] is not an object`);
  const label = value.label;
  if (typeof label !== 'string' || label.trim() === '' || label.length > MAX_LABEL_LENGTH || /[\u0000-\u001f\u007f]/.test(label)) {
    fail(`findings[${index}].label must be 1-${MAX_LABEL_LENGTH} printable characters`);
  }
  if (!isFraction(value.confidence)) fail(`findings[${index}].confidence must be a number between 0 and 1`);
  if (typeof value.imageRef !== 'string' || !expected.imageRefs.has(value.imageRef)) {
    fail(`findings[${index}].imageRef does not name an image of this invocation`);
  }
  const code = optionalText(value.code, `findings[${index}].code`, CODE);
  const codeSystem = optionalText(value.codeSystem, `findings[${index}].codeSystem`, CODE_SYSTEM);
  if ((code === undefined) !== (codeSystem === undefined)) fail(`findings[${index}] needs code and codeSystem together`);
  const where = region(value.region, index);
  return {
    label: label.trim(),
    confidence: value.confidence,
    imageRef: value.imageRef,
    ...(code === undefined ? {} : { code, codeSystem }),
    ...(where === undefined ? {} : { region: where }),
  };
}

function tokenUsage(value: unknown): TokenUsage | undefined {
  if (value === undefined || value === null) return undefined;
  const count = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  if (!isObject(value) || !count(value.inputTokens) || !count(value.outputTokens)) fail('tokenUsage needs whole inputTokens and outputTokens');
  return { inputTokens: value.inputTokens as number, outputTokens: value.outputTokens as number };
}

function check(raw: unknown, expected: ResultExpectation): AnalyzerResult {
  if (!isObject(raw)) fail('the result is not an object');
  if (typeof raw.schemaVersion !== 'string' || !/^[12]\.[0-9]+$/.test(raw.schemaVersion)) fail('schemaVersion must be 1.x or 2.x');
  if (raw.analyzerName !== expected.analyzerName) fail('analyzerName does not match the invoked analyzer');
  const status = raw.status;
  if (!Object.values(AnalyzerStatus).includes(status as AnalyzerStatus)) fail('status must be SUCCEEDED, FAILED or SKIPPED');
  if (!Array.isArray(raw.findings)) fail('findings must be an array');
  if (raw.findings.length > MAX_FINDINGS_PER_IMAGE * Math.max(1, expected.imageRefs.size)) fail('too many findings');
  const durationMs = raw.durationMs;
  if (typeof durationMs !== 'number' || !Number.isFinite(durationMs) || durationMs < 0) fail('durationMs must be a non-negative number');
  const errorCode = optionalText(raw.errorCode, 'errorCode', ERROR_CODE);
  const skipReason = optionalText(raw.skipReason, 'skipReason', ERROR_CODE);
  const usage = tokenUsage(raw.tokenUsage);
  return {
    schemaVersion: raw.schemaVersion,
    analyzerName: expected.analyzerName,
    modelId: text(raw.modelId, 'modelId', IDENTIFIER),
    modelVersion: text(raw.modelVersion, 'modelVersion', IDENTIFIER),
    status: status as AnalyzerStatus,
    findings: raw.findings.map((f, i) => finding(f, i, expected)),
    durationMs,
    ...(errorCode === undefined ? {} : { errorCode }),
    ...(skipReason === undefined ? {} : { skipReason }),
    ...(usage === undefined ? {} : { tokenUsage: usage }),
  };
}

/** The result rebuilt from its known fields, or why it is not one (the problem names fields, never values). */
export function validateAnalyzerResult(raw: unknown, expected: ResultExpectation): ResultValidation {
  try {
    return { valid: true, result: check(raw, expected) };
  } catch (error) {
    if (error instanceof Invalid) return { valid: false, problem: error.message };
    throw error;
  }
}
