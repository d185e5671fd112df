/** What a PreparedObject must look like, whatever the input was. Returns the problems found ([] when well formed). */
import { PreparedObject } from '../../src/core/preparation';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PSEUDONYM = /^[a-z2-7]{26}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

function pngSize(png: Buffer): { width: number; height: number } | undefined {
  if (png.length < 33 || !png.subarray(0, 8).equals(PNG_SIGNATURE) || png.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

function positiveInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

export function wellFormedProblems(result: PreparedObject, analysisMaxDimension: number): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, what: string) => { if (!ok) problems.push(what); };
  check(['dicom', 'png', 'jpeg'].includes(result.kind), `kind ${String(result.kind)}`);
  for (const key of ['studyKey', 'seriesKey', 'instanceKey'] as const) check(PSEUDONYM.test(result[key]), `${key} is not a pseudonym`);
  check(SHA256_HEX.test(result.sourceSha256), 'sourceSha256 is not hex SHA-256');
  check(positiveInteger(result.width) && positiveInteger(result.height), 'width/height not positive integers');
  check(positiveInteger(result.analysisWidth) && positiveInteger(result.analysisHeight), 'analysis size not positive integers');
  check(Math.max(result.analysisWidth, result.analysisHeight) <= analysisMaxDimension, 'analysis image exceeds its bound');
  check(result.expectedInstances === undefined || positiveInteger(result.expectedInstances), 'expectedInstances not a positive integer');
  check(result.singleImage === (result.kind !== 'dicom'), 'singleImage inconsistent with kind');
  check(/^[A-Z0-9_ ]{1,16}$/.test(result.modality), 'modality not a safe CS value');
  check(result.burnedInAnnotation === undefined || typeof result.burnedInAnnotation === 'boolean', 'burnedInAnnotation not boolean');
  const preview = Buffer.isBuffer(result.previewPng) ? pngSize(result.previewPng) : undefined;
  check(preview?.width === result.width && preview?.height === result.height, 'previewPng is not a PNG of width x height');
  const analysis = Buffer.isBuffer(result.analysisPng) ? pngSize(result.analysisPng) : undefined;
  check(analysis?.width === result.analysisWidth && analysis?.height === result.analysisHeight, 'analysisPng is not a PNG of the analysis size');
  const meta = result.safeMetadata;
  check(meta?.rows === result.height && meta?.columns === result.width, 'safeMetadata rows/columns differ from the image');
  check(positiveInteger(meta?.numberOfFrames) && positiveInteger(meta?.bitsStored), 'safeMetadata frames/bitsStored not positive integers');
  return problems;
}
