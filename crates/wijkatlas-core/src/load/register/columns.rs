//! Finding the register's columns: as named in `[source.register.columns]`, else by the
//! headers Dutch and English exports commonly use.

use super::options::ColumnNames;

/// Index of each column the reader uses, when the register has it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMap {
    pub id: Option<usize>,
    pub name: usize,
    pub category: Option<usize>,
    pub address: Option<usize>,
    pub street: Option<usize>,
    pub house_number: Option<usize>,
    pub postcode: Option<usize>,
    pub city: Option<usize>,
    pub lat_lon: Option<(usize, usize)>,
    pub x_y: Option<(usize, usize)>,
    pub capacity: Option<usize>,
}

/// A column that cannot be found; `wanted` is what the user should add or configure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingColumn {
    pub wanted: String,
}

// Normalised header names (lower case, `_` for spaces, dashes and dots), in order of
// preference. Each list is what real exports of gemeenten, GGDs, Vektis/AGB extracts,
// ZorgkaartNederland scrapes and spreadsheets typed by hand call the column.
const ID: &[&str] = &[
    "id",
    "code",
    "nummer",
    "locatiecode",
    "locatie_id",
    "agb",
    "agb_code",
];
const NAME: &[&str] = &[
    "naam",
    "name",
    "praktijknaam",
    "naam_praktijk",
    "locatienaam",
    "naam_locatie",
    "organisatie",
    "organisatienaam",
    "instelling",
    "voorziening",
    "naam_voorziening",
];
const CATEGORY: &[&str] = &[
    "categorie",
    "category",
    "soort",
    "type",
    "soort_voorziening",
    "type_voorziening",
    "voorzieningtype",
    "functie",
];
const ADDRESS: &[&str] = &[
    "adres",
    "address",
    "straat_huisnummer",
    "bezoekadres",
    "locatieadres",
];
const STREET: &[&str] = &["straat", "straatnaam", "street", "openbare_ruimte"];
const HOUSE_NUMBER: &[&str] = &["huisnummer", "huisnr", "nr", "house_number", "housenumber"];
const POSTCODE: &[&str] = &[
    "postcode",
    "postal_code",
    "postalcode",
    "zip",
    "zipcode",
    "pc6",
    "pc4",
];
const CITY: &[&str] = &[
    "plaats",
    "woonplaats",
    "plaatsnaam",
    "city",
    "town",
    "vestigingsplaats",
];
const LAT: &[&str] = &["lat", "latitude", "breedtegraad", "lat_wgs84", "wgs84_lat"];
const LON: &[&str] = &[
    "lon",
    "lng",
    "long",
    "longitude",
    "lengtegraad",
    "lon_wgs84",
    "wgs84_lon",
];
const X: &[&str] = &[
    "x",
    "rd_x",
    "x_rd",
    "xcoord",
    "x_coord",
    "x_coordinaat",
    "rdx",
];
const Y: &[&str] = &[
    "y",
    "rd_y",
    "y_rd",
    "ycoord",
    "y_coord",
    "y_coordinaat",
    "rdy",
];
const CAPACITY: &[&str] = &[
    "capaciteit",
    "capacity",
    "fte",
    "aantal_fte",
    "aantal_huisartsen",
    "huisartsen",
    "plaatsen",
    "aantal_plaatsen",
    "places",
];

fn normalise(header: &str) -> String {
    header
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| {
            if matches!(c, ' ' | '-' | '.' | '/') {
                '_'
            } else {
                c
            }
        })
        .collect()
}

struct Finder<'a> {
    normalised: Vec<String>,
    headers: &'a [String],
}

impl Finder<'_> {
    /// The configured header (exact, then ignoring case), or the first known alias.
    fn find(
        &self,
        configured: Option<&String>,
        aliases: &[&str],
        what: &str,
    ) -> Result<Option<usize>, MissingColumn> {
        if let Some(name) = configured {
            return self
                .headers
                .iter()
                .position(|h| h == name)
                .or_else(|| self.normalised.iter().position(|h| *h == normalise(name)))
                .map(Some)
                .ok_or_else(|| MissingColumn {
                    wanted: format!("{name} (configured as columns.{what})"),
                });
        }
        Ok(aliases
            .iter()
            .find_map(|a| self.normalised.iter().position(|h| h == a)))
    }
}

/// Finds every column; a configured column that is absent is an error, as is a register
/// without a name column or without any way to locate its records.
pub fn find(headers: &[String], names: &ColumnNames) -> Result<ColumnMap, MissingColumn> {
    let f = Finder {
        normalised: headers.iter().map(|h| normalise(h)).collect(),
        headers,
    };
    let name = f
        .find(names.name.as_ref(), NAME, "name")?
        .ok_or_else(|| MissingColumn {
            wanted: "name (naam/name), or set columns.name".into(),
        })?;
    let pair = |a: Option<usize>, b: Option<usize>| a.zip(b);
    let map = ColumnMap {
        id: match f.find(names.id.as_ref(), ID, "id")? {
            // A register's own id column is often called `<register>_id`.
            None => f.normalised.iter().position(|h| h.ends_with("_id")),
            found => found,
        },
        name,
        category: f.find(names.category.as_ref(), CATEGORY, "category")?,
        address: f.find(names.address.as_ref(), ADDRESS, "address")?,
        street: f.find(names.street.as_ref(), STREET, "street")?,
        house_number: f.find(names.house_number.as_ref(), HOUSE_NUMBER, "house_number")?,
        postcode: f.find(names.postcode.as_ref(), POSTCODE, "postcode")?,
        city: f.find(names.city.as_ref(), CITY, "city")?,
        lat_lon: pair(
            f.find(names.lat.as_ref(), LAT, "lat")?,
            f.find(names.lon.as_ref(), LON, "lon")?,
        ),
        x_y: pair(
            f.find(names.x.as_ref(), X, "x")?,
            f.find(names.y.as_ref(), Y, "y")?,
        ),
        capacity: f.find(names.capacity.as_ref(), CAPACITY, "capacity")?,
    };
    if map.lat_lon.is_none() && map.x_y.is_none() && map.postcode.is_none() {
        return Err(MissingColumn {
            wanted: "a location: lat and lon, x and y (RD), or postcode".into(),
        });
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn finds_dutch_and_english_headers() {
        let h = headers(&[
            "Naam",
            "Soort",
            "Straat",
            "Huisnummer",
            "Postcode",
            "Woonplaats",
            "Breedtegraad",
            "Lengtegraad",
            "FTE",
        ]);
        let m = find(&h, &ColumnNames::default()).unwrap();
        assert_eq!(
            (m.name, m.category, m.street, m.house_number),
            (0, Some(1), Some(2), Some(3))
        );
        assert_eq!(
            (m.postcode, m.city, m.lat_lon, m.capacity),
            (Some(4), Some(5), Some((6, 7)), Some(8))
        );
        let h = headers(&["zorgkaart_id", "name", "address", "lng", "lat", "rd_x"]);
        let m = find(&h, &ColumnNames::default()).unwrap();
        assert_eq!((m.id, m.lat_lon, m.x_y), (Some(0), Some((4, 3)), None));
    }

    #[test]
    fn configured_columns_win_and_must_exist() {
        let h = headers(&["Praktijk", "PC"]);
        let names = ColumnNames {
            name: Some("Praktijk".into()),
            postcode: Some("pc".into()),
            ..Default::default()
        };
        let m = find(&h, &names).unwrap();
        assert_eq!((m.name, m.postcode), (0, Some(1)));
        let names = ColumnNames {
            city: Some("Plaats".into()),
            ..names
        };
        assert!(find(&h, &names)
            .unwrap_err()
            .wanted
            .contains("columns.city"));
        assert!(find(&headers(&["naam", "plaats"]), &ColumnNames::default())
            .unwrap_err()
            .wanted
            .contains("postcode"));
    }
}
