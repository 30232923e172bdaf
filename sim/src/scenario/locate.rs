//! Field paths (`subnets[0].validators.stake.alpha`) and where they stand in the YAML text.
//!
//! yaml_serde attaches the line and column of the node being read to any error a visitor
//! raises. So to find a path we read the document once more with a seed that walks down the
//! path, skipping everything else, and raises an error at the deepest node it reaches; the
//! error's location is the answer. A path to a field that was left to its default points at
//! the nearest enclosing mapping that is in the file.

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// One step of a field path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// A mapping key.
    Key(String),
    /// A sequence index.
    Index(usize),
}

/// Split `a.b[2].c` into segments. Returns `None` for a malformed path.
pub fn parse_path(path: &str) -> Option<Vec<Segment>> {
    let mut out = Vec::new();
    if path.is_empty() || path == "." {
        return Some(out);
    }
    for part in path.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            out.push(Segment::Key(key.to_string()));
        } else if rest.is_empty() {
            return None;
        }
        while let Some(stripped) = rest.strip_prefix('[') {
            let end = stripped.find(']')?;
            out.push(Segment::Index(stripped[..end].parse().ok()?));
            rest = &stripped[end + 1..];
        }
        if !rest.is_empty() {
            return None;
        }
    }
    Some(out)
}

/// The node at `path` in a YAML tree, if the tree has one there.
pub fn value_at<'a>(doc: &'a yaml_serde::Value, path: &str) -> Option<&'a yaml_serde::Value> {
    parse_path(path)?
        .iter()
        .try_fold(doc, |node, segment| match segment {
            Segment::Key(k) => node.as_mapping()?.get(k.as_str()),
            Segment::Index(i) => node.as_sequence()?.get(*i),
        })
}

const FOUND: &str = "subnetlab-locate";

/// Line and column (1-based) of the node at `path` in `text`, or of its deepest ancestor
/// present in the text. `None` if the text is not YAML.
pub fn locate(text: &str, path: &[Segment]) -> Option<(usize, usize)> {
    let de = yaml_serde::Deserializer::from_str(text);
    match Seek(path).deserialize(de) {
        Ok(()) => None,
        Err(e) => e.location().map(|l| (l.line(), l.column())),
    }
}

struct Seek<'p>(&'p [Segment]);

impl<'de> DeserializeSeed<'de> for Seek<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seek<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML node")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        if let Some((Segment::Key(want), rest)) = self.0.split_first() {
            while let Some(key) = map.next_key::<yaml_serde::Value>()? {
                let matches = match &key {
                    yaml_serde::Value::String(s) => s == want,
                    yaml_serde::Value::Number(n) => n.to_string() == *want,
                    _ => false,
                };
                if matches {
                    return map.next_value_seed(Seek(rest));
                }
                map.next_value::<IgnoredAny>()?;
            }
        }
        Err(de::Error::custom(FOUND))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if let Some((Segment::Index(want), rest)) = self.0.split_first() {
            let mut i = 0;
            while i < *want {
                if seq.next_element::<IgnoredAny>()?.is_none() {
                    return Err(de::Error::custom(FOUND));
                }
                i += 1;
            }
            if seq.next_element_seed(Seek(rest))?.is_some() {
                return Ok(());
            }
        }
        Err(de::Error::custom(FOUND))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(E::custom(FOUND))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(E::custom(FOUND))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(E::custom(FOUND))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(E::custom(FOUND))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(E::custom(FOUND))
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Err(E::custom(FOUND))
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Err(E::custom(FOUND))
    }
}

/// Where the first duplicate mapping key stands in `text`, as (line, column, field path).
/// yaml_serde refuses a duplicate but places it at the start of the mapping holding it (1:1
/// for a top-level key), so the document is walked once more, raising an error at the
/// duplicate key itself, whose location is then the answer.
pub fn duplicate_key(text: &str) -> Option<(usize, usize, String)> {
    let de = yaml_serde::Deserializer::from_str(text);
    let mut found = None;
    let result = Unique {
        path: String::new(),
        found: &mut found,
    }
    .deserialize(de);
    let location = result.err()?.location()?;
    Some((location.line(), location.column(), found?))
}

/// Walks a node, failing at the first key repeated within one mapping; `found` gets its path.
struct Unique<'f> {
    path: String,
    found: &'f mut Option<String>,
}

impl<'de> DeserializeSeed<'de> for Unique<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Unique<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML node")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = Vec::new();
        while let Some(key) = map.next_key_seed(Key {
            seen: &mut seen,
            parent: &self.path,
            found: &mut *self.found,
        })? {
            let path = if self.path.is_empty() {
                key
            } else {
                format!("{}.{key}", self.path)
            };
            map.next_value_seed(Unique {
                path,
                found: &mut *self.found,
            })?;
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        while seq
            .next_element_seed(Unique {
                path: format!("{}[{i}]", self.path),
                found: &mut *self.found,
            })?
            .is_some()
        {
            i += 1;
        }
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

/// A mapping key, as text; an error (located at the key) if `seen` has it already.
struct Key<'a> {
    seen: &'a mut Vec<String>,
    parent: &'a str,
    found: &'a mut Option<String>,
}

impl Key<'_> {
    fn check<E: de::Error>(self, key: String) -> Result<String, E> {
        if self.seen.contains(&key) {
            *self.found = Some(if self.parent.is_empty() {
                key
            } else {
                format!("{}.{key}", self.parent)
            });
            return Err(E::custom("duplicate key"));
        }
        self.seen.push(key.clone());
        Ok(key)
    }
}

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = String;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        self.check(v.to_string())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        self.check(v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        self.check(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        self.check(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        self.check(v.to_string())
    }
    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        self.check("null".into())
    }
    // A list or a map as a key: never compared (the scenario has none); walked past.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<String, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(String::new())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<String, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(String::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "name: x\nsubnets:\n  - netuid: 1\n    validators:\n      count: 3\n      stake: {distribution: pareto, alpha: -1}\n  - netuid: 2\n";

    #[test]
    fn parses_paths() {
        assert_eq!(
            parse_path("subnets[0].validators.stake").unwrap(),
            vec![
                Segment::Key("subnets".into()),
                Segment::Index(0),
                Segment::Key("validators".into()),
                Segment::Key("stake".into())
            ]
        );
        assert_eq!(parse_path("a[1][2]").unwrap().len(), 3);
        assert!(parse_path("a[x]").is_none());
        assert!(parse_path("a..b").is_none());
    }

    #[test]
    fn finds_nested_flow_value() {
        let p = parse_path("subnets[0].validators.stake.alpha").unwrap();
        assert_eq!(locate(DOC, &p), Some((6, 44))); // the `-1`
        let p = parse_path("subnets[1].netuid").unwrap();
        assert_eq!(locate(DOC, &p), Some((7, 13)));
    }

    #[test]
    fn duplicate_keys_are_found_where_they_stand() {
        // Hand-checked: the second `name` is at line 2, the second `count` at line 5 column 7.
        assert_eq!(
            duplicate_key("name: a\nname: b\n"),
            Some((2, 1, "name".into()))
        );
        let text = "name: a\nsubnets:\n  - validators:\n      count: 1\n      count: 2\n";
        assert_eq!(
            duplicate_key(text),
            Some((5, 7, "subnets[0].validators.count".into()))
        );
        assert_eq!(duplicate_key(DOC), None);
    }

    #[test]
    fn missing_field_points_at_nearest_ancestor() {
        // `subnets[1].miners` is absent: the answer is the mapping of subnets[1].
        let p = parse_path("subnets[1].miners.count").unwrap();
        assert_eq!(locate(DOC, &p), Some((7, 5)));
    }
}
