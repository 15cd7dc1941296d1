#!/usr/bin/env python3
"""Build wijkatlas' small bundled default data set in data/ from the staged open data.

Reads the real open data staged read-only in ../shared/data (see that folder's
README.md and every SOURCE.md) and writes:

    data/gemeenten_2022.geojson                         CBS/Kadaster, KWB 2022, gemeente level
    data/wijken_2024.geojson                            CBS/Kadaster, KWB 2024, wijk level
    data/buurten_baarn_2024.geojson                     CBS/Kadaster, KWB 2024, buurten of Baarn
    data/voorzieningen/ziekenhuizen_2019.geojson        RIVM/VZinfo 2019 via Eurostat GISCO
    data/voorzieningen/bibliotheken_drechtsteden_osm.geojson   OpenStreetMap
    data/postcodes/pc4_geonames.csv                     GeoNames PC4 points
    data/README.md                                      provenance, licences, counts, defects

The script only selects features/rows and columns, renames the few columns the
wijkatlas voorzieningen schema asks for, drops rows for stated reasons and rounds
coordinates where stated. It never changes a data value. Python 3 standard
library only. The output is deterministic: two runs give byte-identical files.

Usage:
    python3 scripts/prepare_data.py [--shared DIR] [--out DIR]

--shared defaults to ../shared/data relative to the repository root (the parent
of this script's directory); --out defaults to the repository's data/ directory.
"""

import argparse
import collections
import csv
import hashlib
import io
import json
import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = REPO_ROOT / ".." / "shared" / "data"
DEFAULT_OUT = REPO_ROOT / "data"

CBS_ATTRIBUTION = "Bron: CBS, Kadaster"
OSM_ATTRIBUTION = "© OpenStreetMap contributors"
GEONAMES_ATTRIBUTION = "GeoNames (geonames.org), CC BY 4.0"

# ---------------------------------------------------------------------------
# Provenance, copied from the staged SOURCE.md files.
# ---------------------------------------------------------------------------

INPUTS = {
    "gemeenten": {
        "file": "geoinzicht_wijken_gemeenten_2024/gemeenten_2022.geojson",
        "repo": "AnneVersion/geoinzicht-app",
        "repo_path": "gemeenten_2022.geojson",
        "commit": "e6333c28a97fedd3db3cf68cccbebd1e83dbd8f0",
        "commit_note": "2026-03-03; an earlier commit than HEAD 167d292, whose gemeenten files carry BAG columns only",
    },
    "wijken": {
        "file": "geoinzicht_wijken_gemeenten_2024/wijken_2024.geojson",
        "repo": "AnneVersion/geoinzicht-app",
        "repo_path": "wijken_2024.geojson",
        "commit": "8b3ab3c48d9293c61805f8e8633b392bf272f31e",
        "commit_note": "2026-02-17; HEAD's version is too large to obtain",
    },
    "baarn": {
        "file": "cbs_buurten_2024_baarn/baarn_buurten_2024.geojson",
        "repo": "meijbaard/LocalDashboard",
        "repo_path": "baarn_buurten.geojson",
        "commit": "eee64df5c83a0043b8fc1bf352fb2e22663ac28a",
        "commit_note": "HEAD 2026-04-01; file unchanged since b28d92ff3c03dee183ffad144e74756769bf2bc0 (2025-07-26), blob 0c509739fbf746ed6b6597d4b3fe1498f008322a",
    },
    "ziekenhuizen": {
        "file": "ziekenhuizen_eurostat_gisco/NL_hospitals.csv",
        "repo": "eurostat/healthcare-services",
        "repo_path": "data/healthcare/csv/NL.csv",
        "commit": "8dd93206429bc2d919c20780cf41293cc8816b3e",
        "commit_note": "HEAD 2021-03-08; the NL files were added in f35f82eb9a662898ac7b8b02110e808ed1ae431e (2020-10-27) and not changed since",
    },
    "bibliotheken": {
        "file": "drechtsteden_voorzieningenmonitor/bibliotheken_drechtsteden_osm.geojson",
        "repo": "c-vd-l/Voorzieningenmonitor-Drechtsteden",
        "repo_path": "data/Bibliotheken_20.js",
        "commit": "c42a2d3bd0a8abc10eaaa49a6f7b3f01005f7a55",
        "commit_note": "HEAD 2025-01-15; added in 1f598d6137063172b1e69ad210a28153d8d58241 (2025-01-13); staged by removing only the `var json_… = ` JavaScript prefix and the trailing `;`",
    },
    "pc4": {
        "file": "postcodes_pc4/pc4_geonames.csv",
        "repo": "zauberware/postal-codes-json-xml-csv",
        "repo_path": "data/NL.zip → zipcodes.nl.csv",
        "commit": "a6e8df1e94385a76d8c8c2f8260b2cd020298c19",
        "commit_note": "HEAD 2026-03-30, \"update 2026-03-30\"",
    },
}

OUTPUTS = {
    "gemeenten": "gemeenten_2022.geojson",
    "wijken": "wijken_2024.geojson",
    "baarn": "buurten_baarn_2024.geojson",
    "ziekenhuizen": "voorzieningen/ziekenhuizen_2019.geojson",
    "bibliotheken": "voorzieningen/bibliotheken_drechtsteden_osm.geojson",
    "pc4": "postcodes/pc4_geonames.csv",
}

BUITENLAND = "GM0998"

# ---------------------------------------------------------------------------
# gemeenten_2022: which columns are CBS Kerncijfers Wijken en Buurten (KWB) 2022.
# ---------------------------------------------------------------------------

GEMEENTEN_DROP_PREFIXES = ("zk_", "cr_", "lbt_", "ff_", "bag_", "bbg_")
GEMEENTEN_DROP_PREFIX_REASON = {
    "zk_": "Vektis Zvw care costs (not KWB)",
    "cr_": "police-recorded crime (not KWB)",
    "lbt_": "CBS landbouwtelling, known wrong values",
    "ff_": "GBIF species counts (not KWB)",
    "bag_": "PDOK BAG counts, filled for 31 gemeenten only (not KWB)",
    "bbg_": "CBS Bestand Bodemgebruik 2017 (not KWB 2022)",
}
GEMEENTEN_DROP_KEYS = (
    "pct_agrarisch", "pct_bebouwd", "pct_natuur", "pct_recreatie",
    "opp_bedrijventerrein_ha", "opp_woonterrein_ha",
)
GEMEENTEN_DROP_KEY_REASON = "CBS Bestand Bodemgebruik 2017 (not KWB 2022)"

# Key -> (PDOK wijkenbuurten 2022 WFS field the geoinzicht build script requested,
#         meaning and unit). Used for the README and to flag undocumented columns.
GEMEENTEN_COLUMNS = collections.OrderedDict([
    ("gemeentecode", ("gemeentecode", "CBS gemeente code, GMxxxx", "text")),
    ("gemeentenaam", ("gemeentenaam", "gemeente name", "text")),
    ("aantal_inwoners", ("aantalInwoners", "inhabitants", "count")),
    ("mannen", ("mannen", "men", "count")),
    ("vrouwen", ("vrouwen", "women", "count")),
    ("0_15", ("percentagePersonen0Tot15Jaar", "inhabitants aged 0-14", "integer %")),
    ("15_25", ("percentagePersonen15Tot25Jaar", "inhabitants aged 15-24", "integer %")),
    ("25_45", ("percentagePersonen25Tot45Jaar", "inhabitants aged 25-44", "integer %")),
    ("45_65", ("percentagePersonen45Tot65Jaar", "inhabitants aged 45-64", "integer %")),
    ("65plus", ("percentagePersonen65JaarEnOuder", "inhabitants aged 65 or older", "integer %")),
    ("huishoudens", ("aantalHuishoudens", "private households", "count")),
    ("gem_huishouden_grootte", ("gemiddeldeHuishoudsgrootte", "mean household size", "persons")),
    ("bevolkingsdichtheid", ("bevolkingsdichtheidInwonersPerKm2", "population density", "inhabitants per km² land")),
    ("pct_eenpersoonshhd", ("percentageEenpersoonshuishoudens", "single-person households", "integer % of households")),
    ("pct_hhd_zonder_kind", ("percentageHuishoudensZonderKinderen", "households without children", "integer % of households")),
    ("pct_hhd_met_kind", ("percentageHuishoudensMetKinderen", "households with children", "integer % of households")),
    ("pct_ongehuwd", ("percentageOngehuwd", "never married", "integer % of inhabitants")),
    ("pct_gehuwd", ("percentageGehuwd", "married", "integer % of inhabitants")),
    ("geboorte_relatief", ("geboortesPer1000Inwoners", "births", "per 1,000 inhabitants")),
    ("sterfte_relatief", ("sterfteRelatief", "deaths", "per 1,000 inhabitants")),
    ("omgevingsadressendichtheid", ("omgevingsadressendichtheid", "address density of the surroundings", "addresses per km²")),
    ("stedelijkheid", ("stedelijkheidAdressenPerKm2", "degree of urbanisation", "class 1 (very strongly urban) to 5 (not urban)")),
    ("woningvoorraad", ("woningvoorraad", "dwelling stock", "count")),
    ("gem_woz_waarde", ("gemiddeldeWoningwaarde", "mean WOZ value of dwellings", "×1000 EUR")),
    ("koopwoningen", ("percentageKoopwoningen", "owner-occupied dwellings", "integer % of dwellings")),
    ("huurwoningen", ("percentageHuurwoningen", "rented dwellings", "integer % of dwellings")),
    ("pct_huurcorporatie", ("percHuurwoningenInBezitWoningcorporaties", "rented dwellings owned by housing corporations", "integer % of dwellings")),
    ("pct_eengezins", ("percentageEengezinswoning", "single-family dwellings", "integer % of dwellings")),
    ("pct_meergezins", ("percentageMeergezinswoning", "multi-family dwellings", "integer % of dwellings")),
    ("pct_bouwjaar_na_2000", ("percentageBouwjaarklasseVanaf2000", "dwellings built in 2000 or later", "integer % of dwellings")),
    ("pct_leegstand", ("percentageLeegstandWoningen", "vacant dwellings", "integer % of dwellings")),
    ("pct_stadsverwarming", ("percentageWoningenMetStadsverwarming", "dwellings with district heating", "integer % of dwellings")),
    ("gem_aardgas", ("gemiddeldGasverbruikTotaal", "mean natural gas use per dwelling", "m³ per year")),
    ("gem_elektriciteit", ("gemiddeldElektriciteitsverbruikTotaal", "mean electricity use per dwelling", "kWh per year")),
    ("gem_inkomen_inwoner", ("gemiddeldInkomenPerInwoner", "mean personal income per inhabitant", "×1000 EUR")),
    ("gem_inkomen_ontvanger", ("gemiddeldInkomenPerInkomensontvanger", "mean personal income per income recipient", "×1000 EUR")),
    ("gem_gestand_inkomen", ("gemiddeldGestandaardiseerdInkomenVanHuishoudens", "mean standardised household income", "×1000 EUR")),
    ("mediaan_vermogen", ("mediaanVermogenVanParticuliereHuish", "median wealth of private households", "×1000 EUR")),
    ("pct_hh_laag_inkomen", ("percentageHuishoudensMetLaagInkomen", "households in the national lowest 40% of household income (NOT the CBS 'low-income threshold' measure; the household-weighted national mean of this column is about 40)", "integer % of households")),
    ("pct_hh_hoog_inkomen", ("percentageHuishoudensMetHoogInkomen", "households in the national highest 20% of household income", "integer % of households")),
    ("pct_rond_sociaal_min", ("percentageHuishoudensOnderOfRondSociaalMinimum", "households below or around the social minimum", "integer % of households")),
    ("opl_laag", ("opleidingsniveauLaag", "inhabitants 15-74 with a low education level", "count")),
    ("opl_midden", ("opleidingsniveauMiddelbaar", "inhabitants 15-74 with a middle education level", "count")),
    ("opl_hoog", ("opleidingsniveauHoog", "inhabitants 15-74 with a high education level", "count")),
    ("arbeidsparticipatie", ("nettoArbeidsparticipatie", "net labour participation", "integer %")),
    ("pct_werknemers", ("percentageWerknemers", "employees among the employed", "integer %")),
    ("pct_zelfstandigen", ("percentageZelfstandigen", "self-employed among the employed", "integer %")),
    ("bedrijfsvestigingen", ("aantalBedrijfsvestigingen", "business establishments", "count")),
    ("wmo_per_1000", ("aantalWmoClientenPer1000Inwoners", "Wmo (social support act) clients", "per 1,000 inhabitants")),
    ("pct_jeugdzorg", ("percentageJongerenMetJeugdzorgInNatura", "young people (<18) with youth care in kind", "% with one decimal")),
    ("afstand_huisarts", ("huisartsenpraktijkGemiddeldeAfstandInKm", "mean road distance to the nearest GP practice", "km")),
    ("afstand_apotheek", ("apotheekGemiddeldeAfstandInKm", "mean road distance to the nearest pharmacy", "km")),
    ("afstand_ziekenhuis", ("ziekenhuisExclBuitenpolikliniekGemAfstInKm", "mean road distance to the nearest hospital (excluding outpatient clinics)", "km")),
    ("afstand_supermarkt", ("groteSupermarktGemiddeldeAfstandInKm", "mean road distance to the nearest large supermarket", "km")),
    ("afstand_kdv", ("kinderdagverblijfGemiddeldeAfstandInKm", "mean road distance to the nearest day-care centre", "km")),
    ("afstand_basisonderwijs", ("basisonderwijsGemiddeldeAfstandInKm", "mean road distance to the nearest primary school", "km")),
    ("afstand_bibliotheek", ("bibliotheekGemiddeldeAfstandInKm", "mean road distance to the nearest library", "km")),
    ("afstand_treinstation", ("treinstationGemiddeldeAfstandInKm", "mean road distance to the nearest railway station", "km")),
    ("afstand_restaurant", ("restaurantGemiddeldeAfstandInKm", "mean road distance to the nearest restaurant", "km")),
    ("afstand_cafe", ("cafeGemiddeldeAfstandInKm", "mean road distance to the nearest café", "km")),
    ("afstand_oprit", ("opritHoofdverkeerswegGemiddeldeAfstandInKm", "mean road distance to the nearest motorway access", "km")),
    ("personenautos", ("personenautosTotaal", "passenger cars", "count")),
    ("auto_per_huishouden", ("personenautosPerHuishouden", "passenger cars per household", "cars, one decimal")),
    ("auto_per_km2", ("personenautosPerKm2", "passenger cars per km²", "cars per km²")),
    ("motorfietsen", ("motortweewielersTotaal", "motorised two-wheelers", "count")),
    ("opp_land", ("oppervlakteLandInHa", "land area", "ha")),
    ("opp_water", ("oppervlakteWaterInHa", "water area", "ha")),
])

WIJKEN_COLUMNS = collections.OrderedDict([
    ("wijkcode", ("wijkcode", "CBS wijk code, WKggggww", "text")),
    ("wijknaam", ("wijknaam", "wijk name", "text")),
    ("gemeentecode", ("gemeentecode", "CBS gemeente code of the 2024 division", "text")),
    ("gemeentenaam", ("gemeentenaam", "gemeente name", "text")),
    ("aantal_inwoners", ("aantalInwoners", "inhabitants on 1 January 2024", "count")),
    ("mannen", ("mannen", "men", "count")),
    ("vrouwen", ("vrouwen", "women", "count")),
    ("0_15", ("percentagePersonen0Tot15Jaar", "inhabitants aged 0-14", "integer %")),
    ("15_25", ("percentagePersonen15Tot25Jaar", "inhabitants aged 15-24", "integer %")),
    ("25_45", ("percentagePersonen25Tot45Jaar", "inhabitants aged 25-44", "integer %")),
    ("45_65", ("percentagePersonen45Tot65Jaar", "inhabitants aged 45-64", "integer %")),
    ("65plus", ("percentagePersonen65JaarEnOuder", "inhabitants aged 65 or older", "integer %")),
    ("huishoudens", ("aantalHuishoudens", "private households", "count")),
    ("gem_huishouden_grootte", ("gemiddeldeHuishoudsgrootte", "mean household size", "persons")),
    ("bevolkingsdichtheid", ("bevolkingsdichtheidInwonersPerKm2", "population density", "inhabitants per km² land")),
    ("personenautos", ("personenautosTotaal", "passenger cars", "count")),
])

# ---------------------------------------------------------------------------
# buurten_baarn_2024: the columns to keep (exact snake_case KWB 2024 names).
# ---------------------------------------------------------------------------

BAARN_COLUMNS = collections.OrderedDict([
    ("buurtcode", ("CBS buurt code, BUggggwwbb", "text")),
    ("buurtnaam", ("buurt name", "text")),
    ("wijkcode", ("CBS wijk code", "text")),
    ("gemeentecode", ("CBS gemeente code", "text")),
    ("gemeentenaam", ("gemeente name", "text")),
    ("jaar", ("year of the division and the data", "year")),
    ("water", ("water-only buurt (JA/NEE)", "text")),
    ("meest_voorkomende_postcode", ("most frequent PC4 postcode in the buurt", "text")),
    ("aantal_inwoners", ("inhabitants on 1 January 2024", "count")),
    ("mannen", ("men", "count")),
    ("vrouwen", ("women", "count")),
    ("percentage_personen_0_tot_15_jaar", ("inhabitants aged 0-14", "integer %")),
    ("percentage_personen_15_tot_25_jaar", ("inhabitants aged 15-24", "integer %")),
    ("percentage_personen_25_tot_45_jaar", ("inhabitants aged 25-44", "integer %")),
    ("percentage_personen_45_tot_65_jaar", ("inhabitants aged 45-64", "integer %")),
    ("percentage_personen_65_jaar_en_ouder", ("inhabitants aged 65 or older", "integer %")),
    ("aantal_huishoudens", ("private households", "count")),
    ("percentage_eenpersoonshuishoudens", ("single-person households", "integer % of households")),
    ("percentage_huishoudens_zonder_kinderen", ("households without children", "integer % of households")),
    ("percentage_huishoudens_met_kinderen", ("households with children", "integer % of households")),
    ("gemiddelde_huishoudsgrootte", ("mean household size", "persons")),
    ("bevolkingsdichtheid_inwoners_per_km2", ("population density", "inhabitants per km² land")),
    ("woningvoorraad", ("dwelling stock", "count")),
    ("percentage_koopwoningen", ("owner-occupied dwellings", "integer % of dwellings")),
    ("percentage_huurwoningen", ("rented dwellings", "integer % of dwellings")),
    ("perc_huurwoningen_in_bezit_woningcorporaties", ("rented dwellings owned by housing corporations", "integer % of dwellings")),
    ("perc_huurwoningen_in_bezit_overige_verhuurders", ("rented dwellings owned by other landlords", "integer % of dwellings")),
    ("gemiddeld_inkomen_per_inwoner", ("mean personal income per inhabitant", "×1000 EUR")),
    ("percentage_personen_met_laag_inkomen", ("persons in the national lowest 40% of personal income", "integer %")),
    ("percentage_huishoudens_met_laag_inkomen", ("households with low income (CBS KWB column; at gemeente level the same measure is the national lowest-40% group, see gemeenten_2022 `pct_hh_laag_inkomen`)", "integer % of households")),
    ("percentage_huishoudens_met_laagste_inkomen", ("households with the lowest income (CBS KWB column; check the CBS toelichting for its exact definition before use)", "integer % of households")),
    ("percentage_huishoudens_onder_of_rond_sociaal_minimum", ("households below or around the social minimum", "integer % of households")),
    ("aantal_jongeren_met_jeugdzorg_in_natura", ("young people with youth care in kind", "count")),
    ("percentage_jongeren_met_jeugdzorg_in_natura", ("young people with youth care in kind", "% of young people")),
    ("aantal_wmo_clienten", ("Wmo (social support act) clients", "count")),
    ("aantal_wmo_clienten_per_1000_inwoners", ("Wmo clients", "per 1,000 inhabitants")),
    ("huisartsenpraktijk_gemiddelde_afstand_in_km", ("mean road distance to the nearest GP practice", "km")),
    ("ziekenhuis_incl_buitenpolikliniek_gem_afst_in_km", ("mean road distance to the nearest hospital including outpatient clinics", "km")),
    ("ziekenhuis_excl_buitenpolikliniek_gem_afst_in_km", ("mean road distance to the nearest hospital excluding outpatient clinics", "km")),
    ("oppervlakte_totaal_in_ha", ("total area", "ha")),
    ("oppervlakte_land_in_ha", ("land area", "ha")),
])
BAARN_OPTIONAL = {"jaar"}
CBS_NODATA = {-99995: "not (yet) available", -99997: "secret / suppressed for small numbers"}

# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------


def die(msg):
    print("prepare_data.py: error: " + msg, file=sys.stderr)
    sys.exit(2)


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_bytes(path, data):
    """Write atomically so that a failed run never leaves a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def feature_collection_bytes(metadata, features):
    """Compact RFC 7946 FeatureCollection, one feature per line, no `crs` member."""
    lines = ['{"type":"FeatureCollection","metadata":' + dumps(metadata) + ',"features":[']
    for i, feat in enumerate(features):
        lines.append(dumps(feat) + ("," if i + 1 < len(features) else ""))
    lines.append("]}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def load_json(path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def polygons_of(geom):
    t = geom["type"]
    if t == "Polygon":
        return [geom["coordinates"]]
    if t == "MultiPolygon":
        return geom["coordinates"]
    return []


def round_coords(coords, ndigits):
    if coords and isinstance(coords[0], (int, float)):
        return [round(c, ndigits) for c in coords]
    return [round_coords(c, ndigits) for c in coords]


def max_decimals(geom):
    """Largest number of decimals written for any coordinate (as Python repr)."""
    best = 0

    def walk(c):
        nonlocal best
        if c and isinstance(c[0], (int, float)):
            for v in c:
                r = repr(v)
                if "e" in r or "E" in r:
                    best = max(best, 99)
                elif "." in r:
                    best = max(best, len(r.split(".")[1].rstrip("0")))
            return
        for x in c:
            walk(x)

    walk(geom["coordinates"])
    return best


def fmt_bytes(n):
    return f"{n:,} bytes ({n / 1024 / 1024:.2f} MiB)" if n >= 1024 * 1024 else f"{n:,} bytes ({n / 1024:.1f} KiB)"


# ---------------------------------------------------------------------------
# Cheap geometry validity checks (no GEOS): exact integer arithmetic on
# coordinates scaled by 1e7.
# ---------------------------------------------------------------------------

SCALE = 10 ** 7


def _orient(a, b, c):
    v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
    return (v > 0) - (v < 0)


def _on_seg(a, b, c):
    return min(a[0], b[0]) <= c[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= c[1] <= max(a[1], b[1])


def _classify(a, b, c, d):
    """'cross' (proper), 'overlap' (collinear, positive length), 'touch' (one point) or None."""
    o1, o2, o3, o4 = _orient(a, b, c), _orient(a, b, d), _orient(c, d, a), _orient(c, d, b)
    if o1 * o2 < 0 and o3 * o4 < 0:
        return "cross"
    if o1 == 0 and o2 == 0:
        k = 0 if a[0] != b[0] else 1
        lo = max(min(a[k], b[k]), min(c[k], d[k]))
        hi = min(max(a[k], b[k]), max(c[k], d[k]))
        if lo < hi:
            return "overlap"
        if lo == hi:
            return "touch"
        return None
    if (o1 == 0 and _on_seg(a, b, c)) or (o2 == 0 and _on_seg(a, b, d)) or \
       (o3 == 0 and _on_seg(c, d, a)) or (o4 == 0 and _on_seg(c, d, b)):
        return "touch"
    return None


def check_geometry(geom):
    """Return (problems, stats) for one (Multi)Polygon.

    problems: sorted list of short strings; a non-empty list means the geometry
    is invalid in the OGC/GEOS sense. Checks: unclosed ring, ring with fewer than
    4 positions, zero-area ring, ring self-intersection or self-touch, spikes,
    and crossing / overlapping edges between rings of one polygon or between the
    polygons of a MultiPolygon. Not checked: holes outside their shell, nested
    or overlapping polygons without crossing edges, disconnected interiors.
    """
    problems = set()
    stats = collections.Counter()
    polys = []
    for poly in polygons_of(geom):
        rings = []
        for ri, ring in enumerate(poly):
            stats["rings"] += 1
            pts = [(round(p[0] * SCALE), round(p[1] * SCALE)) for p in ring]
            stats["positions"] += len(pts)
            if len(pts) < 4:
                problems.add("ring with fewer than 4 positions")
                stats["rings_lt4"] += 1
            if not pts or pts[0] != pts[-1]:
                problems.add("unclosed ring")
                stats["rings_unclosed"] += 1
                pts = pts + pts[:1]
            dedup = [pts[0]] if pts else []
            for p in pts[1:]:
                if p != dedup[-1]:
                    dedup.append(p)
                else:
                    stats["repeated_positions"] += 1
            area2 = sum(dedup[i][0] * dedup[i + 1][1] - dedup[i + 1][0] * dedup[i][1]
                        for i in range(len(dedup) - 1))
            if area2 == 0:
                problems.add("zero-area ring")
                stats["rings_zero_area"] += 1
            elif ri == 0 and area2 < 0:
                stats["exterior_clockwise"] += 1
            if ri == 0:
                stats["exteriors"] += 1
            if len(dedup) >= 4:
                rings.append(dedup)
        polys.append(rings)

    segs = []
    for pi, rings in enumerate(polys):
        for ri, ring in enumerate(rings):
            n = len(ring) - 1
            for si in range(n):
                a, b = ring[si], ring[si + 1]
                segs.append((min(a[0], b[0]), max(a[0], b[0]), min(a[1], b[1]), max(a[1], b[1]),
                             a, b, pi, ri, si, n))
    segs.sort(key=lambda s: (s[0], s[1], s[2], s[3], s[6], s[7], s[8]))
    active = []
    for s in segs:
        active = [t for t in active if t[1] >= s[0]]
        for t in active:
            if t[3] < s[2] or s[3] < t[2]:
                continue
            kind = _classify(t[4], t[5], s[4], s[5])
            if kind is None:
                continue
            if t[6] == s[6] and t[7] == s[7]:
                i, j, n = t[8], s[8], s[9]
                adjacent = abs(i - j) == 1 or {i, j} == {0, n - 1}
                if adjacent:
                    if kind == "overlap":
                        problems.add("spike (ring doubles back on itself)")
                else:
                    problems.add("ring self-intersection")
            elif kind in ("cross", "overlap"):
                if t[6] == s[6]:
                    problems.add("rings of one polygon cross")
                else:
                    problems.add("polygons of a MultiPolygon cross or share an edge")
        active.append(s)
    return sorted(problems), stats


def check_layer(features, code_key):
    invalid = {}
    totals = collections.Counter()
    for f in features:
        problems, stats = check_geometry(f["geometry"])
        totals.update(stats)
        if problems:
            invalid[f["properties"][code_key]] = problems
    return invalid, totals


def _point_in_ring(pt, ring):
    x, y = pt
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def _point_in_geom(pt, geom):
    for poly in polygons_of(geom):
        if poly and _point_in_ring(pt, poly[0]) and not any(_point_in_ring(pt, h) for h in poly[1:]):
            return True
    return False


def _ring_centroid(ring):
    a = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        c = x1 * y2 - x2 * y1
        a += c
        cx += (x1 + x2) * c
        cy += (y1 + y2) * c
    return (cx / (3 * a), cy / (3 * a)) if a else tuple(ring[0][:2])


def wijk_in_gemeente(wijken, gemeenten):
    """Where does each 2024 wijk lie among the 2022 gemeente polygons?

    Uses the area centroid of the wijk's largest part (by vertex count) when that
    point lies inside the wijk; other wijken are counted as 'not tested'.
    Returns {'same': n, 'other': {(wijk_gm, gm2022): [wijk names]}, 'none': [(wijk_gm, name)],
    'untested': n}.
    """
    boxes = []
    for f in gemeenten:
        xs = [p[0] for poly in polygons_of(f["geometry"]) for p in poly[0]]
        ys = [p[1] for poly in polygons_of(f["geometry"]) for p in poly[0]]
        boxes.append((min(xs), min(ys), max(xs), max(ys), f))
    res = {"same": 0, "other": collections.defaultdict(list), "none": [], "untested": 0}
    for f in wijken:
        parts = polygons_of(f["geometry"])
        part = max(parts, key=lambda p: len(p[0]))
        pt = _ring_centroid(part[0])
        if not _point_in_geom(pt, f["geometry"]):
            res["untested"] += 1
            continue
        p = f["properties"]
        hits = [b[4]["properties"]["gemeentecode"] for b in boxes
                if b[0] <= pt[0] <= b[2] and b[1] <= pt[1] <= b[3] and _point_in_geom(pt, b[4]["geometry"])]
        if p["gemeentecode"] in hits:
            res["same"] += 1
        elif hits:
            res["other"][(p["gemeentecode"], hits[0])].append(p["wijknaam"])
        else:
            res["none"].append((p["gemeentecode"], p["wijknaam"]))
    return res


# ---------------------------------------------------------------------------
# The six outputs
# ---------------------------------------------------------------------------


def build_gemeenten(src):
    data = load_json(src)
    feats = data["features"]
    out, dropped_rows = [], []
    dropped_cols = collections.Counter()
    for f in feats:
        p = f["properties"]
        if p.get("gemeentecode") == BUITENLAND:
            dropped_rows.append(f"{BUITENLAND} {p.get('gemeentenaam')!r}: not a gemeente")
            continue
        props = {}
        for k, v in p.items():
            if k.startswith(GEMEENTEN_DROP_PREFIXES) or k in GEMEENTEN_DROP_KEYS:
                dropped_cols[k] += 1
                continue
            props[k] = v
        out.append({"type": "Feature", "properties": props, "geometry": f["geometry"]})
    out.sort(key=lambda f: f["properties"]["gemeentecode"])
    kept = collections.Counter(k for f in out for k in f["properties"])
    undocumented = sorted(k for k in kept if k not in GEMEENTEN_COLUMNS)
    if undocumented:
        print(f"  WARNING: kept columns without documentation: {undocumented}")
    meta = {
        "level": "gemeente",
        "year": 2022,
        "source": "CBS Kerncijfers Wijken en Buurten 2022 with simplified gemeente boundaries "
                  "(PDOK/CBS wijkenbuurten 2022), via AnneVersion/geoinzicht-app "
                  "gemeenten_2022.geojson @ e6333c2; non-KWB columns removed",
        "licence": "CC-BY-4.0",
        "attribution": CBS_ATTRIBUTION,
    }
    return {
        "bytes": feature_collection_bytes(meta, out), "features": out, "read": len(feats),
        "dropped_rows": dropped_rows, "dropped_cols": dropped_cols, "kept_cols": kept,
    }


def build_wijken(src):
    data = load_json(src)
    feats = data["features"]
    out, dropped_rows = [], []
    for f in feats:
        p = f["properties"]
        if p.get("gemeentecode") == BUITENLAND:
            dropped_rows.append(f"{p.get('wijkcode')} {p.get('wijknaam')!r} (gemeente {BUITENLAND}): not in a gemeente")
            continue
        out.append({"type": "Feature", "properties": p, "geometry": f["geometry"]})
    out.sort(key=lambda f: f["properties"]["wijkcode"])
    kept = collections.Counter(k for f in out for k in f["properties"])
    undocumented = sorted(k for k in kept if k not in WIJKEN_COLUMNS)
    if undocumented:
        print(f"  WARNING: kept columns without documentation: {undocumented}")
    meta = {
        "level": "wijk",
        "year": 2024,
        "source": "CBS Kerncijfers Wijken en Buurten 2024 with simplified wijk boundaries "
                  "(PDOK/CBS wijkenbuurten 2024), via AnneVersion/geoinzicht-app "
                  "wijken_2024.geojson @ 8b3ab3c",
        "licence": "CC-BY-4.0",
        "attribution": CBS_ATTRIBUTION,
    }
    return {
        "bytes": feature_collection_bytes(meta, out), "features": out, "read": len(feats),
        "dropped_rows": dropped_rows, "kept_cols": kept,
    }


def build_baarn(src):
    data = load_json(src)
    feats = data["features"]
    source_keys = []
    for f in feats:
        for k in f["properties"]:
            if k not in source_keys:
                source_keys.append(k)
    missing = [k for k in BAARN_COLUMNS if k not in source_keys]
    for k in missing:
        if k in BAARN_OPTIONAL:
            print(f"  note: optional column {k!r} is not in the source")
        else:
            die(f"{src}: expected column {k!r} is missing; the staged file changed?")
    keep = [k for k in BAARN_COLUMNS if k in source_keys]
    out = []
    nodata = collections.Counter()
    for f in feats:
        p = f["properties"]
        props = {k: p[k] for k in keep if k in p}
        for k, v in props.items():
            if isinstance(v, (int, float)) and not isinstance(v, bool) and v in CBS_NODATA:
                nodata[(k, int(v))] += 1
        geom = {"type": f["geometry"]["type"], "coordinates": round_coords(f["geometry"]["coordinates"], 6)}
        out.append({"type": "Feature", "properties": props, "geometry": geom})
    out.sort(key=lambda f: f["properties"]["buurtcode"])
    meta = {
        "level": "buurt",
        "year": 2024,
        "source": "CBS Wijk- en Buurtkaart 2024 (first release), buurten of gemeente Baarn (GM0308), "
                  "via meijbaard/LocalDashboard baarn_buurten.geojson @ eee64df; columns selected, "
                  "coordinates rounded to 6 decimals; CBS nodata codes -99995/-99997 kept",
        "licence": "CC-BY-4.0",
        "attribution": CBS_ATTRIBUTION,
    }
    return {
        "bytes": feature_collection_bytes(meta, out), "features": out, "read": len(feats),
        "dropped_rows": [], "source_keys": source_keys, "kept_keys": keep,
        "dropped_keys": [k for k in source_keys if k not in keep], "nodata": nodata,
    }


def build_ziekenhuizen(src):
    with open(src, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out, dropped_rows = [], []
    for r in rows:
        try:
            lon, lat = float(r["lon"]), float(r["lat"])
        except ValueError:
            dropped_rows.append(f"id {r['id']}: no numeric lat/lon")
            continue
        hospital = r["hospital_name"].strip()
        site = r["site_name"].strip()
        name = hospital + " – " + site if site and site != hospital else hospital
        parts = [r["street"].strip(), r["house_number"].strip()]
        address = " ".join(x for x in parts if x) or None
        props = {
            "id": "rivm2019:" + r["id"],
            "name": name,
            "category": "ziekenhuis",
            "subtype": r["facility_type"] or None,
            "address": address,
            "postcode": r["postcode"] or None,
            "city": r["city"] or None,
            "precision": "unknown",
        }
        geom = {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}
        out.append({"type": "Feature", "properties": props, "geometry": geom})
    out.sort(key=lambda f: f["properties"]["id"])
    meta = {
        "kind": "voorzieningen",
        "category": "ziekenhuis",
        "year": 2019,
        "source": "RIVM / Volksgezondheidenzorg.info hospital list 2019 (ziekenhuizen2019_rivm.xlsx, "
                  "ref. date 2019-01-01), via Eurostat GISCO healthcare-services data/healthcare/csv/NL.csv "
                  "@ 8dd9320; positions from the CSV's full-precision lat/lon rounded to 6 decimals; "
                  "geo_qual is -1 (unknown) for every row",
        "licence": "EUPL-1.2 as stated by the repository; the GISCO metadata lists the NL data licence as TBD",
        "attribution": "Eurostat GISCO healthcare services; data RIVM / Volksgezondheidenzorg.info 2019",
    }
    geo_qual = collections.Counter(r["geo_qual"] for r in rows)
    subtypes = collections.Counter(r["facility_type"] for r in rows)
    shared = collections.Counter((r["lat"], r["lon"]) for r in rows)
    quirks = {
        "postcode_whitespace": sorted(r["postcode"] for r in rows if r["postcode"] != r["postcode"].strip() or "  " in r["postcode"]),
        "site_whitespace": sum(1 for r in rows if r["site_name"] != r["site_name"].strip() or "  " in r["site_name"]),
        "house_number_space": sum(1 for r in rows if r["house_number"] != r["house_number"].strip()),
        "no_house_number": sum(1 for r in rows if not r["house_number"].strip()),
        "shared_positions": sum(1 for v in shared.values() if v > 1),
        "rows_at_shared_positions": sum(v for v in shared.values() if v > 1),
        "cities_without_apostrophe": sorted(set(r["city"] for r in rows if r["city"].startswith("s-"))),
    }
    return {
        "bytes": feature_collection_bytes(meta, out), "features": out, "read": len(rows),
        "dropped_rows": dropped_rows, "geo_qual": geo_qual, "subtypes": subtypes, "quirks": quirks,
    }


def build_bibliotheken(src):
    data = load_json(src)
    feats = data["features"]
    out, dropped_rows = [], []
    for f in feats:
        p = f["properties"]
        g = f.get("geometry") or {}
        if g.get("type") != "Point":
            dropped_rows.append(f"{p.get('full_id')}: not a Point")
            continue

        def s(key):
            v = p.get(key)
            return v.strip() if isinstance(v, str) and v.strip() else None

        parts = [s("addr:street"), s("addr:housenumber")]
        props = {
            "id": f"osm:{p['osm_type']}/{p['osm_id']}",
            "name": s("name"),
            "category": "bibliotheek",
            "subtype": s("operator"),
            "address": " ".join(x for x in parts if x) or None,
            "postcode": s("addr:postcode"),
            "city": s("addr:city"),
            "precision": "exact",
        }
        out.append({"type": "Feature", "properties": props,
                    "geometry": {"type": "Point", "coordinates": g["coordinates"]}})
    out.sort(key=lambda f: f["properties"]["id"])
    meta = {
        "kind": "voorzieningen",
        "category": "bibliotheek",
        "year": None,
        "source": "OpenStreetMap amenity=library nodes in and around the Drechtsteden, exported between "
                  "about 2023 and 2025-01-13, via c-vd-l/Voorzieningenmonitor-Drechtsteden "
                  "data/Bibliotheken_20.js @ c42a2d3",
        "licence": "ODbL-1.0",
        "attribution": OSM_ATTRIBUTION,
    }
    return {
        "bytes": feature_collection_bytes(meta, out), "features": out, "read": len(feats),
        "dropped_rows": dropped_rows, "source_crs": (data.get("crs") or {}).get("properties", {}).get("name"),
    }


def build_pc4(src):
    with open(src, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    groups = collections.OrderedDict()
    for r in rows:
        groups.setdefault(r["zipcode"], []).append(r)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["pc4", "lon", "lat", "places", "gemeentecode"])
    multi_gm, no_gm, multi_place = [], [], 0
    out_rows = []
    for pc4 in sorted(groups):
        g = groups[pc4]
        first = g[0]
        places = []
        for r in g:
            if r["place"] not in places:
                places.append(r["place"])
        if len(places) > 1:
            multi_place += 1
        codes = sorted(set(r["province_code"] for r in g))
        if len(codes) > 1:
            multi_gm.append(pc4)
        gm = "GM" + first["province_code"] if first["province_code"] else ""
        if not gm:
            no_gm.append(pc4)
        row = [pc4, first["longitude"], first["latitude"], ";".join(places), gm]
        out_rows.append(row)
        w.writerow(row)
    return {
        "bytes": buf.getvalue().encode("utf-8"), "rows": out_rows, "read": len(rows),
        "merged": len(rows) - len(groups), "multi_gm": multi_gm, "no_gm": no_gm,
        "multi_place": multi_place,
    }


# ---------------------------------------------------------------------------
# README
# ---------------------------------------------------------------------------


def md_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for r in rows:
        lines.append("| " + " | ".join(str(c) for c in r) + " |")
    return "\n".join(lines)


def provenance(key, shared_hashes):
    i = INPUTS[key]
    return (f"- **Staged from:** `../shared/data/{i['file']}` (sha256 `{shared_hashes[key]}`)\n"
            f"- **Repository:** GitHub `{i['repo']}`, path `{i['repo_path']}`, commit `{i['commit']}` "
            f"({i['commit_note']})")


def build_readme(r, sizes, hashes, checks, facts):
    gem, wijk, baarn, zh, bib, pc4 = (r[k] for k in ("gemeenten", "wijken", "baarn", "ziekenhuizen", "bibliotheken", "pc4"))
    total = sum(sizes.values())
    L = []
    a = L.append
    a("# wijkatlas bundled default data")
    a("")
    a("A small, real, openly licensed default data set so that wijkatlas runs out of the box. "
      "Every file here is generated by `scripts/prepare_data.py` from the open data staged in "
      "`../shared/data` (each folder there has a `SOURCE.md` with the full provenance). "
      "The script only selects features, rows and columns, builds the uniform voorzieningen "
      "properties from the source columns, drops the rows stated below and rounds coordinates where "
      "stated. **No data value is invented or changed.** This README is generated by the same script; "
      "edit the script, not this file.")
    a("")
    a("Regenerate (needs `../shared/data` next to the repository):")
    a("")
    a("```sh")
    a("python3 scripts/prepare_data.py            # or: --shared DIR --out DIR")
    a("```")
    a("")
    a("The run is deterministic: running it twice gives byte-identical files.")
    a("")
    a("## Files")
    a("")
    rows = [
        ("`gemeenten_2022.geojson`", "gemeente polygons + KWB 2022", "2022", f"{len(gem['features'])} features", f"{sizes['gemeenten']:,}", "CC BY 4.0 — Bron: CBS, Kadaster"),
        ("`wijken_2024.geojson`", "wijk polygons + KWB 2024 (population)", "2024", f"{len(wijk['features'])} features", f"{sizes['wijken']:,}", "CC BY 4.0 — Bron: CBS, Kadaster"),
        ("`buurten_baarn_2024.geojson`", "buurt polygons of Baarn + KWB 2024", "2024", f"{len(baarn['features'])} features", f"{sizes['baarn']:,}", "CC BY 4.0 — Bron: CBS, Kadaster"),
        ("`voorzieningen/ziekenhuizen_2019.geojson`", "hospital and outpatient-clinic points", "2019", f"{len(zh['features'])} features", f"{sizes['ziekenhuizen']:,}", "EUPL-1.2 (repository); NL data licence \"TBD\""),
        ("`voorzieningen/bibliotheken_drechtsteden_osm.geojson`", "library points, Drechtsteden", "≈2023–2025", f"{len(bib['features'])} features", f"{sizes['bibliotheken']:,}", "ODbL 1.0 — © OpenStreetMap contributors"),
        ("`postcodes/pc4_geonames.csv`", "PC4 postcode points", "2026 dump", f"{len(pc4['rows'])} rows", f"{sizes['pc4']:,}", "CC BY 4.0 — GeoNames"),
    ]
    a(md_table(["file", "content", "year", "count", "bytes", "licence — attribution"], rows))
    a("")
    a(f"Total: {total:,} bytes ({total / 1024 / 1024:.2f} MiB) plus this README.")
    a("")
    a("## Coordinate reference system")
    a("")
    a("All files are WGS84 longitude/latitude (OGC CRS84, the only CRS of RFC 7946 GeoJSON); the GeoJSON "
      "files carry no `crs` member (the staged library file declared `urn:ogc:def:crs:OGC:1.3:CRS84`, which "
      "is the same). wijkatlas reprojects everything to RD New (EPSG:28992) when it loads the data, so "
      "that distances and areas are measured in metres. Coordinate precision: gemeenten and wijken 5 "
      "decimals (≈1 m, as in the source), Baarn buurten and hospitals 6 decimals (≈0.1 m, rounded here), "
      "libraries 7 decimals (as in OSM), PC4 points 1–4 decimals (as in GeoNames).")
    a("")
    a("Every GeoJSON file has a top-level foreign member `metadata` (level or kind, year, short source "
      "text, licence, attribution). Features are sorted by code or id, one per line.")
    a("")
    a("## Attribution to show")
    a("")
    a("- Gemeenten, wijken, buurten: **Bron: CBS, Kadaster** (CC BY 4.0). Data derived from CBS Kerncijfers "
      "Wijken en Buurten and the CBS/Kadaster Wijk- en Buurtkaart via PDOK.")
    a("- Libraries: **© OpenStreetMap contributors** (ODbL 1.0). The library file is a database extract "
      "under the ODbL; a shared derived database must stay under the ODbL.")
    a("- PC4 points: **GeoNames** (geonames.org), CC BY 4.0.")
    a("- Hospitals: **Eurostat GISCO, healthcare services; data RIVM / Volksgezondheidenzorg.info (2019)**. "
      "The `eurostat/healthcare-services` repository is licensed EUPL-1.2; its `metadata.pdf` says to follow "
      "each country provider's conditions and lists the licence for NL as \"TBD\". The NL data licence is "
      "therefore effectively not stated.")
    a("")

    # --- gemeenten
    a("## gemeenten_2022.geojson")
    a("")
    a("- **Original publisher:** CBS (Kerncijfers Wijken en Buurten 2022) and CBS/Kadaster (boundaries), "
      "through the PDOK WFS `https://service.pdok.nl/cbs/wijkenbuurten/2022/wfs/v1_0`, downloaded and "
      "simplified by the GeoInzicht app (`build_geojson.py`).")
    a(provenance("gemeenten", hashes))
    a("- **Year:** KWB 2022, gemeente division of 1 January 2022. Within one KWB edition the reference "
      "periods differ per theme (e.g. income usually refers to an earlier year); see the CBS toelichting.")
    a("- **Licence:** not stated in the repository; the CBS/PDOK source is CC BY 4.0, attribution "
      "\"Bron: CBS, Kadaster\".")
    a(f"- **Rows:** {gem['read']} read, {len(gem['features'])} written, {len(gem['dropped_rows'])} dropped "
      f"({'; '.join(gem['dropped_rows'])}).")
    a("- **Geometry:** as in the source (simplified by the GeoInzicht app, coordinates 5 decimals), "
      f"{facts['gem_types']}.")
    a("- **Columns kept:** `gemeentecode`, `gemeentenaam` and the CBS KWB 2022 columns under the app's "
      "keys. CBS nodata was removed by the GeoInzicht build script (values ≤ -99990 were left out), so a "
      "missing key means \"no value\". Percentages are integers as rounded by CBS unless noted.")
    a("")
    crow = []
    for k, (pdok, meaning, unit) in GEMEENTEN_COLUMNS.items():
        if k in gem["kept_cols"]:
            crow.append((f"`{k}`", f"`{pdok}`", meaning, unit, gem["kept_cols"][k]))
    a(md_table(["key", "PDOK 2022 field", "meaning", "unit", "features with a value"], crow))
    a("")
    a("- **Columns dropped** (all features):")
    for prefix, why in GEMEENTEN_DROP_PREFIX_REASON.items():
        keys = sorted(k for k in gem["dropped_cols"] if k.startswith(prefix))
        if keys:
            a(f"  - `{prefix}*` — {why}: " + ", ".join(f"`{k}`" for k in keys))
    keys = [k for k in GEMEENTEN_DROP_KEYS if k in gem["dropped_cols"]]
    a(f"  - {GEMEENTEN_DROP_KEY_REASON}: " + ", ".join(f"`{k}`" for k in keys))
    a("- **Note on `pct_hh_laag_inkomen`:** despite its name it is the share of households in the "
      f"national *lowest 40 %* of standardised household income (household-weighted national mean "
      f"{facts['laag_mean']:.1f}; `pct_hh_hoog_inkomen` is the highest 20 %, mean {facts['hoog_mean']:.1f}). "
      "It is not CBS's \"huishoudens met een laag inkomen\" (income below the low-income threshold, about "
      "10 % nationally). For poverty use `pct_rond_sociaal_min`.")
    a("")

    # --- wijken
    a("## wijken_2024.geojson")
    a("")
    a("- **Original publisher:** CBS (Kerncijfers Wijken en Buurten 2024) and CBS/Kadaster (Wijk- en "
      "Buurtkaart 2024), through the PDOK WFS `https://service.pdok.nl/cbs/wijkenbuurten/2024/wfs/v1_0`, "
      "downloaded and simplified by the GeoInzicht app (`build_geojson.py`, tolerance 0.0005°).")
    a(provenance("wijken", hashes))
    a("- **Year:** 2024 (wijk division of 2024, population on 1 January 2024).")
    a("- **Licence:** not stated in the repository; the CBS/PDOK source is CC BY 4.0, attribution "
      "\"Bron: CBS, Kadaster\".")
    a(f"- **Rows:** {wijk['read']} read, {len(wijk['features'])} written, {len(wijk['dropped_rows'])} dropped "
      f"({'; '.join(wijk['dropped_rows'])}).")
    a(f"- **Geometry:** as in the source (5 decimals), {facts['wijk_types']}.")
    a("- **Columns:** all kept. Nodata was removed at source (a missing key means \"no value\"). "
      "There are no housing, income, care or distance figures at wijk level in this file.")
    a("")
    crow = []
    for k, (pdok, meaning, unit) in WIJKEN_COLUMNS.items():
        if k in wijk["kept_cols"]:
            crow.append((f"`{k}`", f"`{pdok}`", meaning, unit, wijk["kept_cols"][k]))
    a(md_table(["key", "PDOK 2024 field", "meaning", "unit", "features with a value"], crow))
    a("")

    # --- baarn
    a("## buurten_baarn_2024.geojson")
    a("")
    a("- **Original publisher:** CBS / Kadaster, Wijk- en Buurtkaart 2024 with KWB 2024 attributes "
      "(PDOK `wijkenbuurten` 2024, layer `buurten`, snake_case GPKG/WFS names), first (v1) release.")
    a(provenance("baarn", hashes))
    a("- **Year:** 2024 (division 2024, population on 1 January 2024); every feature has `jaar` 2024.")
    a("- **Licence:** the repository's MIT licence covers its code only; the CBS/PDOK data is CC BY 4.0, "
      "attribution \"Bron: CBS, Kadaster\".")
    a(f"- **Rows:** {baarn['read']} read, {len(baarn['features'])} written, 0 dropped (the whole gemeente "
      "Baarn, GM0308).")
    a(f"- **Geometry:** {facts['baarn_types']}; coordinates rounded from 7 to 6 decimals (≈0.1 m). "
      f"{facts['baarn_repeat']}")
    a(f"- **Columns:** {len(baarn['kept_keys'])} of the source's {len(baarn['source_keys'])} columns kept. "
      "**CBS nodata codes are kept exactly as in the source** so that the loader sees and counts them: "
      "`-99995` = not (yet) available, `-99997` = secret / suppressed for small numbers (some are written "
      "as `-99995.0` / `-99997.0` because the source column is a float column).")
    a("")
    crow = []
    for k in baarn["kept_keys"]:
        meaning, unit = BAARN_COLUMNS[k]
        n95 = baarn["nodata"].get((k, -99995), 0)
        n97 = baarn["nodata"].get((k, -99997), 0)
        crow.append((f"`{k}`", meaning, unit, n95, n97))
    a(md_table(["key", "meaning", "unit", "-99995 cells", "-99997 cells"], crow))
    a("")
    a("- **Known defect (early release):** housing (`woningvoorraad`, % koop/huur, % corporatie), income, "
      "Wmo, jeugdzorg and all distance columns are `-99995` for every buurt: CBS had not filled them "
      "in this first release of the 2024 data. Only population, age and household columns carry values.")
    a("- Columns not kept (other KWB themes: marital status, origin, births/deaths, businesses, energy, "
      "education, benefits, cars, all other facility distances and counts, `indelingswijziging_wijken_en_buurten`, "
      "`dekkingspercentage`, `omgevingsadressendichtheid`, `stedelijkheid_adressen_per_km2`, "
      "`oppervlakte_water_in_ha`, `jrstatcode`) remain available in the staged source file.")
    a("")

    # --- hospitals
    a("## voorzieningen/ziekenhuizen_2019.geojson")
    a("")
    a("- **Original publisher:** RIVM, Volksgezondheidenzorg.info, file `ziekenhuizen2019_rivm.xlsx` "
      "(reference date 2019-01-01, published 2020-04-16), republished by Eurostat / GISCO "
      "(\"Healthcare services in Europe\").")
    a(provenance("ziekenhuizen", hashes))
    a("- **Year:** 2019 snapshot.")
    a("- **Licence:** the repository is EUPL-1.2; its metadata lists the NL data licence as \"TBD\" "
      "(not stated). Attribution: Eurostat GISCO; data RIVM / Volksgezondheidenzorg.info 2019.")
    a(f"- **Rows:** {zh['read']} read, {len(zh['features'])} written, {len(zh['dropped_rows'])} dropped.")
    a("- **Geometry:** one Point per CSV row from the CSV's full-precision `lon`/`lat`, rounded to 6 "
      "decimals (the repository's own GeoJSON has only 4 decimals).")
    a("- **Properties (wijkatlas voorzieningen schema):**")
    a("  - `id` = `rivm2019:` + the CSV `id` (RIVM location number);")
    a("  - `name` = `hospital_name`, plus ` – ` + `site_name` when the site name is not empty and differs "
      "(leading/trailing spaces of the two names trimmed; internal double spaces kept);")
    a("  - `category` = `ziekenhuis`;")
    a("  - `subtype` = `facility_type`: " + ", ".join(f"{k} {v}" for k, v in sorted(zh["subtypes"].items(), key=lambda kv: (-kv[1], kv[0]))) + ";")
    a("  - `address` = `street` + \" \" + `house_number`, both trimmed (null if both empty);")
    a("  - `postcode` = `postcode` exactly as given (\"1234 AB\"), `city` = `city` as given;")
    a(f"  - `precision` = `unknown`: `geo_qual` is -1 (= unknown) on all {zh['geo_qual'].get('-1', 0)} rows, "
      "so the positions may be geocoded from the address.")
    q = zh["quirks"]
    a("- **Known defects:** 2019 snapshot, closures and mergers since then are not reflected; geocoding "
      f"quality unknown; {q['shared_positions']} coordinates are shared by {q['rows_at_shared_positions']} "
      "rows (e.g. Amsterdam UMC AMC and Emma Kinderziekenhuis); capacity, emergency and contact columns are "
      f"empty for NL; {q['no_house_number']} rows have no separate house number; source whitespace quirks "
      f"kept in `postcode`: {', '.join(repr(x) for x in q['postcode_whitespace'])} (normalise before "
      f"matching); `city` is spelled {', '.join(repr(x) for x in q['cities_without_apostrophe'])} (no leading "
      "apostrophe).")
    a("")

    # --- libraries
    a("## voorzieningen/bibliotheken_drechtsteden_osm.geojson")
    a("")
    a("- **Original publisher:** OpenStreetMap contributors (amenity=library nodes), exported by the author "
      "of the \"Voorzieningenmonitor Drechtsteden\" qgis2web map.")
    a(provenance("bibliotheken", hashes))
    a("- **Year:** export date not stated; between the creation of its newest node (id 11099470389, about "
      "2023) and the commit of 2025-01-13. `metadata.year` is therefore null.")
    a("- **Licence:** ODbL 1.0, \"© OpenStreetMap contributors\" (by origin; the repository states none).")
    a(f"- **Rows:** {bib['read']} read, {len(bib['features'])} written, {len(bib['dropped_rows'])} dropped.")
    a("- **Geometry:** Points, coordinates exactly as in the source (7 decimals).")
    a("- **Properties (wijkatlas voorzieningen schema):** `id` = `osm:` + `osm_type` + `/` + `osm_id` "
      "(all nodes); `name`; `category` = `bibliotheek`; `subtype` = `operator` (Bibliotheek AanZet, "
      "Bibliotheek Hoeksche Waard); `address` = `addr:street` + \" \" + `addr:housenumber`; `postcode` = "
      "`addr:postcode` as given (OSM style without a space, e.g. \"3311BD\"); `city` = `addr:city` as given "
      "(e.g. \"Bleskensgraaf ca\", the official woonplaats name); `precision` = `exact` (mapped on the building). Other OSM tags "
      "(opening_hours, website, wikidata, …) are not bundled.")
    a("- **Known defects:** a snapshot; branch openings and closures after the export are not reflected; "
      "covers only the Drechtsteden and a few neighbouring places. The manifest declares its coverage "
      "(`dekking`) as the seven Drechtsteden gemeenten (GM0482, GM0505, GM0523, GM0531, GM0590, GM0610, "
      "GM0642); its five points elsewhere are rejected at load, and areas outside get no library figures.")
    a("")

    # --- pc4
    a("## postcodes/pc4_geonames.csv")
    a("")
    a("- **Original publisher:** GeoNames postal-code dump (geonames.org), converted to CSV by zauberware.")
    a(provenance("pc4", hashes))
    a("- **Year:** GeoNames dump of 2026-03-30.")
    a("- **Licence:** CC BY 4.0, attribution to GeoNames required.")
    a(f"- **Rows:** {pc4['read']} read, {len(pc4['rows'])} written (one per distinct PC4), "
      f"{pc4['merged']} merged into the row of their PC4 (a PC4 that covers several places appears once per "
      "place in the source).")
    a("- **Columns:** `pc4` (4 digits, text), `lon`, `lat` (WGS84 degrees, the coordinates of the PC4's "
      "*first* source row, written exactly as in the source, 1–4 decimals), `places` (the distinct place "
      "names of all source rows of that PC4, in source order, joined with `;`), `gemeentecode` (\"GM\" + the "
      "4-digit municipality code of the first source row; the source column is confusingly named "
      "`province_code`). Sorted by `pc4`.")
    a(f"- **Known defects:** GeoNames points are place-based approximations, not area centroids (median "
      f"0.49 km from the spatialrisk PC4 centroids, max 64 km); {len(pc4['multi_gm'])} PC4 span source rows "
      f"with different gemeente codes (only the first is kept): {', '.join(pc4['multi_gm'])}; "
      f"{len(pc4['no_gm'])} PC4 have an empty `gemeentecode` because GeoNames has no municipality for them "
      f"(the Voorne aan Zee area, GM1992, formed in 2023): {', '.join(pc4['no_gm'])}; "
      f"{facts['pc4_gm_not_2024']}; PC4 `9999` mixes Stitswerd/Kantens (Groningen, the real 9999) with "
      "Roermond, Someren, Rotterdam and Zwolle rows, which look like placeholder entries in GeoNames.")
    a("")

    # --- cross-file
    a("## Known defects across files")
    a("")
    a(f"- **Years are mixed.** Gemeenten are the 2022 division, wijken and buurten the 2024 division. "
      f"Wijk gemeentecodes that are missing from `gemeenten_2022.geojson`: "
      f"{facts['missing_gm_text']}. Gemeenten of 2022 with no wijk in 2024: {facts['gone_gm_text']}. "
      "Gemeente figures for a 2024 wijk must therefore be looked up with care.")
    a("- **Wijk–gemeente overlay (computed).** " + facts["spatial_text"])
    a(f"- **Name differences** for the same code between gemeenten 2022 and wijken 2024: {facts['name_diff_text']}.")
    a("- **Simplified geometry.** Gemeenten and wijken were simplified by the GeoInzicht app (wijken "
      "0.0005° ≈ 35–55 m) and rounded to 5 decimals; boundaries are approximate and neighbouring polygons "
      "may overlap or leave slivers. Do not use them for exact point-in-polygon at the boundary.")
    a("- **Invalid polygons.** `SOURCE.md` reports 17 invalid wijk geometries per GEOS (ogrinfo/SQLite "
      "`ST_IsValid`); wijkatlas' loader repairs them. This script cannot run GEOS; its cheap exact check "
      "(unclosed rings, rings with fewer than 4 positions, zero-area rings, self-intersecting or "
      "self-touching rings, spikes, crossing or shared edges between rings and between the parts of a "
      "MultiPolygon; not checked: holes outside shells, nested parts) finds:")
    a("")
    crow = []
    for key, label in (("gemeenten", "gemeenten_2022"), ("wijken", "wijken_2024"), ("baarn", "buurten_baarn_2024")):
        inv, tot = checks[key]
        crow.append((label, tot["rings"], tot["positions"], tot["rings_unclosed"], tot["rings_lt4"],
                     tot["rings_zero_area"], tot["repeated_positions"], len(inv),
                     f"{tot['exterior_clockwise']} of {tot['exteriors']}"))
    a(md_table(["file", "rings", "positions", "unclosed rings", "rings < 4 positions", "zero-area rings",
                "repeated consecutive positions", "features flagged invalid", "clockwise exterior rings"], crow))
    a("")
    for key, label in (("gemeenten", "gemeenten_2022"), ("wijken", "wijken_2024"), ("baarn", "buurten_baarn_2024")):
        inv, _ = checks[key]
        if inv:
            a(f"  Flagged in {label}: " + "; ".join(f"`{c}` ({', '.join(p)})" for c, p in sorted(inv.items())) + ".")
            a("")
    a("  Winding order does not follow the RFC 7946 right-hand rule in every file (see the last column); "
      "readers must not rely on it.")
    a("- **Buitenland dropped.** `GM0998` \"Buitenland\" (and its wijk `WK099899`) is not a gemeente and "
      "was removed from both area files.")
    a("- **Non-KWB columns dropped** from the gemeenten: `lbt_*` (landbouwtelling, known wrong values, e.g. "
      "Dordrecht 143,583 ha of farmland in a 9,947 ha gemeente), Vektis `zk_*`, police `cr_*`, GBIF `ff_*`, "
      "BAG `bag_*` and Bestand Bodemgebruik 2017 `bbg_*` / `pct_agrarisch` etc.")
    a("- **Baarn's housing, income, care and distance columns are -99995** (first 2024 release, see above).")
    a("- **Hospitals are a 2019 snapshot with unknown geocoding quality** (`geo_qual` -1 everywhere).")
    a("")

    a("## What is not bundled and why")
    a("")
    a("These staged sources stay in `../shared/data` and may be read from there by tests only:")
    a("")
    a("- `drechtsteden_voorzieningenmonitor/ziekenhuizen_poliklinieken_drechtsteden.geojson` — hand-made "
      "points by the repository author, no licence stated (and duplicates the RIVM hospitals).")
    a("- `rotterdam_buurten/` — no licence stated; geometry from a third-party CARTO table, year of the "
      "figures unknown.")
    a("- `amsterdam_buurten/` — no licence stated in the repository; geometry only, no figures.")
    a("- `ziekenhuizen_2016/` — no data licence stated (package MIT); 2016 list with Google geocodes; "
      "superseded by the 2019 list.")
    a("- `postcodes_pc4/pc4_centroids_spatialrisk.csv` and `pc4_polygons_spatialrisk.geojson` — GPL ≥ 2 "
      "(R package), not compatible with bundling as open data; vintage unknown.")
    a("- `huisartsen_zorgkaart_scrape/` — a third party's scrape of ZorgkaartNederland, no licence stated; "
      "test and validation only, never to be copied into the repository.")
    a("- `geoinzicht_wijken_gemeenten_2024/gemeenten_2024.geojson` — no housing, income, care or distance "
      "figures; its extra columns are the non-KWB ones dropped above. `drechtsteden_wijken_2024_subset.geojson` "
      "is a subset of the bundled wijken.")
    a("- `cbs_gemeenten_2017_kwb/` (2017, population figures only) and `cbs_buurten_2014_coarse/` (2014, "
      "~300 m quantised, 2,337 invalid geometries, no figures) — outdated; not needed for the default picture.")
    a("- `osm_nl_fixtures/` — tiny OSM extracts for parser tests, not coverage data.")
    a("")
    a("## Manifest")
    a("")
    a("The server finds these files through `wijkatlas.toml` in this folder (see `crates/wijkatlas-core/src/load/manifest.rs`). "
      "That file is maintained by hand, not by this script. It must list the six files above, each with "
      "its `kind` (`areas` with `level`, `voorzieningen` with `category` and `dekking`, or `postcodes`), "
      "`year`, `licence` and `attribution` as given in this README. If you rename an output here, update the "
      "manifest as well.")
    a("")
    return ("\n".join(L)).encode("utf-8")


# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED,
                    help="folder with the staged open data (default: ../shared/data next to the repo)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: the repo's data/)")
    args = ap.parse_args()
    shared = args.shared.resolve()
    out = args.out.resolve()

    if not shared.is_dir():
        die(f"shared data folder not found: {shared}\n"
            "  This script needs the staged open data (../shared/data next to the repository, "
            "or pass --shared DIR).")
    missing = [i["file"] for i in INPUTS.values() if not (shared / i["file"]).is_file()]
    if missing:
        die(f"missing input file(s) in {shared}: " + ", ".join(missing))

    builders = {
        "gemeenten": build_gemeenten, "wijken": build_wijken, "baarn": build_baarn,
        "ziekenhuizen": build_ziekenhuizen, "bibliotheken": build_bibliotheken, "pc4": build_pc4,
    }
    results, sizes, hashes = {}, {}, {}
    for key, fn in builders.items():
        src = shared / INPUTS[key]["file"]
        hashes[key] = sha256(src)
        print(f"{OUTPUTS[key]}  <-  {INPUTS[key]['file']}")
        res = fn(src)
        results[key] = res
        dest = out / OUTPUTS[key]
        write_bytes(dest, res["bytes"])
        sizes[key] = len(res["bytes"])
        written = len(res["rows"]) if key == "pc4" else len(res["features"])
        print(f"  read {res['read']}, written {written}, size {fmt_bytes(sizes[key])}")
        if key == "pc4":
            print(f"  merged {res['merged']} rows into their PC4 (one row per distinct pc4); "
                  f"{len(res['multi_gm'])} pc4 with >1 gemeente code (first kept); "
                  f"{len(res['no_gm'])} pc4 without gemeente code")
        else:
            dropped = res["dropped_rows"]
            print(f"  dropped {len(dropped)}" + (": " + "; ".join(dropped) if dropped else ""))
        if key == "gemeenten":
            by_reason = collections.Counter()
            for k in res["dropped_cols"]:
                reason = next((w for p, w in GEMEENTEN_DROP_PREFIX_REASON.items() if k.startswith(p)),
                              GEMEENTEN_DROP_KEY_REASON)
                by_reason[reason] += 1
            print(f"  columns kept {len(res['kept_cols'])}, dropped {len(res['dropped_cols'])}: "
                  + "; ".join(f"{n} {w}" for w, n in sorted(by_reason.items())))
        if key == "baarn":
            print(f"  columns kept {len(res['kept_keys'])} of {len(res['source_keys'])}; "
                  f"nodata cells kept: -99995 x{sum(v for (k, c), v in res['nodata'].items() if c == -99995)}, "
                  f"-99997 x{sum(v for (k, c), v in res['nodata'].items() if c == -99997)}")

    # Cross-checks for the README.
    gem, wijk, baarn = results["gemeenten"], results["wijken"], results["baarn"]
    facts = {}
    gm2022 = {f["properties"]["gemeentecode"]: f["properties"]["gemeentenaam"] for f in gem["features"]}
    wijk_gm = collections.OrderedDict()
    for f in wijk["features"]:
        p = f["properties"]
        wijk_gm.setdefault(p["gemeentecode"], [p["gemeentenaam"], 0])[1] += 1
    missing_gm = sorted(c for c in wijk_gm if c not in gm2022)
    gone_gm = sorted(c for c in gm2022 if c not in wijk_gm)
    facts["missing_gm"] = missing_gm
    facts["missing_gm_text"] = ", ".join(f"`{c}` {wijk_gm[c][0]} ({wijk_gm[c][1]} wijken)" for c in missing_gm) or "none"
    facts["gone_gm_text"] = ", ".join(f"`{c}` {gm2022[c]}" for c in gone_gm) or "none"
    name_diff = sorted((c, gm2022[c], wijk_gm[c][0]) for c in wijk_gm if c in gm2022 and gm2022[c] != wijk_gm[c][0])
    facts["name_diff_text"] = ", ".join(f"`{c}` \"{a}\" (2022) vs \"{b}\" (2024)" for c, a, b in name_diff) or "none"
    print(f"wijk gemeentecodes not in gemeenten_2022: {facts['missing_gm_text']}")
    print(f"gemeenten_2022 codes without wijken in 2024: {facts['gone_gm_text']}")
    print(f"gemeente names differing 2022 vs 2024: {facts['name_diff_text']}")

    num = den = num_h = 0
    for f in gem["features"]:
        p = f["properties"]
        if "pct_hh_laag_inkomen" in p and "huishoudens" in p:
            num += p["pct_hh_laag_inkomen"] * p["huishoudens"]
            num_h += p.get("pct_hh_hoog_inkomen", 0) * p["huishoudens"]
            den += p["huishoudens"]
    facts["laag_mean"] = num / den if den else float("nan")
    facts["hoog_mean"] = num_h / den if den else float("nan")

    def types(feats):
        c = collections.Counter(f["geometry"]["type"] for f in feats)
        return ", ".join(f"{v} {k}" for k, v in sorted(c.items()))

    facts["gem_types"] = types(gem["features"])
    facts["wijk_types"] = types(wijk["features"])
    facts["baarn_types"] = types(baarn["features"])
    for key in ("gemeenten", "wijken"):
        md = max(max_decimals(f["geometry"]) for f in results[key]["features"])
        if md > 5:
            print(f"  WARNING: {key} has coordinates with {md} decimals (expected at most 5)")

    sp = wijk_in_gemeente(wijk["features"], gem["features"])
    none_names = collections.Counter(n for _, n in sp["none"])
    other_txt = "; ".join(
        f"{len(v)} wijken of `{a}` {wijk_gm[a][0]} lie in the 2022 polygon of `{b}` {gm2022[b]} ({', '.join(sorted(v))})"
        for (a, b), v in sorted(sp["other"].items()))
    facts["spatial_text"] = (
        f"Of the {len(wijk['features'])} wijken, {sp['same']} have their representative point (area centroid "
        f"of the largest part) inside the 2022 gemeente polygon with the same code; {other_txt}. "
        f"{len(sp['none'])} wijken lie in no 2022 gemeente polygon at all: "
        f"{none_names.get('Groot water', 0)} \"Groot water\" wijken (the 2022 gemeente polygons leave out the "
        "large waters — sea, IJsselmeer, big lakes and rivers — that the 2024 wijk layer covers with "
        "\"Groot water\" wijken)"
        + "".join(f", plus \"{n}\" (`{c}` {wijk_gm[c][0]})" for c, n in sorted(sp["none"]) if n != "Groot water")
        + f". ({sp['untested']} wijken whose centroid falls outside themselves were not tested.)")
    print("spatial check: " + facts["spatial_text"])

    pc4_codes = collections.Counter(r[4] for r in results["pc4"]["rows"] if r[4])
    not2024 = sorted(c for c in pc4_codes if c not in wijk_gm)
    facts["pc4_gm_not_2024"] = (
        f"{len(not2024)} gemeentecodes in the PC4 table do not occur in wijken_2024 ("
        + ", ".join(f"`{c}` ×{pc4_codes[c]}" for c in not2024) + ")" if not2024
        else "every non-empty PC4 gemeentecode occurs in wijken_2024")
    print("pc4: " + facts["pc4_gm_not_2024"])

    checks = {}
    for key, code in (("gemeenten", "gemeentecode"), ("wijken", "wijkcode"), ("baarn", "buurtcode")):
        inv, tot = check_layer(results[key]["features"], code)
        checks[key] = (inv, tot)
        print(f"geometry check {OUTPUTS[key]}: {tot['rings']} rings, {tot['rings_unclosed']} unclosed, "
              f"{tot['rings_lt4']} with <4 positions, {tot['rings_zero_area']} zero-area, "
              f"{len(inv)} features flagged invalid" + (": " + ", ".join(sorted(inv)) if inv else ""))
    rep = checks["baarn"][1]["repeated_positions"]
    facts["baarn_repeat"] = ("Rounding created no repeated consecutive positions." if rep == 0 else
                             f"After rounding, {rep} consecutive positions repeat (harmless; kept).")

    readme = build_readme(results, sizes, hashes, checks, facts)
    write_bytes(out / "README.md", readme)
    total = sum(sizes.values())
    print(f"README.md written ({fmt_bytes(len(readme))})")
    print(f"total data size {fmt_bytes(total)} in {out}")
    if total > 10 * 1024 * 1024:
        print("WARNING: bundled data is larger than 10 MB")


if __name__ == "__main__":
    main()
