//! Area profiles from the real server on the bundled data: every figure beside its
//! gemeente and the Netherlands, checked against the layers the same server serves.

mod common;
use common::Server;
use serde_json::Value;

fn figure<'a>(profile: &'a Value, key: &str) -> &'a Value {
    profile["figures"]
        .as_array()
        .expect("figures")
        .iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("no figure {key}"))
}

#[test]
fn a_wijk_profile_compares_with_its_gemeente_and_the_country() {
    let server = Server::start(&[]);
    let p = server.json("/profiles/WK050501");
    assert_eq!(p["name"], "Wijk 01 Binnenstad");
    assert_eq!(p["gemeente"][0], "GM0505");
    let wijk = server.json("/collections/wijken/items/WK050501");
    let gemeente = server.json("/collections/gemeenten/items/GM0505");
    let people = figure(&p, "inwoners");
    assert_eq!(people["value"], wijk["properties"]["inwoners"]);
    assert_eq!(
        people["gemeente"]["value"],
        gemeente["properties"]["inwoners"]
    );
    // The country is the sum over the gemeenten the server serves.
    let all =
        server.json("/collections/gemeenten/items?limit=10000&properties=inwoners,pct_65plus");
    let total: f64 = all["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter_map(|f| f["properties"]["inwoners"].as_f64())
        .sum();
    assert_eq!(people["nederland"]["value"].as_f64(), Some(total));
    assert!(people["standing"].is_null(), "a count has no standing");
    // A share: weighted by inhabitants over the gemeenten, with a standing in words.
    let old = figure(&p, "pct_65plus");
    let weighted: (f64, f64) = all["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter_map(|f| {
            let g = &f["properties"];
            let (share, people) = (g["pct_65plus"].as_f64()?, g["inwoners"].as_f64()?);
            Some((share * people, people))
        })
        .fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
    let nl = old["nederland"]["value"].as_f64().expect("national 65+");
    assert!(
        (nl - weighted.0 / weighted.1).abs() < 1e-6,
        "{nl} vs {}",
        weighted.0 / weighted.1
    );
    assert!(old["nederland"]["how"]
        .as_str()
        .expect("how")
        .contains("gewogen naar inwoners"));
    assert!(old["standing_label"]
        .as_str()
        .expect("standing")
        .contains("gemiddelde"));
    // Per category: the gap rank of the analysis level and its reason.
    let hospital = p["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .find(|c| c["category"] == "ziekenhuis")
        .expect("ziekenhuis");
    assert_eq!(hospital["rank"], wijk["properties"]["ziekenhuis_rang"]);
    assert!(hospital["reason"].as_str().is_some_and(|r| !r.is_empty()));
    assert!(p["housing_caveat"]
        .as_str()
        .expect("caveat")
        .contains("sociale huur"));
}

#[test]
fn a_profile_downloads_as_csv_and_bad_codes_are_clear_errors() {
    let server = Server::start(&[]);
    let (status, content_type, body) = server.get("/profiles/BU03080000?f=csv");
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let mut lines = body.lines();
    assert!(lines
        .next()
        .expect("header")
        .starts_with("onderdeel,code,naam,eenheid,waarde,wijk"));
    assert!(body.contains("\nkerncijfer,inwoners,"), "{body}");
    assert!(body.contains("\nvoorziening,ziekenhuis,"), "{body}");
    // A string that is no code names no profile, as an unknown code does not.
    let (status, content_type, body) = server.get("/profiles/XX12");
    assert_eq!(status, 404);
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    assert!(body.contains("not a CBS area code"), "{body}");
    let (status, _, body) = server.get("/profiles/GM9999");
    assert_eq!(status, 404);
    assert!(body.contains("GM9999"), "{body}");
    let (status, content_type, body) = server.get("/profiles/GM0505?f=pdf");
    assert_eq!(status, 400);
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    assert!(
        body.contains("xlsx"),
        "the error lists what is offered: {body}"
    );
}

/// The bytes of a download, with its content type and disposition.
fn download(server: &Server, path: &str) -> (u16, String, String, Vec<u8>) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut resp = agent.get(&server.url(path)).call().expect("request");
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let (content_type, disposition) = (header("content-type"), header("content-disposition"));
    let status = resp.status().as_u16();
    let bytes = resp.body_mut().read_to_vec().expect("body");
    (status, content_type, disposition, bytes)
}

#[test]
fn a_profile_downloads_as_xlsx_with_the_values_of_the_json() {
    use calamine::{Data, Reader, Xlsx};
    let server = Server::start(&[]);
    let p = server.json("/profiles/WK050501");
    let (status, content_type, disposition, bytes) = download(&server, "/profiles/WK050501?f=xlsx");
    assert_eq!(status, 200);
    assert_eq!(
        content_type,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(
        disposition,
        r#"attachment; filename="profiel-WK050501.xlsx""#
    );
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("an XLSX file");
    // An "Ontwikkeling" sheet follows when an earlier year is loaded.
    assert_eq!(
        book.sheet_names()[..3],
        ["Kerncijfers", "Voorzieningen", "Gebied"]
    );
    let figures = book.worksheet_range("Kerncijfers").expect("Kerncijfers");
    let header: Vec<String> = figures
        .rows()
        .next()
        .expect("a header")
        .iter()
        .map(|c| c.to_string())
        .collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
    };
    let json_figures = p["figures"].as_array().expect("figures");
    assert_eq!(
        figures.height() - 1,
        json_figures.len(),
        "one row per figure"
    );
    let number = |c: &Data| match c {
        Data::Float(v) => Some(*v),
        Data::Int(v) => Some(*v as f64),
        Data::Empty => None,
        other => panic!("{other:?} is not a number cell"),
    };
    // Numbers are written to three decimals, as in the CSV.
    let same = |cell: &Data, json: &Value| match (number(cell), json.as_f64()) {
        (Some(a), Some(b)) => (a - b).abs() <= 0.0005,
        (a, b) => a.is_none() && b.is_none(),
    };
    for (row, f) in figures.rows().skip(1).zip(json_figures) {
        assert_eq!(
            row[col("code")].to_string(),
            f["key"].as_str().expect("key")
        );
        assert!(same(&row[col("waarde")], &f["value"]), "{f}");
        assert!(same(&row[col("gemeente")], &f["gemeente"]["value"]), "{f}");
        assert!(
            same(&row[col("Nederland")], &f["nederland"]["value"]),
            "{f}"
        );
        assert_eq!(
            row[col("Nederland (hoe)")].to_string(),
            f["nederland"]["how"].as_str().unwrap_or(""),
        );
    }
    let people = figures
        .rows()
        .find(|r| r[0] == "inwoners")
        .expect("inwoners");
    assert!(
        matches!(people[col("waarde")], Data::Float(_)),
        "numbers are numbers"
    );
    let places = book
        .worksheet_range("Voorzieningen")
        .expect("Voorzieningen");
    let hospital = places
        .rows()
        .find(|r| r[0] == "ziekenhuis")
        .expect("ziekenhuis");
    let json_hospital = p["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .find(|c| c["category"] == "ziekenhuis")
        .expect("ziekenhuis");
    assert_eq!(number(&hospital[2]), json_hospital["nearest_m"].as_f64());
    assert_eq!(number(&hospital[6]), json_hospital["rank"].as_f64());
    assert_eq!(
        hospital[9].to_string(),
        json_hospital["reason"].as_str().expect("reason")
    );
}

#[test]
fn distances_per_category_come_with_the_gemeente_and_the_country() {
    let server = Server::start(&[]);
    let p = server.json("/profiles/WK050501");
    let hospital = p["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .find(|c| c["category"] == "ziekenhuis")
        .expect("ziekenhuis");
    // The country: the inhabitant-weighted mean over the wijken the server serves.
    let all = server
        .json("/collections/wijken/items?limit=10000&properties=inwoners,ziekenhuis_afstand_m");
    let (sum, people) = all["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter_map(|f| {
            let w = &f["properties"];
            let (d, n) = (w["ziekenhuis_afstand_m"].as_f64()?, w["inwoners"].as_f64()?);
            (n > 0.0).then_some((d * n, n))
        })
        .fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
    let nl = hospital["nearest_nederland"]["value"]
        .as_f64()
        .expect("national distance");
    assert!((nl - sum / people).abs() <= 1.0, "{nl} vs {}", sum / people);
    assert!(hospital["nearest_nederland"]["how"]
        .as_str()
        .expect("how")
        .contains("gewogen naar inwoners"));
    assert!(
        hospital["nearest_gemeente"]["value"].as_f64().is_some(),
        "{hospital}"
    );
}

#[test]
fn the_profile_page_links_the_downloads_and_the_embeddable_map() {
    let server = Server::start(&[]);
    let (status, _, page) = server.get("/profiles/WK050501?f=html");
    assert_eq!(status, 200);
    assert!(
        page.contains(r#"href="/profiles/WK050501?f=xlsx""#),
        "{page}"
    );
    assert!(
        page.contains("GGD-regio: niet in de geladen gegevens"),
        "{page}"
    );
    assert!(
        page.contains("&lt;iframe src=&quot;http://127.0.0.1:")
            && page.contains("/kaart/embed?gemeente=GM0505&amp;categorie=ziekenhuis&quot;"),
        "the iframe code names this server and the gemeente: {page}"
    );
}

/// The page in its parts, in reading order, one row per category and per figure of the
/// JSON, each row headed by its label: what a reader of the page relies on.
#[test]
fn the_profile_page_shows_every_category_and_figure_of_the_json_in_order() {
    let server = Server::start(&[]);
    for code in ["GM0505", "WK050501"] {
        let p = server.json(&format!("/profiles/{code}"));
        let (status, _, page) = server.get(&format!("/profiles/{code}?f=html"));
        assert_eq!(status, 200);
        let at = |needle: &str| {
            page.find(needle)
                .unwrap_or_else(|| panic!("{code}: no {needle:?} in {page}"))
        };
        let parts = [
            "Bekijk op de kaart",
            "Provincie en GGD-regio",
            "In één oogopslag",
            r#"<ul id="samenvatting-tekst">"#,
            "Behoefte-index: <strong>",
            "<caption>Per categorie",
            "Wonen: het doel van",
            "<h2>Alle kerncijfers</h2>",
        ];
        let places: Vec<usize> = parts.iter().map(|s| at(s)).collect();
        assert!(
            places.windows(2).all(|w| w[0] < w[1]),
            "{code}: {parts:?} out of order"
        );
        let table = |from: &str| {
            let start = at(from);
            let end = start + page[start..].find("</table>").expect("table end");
            &page[start..end]
        };
        let row_heads = |html: &str| -> Vec<String> {
            html.split(r#"<tr><th scope="row">"#)
                .skip(1)
                .map(|r| r[..r.find('<').unwrap_or(r.len())].trim_end().to_string())
                .collect()
        };
        let labels = |key: &str| -> Vec<String> {
            p[key]
                .as_array()
                .expect(key)
                .iter()
                .map(|r| {
                    r["label"]
                        .as_str()
                        .expect("label")
                        .replace('&', "&amp;")
                        .replace('\'', "&#39;")
                })
                .collect()
        };
        assert_eq!(
            row_heads(table("<caption>Per categorie")),
            labels("categories"),
            "{code}"
        );
        assert_eq!(
            row_heads(table("<h2>Alle kerncijfers</h2>")),
            labels("figures"),
            "{code}"
        );
    }
}
