// The map both pages share: MapLibre with our own layers as the base, so it is readable
// without any external tiles. A raster basemap (PDOK's BRT-Achtergrondkaart unless the
// server is told otherwise) goes underneath while the browser can reach it.

import * as maplibregl from 'maplibre-gl';
import type { StyleSpecification } from 'maplibre-gl';
import type { Config } from './api';

maplibregl.setWorkerUrl('/web/maplibre-gl-worker.mjs');
// Two workers: the area and facility sources are cut into tiles side by side.
maplibregl.setWorkerCount(2);

export { maplibregl };

// Outside our polygons is water or abroad: a pale blue reads as "no land data here".
const WATER = '#dfe9f0';
const LABEL_FONT = ['sans-serif'];

export function baseStyle(config: Config): StyleSpecification {
  const style: StyleSpecification = {
    version: 8,
    // No `glyphs`: MapLibre draws the labels with the browser's own fonts.
    sources: {},
    layers: [{ id: 'achtergrond', type: 'background', paint: { 'background-color': WATER } }],
  };
  const b = config.basemap;
  if (b) {
    // A basemap served here is a path; the tile loader wants a whole URL.
    const tiles = b.tiles.startsWith('/') ? window.location.origin + b.tiles : b.tiles;
    style.sources.basemap = {
      type: 'raster',
      tiles: [tiles],
      tileSize: b.tileSize ?? 256,
      attribution: b.attribution,
      // A file's zoom range and extent: no requests for tiles it cannot have.
      ...(b.minzoom !== undefined ? { minzoom: b.minzoom } : {}),
      ...(b.maxzoom !== undefined ? { maxzoom: b.maxzoom } : {}),
      ...(b.bounds ? { bounds: b.bounds } : {}),
    };
    style.layers.push({ id: 'basemap', type: 'raster', source: 'basemap' });
  }
  return style;
}

export function createMap(container: string, config: Config, extra: Partial<maplibregl.MapOptions> = {}): maplibregl.Map {
  const [w, s, e, n] = config.extent ?? [3.3, 50.7, 7.3, 53.6];
  const map = new maplibregl.Map({
    container,
    style: baseStyle(config),
    bounds: [w, s, e, n],
    fitBoundsOptions: { padding: 20 },
    attributionControl: false,
    maxZoom: 18,
    // No fade-in of labels and tiles: each fade frame is a full repaint, which is what
    // a slow (software-rendered) machine can least afford.
    fadeDuration: 0,
    // The controls' labels in the page's language (screen readers read them out).
    locale: {
      'NavigationControl.ZoomIn': 'Inzoomen',
      'NavigationControl.ZoomOut': 'Uitzoomen',
      'Popup.Close': 'Venster sluiten',
      'AttributionControl.ToggleAttribution': 'Bronvermelding tonen of verbergen',
      'ScaleControl.Meters': 'm',
      'ScaleControl.Kilometers': 'km',
    },
    ...extra,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  // Top left: at the bottom a long attribution line runs over it on a wide screen.
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'top-left');
  // On a phone the attribution is an (i) button that opens it: spelled out it covers
  // several lines of a small map. The credits stay in the page, for readers and tests.
  const narrow = window.matchMedia('(max-width: 760px)').matches;
  map.addControl(new maplibregl.AttributionControl({ compact: narrow, customAttribution: config.attribution.filter((a) => a !== config.basemap?.attribution) }), 'bottom-right');
  if (config.basemap) watchBasemap(map, Boolean(config.basemap.local));
  if (narrow) {
    const collapse = () => {
      const el = map.getContainer().querySelector('.maplibregl-ctrl-attrib');
      el?.classList.remove('maplibregl-compact-show');
      el?.removeAttribute('open');
    };
    collapse();
    map.once('load', collapse);
  }
  return map;
}

/**
 * When the basemap's tiles cannot be loaded (offline, a closed network, the service
 * down), the map drops it, draws its own land colour again and says so once, in the
 * map; every other error is reported as MapLibre would (on the console).
 */
function watchBasemap(map: maplibregl.Map, local: boolean) {
  let lost = false;
  map.on('error', (e: maplibregl.ErrorEvent & { sourceId?: string }) => {
    if (e.sourceId !== 'basemap') {
      console.error(e.error);
      return;
    }
    // A basemap served here is reachable whenever the page is: a tile its file lacks
    // (an empty answer) is sea or beyond its edge, not a reason to drop it.
    if (lost || local) return;
    lost = true;
    if (map.getLayer('basemap')) map.removeLayer('basemap');
    // Our own land fill was made transparent to let the basemap through.
    for (const id of ['gemeenten-vlak', 'gemeenten-land']) if (map.getLayer(id)) map.setPaintProperty(id, 'fill-opacity', 1);
    map.getContainer().dataset.achtergrond = 'onbereikbaar';
    const note = document.createElement('div');
    note.className = 'kaart-melding';
    note.setAttribute('role', 'status');
    note.innerHTML = '<p>De achtergrondkaart (PDOK) is niet bereikbaar; de kaart toont alleen haar eigen lagen.</p><button type="button" aria-label="Melding over de achtergrondkaart sluiten">×</button>';
    note.querySelector('button')?.addEventListener('click', () => note.remove());
    map.getContainer().appendChild(note);
    // Removing the source would stop its remaining requests too, but its attribution
    // goes with it, which is right: the basemap is no longer shown.
    window.setTimeout(() => map.getSource('basemap') && map.removeSource('basemap'), 0);
  });
}

/** Whether the basemap is drawn (configured, and not dropped as unreachable). */
export function basemapShown(map: maplibregl.Map): boolean {
  return Boolean(map.getLayer('basemap'));
}

/** Gemeente outlines and names, above the fills and below the points. */
export function addGemeenteOutlines(map: maplibregl.Map, data: GeoJSON.FeatureCollection, withBasemap: boolean, fillBelow?: string) {
  map.addSource('gemeenten', { type: 'geojson', data, promoteId: 'code' });
  map.addLayer({
    id: 'gemeenten-vlak',
    type: 'fill',
    source: 'gemeenten',
    paint: { 'fill-color': '#fbfaf7', 'fill-opacity': withBasemap && basemapShown(map) ? 0 : 1 },
  }, fillBelow);
  map.addLayer({
    id: 'gemeenten-grens',
    type: 'line',
    source: 'gemeenten',
    paint: { 'line-color': '#4a4a4a', 'line-width': ['interpolate', ['linear'], ['zoom'], 6, 0.6, 10, 1.8] },
  });
}

/**
 * One label point per area, in its largest part: a multipolygon would otherwise get a
 * label on every island. The point is the centre of that part's bounding box, nudged
 * to its nearest vertex when the centre falls outside (a crescent-shaped gemeente).
 */
export function labelPoints(data: GeoJSON.FeatureCollection): GeoJSON.FeatureCollection {
  const features: GeoJSON.Feature[] = [];
  for (const f of data.features) {
    const g = f.geometry;
    const parts = g?.type === 'MultiPolygon' ? g.coordinates : g?.type === 'Polygon' ? [g.coordinates] : [];
    let best: { box: [number, number, number, number]; ring: number[][]; size: number } | null = null;
    for (const part of parts) {
      const box = bboxOf({ type: 'Polygon', coordinates: part });
      if (!box) continue;
      const size = (box[2] - box[0]) * (box[3] - box[1]);
      if (!best || size > best.size) best = { box, ring: part[0], size };
    }
    if (!best) continue;
    let at: [number, number] = [(best.box[0] + best.box[2]) / 2, (best.box[1] + best.box[3]) / 2];
    if (!inside(at, best.ring)) {
      const near = best.ring.reduce((a, b) => (Math.hypot(b[0] - at[0], b[1] - at[1]) < Math.hypot(a[0] - at[0], a[1] - at[1]) ? b : a));
      at = [near[0], near[1]];
    }
    // Larger places win where labels collide (a lower key is placed first).
    const people = Number(f.properties?.inwoners);
    features.push({ type: 'Feature', properties: { naam: f.properties?.naam ?? '', volgorde: Number.isFinite(people) ? -people : 0 }, geometry: { type: 'Point', coordinates: at } });
  }
  return { type: 'FeatureCollection', features };
}

function inside([x, y]: [number, number], ring: number[][]): boolean {
  let hit = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) hit = !hit;
  }
  return hit;
}

export function addGemeenteLabels(map: maplibregl.Map, data: GeoJSON.FeatureCollection) {
  map.addSource('gemeenten-labels', { type: 'geojson', data: labelPoints(data) });
  map.addLayer({
    id: 'gemeenten-naam',
    type: 'symbol',
    source: 'gemeenten-labels',
    // From the national view: where names collide, the larger gemeente keeps its own.
    minzoom: 6,
    layout: {
      'text-field': ['get', 'naam'],
      'text-font': LABEL_FONT,
      'text-size': ['interpolate', ['linear'], ['zoom'], 6, 10, 9, 12],
      'text-max-width': 8,
      'symbol-sort-key': ['get', 'volgorde'],
    },
    paint: { 'text-color': '#222', 'text-halo-color': '#fff', 'text-halo-width': 1.5 },
  });
}

export function addAreaLabels(map: maplibregl.Map, source: string, data: GeoJSON.FeatureCollection, minzoom: number) {
  map.addSource(`${source}-labels`, { type: 'geojson', data: labelPoints(data) });
  map.addLayer({
    id: `${source}-naam`,
    type: 'symbol',
    source: `${source}-labels`,
    minzoom,
    layout: { 'text-field': ['get', 'naam'], 'text-font': LABEL_FONT, 'text-size': 11, 'text-max-width': 7 },
    paint: { 'text-color': '#333', 'text-halo-color': '#fff', 'text-halo-width': 1.2 },
  });
}

export function bboxOf(geometry: GeoJSON.Geometry | null): [number, number, number, number] | null {
  if (!geometry) return null;
  let b: [number, number, number, number] | null = null;
  const visit = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      const [x, y] = c as number[];
      b = b ? [Math.min(b[0], x), Math.min(b[1], y), Math.max(b[2], x), Math.max(b[3], y)] : [x, y, x, y];
    } else if (Array.isArray(c)) c.forEach(visit);
  };
  if ('coordinates' in geometry) visit(geometry.coordinates);
  return b;
}

/** Resolves when the map has rendered everything it has (MapLibre's `idle`). */
export function whenIdle(map: maplibregl.Map): Promise<void> {
  return new Promise((resolve) => map.once('idle', () => resolve()));
}
