// Export of the current map view: the areas in view as CSV, the map as a PNG with its
// title, legend and attribution drawn under it.

import type * as maplibregl from 'maplibre-gl';
import type { ColourClass } from './layers';
import { NO_DATA } from './layers';
import { dutchCsvText } from './csv';
import type { DutchColumn } from './csv';

export function download(name: string, blob: Blob) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** The view as CSV in Dutch form (`;`, decimal comma, headers in words; see csv.ts for
 * quoting and cells a spreadsheet would run as a formula). */
export function dutchCsv(columns: DutchColumn[], rows: Record<string, unknown>[]): Blob {
  return new Blob([dutchCsvText(columns, rows)], { type: 'text/csv;charset=utf-8' });
}

export interface PngLegend {
  title: string;
  classes: ColourClass[];
  attribution: string;
}

/** The map as drawn now, with a footer that says what it shows and whose data it is. */
export async function png(map: maplibregl.Map, legend: PngLegend): Promise<Blob> {
  await new Promise<void>((resolve) => {
    map.once('render', () => resolve());
    map.triggerRepaint();
  });
  const source = map.getCanvas();
  const scale = source.width / source.clientWidth || 1;
  const rows = Math.ceil((legend.classes.length + 1) / 3);
  const footer = Math.round((48 + rows * 22 + 24) * scale);
  const out = document.createElement('canvas');
  out.width = source.width;
  out.height = source.height + footer;
  const g = out.getContext('2d');
  if (!g) throw new Error('this browser cannot draw a canvas');
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, out.width, out.height);
  g.drawImage(source, 0, 0);
  g.scale(scale, scale);
  const top = source.height / scale;
  g.fillStyle = '#111';
  g.font = 'bold 16px sans-serif';
  g.fillText(legend.title, 12, top + 24);
  g.font = '13px sans-serif';
  const width = source.clientWidth / 3;
  [...legend.classes, { below: null, colour: NO_DATA.colour, label: NO_DATA.label }].forEach((c, i) => {
    const x = 12 + (i % 3) * width;
    const y = top + 44 + Math.floor(i / 3) * 22;
    g.fillStyle = c.colour;
    g.fillRect(x, y - 11, 18, 14);
    g.strokeStyle = '#555';
    g.strokeRect(x, y - 11, 18, 14);
    g.fillStyle = '#111';
    g.fillText(c.label, x + 26, y);
  });
  g.fillStyle = '#444';
  g.font = '11px sans-serif';
  g.fillText(legend.attribution, 12, top + 44 + rows * 22 + 6);
  return new Promise((resolve, reject) => out.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG export failed'))), 'image/png'));
}
