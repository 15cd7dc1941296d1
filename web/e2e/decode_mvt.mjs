// Decodes a Mapbox Vector Tile with @mapbox/vector-tile, a decoder independent of the
// server's encoder, and prints it as JSON. Usage: node e2e/decode_mvt.mjs FILE Z X Y
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader as Pbf } from 'pbf';
import { readFileSync } from 'node:fs';

const [file, z, x, y] = process.argv.slice(2);
const tile = new VectorTile(new Pbf(readFileSync(file)));
const out = {};
for (const [name, layer] of Object.entries(tile.layers)) {
  const features = [];
  for (let i = 0; i < layer.length; i++) {
    const f = layer.feature(i);
    features.push({
      id: f.id,
      type: f.type,
      properties: f.properties,
      // Rings in tile units, as encoded.
      rings: f.loadGeometry().map((ring) => ring.map((p) => [p.x, p.y])),
      geojson: f.toGeoJSON(Number(x), Number(y), Number(z)).geometry,
    });
  }
  out[name] = { version: layer.version, extent: layer.extent, features };
}
console.log(JSON.stringify(out));
