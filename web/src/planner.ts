// The planner's view: a choropleth of the gap between need and access per area for one
// category, the layers behind it, the ranked list of the most underserved areas, the
// area panel, what-if and export.

import type { ExpressionSpecification, MapGeoJSONFeature } from 'maplibre-gl';
import * as api from './api';
import type { AreaChange, Config, Ranked, Suggestion } from './api';
import { comparisonHtml } from './compare';
import { setupSheet, type Sheet } from './sheet';
import { download, dutchCsv, png } from './export';
import type { DutchColumn } from './csv';
import { distance, escapeHtml, number, signed } from './format';
import { LAYERS, NO_DATA, classOf, fillColour, type MapLayer } from './layers';
import { addAreaLabels, addGemeenteLabels, basemapShown, bboxOf, createMap, maplibregl, whenIdle } from './map';
import { pickingReach, reachLegend, reachOffered, setUpReach, showReachFrom } from './planner_reach';

const COLLECTION: Record<string, string> = { gemeente: 'gemeenten', wijk: 'wijken', buurt: 'buurten' };
const LEVEL_WORD: Record<string, string> = { gemeente: 'gemeente', wijk: 'wijk', buurt: 'buurt' };
const LEVEL_PLURAL: Record<string, string> = { gemeente: 'gemeenten', wijk: 'wijken', buurt: 'buurten' };
const LIST_PAGE = 20;
// The areas come as vector tiles (the combined tiles, generalised per zoom on the
// server, so neighbours keep their shared edges); the page's own copy of their figures,
// for the list, the panel and the CSV, is read once with outlines for this zoom.
const AREA_COPY_ZOOM = 7;
const TILES = 'kaart';
const AREA_FILLS = ['gebieden-vlak'];
const FACILITY_LAYERS = ['voorzieningen-punt', 'voorzieningen-cluster'];

const $ = <T extends HTMLElement>(id: string) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
};

interface Ranking {
  byCode: Map<string, Ranked>;
  ordered: Ranked[];
  total: number;
}

interface Opened {
  marker: maplibregl.Marker;
}

const state = {
  config: null as unknown as Config,
  level: 'wijk',
  category: '',
  layer: LAYERS[0],
  gemeente: '' as string,
  areas: { type: 'FeatureCollection', features: [] } as GeoJSON.FeatureCollection,
  areasReady: Promise.resolve(),
  sourceLayer: '',
  areaBoxes: new Map<string, [number, number, number, number]>(),
  gemeenten: null as unknown as GeoJSON.FeatureCollection,
  gemeenteNames: new Map<string, string>(),
  facilities: [] as GeoJSON.Feature[],
  available: new Set<string>(),
  rankings: new Map<string, Ranking>(),
  selected: null as string | null,
  listShown: LIST_PAGE,
  opened: [] as Opened[],
  closed: new Set<string>(),
  scenario: null as { changes: Map<string, AreaChange>; ranked: Ranked[] } | null,
  suggestions: [] as maplibregl.Marker[],
};

// Timings for the bench and the e2e test: what our own code took, and the server.
const timings: Record<string, { ownMs: number; serverMs: number; totalMs: number }> = {};
const appWindow = window as unknown as { wijkatlas: Record<string, unknown> };
appWindow.wijkatlas = { state, timings, ready: false };

function report(message: string, isError = false) {
  const el = $('melding');
  el.textContent = message;
  el.classList.toggle('fout', isError);
}

/**
 * What the what-if is doing, said on the map itself: the sidebar's message line is
 * scrolled away on a desktop when the what-if buttons are in view, and sits in the
 * closed sheet on a phone while a facility is placed. `null` takes the note away.
 */
function mapNote(map: maplibregl.Map, text: string | null, withReset = false) {
  const container = map.getContainer();
  let note = container.querySelector<HTMLElement>('.wat-als-kaart');
  if (text === null) {
    note?.remove();
    return;
  }
  if (!note) {
    note = document.createElement('section');
    note.className = 'wat-als-kaart';
    note.setAttribute('aria-label', 'Wat-als op de kaart');
    container.appendChild(note);
  }
  // Hidden with its ×, the summary still stands in the sidebar's message line.
  note.innerHTML = `<button type="button" class="verberg" aria-label="Samenvatting op de kaart verbergen">×</button><p>${escapeHtml(text)}</p>${withReset ? '<button type="button" class="herstel-kaart">Herstel</button>' : ''}`;
  note.querySelector('.verberg')?.addEventListener('click', () => mapNote(map, null));
  note.querySelector('.herstel-kaart')?.addEventListener('click', () => {
    resetScenario(map, false);
    report('Scenario gewist: de kaart toont weer de huidige situatie.');
  });
}

/** The controls' sheet on a narrow screen (a no-op on a wide one). */
let sheet: Sheet | null = null;

async function main() {
  const t0 = performance.now();
  const marks: Record<string, number> = {};
  const mark = (name: string) => (marks[name] = Math.round(performance.now() - t0));
  appWindow.wijkatlas.marks = marks;
  // Marks count from here; this is when the page's script started, from navigation.
  marks.scriptStart = Math.round(t0);
  const config = await api.loadConfig();
  mark('config');
  state.config = config;
  state.level = config.analysisLevel ?? config.levels[config.levels.length - 1] ?? 'wijk';
  state.category = config.categories[0]?.key ?? '';
  if (!state.category) {
    report('Er zijn geen voorzieningen geladen: de kaart toont alleen de gebieden.', true);
  }
  const collection = COLLECTION[state.level];
  $('per-niveau').textContent = `per ${LEVEL_WORD[state.level]}`;
  // Every request starts before the map is created: creating the WebGL context blocks
  // the page for a while, and the answers can travel meanwhile.
  const availableP = Promise.resolve(new Set(config.areaProperties));
  const perCategory = config.categories.flatMap((c) =>
    ['gap', 'toegang', 'afstand_m', 'rang', 'binnen_1km', 'binnen_3km', 'binnen_5km'].map((s) => `${c.key}_${s}`),
  );
  const wantedP = availableP.then((available) =>
    ['code', 'naam', 'gemeentecode', 'gemeentenaam', 'inwoners', 'pct_65plus', 'pct_0_15', 'behoefte_index', 'pct_corporatiewoningen', 'afstand_huisarts_km', ...perCategory].filter((p) => available.has(p)),
  );
  // The page's copy of the areas' figures, read after the first render.
  const areasQueryP = wantedP.then((wanted) => `zoom=${AREA_COPY_ZOOM}&properties=${wanted.join(',')}`);
  const dataP = Promise.all([
    config.levels.includes('gemeente') && state.level !== 'gemeente'
      ? api
          .loadItems('gemeenten', 'zoom=8&properties=code,naam,inwoners,pct_corporatiewoningen')
          // Gemeenten without these figures (a national CBS file's own layer): all they have.
          .catch(() => api.loadItems('gemeenten', 'zoom=8'))
      : Promise.resolve({ type: 'FeatureCollection', features: [] } as GeoJSON.FeatureCollection),
    // Data with CBS's distances alone (no voorziening loaded) has no such collection.
    config.categories.some((c) => c.count > 0)
      ? api.loadItems('voorzieningen', 'properties=id,naam,categorie,categorie_naam,adres,postcode,plaats')
      : Promise.resolve({ type: 'FeatureCollection', features: [] } as GeoJSON.FeatureCollection),
    state.category ? ranking(state.category).then((x) => (mark('ranking'), x)) : Promise.resolve(null),
  ]);
  sheet = setupSheet($('zijpaneel'), $<HTMLButtonElement>('lade'));
  const map = createMap('kaart', config, { canvasContextAttributes: { preserveDrawingBuffer: true } });
  appWindow.wijkatlas.map = map;
  theMap = map;
  mark('mapCreated');
  // How many frames the first render took: on a machine without a GPU each is costly.
  let frames = 0;
  const countFrame = () => (marks.frames = ++frames);
  map.on('render', countFrame);
  state.available = await availableP;
  const areasQuery = await areasQueryP;
  // The choropleth goes on the map as soon as the map can take it: its worker fetches
  // the areas while the page waits for the rest.
  // The style is ours and inline: once it is read the area layers can go on, without
  // waiting for the first full render ('load'), so their tiles are asked for sooner.
  if (!map.isStyleLoaded()) await new Promise((resolve) => map.once('style.load', resolve));
  mark('mapLoaded');
  addAreaLayers(map, collection);
  const drawn = () => {
    if (map.getSource(TILES) && map.isSourceLoaded(TILES)) {
      mark('choropleth');
      map.off('render', drawn);
    }
  };
  map.on('render', drawn);
  const [gemeenten, facilities] = await dataP;
  mark('data');
  state.gemeenten = gemeenten;
  state.facilities = facilities.features;
  for (const f of gemeenten.features) state.gemeenteNames.set(String(f.properties?.code), String(f.properties?.naam));
  addContextLayers(map);
  fillControls();
  applyLayer(map);
  renderList();
  wireEvents(map);
  setUpReach(map, config, { legendChanged: renderLegend, beforePicking: () => sheet?.close(), below: 'voorzieningen-cluster' });
  mark('layersAdded');
  await whenIdle(map);
  mark('idle');
  map.off('render', countFrame);
  timings.firstRender = { ownMs: 0, serverMs: 0, totalMs: performance.now() - t0 };
  // The page's own copy of the areas (for the panel, zooming to an area, labels and the
  // CSV) is read after the first render, off its critical path.
  state.areasReady = loadAreaCopy(map, collection, areasQuery);
  await state.areasReady;
  mark('areaCopy');
  // The areas name gemeenten the gemeente layer may not have.
  fillGemeenten();
  await applyLinkedState(map);
  map.on('moveend', rememberState);
  // A link pasted into the address bar of an open map changes only the hash.
  window.addEventListener('hashchange', () => {
    // Not written back while the new address is read: it would overwrite it.
    linkReady = false;
    resetScenario(map, false);
    void applyLinkedState(map);
  });
  appWindow.wijkatlas.ready = true;
  document.body.dataset.klaar = 'ja';
  // A linked what-if has said what it changed; that is what the reader came for.
  if (!state.scenario && !linkProblem) report(`${number(state.areas.features.length)} ${LEVEL_PLURAL[state.level]} en ${number(facilities.features.length)} voorzieningen geladen.`);
}

async function loadAreaCopy(map: maplibregl.Map, collection: string, query: string) {
  const areas = await api.loadItems(collection, query);
  state.areas = areas;
  for (const f of areas.features) {
    const b = bboxOf(f.geometry);
    if (b) state.areaBoxes.set(String(f.properties?.code), b);
    const g = f.properties?.gemeentecode;
    if (g && !state.gemeenteNames.has(g)) state.gemeenteNames.set(g, f.properties?.gemeentenaam ?? g);
  }
  addAreaLabels(map, 'gebieden', areas, 11);
}

async function ranking(category: string): Promise<Ranking> {
  const cached = state.rankings.get(category);
  if (cached) return cached;
  const r = await api.loadRanking(category);
  const out: Ranking = { byCode: new Map(r.ranked.map((x) => [x.code, x])), ordered: r.ranked, total: r.numberRanked };
  state.rankings.set(category, out);
  return out;
}

/** The combined tiles as one source: the choropleth areas and the gemeente outlines. */
function addAreaLayers(map: maplibregl.Map, collection: string) {
  state.sourceLayer = collection;
  const tiles = state.config.tiles;
  map.addSource(TILES, {
    type: 'vector',
    // Absolute: the map's worker resolves URLs against its own script, not the page.
    tiles: [window.location.origin + tiles.url],
    minzoom: 0,
    // Past zoom 15 the server's outlines are as they are: MapLibre scales up those tiles.
    maxzoom: 15,
    promoteId: 'code',
  });
  const haveGemeenten = tiles.layers.some((l) => l.collection === 'gemeenten');
  if (haveGemeenten) {
    map.addLayer({
      id: 'gemeenten-vlak',
      type: 'fill',
      source: TILES,
      'source-layer': 'gemeenten',
      paint: { 'fill-color': '#fbfaf7', 'fill-opacity': basemapShown(map) ? 0 : 1 },
    });
  }
  map.addLayer({ id: 'gebieden-vlak', type: 'fill', source: TILES, 'source-layer': collection, paint: { 'fill-color': fillColour(state.layer, state.category), 'fill-opacity': 0.85 } });
  map.addLayer({
    id: 'gebieden-lijn',
    type: 'line',
    source: TILES,
    'source-layer': collection,
    paint: { 'line-color': '#ffffff', 'line-opacity': 0.7, 'line-width': ['interpolate', ['linear'], ['zoom'], 7, 0.2, 12, 1] },
  });
  if (haveGemeenten) {
    map.addLayer({
      id: 'gemeenten-doel',
      type: 'fill',
      source: TILES,
      'source-layer': 'gemeenten',
      layout: { visibility: 'none' },
      paint: { 'fill-color': NO_DATA.colour, 'fill-opacity': 0.85 },
    });
    map.addLayer({
      id: 'gemeenten-grens',
      type: 'line',
      source: TILES,
      'source-layer': 'gemeenten',
      paint: { 'line-color': '#4a4a4a', 'line-width': ['interpolate', ['linear'], ['zoom'], 6, 0.6, 10, 1.8] },
    });
  }
  map.addLayer({
    id: 'gebieden-gekozen',
    type: 'line',
    source: TILES,
    'source-layer': collection,
    paint: { 'line-color': '#000', 'line-width': ['case', ['boolean', ['feature-state', 'gekozen'], false], 3.5, 0] },
  });
}

function setAreaState(map: maplibregl.Map, id: string, values: Record<string, unknown>) {
  if (map.getSource(TILES)) map.setFeatureState({ source: TILES, sourceLayer: state.sourceLayer, id }, values);
}

function clearAreaStates(map: maplibregl.Map) {
  if (map.getSource(TILES)) map.removeFeatureState({ source: TILES, sourceLayer: state.sourceLayer });
}

/** Gemeenten, labels and facilities: around the choropleth, once their data is in. */
function addContextLayers(map: maplibregl.Map) {
  addGemeenteLabels(map, state.gemeenten);
  map.addSource('voorzieningen', { type: 'geojson', data: facilityData(), cluster: true, clusterRadius: 36, clusterMaxZoom: 11 });
  map.addLayer({
    id: 'voorzieningen-cluster',
    type: 'circle',
    source: 'voorzieningen',
    filter: ['has', 'point_count'],
    paint: { 'circle-color': '#1d3557', 'circle-opacity': 0.85, 'circle-radius': ['step', ['get', 'point_count'], 11, 10, 15, 50, 19], 'circle-stroke-color': '#fff', 'circle-stroke-width': 1.5 },
  });
  map.addLayer({
    id: 'voorzieningen-aantal',
    type: 'symbol',
    source: 'voorzieningen',
    filter: ['has', 'point_count'],
    layout: { 'text-field': ['get', 'point_count_abbreviated'], 'text-font': ['sans-serif'], 'text-size': 11 },
    paint: { 'text-color': '#fff' },
  });
  map.addLayer({
    id: 'voorzieningen-punt',
    type: 'circle',
    source: 'voorzieningen',
    filter: ['!', ['has', 'point_count']],
    paint: {
      'circle-color': ['case', ['get', 'gesloten'], '#9a9a9a', '#1d3557'],
      'circle-radius': ['interpolate', ['linear'], ['zoom'], 7, 4, 13, 7],
      'circle-stroke-color': '#fff',
      'circle-stroke-width': 1.5,
    },
  });
}

/** The facilities of the chosen category, closed ones marked for the what-if. */
function facilityData(): GeoJSON.FeatureCollection {
  return {
    type: 'FeatureCollection',
    features: state.facilities
      .filter((f) => f.properties?.categorie === state.category)
      .map((f) => ({ ...f, properties: { ...f.properties, gesloten: state.closed.has(String(f.id ?? f.properties?.id)) } })),
  };
}

function categoryLabel(key = state.category): string {
  return state.config.categories.find((c) => c.key === key)?.label ?? key;
}

function layerAvailable(layer: MapLayer): boolean {
  if (layer.source === 'gemeenten') return state.gemeenten.features.some((f) => typeof f.properties?.pct_corporatiewoningen === 'number');
  return state.available.has(layer.property(state.category));
}

function fillControls() {
  const cat = $<HTMLSelectElement>('categorie');
  cat.innerHTML = state.config.categories
    .map((c) => `<option value="${escapeHtml(c.key)}">${escapeHtml(c.label)} (${c.toegang_bron === 'cbs_afstand' ? 'afstand volgens CBS' : number(c.count)})</option>`)
    .join('');
  cat.value = state.category;
  fillGemeenten();
  fillLayerPicker();
}

/** Every gemeente of the loaded data: the gemeente layer's, and those only the areas
 * name (a gemeente formed after the gemeente layer's year, like Voorne aan Zee). */
function fillGemeenten() {
  const gm = $<HTMLSelectElement>('gemeente');
  const names = [...state.gemeenteNames.entries()].sort((a, b) => a[1].localeCompare(b[1], 'nl'));
  gm.innerHTML = `<option value="">Heel Nederland</option>` + names.map(([code, naam]) => `<option value="${escapeHtml(code)}">${escapeHtml(naam)}</option>`).join('');
  gm.value = state.gemeente ?? '';
}

/** Lower case without accents, for finding "Súdwest" by "sudwest". */
const plain = (t: string) => t.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

/** Gemeenten and areas whose name holds the text, best first: a name that starts with
 * it before one that only contains it, gemeenten before areas. */
function findByName(text: string): { code: string; naam: string; kind: 'gemeente' | 'gebied'; detail: string }[] {
  const q = plain(text.trim());
  if (q.length < 2) return [];
  const hits: { code: string; naam: string; kind: 'gemeente' | 'gebied'; detail: string; score: number }[] = [];
  for (const [code, naam] of state.gemeenteNames) {
    const at = plain(naam).indexOf(q);
    if (at >= 0) hits.push({ code, naam, kind: 'gemeente', detail: `gemeente, ${code}`, score: at === 0 ? 0 : 2 });
  }
  for (const f of state.areas.features) {
    const naam = String(f.properties?.naam ?? '');
    const code = String(f.properties?.code ?? '');
    const at = plain(naam).indexOf(q);
    if (at >= 0 || plain(code) === q) {
      const g = String(f.properties?.gemeentecode ?? '');
      hits.push({ code, naam, kind: 'gebied', detail: `${LEVEL_WORD[state.level]} in ${state.gemeenteNames.get(g) ?? g}, ${code}`, score: at === 0 ? 1 : 3 });
    }
  }
  return hits.sort((a, b) => a.score - b.score || a.naam.localeCompare(b.naam, 'nl')).slice(0, 8);
}

function fillLayerPicker() {
  const sel = $<HTMLSelectElement>('laag');
  sel.innerHTML = LAYERS.map((l) => {
    const ok = layerAvailable(l);
    return `<option value="${l.key}"${ok ? '' : ' disabled'}>${escapeHtml(l.option ?? l.title)}${ok ? '' : ' (geen gegevens)'}</option>`;
  }).join('');
  sel.value = state.layer.key;
}

function applyLayer(map: maplibregl.Map) {
  const t0 = performance.now();
  const layer = state.layer;
  const onGemeenten = layer.source === 'gemeenten';
  // Data without a gemeente level (a city's wijken alone) has no such layer.
  if (map.getLayer('gemeenten-doel')) map.setLayoutProperty('gemeenten-doel', 'visibility', onGemeenten ? 'visible' : 'none');
  for (const id of AREA_FILLS) map.setLayoutProperty(id, 'visibility', onGemeenten ? 'none' : 'visible');
  if (onGemeenten) map.setPaintProperty('gemeenten-doel', 'fill-color', fillColour(layer, state.category));
  else for (const id of AREA_FILLS) map.setPaintProperty(id, 'fill-color', fillColour(layer, state.category));
  const dim: ExpressionSpecification | number = state.gemeente
    ? ['case', ['==', ['get', onGemeenten ? 'code' : 'gemeentecode'], state.gemeente], 0.9, 0.25]
    : 0.85;
  for (const id of onGemeenten ? ['gemeenten-doel'] : AREA_FILLS) map.setPaintProperty(id, 'fill-opacity', dim);
  renderLegend();
  return performance.now() - t0;
}

/** The need components in force at this level, and where the category's data holds. */
function legendNotes(layer: MapLayer): string {
  const notes: string[] = [];
  const need = state.config.need;
  if (need && (layer.key === 'gap' || layer.key === 'behoefte')) {
    const parts = need.components.map((c) => `${c.label} (${number(c.weight * 100)}%)`).join(', ');
    const missing = need.missing.map((c) => c.label.toLowerCase()).join(', ');
    notes.push(`Behoefte-index op dit niveau: ${parts || 'geen onderdelen'}.${missing ? ` Niet in de gegevens van dit niveau: ${missing}.` : ''}`);
  }
  const category = state.config.categories.find((c) => c.key === state.category);
  if (category?.toegang_bron === 'cbs_afstand' && layer.source === 'areas') {
    notes.push(`${category.label}: ${category.toegang_bron_tekst}. Afstand en toegang zijn die van CBS; aantallen binnen bereik zijn er dan niet.`);
  }
  if (category && !category.landelijk && layer.source === 'areas') {
    notes.push(`De gegevens over ${category.label.toLowerCase()} beschrijven alleen ${category.dekking}; daarbuiten is het gebied grijs (geen gegevens).`);
  }
  return notes.map((n) => `<p class="klein dekking">${escapeHtml(n)}</p>`).join('');
}

/** A what-if moves voorzieningen: with CBS's distance as the measure there are none. */
function updateWhatIf() {
  const category = state.config.categories.find((c) => c.key === state.category);
  const fromCbs = category?.toegang_bron === 'cbs_afstand';
  for (const id of ['plaats', 'stel-voor']) $<HTMLButtonElement>(id).disabled = fromCbs;
  $('wat-als-cbs').textContent = fromCbs
    ? `Er zijn geen voorzieningen van deze soort geladen; de afstand is die van CBS. Een wat-als of voorstel heeft voorzieningen nodig.`
    : '';
}

function renderLegend() {
  updateWhatIf();
  const layer = state.layer;
  const about = layer.source === 'gemeenten' ? 'per gemeente' : `per ${LEVEL_WORD[state.level]}, ${categoryLabel().toLowerCase()}`;
  const items = [...layer.classes, { colour: NO_DATA.colour, label: NO_DATA.label }]
    .map((c) => `<li><span class="vlak" style="background:${c.colour}" aria-hidden="true"></span>${escapeHtml(c.label)}</li>`)
    .join('');
  $('legenda').innerHTML = `<h2 id="legenda-titel">${escapeHtml(layer.title)}</h2><p class="klein">${escapeHtml(about)}</p><ul class="klassen">${items}</ul><p class="klein">${escapeHtml(layer.explain)}</p>${legendNotes(layer)}${
    state.scenario && layer.state ? '<p class="wat-als-actief">Wat-als is actief: de kaart toont de uitkomst van het scenario.</p>' : ''
  }${reachLegend()}`;
}

function currentRanked(): Ranked[] {
  if (state.scenario) return state.scenario.ranked;
  return state.rankings.get(state.category)?.ordered ?? [];
}

function renderList() {
  const list = $('ranglijst');
  const all = currentRanked().filter((r) => !state.gemeente || r.gemeentecode === state.gemeente);
  const shown = all.slice(0, state.listShown);
  const gap = LAYERS[0];
  const where = state.gemeente ? `in ${state.gemeenteNames.get(state.gemeente) ?? state.gemeente}` : 'in het geladen gebied';
  $('ranglijst-uitleg').textContent = all.length
    ? `${LEVEL_PLURAL[state.level]} ${where} met het grootste tekort aan ${categoryLabel().toLowerCase()}, ${state.scenario ? 'na het wat-als-scenario' : 'hoogste gap eerst'}. Klik om in te zoomen.`
    : `Geen gerangschikte ${LEVEL_PLURAL[state.level]} ${where}.`;
  list.innerHTML = shown
    .map((r, i) => {
      const before = state.scenario?.changes.get(r.code);
      const delta = before && before.rank_before !== before.rank_after ? ` <span class="delta">(was ${number(before.rank_before)})</span>` : '';
      const position = state.gemeente ? `${i + 1} <span class="klein">(landelijk ${number(r.rank)})</span>` : number(r.rank);
      return `<li><button type="button" data-code="${escapeHtml(r.code)}"><span class="rang">${position}</span> <strong>${escapeHtml(r.naam)}</strong> <span class="klein">${escapeHtml(state.gemeenteNames.get(r.gemeentecode) ?? '')}</span>${delta}<br><span class="klasse">${escapeHtml(classOf(gap, r.gap).label)}</span> · gap ${number(r.gap, 2)}</button><p class="reden">${escapeHtml(r.reason)}</p></li>`;
    })
    .join('');
  const more = $<HTMLButtonElement>('meer');
  more.hidden = all.length <= shown.length;
  more.textContent = `Toon ${Math.min(LIST_PAGE, all.length - shown.length)} meer (van ${number(all.length)})`;
}

/** Opens the area's panel. `reveal` brings it to the user (the sheet opened on a phone,
 * the keyboard in the panel); a refresh after a what-if or a category change does not,
 * so that neither the map nor the facility being moved is taken away. */
async function select(map: maplibregl.Map, code: string | null, zoom = false, reveal = true) {
  await state.areasReady;
  if (state.selected) setAreaState(map, state.selected, { gekozen: false });
  state.selected = code;
  const panel = $('detail');
  if (!code) {
    panel.hidden = true;
    rememberState();
    return;
  }
  setAreaState(map, code, { gekozen: true });
  const feature = state.areas.features.find((f) => f.properties?.code === code);
  if (!feature) return;
  if (zoom) {
    const b = state.areaBoxes.get(code);
    if (b) map.fitBounds(b, { padding: 60, maxZoom: 13, duration: 0 });
  }
  panel.innerHTML = areaPanel(feature.properties ?? {});
  panel.hidden = false;
  panel.querySelector<HTMLButtonElement>('.sluit')?.addEventListener('click', () => void select(map, null));
  rememberState();
  void fillComparison(code);
  if (!reveal) return;
  // On a phone the panel is in the sheet: open it so the panel is seen.
  sheet?.open();
  panel.focus();
}

/** CBS's own distance for the category: the area's, else its gemeente's (from the ranking). */
function cbsRow(props: Record<string, unknown>, r: Ranked | undefined, row: (label: string, value: string) => string): string {
  const own = props[`${state.category}_cbs_afstand_km`];
  if (typeof own === 'number') return row('Afstand volgens CBS (over de weg)', `${number(own, 1)} km`);
  if (r?.cbs_afstand_km != null) return row('Afstand volgens CBS (over de weg)', `${number(r.cbs_afstand_km, 1)} km (${escapeHtml(r.cbs_niveau ?? '')})`);
  return '';
}

/** Whether the area lies inside the category's sources, and what its figures rest on. */
function coverageWords(props: Record<string, unknown>): string {
  const category = state.config.categories.find((x) => x.key === state.category);
  const standing = props[`${state.category}_dekking`];
  const basis: Record<string, string> = {
    adressen: 'gemeten vanaf de adressen in het gebied',
    buurten: 'gemeten vanaf de buurten, gewogen naar inwoners',
    wijken: 'gemeten vanaf de wijken, gewogen naar inwoners',
    postcodes: 'gemeten vanaf de postcodepunten (PC4): een benadering',
    representatief_punt: 'gemeten vanaf één punt in het gebied',
  };
  const from = basis[String(props.vraag_basis)] ?? '';
  if (standing === 'buiten') return `buiten het gebied van de bron (${category?.dekking ?? 'onbekend'}): geen cijfers`;
  if (standing === 'rand') return `aan de rand van de bron (${category?.dekking ?? ''}): de dichtstbijzijnde kan net buiten de bron liggen; ${from}`;
  return from;
}

function areaPanel(p: GeoJSON.GeoJsonProperties): string {
  const props = p ?? {};
  const c = state.category;
  const r = state.rankings.get(c)?.byCode.get(String(props.code));
  const change = state.scenario?.changes.get(String(props.code));
  const gapLayer = LAYERS[0];
  const row = (label: string, value: string) => `<tr><th scope="row">${escapeHtml(label)}</th><td>${value}</td></tr>`;
  const rows = [
    row('Inwoners', number(props.inwoners)),
    row('65-plussers', props.pct_65plus == null ? '—' : `${number(props.pct_65plus)}%`),
    row('Kinderen 0–15 jaar', props.pct_0_15 == null ? '—' : `${number(props.pct_0_15)}%`),
    props.pct_corporatiewoningen !== undefined ? row('Woningen van corporaties', props.pct_corporatiewoningen == null ? '—' : `${number(props.pct_corporatiewoningen)}%`) : '',
    row('Behoefte-index', number(props.behoefte_index, 2)),
    row(`Afstand tot dichtstbijzijnde (${categoryLabel().toLowerCase()})`, distance(props[`${c}_afstand_m`])),
    row('Binnen 1 / 3 / 5 km', `${number(props[`${c}_binnen_1km`])} / ${number(props[`${c}_binnen_3km`])} / ${number(props[`${c}_binnen_5km`])}`),
    row('Inwoners verder dan de drempel', props[`${c}_inwoners_verder`] == null ? '—' : number(props[`${c}_inwoners_verder`])),
    row('Toegang (1 = gemiddeld)', number(props[`${c}_toegang`], 2)),
    cbsRow(props, r, row),
    row('Gegevens', escapeHtml(coverageWords(props))),
    row('Gap', `${number(props[`${c}_gap`], 2)} — ${escapeHtml(classOf(gapLayer, props[`${c}_gap`]).label)}`),
    row('Rang', r ? `${number(r.rank)} van ${number(state.rankings.get(c)?.total)}` : 'niet gerangschikt (te weinig gegevens)'),
  ].join('');
  const whatIf = change
    ? `<p class="wat-als-actief">Wat-als: ${escapeHtml(change.uitleg)}; gap ${number(change.gap_before, 2)} → ${number(change.gap_after, 2)} (${signed(change.gap_after - change.gap_before)}).</p>`
    : '';
  const collection = COLLECTION[state.level];
  return `<button type="button" class="sluit" aria-label="Paneel sluiten">×</button>
<h2>${escapeHtml(props.naam)}</h2>
<p class="klein">${escapeHtml(LEVEL_WORD[state.level])} ${escapeHtml(props.code)} · gemeente ${escapeHtml(props.gemeentenaam ?? state.gemeenteNames.get(String(props.gemeentecode)) ?? '')}</p>
${r ? `<p class="reden"><strong>Waarom deze plek:</strong> ${escapeHtml(r.reason)}</p>` : ''}
${whatIf}
<table class="cijfers"><caption class="visueel-verborgen">Kerncijfers en indicatoren</caption><tbody>${rows}</tbody></table>
<div id="vergelijking" class="vergelijking" aria-live="polite"></div>
<p class="klein"><a href="/profiles/${encodeURIComponent(String(props.code))}?f=html">Profiel van dit gebied</a>: vergeleken met de gemeente en Nederland, af te drukken als rapport · <a href="/collections/${collection}/items/${encodeURIComponent(String(props.code))}?f=html">als kaartlaag-object</a></p>`;
}

async function changeCategory(map: maplibregl.Map, category: string) {
  const t0 = performance.now();
  state.category = category;
  resetScenario(map, false);
  const ts = performance.now();
  await ranking(category);
  const server = performance.now() - ts;
  const own0 = performance.now();
  (map.getSource('voorzieningen') as maplibregl.GeoJSONSource).setData(facilityData());
  fillLayerPicker();
  if (!layerAvailable(state.layer)) state.layer = LAYERS[0];
  applyLayer(map);
  state.listShown = LIST_PAGE;
  renderList();
  if (state.selected) void select(map, state.selected, false, false);
  else rememberState();
  const own = performance.now() - own0;
  await whenIdle(map);
  timings.categorySwitch = { ownMs: own, serverMs: server, totalMs: performance.now() - t0 };
}

function changeGemeente(map: maplibregl.Map, code: string) {
  state.gemeente = code;
  state.listShown = LIST_PAGE;
  applyLayer(map);
  renderList();
  rememberState();
  if (code) {
    const g = state.gemeenten.features.find((f) => f.properties?.code === code);
    let box = g ? bboxOf(g.geometry) : null;
    if (!box) {
      for (const f of state.areas.features.filter((x) => x.properties?.gemeentecode === code)) {
        const b = state.areaBoxes.get(String(f.properties?.code));
        if (b) box = box ? [Math.min(box[0], b[0]), Math.min(box[1], b[1]), Math.max(box[2], b[2]), Math.max(box[3], b[3])] : b;
      }
    }
    if (box) map.fitBounds(box, { padding: 40, duration: 0 });
  }
}

// ---- what-if -------------------------------------------------------------------------

function newFacilityMarker(map: maplibregl.Map, at: [number, number]): Opened {
  const el = document.createElement('button');
  el.type = 'button';
  el.className = 'nieuw-punt';
  el.setAttribute('aria-label', `Nieuwe voorziening (${categoryLabel().toLowerCase()}): versleep, of verplaats met de pijltjestoetsen`);
  el.textContent = '+';
  const marker = new maplibregl.Marker({ element: el, draggable: true }).setLngLat(at).addTo(map);
  marker.on('dragend', () => void recompute(map));
  el.addEventListener('keydown', (e) => {
    const step = 30;
    const d: Record<string, [number, number]> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    const move = d[e.key];
    if (!move) return;
    e.preventDefault();
    const p = map.project(marker.getLngLat());
    marker.setLngLat(map.unproject([p.x + move[0], p.y + move[1]]));
    void recompute(map);
  });
  return { marker };
}

let scenarioSeq = 0;

async function recompute(map: maplibregl.Map) {
  if (!state.opened.length && !state.closed.size) {
    resetScenario(map, true);
    return;
  }
  const seq = ++scenarioSeq;
  const t0 = performance.now();
  const body = {
    categorie: state.category,
    // Rounded as the address writes them, so a link runs the very same scenario.
    open: state.opened.map((o) => {
      const [lon, lat] = facilityAt(o);
      return { lon, lat };
    }),
    sluit: [...state.closed],
  };
  rememberState();
  report('Scenario wordt doorgerekend…');
  mapNote(map, 'Scenario wordt doorgerekend…');
  let answer;
  try {
    answer = await api.runScenario(body);
  } catch (e) {
    report(`Het scenario kon niet worden doorgerekend: ${(e as Error).message}`, true);
    mapNote(map, `Het scenario kon niet worden doorgerekend: ${(e as Error).message}`, true);
    return;
  }
  if (seq !== scenarioSeq) return; // a newer move is on its way
  const server = performance.now() - t0;
  const own0 = performance.now();
  clearAreaStates(map);
  const changes = new Map(answer.gewijzigd.map((c) => [c.code, c]));
  for (const c of answer.gewijzigd) {
    setAreaState(map, c.code, { gap: c.gap_after, toegang: c.access_after ?? 0 });
  }
  if (state.selected) setAreaState(map, state.selected, { gekozen: true });
  // The answer lists the first 50 after the change; the rest keep their order.
  const top = answer.rangorde_na;
  const inTop = new Set(top.map((r) => r.code));
  const base = state.rankings.get(state.category)?.ordered ?? [];
  const rest = base
    .filter((r) => !inTop.has(r.code))
    .map((r) => {
      const c = changes.get(r.code);
      // The reason given before the change no longer holds; the change's own does.
      return c ? { ...r, gap: c.gap_after, access: c.access_after, rank: c.rank_after, reason: `Na de wat-als: ${c.uitleg}` } : r;
    })
    .sort((a, b) => a.rank - b.rank);
  state.scenario = { changes, ranked: [...top, ...rest] };
  renderList();
  renderLegend();
  if (state.selected) void select(map, state.selected, false, false);
  const t = answer.totaal;
  const better = answer.gewijzigd.filter((c) => c.richting === 'beter');
  const best = [...better].sort((a, b) => a.gap_after - a.gap_before - (b.gap_after - b.gap_before))[0];
  const said =
    `Scenario: ${state.opened.length} nieuw, ${state.closed.size} gesloten. ${number(t.gebieden_beter)} ${LEVEL_PLURAL[state.level]} beter, ${number(t.gebieden_slechter)} slechter` +
      `${t.gebieden_alleen_rang ? ` (bij ${number(t.gebieden_alleen_rang)} verschuift alleen de rang)` : ''}. ` +
      `Binnen 1 km van een voorziening: ${number(t.binnen_bereik_voor[0])} → ${number(t.binnen_bereik_na[0])} mensen; binnen 3 km: ${number(t.binnen_bereik_voor[1])} → ${number(t.binnen_bereik_na[1])}.` +
      (best ? ` Het meest verbetert ${best.naam}: ${best.uitleg}.` : '');
  report(said);
  mapNote(map, said, true);
  const own = performance.now() - own0;
  await whenIdle(map);
  timings.whatIf = { ownMs: own, serverMs: server, totalMs: performance.now() - t0 };
  appWindow.wijkatlas.scenarioRuns = Number(appWindow.wijkatlas.scenarioRuns ?? 0) + 1;
}

function resetScenario(map: maplibregl.Map, keepMarkers: boolean) {
  if (!keepMarkers) {
    state.opened.forEach((o) => o.marker.remove());
    state.opened = [];
    state.closed.clear();
    state.suggestions.forEach((m) => m.remove());
    state.suggestions = [];
    $('suggesties').innerHTML = '';
    const src = map.getSource('voorzieningen') as maplibregl.GeoJSONSource | undefined;
    src?.setData(facilityData());
  }
  clearAreaStates(map);
  if (state.selected) setAreaState(map, state.selected, { gekozen: true });
  state.scenario = null;
  mapNote(map, null);
  renderLegend();
  renderList();
  rememberState();
}

async function showSuggestions(map: maplibregl.Map) {
  report('Locaties worden gezocht…');
  let picks: Suggestion[];
  try {
    picks = (await api.suggest(state.category, 5, state.gemeente)).suggesties;
  } catch (e) {
    report(`Geen suggesties: ${(e as Error).message}`, true);
    return;
  }
  state.suggestions.forEach((m) => m.remove());
  state.suggestions = picks.map((s, i) => {
    const el = document.createElement('div');
    el.className = 'suggestie-punt';
    el.textContent = String(i + 1);
    el.setAttribute('aria-hidden', 'true');
    return new maplibregl.Marker({ element: el }).setLngLat([s.lon, s.lat]).addTo(map);
  });
  $('suggesties').innerHTML = picks
    .map(
      (s, i) =>
        `<li><strong>${i + 1}. ${escapeHtml(s.naam)}</strong> <span class="klein">(${escapeHtml(s.area)})</span><br>${number(s.gain)} inwoners nieuw binnen bereik, ${number(s.areas_reached)} ${LEVEL_PLURAL[state.level]}. <button type="button" data-plaats="${i}">Plaats hier</button></li>`,
    )
    .join('');
  $('suggesties').querySelectorAll<HTMLButtonElement>('button[data-plaats]').forEach((b) =>
    b.addEventListener('click', () => {
      const s = picks[Number(b.dataset.plaats)];
      state.opened.push(newFacilityMarker(map, [s.lon, s.lat]));
      void recompute(map);
    }),
  );
  if (picks.length) {
    const xs = picks.map((p) => p.lon);
    const ys = picks.map((p) => p.lat);
    map.fitBounds([Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)], { padding: 80, maxZoom: 11, duration: 0 });
  }
  report(picks.length ? `${picks.length} locaties voorgesteld: waar een nieuwe voorziening de meeste inwoners binnen bereik brengt.` : 'Geen locatie gevonden: alle inwoners hebben al een voorziening binnen bereik.');
}

// ---- export --------------------------------------------------------------------------

/** The address holds the whole view: copied, it reproduces it for whoever opens it. */
async function copyLink() {
  rememberState();
  const link = window.location.href;
  try {
    await navigator.clipboard.writeText(link);
    report(`Link naar dit kaartbeeld gekopieerd: ${link}`);
  } catch {
    // No clipboard (an insecure origin, or refused): the link in words, to copy by hand.
    report(`Kopieer deze link naar dit kaartbeeld: ${link}`);
  }
}

async function exportCsv(map: maplibregl.Map) {
  await state.areasReady;
  const ranks = state.category ? await ranking(state.category) : null;
  const b = map.getBounds();
  const c = state.category;
  const rows = state.areas.features
    .filter((f) => {
      const box = state.areaBoxes.get(String(f.properties?.code));
      const inView = box && box[0] <= b.getEast() && box[2] >= b.getWest() && box[1] <= b.getNorth() && box[3] >= b.getSouth();
      return inView && (!state.gemeente || f.properties?.gemeentecode === state.gemeente);
    })
    .map((f) => {
      const p = f.properties ?? {};
      const ch = state.scenario?.changes.get(String(p.code));
      const ranked = ranks?.byCode.get(String(p.code));
      return { ...p, gap_wat_als: ch?.gap_after, rang_wat_als: ch?.rank_after, reden: ch?.uitleg ?? ranked?.reason };
    });
  const label = categoryLabel().toLowerCase();
  const all: DutchColumn[] = [
    { key: 'code', header: 'Code' },
    { key: 'naam', header: 'Naam' },
    { key: 'gemeentecode', header: 'Gemeentecode' },
    { key: 'gemeentenaam', header: 'Gemeente' },
    { key: 'inwoners', header: 'Inwoners', decimals: 0 },
    { key: 'pct_65plus', header: '65 jaar en ouder (%)', decimals: 1 },
    { key: 'behoefte_index', header: 'Behoefte-index', decimals: 2 },
    { key: `${c}_afstand_m`, header: `Afstand tot ${label} (km)`, decimals: 1, scale: 0.001 },
    { key: `${c}_toegang`, header: `Toegang tot ${label} (1 = gemiddelde)`, decimals: 2 },
    { key: `${c}_gap`, header: 'Tekort (gap)', decimals: 2 },
    { key: `${c}_rang`, header: 'Rang (1 = meest onderbediend)', decimals: 0 },
  ];
  const columns = all.filter((k) => k.key === 'code' || state.available.has(k.key));
  if (state.scenario) {
    columns.push({ key: 'gap_wat_als', header: 'Tekort na wat-als (gap)', decimals: 2 }, { key: 'rang_wat_als', header: 'Rang na wat-als', decimals: 0 });
  }
  columns.push({ key: 'reden', header: 'Reden' });
  download(`wijkatlas-${c}-${state.level}.csv`, dutchCsv(columns, rows));
  report(`${number(rows.length)} ${LEVEL_PLURAL[state.level]} in beeld geëxporteerd als CSV.`);
}

/** The whole ranking of the category (in the chosen gemeente) as an Excel workbook,
 * made by the server: the same figures and reasons as the list, as numbers. */
async function exportXlsx() {
  if (!state.category) return;
  const query = new URLSearchParams({ categorie: state.category, f: 'xlsx' });
  if (state.gemeente) query.set('gemeente', state.gemeente);
  try {
    const blob = await api.getBlob(`/api/gaps?${query}`);
    download(`ranglijst-${state.category}-${state.level}${state.gemeente ? `-${state.gemeente}` : ''}.xlsx`, blob);
    report(`Ranglijst als Excel-bestand gedownload${state.scenario ? ' (de huidige situatie, zonder de wat-als)' : ''}.`);
  } catch (e) {
    report(`De ranglijst kon niet als Excel-bestand worden gemaakt: ${(e as Error).message}`, true);
  }
}

async function exportPng(map: maplibregl.Map) {
  const title = `${state.layer.title} — ${categoryLabel()}${state.gemeente ? ` — ${state.gemeenteNames.get(state.gemeente)}` : ''}${state.scenario ? ' (wat-als)' : ''}`;
  // The basemap's credit only while it is drawn (it is dropped when unreachable).
  const attribution = state.config.attribution.filter((a) => a !== state.config.basemap?.attribution || basemapShown(map));
  const blob = await png(map, { title, classes: state.layer.classes, attribution, placed: state.opened.map((o) => o.marker.getLngLat()) });
  download(`wijkatlas-${state.category}-${state.layer.key}.png`, blob);
}

/** Fills the panel's one-glance comparison from the area's profile: bars and words for
 * need, reach per category and housing beside the gemeente and the Netherlands. Left out
 * quietly when the server is busy. */
async function fillComparison(code: string) {
  let profile: api.Profile;
  try {
    profile = await api.getJson<api.Profile>(`/profiles/${encodeURIComponent(code)}`);
  } catch {
    return;
  }
  const box = document.getElementById('vergelijking');
  if (!box || state.selected !== code) return;
  box.innerHTML = comparisonHtml(profile);
}

// ---- the whole view in the address, so a link shows the same ---------------------------
// #categorie=ziekenhuis&laag=gap&gemeente=GM0505&gebied=WK050501&kaart=11.2/51.8112/4.6712
//   &nieuw=ziekenhuis:51.80123,4.66789;…&dicht=osm:node/123,…
// The level is not in it: the map shows the analysis level only. Values keep ':' and '/'
// readable; ',' and ';' separate items, so they stay encoded inside one.

let linkReady = false;
let theMap: maplibregl.Map | null = null;

const encode = (v: string) => encodeURIComponent(v).replace(/%3A/gi, ':').replace(/%2F/gi, '/');
const decode = (v: string) => {
  try {
    return decodeURIComponent(v.replace(/\+/g, ' '));
  } catch {
    return '';
  }
};

/** The address's parts, their values still encoded (lists are split before decoding). */
function linkedState(): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of window.location.hash.replace(/^#/, '').split('&')) {
    const at = part.indexOf('=');
    if (at > 0) out.set(decode(part.slice(0, at)), part.slice(at + 1));
  }
  return out;
}

/** Decimals for a view at this zoom: about a pixel's worth, so links stay short. */
function viewDecimals(zoom: number): number {
  return Math.min(6, Math.max(2, Math.ceil((zoom * Math.LN2) / Math.LN10)));
}

/** About a metre: 1e-5 degree is 1.1 m north–south and 0.7 m east–west here. */
const FACILITY_DECIMALS = 5;

function facilityAt(o: Opened): [number, number] {
  const { lng, lat } = o.marker.getLngLat();
  return [Number(lng.toFixed(FACILITY_DECIMALS)), Number(lat.toFixed(FACILITY_DECIMALS))];
}

/** Writes the whole view into the address, without a reload. */
function rememberState() {
  if (!linkReady) return;
  const parts: string[] = [];
  const put = (k: string, v: string) => parts.push(`${k}=${v}`);
  if (state.category) put('categorie', encode(state.category));
  put('laag', state.layer.key);
  if (state.gemeente) put('gemeente', encode(state.gemeente));
  if (state.selected) put('gebied', encode(state.selected));
  if (theMap) {
    const z = theMap.getZoom();
    const c = theMap.getCenter();
    const d = viewDecimals(z);
    put('kaart', `${z.toFixed(2)}/${c.lat.toFixed(d)}/${c.lng.toFixed(d)}`);
  }
  if (state.opened.length) {
    put('nieuw', state.opened.map((o) => {
      const [lon, lat] = facilityAt(o);
      return `${encode(state.category)}:${lat.toFixed(FACILITY_DECIMALS)},${lon.toFixed(FACILITY_DECIMALS)}`;
    }).join(';'));
  }
  if (state.closed.size) put('dicht', [...state.closed].map(encode).join(','));
  history.replaceState(null, '', `#${parts.join('&')}`);
}

/** Opens the view a shared link names: category, layer, gemeente, area, view and the
 * what-if (placed and closed voorzieningen, which it runs again). What the loaded data
 * does not have is left out, and the address is then rewritten to what is shown. */
/** What a link asked for that the loaded data does not have, said once it is read. */
let linkProblem = false;

async function applyLinkedState(map: maplibregl.Map) {
  const h = linkedState();
  const text = (k: string) => decode(h.get(k) ?? '');
  linkReady = false;
  const problems: string[] = [];
  try {
    const category = text('categorie');
    if (category && !state.config.categories.some((c) => c.key === category)) {
      problems.push(`De link vraagt om de voorziening "${category}", maar die is niet geladen; de kaart toont ${categoryLabel().toLowerCase()}.`);
    }
    if (category && category !== state.category && state.config.categories.some((c) => c.key === category)) {
      $<HTMLSelectElement>('categorie').value = category;
      await changeCategory(map, category);
    }
    const layer = LAYERS.find((l) => l.key === text('laag'));
    if (layer && layer !== state.layer && layerAvailable(layer)) {
      state.layer = layer;
      $<HTMLSelectElement>('laag').value = layer.key;
      applyLayer(map);
    }
    const gemeente = text('gemeente');
    if (gemeente && gemeente !== state.gemeente && state.gemeenteNames.has(gemeente)) {
      $<HTMLSelectElement>('gemeente').value = gemeente;
      changeGemeente(map, gemeente);
    } else if (gemeente && !state.gemeenteNames.has(gemeente)) {
      problems.push(`De link noemt gemeente "${gemeente}", maar die staat niet in de geladen gegevens.`);
    }
    const area = text('gebied');
    if (area && state.areas.features.some((f) => f.properties?.code === area)) await select(map, area, true);
    else if (area) problems.push(`De link noemt gebied "${area}", maar dat staat niet in de geladen gegevens.`);
    const view = text('kaart').split('/').map(Number);
    if (view.length === 3 && view.every(Number.isFinite) && view[0] >= 0 && view[0] <= 22 && Math.abs(view[1]) <= 85 && Math.abs(view[2]) <= 180) {
      map.jumpTo({ zoom: view[0], center: [view[2], view[1]] });
    }
    let whatIf = false;
    for (const item of (h.get('nieuw') ?? '').split(';')) {
      const at = item.lastIndexOf(':');
      const [lat, lon] = item.slice(at + 1).split(',').map(Number);
      if (at < 0 || decode(item.slice(0, at)) !== state.category || !Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) continue;
      state.opened.push(newFacilityMarker(map, [lon, lat]));
      whatIf = true;
    }
    const ids = new Set(state.facilities.filter((f) => f.properties?.categorie === state.category).map((f) => String(f.id ?? f.properties?.id)));
    for (const raw of (h.get('dicht') ?? '').split(',')) {
      const id = decode(raw);
      if (!ids.has(id)) continue;
      state.closed.add(id);
      whatIf = true;
    }
    if (whatIf) {
      (map.getSource('voorzieningen') as maplibregl.GeoJSONSource).setData(facilityData());
      await recompute(map);
    }
  } finally {
    linkReady = true;
    rememberState();
    linkProblem = problems.length > 0;
    if (linkProblem) report(problems.join(' '), true);
  }
}

// ---- events --------------------------------------------------------------------------

function wireEvents(map: maplibregl.Map) {
  const results = $('zoek-resultaten');
  const showHits = () => {
    const text = $<HTMLInputElement>('zoek-gebied').value;
    const hits = findByName(text);
    results.innerHTML = hits
      .map((h) => `<li><button type="button" data-zoek="${h.kind}" data-code="${escapeHtml(h.code)}">${escapeHtml(h.naam)} <span class="klein">(${escapeHtml(h.detail)})</span></button></li>`)
      .join('');
    $('zoek-status').textContent = text.trim().length < 2 ? '' : hits.length ? `${hits.length} ${hits.length === 1 ? 'gebied' : 'gebieden'} gevonden` : 'Geen gemeente of gebied met die naam.';
  };
  $('zoek-gebied').addEventListener('input', showHits);
  $('zoek-gebied-form').addEventListener('submit', (e) => {
    e.preventDefault();
    showHits();
    results.querySelector<HTMLButtonElement>('button')?.click();
  });
  results.addEventListener('click', (e) => {
    const b = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-zoek]');
    if (!b) return;
    const code = b.dataset.code ?? '';
    if (b.dataset.zoek === 'gemeente') {
      $<HTMLSelectElement>('gemeente').value = code;
      changeGemeente(map, code);
      report(`Gemeente ${state.gemeenteNames.get(code) ?? code}: de lijst toont haar ${LEVEL_PLURAL[state.level]}.`);
    } else void select(map, code, true);
    results.innerHTML = '';
    $('zoek-status').textContent = '';
  });
  $<HTMLSelectElement>('categorie').addEventListener('change', (e) => void changeCategory(map, (e.target as HTMLSelectElement).value));
  $<HTMLSelectElement>('laag').addEventListener('change', (e) => {
    const t0 = performance.now();
    state.layer = LAYERS.find((l) => l.key === (e.target as HTMLSelectElement).value) ?? LAYERS[0];
    applyLayer(map);
    rememberState();
    timings.layerSwitch = { ownMs: performance.now() - t0, serverMs: 0, totalMs: performance.now() - t0 };
  });
  $<HTMLSelectElement>('gemeente').addEventListener('change', (e) => changeGemeente(map, (e.target as HTMLSelectElement).value));
  $('ranglijst').addEventListener('click', (e) => {
    const b = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-code]');
    if (b?.dataset.code) void select(map, b.dataset.code, true);
  });
  $('meer').addEventListener('click', () => {
    state.listShown += LIST_PAGE;
    renderList();
  });
  for (const id of AREA_FILLS) {
    map.on('click', id, (e) => {
      if (placing || pickingReach()) return;
      // A click on a facility (to close it) is meant for the facility, not the area under it.
      if (map.queryRenderedFeatures(e.point, { layers: FACILITY_LAYERS.filter((l) => map.getLayer(l)) }).length) return;
      // So is a click on a placed or suggested facility's marker.
      if ((e.originalEvent.target as Element | null)?.closest?.('.maplibregl-marker')) return;
      const f = e.features?.[0] as MapGeoJSONFeature | undefined;
      if (f?.properties?.code) void select(map, String(f.properties.code));
    });
  }
  map.on('click', 'gemeenten-doel', (e) => {
    const p = e.features?.[0]?.properties;
    if (!p) return;
    new maplibregl.Popup({ maxWidth: '280px' })
      .setLngLat(e.lngLat)
      .setHTML(`<strong>${escapeHtml(p.naam)}</strong><br>${number(p.pct_corporatiewoningen)}% corporatiewoningen; doel ${state.config.socialRentTargetPct}% sociale huur: <strong>${escapeHtml(classOf(state.layer, p.pct_corporatiewoningen).label)}</strong>`)
      .addTo(map);
  });
  map.on('click', 'voorzieningen-punt', (e) => {
    const f = e.features?.[0];
    if (!f || pickingReach()) return;
    const p = f.properties ?? {};
    const id = String(p.id);
    const closed = state.closed.has(id);
    const el = document.createElement('div');
    const reach = reachOffered(state.config) ? ' <button type="button" class="bereik-hier">Bereik vanaf hier</button>' : '';
    el.innerHTML = `<strong>${escapeHtml(p.naam)}</strong><br>${escapeHtml(p.categorie_naam)}<br>${escapeHtml([p.adres, p.postcode, p.plaats].filter(Boolean).join(', '))}<div class="knoppen popup-knoppen"><button type="button" class="sluit-wat-als">${closed ? 'Heropen (wat-als)' : 'Sluit (wat-als)'}</button>${reach}</div>`;
    const popup = new maplibregl.Popup({ maxWidth: '300px' }).setLngLat(e.lngLat).setDOMContent(el).addTo(map);
    el.querySelector('.bereik-hier')?.addEventListener('click', () => {
      const [lon, lat] = (f.geometry as GeoJSON.Point).coordinates;
      popup.remove();
      void showReachFrom({ lon, lat, label: String(p.naam ?? 'de voorziening') });
    });
    el.querySelector('.sluit-wat-als')?.addEventListener('click', () => {
      if (closed) state.closed.delete(id);
      else state.closed.add(id);
      (map.getSource('voorzieningen') as maplibregl.GeoJSONSource).setData(facilityData());
      popup.remove();
      void recompute(map);
    });
  });
  map.on('click', 'voorzieningen-cluster', async (e) => {
    const f = e.features?.[0];
    if (!f) return;
    const src = map.getSource('voorzieningen') as maplibregl.GeoJSONSource;
    const zoom = await src.getClusterExpansionZoom(f.properties?.cluster_id);
    map.easeTo({ center: (f.geometry as GeoJSON.Point).coordinates as [number, number], zoom });
  });
  for (const layer of [...AREA_FILLS, ...FACILITY_LAYERS, 'gemeenten-doel']) {
    map.on('mouseenter', layer, () => (map.getCanvas().style.cursor = 'pointer'));
    map.on('mouseleave', layer, () => (map.getCanvas().style.cursor = ''));
  }
  $('plaats').addEventListener('click', () => {
    // Placing is done on the map: on a phone, out of the sheet's way.
    sheet?.close();
    placing = true;
    const how = 'Klik op de kaart waar de nieuwe voorziening komt (of druk op Enter voor het midden van de kaart).';
    report(how);
    mapNote(map, how);
    map.getCanvas().style.cursor = 'crosshair';
    map.getCanvas().focus();
  });
  map.on('click', (e) => {
    if (!placing) return;
    placing = false;
    map.getCanvas().style.cursor = '';
    place(map, [e.lngLat.lng, e.lngLat.lat]);
  });
  map.getCanvas().addEventListener('keydown', (e) => {
    if (placing && e.key === 'Enter') {
      placing = false;
      const c = map.getCenter();
      place(map, [c.lng, c.lat]);
    }
  });
  $('stel-voor').addEventListener('click', () => void showSuggestions(map));
  $('herstel').addEventListener('click', () => {
    resetScenario(map, false);
    report('Scenario gewist: de kaart toont weer de huidige situatie.');
  });
  $('export-csv').addEventListener('click', () => void exportCsv(map));
  $('export-png').addEventListener('click', () => void exportPng(map));
  $('export-xlsx').addEventListener('click', () => void exportXlsx());
  $('kopieer-link').addEventListener('click', () => void copyLink());
}

let placing = false;

function place(map: maplibregl.Map, at: [number, number]) {
  const opened = newFacilityMarker(map, at);
  state.opened.push(opened);
  opened.marker.getElement().focus();
  void recompute(map);
}

main().catch((e) => {
  console.error(e);
  report(`De kaart kon niet worden geladen: ${(e as Error).message}`, true);
});
