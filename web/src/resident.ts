// The resident's view: find a place (PDOK's Locatieserver from the browser when online,
// this server's own postcode and place search otherwise), then list the nearest
// services by category with distance and walking and cycling time.
//
// Privacy: the address goes from the browser to PDOK, never to this server; only the
// point found is sent here, and the server does not log it.

import * as api from './api';
import type { Config, Nearby, PlaceHit } from './api';
import { CYCLE_M_PER_MIN, WALK_M_PER_MIN, distance, escapeHtml, minutes } from './format';
import { addGemeenteLabels, addGemeenteOutlines, createMap, maplibregl, whenIdle } from './map';

const PDOK = 'https://api.pdok.nl/bzk/locatieserver/search/v3_1/free';
const PDOK_TIMEOUT_MS = 2500;
const PER_CATEGORY = 3;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const appWindow = window as unknown as { wijkatlas: Record<string, unknown> };
appWindow.wijkatlas = { ready: false };

let config: Config;
let map: maplibregl.Map;
let markers: maplibregl.Marker[] = [];

function say(text: string, isError = false) {
  const el = $('melding');
  el.textContent = text;
  el.classList.toggle('fout', isError);
  // The message sits above the map on a phone: keep the map's foot on the screen's.
  if (map && window.matchMedia('(max-width: 760px)').matches) {
    fitMapToFirstScreen();
    map.resize();
  }
}

async function pdok(text: string): Promise<PlaceHit[]> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), PDOK_TIMEOUT_MS);
  try {
    const r = await fetch(`${PDOK}?q=${encodeURIComponent(text)}&rows=6&fl=id,weergavenaam,type,centroide_ll`, { signal: ctl.signal });
    if (!r.ok) throw new Error(String(r.status));
    const body = await r.json();
    return (body.response?.docs ?? []).flatMap((d: { id: string; weergavenaam: string; type: string; centroide_ll: string }) => {
      const m = /POINT\(([-\d.]+) ([-\d.]+)\)/.exec(d.centroide_ll ?? '');
      return m ? [{ soort: d.type, code: d.id, naam: d.weergavenaam, label: d.weergavenaam, lon: Number(m[1]), lat: Number(m[2]) }] : [];
    });
  } finally {
    clearTimeout(timer);
  }
}

async function find(text: string) {
  $('kandidaten').innerHTML = '';
  $('resultaat').innerHTML = '';
  say('Zoeken…');
  let hits: PlaceHit[];
  let via: string;
  try {
    hits = await pdok(text);
    via = 'PDOK Locatieserver';
  } catch {
    try {
      hits = (await api.searchPlaces(text)).resultaten;
      via = 'de postcodes en plaatsnamen van deze server (PDOK is niet bereikbaar, dus adressen kunnen we niet zoeken)';
    } catch (e) {
      say(`Zoeken lukte niet: ${(e as Error).message}`, true);
      return;
    }
  }
  if (!hits.length) {
    say(`Niets gevonden voor "${text}" in ${via}. Probeer een postcode (4 cijfers) of een plaatsnaam.`, true);
    return;
  }
  if (hits.length === 1) {
    say(`Gevonden via ${via}: ${hits[0].label}.`);
    await showNear(hits[0].lon, hits[0].lat, hits[0].label);
    return;
  }
  say(`${hits.length} plaatsen gevonden via ${via}. Kies er een:`);
  $('kandidaten').innerHTML = hits
    .map((h, i) => `<li><button type="button" data-i="${i}">${escapeHtml(h.label)}</button></li>`)
    .join('');
  $('kandidaten').querySelectorAll<HTMLButtonElement>('button').forEach((b) =>
    b.addEventListener('click', () => {
      const h = hits[Number(b.dataset.i)];
      $('kandidaten').innerHTML = '';
      void showNear(h.lon, h.lat, h.label);
    }),
  );
  $('kandidaten').querySelector('button')?.focus();
}

async function showNear(lon: number, lat: number, label: string) {
  say(`Voorzieningen bij ${label} worden gezocht…`);
  let groups: { label: string; items: Nearby[]; uncovered: string | null }[];
  try {
    groups = await Promise.all(
      config.categories.map(async (c) => {
        const answer = await api.nearest(lon, lat, c.key, PER_CATEGORY);
        return { label: c.label, items: answer.voorzieningen, uncovered: answer.buiten_dekking[0]?.uitleg ?? null };
      }),
    );
  } catch (e) {
    say(`${(e as Error).message}`, true);
    return;
  }
  markers.forEach((m) => m.remove());
  const here = document.createElement('div');
  here.className = 'u-bent-hier';
  here.setAttribute('aria-hidden', 'true');
  markers = [new maplibregl.Marker({ element: here }).setLngLat([lon, lat]).addTo(map)];
  let n = 0;
  const bounds = new maplibregl.LngLatBounds([lon, lat], [lon, lat]);
  // A category whose data stops short of this place says so, instead of sending the
  // resident to the nearest one the data happens to hold, far away.
  const notCovered = groups
    .filter((g) => g.uncovered)
    .map((g) => `<section><h2>${escapeHtml(g.label)}</h2><p class="buiten-dekking">Geen gegevens voor deze plek: ${escapeHtml(g.uncovered ?? '')}.</p></section>`)
    .join('');
  const sections = groups
    .filter((g) => g.items.length)
    .map((g) => {
      const items = [...g.items]
        .sort((a, b) => a.afstand_m - b.afstand_m)
        .map((v) => {
          n += 1;
          const el = document.createElement('div');
          el.className = 'dienst-punt';
          el.textContent = String(n);
          el.setAttribute('aria-hidden', 'true');
          markers.push(new maplibregl.Marker({ element: el }).setLngLat([v.lon, v.lat]).addTo(map));
          bounds.extend([v.lon, v.lat]);
          const address = [v.adres, v.postcode, v.plaats].filter(Boolean).join(', ');
          return `<li data-afstand="${v.afstand_m}"><span class="nummer" aria-hidden="true">${n}</span><strong>${escapeHtml(v.naam)}</strong><br>${escapeHtml(address)}<br><span class="afstand">${distance(v.afstand_m)}</span> hemelsbreed · lopen ongeveer ${minutes(v.reisafstand_m, WALK_M_PER_MIN)} · fietsen ongeveer ${minutes(v.reisafstand_m, CYCLE_M_PER_MIN)}</li>`;
        })
        .join('');
      return `<section><h2>${escapeHtml(g.label)}</h2><ol class="diensten">${items}</ol></section>`;
    })
    .join('');
  $('resultaat').innerHTML = `<h2 class="visueel-verborgen">Resultaten</h2>${sections || (notCovered ? '' : '<p>Geen voorzieningen gevonden.</p>')}${notCovered}`;
  map.fitBounds(bounds, { padding: 60, maxZoom: 14, duration: 0 });
  say(`De dichtstbijzijnde voorzieningen bij ${label}, de dichtstbijzijnde eerst.`);
  await whenIdle(map);
}

/** On a phone the map runs from below the search to the bottom of the first screen. */
function fitMapToFirstScreen() {
  const top = $('kaart').getBoundingClientRect().top + window.scrollY;
  document.documentElement.style.setProperty('--kaart-boven', `${Math.round(top)}px`);
}

async function main() {
  config = await api.loadConfig();
  fitMapToFirstScreen();
  window.addEventListener('resize', () => {
    fitMapToFirstScreen();
    map?.resize();
  });
  map = createMap('kaart', config);
  const gemeenten = config.levels.includes('gemeente')
    ? await api.loadItems('gemeenten', 'zoom=7&properties=code,naam')
    : ({ type: 'FeatureCollection', features: [] } as GeoJSON.FeatureCollection);
  if (!map.loaded()) await new Promise((resolve) => map.once('load', resolve));
  addGemeenteOutlines(map, gemeenten, Boolean(config.basemap));
  addGemeenteLabels(map, gemeenten);
  $('zoeken').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $<HTMLInputElement>('adres').value.trim();
    if (text) void find(text);
  });
  $('mijn-locatie').addEventListener('click', () => {
    if (!navigator.geolocation) {
      say('Uw browser geeft geen locatie door. Zoek op adres of postcode.', true);
      return;
    }
    say('Uw locatie wordt opgevraagd…');
    navigator.geolocation.getCurrentPosition(
      (p) => void showNear(p.coords.longitude, p.coords.latitude, 'uw locatie'),
      () => say('Uw locatie is niet beschikbaar. Zoek op adres of postcode.', true),
      { timeout: 10_000 },
    );
  });
  map.on('click', (e) => void showNear(e.lngLat.lng, e.lngLat.lat, 'het punt op de kaart'));
  await whenIdle(map);
  appWindow.wijkatlas.ready = true;
  document.body.dataset.klaar = 'ja';
}

main().catch((e) => say(`De pagina kon niet worden geladen: ${(e as Error).message}`, true));
