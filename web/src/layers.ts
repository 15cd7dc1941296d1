// The choropleth layers a planner can switch between, with their classes and legend.
// Every class has words as well as a colour: meaning is never carried by colour alone.

import type { ExpressionSpecification } from 'maplibre-gl';

export interface ColourClass {
  /** The class holds values below this bound; null for the last, open class. */
  below: number | null;
  colour: string;
  label: string;
}

export interface MapLayer {
  key: string;
  title: string;
  /** A shorter title for the layer picker, where a long one is cut off. */
  option?: string;
  /** The property that is coloured, for the chosen category. */
  property: (category: string) => string;
  /** `areas` is the analysis level; `gemeenten` the gemeente layer. */
  source: 'areas' | 'gemeenten';
  /** Set by a what-if scenario on the area's feature state, read before the property. */
  state?: string;
  classes: ColourClass[];
  explain: string;
}

export const NO_DATA = { colour: '#cfcfcf', label: 'geen gegevens (of buiten het gebied van de bron)' };

// A diverging scale for scores around an average (ColorBrewer RdYlBu, reversed).
const DIVERGING = ['#2c7bb6', '#abd9e9', '#f4f4ea', '#fdae61', '#e34a33', '#99000d'];
// Sequential scales for amounts.
const PURPLES = ['#f2f0f7', '#cbc9e2', '#9e9ac8', '#756bb1', '#54278f'];
const GREENS = ['#d7301f', '#fdcc8a', '#e5f5e0', '#a1d99b', '#41ab5d', '#006d2c'];
const ORANGES = ['#fff5eb', '#fdd0a2', '#fd8d3c', '#d94801', '#7f2704'];

export const LAYERS: MapLayer[] = [
  {
    key: 'gap',
    title: 'Tekort: behoefte tegenover toegang',
    property: (c) => `${c}_gap`,
    source: 'areas',
    state: 'gap',
    explain: 'Gap = behoefte-index min de gestandaardiseerde toegang. Hoger betekent meer behoefte en minder aanbod binnen bereik dan elders.',
    classes: [
      { below: -1, colour: DIVERGING[0], label: 'ruim bediend (gap onder −1)' },
      { below: -0.25, colour: DIVERGING[1], label: 'beter bediend dan gemiddeld' },
      { below: 0.25, colour: DIVERGING[2], label: 'rond het gemiddelde' },
      { below: 1, colour: DIVERGING[3], label: 'tekort' },
      { below: 2, colour: DIVERGING[4], label: 'groot tekort' },
      { below: null, colour: DIVERGING[5], label: 'zeer groot tekort (gap 2 of meer)' },
    ],
  },
  {
    key: 'behoefte',
    title: 'Behoefte-index',
    property: () => 'behoefte_index',
    source: 'areas',
    explain: 'Gewogen z-scores van aandelen en percentages (nooit van de grootte van het gebied); 0 is het gemiddelde van de geladen gebieden. Welke onderdelen op dit niveau meetellen staat hieronder.',
    classes: [
      { below: -0.5, colour: PURPLES[0], label: 'lage behoefte (onder −0,5)' },
      { below: 0, colour: PURPLES[1], label: 'iets onder gemiddeld' },
      { below: 0.5, colour: PURPLES[2], label: 'iets boven gemiddeld' },
      { below: 1.5, colour: PURPLES[3], label: 'hoge behoefte' },
      { below: null, colour: PURPLES[4], label: 'zeer hoge behoefte (1,5 of meer)' },
    ],
  },
  {
    key: 'toegang',
    title: 'Toegang (E2SFCA)',
    property: (c) => `${c}_toegang`,
    source: 'areas',
    state: 'toegang',
    explain: 'Aanbod per inwoner binnen reisbereik, met afstandsverval; 1 is het landelijk gemiddelde, 0 betekent niets binnen bereik.',
    classes: [
      { below: 0.0001, colour: GREENS[0], label: 'niets binnen bereik' },
      { below: 0.5, colour: GREENS[1], label: 'minder dan de helft van gemiddeld' },
      { below: 0.8, colour: GREENS[2], label: 'onder gemiddeld' },
      { below: 1.2, colour: GREENS[3], label: 'rond gemiddeld' },
      { below: 2, colour: GREENS[4], label: 'boven gemiddeld' },
      { below: null, colour: GREENS[5], label: 'ruim boven gemiddeld (2× of meer)' },
    ],
  },
  {
    key: 'afstand',
    title: 'Afstand tot de dichtstbijzijnde',
    property: (c) => `${c}_afstand_m`,
    source: 'areas',
    explain: 'Gemiddelde hemelsbrede afstand van de woningen (of het middelpunt) tot de dichtstbijzijnde voorziening van deze soort.',
    classes: [
      { below: 1000, colour: ORANGES[0], label: 'minder dan 1 km' },
      { below: 3000, colour: ORANGES[1], label: '1 tot 3 km' },
      { below: 5000, colour: ORANGES[2], label: '3 tot 5 km' },
      { below: 10000, colour: ORANGES[3], label: '5 tot 10 km' },
      { below: null, colour: ORANGES[4], label: '10 km of meer' },
    ],
  },
  {
    key: 'ouderen',
    title: 'Aandeel 65-plussers',
    property: () => 'pct_65plus',
    source: 'areas',
    explain: 'Percentage inwoners van 65 jaar en ouder (CBS).',
    classes: [
      { below: 15, colour: PURPLES[0], label: 'minder dan 15%' },
      { below: 20, colour: PURPLES[1], label: '15 tot 20%' },
      { below: 25, colour: PURPLES[2], label: '20 tot 25%' },
      { below: 30, colour: PURPLES[3], label: '25 tot 30%' },
      { below: null, colour: PURPLES[4], label: '30% of meer' },
    ],
  },
  {
    key: 'corporatie',
    title: 'Woningen van corporaties',
    property: () => 'pct_corporatiewoningen',
    source: 'areas',
    explain: 'Percentage woningen in bezit van woningcorporaties (CBS). Dat is niet hetzelfde als sociale huur.',
    classes: [
      { below: 10, colour: ORANGES[0], label: 'minder dan 10%' },
      { below: 20, colour: ORANGES[1], label: '10 tot 20%' },
      { below: 30, colour: ORANGES[2], label: '20 tot 30%' },
      { below: 40, colour: ORANGES[3], label: '30 tot 40%' },
      { below: null, colour: ORANGES[4], label: '40% of meer' },
    ],
  },
  {
    key: 'doel30',
    title: 'Sociale huur tegenover het 30%-doel (per gemeente)',
    option: 'Doel 30% sociale huur (per gemeente)',
    property: () => 'pct_corporatiewoningen',
    source: 'gemeenten',
    explain: 'Aandeel corporatiewoningen per gemeente tegenover het doel van 30% sociale huur. Corporatiebezit is een benadering: sociale huur bij andere verhuurders telt niet mee.',
    classes: [
      { below: 20, colour: '#b2182b', label: 'ver onder het doel (minder dan 20%)' },
      { below: 30, colour: '#f4a582', label: 'onder het doel (20 tot 30%)' },
      { below: null, colour: '#4393c3', label: 'op of boven het doel (30% of meer)' },
    ],
  },
];

/** The value a layer colours: a what-if result in the feature state, else the property. */
export function valueExpression(layer: MapLayer, category: string): ExpressionSpecification {
  const prop: ExpressionSpecification = ['get', layer.property(category)];
  return layer.state ? ['coalesce', ['feature-state', layer.state], prop] : prop;
}

export function fillColour(layer: MapLayer, category: string): ExpressionSpecification {
  const value = valueExpression(layer, category);
  const step: unknown[] = ['step', value, layer.classes[0].colour];
  layer.classes.forEach((c, i) => {
    const next = layer.classes[i + 1];
    if (c.below !== null && next) step.push(c.below, next.colour);
  });
  return ['case', ['==', ['typeof', value], 'number'], step as ExpressionSpecification, NO_DATA.colour];
}

export function classOf(layer: MapLayer, value: unknown): ColourClass | typeof NO_DATA {
  if (typeof value !== 'number' || !Number.isFinite(value)) return NO_DATA;
  return layer.classes.find((c) => c.below === null || value < c.below) ?? layer.classes[layer.classes.length - 1];
}
