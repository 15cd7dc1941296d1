// What is reachable along the road network within some minutes from a point (the
// server's /api/isochrone), drawn as lines on either page's map, with the same in words.
// Only offered when the server says a road network is loaded (config.netwerk).

import * as api from './api';
import type { Config, Reach } from './api';
import { distance, escapeHtml } from './format';
import { maplibregl } from './map';

const SOURCE = 'bereik';
/** The line layer's id, for tests and for queryRenderedFeatures. */
export const REACH_LAYER = 'bereik-lijn';
const CASING = 'bereik-rand';
/** Magenta on a white casing: apart from every choropleth scale and the basemap's grey. */
export const REACH_COLOUR = '#b0006a';

export const REACH_MINUTES = [5, 10, 15, 20, 30];

/** How a mode reads after "binnen 15 minuten": lopen, fietsen, met de auto. */
export function modeWords(modus: string): string {
  return modus === 'auto' ? 'met de auto' : modus;
}

/** The modes this server can draw, of those a page offers. */
export function offeredModes(config: Config, wanted: string[]): string[] {
  const loaded = config.netwerk?.modi ?? [];
  return wanted.filter((m) => loaded.includes(m));
}

export async function fetchReach(lon: number, lat: number, minutes: number, modus: string): Promise<{ data: GeoJSON.FeatureCollection; reach: Reach }> {
  const data = await api.isochrone(lon, lat, minutes, modus);
  const reach = data.features[0]?.properties as Reach | undefined;
  if (!reach) throw new Error('de server gaf geen bereik terug');
  return { data, reach };
}

/** The reach in words: the text alternative of the lines on the map. */
export function reachWords(reach: Reach, from: string): string {
  const km = distance(reach.lengte_m);
  return reach.lengte_m > 0
    ? `Binnen ${reach.minuten} minuten ${modeWords(reach.modus)} vanaf ${from}: ${km} aan wegen en paden, over het netwerk (op de kaart de magenta lijnen).`
    : `Binnen ${reach.minuten} minuten ${modeWords(reach.modus)} vanaf ${from} is over het netwerk geen weg of pad te bereiken.`;
}

/** The legend entry: a line swatch and what it shows. */
export function reachLegendHtml(reach: Reach): string {
  return `<li><span class="lijn-staal" style="background:${REACH_COLOUR}" aria-hidden="true"></span>${escapeHtml(`bereikbaar binnen ${reach.minuten} min ${modeWords(reach.modus)}, over wegen en paden`)}</li>`;
}

/** Puts the reach on the map (replacing an earlier one), below `beforeId` when given. */
export function drawReach(map: maplibregl.Map, data: GeoJSON.FeatureCollection, beforeId?: string) {
  const source = map.getSource(SOURCE) as maplibregl.GeoJSONSource | undefined;
  if (source) {
    source.setData(data);
    return;
  }
  map.addSource(SOURCE, { type: 'geojson', data });
  const before = beforeId && map.getLayer(beforeId) ? beforeId : undefined;
  const width = (w: number): maplibregl.ExpressionSpecification => ['interpolate', ['linear'], ['zoom'], 11, w * 0.6, 15, w * 1.4];
  map.addLayer({ id: CASING, type: 'line', source: SOURCE, layout: { 'line-cap': 'round', 'line-join': 'round' }, paint: { 'line-color': '#ffffff', 'line-width': width(5), 'line-opacity': 0.9 } }, before);
  map.addLayer({ id: REACH_LAYER, type: 'line', source: SOURCE, layout: { 'line-cap': 'round', 'line-join': 'round' }, paint: { 'line-color': REACH_COLOUR, 'line-width': width(2.6) } }, before);
}

export function clearReach(map: maplibregl.Map) {
  for (const id of [REACH_LAYER, CASING]) if (map.getLayer(id)) map.removeLayer(id);
  if (map.getSource(SOURCE)) map.removeSource(SOURCE);
}

/** The box around what was reached, to bring it into view. */
export function reachBounds(data: GeoJSON.FeatureCollection, also: [number, number]): maplibregl.LngLatBounds {
  const bounds = new maplibregl.LngLatBounds(also, also);
  for (const f of data.features) {
    if (f.geometry?.type !== 'MultiLineString') continue;
    for (const line of f.geometry.coordinates) for (const p of line) bounds.extend([p[0], p[1]]);
  }
  return bounds;
}
