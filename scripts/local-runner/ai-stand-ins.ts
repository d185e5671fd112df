/**
 * Local stand-ins for the AI services the built-in analyzers call: Rekognition
 * (JSON 1.1, `X-Amz-Target: RekognitionService.DetectLabels|DetectCustomLabels`),
 * Bedrock Runtime Converse (REST, `POST /model/{modelId}/converse`) and SageMaker
 * Runtime (REST, `POST /endpoints/{name}/invocations` and `/async-invocations`).
 *
 * They answer with recorded responses shaped like the services' documented
 * ones, after checking requests the way the services do (image format and size
 * limits, a forced tool that exists, content types), so the real SDK clients,
 * serializers and the analyzers' error classification run unchanged. The
 * SageMaker stand-in is a small deterministic "model": it reports where the
 * brightest part of the image is. Nothing here is a clinical model.
 */
import { randomUUID } from 'crypto';
import { decodePng, readPngHeader } from '../../src/core/imaging/png';
import { toGray } from '../../src/core/imaging/raster';

export interface AiRequest {
  readonly method: string;
  /** Path and query, as received. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

export interface AiResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer | string;
}

/** One call the stand-ins answered (for the demo page). */
export interface AiCall {
  readonly service: 'Rekognition' | 'Bedrock Runtime' | 'SageMaker Runtime';
  readonly operation: string;
  /** Error name when the stand-in refused the call. */
  readonly error?: string;
}

export interface AiStandInOptions {
  /**
   * Writes an asynchronous endpoint's answer where InvokeEndpointAsync said it
   * would be (`s3://bucket/key`); without it, async invocations are refused.
   */
  readonly writeObject?: (bucket: string, key: string, body: string) => Promise<void>;
  /** Where asynchronous answers go (`s3://bucket/prefix/`). @default 's3://local-sagemaker-async/output/' */
  readonly asyncOutputPath?: string;
}

class AiServiceError extends Error {
  constructor(name: string, message: string, readonly status = 400, readonly extraHeaders: Record<string, string> = {}) {
    super(message);
    this.name = name;
  }
}

const MIB = 1024 * 1024;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const isPng = (bytes: Buffer) => bytes.subarray(0, 8).equals(PNG_SIGNATURE);
const isJpeg = (bytes: Buffer) => bytes[0] === 0xff && bytes[1] === 0xd8;
const isDicom = (bytes: Buffer) => bytes.subarray(128, 132).toString('latin1') === 'DICM';

/** Recorded DetectLabels labels for a gray radiograph-like image (DetectLabelsResponse.Labels). */
const RECORDED_LABELS = [
  { Name: 'X-Ray', Confidence: 98.61, Instances: [], Parents: [{ Name: 'Medical Imaging' }], Aliases: [], Categories: [{ Name: 'Medical' }] },
  { Name: 'Medical Imaging X-Ray Film', Confidence: 97.02, Instances: [], Parents: [{ Name: 'Medical Imaging' }], Aliases: [], Categories: [{ Name: 'Medical' }] },
  { Name: 'Chest', Confidence: 72.35, Instances: [{ BoundingBox: { Width: 0.62, Height: 0.71, Left: 0.19, Top: 0.12 }, Confidence: 72.35 }], Parents: [{ Name: 'Body Part' }], Aliases: [], Categories: [{ Name: 'Body Parts' }] },
  { Name: 'Text', Confidence: 56.4, Instances: [], Parents: [], Aliases: [], Categories: [{ Name: 'Text and Documents' }] },
];

/** Recorded DetectCustomLabels labels (DetectCustomLabelsResponse.CustomLabels). */
const RECORDED_CUSTOM_LABELS = [
  { Name: 'lung-field', Confidence: 88.9, Geometry: { BoundingBox: { Width: 0.58, Height: 0.66, Left: 0.21, Top: 0.14 } } },
];

/** Recorded tool inputs a multimodal model gave, by modality named in the prompt. */
const RECORDED_FINDINGS: Record<string, Array<Record<string, unknown>>> = {
  DX: [
    { label: 'Possible small left pleural effusion', confidence: 0.62, code: '60046008', codeSystem: 'http://snomed.info/sct', region: { left: 0.56, top: 0.58, width: 0.3, height: 0.28 } },
    { label: 'Cardiac silhouette within normal size', confidence: 0.84 },
  ],
  CT: [{ label: 'No focal abnormality visible on this slice', confidence: 0.77 }],
  OTHER: [{ label: 'Image content too limited to describe findings', confidence: 0.55 }],
};

/** The fields of DetectLabels / DetectCustomLabels requests the stand-in reads. */
interface RekognitionRequest {
  readonly Image?: { readonly Bytes?: string };
  readonly MinConfidence?: number;
  readonly MaxLabels?: number;
  readonly MaxResults?: number;
  readonly ProjectVersionArn?: string;
}

export class AiStandIns {
  /** Whether a request is for one of these services. */
  public static handles(request: Pick<AiRequest, 'url' | 'headers'>): boolean {
    const target = String(request.headers['x-amz-target'] ?? '');
    return target.startsWith('RekognitionService.') || /^\/model\/[^/]+\/converse$/.test(pathOf(request.url)) || /^\/endpoints\/[^/]+\/(async-)?invocations$/.test(pathOf(request.url));
  }

  public readonly calls: AiCall[] = [];

  constructor(private readonly options: AiStandInOptions = {}) {}

  public async respond(request: AiRequest): Promise<AiResponse> {
    const target = String(request.headers['x-amz-target'] ?? '');
    const path = pathOf(request.url);
    const call: { service: AiCall['service']; operation: string } = target.startsWith('RekognitionService.')
      ? { service: 'Rekognition', operation: target.slice('RekognitionService.'.length) }
      : path.startsWith('/model/') ? { service: 'Bedrock Runtime', operation: 'Converse' }
        : { service: 'SageMaker Runtime', operation: path.endsWith('/async-invocations') ? 'InvokeEndpointAsync' : 'InvokeEndpoint' };
    try {
      const response = call.service === 'Rekognition' ? this.rekognition(call.operation, JSON.parse(request.body.toString('utf8')))
        : call.service === 'Bedrock Runtime' ? this.converse(decodeURIComponent(path.split('/')[2]), JSON.parse(request.body.toString('utf8')))
          : await this.sageMaker(decodeURIComponent(path.split('/')[2]), call.operation, request);
      this.calls.push(call);
      return response;
    } catch (error) {
      const e = error instanceof AiServiceError ? error : new AiServiceError('InternalFailure', 'The local stand-in failed', 500);
      this.calls.push({ ...call, error: e.name });
      const json = call.service === 'Rekognition' ? 'application/x-amz-json-1.1' : 'application/json';
      return { status: e.status, headers: { 'content-type': json, 'x-amzn-errortype': e.name, 'x-amzn-requestid': randomUUID(), ...e.extraHeaders }, body: JSON.stringify({ __type: e.name, message: e.message }) };
    }
  }

  // ---------------------------------------------------------------- Rekognition

  private rekognition(operation: string, request: RekognitionRequest): AiResponse {
    const custom = operation === 'DetectCustomLabels';
    if (!custom && operation !== 'DetectLabels') throw new AiServiceError('InvalidParameterException', `The local stand-in does not answer Rekognition ${operation}`);
    const image = Buffer.from(request.Image?.Bytes ?? '', 'base64');
    const limits = custom ? { bytes: 4 * MIB, max: 4096, min: 64 } : { bytes: 5 * MIB, max: 10_000, min: 80 };
    if (image.length > limits.bytes) throw new AiServiceError('ImageTooLargeException', 'Image size is too large.');
    if (!isPng(image) && !isJpeg(image)) throw new AiServiceError('InvalidImageFormatException', 'Request has unsupported image format');
    if (isPng(image)) {
      const { width, height } = readPngHeader(image);
      if (Math.max(width, height) > limits.max) throw new AiServiceError('ImageTooLargeException', 'Image dimensions are too large.');
      if (Math.min(width, height) < limits.min) throw new AiServiceError('InvalidParameterException', 'Image dimensions are too small.');
    }
    if (custom && !/:project\/[^/]+\/version\/[^/]+\/\d+$/.test(request.ProjectVersionArn ?? '')) {
      throw new AiServiceError('ResourceNotFoundException', 'The project version was not found.');
    }
    // Custom Labels' default threshold is per label; 50 stands in for it.
    const minConfidence = request.MinConfidence ?? (custom ? 50 : 55);
    const max = (custom ? request.MaxResults : request.MaxLabels) ?? 1000;
    const keep = <T extends { Confidence: number }>(labels: T[]) => labels.filter((l) => l.Confidence >= minConfidence).slice(0, max);
    const payload = custom
      ? { CustomLabels: keep(RECORDED_CUSTOM_LABELS) }
      : { Labels: keep(RECORDED_LABELS), LabelModelVersion: '3.0' };
    return jsonResponse(200, payload, 'application/x-amz-json-1.1');
  }

  // ---------------------------------------------------------------- Bedrock Runtime

  private converse(modelId: string, request: {
    messages?: Array<{ role?: string; content?: Array<{ text?: string; image?: { format?: string; source?: { bytes?: string } } }> }>;
    toolConfig?: { tools?: Array<{ toolSpec?: { name?: string; inputSchema?: { json?: unknown } } }>; toolChoice?: { tool?: { name?: string } } };
    inferenceConfig?: { maxTokens?: number };
  }): AiResponse {
    if (!/^[A-Za-z0-9:._/-]{1,2048}$/.test(modelId)) throw new AiServiceError('ValidationException', 'The provided model identifier is invalid.');
    const content = request.messages?.[0]?.content ?? [];
    const image = content.find((block) => block.image !== undefined)?.image;
    const bytes = Buffer.from(image?.source?.bytes ?? '', 'base64');
    if (image === undefined || !['png', 'jpeg', 'gif', 'webp'].includes(image.format ?? '')) throw new AiServiceError('ValidationException', 'The model expects one image block.');
    if (bytes.length > 3.75 * MIB) throw new AiServiceError('ValidationException', 'The image exceeds 3.75 MB.');
    const forced = request.toolConfig?.toolChoice?.tool?.name;
    const tool = request.toolConfig?.tools?.find((t) => t.toolSpec?.name === forced);
    if (forced === undefined || tool?.toolSpec?.inputSchema?.json === undefined) throw new AiServiceError('ValidationException', 'toolChoice names a tool that is not in toolConfig.tools.');
    const text = content.map((block) => block.text ?? '').join('\n');
    const modality = /Modality: (\w+)\./.exec(text)?.[1] ?? '';
    const findings = RECORDED_FINDINGS[['DX', 'CR'].includes(modality) ? 'DX' : modality === 'CT' ? 'CT' : 'OTHER'];
    const input = { findings };
    const outputTokens = Math.ceil(JSON.stringify(input).length / 4);
    if (request.inferenceConfig?.maxTokens !== undefined && outputTokens > request.inferenceConfig.maxTokens) {
      return jsonResponse(200, converseOutput(forced, {}, 'max_tokens', bytes, text, request.inferenceConfig.maxTokens));
    }
    return jsonResponse(200, converseOutput(forced, input, 'tool_use', bytes, text, outputTokens));
  }

  // ---------------------------------------------------------------- SageMaker Runtime

  private async sageMaker(endpointName: string, operation: string, request: AiRequest): Promise<AiResponse> {
    const header = (name: string) => String(request.headers[name] ?? '');
    const variant = 'AllTraffic';
    if (!/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(endpointName)) {
      throw new AiServiceError('ValidationError', `Endpoint ${endpointName} of account 000000000000 not found.`);
    }
    if (operation === 'InvokeEndpointAsync') {
      const write = this.options.writeObject;
      if (write === undefined) throw new AiServiceError('ValidationError', 'Asynchronous endpoints are not available in this local run.');
      const input = header('x-amzn-sagemaker-inputlocation');
      if (!input.startsWith('s3://')) throw new AiServiceError('ValidationError', 'InputLocation must be an S3 URI.');
      const id = randomUUID();
      const base = this.options.asyncOutputPath ?? 's3://local-sagemaker-async/output/';
      const [, , bucket, ...prefix] = base.split('/');
      const key = `${prefix.join('/')}${id}.out`;
      // The stand-in answers at once; a real endpoint answers when the model is done.
      await write(bucket, key, JSON.stringify({ findings: RECORDED_FINDINGS.OTHER, modelVersion: 'local-stand-in-1' }));
      return {
        status: 202,
        headers: { 'content-type': 'application/json', 'x-amzn-sagemaker-outputlocation': `s3://${bucket}/${key}`, 'x-amzn-requestid': randomUUID() },
        body: JSON.stringify({ InferenceId: id }),
      };
    }
    const contentType = header('content-type');
    const body = request.body;
    // What the container would answer with a 4xx, SageMaker returns as ModelError (424).
    const containerRefuses = (why: string) => new AiServiceError('ModelError', `Received client error (415) from primary with message "${why}"`, 424, {});
    if (body.length > 6 * MIB) throw new AiServiceError('ValidationError', 'Request payload exceeds 6 MB.');
    let answer: unknown;
    if (contentType === 'image/png') {
      if (!isPng(body)) throw containerRefuses('body is not a PNG');
      answer = brightestRegion(body);
    } else if (contentType === 'application/dicom') {
      if (!isDicom(body)) throw containerRefuses('body is not DICOM Part 10');
      answer = { findings: [{ label: 'DICOM object received', confidence: 0.5 }], modelVersion: 'local-stand-in-1' };
    } else {
      throw containerRefuses(`unsupported content type ${contentType}`);
    }
    return { status: 200, headers: { 'content-type': 'application/json', 'x-amzn-invoked-production-variant': variant, 'x-amzn-requestid': randomUUID() }, body: JSON.stringify(answer) };
  }
}

function pathOf(url: string): string {
  return url.split('?')[0];
}

function jsonResponse(status: number, payload: unknown, contentType = 'application/json'): AiResponse {
  return { status, headers: { 'content-type': contentType, 'x-amzn-requestid': randomUUID() }, body: JSON.stringify(payload) };
}

/** A ConverseResponse: the tool call, its stop reason, token usage (images cost about width x height / 750 tokens). */
function converseOutput(toolName: string, input: unknown, stopReason: string, image: Buffer, text: string, outputTokens: number): unknown {
  let imageTokens = 1600;
  if (isPng(image)) {
    const { width, height } = readPngHeader(image);
    imageTokens = Math.ceil((width * height) / 750);
  }
  const inputTokens = imageTokens + Math.ceil(text.length / 4) + 350;
  return {
    output: { message: { role: 'assistant', content: [{ toolUse: { toolUseId: `tooluse_${randomUUID().slice(0, 12)}`, name: toolName, input } }] } },
    stopReason,
    usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
    metrics: { latencyMs: 40 },
  };
}

/** The stand-in "model": the box around the brightest tenth of the image, with the contrast as confidence. */
function brightestRegion(png: Buffer): unknown {
  const decoded = decodePng(png);
  if (decoded.bitDepth !== 8) return { findings: [], modelVersion: 'local-stand-in-1' };
  const gray = toGray(decoded.image);
  const { width, height, data } = gray;
  const sorted = Uint8Array.from(data).sort();
  const threshold = sorted[Math.floor(sorted.length * 0.9)];
  let x0 = width; let y0 = height; let x1 = -1; let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[y * width + x] >= threshold) {
        x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
      }
    }
  }
  const contrast = (threshold - sorted[Math.floor(sorted.length * 0.1)]) / 255;
  if (x1 < 0 || contrast <= 0) return { findings: [], modelVersion: 'local-stand-in-1' };
  // Thousandths, rounded inwards: the box never reaches past an edge.
  const down = (v: number) => Math.floor(v * 1000) / 1000;
  const [left, top] = [down(x0 / width), down(y0 / height)];
  return {
    findings: [{
      label: 'High-density region',
      confidence: down(Math.min(0.99, 0.5 + contrast / 2)),
      region: { left, top, width: Math.max(0.001, down((x1 + 1) / width - left)), height: Math.max(0.001, down((y1 + 1) / height - top)) },
    }],
    modelVersion: 'local-stand-in-1',
  };
}
