//! A property null in every feature of a collection is not written into its features,
//! while the queryables still list it (with the type the model gives) and filters on it
//! behave as on a null.

use std::collections::HashMap;
use std::path::Path;
use wijkatlas::crs::Crs;
use wijkatlas::features::{self, ItemsQuery};

#[test]
fn properties_null_everywhere_are_left_out_but_stay_queryable() {
    let loaded = wijkatlas::load::load_dir(Path::new("data")).expect("the bundled data loads");
    let dataset = &loaded.dataset;
    let collections = features::build(dataset, &HashMap::new());
    let mut dropped_seen = 0;
    for c in &collections {
        // Every property a feature carries has a value in some feature.
        let mut valued: HashMap<String, bool> = HashMap::new();
        for item in &c.items {
            let in_crs84: serde_json::Value =
                serde_json::from_slice(&c.render(dataset, item, Crs::Crs84, None, None))
                    .expect("a feature is JSON");
            for crs in Crs::ALL {
                let f: serde_json::Value =
                    serde_json::from_slice(&c.render(dataset, item, crs, None, None))
                        .expect("a feature is JSON");
                // Written on request in other CRSs, with the same properties and id.
                assert_eq!(
                    f["properties"], in_crs84["properties"],
                    "{} {crs:?}",
                    item.id
                );
                assert_eq!(f["id"], in_crs84["id"], "{} {crs:?}", item.id);
                for (k, v) in f["properties"].as_object().expect("properties") {
                    *valued.entry(k.clone()).or_default() |= !v.is_null();
                }
            }
        }
        let all_null: Vec<&String> = valued
            .iter()
            .filter(|(_, v)| !**v)
            .map(|(k, _)| k)
            .collect();
        assert!(
            all_null.is_empty(),
            "{}: null in every feature yet written: {all_null:?}",
            c.id
        );
        // Queryables hold every served property, and the left-out ones the model types.
        for name in c.properties.keys() {
            assert!(c.queryables.contains_key(name), "{}: {name}", c.id);
        }
        let dropped: Vec<&String> = c
            .queryables
            .keys()
            .filter(|k| !c.properties.contains_key(*k))
            .collect();
        for name in dropped {
            assert!(!valued.contains_key(name), "{}: {name} is served", c.id);
            dropped_seen += 1;
            let count = |filter: String| {
                let pairs = vec![("filter".to_string(), filter)];
                let q = ItemsQuery::parse(&pairs, c).expect("a filter on a queryable parses");
                c.query(dataset, &q).matched
            };
            let located = c.items.len();
            assert_eq!(
                count(format!("{name} IS NULL")),
                located,
                "{}: {name}",
                c.id
            );
            let typed = if c.queryables[name] == "number" {
                format!("{name} > 0")
            } else {
                format!("{name} = 'x'")
            };
            assert_eq!(count(typed), 0, "{}: {name}", c.id);
            let q = ItemsQuery::parse(&[(name.clone(), "null".to_string())], c)
                .expect("a property parameter on a queryable parses");
            assert_eq!(
                c.query(dataset, &q).matched,
                located,
                "{}: {name}=null",
                c.id
            );
        }
    }
    // The bundled wijken lack several CBS figures: without any dropped property this
    // test would check nothing.
    assert!(
        dropped_seen > 0,
        "no property was null everywhere in the bundled data"
    );
}
