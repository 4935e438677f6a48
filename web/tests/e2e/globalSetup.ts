// Starts what the end-to-end tests run against, once per run:
// - `catachess serve` on a free port, serving web/dist, with the embedded PostgreSQL in a
//   temporary directory (a fresh database every run) and cheap Argon2;
// - one headless Chromium (Debian's /usr/bin/chromium via playwright-core) that every
//   test file connects to; each test gets its own browser context.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, rmSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserServer } from 'playwright-core';
import type { TestProject } from 'vitest/node';

const WEB = resolve(import.meta.dirname, '../..');
const ROOT = resolve(WEB, '..');
export const RESULTS = join(WEB, 'test-results');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    browserWsEndpoint: string;
  }
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? ok(address.port) : fail(new Error('no port'))));
    });
  });
}

async function waitReady(url: string, server: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`catachess serve exited with ${server.exitCode}; see ${log}`);
    try {
      const response = await fetch(`${url}/ready`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`catachess serve did not become ready in 90 s; see ${log}`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!existsSync(join(WEB, 'dist', 'index.html'))) throw new Error('web/dist is missing: run `npm run build` first');
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (scripts/test does it)`);
  const catachess = process.env.CATACHESS_BIN ?? join(ROOT, '.venv', 'bin', 'catachess');
  mkdirSync(RESULTS, { recursive: true });
  const data = mkdtempSync(join(tmpdir(), 'catachess-e2e-'));
  // The embedded PostgreSQL runs as an unprivileged user when started by root.
  chmodSync(data, 0o755);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const log = join(RESULTS, 'server.log');
  const out = openSync(log, 'w');
  const server = spawn(catachess, ['serve', '--host', '127.0.0.1', '--port', String(port)], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: '',
      CATACHESS_DATA_DIR: join(data, 'data'),
      CATACHESS_WEB_DIST: join(WEB, 'dist'),
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
      MAINTENANCE_INTERVAL: '0',
      LOG_LEVEL: 'WARNING',
      LOG_FORMAT: 'json',
    },
    stdio: ['ignore', out, out],
  });
  // playwright gives the browser a fresh temporary profile (its --user-data-dir) itself.
  const browser: BrowserServer = await chromium.launchServer({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  try {
    await waitReady(baseUrl, server, log);
  } catch (error) {
    server.kill('SIGTERM');
    await browser.close();
    throw error;
  }
  project.provide('baseUrl', baseUrl);
  project.provide('browserWsEndpoint', browser.wsEndpoint());
  return async () => {
    await browser.close();
    if (server.exitCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      const killer = setTimeout(() => server.kill('SIGKILL'), 15_000);
      server.kill('SIGTERM');
      await exited;
      clearTimeout(killer);
    }
    rmSync(data, { recursive: true, force: true });
  };
}
