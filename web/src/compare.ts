// The map panel's one-glance comparison: the area beside its gemeente and the
// Netherlands for need, the distance to each kind of voorziening and housing, as bars
// and as a list. Every bar is labelled with whose it is and its value, so the graphic
// reads without its colours; the list after it says the same in words.

import type { Profile, ProfileReference } from './api';
import { distance, escapeHtml, number } from './format';

interface Row {
  label: string;
  unit: string;
  value: number;
  gemeente: ProfileReference | null;
  nederland: ProfileReference | null;
  standing: string | null;
  /** A line across the bars, e.g. the 30% target. */
  target?: { value: number; label: string };
}

interface Group {
  title: string;
  rows: Row[];
}

const NEED = ['pct_65plus', 'pct_eenpersoonshuishoudens', 'pct_huishoudens_laag_inkomen', 'wmo_clienten_per_1000'];
const BARS: { who: string; fill: string }[] = [
  { who: 'dit gebied', fill: '#1d3557' },
  { who: 'gemeente', fill: '#6baed6' },
  { who: 'Nederland', fill: '#969696' },
];

export function show(v: number, unit: string): string {
  if (unit === 'm') return distance(v);
  if (unit === '%') return `${number(v, 1)}%`;
  return `${number(v, 1)} ${unit}`.trim();
}

function groups(p: Profile): Group[] {
  const figure = (key: string): Row | null => {
    const f = p.figures.find((x) => x.key === key && x.value != null);
    return f ? { label: f.label, unit: f.unit, value: f.value as number, gemeente: f.gemeente, nederland: f.nederland, standing: f.standing_label } : null;
  };
  const need = NEED.map(figure).filter((r): r is Row => r !== null).slice(0, 3);
  const reach = p.categories
    .filter((c) => c.nearest_m != null)
    .map((c): Row => ({ label: `Afstand tot ${c.label.toLowerCase()}`, unit: 'm', value: c.nearest_m as number, gemeente: c.nearest_gemeente, nederland: c.nearest_nederland, standing: null }));
  const housing = figure('pct_corporatiewoningen');
  if (housing) housing.target = { value: p.housing_target_pct, label: `doel ${number(p.housing_target_pct)}%` };
  return [
    { title: 'Behoefte', rows: need },
    { title: 'Bereik (hemelsbreed, gemiddeld per inwoner)', rows: reach },
    { title: 'Wonen', rows: housing ? [housing] : [] },
  ].filter((g) => g.rows.length > 0);
}

const WIDTH = 320;
const LABEL_W = 66;
const BAR_W = 170;

function svg(all: Group[], titleId: string, textId: string): string {
  let y = 0;
  let body = '';
  for (const g of all) {
    y += 16;
    body += `<text x="0" y="${y}" class="groep">${escapeHtml(g.title)}</text>`;
    for (const r of g.rows) {
      y += 15;
      body += `<text x="0" y="${y}" class="rij">${escapeHtml(r.label)}${r.standing ? ` — ${escapeHtml(r.standing)}` : ''}</text>`;
      const values = [r.value, r.gemeente?.value ?? null, r.nederland?.value ?? null];
      const max = Math.max(...values.filter((v): v is number => v != null), r.target?.value ?? 0, Number.MIN_VALUE);
      const top = y + 4;
      values.forEach((v, i) => {
        y += 14;
        const by = y - 10;
        body += `<text x="0" y="${y}">${BARS[i].who}</text>`;
        if (v == null) {
          body += `<text x="${LABEL_W}" y="${y}">geen gegevens</text>`;
          return;
        }
        const w = Math.max(1, (v / max) * BAR_W);
        body += `<rect x="${LABEL_W}" y="${by}" width="${w.toFixed(1)}" height="11" fill="${BARS[i].fill}"/><text x="${(LABEL_W + w + 4).toFixed(1)}" y="${y}">${escapeHtml(show(v, r.unit))}</text>`;
      });
      if (r.target) {
        const x = LABEL_W + (r.target.value / max) * BAR_W;
        body += `<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${top}" y2="${y + 3}" stroke="#b00020" stroke-width="1.5" stroke-dasharray="3 2"/>`;
        y += 13;
        body += `<text x="${x.toFixed(1)}" y="${y}" text-anchor="middle" class="doel">${escapeHtml(r.target.label)}</text>`;
      }
      y += 4;
    }
  }
  y += 4;
  return `<svg viewBox="0 0 ${WIDTH} ${y}" width="100%" role="img" aria-labelledby="${titleId}" aria-describedby="${textId}" focusable="false">${body}</svg>`;
}

function sentence(r: Row): string {
  const refs = [r.gemeente ? `gemeente ${show(r.gemeente.value, r.unit)}` : '', r.nederland ? `Nederland ${show(r.nederland.value, r.unit)}` : '', r.target ? r.target.label : '']
    .filter(Boolean)
    .join(', ');
  return `<li><strong>${escapeHtml(r.label)}</strong>: ${escapeHtml(show(r.value, r.unit))}${refs ? `; ${escapeHtml(refs)}` : ''}${r.standing ? ` — ${escapeHtml(r.standing)}` : ''}</li>`;
}

/** The heading, the graphic and its text alternative; empty when there is nothing to compare. */
export function comparisonHtml(p: Profile): string {
  const all = groups(p);
  if (!all.length) return '';
  const list = all.map((g) => `<li>${escapeHtml(g.title)}<ul>${g.rows.map(sentence).join('')}</ul></li>`).join('');
  return `<h3 id="vergelijking-titel">Vergeleken met gemeente en Nederland</h3>${svg(all, 'vergelijking-titel', 'vergelijking-tekst')}<details><summary>De vergelijking in woorden</summary><ul id="vergelijking-tekst" class="vergelijking-lijst">${list}</ul></details>`;
}
