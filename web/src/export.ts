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
  /** Every credit the map carries, one source each. */
  attribution: string[];
  /** Facilities placed in a what-if: DOM markers, so not in the map's canvas. */
  placed: maplibregl.LngLat[];
}

const FONT = 'sans-serif';

/** Lines of at most `width` px, broken between words. */
function wrap(g: CanvasRenderingContext2D, text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    const next = line ? `${line} ${word}` : word;
    if (line && g.measureText(next).width > width) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

/** A scale bar of a round length (1, 2 or 5 × 10ⁿ m) at most `maxPx` wide, measured at
 * the map's centre (Web Mercator stretches with latitude). */
export function scaleBar(map: maplibregl.Map, maxPx: number): { px: number; label: string } {
  const lat = map.getCenter().lat;
  // MapLibre's tiles are 512 px: at zoom z the equator is 512·2^z px around.
  const metresPerPx = (40_075_016.686 * Math.cos((lat * Math.PI) / 180)) / (512 * 2 ** map.getZoom());
  const most = metresPerPx * maxPx;
  const pow = 10 ** Math.floor(Math.log10(most));
  const metres = [5, 2, 1].map((m) => m * pow).find((m) => m <= most) ?? pow;
  return { px: metres / metresPerPx, label: metres >= 1000 ? `${metres / 1000} km` : `${metres} m` };
}

/** The map as drawn now, with a title and date above it and, below it, the legend and
 * every credit: an image that says what it shows, when and whose data it is. */
export async function png(map: maplibregl.Map, legend: PngLegend): Promise<Blob> {
  await new Promise<void>((resolve) => {
    map.once('render', () => resolve());
    map.triggerRepaint();
  });
  const source = map.getCanvas();
  const scale = source.width / source.clientWidth || 1;
  const width = source.clientWidth;
  const mapHeight = source.clientHeight;
  const measure = document.createElement('canvas').getContext('2d');
  if (!measure) throw new Error('this browser cannot draw a canvas');
  measure.font = `bold 17px ${FONT}`;
  const titleLines = wrap(measure, legend.title, width - 24);
  measure.font = `12px ${FONT}`;
  const credits = wrap(measure, `Bronnen: ${legend.attribution.join(' · ')}`, width - 24);
  const entries: { colour: string; label: string; placed?: boolean }[] = [...legend.classes, { colour: NO_DATA.colour, label: NO_DATA.label }];
  if (legend.placed.length) entries.push({ colour: '#f2a900', label: 'Nieuwe voorziening (wat-als)', placed: true });
  // As many columns as the longest label leaves room for (swatch and gap included).
  measure.font = `13px ${FONT}`;
  const widestLabel = Math.max(...entries.map((e) => measure.measureText(e.label).width));
  const columns = Math.max(1, Math.min(3, Math.floor((width - 24) / (widestLabel + 48))));
  const rows = Math.ceil(entries.length / columns);
  const head = 16 + titleLines.length * 22 + 20;
  const foot = 16 + rows * 22 + 8 + credits.length * 16 + 8;

  const out = document.createElement('canvas');
  out.width = Math.round(width * scale);
  out.height = Math.round((head + mapHeight + foot) * scale);
  const g = out.getContext('2d');
  if (!g) throw new Error('this browser cannot draw a canvas');
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, out.width, out.height);
  g.drawImage(source, 0, Math.round(head * scale));
  g.scale(scale, scale);

  g.fillStyle = '#111';
  g.font = `bold 17px ${FONT}`;
  titleLines.forEach((l, i) => g.fillText(l, 12, 24 + i * 22));
  g.font = `12px ${FONT}`;
  g.fillStyle = '#444';
  const made = new Date().toLocaleDateString('nl-NL', { day: 'numeric', month: 'long', year: 'numeric' });
  g.fillText(`Gemaakt met wijkatlas op ${made}`, 12, 16 + titleLines.length * 22 + 10);

  for (const at of legend.placed) {
    const p = map.project(at);
    if (p.x < 0 || p.y < 0 || p.x > width || p.y > mapHeight) continue;
    placedMark(g, p.x, head + p.y, 13);
  }

  const bar = scaleBar(map, 120);
  g.font = `bold 13px ${FONT}`;
  const bx = 12;
  const by = head + mapHeight - 14;
  g.fillStyle = 'rgba(255, 255, 255, 0.85)';
  g.fillRect(bx - 6, by - 22, bar.px + 12 + g.measureText(bar.label).width + 8, 30);
  g.strokeStyle = '#222';
  g.lineWidth = 2;
  g.beginPath();
  g.moveTo(bx, by - 6);
  g.lineTo(bx, by);
  g.lineTo(bx + bar.px, by);
  g.lineTo(bx + bar.px, by - 6);
  g.stroke();
  g.fillStyle = '#111';
  g.fillText(bar.label, bx + bar.px + 6, by);

  const top = head + mapHeight;
  const columnWidth = (width - 24) / columns;
  entries.forEach((c, i) => {
    const x = 12 + (i % columns) * columnWidth;
    const y = top + 22 + Math.floor(i / columns) * 22;
    if (c.placed) placedMark(g, x + 9, y - 4, 8);
    else {
      g.fillStyle = c.colour;
      g.fillRect(x, y - 11, 18, 14);
      g.strokeStyle = '#555';
      g.lineWidth = 1;
      g.strokeRect(x, y - 11, 18, 14);
    }
    g.fillStyle = '#111';
    g.font = `13px ${FONT}`;
    g.fillText(c.label, x + 26, y);
  });
  g.fillStyle = '#444';
  g.font = `12px ${FONT}`;
  credits.forEach((l, i) => g.fillText(l, 12, top + 16 + rows * 22 + 8 + i * 16));
  return new Promise((resolve, reject) => out.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG export failed'))), 'image/png'));
}

/** A placed facility as the map shows it: a yellow disc with a black ring and a plus. */
function placedMark(g: CanvasRenderingContext2D, x: number, y: number, r: number) {
  g.beginPath();
  g.arc(x, y, r, 0, 2 * Math.PI);
  g.fillStyle = '#f2a900';
  g.fill();
  g.lineWidth = Math.max(2, r / 4);
  g.strokeStyle = '#000';
  g.stroke();
  g.fillStyle = '#000';
  g.font = `bold ${Math.round(r * 1.3)}px ${FONT}`;
  g.textAlign = 'center';
  g.textBaseline = 'middle';
  g.fillText('+', x, y + 1);
  g.textAlign = 'start';
  g.textBaseline = 'alphabetic';
}
