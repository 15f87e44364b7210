// npm test: type-check, unit tests (Vitest), build, end-to-end tests (Playwright in Debian's Chromium),
// then one closing line "N passed, N failed" with the totals of both runners.
import { spawnSync } from 'node:child_process';
import { readFileSync, mkdirSync, existsSync, rmSync } from 'node:fs';
import { ensureChromium } from './ensure-chromium.mjs';

ensureChromium();
// Playwright wipes its outputDir (test-results/), so the runners' summaries live in test-reports/
rmSync('test-reports', { recursive: true, force: true });
mkdirSync('test-reports', { recursive: true });

function run(label, cmd, args, env = {}) {
  console.log(`\n=== ${label}: ${cmd} ${args.join(' ')}`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  console.log(`=== ${label}: exit ${r.status} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return r.status ?? 1;
}

const node = process.execPath;
let failedSteps = 0;
failedSteps += run('typecheck', node, ['node_modules/typescript/bin/tsc', '--noEmit']) !== 0 ? 1 : 0;
const unitStatus = run('unit tests', node, [
  'node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=test-reports/vitest.json',
]);
failedSteps += run('build', node, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn']) !== 0 ? 1 : 0;
const e2eStatus = run('end-to-end tests', node, ['node_modules/@playwright/test/cli.js', 'test']);

let passed = 0;
let failed = 0;
if (existsSync('test-reports/vitest.json')) {
  const v = JSON.parse(readFileSync('test-reports/vitest.json', 'utf8'));
  passed += v.numPassedTests ?? 0;
  failed += v.numFailedTests ?? 0;
} else if (unitStatus !== 0) failed += 1;
if (existsSync('test-reports/playwright.json')) {
  const p = JSON.parse(readFileSync('test-reports/playwright.json', 'utf8'));
  passed += p.stats?.expected ?? 0;
  failed += (p.stats?.unexpected ?? 0) + (p.stats?.flaky ?? 0);
} else if (e2eStatus !== 0) failed += 1;
if (unitStatus !== 0 && failed === 0) failed += 1;
if (e2eStatus !== 0 && failed === 0) failed += 1;

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 || failedSteps > 0 || unitStatus !== 0 || e2eStatus !== 0 ? 1 : 0);
