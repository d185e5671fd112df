/**
 * DICOM Comprehensive SR with a TID 1500 Measurement Report per study version:
 * each finding is a measurement group (TID 1501) with its finding code, a
 * qualitative evaluation and, where the analyzer gave one, its region as a
 * SCOORD polyline on the referenced image. It references the de-identified
 * study, series and SOP instances only and carries no patient name or dates
 * of the original study. Written with the Part 10 writer of the de-id engine.
 */
import { createHash } from 'node:crypto';
import { findReportInstance, ReportStudy } from './fhir-bundle';
import { ReportInput } from './types';
import { AnalyzerFinding } from '../../shared/analyzer-result';
import { DicomDataset, DicomElement, textElement } from '../deid/dataset';
import { writePart10 } from '../deid/part10-writer';

export const COMPREHENSIVE_SR_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.88.33';
type Code = readonly [value: string, scheme: string, meaning: string];

const IMAGING_MEASUREMENT_REPORT: Code = ['126000', 'DCM', 'Imaging Measurement Report'];
const LANGUAGE: Code = ['121049', 'DCM', 'Language of Content Item and Descendants'];
const ENGLISH: Code = ['en-US', 'RFC5646', 'English (United States)'];
const PROCEDURE_REPORTED: Code = ['121058', 'DCM', 'Procedure reported'];
const IMAGING_PROCEDURE: Code = ['363679005', 'SCT', 'Imaging procedure'];
const IMAGE_LIBRARY: Code = ['111028', 'DCM', 'Image Library'];
const IMAGE_LIBRARY_GROUP: Code = ['126200', 'DCM', 'Image Library Group'];
const IMAGING_MEASUREMENTS: Code = ['126010', 'DCM', 'Imaging Measurements'];
const MEASUREMENT_GROUP: Code = ['125007', 'DCM', 'Measurement Group'];
const TRACKING_ID: Code = ['112039', 'DCM', 'Tracking Identifier'];
const TRACKING_UID: Code = ['112040', 'DCM', 'Tracking Unique Identifier'];
const FINDING: Code = ['121071', 'DCM', 'Finding'];
const IMAGE_REGION: Code = ['111030', 'DCM', 'Image Region'];
const SOURCE: Code = ['260753009', 'SCT', 'Source'];
const CONFIDENCE: Code = ['C45770', 'NCIt', 'Confidence'];
const RATIO_UNIT: Code = ['1', 'UCUM', 'no units'];
const OBSERVER_TYPE: Code = ['121005', 'DCM', 'Observer Type'];
const DEVICE: Code = ['121007', 'DCM', 'Device'];
const DEVICE_OBSERVER_UID: Code = ['121012', 'DCM', 'Device Observer UID'];
const DEVICE_OBSERVER_NAME: Code = ['121013', 'DCM', 'Device Observer Name'];
/** FHIR code system URLs to DICOM coding scheme designators. */
const SCHEMES: Readonly<Record<string, string>> = {
  'http://snomed.info/sct': 'SCT',
  'http://loinc.org': 'LN',
  'http://radlex.org': 'RADLEX',
  'http://www.radlex.org': 'RADLEX',
  'http://dicom.nema.org/resources/ontology/DCM': 'DCM',
};

/** Pixel size of each referenced instance, to place a finding's fractional region (SCOORD is in pixels). */
export interface SrImageSize { readonly columns: number; readonly rows: number }

/** An SR written earlier for the same study, which this one revises. */
export interface SrPredecessor {
  /** The version whose SR series holds it (see `srSeriesUid`). */
  readonly version: number;
  readonly sopInstanceUid: string;
}

export interface SrOptions {
  /** The de-identified study the SR describes; for PNG/JPEG studies a generated study UID and image UIDs. */
  readonly study: ReportStudy;
  /** Keyed by SOP Instance UID. */
  readonly imageSizes?: ReadonlyMap<string, SrImageSize>;
  /** The SR this one revises (a later revision or version of the study's report): listed as its predecessor. @default - none */
  readonly predecessor?: SrPredecessor;
}

/** The SR series of a study version: every revision of the version's report is an instance of it. */
export function srSeriesUid(studyKey: string, version: number): string {
  return derivedUid(studyKey, version, 'sr-series');
}

/** A UID under 2.25 derived from the report identity (the same input gives the same SR). */
export function derivedUid(...parts: (string | number)[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
  return `2.25.${BigInt(`0x${hex}`).toString()}`;
}

const text = (tag: number, vr: string, value: string): DicomElement => textElement(tag, vr, value);
const sq = (tag: number, items: DicomDataset[]): DicomElement => ({ tag, vr: 'SQ', items });
const sorted = (elements: DicomElement[]): DicomDataset => [...elements].sort((a, b) => a.tag - b.tag);

function codeItem([value, scheme, meaning]: Code): DicomDataset {
  const long = value.length > 16;
  return sorted([
    text(long ? 0x00080119 : 0x00080100, long ? 'UC' : 'SH', value),
    text(0x00080102, 'SH', scheme),
    text(0x00080104, 'LO', meaning.slice(0, 64)),
  ]);
}

interface ContentItem {
  readonly relationship?: string;
  readonly valueType: string;
  readonly concept: Code;
  readonly elements?: DicomElement[];
  readonly children?: ContentItem[];
}

function contentItem(item: ContentItem): DicomDataset {
  return sorted([
    ...(item.relationship === undefined ? [] : [text(0x0040a010, 'CS', item.relationship)]),
    text(0x0040a040, 'CS', item.valueType),
    sq(0x0040a043, [codeItem(item.concept)]),
    ...(item.elements ?? []),
    ...(item.children === undefined || item.children.length === 0 ? [] : [sq(0x0040a730, item.children.map(contentItem))]),
  ]);
}

function imageReference(sopClassUid: string, sopInstanceUid: string): DicomElement {
  return sq(0x00081199, [sorted([text(0x00081150, 'UI', sopClassUid), text(0x00081155, 'UI', sopInstanceUid)])]);
}

function findingCode(finding: AnalyzerFinding): Code | undefined {
  const scheme = finding.codeSystem === undefined ? undefined : SCHEMES[finding.codeSystem.replace(/\/$/, '')];
  return scheme === undefined || finding.code === undefined ? undefined : [finding.code, scheme, finding.label];
}

function floats(values: number[]): Uint8Array {
  const out = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => out.writeFloatLE(v, i * 4));
  return out;
}

function measurementGroup(input: ReportInput, options: SrOptions, finding: AnalyzerFinding, index: number, analyzer: string): ContentItem {
  const instance = findReportInstance(options.study, finding.imageRef)?.instance;
  const code = findingCode(finding);
  const children: ContentItem[] = [
    { relationship: 'HAS OBS CONTEXT', valueType: 'TEXT', concept: TRACKING_ID, elements: [text(0x0040a160, 'UT', `${analyzer} finding ${index}`)] },
    { relationship: 'HAS OBS CONTEXT', valueType: 'UIDREF', concept: TRACKING_UID, elements: [text(0x0040a124, 'UI', derivedUid(input.studyKey, input.version, 'finding', index))] },
    code === undefined
      ? { relationship: 'CONTAINS', valueType: 'TEXT', concept: FINDING, elements: [text(0x0040a160, 'UT', finding.label)] }
      : { relationship: 'CONTAINS', valueType: 'CODE', concept: FINDING, elements: [sq(0x0040a168, [codeItem(code)])] },
    {
      relationship: 'CONTAINS',
      valueType: 'NUM',
      concept: CONFIDENCE,
      elements: [sq(0x0040a300, [sorted([sq(0x004008ea, [codeItem(RATIO_UNIT)]), text(0x0040a30a, 'DS', finding.confidence.toFixed(4))])])],
    },
  ];
  const size = instance === undefined ? undefined : options.imageSizes?.get(instance.sopInstanceUid);
  if (instance !== undefined && finding.region !== undefined && size !== undefined) {
    const { left, top, width, height } = finding.region;
    const [x0, y0, x1, y1] = [left * size.columns, top * size.rows, (left + width) * size.columns, (top + height) * size.rows];
    children.push({
      relationship: 'CONTAINS',
      valueType: 'SCOORD',
      concept: IMAGE_REGION,
      elements: [text(0x00700023, 'CS', 'POLYLINE'), { tag: 0x00700022, vr: 'FL', value: floats([x0, y0, x1, y0, x1, y1, x0, y1, x0, y0]) }],
      children: [{ relationship: 'SELECTED FROM', valueType: 'IMAGE', concept: SOURCE, elements: [imageReference(instance.sopClassUid, instance.sopInstanceUid)] }],
    });
  }
  return { relationship: 'CONTAINS', valueType: 'CONTAINER', concept: MEASUREMENT_GROUP, elements: [text(0x0040a050, 'CS', 'SEPARATE')], children };
}

/** Organization the verifying clinician answers to: the pipeline knows none by name, only that its review API authenticated them. */
const VERIFYING_ORGANIZATION = 'cdk-medical-imaging-pipeline clinician review';

/** An ISO-8601 instant as DICOM DT in UTC (YYYYMMDDHHMMSS.FFF+0000); undefined when it is not a valid time. */
function dicomDateTime(iso: string | undefined): string | undefined {
  const time = iso === undefined || iso === '' ? NaN : Date.parse(iso);
  if (Number.isNaN(time)) return undefined;
  const utc = new Date(time).toISOString();
  return `${utc.slice(0, 19).replace(/[-:T]/g, '')}${utc.slice(19, 23)}+0000`;
}

/**
 * PS3.3 C.17.2: a clinician who approved or amended the version verified the document; the
 * Verifying Observer Sequence (Type 1C) names them and when. Auto-released, preliminary and
 * overdue reports (no clinician decision) stay UNVERIFIED, without the sequence.
 */
function verification(input: ReportInput): DicomElement[] {
  const decided = input.reviewDecision === 'APPROVED' || input.reviewDecision === 'AMENDED';
  const at = dicomDateTime(input.decidedAt);
  const reviewer = input.reviewer;
  if (!decided || input.status === 'preliminary' || reviewer === undefined || reviewer === '' || at === undefined) {
    return [text(0x0040a493, 'CS', 'UNVERIFIED')];
  }
  // The reviewer id is already pseudonymous (a Cognito subject or an IAM caller, never patient data): it is the family name
  // component (no PN delimiters; with the explicit empty given name within the 64 characters of a component group; the FHIR
  // Provenance keeps the whole id).
  // The identification code sequence (Type 2) stays empty: no coding scheme issues these ids.
  const name = `${reviewer.replace(/[\\^=]/g, '_').slice(0, 63)}^`;
  return [
    sq(0x0040a073, [sorted([
      text(0x0040a027, 'LO', VERIFYING_ORGANIZATION),
      text(0x0040a030, 'DT', at),
      text(0x0040a075, 'PN', name),
      sq(0x0040a088, []),
    ])]),
    text(0x0040a493, 'CS', 'VERIFIED'),
  ];
}

/** SR Document as a Part 10 file (explicit VR little endian), and its SOP Instance UID. */
export function buildMeasurementReportSr(input: ReportInput, options: SrOptions): { bytes: Buffer; sopInstanceUid: string } {
  const { study } = options;
  // Each revision is a new SR instance (an SR is never changed in place); the version's SR series stays the same.
  const sopInstanceUid = derivedUid(input.studyKey, input.version, input.revision ?? 1, input.status, 'sr');
  const seriesUid = srSeriesUid(input.studyKey, input.version);
  const [date, time] = [input.issuedAt.slice(0, 10).replace(/-/g, ''), input.issuedAt.slice(11, 19).replace(/:/g, '')];
  const library: ContentItem = {
    relationship: 'CONTAINS',
    valueType: 'CONTAINER',
    concept: IMAGE_LIBRARY,
    elements: [text(0x0040a050, 'CS', 'SEPARATE')],
    children: study.series.map((series) => ({
      relationship: 'CONTAINS',
      valueType: 'CONTAINER',
      concept: IMAGE_LIBRARY_GROUP,
      elements: [text(0x0040a050, 'CS', 'SEPARATE')],
      children: series.instances.map((i) => ({
        relationship: 'CONTAINS', valueType: 'IMAGE', concept: SOURCE, elements: [imageReference(i.sopClassUid, i.sopInstanceUid)],
      })),
    })),
  };
  let index = 0;
  const groups = input.results.flatMap((r) => r.findings.map((f) => measurementGroup(input, options, f, ++index, r.analyzerName)));
  const root: ContentItem = {
    valueType: 'CONTAINER',
    concept: IMAGING_MEASUREMENT_REPORT,
    elements: [
      text(0x0040a050, 'CS', 'SEPARATE'),
      sq(0x0040a504, [sorted([text(0x00080105, 'CS', 'DCMR'), text(0x0040db00, 'CS', '1500')])]),
    ],
    children: [
      { relationship: 'HAS CONCEPT MOD', valueType: 'CODE', concept: LANGUAGE, elements: [sq(0x0040a168, [codeItem(ENGLISH)])] },
      { relationship: 'HAS CONCEPT MOD', valueType: 'CODE', concept: PROCEDURE_REPORTED, elements: [sq(0x0040a168, [codeItem(IMAGING_PROCEDURE)])] },
      // TID 1001/1004 observation context: the observer is this pipeline (a device), never a person's name.
      { relationship: 'HAS OBS CONTEXT', valueType: 'CODE', concept: OBSERVER_TYPE, elements: [sq(0x0040a168, [codeItem(DEVICE)])] },
      { relationship: 'HAS OBS CONTEXT', valueType: 'UIDREF', concept: DEVICE_OBSERVER_UID, elements: [text(0x0040a124, 'UI', derivedUid('cdk-medical-imaging-pipeline'))] },
      { relationship: 'HAS OBS CONTEXT', valueType: 'TEXT', concept: DEVICE_OBSERVER_NAME, elements: [text(0x0040a160, 'UT', 'cdk-medical-imaging-pipeline')] },
      library,
      { relationship: 'CONTAINS', valueType: 'CONTAINER', concept: IMAGING_MEASUREMENTS, elements: [text(0x0040a050, 'CS', 'SEPARATE')], children: groups },
    ],
  };
  const evidence = sq(0x0040a375, [sorted([
    text(0x0020000d, 'UI', study.studyInstanceUid),
    sq(0x00081115, study.series.map((s) => sorted([
      text(0x0020000e, 'UI', s.seriesInstanceUid),
      sq(0x00081199, s.instances.map((i) => sorted([text(0x00081150, 'UI', i.sopClassUid), text(0x00081155, 'UI', i.sopInstanceUid)]))),
    ]))),
  ])]);
  // Type 1C: a revision lists the document it replaces (same study, the SR series of its version).
  const predecessor = options.predecessor === undefined ? [] : [sq(0x0040a360, [sorted([
    text(0x0020000d, 'UI', study.studyInstanceUid),
    sq(0x00081115, [sorted([
      text(0x0020000e, 'UI', srSeriesUid(input.studyKey, options.predecessor.version)),
      sq(0x00081199, [sorted([text(0x00081150, 'UI', COMPREHENSIVE_SR_SOP_CLASS), text(0x00081155, 'UI', options.predecessor.sopInstanceUid)])]),
    ])]),
  ])])];
  const rootItem = contentItem(root);
  const dataset = sorted([
    text(0x00080005, 'CS', 'ISO_IR 100'), // the writer encodes text as Latin-1
    text(0x00080016, 'UI', COMPREHENSIVE_SR_SOP_CLASS),
    text(0x00080018, 'UI', sopInstanceUid),
    text(0x00080020, 'DA', ''), text(0x00080030, 'TM', ''),
    text(0x00080023, 'DA', date), text(0x00080033, 'TM', time),
    text(0x00080050, 'SH', ''),
    text(0x00080060, 'CS', 'SR'),
    text(0x00080070, 'LO', 'cdk-medical-imaging-pipeline'),
    text(0x00080090, 'PN', ''),
    text(0x0008103e, 'LO', 'AI measurement report'),
    sq(0x00081111, []),
    text(0x00100010, 'PN', ''),
    text(0x00100020, 'LO', input.studyKey),
    text(0x00100030, 'DA', ''),
    text(0x00100040, 'CS', ''),
    text(0x0020000d, 'UI', study.studyInstanceUid),
    text(0x0020000e, 'UI', seriesUid),
    text(0x00200010, 'SH', ''),
    text(0x00200011, 'IS', '9001'),
    text(0x00200013, 'IS', String(input.version)),
    text(0x0040a491, 'CS', input.status === 'preliminary' ? 'PARTIAL' : 'COMPLETE'),
    ...verification(input),
    sq(0x0040a372, []),
    evidence,
    ...predecessor,
    ...rootItem.filter((e) => e.tag !== 0x0040a010),
  ]);
  const meta = { mediaStorageSopClassUid: COMPREHENSIVE_SR_SOP_CLASS, mediaStorageSopInstanceUid: sopInstanceUid };
  return { bytes: writePart10(dataset, meta), sopInstanceUid };
}
