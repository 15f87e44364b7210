/** Writes public/demo.csv, the demo spectrum as a file (run: npx tsx scripts/make-demo.ts). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoCsv } from '../src/core/data/demo';

const out = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'demo.csv');
mkdirSync(dirname(out), { recursive: true });
const csv = demoCsv(1);
writeFileSync(out, csv);
console.log(`wrote ${out} (${csv.split('\n').length - 2} points)`);
