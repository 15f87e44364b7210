import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: ".",
  testMatch: "**/*.bench.ts",
  timeout: 300_000,
  workers: 1,
  reporter: [['json', { outputFile: 'out/playwright-bench.json' }]],
  outputDir: "out/test-results",
  use: {
    baseURL: 'http://127.0.0.1:4174',
    viewport: { width: 1400, height: 900 },
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  webServer: {
    command: 'node node_modules/vite/bin/vite.js preview --host 127.0.0.1 --port 4174 --strictPort',
    url: 'http://127.0.0.1:4174',
    cwd: '..',
    reuseExistingServer: !process.env.CI,
    timeout: 30_000,
  },
});
