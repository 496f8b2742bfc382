//! The contract as written, before any rule is checked: one shape for both TOML and JSON.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

/// The fields a `[[binaries]]` entry may hold, in the order the docs list them.
pub(crate) const FIELDS: [&str; 7] = ["name", "tag", "asset", "checksums", "bin", "os", "arch"];

/// The whole file; keys other than these two belong to the rest of skillrig and are ignored.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawOrigin {
    pub binaries_convention: Option<i64>,
    pub binaries: Option<Vec<RawBinary>>,
}

/// One `[[binaries]]` entry. Unknown keys are collected rather than ignored so that a typo such as
/// `assets` is reported with the binary's name instead of silently dropping the field.
#[derive(Debug, Default, Serialize)]
pub(crate) struct RawBinary {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asset: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checksums: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bin: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub os: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub arch: BTreeMap<String, String>,
    #[serde(skip)]
    pub unknown: Vec<String>,
}

impl<'de> Deserialize<'de> for RawBinary {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(RawBinaryVisitor)
    }
}

struct RawBinaryVisitor;

impl<'de> Visitor<'de> for RawBinaryVisitor {
    type Value = RawBinary;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a table of binary fields (name, tag, asset, ...)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawBinary, A::Error> {
        let mut raw = RawBinary::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "name" => set(&mut raw.name, "name", map.next_value()?)?,
                "tag" => set(&mut raw.tag, "tag", map.next_value()?)?,
                "asset" => set(&mut raw.asset, "asset", map.next_value()?)?,
                "checksums" => set(&mut raw.checksums, "checksums", map.next_value()?)?,
                "bin" => set(&mut raw.bin, "bin", map.next_value()?)?,
                "os" => set_map(&mut raw.os, "os", map.next_value()?)?,
                "arch" => set_map(&mut raw.arch, "arch", map.next_value()?)?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    raw.unknown.push(key);
                }
            }
        }
        Ok(raw)
    }
}

/// JSON allows a key twice; the contract does not.
fn set<E: de::Error>(
    slot: &mut Option<String>,
    field: &'static str,
    value: String,
) -> Result<(), E> {
    if slot.replace(value).is_some() {
        return Err(E::duplicate_field(field));
    }
    Ok(())
}

fn set_map<E: de::Error>(
    slot: &mut BTreeMap<String, String>,
    field: &'static str,
    value: BTreeMap<String, String>,
) -> Result<(), E> {
    if !std::mem::replace(slot, value).is_empty() {
        return Err(E::duplicate_field(field));
    }
    Ok(())
}

/// The contract as `index.json` (or TOML) writes it back.
#[derive(Debug, Serialize)]
pub(crate) struct RawOriginOut<'a> {
    pub binaries_convention: u32,
    pub binaries: &'a [RawBinary],
}
