// The planner over a self-hosted basemap (`--basemap-file`), in Debian's Chromium.
// Usage: node e2e/basemap.mjs BASE_URL OUT_DIR. The server's file is a synthetic
// fixture of plain grey tiles (200, 200, 200): where the map shows no area of ours, the
// pixels must be that grey, not the map's own water colour.
import { chromium } from 'playwright-core';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [base, out] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const summary = { checks: 0 };
function check(ok, what, detail = '') {
  summary.checks += 1;
  if (!ok) throw new Error(`FAILED: ${what}${detail ? `: ${detail}` : ''}`);
  console.log(`ok ${summary.checks} - ${what}${detail ? ` (${detail})` : ''}`);
}

const profile = join(tmpdir(), `wijkatlas-basemap-${process.pid}`);
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1200, height: 800 },
  args: ['--headless', '--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
try {
  const page = await browser.newPage();
  const problems = [];
  const tiles = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('response', (r) => r.url().includes('/basemap/') && tiles.push(r.status()));
  await page.goto(`${base}/kaart`);
  await page.waitForFunction(() => document.body.dataset.klaar === 'ja', null, { timeout: 60_000 });
  await page.evaluate(() => new Promise((r) => (window.wijkatlas.map.loaded() ? r() : window.wijkatlas.map.once('idle', r))));
  const seen = await page.evaluate(() => {
    const m = window.wijkatlas.map;
    const c = document.createElement('canvas');
    const src = m.getCanvas();
    c.width = src.width;
    c.height = src.height;
    const g = c.getContext('2d');
    g.drawImage(src, 0, 0);
    // The North Sea off Noord-Holland: inside the file's bounds, outside every area.
    const p = m.project([3.6, 53.2]);
    const [r, gr, b] = g.getImageData(Math.round(p.x * devicePixelRatio), Math.round(p.y * devicePixelRatio), 1, 1).data;
    return { layer: Boolean(m.getLayer('basemap')), pixel: [r, gr, b], attribution: document.querySelector('.maplibregl-ctrl-attrib')?.textContent ?? '', notes: document.querySelectorAll('.kaart-melding').length };
  });
  check(seen.layer && seen.notes === 0, 'self-hosted basemap: the map draws it and says nothing is unreachable');
  check(tiles.length > 0 && tiles.every((s) => s === 200 || s === 204), 'self-hosted basemap: its tiles come from this server', `${tiles.length} tiles, statuses ${[...new Set(tiles)].join(', ')}`);
  check(seen.pixel.every((v) => Math.abs(v - 200) <= 3), 'self-hosted basemap: its grey shows where the map has no area', `pixel ${seen.pixel.join(', ')}`);
  check(/Synthetische testkaart/.test(seen.attribution), 'self-hosted basemap: its attribution is on the map', seen.attribution.slice(0, 100));
  check(problems.length === 0, 'self-hosted basemap: no console errors', problems.join(' | '));
  await page.screenshot({ path: join(out, 'planner-basemap-file.png') });
  console.log(JSON.stringify(summary));
} catch (e) {
  console.error(e.message ?? e);
  process.exitCode = 1;
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
