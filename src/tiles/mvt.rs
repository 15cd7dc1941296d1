//! The Mapbox Vector Tile format 2.1: its protobuf messages (prost), the geometry
//! commands, and a layer builder that shares keys and values through hash maps (one
//! national layer has some 150,000 tags; a linear search per tag took seconds).

use super::tags::TagTable;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// `vector_tile.proto` of the MVT 2.1 specification, the parts a writer needs.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Tile {
    #[prost(message, repeated, tag = "3")]
    pub layers: Vec<Layer>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct Layer {
    #[prost(uint32, required, tag = "15")]
    pub version: u32,
    #[prost(string, required, tag = "1")]
    pub name: String,
    #[prost(message, repeated, tag = "2")]
    pub features: Vec<Feature>,
    #[prost(string, repeated, tag = "3")]
    pub keys: Vec<String>,
    #[prost(message, repeated, tag = "4")]
    pub values: Vec<TileValue>,
    #[prost(uint32, optional, tag = "5")]
    pub extent: Option<u32>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct Feature {
    #[prost(uint64, optional, tag = "1")]
    pub id: Option<u64>,
    #[prost(uint32, repeated, tag = "2")]
    pub tags: Vec<u32>,
    #[prost(enumeration = "GeomType", optional, tag = "3")]
    pub r#type: Option<i32>,
    #[prost(uint32, repeated, tag = "4")]
    pub geometry: Vec<u32>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct TileValue {
    #[prost(string, optional, tag = "1")]
    pub string_value: Option<String>,
    #[prost(double, optional, tag = "3")]
    pub double_value: Option<f64>,
    #[prost(sint64, optional, tag = "6")]
    pub sint_value: Option<i64>,
    #[prost(bool, optional, tag = "7")]
    pub bool_value: Option<bool>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum GeomType {
    Unknown = 0,
    Point = 1,
    Linestring = 2,
    Polygon = 3,
}

/// A property value as a hash key (doubles by their bits: equal bits, same value).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    String(String),
    Double(u64),
    Int(i64),
    Bool(bool),
}

impl Value {
    /// The value as the tile stores it.
    pub fn to_tile(&self) -> TileValue {
        match self {
            Value::String(s) => TileValue {
                string_value: Some(s.clone()),
                ..Default::default()
            },
            Value::Double(bits) => TileValue {
                double_value: Some(f64::from_bits(*bits)),
                ..Default::default()
            },
            Value::Int(i) => TileValue {
                sint_value: Some(*i),
                ..Default::default()
            },
            Value::Bool(b) => TileValue {
                bool_value: Some(*b),
                ..Default::default()
            },
        }
    }
}

/// Builds one layer: features with their tags, keys and values each stored once, in
/// the order the layer's features first use them.
pub struct LayerBuilder<'t> {
    layer: Layer,
    table: &'t TagTable,
    /// The layer's index of each key of the table; `u32::MAX` until used.
    keys: Vec<u32>,
    /// The layer's index of each value of the table used so far.
    values: HashMap<u32, u32, BuildHasherDefault<IndexHasher>>,
}

impl<'t> LayerBuilder<'t> {
    /// An empty layer whose features take their tags from `table`.
    pub fn new(name: &str, extent: u32, table: &'t TagTable) -> Self {
        LayerBuilder {
            layer: Layer {
                version: 2,
                name: name.to_string(),
                extent: Some(extent),
                ..Default::default()
            },
            table,
            keys: vec![u32::MAX; table.key_count()],
            values: HashMap::default(),
        }
    }

    pub fn len(&self) -> usize {
        self.layer.features.len()
    }

    pub fn is_empty(&self) -> bool {
        self.layer.features.is_empty()
    }

    /// Adds a feature with the tags of the table's item `item`.
    pub fn add(&mut self, id: u64, geometry: Geometry, item: usize) {
        let pairs = self.table.of(item);
        let mut tags = Vec::with_capacity(pairs.len());
        for pair in pairs.chunks_exact(2) {
            let (k, v) = (pair[0], pair[1]);
            let ki = match self.keys.get_mut(k as usize) {
                Some(slot) if *slot != u32::MAX => *slot,
                Some(slot) => {
                    *slot = self.layer.keys.len() as u32;
                    self.layer.keys.push(self.table.key(k).to_string());
                    *slot
                }
                None => continue,
            };
            let next = self.layer.values.len() as u32;
            let vi = *self.values.entry(v).or_insert(next);
            if vi == next {
                self.layer.values.push(self.table.value(v));
            }
            tags.extend([ki, vi]);
        }
        self.layer.features.push(Feature {
            id: Some(id),
            tags,
            r#type: Some(geometry.kind as i32),
            geometry: geometry.commands,
        });
    }

    pub fn finish(self) -> Layer {
        self.layer
    }
}

/// Hashes the table's value indices: distinct small integers need no SipHash, and
/// the multiply spreads them over the high bits hashbrown reads too.
#[derive(Default)]
pub struct IndexHasher(u64);

impl Hasher for IndexHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// Encoded geometry commands of one feature.
pub struct Geometry {
    kind: GeomType,
    commands: Vec<u32>,
}

fn command(id: u32, count: u32) -> u32 {
    (id & 0x7) | (count << 3)
}

fn zigzag(n: i32) -> u32 {
    ((n << 1) ^ (n >> 31)) as u32
}

impl Geometry {
    /// One point, in tile units.
    pub fn point(x: i32, y: i32) -> Geometry {
        Geometry {
            kind: GeomType::Point,
            commands: vec![command(1, 1), zigzag(x), zigzag(y)],
        }
    }

    /// Polygon rings in tile units, first point not repeated, exteriors wound
    /// clockwise on screen and each followed by its holes (MVT 2.1, 4.3.4.4).
    pub fn polygon(rings: &[Vec<(i32, i32)>]) -> Geometry {
        let mut c = Vec::new();
        let (mut cx, mut cy) = (0i32, 0i32);
        for ring in rings.iter().filter(|r| r.len() >= 3) {
            let (x0, y0) = ring[0];
            c.extend([command(1, 1), zigzag(x0 - cx), zigzag(y0 - cy)]);
            (cx, cy) = (x0, y0);
            c.push(command(2, (ring.len() - 1) as u32));
            for &(x, y) in &ring[1..] {
                c.extend([zigzag(x - cx), zigzag(y - cy)]);
                (cx, cy) = (x, y);
            }
            c.push(command(7, 1));
        }
        Geometry {
            kind: GeomType::Polygon,
            commands: c,
        }
    }
}

pub fn encode(layers: Vec<Layer>) -> Vec<u8> {
    prost::Message::encode_to_vec(&Tile { layers })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spec_example_polygon_encodes_as_the_spec_says() {
        // MVT 2.1, 4.3.5.3 "Example polygon": (3,6) (8,12) (20,34), closed.
        let g = Geometry::polygon(&[vec![(3, 6), (8, 12), (20, 34)]]);
        assert_eq!(g.commands, [9, 6, 12, 18, 10, 12, 24, 44, 15]);
    }

    #[test]
    fn the_spec_example_point_encodes_as_the_spec_says() {
        // MVT 2.1, 4.3.5.1 "Example point": (25, 17).
        assert_eq!(Geometry::point(25, 17).commands, [9, 50, 34]);
    }

    #[test]
    fn keys_and_values_are_stored_once_in_the_order_features_use_them() {
        let table = TagTable::from_rows((0..4).map(|i| {
            [
                ("naam".to_string(), Value::String("A".into())),
                ("n".to_string(), Value::Int(i % 2)),
            ]
        }));
        let mut b = LayerBuilder::new("t", 4096, &table);
        // Item 1 first: its value 1 is the layer's first number.
        for item in [1, 0, 3] {
            b.add(item as u64, Geometry::point(1, 1), item);
        }
        let layer = b.finish();
        assert_eq!(layer.keys, ["naam", "n"]);
        let values: Vec<Option<i64>> = layer.values.iter().map(|v| v.sint_value).collect();
        assert_eq!(values, [None, Some(1), Some(0)], "'A', 1 and 0");
        assert_eq!(layer.features[0].tags, [0, 0, 1, 1]);
        assert_eq!(layer.features[1].tags, [0, 0, 1, 2]);
        assert_eq!(layer.features[2].tags, [0, 0, 1, 1]);
    }
}
