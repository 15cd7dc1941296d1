// The planner's reach control: what is reachable along the network within some minutes
// by one mode, from a point picked on the map or from a facility, drawn as lines with a
// legend entry and the same in words in the sidebar. Hidden when no network is loaded.

import type { Config, Reach } from './api';
import { escapeHtml } from './format';
import { REACH_MINUTES, clearReach, drawReach, fetchReach, modeWords, offeredModes, reachBounds, reachLegendHtml, reachWords } from './isochrone';
import { maplibregl } from './map';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

interface From {
  lon: number;
  lat: number;
  /** "het gekozen punt", or the facility's name. */
  label: string;
}

const reachState = {
  picking: false,
  from: null as From | null,
  shown: null as Reach | null,
  marker: null as maplibregl.Marker | null,
  /** Counts requests, so a late answer never replaces a newer one. */
  seq: 0,
};

export interface ReachHooks {
  /** The legend is redrawn with the reach's entry. */
  legendChanged: () => void;
  /** Out of the way of the map (the phone's sheet). */
  beforePicking: () => void;
  /** The layer the lines go below (the facilities). */
  below: string;
}

let hooks: ReachHooks;
let theMap: maplibregl.Map;

/** Whether the next click on the map picks the reach's start (and is for nothing else). */
export function pickingReach(): boolean {
  return reachState.picking;
}

/** The legend's entry for the drawn reach, or nothing. */
export function reachLegend(): string {
  const r = reachState.shown;
  if (!r) return '';
  return `<h3 class="legenda-sub">Bereik</h3><ul class="klassen">${reachLegendHtml(r)}</ul>`;
}

/** Whether the server can draw a reach at all. */
export function reachOffered(config: Config): boolean {
  return offeredModes(config, ['lopen', 'fietsen', 'auto']).length > 0;
}

export function setUpReach(map: maplibregl.Map, config: Config, h: ReachHooks) {
  hooks = h;
  theMap = map;
  const modes = offeredModes(config, ['lopen', 'fietsen', 'auto']);
  if (!modes.length) return;
  $('bereik').hidden = false;
  $<HTMLSelectElement>('bereik-modus').innerHTML = modes.map((m) => `<option value="${m}">${escapeHtml(m === 'auto' ? 'met de auto' : m)}</option>`).join('');
  $<HTMLSelectElement>('bereik-minuten').innerHTML = REACH_MINUTES.map((m) => `<option value="${m}"${m === 15 ? ' selected' : ''}>${m} minuten</option>`).join('');
  for (const id of ['bereik-modus', 'bereik-minuten']) $(id).addEventListener('change', () => reachState.from && void showReachFrom(reachState.from));
  $('bereik-kies').addEventListener('click', () => {
    hooks.beforePicking();
    reachState.picking = true;
    say('Klik op de kaart waar het bereik begint (of druk op Enter voor het midden van de kaart).');
    map.getCanvas().style.cursor = 'crosshair';
    map.getCanvas().focus();
  });
  $('bereik-wis').addEventListener('click', () => forget());
  // Registered after the page's own click handlers, which leave a picking click alone.
  map.on('click', (e) => {
    if (!reachState.picking) return;
    stopPicking();
    void showReachFrom({ lon: e.lngLat.lng, lat: e.lngLat.lat, label: 'het gekozen punt' });
  });
  map.getCanvas().addEventListener('keydown', (e) => {
    if (!reachState.picking || e.key !== 'Enter') return;
    stopPicking();
    const c = map.getCenter();
    void showReachFrom({ lon: c.lng, lat: c.lat, label: 'het midden van de kaart' });
  });
}

function stopPicking() {
  reachState.picking = false;
  theMap.getCanvas().style.cursor = '';
}

function say(text: string, isError = false) {
  const el = $('bereik-status');
  el.textContent = text;
  el.classList.toggle('fout', isError);
}

function forget() {
  reachState.seq += 1;
  reachState.from = null;
  reachState.shown = null;
  reachState.marker?.remove();
  reachState.marker = null;
  stopPicking();
  clearReach(theMap);
  say('');
  hooks.legendChanged();
}

/** Draws the reach from a point (a facility's, say) with the mode and minutes chosen. */
export async function showReachFrom(from: From) {
  const modus = $<HTMLSelectElement>('bereik-modus').value;
  const minutes = Number($<HTMLSelectElement>('bereik-minuten').value);
  const seq = ++reachState.seq;
  reachState.from = from;
  say(`Het bereik binnen ${minutes} minuten ${modeWords(modus)} vanaf ${from.label} wordt berekend…`);
  reachState.marker?.remove();
  const dot = document.createElement('div');
  dot.className = 'bereik-punt';
  dot.setAttribute('aria-hidden', 'true');
  reachState.marker = new maplibregl.Marker({ element: dot }).setLngLat([from.lon, from.lat]).addTo(theMap);
  try {
    const { data, reach } = await fetchReach(from.lon, from.lat, minutes, modus);
    if (seq !== reachState.seq) return;
    drawReach(theMap, data, hooks.below);
    reachState.shown = reach;
    say(reachWords(reach, from.label));
    hooks.legendChanged();
    theMap.fitBounds(reachBounds(data, [from.lon, from.lat]), { padding: 50, maxZoom: 15, duration: 0 });
  } catch (e) {
    if (seq !== reachState.seq) return;
    clearReach(theMap);
    reachState.shown = null;
    hooks.legendChanged();
    say(`Het bereik kon niet worden getoond: ${(e as Error).message}`, true);
  }
}
