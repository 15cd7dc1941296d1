// End-to-end test of the web map in Debian's Chromium, driven by Playwright, as a
// person would use it. Usage: node e2e/run.mjs BASE_URL OUT_DIR
// Exits non-zero on the first failed check; screenshots and downloads go to OUT_DIR;
// the last line printed is a JSON summary with the timings measured.

import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const [base, out] = process.argv.slice(2);
if (!base || !out) {
  console.error('usage: node e2e/run.mjs BASE_URL OUT_DIR');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const summary = { checks: 0, timings: {}, axe: {} };
function check(ok, what, detail = '') {
  summary.checks += 1;
  if (!ok) throw new Error(`FAILED: ${what}${detail ? `: ${detail}` : ''}`);
  console.log(`ok ${summary.checks} - ${what}${detail ? ` (${detail})` : ''}`);
}

const profile = join(tmpdir(), `wijkatlas-e2e-${process.pid}`);
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  acceptDownloads: true,
  viewport: { width: 1400, height: 900 },
  locale: 'nl-NL',
  args: [
    '--headless', '--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--no-first-run', '--disable-quic',
  ],
});

/** A page that records console errors and failed requests to our own server. */
async function open(path, viewport, { script = true } = {}) {
  const page = await browser.newPage();
  if (viewport) await page.setViewportSize(viewport);
  page.problems = [];
  // The map's worker fetches the tiles; Playwright reports a worker's requests here too.
  page.tileZooms = [];
  page.on('request', (r) => {
    const m = r.url().match(/\/tiles\/WebMercatorQuad\/(\d+)\//);
    if (m) page.tileZooms.push(Number(m[1]));
  });
  page.on('console', (m) => m.type() === 'error' && !/api\.pdok\.nl|ERR_NAME_NOT_RESOLVED|ERR_INTERNET_DISCONNECTED/.test(m.text()) && page.problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  page.on('response', (r) => r.url().startsWith(base) && r.status() >= 400 && page.problems.push(`HTTP ${r.status()} ${r.url()}`));
  const t0 = Date.now();
  await page.goto(base + path);
  // Our map pages say when they are ready; the server's own pages have no script.
  if (script) await page.waitForFunction(() => document.body.dataset.klaar === 'ja', null, { timeout: 60_000 });
  page.loadMs = Date.now() - t0;
  return page;
}

/** Waits for MapLibre's `idle`: everything asked for is drawn. */
const idle = (page) => page.evaluate(() => new Promise((r) => {
  const map = window.wijkatlas.map;
  if (map.loaded() && !map.isMoving()) map.once('idle', r), map.triggerRepaint();
  else map.once('idle', r);
}));

/** Distinct colours of the map canvas on a grid of sample points, read in a render
 * event, while the frame just drawn is still in the buffer (the embed page, unlike the
 * planner, does not keep its drawing buffer for PNG export). */
const canvasColours = (page) => page.evaluate(() => new Promise((resolve) => {
  const map = window.wijkatlas.map;
  map.once('render', () => resolve(sampleColours(map.getCanvas())));
  map.triggerRepaint();
  function sampleColours(c) {
  const copy = document.createElement('canvas');
  copy.width = c.width; copy.height = c.height;
  const g = copy.getContext('2d');
  g.drawImage(c, 0, 0);
  const seen = new Set();
  for (let x = 0.05; x < 1; x += 0.05) for (let y = 0.05; y < 1; y += 0.05) {
    const d = g.getImageData(Math.floor(c.width * x), Math.floor(c.height * y), 1, 1).data;
    seen.add(`${d[0] >> 3},${d[1] >> 3},${d[2] >> 3}`);
  }
  return seen.size;
  }
}));

async function axe(page, name) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() => window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }));
  const violations = result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.length}× ${v.help} — ${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join('; ')}`);
  summary.axe[name] = { violations: violations.length, passes: result.passes.length };
  check(violations.length === 0, `${name}: axe finds no WCAG 2.1 A/AA violations`, violations.join(' | ') || `${result.passes.length} rules pass`);
}

/** Where the map sits on the first screen, and how far the page scrolls. */
const firstScreen = (page) => page.evaluate(() => {
  const r = document.getElementById('kaart').getBoundingClientRect();
  return { top: Math.round(r.top), bottom: Math.round(r.bottom), height: Math.round(r.height), scroll: document.documentElement.scrollHeight - window.innerHeight };
});

/** On a phone the attribution is a closed (i) button, with the credits still in the page. */
async function attributionCollapsed(page, name) {
  const closed = await page.evaluate(() => {
    const el = document.querySelector('.maplibregl-ctrl-attrib');
    const r = el.getBoundingClientRect();
    return { compact: el.classList.contains('maplibregl-compact'), shown: el.classList.contains('maplibregl-compact-show'), w: Math.round(r.width), h: Math.round(r.height), text: el.textContent };
  });
  check(closed.compact && !closed.shown && closed.h <= 48 && closed.w <= 48 && /CBS/.test(closed.text), `${name}: the attribution is an (i) button`, `${closed.w}×${closed.h} px`);
  await page.click('.maplibregl-ctrl-attrib-button');
  const opened = await page.evaluate(() => document.querySelector('.maplibregl-ctrl-attrib').classList.contains('maplibregl-compact-show'));
  check(opened, `${name}: the (i) button opens the attribution`);
  await page.click('.maplibregl-ctrl-attrib-button');
}

/** Everything a finger presses on screen is at least 44 × 44 px (WCAG 2.5.5). Links
 * inside running text are excepted, as the criterion does. */
async function touchTargets(page, name) {
  const small = await page.evaluate(() => [...document.querySelectorAll('button, select, input, summary, nav a, .maplibregl-ctrl a')]
    .filter((el) => el.checkVisibility() && (() => { const r = el.getBoundingClientRect(); const sheet = el.closest('#zijpaneel')?.getBoundingClientRect(); return r.width > 0 && r.bottom > 0 && r.top < window.innerHeight && (!sheet || (r.top >= sheet.top && r.bottom <= sheet.bottom)); })())
    .map((el) => { const r = el.getBoundingClientRect(); return { what: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ')[0]}` : ''} "${(el.textContent || el.getAttribute('aria-label') || el.title || '').trim().slice(0, 20)}"`, w: Math.round(r.width), h: Math.round(r.height) }; }));
  const under = small.filter((t) => t.w < 44 || t.h < 44);
  check(small.length > 3 && under.length === 0, `${name}: touch targets are at least 44 × 44 px`, under.map((t) => `${t.what} ${t.w}×${t.h}`).join(', ') || `${small.length} targets, smallest ${Math.min(...small.map((t) => Math.min(t.w, t.h)))} px`);
}

function noProblems(page, name) {
  check(page.problems.length === 0, `${name}: no console errors or failed requests`, page.problems.join(' | '));
}

/** Whether every choice of every dropdown fits its box (a native select cannot wrap). */
async function dropdownsFit(page) {
  return page.evaluate(() => [...document.querySelectorAll('select')].filter((s) => s.offsetParent).map((s) => {
    const g = document.createElement('canvas').getContext('2d');
    const cs = getComputedStyle(s);
    g.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
    const texts = [...s.options].map((o) => o.textContent);
    const widest = texts.reduce((w, t) => (g.measureText(t).width > g.measureText(w).width ? t : w), '');
    // Room for the text: the box less its padding and the arrow (about 20 px).
    const room = s.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) - 20;
    return { id: s.id, fits: g.measureText(widest).width <= room, widest, px: Math.round(g.measureText(widest).width), room: Math.round(room) };
  }));
}

/** The what-if's note on the map: its text, whether it is all in the window and on top. */
async function mapNoteShown(page) {
  return page.evaluate(() => {
    const n = document.querySelector('.wat-als-kaart');
    if (!n) return { text: '', inView: false, onTop: false };
    const r = n.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + Math.min(24, r.height / 2));
    return { text: n.textContent, inView: r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth, onTop: Boolean(hit?.closest('.wat-als-kaart')), top: Math.round(r.top), bottom: Math.round(r.bottom) };
  });
}

try {
  // ---- planner view -------------------------------------------------------------------
  const planner = await open('/kaart');
  summary.timings.plannerLoadMs = planner.loadMs;
  summary.timings.plannerFirstRender = await planner.evaluate(() => window.wijkatlas.timings?.firstRender ?? null);
  summary.timings.plannerMarks = await planner.evaluate(() => window.wijkatlas.marks);
  // Issue 20's goal (< 1.5 s from navigation to the first frame with area tiles painted)
  // is reported, not asserted: this machine's load decides it as much as our code.
  const marks = summary.timings.plannerMarks;
  summary.timings.firstChoroplethMs = marks.choropleth === undefined ? null : marks.scriptStart + marks.choropleth;
  console.log(`# first choropleth drawn ${summary.timings.firstChoroplethMs} ms after navigation (goal < 1500 ms; reported, not asserted); load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${(await import('node:os')).cpus().length} cores`);
  summary.timings.plannerNavigation = await planner.evaluate(() => { const n = performance.getEntriesByType('navigation')[0]; return { domContentLoadedMs: Math.round(n.domContentLoadedEventEnd), resources: performance.getEntriesByType('resource').map((r) => [r.name.replace(location.origin, '').slice(0, 60), Math.round(r.startTime), Math.round(r.duration), r.transferSize]) }; });
  const areas = await planner.evaluate(() => window.wijkatlas.map.queryRenderedFeatures({ layers: ['gebieden-vlak'] }).map((f) => f.properties));
  check(areas.length > 500, 'planner: the choropleth draws the areas', `${areas.length} rendered area features`);
  const gaps = new Set(areas.map((p) => p.ziekenhuis_gap == null ? 'null' : Math.floor(p.ziekenhuis_gap * 2)));
  check(gaps.size >= 4, 'planner: the areas fall in different gap classes', `${gaps.size} half-unit classes`);
  const colours = await canvasColours(planner);
  check(colours >= 6, 'planner: the map is not blank or grey', `${colours} distinct colours on a 19×19 grid`);
  const legend = await planner.locator('#legenda li').allTextContents();
  check(legend.length >= 6 && legend.some((t) => /tekort/.test(t)), 'planner: the legend says what the colours mean in words', legend.join(' / '));
  const fitDesktop = await dropdownsFit(planner);
  check(fitDesktop.length >= 3 && fitDesktop.every((d) => d.fits), 'planner: no dropdown choice is cut off', fitDesktop.map((d) => `${d.id}: "${d.widest}" ${d.px}/${d.room} px`).join('; '));
  const attribution = await planner.locator('.maplibregl-ctrl-attrib').textContent();
  check(/CBS/.test(attribution) && /OpenStreetMap/.test(attribution), 'planner: attribution names CBS and OpenStreetMap', attribution.trim());
  await planner.screenshot({ path: join(out, 'planner.png') });

  // The basemap: PDOK's by default. Reachable, it is drawn under the areas; not (as on a
  // machine without internet), the map says so once and draws its own land as before.
  const basemapState = (page) => page.evaluate(() => {
    const m = window.wijkatlas.map;
    const notes = [...m.getContainer().querySelectorAll('.kaart-melding p')].map((n) => n.textContent);
    return { shown: Boolean(m.getLayer('basemap')), notes, land: m.getLayer('gemeenten-vlak') ? m.getPaintProperty('gemeenten-vlak', 'fill-opacity') : null };
  });
  const basemap = await basemapState(planner);
  check((basemap.shown && basemap.notes.length === 0 && basemap.land === 0) || (!basemap.shown && basemap.notes.length === 1 && /niet bereikbaar/.test(basemap.notes[0]) && basemap.land === 1),
    'planner: PDOK\'s basemap is drawn when reachable; when not, the map says so once and draws its own land', basemap.shown ? 'PDOK reached: basemap drawn' : `not reachable: "${basemap.notes[0]}"`);
  summary.basemapReached = basemap.shown;

  // Orientation at the national view: gemeente names, and a scale bar nothing covers.
  const names = await planner.evaluate(() => ({ zoom: window.wijkatlas.map.getZoom(), names: window.wijkatlas.map.queryRenderedFeatures({ layers: ['gemeenten-naam'] }).map((f) => f.properties.naam) }));
  check(names.zoom < 8 && names.names.length >= 15 && names.names.includes('Rotterdam'), 'planner: gemeente names at the national view', `zoom ${names.zoom.toFixed(1)}: ${names.names.length} names, e.g. ${names.names.slice(0, 6).join(', ')}`);
  const desktopScale = await planner.evaluate(() => {
    const el = document.querySelector('.maplibregl-ctrl-scale');
    const r = el.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return { text: el.textContent, shown: el === hit || el.contains(hit) };
  });
  check(desktopScale.shown, 'planner: the scale bar is visible, not under the attribution', desktopScale.text);
  // Every gemeente of the loaded data is in the list, those only the wijken name too
  // (Voorne aan Zee, GM1992, formed in 2023, is in the 2024 wijken, not the 2022 gemeenten).
  const gemeenteList = await planner.evaluate(async () => {
    const options = new Set([...document.querySelectorAll('#gemeente option')].map((o) => o.value).filter(Boolean));
    const served = new Set();
    for (const c of ['gemeenten', 'wijken']) {
      for (const f of (await (await fetch(`/collections/${c}/items?limit=10000&f=json&properties=code,gemeentecode`)).json()).features) served.add(c === 'gemeenten' ? f.properties.code : f.properties.gemeentecode);
    }
    return { options: options.size, served: served.size, missing: [...served].filter((c) => !options.has(c)), gm1992: served.has('GM1992'), listed1992: document.querySelector('#gemeente option[value="GM1992"]')?.textContent ?? null };
  });
  check(gemeenteList.missing.length === 0 && (!gemeenteList.gm1992 || gemeenteList.listed1992), 'planner: every gemeente of the loaded data is in the gemeente list', `${gemeenteList.options} listed of ${gemeenteList.served} in the data; GM1992: ${gemeenteList.listed1992 ?? 'not in the data'}`);

  // The ranked list: the first entry is the highest gap, and clicking it opens its panel.
  const firstCode = await planner.locator('#ranglijst button[data-code]').first().getAttribute('data-code');
  const ranked = await planner.evaluate(() => window.wijkatlas.state.rankings.get('ziekenhuis').ordered.slice(0, 5).map((r) => r.gap));
  check(ranked.every((g, i) => i === 0 || g <= ranked[i - 1]), 'planner: the ranked list is in order of gap', ranked.map((g) => g.toFixed(2)).join(' ≥ '));
  await planner.locator('#ranglijst button[data-code]').first().click();
  await idle(planner);
  const panel = await planner.locator('#detail').textContent();
  check(panel.includes(firstCode) && /Waarom deze plek/.test(panel), 'planner: a ranked entry opens its area panel with the reason', firstCode);
  await planner.waitForSelector('#vergelijking svg');
  const compared = await planner.locator('#vergelijking').textContent();
  check(/gemeente/.test(compared) && /Nederland/.test(compared) && /gemiddelde/.test(compared), 'planner: the panel compares the area with its gemeente and the Netherlands, in words', compared.trim().slice(0, 140));
  const graphic = await planner.evaluate(() => {
    const svg = document.querySelector('#vergelijking svg');
    const words = document.getElementById(svg.getAttribute('aria-describedby'));
    return {
      role: svg.getAttribute('role'),
      name: document.getElementById(svg.getAttribute('aria-labelledby'))?.textContent,
      bars: svg.querySelectorAll('rect').length,
      labels: [...svg.querySelectorAll('text')].map((t) => t.textContent).join(' | '),
      words: words?.textContent ?? '',
    };
  });
  check(graphic.role === 'img' && graphic.name && graphic.bars >= 6 && /Behoefte/.test(graphic.labels) && /Bereik/.test(graphic.labels) && /Afstand tot ziekenhuis/.test(graphic.words) && /Nederland \| \d/.test(graphic.labels),
    'planner: the panel shows need, reach per category and housing as labelled bars, with the same in words', `${graphic.bars} bars; ${graphic.words.slice(0, 120)}`);

  // A click on the map itself opens the panel of the area under the pointer.
  const box = await planner.locator('#kaart canvas').boundingBox();
  const probe = { x: box.width * 0.5, y: box.height * 0.5 };
  const under = await planner.evaluate((p) => window.wijkatlas.map.queryRenderedFeatures([p.x, p.y], { layers: ['gebieden-vlak'] })[0]?.properties.code, probe);
  check(Boolean(under), 'planner: there is an area under the map centre', under);
  await planner.mouse.click(box.x + probe.x, box.y + probe.y);
  await planner.waitForFunction((code) => document.querySelector('#detail')?.textContent.includes(code), under);
  check(true, 'planner: clicking the map opens the panel of the area clicked', under);
  await planner.screenshot({ path: join(out, 'planner-panel.png') });

  // Switch layers and category: the legend and colours follow.
  await planner.selectOption('#laag', 'afstand');
  await idle(planner);
  check(/10 km of meer/.test(await planner.locator('#legenda').textContent()), 'planner: the distance layer has its own legend');
  await planner.selectOption('#laag', 'doel30');
  await idle(planner);
  const targetColours = await canvasColours(planner);
  check(targetColours >= 4, 'planner: the 30%-target view colours the gemeenten', `${targetColours} colours`);
  await planner.screenshot({ path: join(out, 'planner-doel30.png') });
  await planner.selectOption('#laag', 'gap');
  await planner.selectOption('#categorie', 'bibliotheek');
  await planner.waitForFunction(() => window.wijkatlas.timings.categorySwitch);
  summary.timings.categorySwitch = await planner.evaluate(() => window.wijkatlas.timings.categorySwitch);
  const libFirst = await planner.locator('#ranglijst button[data-code]').first().getAttribute('data-code');
  const libReason = await planner.locator('#ranglijst .reden').first().textContent();
  check(libFirst !== null && /bibliothe/.test(libReason) && /bibliotheek/i.test(await planner.locator('#legenda').textContent()), 'planner: switching category re-ranks the list for that category', `first: ${libFirst}: ${libReason}`);
  await planner.selectOption('#categorie', 'ziekenhuis');
  await planner.waitForFunction(() => document.querySelector('#ranglijst button[data-code]'));

  // Gemeente filter: the list holds only that gemeente's areas and the map zooms to it.
  await planner.selectOption('#gemeente', 'GM0308');
  await idle(planner);
  const listed = await planner.evaluate(() => [...document.querySelectorAll('#ranglijst button[data-code]')].map((b) => b.dataset.code));
  const inBaarn = await planner.evaluate((codes) => codes.every((c) => window.wijkatlas.state.rankings.get('ziekenhuis').byCode.get(c).gemeentecode === 'GM0308'), listed);
  check(listed.length > 0 && inBaarn, 'planner: the gemeente filter lists only that gemeente', `${listed.length} wijken of Baarn`);
  // Zoomed in this far, the areas come in tiles of this zoom, with their outlines as
  // they are rather than generalised for the country.
  await idle(planner);
  const detail = await planner.evaluate(() => {
    const m = window.wijkatlas.map;
    const z = Math.floor(m.getZoom());
    const drawn = m.queryRenderedFeatures({ layers: ['gebieden-vlak'] });
    return { zoom: m.getZoom(), wanted: Math.min(z, 15), codes: [...new Set(drawn.map((f) => f.properties.code))].length };
  });
  detail.deepest = Math.max(...planner.tileZooms);
  check(detail.zoom >= 11 && detail.deepest >= detail.wanted && detail.codes > 0, 'planner: zoomed in, the areas come in tiles of that zoom', `zoom ${detail.zoom.toFixed(1)}: tiles of zoom ${detail.deepest}, ${detail.codes} areas drawn`);
  await planner.screenshot({ path: join(out, 'planner-baarn.png') });

  // The legend names the need index's components at this level, and what is missing.
  const needLegend = await planner.locator('#legenda').textContent();
  check(/Behoefte-index op dit niveau: 65 jaar en ouder \(100%\)/.test(needLegend) && /Niet in de gegevens van dit niveau/.test(needLegend), 'planner: the legend names the need components in force and the missing ones', needLegend.replace(/\s+/g, ' ').match(/Behoefte-index op dit niveau[^.]*\./)?.[0] ?? needLegend.slice(0, 80));

  // Search by name: a gemeente sets the filter, a wijk opens its panel.
  await planner.fill('#zoek-gebied', 'dordrecht');
  await planner.waitForSelector('#zoek-resultaten button');
  const gemeenteHit = await planner.locator('#zoek-resultaten button').first().textContent();
  await planner.locator('#zoek-resultaten button').first().click();
  await idle(planner);
  check(/Dordrecht/.test(gemeenteHit) && (await planner.evaluate(() => window.wijkatlas.state.gemeente)) === 'GM0505', 'planner: searching "dordrecht" finds the gemeente and filters on it', gemeenteHit.trim());
  await planner.fill('#zoek-gebied', 'sterrenb');
  await planner.press('#zoek-gebied', 'Enter');
  await planner.waitForFunction(() => window.wijkatlas.state.selected === 'WK050509');
  await idle(planner);
  check(/Sterrenburg/.test(await planner.locator('#detail h2').textContent()), 'planner: searching part of a wijk name opens that wijk', await planner.locator('#detail h2').textContent());
  await planner.screenshot({ path: join(out, 'planner-search.png') });

  // What-if: in the gemeente of an underserved wijk, suggest locations, place a
  // facility at the first, then drag it.
  await planner.selectOption('#gemeente', '');
  await planner.waitForFunction(() => document.querySelector('#ranglijst button[data-code]'));
  // The most underserved wijk with no hospital in reach: its gemeente has room for one.
  const worst = await planner.evaluate(() => window.wijkatlas.state.rankings.get('ziekenhuis').ordered.find((r) => r.access === null).code);
  const worstGemeente = `GM${worst.slice(2, 6)}`;
  await planner.selectOption('#gemeente', worstGemeente);
  await idle(planner);
  const before = await planner.evaluate(() => [...document.querySelectorAll('#ranglijst button[data-code]')].slice(0, 10).map((b) => b.dataset.code).join());
  await planner.click('#stel-voor');
  await planner.waitForSelector('#suggesties button[data-plaats]');
  const suggested = await planner.locator('#suggesties li').count();
  check(suggested > 0, 'what-if: suggest shows candidate locations', `${suggested} suggestions`);
  const suggestedAreas = await planner.evaluate(() => [...document.querySelectorAll('#suggesties li .klein')].map((e) => e.textContent.replace(/[()]/g, '')));
  check(suggestedAreas.every((c) => c.startsWith(`WK${worstGemeente.slice(2)}`)), 'what-if: suggestions stay inside the chosen gemeente', `${worstGemeente}: ${suggestedAreas.join(', ')}`);
  await planner.locator('#suggesties button[data-plaats]').first().click();
  await planner.waitForFunction(() => window.wijkatlas.state.scenario && window.wijkatlas.timings.whatIf);
  const after = await planner.evaluate(() => [...document.querySelectorAll('#ranglijst button[data-code]')].slice(0, 10).map((b) => b.dataset.code).join());
  check(after !== before, 'what-if: a new facility changes the ranking', `top 10 before ${before.split(',').slice(0, 3)}…, after ${after.split(',').slice(0, 3)}…`);
  const changed = await planner.evaluate(() => window.wijkatlas.state.scenario.changes.size);
  check(changed > 0, 'what-if: areas changed are restyled through feature state', `${changed} areas`);
  const said = await planner.locator('#melding').textContent();
  check(/\d+ wijken beter, \d+ slechter/.test(said) && /Binnen 1 km van een voorziening: [\d.]+ → [\d.]+ mensen/.test(said), 'what-if: the summary counts areas better and worse, and people within reach before → after', said.trim());
  summary.timings.whatIfPlace = await planner.evaluate(() => window.wijkatlas.timings.whatIf);
  // With the what-if buttons in view the sidebar's message line is scrolled away: the
  // summary also stands on the map.
  await planner.locator('#wat-als-titel').scrollIntoViewIfNeeded();
  const noteDesktop = await mapNoteShown(planner);
  check(noteDesktop.inView && noteDesktop.onTop && /wijken beter, \d+ slechter/.test(noteDesktop.text) && /Herstel/.test(noteDesktop.text), 'what-if: the summary stays in view on the map, wherever the sidebar is scrolled', `${noteDesktop.top}–${noteDesktop.bottom} px`);
  // Areas the change moved, ranked below the answer's top 50, no longer show the reason
  // given before the change.
  const staleReasons = await planner.evaluate(() => {
    const ch = window.wijkatlas.state.scenario.changes;
    return [...document.querySelectorAll('#ranglijst li')]
      .map((li) => ({ code: li.querySelector('button')?.dataset.code, reason: li.querySelector('.reden')?.textContent ?? '' }))
      .filter((r) => ch.has(r.code) && ch.get(r.code).rank_after > 50);
  });
  check(staleReasons.every((r) => r.reason.startsWith('Na de wat-als:')), 'what-if: the list gives the changed areas the reason after the change', `${staleReasons.length} listed areas below the top 50 changed; e.g. ${staleReasons[0]?.reason.slice(0, 90) ?? '(none in this gemeente)'}`);
  await idle(planner);
  await planner.screenshot({ path: join(out, 'planner-whatif.png') });

  const marker = await planner.locator('.nieuw-punt').boundingBox();
  const runs = await planner.evaluate(() => window.wijkatlas.scenarioRuns);
  await planner.mouse.move(marker.x + marker.width / 2, marker.y + marker.height / 2);
  await planner.mouse.down();
  // A short drag, so the facility stays on land wherever the suggestion put it.
  await planner.mouse.move(marker.x + 40, marker.y + 20, { steps: 8 });
  await planner.mouse.up();
  await planner.waitForFunction((n) => window.wijkatlas.scenarioRuns > n, runs);
  await idle(planner);
  const dragged = await planner.evaluate(() => [...document.querySelectorAll('#ranglijst button[data-code]')].slice(0, 10).map((b) => b.dataset.code).join());
  summary.timings.whatIfDrag = await planner.evaluate(() => window.wijkatlas.timings.whatIf);
  check(dragged !== before, 'what-if: dragging the new facility recomputes the ranking', summary.timings.whatIfDrag.ownMs.toFixed(1) + ' ms own work');

  // The what-if is in the address: a fresh page opened on the copied link runs it again
  // and shows the same ranking, map state and panel.
  const changedCode = await planner.evaluate(() => {
    const changes = window.wijkatlas.state.scenario.changes;
    return [...document.querySelectorAll('#ranglijst button[data-code]')].map((b) => b.dataset.code).find((c) => changes.has(c)) ?? null;
  });
  check(Boolean(changedCode), 'what-if: an area the new facility changes is in the list', changedCode);
  await planner.locator(`#ranglijst button[data-code="${changedCode}"]`).click();
  await planner.waitForSelector('#detail .wat-als-actief');
  await idle(planner);
  const whatIfView = (page) => page.evaluate(() => {
    const s = window.wijkatlas.state;
    const m = window.wijkatlas.map;
    return {
      hash: location.hash,
      category: s.category,
      selected: s.selected,
      opened: s.opened.map((o) => { const p = o.marker.getLngLat(); return `${p.lat.toFixed(5)},${p.lng.toFixed(5)}`; }).join(';'),
      changes: [...s.scenario.changes.values()].map((c) => `${c.code}:${c.gap_after.toFixed(4)}:${c.rank_after}`).sort().join(),
      top: [...document.querySelectorAll('#ranglijst button[data-code]')].slice(0, 10).map((b) => b.dataset.code).join(),
      panel: document.querySelector('#detail .wat-als-actief')?.textContent ?? '',
      message: document.getElementById('melding').textContent,
      zoom: m.getZoom(),
      center: m.getCenter(),
    };
  });
  const sent = await whatIfView(planner);
  check(/kaart=\d+\.\d\d\/\d+\.\d+\/\d+\.\d+/.test(sent.hash) && /nieuw=ziekenhuis:\d+\.\d{5},\d+\.\d{5}/.test(sent.hash) && sent.hash.includes(`gebied=${changedCode}`), 'what-if: the address holds the view, the area and the placed facility', sent.hash);
  const link = await planner.evaluate(() => location.pathname + location.hash);
  const received = await open(link);
  await received.waitForSelector('#detail .wat-als-actief');
  const got = await whatIfView(received);
  check(got.changes === sent.changes && got.top === sent.top && got.opened === sent.opened && got.selected === sent.selected,
    'what-if link: a fresh page re-runs the same scenario (same changed areas, ranking and facility)', `${sent.changes.split(',').length} areas changed; top ${sent.top.split(',').slice(0, 3)}…`);
  check(got.panel === sent.panel && got.message === sent.message, 'what-if link: the same panel and summary appear', got.panel.trim());
  check(Math.abs(got.zoom - sent.zoom) < 0.01 && Math.abs(got.center.lat - sent.center.lat) < 1e-3 && Math.abs(got.center.lng - sent.center.lng) < 1e-3, 'what-if link: the same view', `zoom ${got.zoom.toFixed(2)} at ${got.center.lat.toFixed(4)}, ${got.center.lng.toFixed(4)}`);
  await idle(received);
  await received.screenshot({ path: join(out, 'planner-whatif-link.png') });
  noProblems(received, 'what-if link');
  await received.close();

  // Export: CSV of the areas in view, PNG of the map with its legend.
  const [csvDownload] = await Promise.all([planner.waitForEvent('download'), planner.click('#export-csv')]);
  const csvPath = join(out, csvDownload.suggestedFilename());
  await csvDownload.saveAs(csvPath);
  const csvLines = readFileSync(csvPath, 'utf8').trim().split(/\r\n/);
  check(csvLines[0].includes('Code;Naam') && csvLines[0].includes('Tekort na wat-als (gap)') && csvLines[0].endsWith(';Reden') && csvLines.length > 2, 'export: CSV of the view in Dutch form with the what-if and reason columns', `${csvLines.length - 1} rows`);
  const withReason = csvLines.slice(1).find((l) => /km (over de weg|van een)|toegang/.test(l));
  check(withReason !== undefined && !/\d\.\d/.test(withReason.replace(/"[^"]*"/g, '').split(';').slice(4).join(';')), 'export: decimal commas and a reason in words', withReason?.slice(0, 120) ?? 'no row with a reason');
  const [xlsxDownload] = await Promise.all([planner.waitForEvent('download'), planner.click('#export-xlsx')]);
  const xlsxPath = join(out, xlsxDownload.suggestedFilename());
  await xlsxDownload.saveAs(xlsxPath);
  const xlsxBytes = readFileSync(xlsxPath);
  check(/^ranglijst-ziekenhuis-wijk-GM\d{4}\.xlsx$/.test(xlsxDownload.suggestedFilename()) && xlsxBytes.subarray(0, 2).toString() === 'PK' && xlsxBytes.includes('xl/worksheets/sheet1.xml'), 'export: the ranking as an Excel workbook', `${xlsxDownload.suggestedFilename()}, ${xlsxBytes.length} bytes`);
  // The placed facility in view, so the picture must show it.
  await planner.evaluate(() => window.wijkatlas.map.jumpTo({ center: window.wijkatlas.state.opened[0].marker.getLngLat() }));
  await idle(planner);
  const [pngDownload] = await Promise.all([planner.waitForEvent('download'), planner.click('#export-png')]);
  const pngPath = join(out, pngDownload.suggestedFilename());
  await pngDownload.saveAs(pngPath);
  const pngBytes = readFileSync(pngPath);
  check(pngBytes.subarray(1, 4).toString() === 'PNG' && pngBytes.length > 20_000, 'export: PNG of the map', `${pngBytes.length} bytes`);
  const picture = await planner.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const map = window.wijkatlas.map.getCanvas();
    const px = g.getImageData(0, 0, img.width, img.height).data;
    // The placed facility's disc (#f2a900), in the map part of the picture (between
    // the title above and the legend below).
    const head = img.height - map.height;
    let yellow = 0;
    let yellowInMap = 0;
    for (let i = 0; i < px.length; i += 4) {
      if (Math.abs(px[i] - 242) <= 2 && Math.abs(px[i + 1] - 169) <= 2 && px[i + 2] <= 2) {
        yellow += 1;
        const y = Math.floor(i / 4 / img.width);
        // The title takes at most 80 px (two lines), so these rows are all map.
        if (y >= 80 * devicePixelRatio && y < map.height) yellowInMap += 1;
      }
    }
    return { w: img.width, h: img.height, mapH: map.height, extra: head, yellow, yellowInMap };
  }, pngBytes.toString('base64'));
  check(picture.extra >= 150 && picture.yellowInMap >= 200, 'export: the PNG has room for title, date, legend, scale bar and every credit, and shows the placed facility', `${picture.w}×${picture.h} px, ${picture.extra} px above and below the map, ${picture.yellowInMap} px of the placed facility's yellow`);
  await planner.click('#kopieer-link');
  const copied = await planner.evaluate(() => ({ status: document.getElementById('melding')?.textContent ?? '', href: window.location.href }));
  check(copied.status.endsWith(copied.href) && copied.href.includes('nieuw=') && /gekopieerd|Kopieer deze link/.test(copied.status), 'export: "Kopieer link" gives the link of the view, what-if included', copied.status.slice(0, 80));
  await planner.click('#herstel');
  check((await planner.evaluate(() => window.wijkatlas.state.scenario)) === null, 'what-if: reset returns to the loaded situation');
  check(!(await planner.locator('.wat-als-kaart').count()), 'what-if: reset takes the summary off the map');
  // Closing a facility from its popup: the click is for the facility, not the area under it.
  const facility = await planner.evaluate(async () => {
    const m = window.wijkatlas.map;
    const f = window.wijkatlas.state.facilities.find((v) => v.properties.categorie === window.wijkatlas.state.category);
    m.jumpTo({ center: f.geometry.coordinates, zoom: 15 });
    await new Promise((r) => (m.loaded() ? r() : m.once('idle', r)));
    const p = m.project(f.geometry.coordinates);
    return { x: p.x, y: p.y, selected: window.wijkatlas.state.selected };
  });
  await idle(planner);
  const mapBox = await planner.locator('#kaart canvas').boundingBox();
  await planner.mouse.click(mapBox.x + facility.x, mapBox.y + facility.y);
  const closeButton = planner.locator('.maplibregl-popup button.sluit-wat-als');
  await closeButton.waitFor();
  await closeButton.click();
  await planner.waitForFunction(() => window.wijkatlas.state.scenario);
  const afterClose = await planner.evaluate(() => ({ selected: window.wijkatlas.state.selected, closed: window.wijkatlas.state.closed.size }));
  check(afterClose.closed === 1 && afterClose.selected === facility.selected, 'what-if: closing a facility on the map does not select the area under it', `selected before ${facility.selected}, after ${afterClose.selected}`);
  await planner.click('#herstel');
  const basemapAfter = await basemapState(planner);
  check(basemapAfter.notes.length <= 1 && basemapAfter.shown === basemap.shown, 'planner: after zooming and panning about, the basemap notice is still said once at most', `${basemapAfter.notes.length} notice(s)`);
  await axe(planner, 'planner');
  noProblems(planner, 'planner');

  // ---- a shared link opens the same view ----------------------------------------------
  const shared = await open('/kaart#categorie=bibliotheek&laag=behoefte&gebied=WK050501');
  const view = await shared.evaluate(() => ({ category: window.wijkatlas.state.category, layer: window.wijkatlas.state.layer.key, selected: window.wijkatlas.state.selected }));
  const sharedPanel = await shared.locator('#detail').textContent();
  check(view.category === 'bibliotheek' && view.layer === 'behoefte' && view.selected === 'WK050501' && sharedPanel.includes('WK050501'), 'shared link: category, layer and area come from the address', JSON.stringify(view));
  await shared.selectOption('#laag', 'gap');
  check(/laag=gap/.test(await shared.evaluate(() => location.hash)) && /gebied=WK050501/.test(await shared.evaluate(() => location.hash)), 'shared link: a change is written back into the address', await shared.evaluate(() => location.hash));
  // One Netherlands for panel and profile: the panel's words for the hospital distance.
  await shared.waitForSelector('#vergelijking-tekst li', { state: 'attached' });
  const panelWords = await shared.locator('#vergelijking-tekst').textContent();
  const panelHospitalNl = panelWords.match(/Afstand tot ziekenhuis[^;]*;[^N]*Nederland ([\d.,]+ k?m)/)?.[1];
  await shared.locator('#detail a[href^="/profiles/"]').click();
  await shared.waitForURL(/\/profiles\/WK050501/);
  check(/In één oogopslag/.test(await shared.locator('main').textContent()), 'panel: the profile link opens the area profile');
  noProblems(shared, 'shared link');
  await shared.close();

  // A link with a category the data does not have says so, and shows another one.
  const unknown = await open('/kaart#categorie=tandarts');
  const unknownSaid = await unknown.locator('#melding').textContent();
  check(/tandarts/.test(unknownSaid) && /niet geladen/.test(unknownSaid), 'shared link: an unknown category is said in words', unknownSaid.trim());
  noProblems(unknown, 'link with an unknown category');
  await unknown.close();

  // ---- area profile: compared, printable, accessible -----------------------------------
  const profile = await open('/profiles/WK050501?f=html', null, { script: false });
  const profileText = await profile.locator('main').textContent();
  check(/In één oogopslag/.test(profileText) && /Nederland/.test(profileText) && /gemiddelde over 345 gemeenten/.test(profileText), 'profile: figures beside the gemeente and the Netherlands, and how each is computed');
  const summaryLabel = await profile.locator('.samenvatting .balken').getAttribute('aria-labelledby');
  const summaryText = await profile.locator('#samenvatting-tekst').textContent();
  check(summaryLabel === 'samenvatting-tekst' && /rond|onder|boven/.test(summaryText), 'profile: the summary graphic has its text alternative', summaryText.trim().slice(0, 120));
  await profile.screenshot({ path: join(out, 'profile.png'), fullPage: true });

  // The year beside each figure is that figure's: the wijk has no GP distance of its
  // own (its layer has none), so that row names no year of its own and the gemeente's
  // figure beside it says 2022, not the wijk layer's 2024.
  const gpRow = await profile.evaluate(() => {
    const row = [...document.querySelectorAll('tr')].find((r) => /^Afstand tot huisartsenpraktijk/.test(r.querySelector('th')?.textContent ?? ''));
    return row ? [...row.querySelectorAll('td')].map((td) => td.textContent) : null;
  });
  check(gpRow && gpRow[0] === '—' && /\(2022\)/.test(gpRow[1]) && !/2024/.test(gpRow.at(-1)), 'profile: a row without a figure of its own names no year of its own; the gemeente\'s figure carries its 2022', gpRow?.join(' | '));
  // The Netherlands' distance is the same figure in the panel and in the profile.
  const profileHospitalNl = summaryText.match(/Afstand tot ziekenhuis[^:]*:[^N]*Nederland ([\d.,]+ k?m)/)?.[1];
  check(panelHospitalNl && panelHospitalNl === profileHospitalNl, 'profile: panel and profile give the Netherlands one hospital distance', `panel ${panelHospitalNl}, profile ${profileHospitalNl}`);

  // Standings follow the numbers shown: "boven" only beside a larger number, "onder"
  // only beside a smaller one, "rond" when the rounded figures are the same.
  const dutch = (t) => Number(t.replace(/\./g, '').replace(',', '.'));
  const standings = [];
  for (const path of ['/profiles/WK050501?f=html', '/profiles/GM0505?f=html']) {
    const items = await profile.evaluate(async (p) => {
      const doc = new DOMParser().parseFromString(await (await fetch(p)).text(), 'text/html');
      return [...doc.querySelectorAll('#samenvatting-tekst li')].map((li) => li.textContent);
    }, path);
    for (const li of items) {
      const m = li.match(/^([^:]+): (-?[\d.,]+)[^,]*(?:, gemeente [^,]+)?, Nederland (-?[\d.,]+)[^—]*(?:— (.*) gemiddelde)?/);
      if (!m || !m[4]) continue;
      const [here, nl, words] = [dutch(m[2]), dutch(m[3]), m[4]];
      const ok = /boven/.test(words) ? here > nl : /onder/.test(words) ? here < nl : true;
      standings.push({ ok, said: `${m[1]}: ${m[2]} vs ${m[3]} ${words}` });
    }
  }
  check(standings.length >= 5 && standings.every((s) => s.ok), 'profile: the standing words never contradict the rounded numbers beside them', `${standings.length} standings; ${standings.filter((s) => !s.ok).map((s) => s.said).join('; ') || standings.find((s) => /Huurwoningen/.test(s.said))?.said}`);

  // In print, on an A4 page's width, no table cell breaks a word across two lines.
  await profile.setViewportSize({ width: 680, height: 960 });
  await profile.emulateMedia({ media: 'print' });
  const broken = await profile.evaluate(() => {
    const out = [];
    for (const cell of document.querySelectorAll('th, td')) {
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (const m of node.textContent.matchAll(/\S+/g)) {
          const r = document.createRange();
          r.setStart(node, m.index);
          r.setEnd(node, m.index + m[0].length);
          const tops = new Set([...r.getClientRects()].map((q) => Math.round(q.top)));
          if (tops.size > 1) out.push(m[0]);
        }
      }
    }
    return out;
  });
  check(broken.length === 0, 'profile: printed on A4, no word in a table breaks across lines', broken.slice(0, 5).join(', ') || 'none');
  await profile.pdf({ path: join(out, 'profiel-WK050501.pdf'), format: 'A4', printBackground: true });
  await profile.emulateMedia({ media: 'screen' });
  await profile.setViewportSize({ width: 1400, height: 900 });
  await axe(profile, 'profile');
  noProblems(profile, 'profile');

  // On a phone the summary's bar labels keep a readable size.
  const phoneProfile = await open('/profiles/WK050501?f=html', { width: 390, height: 844 }, { script: false });
  const barText = await phoneProfile.evaluate(() => {
    const labels = [...document.querySelectorAll('.samenvatting .balk span')];
    return { n: labels.length, smallest: Math.min(...labels.map((l) => l.getBoundingClientRect().height)), font: Math.min(...labels.map((l) => parseFloat(getComputedStyle(l).fontSize))) };
  });
  const phoneOverflow = await phoneProfile.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(barText.n >= 6 && barText.font >= 14 && barText.smallest >= 14 && phoneOverflow <= 0, 'profile on a phone: the bar labels are readable and the page does not scroll sideways', `${barText.n} labels, ${barText.font}px type, ${barText.smallest.toFixed(0)}px tall; overflow ${phoneOverflow}px`);
  await phoneProfile.screenshot({ path: join(out, 'profile-phone.png') });
  await phoneProfile.close();

  // A gemeente's profile lists and maps every wijk of it, each linked to its profile.
  const gemeenteProfile = await open('/profiles/GM0505?f=html', null, { script: false });
  const listedWijken = await gemeenteProfile.evaluate(() => [...document.querySelectorAll('#onderdelen ~ .scroll tbody th a')].map((a) => a.getAttribute('href')));
  const mappedWijken = await gemeenteProfile.locator('#onderdelen ~ svg a').count();
  const servedWijken = await gemeenteProfile.evaluate(async () => (await (await fetch('/collections/wijken/items?limit=10000&f=json')).json()).features.filter((f) => f.properties.gemeentecode === 'GM0505').length);
  check(listedWijken.length === servedWijken && mappedWijken === servedWijken && listedWijken.every((h) => /^\/profiles\/WK0505\d\d\?f=html$/.test(h)), 'profile of a gemeente: lists and maps all its wijken, each linked to its profile', `${listedWijken.length} listed, ${mappedWijken} on the map, ${servedWijken} served`);
  await gemeenteProfile.screenshot({ path: join(out, 'profile-gemeente.png'), fullPage: true });
  await axe(gemeenteProfile, 'profile of a gemeente');
  noProblems(gemeenteProfile, 'profile of a gemeente');
  await gemeenteProfile.close();
  // The items page's map preview: its links are not hidden inside an image.
  const itemsPage = await open('/collections/wijken/items?f=html&limit=20', null, { script: false });
  await axe(itemsPage, 'items page with its map preview');
  await itemsPage.close();
  // Every other page the server writes in HTML, a single feature's among them.
  for (const path of ['/?f=html', '/collections?f=html', '/collections/wijken?f=html', '/collections/wijken/items/WK050501?f=html', '/collections/voorzieningen/items?f=html&limit=10', '/collections/wijken/queryables?f=html', '/conformance?f=html', '/api?f=html']) {
    const page = await open(path, null, { script: false });
    await axe(page, `server page ${path}`);
    await page.close();
  }

  // ---- the embeddable map, for a gemeente's own site ------------------------------------
  const embedPath = '/kaart/embed?gemeente=GM0505&categorie=bibliotheek';
  const embed = await open(embedPath);
  await idle(embed);
  const policy = await embed.evaluate(async (p) => (await fetch(p)).headers.get('content-security-policy'), embedPath);
  check(/frame-ancestors \*/.test(policy ?? ''), 'embed: the page may be framed by any site', policy);
  const embedAreas = await embed.evaluate(() => new Set(window.wijkatlas.map.queryRenderedFeatures({ layers: ['gebieden-vlak'] }).filter((f) => f.properties.gemeentecode === 'GM0505').map((f) => f.properties.code)).size);
  const embedList = await embed.locator('#lijst li').count();
  check(embedAreas > 3 && embedList >= embedAreas, 'embed: the gemeente\'s areas are drawn and listed', `${embedAreas} drawn, ${embedList} listed`);
  check(await canvasColours(embed) >= 4, 'embed: the map is coloured');
  const embedText = await embed.locator('main').textContent();
  const embedAttribution = await embed.locator('.maplibregl-ctrl-attrib').textContent();
  check(/Dordrecht/.test(embedText) && /tekort/.test(await embed.locator('#legenda').textContent()) && /OpenStreetMap/.test(embedAttribution) && /OpenStreetMap/.test(embedText), 'embed: title, legend in words and the attribution with OpenStreetMap', embedAttribution.trim());
  const full = await embed.locator('#volledig').getAttribute('href');
  check(/^\/kaart#categorie=bibliotheek&gemeente=GM0505$/.test(full), 'embed: links to the full atlas on the same view', full);
  await embed.screenshot({ path: join(out, 'embed.png'), fullPage: true });
  await axe(embed, 'embed');
  noProblems(embed, 'embed');
  await embed.close();
  // In an iframe on another site: a page of a stand-in gemeente site, served on another
  // loopback port (another origin). Not answered by Playwright itself: Chromium counts
  // such an answer as a public site and blocks it from framing a loopback address.
  const site = createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="nl"><head><title>Gemeente</title></head><body><h1>Gemeente Dordrecht</h1><iframe src="${base}${embedPath}" title="Kaart van tekort aan bibliotheken" width="100%" height="560" style="border:0"></iframe></body></html>`);
  });
  await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve));
  const host = await browser.newPage();
  await host.setViewportSize({ width: 900, height: 700 });
  await host.goto(`http://127.0.0.1:${site.address().port}/`);
  const frame = host.frameLocator('iframe');
  await frame.locator('body[data-klaar="ja"]').waitFor({ timeout: 60_000 });
  check(/Dordrecht/.test(await frame.locator('h1').textContent()), 'embed: it loads inside an iframe on another site');
  await host.waitForTimeout(500);
  await host.screenshot({ path: join(out, 'embed-iframe.png') });
  await host.close();
  site.close();
  const wrong = await open('/kaart/embed?gemeente=GM9999&categorie=bibliotheek');
  check(/geen gemeente met de code GM9999/.test(await wrong.locator('#melding').textContent()), 'embed: an unknown gemeente is said in words');
  await wrong.close();

  // ---- the accessibility statement, linked from the map pages ---------------------------
  const statement = await open('/toegankelijkheid', null, { script: false });
  check(/WCAG 2\.1/.test(await statement.locator('main').textContent()), 'accessibility statement: names the standard and how it is tested');
  await axe(statement, 'statement');
  noProblems(statement, 'statement');

  // ---- resident view ------------------------------------------------------------------
  const resident = await open('/bewoner');
  summary.timings.residentLoadMs = resident.loadMs;
  await resident.keyboard.press('Tab');
  check((await resident.evaluate(() => document.activeElement?.textContent)) === 'Naar het zoekveld', 'resident: the first Tab reaches the skip link');
  await resident.keyboard.press('Enter');
  check((await resident.evaluate(() => document.activeElement?.id)) === 'adres', 'resident: the skip link puts the keyboard in the search field');
  await resident.keyboard.type('3741');
  await resident.keyboard.press('Enter');
  await resident.waitForSelector('.diensten li', { timeout: 20_000 });
  const message = await resident.locator('#melding').textContent();
  check(/postcodes en plaatsnamen van deze server/.test(await resident.locator('#resultaat').evaluate(() => document.body.textContent)) || /3741/.test(message), 'resident: offline, the postcode is found by our own search', message.trim());
  const lists = await resident.evaluate(() => [...document.querySelectorAll('.diensten')].map((ol) => [...ol.querySelectorAll('li')].map((li) => Number(li.dataset.afstand))));
  check(lists.length > 0 && lists.every((l) => l.length > 0 && l.every((d, i) => i === 0 || d >= l[i - 1])), 'resident: services listed per category, nearest first', lists.map((l) => l.map((d) => Math.round(d)).join(' ≤ ')).join(' | '));
  const first = await resident.locator('.diensten li').first().textContent();
  check(/lopen ongeveer \d+/.test(first) && /fietsen ongeveer \d+/.test(first), 'resident: walking and cycling minutes are shown', first.replace(/\s+/g, ' ').trim());
  const pins = await resident.locator('.dienst-punt').count();
  check(pins === (await resident.locator('.diensten li').count()), 'resident: every listed service is on the map', `${pins} markers`);
  await resident.evaluate(() => new Promise((r) => window.setTimeout(r, 300)));
  await resident.screenshot({ path: join(out, 'resident.png') });
  await axe(resident, 'resident');
  noProblems(resident, 'resident');

  // The device's location (granted, and set to Baarn station) lists the services near it.
  await browser.grantPermissions(['geolocation'], { origin: base });
  await browser.setGeolocation({ latitude: 52.2117, longitude: 5.2870 });
  const located = await open('/bewoner');
  await located.click('#mijn-locatie');
  await located.waitForSelector('.diensten li', { timeout: 20_000 });
  const where = await located.locator('#melding').textContent();
  check(/uw locatie/.test(where), 'resident: "Gebruik mijn locatie" lists the services near the device', where.trim());
  const nearestThere = await located.locator('.diensten li').first().textContent();
  check(/Baarn/.test(nearestThere), 'resident: the nearest hospital to Baarn station is the one in Baarn', nearestThere.replace(/\s+/g, ' ').trim().slice(0, 80));
  noProblems(located, 'resident with device location');

  // In Amsterdam the loaded libraries (the Drechtsteden's) say nothing: the page says
  // so instead of sending the resident to Dordrecht.
  await browser.setGeolocation({ latitude: 52.3728, longitude: 4.9003 });
  const amsterdam = await open('/bewoner');
  await amsterdam.click('#mijn-locatie');
  await amsterdam.waitForSelector('.buiten-dekking', { timeout: 20_000 });
  const notCovered = await amsterdam.locator('.buiten-dekking').first().textContent();
  const amsterdamText = await amsterdam.evaluate(() => document.getElementById('resultaat').textContent);
  check(/buiten het gebied van de bron/.test(notCovered) && !/Bibliotheek Dordrecht/.test(amsterdamText), 'resident: outside a source\'s coverage the page says so, and sends no one 70 km away', notCovered.trim().slice(0, 120));
  await amsterdam.screenshot({ path: join(out, 'resident-amsterdam.png') });
  noProblems(amsterdam, 'resident in Amsterdam');

  // The resident page is ready (data-klaar) once its map is idle.
  const phone = await open('/bewoner', { width: 390, height: 844 });
  const residentScreen = await firstScreen(phone);
  check(residentScreen.top <= 0.45 * 844 && residentScreen.bottom >= 840 && residentScreen.bottom <= 846 && residentScreen.height >= 0.5 * 844, 'resident on a phone: the map fills the first screen below the search', `map ${residentScreen.top}–${residentScreen.bottom} px of 844`);
  await attributionCollapsed(phone, 'resident on a phone');
  await touchTargets(phone, 'resident on a phone');
  await phone.screenshot({ path: join(out, 'resident-phone-first-screen.png') });
  await phone.fill('#adres', 'Baarn');
  await phone.press('#adres', 'Enter');
  await phone.waitForSelector('#kandidaten button, .diensten li', { timeout: 20_000 });
  if (await phone.locator('#kandidaten button').count()) await phone.locator('#kandidaten button').first().click();
  await phone.waitForSelector('.diensten li', { timeout: 20_000 });
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, 'resident: fits a phone-sized screen without sideways scrolling', `${overflow}px overflow`);
  await phone.screenshot({ path: join(out, 'resident-phone.png'), fullPage: true });
  noProblems(phone, 'resident on a phone');

  // ---- the planner on a phone: the map first, the controls in a sheet -----------------
  const phonePlanner = await open('/kaart', { width: 390, height: 844 });
  await idle(phonePlanner);
  const plannerScreen = await firstScreen(phonePlanner);
  check(plannerScreen.top <= 130 && plannerScreen.height >= 0.7 * 844 && plannerScreen.scroll <= 0, 'planner on a phone: the map fills the first screen', `map ${plannerScreen.top}–${plannerScreen.bottom} px of 844, ${plannerScreen.scroll}px to scroll`);
  check(await canvasColours(phonePlanner) >= 6, 'planner on a phone: the choropleth is drawn');
  const closedSheet = await phonePlanner.evaluate(() => ({ expanded: document.getElementById('lade').getAttribute('aria-expanded'), top: document.getElementById('zijpaneel').getBoundingClientRect().top }));
  check(closedSheet.expanded === 'false' && closedSheet.top >= 780, 'planner on a phone: the controls wait in a closed sheet below the map', `sheet from ${closedSheet.top} px`);
  await attributionCollapsed(phonePlanner, 'planner on a phone');
  const scale = await phonePlanner.evaluate(() => {
    const el = document.querySelector('.maplibregl-ctrl-scale');
    const r = el.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return { text: el.textContent, shown: el === hit || el.contains(hit), bottom: r.bottom, mapBottom: document.getElementById('kaart').getBoundingClientRect().bottom };
  });
  check(scale.shown && scale.bottom <= scale.mapBottom, 'planner on a phone: the scale bar is visible, not under the attribution or the sheet', scale.text);
  await touchTargets(phonePlanner, 'planner on a phone, sheet closed');
  await phonePlanner.screenshot({ path: join(out, 'planner-phone.png') });
  await phonePlanner.click('#lade');
  const openSheet = await phonePlanner.evaluate(() => ({ expanded: document.getElementById('lade').getAttribute('aria-expanded'), height: document.getElementById('zijpaneel').getBoundingClientRect().height, category: document.getElementById('categorie').getBoundingClientRect().bottom }));
  check(openSheet.expanded === 'true' && openSheet.height >= 0.4 * 844 && openSheet.category <= 844, 'planner on a phone: the button opens the sheet with the controls', `${Math.round(openSheet.height)} px high`);
  await touchTargets(phonePlanner, 'planner on a phone, sheet open');
  await phonePlanner.screenshot({ path: join(out, 'planner-phone-sheet.png') });
  await axe(phonePlanner, 'planner on a phone');
  await phonePlanner.click('#lade');
  // A tap on the map opens the area's panel, in the sheet, opened to show it.
  const phoneBox = await phonePlanner.locator('#kaart canvas').boundingBox();
  const phoneProbe = { x: phoneBox.width * 0.5, y: phoneBox.height * 0.55 };
  const phoneUnder = await phonePlanner.evaluate((p) => window.wijkatlas.map.queryRenderedFeatures([p.x, p.y], { layers: ['gebieden-vlak'] })[0]?.properties.code, phoneProbe);
  check(Boolean(phoneUnder), 'planner on a phone: there is an area under the probe', phoneUnder);
  await phonePlanner.mouse.click(phoneBox.x + phoneProbe.x, phoneBox.y + phoneProbe.y);
  await phonePlanner.waitForFunction((code) => document.querySelector('#detail')?.textContent.includes(code), phoneUnder);
  await phonePlanner.waitForTimeout(200);
  const panelShown = await phonePlanner.evaluate(() => ({ heading: document.querySelector('#detail h2').getBoundingClientRect().top, button: document.getElementById('lade').getBoundingClientRect().bottom, expanded: document.getElementById('lade').getAttribute('aria-expanded') }));
  check(panelShown.expanded === 'true' && panelShown.heading >= panelShown.button && panelShown.heading < 800, 'planner on a phone: tapping an area opens its panel in the sheet, its heading in sight', `${phoneUnder}, heading at ${Math.round(panelShown.heading)} px, below the sheet's button at ${Math.round(panelShown.button)} px`);
  await phonePlanner.screenshot({ path: join(out, 'planner-phone-panel.png') });
  const fitPhone = await dropdownsFit(phonePlanner);
  check(fitPhone.length >= 3 && fitPhone.every((d) => d.fits), 'planner on a phone: no dropdown choice is cut off', fitPhone.map((d) => `${d.id}: ${d.px}/${d.room} px`).join('; '));
  // Placing a facility closes the sheet; what to do, and then the outcome, are said on the map.
  await phonePlanner.locator('#plaats').scrollIntoViewIfNeeded();
  await phonePlanner.click('#plaats');
  const howPhone = await mapNoteShown(phonePlanner);
  check(howPhone.inView && howPhone.onTop && /Klik op de kaart/.test(howPhone.text), 'planner on a phone: placing a facility, the map says what to do', howPhone.text.slice(0, 60));
  await phonePlanner.mouse.click(phoneBox.x + phoneProbe.x, phoneBox.y + phoneProbe.y);
  await phonePlanner.waitForFunction(() => window.wijkatlas.state.scenario);
  const notePhone = await mapNoteShown(phonePlanner);
  const sheetPhone = await phonePlanner.evaluate(() => document.getElementById('lade').getAttribute('aria-expanded'));
  check(sheetPhone === 'false' && notePhone.inView && notePhone.onTop && /wijken beter, \d+ slechter/.test(notePhone.text), 'planner on a phone: the what-if summary is in view on the map, with the sheet closed', `${notePhone.top}–${notePhone.bottom} px; sheet open: ${sheetPhone}; in view ${notePhone.inView}, on top ${notePhone.onTop}: ${notePhone.text.slice(0, 60)}`);
  await phonePlanner.screenshot({ path: join(out, 'planner-phone-whatif.png') });
  noProblems(phonePlanner, 'planner on a phone');
  await phonePlanner.close();

  console.log(JSON.stringify(summary));
} catch (e) {
  console.error(e.message ?? e);
  console.log(JSON.stringify(summary));
  process.exitCode = 1;
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
  writeFileSync(join(out, 'summary.json'), JSON.stringify(summary, null, 1));
}
