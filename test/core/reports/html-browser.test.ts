/**
 * The HTML report in headless Chromium: findings, images and the disclaimer are
 * visible, nothing is fetched, and axe-core finds no serious or critical
 * accessibility violation. A screenshot goes to test-reports/.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, Browser } from 'playwright-core';
import { AI_DISCLAIMER, buildHtmlReport } from '../../../src/core/reports';
import { StudyPriority } from '../../../src/shared/finding-rules';
import { makePng } from '../../fixtures/images';
import { analyzerResult, PNEUMOTHORAX, reportInput } from '../../support/report-fixtures';
import { summaryOf } from '../../support/summaries';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT = path.join(__dirname, '..', '..', '..', 'test-reports', 'html-report.png');

const input = reportInput([analyzerResult([
  { ...PNEUMOTHORAX, imageRef: 'ser1/ins1' },
  { label: 'Cardiomegaly', confidence: 0.61, imageRef: 'ser1/ins2' },
], { analyzerName: 'chest-xray', modelId: 'cxr-classifier', modelVersion: '3.1', durationMs: 420 })], {
  version: 1,
  aggregate: summaryOf([0.93, 0.61], { priority: StudyPriority.URGENT, reviewRequired: true }),
  reviewDecision: 'APPROVED',
  reviewer: 'rev-7f3a',
});

describe('HTML report in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
  });
  afterAll(async () => browser?.close());

  test('shows findings, images and the disclaimer, fetches nothing and passes axe-core', async () => {
    const previews = ['ser1/ins1', 'ser1/ins2'].map((imageRef, i) => ({
      imageRef,
      mimeType: 'image/png',
      bytes: makePng(64, 48, (x, y) => ((x + y + i * 40) % 256)),
      description: `Preview of image ${imageRef}`,
    }));
    const html = buildHtmlReport(input, { modality: 'CR', bodyPart: 'CHEST', imageCount: 2, previews });
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith('data:')) requests.push(request.url());
    });
    try {
      await page.setContent(html, { waitUntil: 'load' });
      const findings = page.getByRole('table', { name: 'AI findings with confidence' });
      await expect(findings.isVisible()).resolves.toBe(true);
      const text = await findings.innerText();
      for (const expected of ['Pneumothorax', '93%', 'Cardiomegaly', '61%', 'cxr-classifier 3.1']) expect(text).toContain(expected);
      await expect(page.getByText(AI_DISCLAIMER).isVisible()).resolves.toBe(true);
      const images = page.getByRole('img');
      await expect(images.count()).resolves.toBe(2);
      // Decoded data: URIs have a natural size: the CSP lets them through.
      const sizes = await page.$$eval('img', (imgs) => imgs.map((img) => (img as unknown as { naturalWidth: number }).naturalWidth));
      expect(sizes).toEqual([64, 64]);
      await expect(page.getByRole('img', { name: 'Preview of image ser1/ins1' }).isVisible()).resolves.toBe(true);
      expect(await page.locator('body').innerText()).toContain('URGENT');
      expect(requests).toEqual([]);

      fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(fs.statSync(SCREENSHOT).size).toBeGreaterThan(1000);

      await page.evaluate(fs.readFileSync(require.resolve('axe-core'), 'utf8'));
      const violations = await page.evaluate(async () => {
        const inBrowser = globalThis as any;
        const results = await inBrowser.axe.run(inBrowser.document);
        return { passed: results.passes.length, found: results.violations.map((v: any) => ({ id: v.id, impact: v.impact })) };
      });
      expect(violations.passed).toBeGreaterThan(10); // axe really ran its rules
      expect(violations.found.filter((v: { impact: string }) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
    } finally {
      await page.close();
    }
  });

  test('the Content-Security-Policy blocks a fetch the markup might attempt', async () => {
    const hostile = buildHtmlReport(input).replace('</main>', '<img src="http://127.0.0.1:9/x.png" alt="probe"></main>');
    const page = await browser.newPage();
    const answered: string[] = [];
    page.on('response', (response) => answered.push(response.url()));
    const failures: string[] = [];
    page.on('requestfailed', (request) => failures.push(`${request.url()} ${request.failure()?.errorText ?? ''}`));
    const consoleLines: string[] = [];
    page.on('console', (message) => consoleLines.push(message.text()));
    try {
      await page.setContent(hostile, { waitUntil: 'load' });
      // Chromium refuses it before it leaves the page: no response, a CSP block.
      expect(answered.filter((url) => url.startsWith('http://127.0.0.1:9'))).toEqual([]);
      expect(failures.join('\n')).toContain('http://127.0.0.1:9/x.png');
      expect(`${failures.join('\n')}\n${consoleLines.join('\n')}`).toMatch(/BLOCKED_BY_CSP|Content Security Policy/);
    } finally {
      await page.close();
    }
  });
});
