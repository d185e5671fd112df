/**
 * The demo end to end: runs it into demo-output/, opens index.html and one
 * report in headless Chromium, checks what they show and saves screenshots.
 */
import * as fs from 'fs';
import * as path from 'path';
import { chromium } from 'playwright-core';
import { findPhi, REPO_DIR } from './support';
import { phiStrings } from '../../scripts/local-runner/dataset';
import { runDemo } from '../../scripts/local-runner/demo';

const OUT = path.join(REPO_DIR, 'demo-output');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

test('demo-output/index.html shows the studies and findings, and links a report', async () => {
  const lines: string[] = [];
  const summary = await runDemo({ repoDir: REPO_DIR, outDir: OUT, log: (l) => lines.push(l) });
  expect(summary.studies).toHaveLength(4);
  expect(summary.studies.every((s) => s.status === 'COMPLETED')).toBe(true);
  expect(summary.rejections.map((r) => r.reasonCode)).toEqual(['TRUNCATED_DICOM']);
  expect(lines.join('\n')).toMatch(/4 studies, 1 rejected/);
  // At least one study was held, decided through the review API over HTTP, and released.
  expect(lines.join('\n')).toMatch(/held for review: \S+ \(\w+\) -> decided through the review API: POST \/v1\/studies\/\S+\/decision as arn:aws:sts::000000000000:assumed-role\/local-reviewer-stand-in\/review-desk -> 200 -> COMPLETED \(APPROVED\)/);

  // The generated site is an output too: no PHI in it.
  const html = ['index.html', ...fs.readdirSync(path.join(OUT, 'reports')).map((f) => `reports/${f}`)]
    .map((f) => ({ where: f, text: fs.readFileSync(path.join(OUT, f), 'utf8') }));
  expect(findPhi(html, phiStrings([0, 1, 2, 3, 901], 6))).toEqual([]);

  fs.mkdirSync(path.join(OUT, 'screenshots'), { recursive: true });
  const userDataDir = fs.mkdtempSync(path.join(REPO_DIR, '.tmp', 'chromium-'));
  const browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    viewport: { width: 1400, height: 900 },
  });
  try {
    const page = await browser.newPage();
    await page.goto(`file://${path.join(OUT, 'index.html')}`);
    await expect(page.locator('#studies tbody tr').count()).resolves.toBe(4);
    const table = await page.locator('#studies').innerText();
    for (const study of summary.studies) expect(table).toContain(study.studyKey);
    expect(table).toContain('COMPLETED');
    expect(table).toContain('Image resolution below model minimum');
    expect(await page.locator('#rejections').innerText()).toContain('TRUNCATED_DICOM');
    // Previews load (natural size > 0).
    const loaded = await page.locator('.previews img').evaluateAll((imgs) => imgs.filter((i) => (i as unknown as { naturalWidth: number }).naturalWidth > 0).length);
    expect(loaded).toBeGreaterThanOrEqual(4);
    await page.screenshot({ path: path.join(OUT, 'screenshots', 'index.png'), fullPage: true });

    const withFindings = summary.studies.find((s) => s.findings.length > 0)!;
    await page.locator(`tr[data-study="${withFindings.studyKey}"] a.report`).click();
    await page.waitForLoadState();
    expect(page.url()).toContain(`reports/${withFindings.studyKey}`);
    const report = await page.locator('body').innerText();
    expect(report).toContain(withFindings.studyKey);
    expect(report).toContain(withFindings.findings[0].label);
    await page.screenshot({ path: path.join(OUT, 'screenshots', 'report.png'), fullPage: true });
  } finally {
    await browser.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}, 180_000);
