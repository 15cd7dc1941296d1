// Typed calls to the wijkatlas server: every path is on the same origin.

export interface Category {
  key: string;
  label: string;
  domain: string;
  count: number;
  /** What the category's sources cover, in words ("heel Nederland", "de gemeenten …"). */
  dekking: string;
  landelijk: boolean;
  /** `voorzieningen`, or `cbs_afstand` when none is loaded and CBS's distance stands in. */
  toegang_bron: string;
  toegang_bron_tekst: string;
}

export interface NeedComponent {
  key: string;
  label: string;
  weight: number;
}

export interface Basemap {
  tiles: string;
  attribution: string;
  /** Served by our own server from a file (`--basemap-file`). */
  local?: boolean;
  minzoom?: number;
  maxzoom?: number;
  bounds?: [number, number, number, number];
  tileSize?: number;
}

export interface Config {
  snapshot: string;
  categories: Category[];
  levels: string[];
  analysisLevel: string | null;
  /** The properties of the analysis level's collection (its queryables). */
  areaProperties: string[];
  attribution: string[];
  basemap: Basemap | null;
  extent: [number, number, number, number] | null;
  socialRentTargetPct: number;
  /** The need index at the analysis level: its components and those the level lacks. */
  need: { components: NeedComponent[]; missing: { key: string; label: string }[] } | null;
  /** The road network's modes (lopen, fietsen, auto) when one is loaded; null: distances are straight lines. */
  netwerk: { modi: string[] } | null;
  /** The combined vector tiles: a URL template on this server and each layer's first zoom. */
  tiles: { url: string; layers: { collection: string; minzoom: number }[] };
}

export interface Ranked {
  code: string;
  naam: string;
  gemeentecode: string;
  rank: number;
  gap: number;
  need: number;
  access: number | null;
  nearest_m: number | null;
  people_beyond: number | null;
  dekking: string;
  cbs_afstand_km: number | null;
  cbs_niveau: string | null;
  reason: string;
}

export interface Ranking {
  category: string;
  level: string;
  ranked: Ranked[];
  insufficient_data: string[];
  numberRanked: number;
}

export interface AreaChange {
  code: string;
  naam: string;
  /** The area's own access and distance: beter, slechter or gelijk (its rank alone moved). */
  richting: 'beter' | 'slechter' | 'gelijk';
  afstand_voor_m: number | null;
  afstand_na_m: number | null;
  binnen_bereik_voor: [number, number, number] | null;
  binnen_bereik_na: [number, number, number] | null;
  uitleg: string;
  access_before: number | null;
  access_after: number | null;
  gap_before: number;
  gap_after: number;
  rank_before: number;
  rank_after: number;
}

export interface ScenarioAnswer {
  categorie: string;
  niveau: string;
  gewijzigd: AreaChange[];
  totaal: ScenarioTotals;
  dekking: string;
  rangorde_na: Ranked[];
}

/** The scenario over all ranked areas: people within 1/3/5 km before and after. */
export interface ScenarioTotals {
  binnen_bereik_voor: [number, number, number];
  binnen_bereik_na: [number, number, number];
  verder_voor: number;
  verder_na: number;
  gebieden_beter: number;
  gebieden_slechter: number;
  gebieden_alleen_rang: number;
}

export interface Suggestion {
  area: string;
  naam: string;
  lon: number;
  lat: number;
  gain: number;
  areas_reached: number;
}

export interface Nearby {
  id: string;
  naam: string;
  categorie: string;
  categorie_naam: string;
  adres: string | null;
  postcode: string | null;
  plaats: string | null;
  lon: number;
  lat: number;
  afstand_m: number;
  reisafstand_m: number;
  /** Along the network, where a road network is loaded: a time, or why there is none. */
  lopen?: NetworkTime;
  fietsen?: NetworkTime;
}

export type NetworkTime = { minuten: number; afstand_m: number } | { uitleg: string };

/** The properties of an isochrone's one feature. */
export interface Reach {
  modus: string;
  minuten: number;
  lijnen: number;
  lengte_m: number;
  uitleg: string;
}

export interface PlaceHit {
  soort: string;
  code: string;
  naam: string;
  label: string;
  lon: number;
  lat: number;
}

/** A JSON answer, or an error carrying the server's own description. */
export async function getJson<T>(path: string, init?: RequestInit): Promise<T> {
  const r = await fetch(path, { headers: { accept: 'application/json' }, ...init });
  if (!r.ok) throw new Error(await failure(r));
  return (await r.json()) as T;
}

export const loadConfig = () => getJson<Config>('/web/config.json');

/** A download from the server (a workbook, say), or the server's reason in words. */
export async function getBlob(path: string): Promise<Blob> {
  const r = await fetch(path);
  if (!r.ok) throw new Error(await failure(r));
  return r.blob();
}

/** Why a request failed: the server's description, else the status line. */
async function failure(r: Response): Promise<string> {
  try {
    const body = await r.json();
    if (body && typeof body.description === 'string') return body.description;
  } catch {
    // not JSON: the status line says enough
  }
  return `${r.status} ${r.statusText}`;
}

export function loadRanking(category: string): Promise<Ranking> {
  return getJson<Ranking>(`/api/gaps?categorie=${encodeURIComponent(category)}&limit=10000`);
}

export function runScenario(body: object): Promise<ScenarioAnswer> {
  return getJson<ScenarioAnswer>('/api/scenario', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
}

export function suggest(category: string, n: number, gemeente: string | null): Promise<{ suggesties: Suggestion[] }> {
  const within = gemeente ? `&gemeente=${encodeURIComponent(gemeente)}` : '';
  return getJson(`/api/suggest?categorie=${encodeURIComponent(category)}&n=${n}${within}`);
}

export interface Uncovered {
  categorie: string;
  categorie_naam: string;
  uitleg: string;
}

export interface NearestAnswer {
  /** `over het netwerk` where a road network is loaded, else `hemelsbreed`. */
  afstanden: string;
  voorzieningen: Nearby[];
  buiten_dekking: Uncovered[];
}

export function nearest(lon: number, lat: number, category: string, k: number): Promise<NearestAnswer> {
  return getJson(`/api/nearest?lon=${lon}&lat=${lat}&categorie=${encodeURIComponent(category)}&k=${k}`);
}

/** The roads and paths reachable within `minutes` by `modus`, as one MultiLineString feature. */
export function isochrone(lon: number, lat: number, minutes: number, modus: string): Promise<GeoJSON.FeatureCollection> {
  return getJson(`/api/isochrone?lon=${lon}&lat=${lat}&minuten=${minutes}&modus=${encodeURIComponent(modus)}`);
}

export function searchPlaces(text: string): Promise<{ resultaten: PlaceHit[] }> {
  return getJson(`/api/zoek?q=${encodeURIComponent(text)}&limit=8`);
}

/** A GeoJSON FeatureCollection of a layer, all pages of it. */
export async function loadItems(collection: string, query: string): Promise<GeoJSON.FeatureCollection> {
  const all: GeoJSON.Feature[] = [];
  let url: string | null = `/collections/${collection}/items?f=json&limit=10000&${query}`;
  while (url) {
    const page: GeoJSON.FeatureCollection & { links?: { rel: string; href: string }[] } = await getJson(url);
    all.push(...page.features);
    const next = page.links?.find((l) => l.rel === 'next');
    url = next && page.features.length > 0 ? next.href : null;
  }
  return { type: 'FeatureCollection', features: all };
}

export interface ProfileReference {
  value: number;
  how: string;
}

export interface ProfileFigure {
  key: string;
  label: string;
  unit: string;
  value: number | null;
  gemeente: ProfileReference | null;
  nederland: ProfileReference | null;
  standing_label: string | null;
}

export interface ProfileCategory {
  category: string;
  label: string;
  nearest_m: number | null;
  nearest_gemeente: ProfileReference | null;
  nearest_nederland: ProfileReference | null;
}

/** The part of `GET /profiles/{code}` the map's panel shows. */
export interface Profile {
  code: string;
  figures: ProfileFigure[];
  categories: ProfileCategory[];
  housing_target_pct: number;
}
