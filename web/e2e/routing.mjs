// The resident page and the planner map on data with a road network (the Delft wijken
// and the TU Delft OpenStreetMap extract, tests/web_map_routing.rs), in Debian's
// Chromium: walking and cycling times along the network in the resident's list, and
// what is reachable within some minutes drawn on both maps, with a legend and words.
// Usage: node e2e/routing.mjs BASE_URL OUT_DIR. Exits non-zero on the first failed
// check; the last line printed is a JSON summary.

import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [base, out] = process.argv.slice(2);
if (!base || !out) {
  console.error('usage: node e2e/routing.mjs BASE_URL OUT_DIR');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const summary = { checks: 0, axe: {}, reach: {} };
function check(ok, what, detail = '') {
  summary.checks += 1;
  if (!ok) throw new Error(`FAILED: ${what}${detail ? `: ${detail}` : ''}`);
  console.log(`ok ${summary.checks} - ${what}${detail ? ` (${detail})` : ''}`);
}

// A point on the TU Delft campus (Mekelweg), inside the extract.
const CAMPUS = { latitude: 51.999, longitude: 4.3713 };
// The reach's line colour (web/src/isochrone.ts), to find it in the map's pixels.
const MAGENTA = [176, 0, 106];

const profile = join(tmpdir(), `wijkatlas-e2e-routing-${process.pid}`);
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1400, height: 900 },
  locale: 'nl-NL',
  args: [
    '--headless', '--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--no-first-run', '--disable-quic',
  ],
});

/** A page that records console errors and failed requests to our own server, except
 * those a check provokes on purpose (`expected`). */
async function open(path, expected = /^$/) {
  const page = await browser.newPage();
  page.problems = [];
  page.on('console', (m) => m.type() === 'error' && !/api\.pdok\.nl|pdok|ERR_NAME_NOT_RESOLVED|ERR_INTERNET_DISCONNECTED|status of 400/.test(m.text()) && page.problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  page.on('response', (r) => r.url().startsWith(base) && r.status() >= 400 && !expected.test(r.url()) && page.problems.push(`HTTP ${r.status()} ${r.url()}`));
  await page.goto(base + path);
  await page.waitForFunction(() => document.body.dataset.klaar === 'ja', null, { timeout: 60_000 });
  return page;
}

const idle = (page) => page.evaluate(() => new Promise((r) => {
  const map = window.wijkatlas.map;
  map.once('idle', r);
  map.triggerRepaint();
}));

/** How many of the map's pixels are the reach's magenta, read in a render event while
 * the frame is still in the buffer (the resident map does not keep it). */
const magentaPixels = (page) => page.evaluate((target) => new Promise((resolve) => {
  const map = window.wijkatlas.map;
  map.once('render', () => {
    const c = map.getCanvas();
    const copy = document.createElement('canvas');
    copy.width = c.width;
    copy.height = c.height;
    const g = copy.getContext('2d');
    g.drawImage(c, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - target[0]) < 30 && d[i + 1] < 40 && Math.abs(d[i + 2] - target[2]) < 30) n += 1;
    resolve({ magenta: n, of: c.width * c.height });
  });
  map.triggerRepaint();
}), MAGENTA);

/** The reach's features on the map: in its source, and drawn in view. */
const reachOnMap = (page) => page.evaluate(() => {
  const map = window.wijkatlas.map;
  if (!map.getLayer('bereik-lijn')) return { layer: false, drawn: 0, lines: 0, km: 0 };
  const f = map.getSource('bereik').serialize().data.features?.[0];
  const lines = f?.geometry?.coordinates?.length ?? 0;
  return { layer: true, drawn: map.queryRenderedFeatures({ layers: ['bereik-lijn'] }).length, lines, km: (f?.properties?.lengte_m ?? 0) / 1000 };
});

async function axe(page, name) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() => window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }));
  const violations = result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.length}× ${v.help} — ${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join('; ')}`);
  summary.axe[name] = { violations: violations.length, passes: result.passes.length };
  check(violations.length === 0, `${name}: axe finds no WCAG 2.1 A/AA violations`, violations.join(' | ') || `${result.passes.length} rules pass`);
}

function noProblems(page, name) {
  check(page.problems.length === 0, `${name}: no console errors or failed requests`, page.problems.join(' | '));
}

try {
  // ---- resident page ------------------------------------------------------------------
  await browser.grantPermissions(['geolocation'], { origin: base });
  await browser.setGeolocation(CAMPUS);
  const resident = await open('/bewoner');
  const before = await resident.evaluate(() => ({ hidden: document.getElementById('bereik').hidden, words: document.getElementById('afstanden-uitleg').textContent }));
  check(before.hidden && /over de weg/.test(before.words) && /OpenStreetMap/.test(before.words), 'resident: the page says times are along the roads; the reach form waits for a place', before.words);
  await resident.click('#mijn-locatie');
  await resident.waitForSelector('.diensten li', { timeout: 30_000 });
  const items = await resident.evaluate(() => [...document.querySelectorAll('.diensten')].map((ol) => [...ol.querySelectorAll('li')].map((li) => ({ text: li.textContent.replace(/\s+/g, ' ').trim(), walk: li.dataset.lopenMin }))));
  const all = items.flat();
  const timed = all.filter((i) => /Lopen \d+ min \([\d.,]+ k?m over de weg\)/.test(i.text) && /Fietsen (\d+|minder dan 1) min/.test(i.text));
  check(all.length > 0 && timed.length >= all.length / 2 && all.every((i) => /hemelsbreed/.test(i.text) && /Lopen/.test(i.text) && /Fietsen/.test(i.text)),
    'resident: each service has walking and cycling times over the road, and the straight line', `${timed.length} of ${all.length} with both times; e.g. "${all[0]?.text.slice(0, 140)}"`);
  const missing = all.filter((i) => !/Lopen \d+ min/.test(i.text));
  check(missing.every((i) => /geen tijd over de weg \(/.test(i.text)), 'resident: where a time is missing the page says why', missing.length ? missing[0].text.slice(0, 140) : 'every service has a walking time');
  check(items.every((list) => list.every((i, k) => k === 0 || i.walk === '' || list[k - 1].walk === '' ? true : Number(i.walk) >= Number(list[k - 1].walk))), 'resident: per category the quickest on foot first', items.map((l) => l.map((i) => i.walk || '–').join(' ≤ ')).join(' | '));
  const message = await resident.locator('#melding').textContent();
  check(/over de weg/.test(message), 'resident: the message says the times are over the road', message.trim());
  summary.resident = { services: all.length, timed: timed.length };

  check(!(await resident.evaluate(() => document.getElementById('bereik').hidden)), 'resident: with a place found, the reach form is offered');
  await resident.click('.naar-bereik a');
  check((await resident.evaluate(() => document.activeElement?.id)) === 'bereik-titel', 'resident: the link at the top of the list leads to the reach form');
  await resident.check('input[name="bereik-modus"][value="lopen"]');
  await resident.selectOption('#bereik-minuten', '15');
  await resident.click('#bereik-form button[type="submit"]');
  await resident.waitForFunction(() => /aan wegen en paden|kon niet/.test(document.getElementById('bereik-tekst').textContent), null, { timeout: 30_000 });
  await idle(resident);
  const words = await resident.locator('#bereik-tekst').textContent();
  check(/Binnen 15 minuten lopen vanaf uw locatie: [\d.,]+ km aan wegen en paden/.test(words), 'resident: the reach is said in words (its text alternative)', words.trim());
  const residentReach = await reachOnMap(resident);
  check(residentReach.layer && residentReach.lines > 10 && residentReach.drawn > 0, 'resident: the reach is a line layer with features on the map', `${residentReach.lines} lines, ${residentReach.drawn} drawn features`);
  const residentPixels = await magentaPixels(resident);
  check(residentPixels.magenta > 500, 'resident: the reach\'s lines are on the screen', `${residentPixels.magenta} magenta pixels of ${residentPixels.of}`);
  const legend = await resident.locator('.kaart-legenda').textContent();
  check(/bereikbaar binnen 15 min lopen/.test(legend) && /uw plek/.test(legend), 'resident: the map has a legend for the reach', legend.trim());
  summary.reach.resident = { lines: residentReach.lines, km: residentReach.km, pixels: residentPixels.magenta, words: words.trim() };
  await resident.screenshot({ path: join(out, 'resident-network.png') });
  await axe(resident, 'resident with network times and reach');
  // The top of the list beside the same map, as the resident first sees it.
  await resident.evaluate(() => (document.querySelector('.bewoner-indeling > section').scrollTop = 0));
  await resident.screenshot({ path: join(out, 'resident-network-list.png') });
  noProblems(resident, 'resident');

  // On a phone: the times and the form fit the width, every button is big enough.
  const phone = await browser.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.goto(`${base}/bewoner`);
  await phone.waitForFunction(() => document.body.dataset.klaar === 'ja', null, { timeout: 60_000 });
  await phone.click('#mijn-locatie');
  await phone.waitForSelector('.diensten li', { timeout: 30_000 });
  await phone.click('#bereik-form button[type="submit"]');
  await phone.waitForFunction(() => /aan wegen en paden|kon niet/.test(document.getElementById('bereik-tekst').textContent), null, { timeout: 30_000 });
  const fit = await phone.evaluate(() => ({
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    small: [...document.querySelectorAll('#bereik button, #bereik select, #bereik label.keuze')].map((el) => el.getBoundingClientRect()).filter((r) => r.width < 44 || r.height < 44).length,
  }));
  check(fit.overflow <= 0 && fit.small === 0, 'resident on a phone: the times and the reach form fit, with targets of 44 px', `${fit.overflow} px overflow, ${fit.small} small targets`);
  await phone.screenshot({ path: join(out, 'resident-network-phone.png'), fullPage: true });
  await phone.close();

  // ---- planner map --------------------------------------------------------------------
  const planner = await open('/kaart', /\/api\/isochrone/);
  check(!(await planner.evaluate(() => document.getElementById('bereik').hidden)), 'planner: with a network loaded, the reach control is in the sidebar');
  const modes = await planner.evaluate(() => [...document.querySelectorAll('#bereik-modus option')].map((o) => o.value));
  check(modes.includes('lopen') && modes.includes('fietsen'), 'planner: the reach offers the modes loaded', modes.join(', '));

  // Far from the extract's roads: the server's 400 is said in the sidebar.
  const click = async (lon, lat) => {
    const at = await planner.evaluate(([x, y]) => window.wijkatlas.map.project([x, y]), [lon, lat]);
    const box = await planner.locator('#kaart canvas').boundingBox();
    await planner.mouse.click(box.x + at.x, box.y + at.y);
  };
  const selectedBefore = await planner.evaluate(() => window.wijkatlas.state.selected);
  await planner.click('#bereik-kies');
  // Delft's north, inside a loaded wijk but more than 500 m from any road of the extract.
  await click(4.36, 52.025);
  await planner.waitForFunction(() => /kon niet/.test(document.getElementById('bereik-status').textContent), null, { timeout: 30_000 });
  const refused = await planner.evaluate(() => ({ text: document.getElementById('bereik-status').textContent, error: document.getElementById('bereik-status').classList.contains('fout'), selected: window.wijkatlas.state.selected }));
  check(refused.error && /geen weg of pad/.test(refused.text) && refused.selected === selectedBefore, 'planner: a point off the network is refused with the server\'s reason, and selects no area', refused.text);

  await planner.selectOption('#bereik-modus', 'fietsen');
  await planner.selectOption('#bereik-minuten', '10');
  await planner.click('#bereik-kies');
  await click(CAMPUS.longitude, CAMPUS.latitude);
  await planner.waitForFunction(() => /aan wegen en paden|kon niet/.test(document.getElementById('bereik-status').textContent), null, { timeout: 30_000 });
  await idle(planner);
  const status = await planner.locator('#bereik-status').textContent();
  check(/Binnen 10 minuten fietsen vanaf het gekozen punt: [\d.,]+ km aan wegen en paden/.test(status), 'planner: the reach from a picked point is said in words', status.trim());
  const plannerReach = await reachOnMap(planner);
  check(plannerReach.layer && plannerReach.lines > 10 && plannerReach.km > residentReach.km && plannerReach.drawn > 0, 'planner: the reach is drawn (10 minutes cycling reaches more road than 15 walking)', `${plannerReach.lines} lines, ${plannerReach.km.toFixed(1)} km cycling against ${residentReach.km.toFixed(1)} km walking`);
  const plannerPixels = await magentaPixels(planner);
  check(plannerPixels.magenta > 500, 'planner: the reach\'s lines are on the screen', `${plannerPixels.magenta} magenta pixels`);
  const plannerLegend = await planner.locator('#legenda').textContent();
  check(/bereikbaar binnen 10 min fietsen/.test(plannerLegend), 'planner: the legend has the reach\'s entry', plannerLegend.replace(/\s+/g, ' ').match(/Bereik.*/)?.[0] ?? plannerLegend.slice(-80));
  const layerOrder = await planner.evaluate(() => window.wijkatlas.map.getStyle().layers.map((l) => l.id));
  check(layerOrder.indexOf('bereik-lijn') < layerOrder.indexOf('voorzieningen-punt') && layerOrder.indexOf('bereik-lijn') > layerOrder.indexOf('gebieden-vlak'), 'planner: the reach lies over the areas and under the facilities');
  summary.reach.planner = { lines: plannerReach.lines, km: plannerReach.km, pixels: plannerPixels.magenta, words: status.trim() };
  await planner.screenshot({ path: join(out, 'planner-network.png') });
  await axe(planner, 'planner with reach');

  // From a facility: its popup offers the reach from there.
  const facility = await planner.evaluate(() => {
    const m = window.wijkatlas.map;
    const f = m.queryRenderedFeatures({ layers: ['voorzieningen-punt'] }).find((x) => !x.properties.gesloten);
    if (!f) return null;
    const p = m.project(f.geometry.coordinates);
    return { x: p.x, y: p.y, naam: f.properties.naam };
  });
  check(Boolean(facility), 'planner: a facility is in view', facility?.naam);
  const box = await planner.locator('#kaart canvas').boundingBox();
  await planner.mouse.click(box.x + facility.x, box.y + facility.y);
  await planner.locator('.maplibregl-popup .bereik-hier').click();
  await planner.waitForFunction((naam) => document.getElementById('bereik-status').textContent.includes(`vanaf ${naam}`) && /aan wegen en paden|kon niet/.test(document.getElementById('bereik-status').textContent), facility.naam, { timeout: 30_000 });
  const fromFacility = await planner.locator('#bereik-status').textContent();
  check(/aan wegen en paden/.test(fromFacility), 'planner: "Bereik vanaf hier" on a facility draws its reach', fromFacility.trim());
  await planner.click('#bereik-wis');
  const cleared = await reachOnMap(planner);
  check(!cleared.layer && !/Bereik/.test(await planner.locator('#legenda').textContent()), 'planner: "Wis" takes the reach and its legend entry away');
  noProblems(planner, 'planner');

  console.log(JSON.stringify(summary));
} catch (e) {
  console.error(e.message ?? e);
  process.exitCode = 1;
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
