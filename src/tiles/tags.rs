//! A collection's properties as vector tile tags, made once per snapshot.
//!
//! A tile's layer stores each key and each value once and gives every feature index
//! pairs into those tables. Made per tile from the properties, that meant copying every
//! key and string value of every feature and hashing them as strings: half the time of
//! a tile made on request. Here each feature's tags are numbered once against one table
//! per collection, and a tile only renumbers the numbers it meets.

use super::mvt::{TileValue, Value};
use crate::features::{Collection, Item};
use std::collections::HashMap;

/// Every key and value of a collection's tags, and each item's tags as index pairs.
#[derive(Debug, Default)]
pub struct TagTable {
    keys: Vec<String>,
    values: Vec<TileValue>,
    /// The (key, value) index pairs of all items, one after another.
    pairs: Vec<u32>,
    /// Where each item's pairs start in `pairs`; one more entry than items.
    starts: Vec<u32>,
}

impl TagTable {
    /// The tags of every item of `collection`, in item order.
    pub fn new(collection: &Collection) -> TagTable {
        TagTable::from_rows(collection.items.iter().map(tags))
    }

    /// A table of rows of (key, value) tags, one row per feature, in their order.
    pub fn from_rows<R>(rows: impl IntoIterator<Item = R>) -> TagTable
    where
        R: IntoIterator<Item = (String, Value)>,
    {
        let mut table = TagTable {
            starts: vec![0],
            ..TagTable::default()
        };
        let mut keys: HashMap<String, u32> = HashMap::new();
        let mut values: HashMap<Value, u32> = HashMap::new();
        for row in rows {
            for (key, value) in row {
                let k = *keys.entry(key).or_insert_with_key(|key| {
                    table.keys.push(key.clone());
                    (table.keys.len() - 1) as u32
                });
                let v = *values.entry(value).or_insert_with_key(|value| {
                    table.values.push(value.to_tile());
                    (table.values.len() - 1) as u32
                });
                table.pairs.extend([k, v]);
            }
            table.starts.push(table.pairs.len() as u32);
        }
        table
    }

    /// The (key, value) index pairs of item `n`, flattened; none for an unknown item.
    pub fn of(&self, n: usize) -> &[u32] {
        match (self.starts.get(n), self.starts.get(n + 1)) {
            (Some(&a), Some(&b)) => &self.pairs[a as usize..b as usize],
            _ => &[],
        }
    }

    pub fn key_count(&self) -> usize {
        self.keys.len()
    }

    pub fn key(&self, k: u32) -> &str {
        self.keys.get(k as usize).map_or("", String::as_str)
    }

    pub fn value(&self, v: u32) -> TileValue {
        self.values.get(v as usize).cloned().unwrap_or_default()
    }
}

/// A feature's tags: its id, then its properties in their order. The id travels as
/// the `id` property. Nulls are left out: a missing key is how MVT says "no value".
fn tags(item: &Item) -> impl Iterator<Item = (String, Value)> + '_ {
    std::iter::once(("id".to_string(), Value::String(item.id.clone()))).chain(
        item.props.iter().filter_map(|(key, value)| {
            let v = match value {
                serde_json::Value::String(s) => Value::String(s.clone()),
                serde_json::Value::Bool(b) => Value::Bool(*b),
                serde_json::Value::Number(num) => match (num.as_i64(), num.as_f64()) {
                    (Some(i), _) => Value::Int(i),
                    (None, Some(f)) => Value::Double(f.to_bits()),
                    _ => return None,
                },
                _ => return None,
            };
            Some((key.clone(), v))
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_values_are_numbered_once_across_rows() {
        let table = TagTable::from_rows([
            vec![
                ("naam".to_string(), Value::String("A".into())),
                ("n".to_string(), Value::Int(0)),
            ],
            vec![("n".to_string(), Value::Int(1))],
            vec![
                ("n".to_string(), Value::Int(0)),
                ("naam".to_string(), Value::String("A".into())),
            ],
        ]);
        assert_eq!(table.of(0), [0, 0, 1, 1]);
        assert_eq!(table.of(1), [1, 2]);
        assert_eq!(table.of(2), [1, 1, 0, 0]);
        assert_eq!(table.of(3), [] as [u32; 0], "no such item");
        assert_eq!((table.key(0), table.key(1)), ("naam", "n"));
        assert_eq!(table.value(2).sint_value, Some(1));
        assert_eq!(table.value(0).string_value.as_deref(), Some("A"));
    }
}
