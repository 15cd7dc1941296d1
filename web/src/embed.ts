// The map a gemeente puts on its own site in an iframe (/kaart/embed?gemeente=…&categorie=…):
// the gap choropleth of its areas for one category, the facilities, a legend in words,
// the sources, the same as a list, and a link to the full atlas. Nothing to operate.

import * as api from './api';
import { distance, escapeHtml, number } from './format';
import { LAYERS, NO_DATA, classOf, fillColour } from './layers';
import { basemapShown, bboxOf, createMap, whenIdle } from './map';

const COLLECTION: Record<string, string> = { gemeente: 'gemeenten', wijk: 'wijken', buurt: 'buurten' };
const LEVEL_PLURAL: Record<string, string> = { gemeente: 'gemeenten', wijk: 'wijken', buurt: 'buurten' };
const TILES = 'kaart';
const GAP = LAYERS[0];

const $ = (id: string) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el;
};

const appWindow = window as unknown as { wijkatlas: Record<string, unknown> };
appWindow.wijkatlas = { ready: false };

function report(message: string, isError = false) {
  const el = $('melding');
  el.textContent = message;
  el.classList.toggle('fout', isError);
}

/** Says in words why nothing is drawn, and lets the e2e test know the page is done. */
function refuse(message: string) {
  report(message, true);
  $('kaart').hidden = true;
  document.body.dataset.klaar = 'ja';
}

async function main() {
  const params = new URLSearchParams(window.location.search);
  const config = await api.loadConfig();
  const level = config.analysisLevel ?? config.levels[config.levels.length - 1];
  const categories = config.categories.map((c) => c.key);
  const category = params.get('categorie') ?? categories[0];
  const gemeente = (params.get('gemeente') ?? '').toUpperCase();
  const known = config.categories.find((c) => c.key === category);
  if (!level || !known) {
    refuse(`Onbekende voorziening '${category ?? ''}'. Kies categorie= uit: ${categories.join(', ') || '(geen geladen)'}.`);
    return;
  }
  if (!/^GM\d{4}$/.test(gemeente)) {
    refuse(`Geef de gemeente als CBS-code, bijvoorbeeld ?gemeente=GM0505&categorie=${category}.`);
    return;
  }
  const c = category;
  const wanted = ['code', 'naam', 'gemeentenaam', 'inwoners', `${c}_gap`, `${c}_rang`, `${c}_afstand_m`].filter((p) => p === 'code' || config.areaProperties.includes(p));
  const areas = await api.loadItems(COLLECTION[level], `zoom=9&gemeentecode=${gemeente}&properties=${wanted.join(',')}`);
  if (!areas.features.length) {
    refuse(`Er is geen gemeente met de code ${gemeente} geladen.`);
    return;
  }
  const name = String(areas.features[0].properties?.gemeentenaam ?? gemeente);
  const label = known.label.toLowerCase();
  $('titel').textContent = `Tekort aan ${label} in ${name}`;
  document.title = `Tekort aan ${label} in ${name} — wijkatlas`;
  ($('volledig') as HTMLAnchorElement).href = `/kaart#categorie=${encodeURIComponent(c)}&gemeente=${gemeente}`;
  $('kaart').setAttribute('aria-label', `Kaart van het tekort aan ${label} per ${level} in ${name}; dezelfde gegevens staan in de lijst onder de kaart`);

  let box: [number, number, number, number] | null = null;
  for (const f of areas.features) {
    const b = bboxOf(f.geometry);
    if (b) box = box ? [Math.min(box[0], b[0]), Math.min(box[1], b[1]), Math.max(box[2], b[2]), Math.max(box[3], b[3])] : b;
  }
  const map = createMap('kaart', config, box ? { bounds: box, fitBoundsOptions: { padding: 16 } } : {});
  appWindow.wijkatlas.map = map;
  const facilitiesP = box
    ? api.loadItems('voorzieningen', `categorie=${encodeURIComponent(c)}&bbox=${[box[0] - 0.1, box[1] - 0.07, box[2] + 0.1, box[3] + 0.07].map((v) => v.toFixed(4)).join(',')}&properties=id,naam`)
    : Promise.resolve({ type: 'FeatureCollection', features: [] } as GeoJSON.FeatureCollection);
  if (!map.loaded()) await new Promise((resolve) => map.once('load', resolve));
  map.addSource(TILES, { type: 'vector', tiles: [window.location.origin + config.tiles.url], minzoom: 0, maxzoom: 15, promoteId: 'code' });
  const haveGemeenten = config.tiles.layers.some((l) => l.collection === 'gemeenten');
  if (haveGemeenten) {
    map.addLayer({ id: 'gemeenten-vlak', type: 'fill', source: TILES, 'source-layer': 'gemeenten', paint: { 'fill-color': '#fbfaf7', 'fill-opacity': basemapShown(map) ? 0 : 1 } });
  }
  map.addLayer({
    id: 'gebieden-vlak',
    type: 'fill',
    source: TILES,
    'source-layer': COLLECTION[level],
    // The gemeente's own areas in full colour; its neighbours faint, for orientation.
    paint: { 'fill-color': fillColour(GAP, c), 'fill-opacity': ['case', ['==', ['get', 'gemeentecode'], gemeente], 0.9, 0.2] },
  });
  map.addLayer({ id: 'gebieden-lijn', type: 'line', source: TILES, 'source-layer': COLLECTION[level], paint: { 'line-color': '#ffffff', 'line-width': 0.8 } });
  if (haveGemeenten) {
    map.addLayer({
      id: 'gemeente-grens',
      type: 'line',
      source: TILES,
      'source-layer': 'gemeenten',
      paint: { 'line-color': '#1a1a1a', 'line-width': ['case', ['==', ['get', 'code'], gemeente], 2.5, 0.6] },
    });
  }
  const facilities = await facilitiesP;
  map.addSource('voorzieningen', { type: 'geojson', data: facilities });
  map.addLayer({
    id: 'voorzieningen-punt',
    type: 'circle',
    source: 'voorzieningen',
    paint: { 'circle-color': '#1d3557', 'circle-radius': 6, 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 },
  });

  const items = [...GAP.classes, { colour: NO_DATA.colour, label: NO_DATA.label }]
    .map((k) => `<li><span class="vlak" style="background:${k.colour}" aria-hidden="true"></span>${escapeHtml(k.label)}</li>`)
    .join('');
  $('legenda').innerHTML = `<h2 id="legenda-titel">${escapeHtml(GAP.title)}</h2><ul class="klassen">${items}<li><span class="punt" aria-hidden="true"></span>${escapeHtml(known.label)} (voorziening)</li></ul><p class="klein">${escapeHtml(GAP.explain)}</p>`;

  // The list is the map in words: every area of the gemeente, largest gap first.
  const rows = areas.features
    .map((f) => f.properties ?? {})
    .sort((a, b) => (a[`${c}_rang`] ?? Infinity) - (b[`${c}_rang`] ?? Infinity));
  $('lijst-uitleg').textContent = `${number(rows.length)} ${LEVEL_PLURAL[level]} van ${name}, het grootste tekort aan ${label} eerst; de rang is die van alle gerangschikte ${LEVEL_PLURAL[level]} van Nederland.`;
  $('lijst').innerHTML = rows
    .map((p) => {
      const rank = p[`${c}_rang`];
      const gap = p[`${c}_gap`];
      return `<li><strong>${escapeHtml(p.naam)}</strong>: ${escapeHtml(classOf(GAP, gap).label)}${typeof gap === 'number' ? ` (gap ${number(gap, 2)})` : ''}<br><span class="klein">${rank ? `rang ${number(rank)}` : 'niet gerangschikt'} · dichtstbijzijnde ${escapeHtml(label)}: ${distance(p[`${c}_afstand_m`])} · ${number(p.inwoners)} inwoners</span></li>`;
    })
    .join('');
  $('bronnen').textContent = `Bronnen: ${config.attribution.join(' · ')}. Kaart: wijkatlas.`;
  await whenIdle(map);
  report(`${number(rows.length)} ${LEVEL_PLURAL[level]} en ${number(facilities.features.length)} voorzieningen (${label}) in en rond ${name}.`);
  appWindow.wijkatlas.ready = true;
  document.body.dataset.klaar = 'ja';
}

main().catch((e) => {
  console.error(e);
  refuse(`De kaart kon niet worden geladen: ${(e as Error).message}`);
});
