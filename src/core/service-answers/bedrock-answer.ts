/**
 * What the Bedrock analyzer asks a multimodal model (through the Converse API)
 * and how it reads the answer: the model must call one tool whose input is the
 * findings shape (see model-output.ts); anything else is a malformed answer.
 */
import { readModelOutput, MAX_MODEL_FINDINGS, ModelOutputReading } from './model-output';
import { TokenUsage } from '../../shared/analyzer-result';

/** The tool the model is made to call (Converse `toolChoice`). */
export const FINDINGS_TOOL_NAME = 'record_findings';

/** Instructions for the model's role: describe, never diagnose. */
export const DEFAULT_SYSTEM_PROMPT = [
  'You assist radiologists by describing what is visible in one de-identified medical image.',
  'Report image findings only: visible structures, abnormalities, devices and image-quality problems.',
  'Do not make a diagnosis, do not suggest treatment, and do not guess at anything you cannot see.',
  'Each finding is a short noun phrase with a confidence between 0 and 1 that it is present.',
  'Give a SNOMED CT (http://snomed.info/sct) or RadLex (http://radlex.org) code only when you are sure of it.',
  'Give a region (fractions of the image width and height, from the top-left corner) when the finding is localized.',
  `Always answer by calling the ${FINDINGS_TOOL_NAME} tool; report an empty list when nothing is notable.`,
].join(' ');

/** The request that accompanies the image. */
export const DEFAULT_PROMPT = 'Describe the findings in this image.';

/** The code systems the tool's schema offers the model. */
export const MODEL_CODE_SYSTEMS: readonly string[] = ['http://snomed.info/sct', 'http://radlex.org'];

/** A JSON document (what Converse takes as a tool's input schema). */
export type JsonDocument = null | boolean | number | string | JsonDocument[] | { [key: string]: JsonDocument };

/** JSON Schema of the tool's input: the findings shape. */
export function findingsInputSchema(): { [key: string]: JsonDocument } {
  const fraction = { type: 'number', minimum: 0, maximum: 1 };
  return {
    type: 'object',
    properties: {
      findings: {
        type: 'array',
        maxItems: MAX_MODEL_FINDINGS,
        items: {
          type: 'object',
          properties: {
            label: { type: 'string', minLength: 1, maxLength: 256, description: 'The finding, as a short noun phrase.' },
            confidence: { ...fraction, description: 'How sure you are that the finding is present.' },
            code: { type: 'string', description: 'Concept id in codeSystem; only together with codeSystem.' },
            codeSystem: { type: 'string', enum: [...MODEL_CODE_SYSTEMS] },
            region: {
              type: 'object',
              description: 'Where the finding is, in fractions of the image from its top-left corner.',
              properties: { left: fraction, top: fraction, width: fraction, height: fraction },
              required: ['left', 'top', 'width', 'height'],
            },
          },
          required: ['label', 'confidence'],
        },
      },
    },
    required: ['findings'],
  };
}

/** The PHI-free facts about an image the prompt may mention (from the de-identified reference). */
export interface ImageFacts {
  readonly modality?: string;
  readonly bodyPart?: string;
}

const FACT = /^[A-Za-z0-9 _-]{1,32}$/;

/** The prompt, preceded by the image's modality and body part when known. */
export function promptText(prompt: string, facts: ImageFacts): string {
  const known = [
    facts.modality !== undefined && FACT.test(facts.modality) ? `Modality: ${facts.modality}.` : undefined,
    facts.bodyPart !== undefined && FACT.test(facts.bodyPart) ? `Body part examined: ${facts.bodyPart}.` : undefined,
  ].filter((line): line is string => line !== undefined);
  return [...known, prompt].join('\n');
}

/** The parts of a Converse response that are read. */
export interface ConverseAnswer {
  readonly output?: {
    readonly message?: {
      readonly content?: ReadonlyArray<{ readonly toolUse?: { readonly name?: string; readonly input?: unknown } }>;
    };
  };
  readonly stopReason?: string;
  readonly usage?: { readonly inputTokens?: number; readonly outputTokens?: number };
}

/** The findings the model reported through the tool, or why its answer is malformed. */
export function findingsFromConverse(answer: ConverseAnswer, imageRef: string): ModelOutputReading {
  // Forced tool use ends with tool_use; end_turn is accepted when the call is there.
  if (answer.stopReason !== 'tool_use' && answer.stopReason !== 'end_turn') {
    return { ok: false, problem: `the model stopped with ${stopReasonName(answer.stopReason)} instead of calling the tool` };
  }
  const calls = (answer.output?.message?.content ?? []).filter((block) => block.toolUse !== undefined);
  const call = calls.find((block) => block.toolUse?.name === FINDINGS_TOOL_NAME);
  if (call === undefined) return { ok: false, problem: `the model did not call ${FINDINGS_TOOL_NAME}` };
  if (calls.length > 1) return { ok: false, problem: 'the model made more than one tool call' };
  const reading = readModelOutput(call.toolUse!.input, imageRef);
  if (!reading.ok) return reading;
  if (reading.findings.some((f) => f.codeSystem !== undefined && !MODEL_CODE_SYSTEMS.includes(f.codeSystem))) {
    return { ok: false, problem: 'codeSystem is not one the schema offers' };
  }
  // The model version comes from the model id, never from what the model says of itself.
  return { ok: true, findings: reading.findings };
}

function stopReasonName(reason: string | undefined): string {
  return reason !== undefined && /^[a-z_]{1,40}$/.test(reason) ? reason : 'no stop reason';
}

/** Tokens read and written, when the response reports them. */
export function tokenUsageOf(answer: ConverseAnswer): TokenUsage | undefined {
  const count = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  const usage = answer.usage;
  if (usage === undefined || !count(usage.inputTokens) || !count(usage.outputTokens)) return undefined;
  return { inputTokens: usage.inputTokens!, outputTokens: usage.outputTokens! };
}

/** Sum of token counts over a batch's calls (undefined when none reported any). */
export function addTokenUsage(a: TokenUsage | undefined, b: TokenUsage | undefined): TokenUsage | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return { inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens };
}
