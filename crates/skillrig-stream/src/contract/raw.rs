//! The origin metadata as written, before any rule is checked: one shape for `.skillrig-origin.toml`
//! and `index.json`.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

/// The fields a `[[binaries]]` entry may hold, in the order the docs list them: RFC 0001's (`name`,
/// `stream`, `asset`, `checksums`, `bin`, `platforms`) and this backend's extensions (`tag`, `os`,
/// `arch`).
pub(crate) const FIELDS: [&str; 9] = [
    "name",
    "stream",
    "asset",
    "checksums",
    "bin",
    "platforms",
    "tag",
    "os",
    "arch",
];

/// The three spellings of the convention version an origin file may use: the origin template's,
/// RFC 0001's TOML and `index.json`'s.
pub(crate) const CONVENTION_KEYS: [&str; 3] = [
    "convention_version",
    "skillrig-convention",
    "skillrigConvention",
];

/// The whole file. Every other key (`origin`, `skills_dir`, `skills`, ...) belongs to the rest of
/// skillrig and is read past, whatever its type.
#[derive(Debug, Default)]
pub(crate) struct RawOrigin {
    /// `(key, value)` of every convention version key present, in file order.
    pub conventions: Vec<(&'static str, i64)>,
    pub binaries: Option<Vec<RawBinary>>,
}

impl<'de> Deserialize<'de> for RawOrigin {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(RawOriginVisitor)
    }
}

struct RawOriginVisitor;

impl<'de> Visitor<'de> for RawOriginVisitor {
    type Value = RawOrigin;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a table of origin metadata")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawOrigin, A::Error> {
        let mut raw = RawOrigin::default();
        while let Some(key) = map.next_key::<String>()? {
            if let Some(known) = CONVENTION_KEYS.iter().find(|k| **k == key) {
                raw.conventions.push((known, map.next_value()?));
            } else if key == "binaries" {
                if raw.binaries.replace(map.next_value()?).is_some() {
                    return Err(de::Error::duplicate_field("binaries"));
                }
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(raw)
    }
}

/// One `[[binaries]]` entry. Unknown keys are collected rather than ignored so that a typo such as
/// `assets` is reported with the binary's name instead of silently dropping the field.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct RawBinary {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asset: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checksums: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bin: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub platforms: BTreeMap<String, RawPlatform>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub os: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub arch: BTreeMap<String, String>,
    #[serde(skip)]
    pub unknown: Vec<String>,
}

/// One `[binaries.platforms.<os>-<arch>]` table: the asset's own os and arch tokens there.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPlatform {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
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
        f.write_str("a table of binary fields (name, stream, asset, ...)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawBinary, A::Error> {
        let mut raw = RawBinary::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "name" => set(&mut raw.name, "name", map.next_value()?)?,
                "stream" => set(&mut raw.stream, "stream", map.next_value()?)?,
                "asset" => set(&mut raw.asset, "asset", map.next_value()?)?,
                "checksums" => set(&mut raw.checksums, "checksums", map.next_value()?)?,
                "bin" => set(&mut raw.bin, "bin", map.next_value()?)?,
                "platforms" => set_map(&mut raw.platforms, "platforms", map.next_value()?)?,
                "tag" => set(&mut raw.tag, "tag", map.next_value()?)?,
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

/// JSON allows a key twice; the metadata does not.
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

fn set_map<E: de::Error, V>(
    slot: &mut BTreeMap<String, V>,
    field: &'static str,
    value: BTreeMap<String, V>,
) -> Result<(), E> {
    if !std::mem::replace(slot, value).is_empty() {
        return Err(E::duplicate_field(field));
    }
    Ok(())
}

/// The metadata as `index.json` mirrors it (`skillrigConvention` and `binaries`).
#[derive(Debug, Serialize)]
pub(crate) struct RawOriginOut<'a> {
    #[serde(rename = "skillrigConvention")]
    pub convention: u32,
    pub binaries: &'a [RawBinary],
}
