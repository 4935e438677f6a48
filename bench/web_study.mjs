// Measures the study page in a real headless Chromium (playwright-core, Debian's chromium):
// called by bench/web_study.py with a running server, a session and a study to open.
// Prints one JSON object: the JS the page loaded, time to interactive, and the cost of
// one → step read from Chromium's own counters.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const { chromium } = createRequire(join(here, '..', 'web', 'package.json'))('playwright-core');
const [base, sessionJson, studyId, chapterId, stepsArg, loadsArg] = process.argv.slice(2);
const STEPS = Number(stepsArg ?? 150);
const LOADS = Number(loadsArg ?? 5);
const url = `${base}/s/${studyId}/${chapterId}`;

// playwright gives the browser a fresh temporary profile of its own.
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
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
    if (process.env.BENCH_DEBUG) {
      const timeline = await page.evaluate(() =>
        performance.getEntries().map((e) => `${e.entryType} ${e.name.replace(location.origin, '').slice(0, 60)} ${Math.round(e.startTime)}-${Math.round(e.startTime + e.duration)}`),
      );
      console.error(timeline.join('\n'));
    }
    await page.close();
    await fresh.close();
  }

  // Stepping: trusted → presses, one at a time. For each, the main-thread work it causes:
  // the key handler with the render it triggers (up to the end of its microtasks), plus the
  // next frame (chessground's redraw, style, layout, paint), up to the first task after
  // that frame. The wait for the frame itself (vsync) is not counted.
  const { page } = await openPage(context);
  await page.evaluate(() => {
    window.__steps = [];
    document.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowRight') return;
      const step = { start: performance.now(), handled: 0 };
      window.__step = step;
      requestAnimationFrame(() => {
        const frame = performance.now();
        const channel = new MessageChannel();
        channel.port1.onmessage = () => window.__steps.push(step.handled - step.start + (performance.now() - frame));
        channel.port2.postMessage(0);
      });
    }, { capture: true });
    window.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowRight') return;
      const step = window.__step;
      queueMicrotask(() => (step.handled = performance.now()));
    });
  });
  await page.keyboard.press('Home');
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const metric = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
  };
  const before = await metric();
  for (let i = 0; i < STEPS; i++) {
    await page.keyboard.press('ArrowRight');
    // Wait for the step's measure without polling on every frame (that would be measured).
    await page.evaluate(
      (n) => new Promise((done) => {
        const check = () => (window.__steps.length >= n ? done(undefined) : setTimeout(check, 25));
        check();
      }),
      i + 1,
    );
  }
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 300))));
  const after = await metric();
  const steps = await page.evaluate(() => window.__steps);
  const at = await page.evaluate(() => document.querySelector('.study-page')?.getAttribute('data-at'));
  const sorted = [...steps].sort((a, b) => a - b);
  const per = (name) => ((after[name] - before[name]) * 1000) / STEPS;
  console.log(
    JSON.stringify({
      scripts,
      tti_ms: ttis,
      tti_median_ms: median(ttis),
      steps: steps.length,
      step_median_ms: median(steps),
      step_p95_ms: sorted[Math.floor(sorted.length * 0.95)],
      step_max_ms: sorted.at(-1),
      step_script_ms: per('ScriptDuration'),
      step_layout_ms: per('LayoutDuration') + per('RecalcStyleDuration'),
      at_end: at,
      all_steps: process.env.BENCH_DEBUG ? steps.map((x) => Math.round(x * 10) / 10) : undefined,
    }),
  );
} finally {
  await browser.close();
}
