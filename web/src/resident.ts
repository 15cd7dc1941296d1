// The resident's view: find a place (PDOK's Locatieserver from the browser when online,
// this server's own postcode and place search otherwise), then list the nearest
// services by category with distance and walking and cycling time: along the road
// network where the server has one loaded, else estimated from the straight line. With
// a network the page can also draw what is reachable within some minutes.
//
// Privacy: the address goes from the browser to PDOK, never to this server; only the
// point found is sent here, and the server does not log it.

import * as api from './api';
import type { Config, Nearby, NetworkTime, PlaceHit } from './api';
import { CYCLE_M_PER_MIN, WALK_M_PER_MIN, distance, escapeHtml, minutes } from './format';
import { REACH_MINUTES, clearReach, drawReach, fetchReach, offeredModes, reachBounds, reachLegendHtml, reachWords } from './isochrone';
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
/** The point the list is for, and the walking times found, for the reach's words. */
let here: { lon: number; lat: number; label: string; walk: number[]; cycle: number[] } | null = null;
let listBounds: maplibregl.LngLatBounds | null = null;

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
  let network = false;
  try {
    groups = await Promise.all(
      config.categories.map(async (c) => {
        const answer = await api.nearest(lon, lat, c.key, PER_CATEGORY);
        network ||= answer.afstanden === 'over het netwerk';
        return { label: c.label, items: answer.voorzieningen, uncovered: answer.buiten_dekking[0]?.uitleg ?? null };
      }),
    );
  } catch (e) {
    say(`${(e as Error).message}`, true);
    return;
  }
  markers.forEach((m) => m.remove());
  forgetReach();
  const dot = document.createElement('div');
  dot.className = 'u-bent-hier';
  dot.setAttribute('aria-hidden', 'true');
  markers = [new maplibregl.Marker({ element: dot }).setLngLat([lon, lat]).addTo(map)];
  let n = 0;
  const bounds = new maplibregl.LngLatBounds([lon, lat], [lon, lat]);
  const walk: number[] = [];
  const cycle: number[] = [];
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
        .sort(network ? byWalkingTime : (a, b) => a.afstand_m - b.afstand_m)
        .map((v) => {
          n += 1;
          const el = document.createElement('div');
          el.className = 'dienst-punt';
          el.textContent = String(n);
          el.setAttribute('aria-hidden', 'true');
          markers.push(new maplibregl.Marker({ element: el }).setLngLat([v.lon, v.lat]).addTo(map));
          bounds.extend([v.lon, v.lat]);
          for (const [t, into] of [[v.lopen, walk], [v.fietsen, cycle]] as const) if (t && 'minuten' in t) into.push(t.minuten);
          const address = [v.adres, v.postcode, v.plaats].filter(Boolean).join(', ');
          const addressLine = address ? `<br>${escapeHtml(address)}` : '';
          const walkMin = v.lopen && 'minuten' in v.lopen ? v.lopen.minuten : '';
          return `<li data-afstand="${v.afstand_m}" data-lopen-min="${walkMin}"><span class="nummer" aria-hidden="true">${n}</span><strong>${escapeHtml(v.naam)}</strong>${addressLine}<br>${network ? networkTimes(v) : estimatedTimes(v)}</li>`;
        })
        .join('');
      return `<section><h2>${escapeHtml(g.label)}</h2><ol class="diensten">${items}</ol></section>`;
    })
    .join('');
  const reachable = offeredModes(config, ['lopen', 'fietsen']).length > 0;
  // The reach's form follows the list: a link at its top says it is there.
  const toReach = reachable && sections ? '<p class="klein naar-bereik"><a href="#bereik-titel">Toon op de kaart wat u binnen een aantal minuten lopend of fietsend bereikt</a></p>' : '';
  $('resultaat').innerHTML = `<h2 class="visueel-verborgen">Resultaten</h2>${toReach}${sections || (notCovered ? '' : '<p>Geen voorzieningen gevonden.</p>')}${notCovered}`;
  here = { lon, lat, label, walk, cycle };
  $('bereik').hidden = !reachable;
  listBounds = bounds;
  map.fitBounds(bounds, { padding: 60, maxZoom: 14, duration: 0 });
  say(
    network
      ? `De dichtstbijzijnde voorzieningen bij ${label}, de snelste te voet eerst; tijden over de weg.`
      : `De dichtstbijzijnde voorzieningen bij ${label}, de dichtstbijzijnde eerst.`,
  );
  await whenIdle(map);
}

/** Along the network: the quickest on foot first; those without a walking time last. */
function byWalkingTime(a: Nearby, b: Nearby): number {
  const t = (v: Nearby) => (v.lopen && 'minuten' in v.lopen ? v.lopen.minuten : Infinity);
  return t(a) - t(b) || a.afstand_m - b.afstand_m;
}

function networkMinutes(t: number): string {
  return t < 1 ? 'minder dan 1 min' : minutesText(Math.round(t));
}

function minutesText(t: number): string {
  return t < 60 ? `${t} min` : `${Math.floor(t / 60)} u ${t % 60} min`;
}

/** One mode's time along the network, or why there is none. */
function networkTime(word: string, t: NetworkTime | undefined): string {
  if (t && 'minuten' in t) return `<span class="afstand">${word} ${networkMinutes(t.minuten)}</span> (${distance(t.afstand_m)} over de weg)`;
  const why = t && 'uitleg' in t ? t.uitleg : 'geen tijd over de weg bekend';
  return `<span class="afstand">${word}:</span> <span class="uitleg">geen tijd over de weg (${escapeHtml(why)})</span>`;
}

function networkTimes(v: Nearby): string {
  return `${networkTime('Lopen', v.lopen)}<br>${networkTime('Fietsen', v.fietsen)}<br><span class="klein">${distance(v.afstand_m)} hemelsbreed</span>`;
}

/** Without a network: the straight line, and times estimated from it. */
function estimatedTimes(v: Nearby): string {
  return `<span class="afstand">${distance(v.afstand_m)}</span> hemelsbreed · lopen ongeveer ${minutes(v.reisafstand_m, WALK_M_PER_MIN)} · fietsen ongeveer ${minutes(v.reisafstand_m, CYCLE_M_PER_MIN)} (geschat, niet over de weg berekend)`;
}

/** Takes the reach off the map, with its legend and words. */
function forgetReach() {
  clearReach(map);
  map.getContainer().querySelector('.kaart-legenda')?.remove();
  $('bereik-tekst').textContent = '';
}

/** Draws what is reachable from the listed point within the chosen minutes and mode. */
async function showReach() {
  if (!here) return;
  const modus = document.querySelector<HTMLInputElement>('input[name="bereik-modus"]:checked')?.value ?? 'lopen';
  const within = Number($<HTMLSelectElement>('bereik-minuten').value);
  const words = $('bereik-tekst');
  words.classList.remove('fout');
  words.textContent = 'Het bereik wordt berekend…';
  const at = here;
  try {
    const { data, reach } = await fetchReach(at.lon, at.lat, within, modus);
    if (here !== at) return;
    drawReach(map, data);
    const times = modus === 'lopen' ? at.walk : at.cycle;
    const inside = times.filter((t) => t <= within).length;
    const listed = times.length ? ` Van de voorzieningen in de lijst ${inside === 1 ? 'ligt er 1' : `liggen er ${inside}`} binnen ${within} minuten ${modus}.` : '';
    words.textContent = reachWords(reach, at.label) + listed;
    let legend = map.getContainer().querySelector<HTMLElement>('.kaart-legenda');
    if (!legend) {
      legend = document.createElement('div');
      legend.className = 'kaart-legenda';
      map.getContainer().appendChild(legend);
    }
    legend.innerHTML = `<ul class="klassen"><li><span class="stip-hier" aria-hidden="true"></span>uw plek</li>${reachLegendHtml(reach)}</ul>`;
    const bounds = reachBounds(data, [at.lon, at.lat]);
    if (listBounds) bounds.extend(listBounds);
    map.fitBounds(bounds, { padding: 40, maxZoom: 15, duration: 0 });
    // On a phone the form is below the list, far under the map: bring the map into view.
    if (window.matchMedia('(max-width: 760px)').matches) $('kaart').scrollIntoView({ block: 'start' });
    await whenIdle(map);
  } catch (e) {
    words.textContent = `Het bereik kon niet worden getoond: ${(e as Error).message}`;
    words.classList.add('fout');
  }
}

/** On a phone the map runs from below the search to the bottom of the first screen. */
function fitMapToFirstScreen() {
  const top = $('kaart').getBoundingClientRect().top + window.scrollY;
  document.documentElement.style.setProperty('--kaart-boven', `${Math.round(top)}px`);
}

/** The reach form: only the modes the server has a network for; the words say which
 * distances the page gives. */
function setUpReach() {
  const modes = offeredModes(config, ['lopen', 'fietsen']);
  $('afstanden-uitleg').textContent = config.netwerk
    ? 'Loop- en fietstijden zijn berekend over de weg, over de wegen en paden van OpenStreetMap (5 km/u lopen, 15 km/u fietsen); "hemelsbreed" is in een rechte lijn.'
    : 'Afstanden zijn hemelsbreed; de loop- en fietstijden zijn schattingen over de weg (uit de rechte lijn maal een omwegfactor; 5 km/u lopen, 15 km/u fietsen).';
  if (!modes.length) return;
  $('bereik-modi').innerHTML = modes
    .map((m, i) => `<label class="keuze"><input type="radio" name="bereik-modus" value="${m}"${i === 0 ? ' checked' : ''}> ${m === 'lopen' ? 'Lopen' : 'Fietsen'}</label>`)
    .join('');
  $('bereik-minuten').innerHTML = REACH_MINUTES.map((m) => `<option value="${m}"${m === 15 ? ' selected' : ''}>${m} minuten</option>`).join('');
  $('bereik-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void showReach();
  });
  $('bereik-wis').addEventListener('click', () => forgetReach());
}

async function main() {
  config = await api.loadConfig();
  fitMapToFirstScreen();
  window.addEventListener('resize', () => {
    fitMapToFirstScreen();
    map?.resize();
  });
  map = createMap('kaart', config);
  appWindow.wijkatlas.map = map;
  // The land and its names: the gemeenten, or the coarsest level loaded when the data
  // has none (a city's wijken alone), so the map is never blank water around the list.
  const outlineLevel = config.levels.includes('gemeente') ? 'gemeente' : config.levels[0];
  const collection: Record<string, string> = { gemeente: 'gemeenten', wijk: 'wijken', buurt: 'buurten' };
  const gemeenten = outlineLevel
    ? await api.loadItems(collection[outlineLevel], 'zoom=7&properties=code,naam')
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
  setUpReach();
  await whenIdle(map);
  appWindow.wijkatlas.ready = true;
  document.body.dataset.klaar = 'ja';
}

main().catch((e) => say(`De pagina kon niet worden geladen: ${(e as Error).message}`, true));
