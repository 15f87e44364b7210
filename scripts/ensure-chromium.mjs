// Makes sure Debian's Chromium is at /usr/bin/chromium (Playwright never downloads a browser here).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export function ensureChromium() {
  if (existsSync('/usr/bin/chromium')) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const command = 'apt-get update && apt-get install -y chromium';
  if (!isRoot) {
    console.error(`/usr/bin/chromium is missing. Install Debian's Chromium first:\n  sudo sh -c '${command}'`);
    process.exit(1);
  }
  console.log(`/usr/bin/chromium is missing: running "${command}"`);
  const r = spawnSync('sh', ['-c', `DEBIAN_FRONTEND=noninteractive ${command}`], { stdio: 'inherit' });
  if (r.status !== 0 || !existsSync('/usr/bin/chromium')) {
    console.error(`Installing chromium failed. Run as root:\n  ${command}`);
    process.exit(1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) ensureChromium();
