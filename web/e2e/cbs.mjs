// End-to-end run of the planner on data with CBS's distances and no voorziening (the
// SYNTHETIC national-size 2024 GeoPackage of tests/common/national_gpkg.rs): the page
// loads without a voorzieningen collection, offers the huisarts category from CBS's
// figures, says so in the legend and keeps the what-if buttons off.
// Usage: node e2e/cbs.mjs BASE_URL OUT_DIR. Exits non-zero on the first failed check.

import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [base, out] = process.argv.slice(2);
if (!base || !out) {
  console.error('usage: node e2e/cbs.mjs BASE_URL OUT_DIR');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
let checks = 0;
function check(ok, what, detail = '') {
  checks += 1;
  if (!ok) throw new Error(`FAILED: ${what}${detail ? `: ${detail}` : ''}`);
  console.log(`ok ${checks} - ${what}${detail ? ` (${detail})` : ''}`);
}

const browser = await chromium.launchPersistentContext(join(tmpdir(), `wijkatlas-e2e-cbs-${process.pid}`), {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1440, height: 900 },
  locale: 'nl-NL',
  args: [
    '--headless', '--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--no-first-run', '--disable-quic',
  ],
});
try {
  const page = await browser.newPage();
  await page.goto(`${base}/kaart#categorie=huisarts&laag=gap&kaart=9.00/52.0/5.0`);
  await page.waitForFunction(() => window.wijkatlas?.map && document.getElementById('ranglijst')?.children.length > 0, null, { timeout: 60_000 });
  await page.evaluate(() => new Promise((r) => window.wijkatlas.map.once('idle', r)));
  const seen = await page.evaluate(() => ({
    status: document.getElementById('melding')?.textContent ?? '',
    option: document.querySelector('#categorie option:checked')?.textContent ?? '',
    legend: document.getElementById('legenda')?.innerText ?? '',
    whatIf: document.getElementById('wat-als-cbs')?.textContent ?? '',
    placeDisabled: document.getElementById('plaats')?.disabled,
    suggestDisabled: document.getElementById('stel-voor')?.disabled,
    ranked: document.getElementById('ranglijst')?.children.length ?? 0,
  }));
  await page.screenshot({ path: join(out, 'cbs-gap.png') });
  check(!seen.status.includes('kon niet'), 'the page loads without a voorzieningen collection', seen.status);
  check(seen.option.includes('afstand volgens CBS'), 'the category list says whose distance it is', seen.option);
  check(seen.legend.includes('afstand volgens CBS'), 'the legend says the distance is CBS\'s');
  check(seen.placeDisabled && seen.suggestDisabled && seen.whatIf.includes('CBS'), 'what-if and suggestions are off, and why', seen.whatIf);
  check(seen.ranked > 0, 'the ranking lists underserved buurten', `${seen.ranked} shown`);
  console.log(JSON.stringify({ checks }));
} finally {
  await browser.close();
}
