/** demo-output/index.html: one static page linking every study's report and previews. */
import * as fs from 'fs';
import * as path from 'path';

export interface SiteStudy {
  readonly studyKey: string;
  readonly version: number;
  readonly status: string;
  readonly modality: string;
  readonly kind: string;
  readonly images: number;
  readonly reviewDecision?: string;
  readonly findings: Array<{ analyzer: string; label: string; confidence: number }>;
  readonly analyzers: Array<{ name: string; status: string; model: string }>;
  readonly reportPath?: string;
  readonly previews: string[];
}

/** One AI service the local run answered with its stand-in. */
export interface SiteAiService {
  readonly service: string;
  /** Operations called, e.g. ['DetectLabels']. */
  readonly operations: string[];
  readonly calls: number;
  /** Error names of the calls the stand-in refused (as the service would). */
  readonly refused: string[];
  /** The analyzers that call it. */
  readonly analyzers: string[];
}

export interface SiteRejection {
  readonly objectHash: string;
  readonly reasonCode: string;
  readonly quarantineKey: string;
}

export interface SiteContent {
  readonly studies: SiteStudy[];
  readonly rejections: SiteRejection[];
  readonly uploads: number;
  readonly overrides: Record<string, string>;
  readonly events: number;
  readonly notifications: number;
  readonly reviewer: string;
  /** Decisions the review desk took through the local review API. @default - the desk answered the task tokens itself */
  readonly reviewApiDecisions?: number;
  readonly templateFile: string;
  /** The AI services the analyzers called, all answered by local stand-ins. @default none */
  readonly aiServices?: SiteAiService[];
}

/** Each analyzer's findings under its name, model and status; AI-service analyzers marked as answered by a stand-in. */
function findingsCell(s: SiteStudy, standInAnalyzers: ReadonlySet<string>): string {
  const names = [...new Set([...s.analyzers.map((a) => a.name), ...s.findings.map((f) => f.analyzer)])];
  const groups = names.map((name) => {
    const analyzer = s.analyzers.find((a) => a.name === name);
    const findings = s.findings.filter((f) => f.analyzer === name);
    const standIn = standInAnalyzers.has(name) ? ' <span class="stand-in" title="answered by a local stand-in of the AI service">stand-in</span>' : '';
    const head = `<strong>${esc(name)}</strong>${standIn} <small>${analyzer === undefined ? '' : `${esc(analyzer.model)} &middot; ${esc(analyzer.status)}`}</small>`;
    const list = findings.length === 0 ? '' : `<ul class="findings">${findings.map((f) => `<li>${esc(f.label)} <small>confidence ${f.confidence.toFixed(2)}</small></li>`).join('')}</ul>`;
    return `<div class="analyzer" data-analyzer="${esc(name)}">${head}${list}</div>`;
  });
  return groups.length === 0 ? '<span class="none">no analyzers ran</span>' : groups.join('');
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function writeSite(outDir: string, content: SiteContent): void {
  const aiServices = content.aiServices ?? [];
  const standInAnalyzers = new Set(aiServices.flatMap((a) => a.analyzers));
  const studyRows = content.studies.map((s) => `
      <tr data-study="${esc(s.studyKey)}">
        <td><code>${esc(s.studyKey)}</code><br><small>version ${s.version}</small></td>
        <td>${esc(s.modality)} <small>(${esc(s.kind)})</small></td>
        <td>${s.images}</td>
        <td class="status ${esc(s.status.toLowerCase())}">${esc(s.status)}${s.reviewDecision ? `<br><small>review: ${esc(s.reviewDecision)} by <em>${esc(content.reviewer)}</em> (stand-in)</small>` : ''}</td>
        <td>${findingsCell(s, standInAnalyzers)}</td>
        <td>${s.reportPath === undefined ? '-' : `<a class="report" href="${esc(s.reportPath)}">report</a>`}</td>
        <td class="previews">${s.previews.slice(0, 6).map((p) => `<a href="${esc(p)}"><img src="${esc(p)}" alt="preview" height="64"></a>`).join('')}${s.previews.length > 6 ? `<small>+${s.previews.length - 6}</small>` : ''}</td>
      </tr>`).join('');
  const aiRows = aiServices.map((a) => `
      <tr data-service="${esc(a.service)}"><td>${esc(a.service)} <span class="stand-in">local stand-in</span></td><td>${a.operations.map(esc).join(', ')}</td>
        <td>${a.calls}</td><td>${a.refused.length === 0 ? '-' : a.refused.map(esc).join(', ')}</td><td>${a.analyzers.map(esc).join(', ')}</td></tr>`).join('');
  const rejectionRows = content.rejections.map((r) => `
      <tr><td><code>${esc(r.objectHash)}</code></td><td class="status rejected">REJECTED</td><td>${esc(r.reasonCode)}</td><td><code>${esc(r.quarantineKey)}</code></td></tr>`).join('');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Medical imaging pipeline - local demo</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 2rem; color: #1d2730; }
  h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
  table { border-collapse: collapse; width: 100%; }
  th, td { border-bottom: 1px solid #d5dbe1; padding: .45rem .6rem; text-align: left; vertical-align: top; }
  th { background: #eef2f5; }
  .status.completed { color: #176b2c; font-weight: 600; } .status.rejected, .status.failed { color: #a4161a; font-weight: 600; }
  .status.in_review { color: #8a5a00; font-weight: 600; }
  ul.findings { margin: 0; padding-left: 1.1rem; } .none { color: #68737d; }
  .previews img { margin-right: 4px; border: 1px solid #ccd; background: #000; }
  .note { background: #fff8e1; border: 1px solid #f0d98c; padding: .6rem .9rem; }
  .analyzer + .analyzer { margin-top: .35rem; }
  .stand-in { font-size: .72rem; background: #fff1c2; border: 1px solid #e5c766; border-radius: 3px; padding: 0 .3rem; color: #6b5200; }
  small { color: #55606a; }
</style>
</head>
<body>
<h1>Medical imaging pipeline &mdash; local run</h1>
<p>${content.uploads} uploads produced ${content.studies.length} studies and ${content.rejections.length} rejected objects;
the pipeline published ${content.events} events and ${content.notifications} notifications.
All identifiers below are pseudonyms; images are de-identified previews.</p>
<p class="note">Ran on this machine from <code>${esc(content.templateFile)}</code>: the bundled Lambda handlers,
the state machine definition and real DynamoDB/S3 engines (dynalite, s3rver). Stand-ins: EventBridge, SNS,
Secrets Manager and Step Functions APIs (local, recorded), SQS delivery (local queue),${aiServices.length === 0 ? '' : ` the AI services
(${aiServices.map((a) => esc(a.service)).join(', ')}: local stand-ins answering with recorded responses shaped like the services' documented ones,
not clinical models),`} and the clinician review
(<em>${esc(content.reviewer)}</em> approves every request${content.reviewApiDecisions === undefined ? '' : `, ${content.reviewApiDecisions} of them
through the review API on loopback (POST /studies/{studyKey}/decision, the bundled handler; a labelled stand-in identity replaces SigV4)`}). Time compressed: ${Object.entries(content.overrides).map(([k, v]) => `${esc(k.split('.').pop() ?? k)} ${esc(v)}`).join('; ')}.</p>
<h2>Studies</h2>
<table id="studies">
  <thead><tr><th>Study</th><th>Modality</th><th>Images</th><th>Status</th><th>Findings</th><th>Report</th><th>Previews</th></tr></thead>
  <tbody>${studyRows}
  </tbody>
</table>
${aiServices.length === 0 ? '' : `<h2>AI services (local stand-ins)</h2>
<p>No AI service was called: each request went through the real AWS SDK client to a local stand-in that checks it as the
service does (image format and size limits, the forced tool, content types) and answers with a recorded response.</p>
<table id="ai-services">
  <thead><tr><th>Service</th><th>Operations</th><th>Calls</th><th>Refused</th><th>Analyzers</th></tr></thead>
  <tbody>${aiRows}
  </tbody>
</table>`}
<h2>Rejected objects</h2>
<table id="rejections">
  <thead><tr><th>Object</th><th>Status</th><th>Reason</th><th>Quarantined as</th></tr></thead>
  <tbody>${rejectionRows}
  </tbody>
</table>
</body>
</html>
`;
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'index.html'), html);
}
