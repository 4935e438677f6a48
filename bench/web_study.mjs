// Measures the study page in a real headless Chromium (playwright-core, Debian's chromium):
// called by bench/web_study.py with a running server, a session and a study to open.
// Prints one JSON object: the JS the page loaded, time to interactive, and the cost of
// one → step read from Chromium's own counters.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const { chromium } = createRequire(join(here, '..', 'web', 'package.json'))('playwright-core');
const [base, sessionJson, studyId, chapterId, stepsArg, loadsArg] = process.argv.slice(2);
const STEPS = Number(stepsArg ?? 150);
const LOADS = Number(loadsArg ?? 5);
const url = `${base}/s/${studyId}/${chapterId}`;

const profile = mkdtempSync(join(tmpdir(), 'cc-bench-chromium-'));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    `--user-data-dir=${profile}`,
  ],
});

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function openPage(context) {
  const page = await context.newPage();
  const started = Date.now();
  await page.goto(url);
  // Interactive: the chapter's move list is drawn and the board holds its pieces.
  await page.waitForSelector('.study-page[data-loading="false"] .moves .move', { timeout: 30_000 });
  await page.waitForSelector('.cg-wrap piece');
  // The page marks the frame in which the chapter first stood drawn (StudyPage.tsx).
  await page.waitForFunction(() => performance.getEntriesByName('study:interactive').length > 0);
  const tti = await page.evaluate(() => performance.getEntriesByName('study:interactive')[0].startTime);
  return { page, tti, wall: Date.now() - started };
}

try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript((session) => localStorage.setItem('catachess.session', session), sessionJson);
  // A first load fills the HTTP cache as a returning user has it; then cold-cache loads.
  const warm = await openPage(context);
  const scripts = await warm.page.evaluate(() =>
    performance.getEntriesByType('resource').filter((e) => e.initiatorType === 'script' || e.name.endsWith('.js')).map((e) => new URL(e.name).pathname),
  );
  await warm.page.close();
  const ttis = [];
  for (let i = 0; i < LOADS; i++) {
    const fresh = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await fresh.addInitScript((session) => localStorage.setItem('catachess.session', session), sessionJson);
    const { page, tti } = await openPage(fresh);
    ttis.push(tti);
    await page.close();
    await fresh.close();
  }

  // Stepping: trusted key presses; Chromium's main-thread task time per press, and the
  // Event Timing API's input-to-next-paint duration of each keydown.
  const { page } = await openPage(context);
  await page.evaluate(() => {
    window.__slowKeys = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (e.name === 'keydown') window.__slowKeys.push(e.duration);
    }).observe({ type: 'event', durationThreshold: 16, buffered: false });
  });
  await page.keyboard.press('Home');
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const metric = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
  };
  const before = await metric();
  const wallStart = Date.now();
  for (let i = 0; i < STEPS; i++) await page.keyboard.press('ArrowRight');
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 300))));
  const after = await metric();
  const wall = Date.now() - wallStart - 300;
  const plies = await page.evaluate(() => document.querySelector('.study-page')?.getAttribute('data-at'));
  const slow = await page.evaluate(() => window.__slowKeys);
  const per = (name) => ((after[name] - before[name]) * 1000) / STEPS;
  console.log(
    JSON.stringify({
      scripts,
      tti_ms: ttis,
      tti_median_ms: median(ttis),
      steps: STEPS,
      step_task_ms: per('TaskDuration'),
      step_script_ms: per('ScriptDuration'),
      step_layout_ms: per('LayoutDuration') + per('RecalcStyleDuration'),
      step_wall_ms: wall / STEPS,
      keydowns_over_16ms: slow.length,
      slowest_keydown_ms: slow.length ? Math.max(...slow) : 0,
      at_end: plies,
    }),
  );
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
