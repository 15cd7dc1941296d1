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
    let (status, _, body) = server.get("/profiles/XX12");
    assert_eq!(status, 400);
    assert!(body.contains("not a CBS area code"), "{body}");
    let (status, _, body) = server.get("/profiles/GM9999");
    assert_eq!(status, 404);
    assert!(body.contains("GM9999"), "{body}");
    assert_eq!(server.get("/profiles/GM0505?f=pdf").0, 400);
}
