#!/usr/bin/env node
// Saves a PNG of a report.html as headless Chromium renders it (for the README's screenshot):
//   node scripts/report-screenshot.mjs reports/<run-id>/report.html docs/report.png [width]
import { chromium } from 'playwright-core';

const [file, png, width = '1400'] = process.argv.slice(2);
if (!file || !png) {
  process.stderr.write('usage: report-screenshot.mjs <report.html> <out.png> [width]\n');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--no-first-run', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: Number(width), height: 1000 } });
  await page.goto(new URL(file, `file://${process.cwd()}/`).href);
  await page.screenshot({ path: png, fullPage: true });
} finally {
  await browser.close();
}
