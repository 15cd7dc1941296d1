//! Key figures of an area: typed, optional, and named once for every CBS column family.
//!
//! CBS renamed its columns over the years (short upper-case shapefile names, long
//! snake_case GeoPackage names, camelCase web-service names) and third-party copies add
//! their own. [`Figure::aliases`] is the one table that maps all of them onto the model.

use serde::ser::SerializeMap;
use serde::Serialize;

/// What kind of quantity a figure is, which fixes its valid range and unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quantity {
    /// A whole number of people, households or dwellings (≥ 0).
    Count,
    /// A percentage, 0–100.
    Percent,
    /// A distance in kilometres (≥ 0), as CBS publishes its proximity figures.
    Kilometres,
    /// Per 1,000 inhabitants (0–1000).
    PerThousand,
    /// Thousands of euros (≥ 0).
    ThousandEuro,
    /// Inhabitants per km² (≥ 0).
    Density,
    /// A mean number of persons (≥ 0).
    Mean,
}

impl Quantity {
    pub fn range(self) -> (f64, f64) {
        match self {
            Quantity::Percent => (0.0, 100.0),
            Quantity::PerThousand => (0.0, 1000.0),
            _ => (0.0, f64::INFINITY),
        }
    }

    pub fn unit(self) -> &'static str {
        match self {
            Quantity::Count => "",
            Quantity::Percent => "%",
            Quantity::Kilometres => "km",
            Quantity::PerThousand => "per 1.000 inwoners",
            Quantity::ThousandEuro => "× € 1.000",
            Quantity::Density => "inwoners per km²",
            Quantity::Mean => "personen",
        }
    }
}

macro_rules! figures {
    ($( $variant:ident => $key:literal, $label:literal, $quantity:ident, [$($alias:literal),* $(,)?] );* $(;)?) => {
        /// A key figure that wijkatlas understands. Anything else a source carries is kept
        /// as an extra property.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Figure { $($variant),* }

        impl Figure {
            pub const ALL: &'static [Figure] = &[$(Figure::$variant),*];

            /// The property name wijkatlas writes.
            pub fn key(self) -> &'static str {
                match self { $(Figure::$variant => $key),* }
            }

            /// The Dutch label shown to people.
            pub fn label(self) -> &'static str {
                match self { $(Figure::$variant => $label),* }
            }

            pub fn quantity(self) -> Quantity {
                match self { $(Figure::$variant => Quantity::$quantity),* }
            }

            /// Column names that mean this figure in the CBS families and common copies,
            /// compared without regard to case.
            pub fn aliases(self) -> &'static [&'static str] {
                match self { $(Figure::$variant => &[$key, $($alias),*]),* }
            }
        }
    };
}

// Alias order per line: CBS GeoPackage snake_case (recent), CBS shapefile upper case
// (older), PDOK/CBS web services camelCase, then third-party copies (geoinzicht app keys).
// Not mapped on purpose: the geoinzicht key `pct_hh_laag_inkomen` holds the share of
// households in the lowest 40% of incomes (national mean ≈ 40%), not CBS's low-income
// line, so it stays an extra property rather than pass for LowIncomeHouseholds.
figures! {
    Inhabitants => "inwoners", "Aantal inwoners", Count,
        ["aantal_inwoners", "AANT_INW", "aantalInwoners", "population"];
    Age0To15 => "pct_0_15", "0 tot 15 jaar", Percent,
        ["percentage_personen_0_tot_15_jaar", "P_00_14_JR", "percentagePersonen0Tot15Jaar", "0_15"];
    Age15To25 => "pct_15_25", "15 tot 25 jaar", Percent,
        ["percentage_personen_15_tot_25_jaar", "P_15_24_JR", "percentagePersonen15Tot25Jaar", "15_25"];
    Age25To45 => "pct_25_45", "25 tot 45 jaar", Percent,
        ["percentage_personen_25_tot_45_jaar", "P_25_44_JR", "percentagePersonen25Tot45Jaar", "25_45"];
    Age45To65 => "pct_45_65", "45 tot 65 jaar", Percent,
        ["percentage_personen_45_tot_65_jaar", "P_45_64_JR", "percentagePersonen45Tot65Jaar", "45_65"];
    Age65Plus => "pct_65plus", "65 jaar en ouder", Percent,
        ["percentage_personen_65_jaar_en_ouder", "P_65_EO_JR", "percentagePersonen65JaarEnOuder", "65plus"];
    Households => "huishoudens", "Aantal huishoudens", Count,
        ["aantal_huishoudens", "AANTAL_HH", "aantalHuishoudens", "household"];
    SinglePersonHouseholds => "pct_eenpersoonshuishoudens", "Eenpersoonshuishoudens", Percent,
        ["percentage_eenpersoonshuishoudens", "P_EENP_HH", "percentageEenpersoonshuishoudens", "pct_eenpersoonshhd"];
    HouseholdSize => "gem_huishoudgrootte", "Gemiddelde huishoudensgrootte", Mean,
        ["gemiddelde_huishoudsgrootte", "GEM_HH_GR", "gemiddeldeHuishoudsgrootte", "gem_huishouden_grootte"];
    LowIncomeHouseholds => "pct_huishoudens_laag_inkomen", "Huishoudens met een laag inkomen", Percent,
        ["percentage_huishoudens_met_laag_inkomen", "P_HH_LAAGINK", "percentageHuishoudensMetLaagInkomen"];
    NearSocialMinimum => "pct_rond_sociaal_minimum", "Huishoudens onder of rond het sociaal minimum", Percent,
        ["percentage_huishoudens_onder_of_rond_sociaal_minimum", "P_HH_SOCMIN", "percentageHuishoudensOnderOfRondSociaalMinimum", "pct_rond_sociaal_min"];
    IncomePerInhabitant => "inkomen_per_inwoner", "Gemiddeld inkomen per inwoner", ThousandEuro,
        ["gemiddeld_inkomen_per_inwoner", "INK_INW", "gemiddeldInkomenPerInwoner", "gem_inkomen_inwoner"];
    // The shapefile name WONINGEN matches the key itself, case aside.
    Dwellings => "woningen", "Woningvoorraad", Count,
        ["woningvoorraad", "aantal_woningen"];
    OwnerOccupied => "pct_koopwoningen", "Koopwoningen", Percent,
        ["percentage_koopwoningen", "P_KOOPWON", "percentageKoopwoningen", "koopwoningen"];
    Rental => "pct_huurwoningen", "Huurwoningen", Percent,
        ["percentage_huurwoningen", "P_HUURWON", "percentageHuurwoningen", "HuurwoningenTotaal", "huurwoningen"];
    CorporationOwned => "pct_corporatiewoningen", "Huurwoningen in bezit van woningcorporaties", Percent,
        ["percentage_huurwoningen_in_bezit_woningcorporaties", "perc_huurwoningen_in_bezit_woningcorporaties",
         "P_HUURCORP", "P_WCORPW", "percentageHuurwoningenInBezitWoningcorporaties", "inBezitWoningcorporatie", "pct_huurcorporatie"];
    DistanceGp => "afstand_huisarts_km", "Afstand tot huisartsenpraktijk", Kilometres,
        ["huisartsenpraktijk_gemiddelde_afstand_in_km", "AF_ARTSPR", "huisartsenpraktijkGemiddeldeAfstandInKm", "AfstandTotHuisartsenpraktijk", "afstand_huisarts"];
    DistancePharmacy => "afstand_apotheek_km", "Afstand tot apotheek", Kilometres,
        ["apotheek_gemiddelde_afstand_in_km", "AF_APOTH", "apotheekGemiddeldeAfstandInKm", "afstand_apotheek"];
    // CBS publishes the hospital distance with and without outpatient clinics; the two
    // are different figures and never aliases of each other.
    DistanceHospital => "afstand_ziekenhuis_km", "Afstand tot ziekenhuis (zonder buitenpoliklinieken)", Kilometres,
        ["ziekenhuis_excl_buitenpolikliniek_gem_afst_in_km", "AF_ZIEK_E", "ziekenhuisExclBuitenpolikliniekGemAfstInKm", "afstand_ziekenhuis"];
    DistanceHospitalInclOutpatient => "afstand_ziekenhuis_incl_poli_km", "Afstand tot ziekenhuis of buitenpolikliniek", Kilometres,
        ["ziekenhuis_incl_buitenpolikliniek_gem_afst_in_km", "AF_ZIEK_I", "ziekenhuisInclBuitenpolikliniekGemAfstInKm"];
    DistanceLibrary => "afstand_bibliotheek_km", "Afstand tot bibliotheek", Kilometres,
        ["bibliotheek_gemiddelde_afstand_in_km", "AF_BIBLIO", "bibliotheekGemiddeldeAfstandInKm", "afstand_bibliotheek"];
    // CBS's other proximity figures (the 2024 GeoPackage names; StatLine keys where its
    // table names them): kept as figures so they can stand as an access measure.
    DistanceGpPost => "afstand_huisartsenpost_km", "Afstand tot huisartsenpost", Kilometres,
        ["huisartsenpost_gemiddelde_afstand_in_km"];
    DistanceSupermarket => "afstand_supermarkt_km", "Afstand tot grote supermarkt", Kilometres,
        ["grote_supermarkt_gemiddelde_afstand_in_km", "AfstandTotGroteSupermarkt"];
    DistanceDaycare => "afstand_kinderdagverblijf_km", "Afstand tot kinderdagverblijf", Kilometres,
        ["kinderdagverblijf_gemiddelde_afstand_in_km", "AfstandTotKinderdagverblijf"];
    DistanceOutOfSchoolCare => "afstand_buitenschoolse_opvang_km", "Afstand tot buitenschoolse opvang", Kilometres,
        ["buitenschoolse_opvang_gem_afstand_in_km"];
    DistancePrimarySchool => "afstand_basisschool_km", "Afstand tot basisschool", Kilometres,
        ["basisonderwijs_gemiddelde_afstand_in_km"];
    DistanceSecondarySchool => "afstand_voortgezet_onderwijs_km", "Afstand tot voortgezet onderwijs", Kilometres,
        ["voortgezet_onderwijs_gem_afstand_in_km"];
    WmoClients => "wmo_clienten_per_1000", "Wmo-cliënten per 1.000 inwoners", PerThousand,
        ["aantal_wmo_clienten_per_1000_inwoners", "wmo_clienten_relatief", "WMO_CLIENTEN_REL", "wmoClientenRelatief", "wmo_per_1000"];
    YouthCare => "pct_jongeren_met_jeugdzorg", "Jongeren met jeugdzorg in natura", Percent,
        ["percentage_jongeren_met_jeugdzorg_in_natura", "percentage_jongeren_met_jeugdzorg", "P_JEUGDZORG", "percentageJongerenMetJeugdzorg", "pct_jeugdzorg"];
    PopulationDensity => "bevolkingsdichtheid", "Bevolkingsdichtheid", Density,
        ["bevolkingsdichtheid_inwoners_per_km2", "BEV_DICHTH", "bevolkingsdichtheidInwonersPerKm2"];
}

impl Figure {
    /// Finds the figure a column name stands for, in any family, ignoring case.
    ///
    /// CBS StatLine (OData) numbers its columns (`Koopwoningen_40`), so a trailing
    /// `_<digits>` is tried without the number too.
    pub fn from_column(column: &str) -> Option<Figure> {
        let column = column.trim();
        let exact = |name: &str| {
            Figure::ALL.iter().copied().find(|f| {
                f.aliases()
                    .iter()
                    .any(|alias| alias.eq_ignore_ascii_case(name))
            })
        };
        exact(column).or_else(|| {
            let (stem, number) = column.rsplit_once('_')?;
            let numbered = !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit());
            numbered.then(|| exact(stem)).flatten()
        })
    }

    fn slot(self) -> usize {
        self as usize
    }
}

/// CBS writes these instead of a value when a figure is secret or not (yet) available.
///
/// -99997 (geheim), -99995 (nog niet beschikbaar), -99999999 (nvt, older files), and
/// any other value at or below -99990 used as a code in CBS tables.
pub fn is_cbs_nodata(value: f64) -> bool {
    value <= -99_990.0
}

/// The key figures of one area; every figure may be missing, and missing is never 0.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeyFigures {
    values: [Option<f64>; FIGURE_COUNT],
}

const FIGURE_COUNT: usize = Figure::ALL.len();

impl KeyFigures {
    pub fn get(&self, figure: Figure) -> Option<f64> {
        self.values[figure.slot()]
    }

    pub fn set(&mut self, figure: Figure, value: Option<f64>) {
        self.values[figure.slot()] = value;
    }

    pub fn with(mut self, figure: Figure, value: f64) -> Self {
        self.set(figure, Some(value));
        self
    }

    /// Figures present, in [`Figure::ALL`] order.
    pub fn present(&self) -> impl Iterator<Item = (Figure, f64)> + '_ {
        Figure::ALL
            .iter()
            .filter_map(|&f| self.get(f).map(|v| (f, v)))
    }
}

/// Serialises every figure under its key, missing ones as `null`.
impl Serialize for KeyFigures {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(FIGURE_COUNT))?;
        for &f in Figure::ALL {
            map.serialize_entry(f.key(), &self.get(f))?;
        }
        map.end()
    }
}

/// Columns a source carries that are not key figures, kept as they came, in name order.
///
/// A sorted list rather than a map: an area carries a few such columns (a national
/// buurt layer one, `rubriek`), and a `BTreeMap` allocates a whole node of eleven
/// entries for however few it holds (640 bytes an area; 6.7 MB of the national 2014
/// layer's heap).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExtraProperties(Vec<(String, serde_json::Value)>);

impl ExtraProperties {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `name` to `value`, giving back the value it replaces.
    pub fn insert(&mut self, name: String, value: serde_json::Value) -> Option<serde_json::Value> {
        match self.position(&name) {
            Ok(i) => self
                .0
                .get_mut(i)
                .map(|(_, old)| std::mem::replace(old, value)),
            Err(i) => {
                self.0.insert(i, (name, value));
                None
            }
        }
    }

    pub fn get(&self, name: &str) -> Option<&serde_json::Value> {
        let i = self.position(name).ok()?;
        self.0.get(i).map(|(_, v)| v)
    }

    /// The columns and their values, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &serde_json::Value)> {
        self.into_iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Gives back the room left over from reading: the list lives as long as its area.
    pub fn shrink_to_fit(&mut self) {
        self.0.shrink_to_fit();
    }

    fn position(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(name))
    }
}

impl<'a> IntoIterator for &'a ExtraProperties {
    type Item = (&'a String, &'a serde_json::Value);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, serde_json::Value)>,
        fn(&'a (String, serde_json::Value)) -> (&'a String, &'a serde_json::Value),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_properties_keep_one_value_per_name_in_name_order() {
        let mut extra = ExtraProperties::new();
        assert!(extra.is_empty());
        for (name, value) in [
            ("rubriek", "buurt"),
            ("bijzonder", "ja"),
            ("opmerking", "x"),
        ] {
            assert_eq!(extra.insert(name.into(), value.into()), None);
        }
        assert_eq!(
            extra.insert("opmerking".into(), "y".into()),
            Some(serde_json::Value::from("x"))
        );
        extra.shrink_to_fit();
        let names: Vec<&str> = extra.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["bijzonder", "opmerking", "rubriek"]);
        assert_eq!(extra.len(), 3);
        assert_eq!(extra.get("opmerking"), Some(&serde_json::Value::from("y")));
        assert_eq!(extra.get("niets"), None);
        let by_ref: Vec<&String> = (&extra).into_iter().map(|(k, _)| k).collect();
        assert_eq!(by_ref.len(), 3);
    }
    use std::collections::HashSet;

    #[test]
    fn each_family_maps_onto_the_same_figure() {
        let families: [(&str, Figure); 12] = [
            ("aantal_inwoners", Figure::Inhabitants),
            ("AANT_INW", Figure::Inhabitants),
            ("aantalInwoners", Figure::Inhabitants),
            ("percentage_personen_65_jaar_en_ouder", Figure::Age65Plus),
            ("P_65_EO_JR", Figure::Age65Plus),
            ("percentagePersonen65JaarEnOuder", Figure::Age65Plus),
            (
                "percentage_huurwoningen_in_bezit_woningcorporaties",
                Figure::CorporationOwned,
            ),
            ("p_wcorpw", Figure::CorporationOwned),
            ("P_HUURCORP", Figure::CorporationOwned),
            (
                "huisartsenpraktijk_gemiddelde_afstand_in_km",
                Figure::DistanceGp,
            ),
            ("AF_ARTSPR", Figure::DistanceGp),
            ("woningvoorraad", Figure::Dwellings),
        ];
        // StatLine numbers its columns; the number is not part of the name.
        assert_eq!(
            Figure::from_column("Koopwoningen_40"),
            Some(Figure::OwnerOccupied)
        );
        assert_eq!(
            Figure::from_column("HuurwoningenTotaal_41"),
            Some(Figure::Rental)
        );
        assert_eq!(
            Figure::from_column("k_65JaarOfOuder_12"),
            None,
            "a count, not the share"
        );
        for (column, figure) in families {
            assert_eq!(Figure::from_column(column), Some(figure), "{column}");
        }
        assert_eq!(Figure::from_column("cr_totaal_misdrijven"), None);
    }

    #[test]
    fn cbs_2024_proximity_columns_are_figures() {
        let cases = [
            (
                "huisartsenpraktijk_gemiddelde_afstand_in_km",
                "afstand_huisarts_km",
            ),
            (
                "huisartsenpost_gemiddelde_afstand_in_km",
                "afstand_huisartsenpost_km",
            ),
            ("apotheek_gemiddelde_afstand_in_km", "afstand_apotheek_km"),
            (
                "ziekenhuis_incl_buitenpolikliniek_gem_afst_in_km",
                "afstand_ziekenhuis_incl_poli_km",
            ),
            (
                "ziekenhuis_excl_buitenpolikliniek_gem_afst_in_km",
                "afstand_ziekenhuis_km",
            ),
            (
                "grote_supermarkt_gemiddelde_afstand_in_km",
                "afstand_supermarkt_km",
            ),
            ("AfstandTotGroteSupermarkt_108", "afstand_supermarkt_km"),
            (
                "kinderdagverblijf_gemiddelde_afstand_in_km",
                "afstand_kinderdagverblijf_km",
            ),
            (
                "AfstandTotKinderdagverblijf_109",
                "afstand_kinderdagverblijf_km",
            ),
            (
                "buitenschoolse_opvang_gem_afstand_in_km",
                "afstand_buitenschoolse_opvang_km",
            ),
            (
                "basisonderwijs_gemiddelde_afstand_in_km",
                "afstand_basisschool_km",
            ),
            (
                "voortgezet_onderwijs_gem_afstand_in_km",
                "afstand_voortgezet_onderwijs_km",
            ),
            (
                "bibliotheek_gemiddelde_afstand_in_km",
                "afstand_bibliotheek_km",
            ),
        ];
        for (column, key) in cases {
            let f = Figure::from_column(column);
            assert_eq!(f.map(Figure::key), Some(key), "{column}");
            assert_eq!(f.map(Figure::quantity), Some(Quantity::Kilometres));
        }
    }

    #[test]
    fn no_alias_is_claimed_by_two_figures() {
        let mut seen = HashSet::new();
        for f in Figure::ALL {
            for alias in f.aliases() {
                assert!(
                    seen.insert(alias.to_ascii_lowercase()),
                    "alias {alias} appears twice"
                );
            }
        }
    }

    #[test]
    fn nodata_codes_are_recognised() {
        for code in [-99997.0, -99995.0, -99999999.0, -99998.0] {
            assert!(is_cbs_nodata(code));
        }
        assert!(!is_cbs_nodata(-5.0));
        assert!(!is_cbs_nodata(0.0));
    }

    #[test]
    fn missing_figures_serialise_as_null() {
        let figures = KeyFigures::default().with(Figure::Inhabitants, 1825.0);
        let json = serde_json::to_value(&figures).unwrap();
        assert_eq!(json["inwoners"], 1825.0);
        assert!(json["pct_65plus"].is_null());
    }
}
