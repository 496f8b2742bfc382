//! The pins the harness runs: read from `pins.toml`, binaries found through `scripts/mise-bin`.
//!
//! Version quirks live in `pins.toml` as `[[pin.quirk]]` entries (an environment variable, its
//! value and why), so the harness code has no knowledge of any particular mise release.
//!
//! `SKILLRIG_PIN_BINARIES="<pin>=<path>,..."` hands the harness a binary for a pin instead (a
//! workbench build under test, or a cached binary while its inputs are being edited, so that no
//! run starts a build).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// The repository root (the harness crate sits one level below it).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(".."))
}

/// One pinned mise, as `pins.toml` declares it.
#[derive(Debug, Clone, Deserialize)]
pub struct Pin {
    /// The pin's name, e.g. `2026.4.20` or `2026.10.25+skillrig`.
    pub name: String,
    /// Whether the default matrix runs it.
    #[serde(default)]
    pub matrix: bool,
    /// The series this pin applies (`patches/mise-<version>`); `None` for a native pin.
    #[serde(default)]
    pub patches: Option<String>,
    /// Why it is pinned.
    pub why: String,
    /// Environment this pin's runs need (version quirks), each with its reason.
    #[serde(default, rename = "quirk")]
    pub quirks: Vec<Quirk>,
    /// A binary handed over for this pin (a packaged build): `binary()` returns it as is.
    #[serde(skip)]
    pub given_binary: Option<PathBuf>,
}

/// A version quirk: one environment variable a pin's runs need, and why.
#[derive(Debug, Clone, Deserialize)]
pub struct Quirk {
    /// The variable.
    pub env: String,
    /// Its value.
    pub value: String,
    /// Why this pin needs it.
    pub why: String,
}

impl Pin {
    /// Whether this pin carries the skillrig backend.
    pub fn has_skillrig(&self) -> bool {
        self.patches.is_some()
    }

    /// The quirks as environment variables.
    pub fn quirk_env(&self) -> BTreeMap<String, String> {
        self.quirks
            .iter()
            .map(|q| (q.env.clone(), q.value.clone()))
            .collect()
    }

    /// This pin run with `binary` instead of its own (the packaged build of a patched pin).
    pub fn with_binary(&self, binary: &Path) -> Self {
        Self {
            given_binary: Some(binary.to_path_buf()),
            ..self.clone()
        }
    }

    /// The absolute path of this pin's binary: the one [`Pin::with_binary`] gave it, else the one
    /// `SKILLRIG_PIN_BINARIES` names for it, else what `scripts/mise-bin` prints (fetching or
    /// building it first).
    pub fn binary(&self) -> Result<PathBuf> {
        if let Some(path) = &self.given_binary {
            return named_mise(path, &format!("the binary given for {}", self.name));
        }
        if let Some(path) = std::env::var(BINARIES_ENV)
            .ok()
            .and_then(|v| binary_override(&v, &self.name))
        {
            if !path.is_file() {
                bail!(
                    "{BINARIES_ENV} names {} for {}: no such file",
                    path.display(),
                    self.name
                );
            }
            return named_mise(&path, &format!("{BINARIES_ENV} for {}", self.name));
        }
        let script = repo_root().join("scripts").join("mise-bin");
        let output = Command::new(&script)
            .arg(&self.name)
            .stderr(std::process::Stdio::inherit())
            .output()
            .with_context(|| format!("running {}", script.display()))?;
        if !output.status.success() {
            bail!(
                "`scripts/mise-bin {}` failed ({})",
                self.name,
                output.status
            );
        }
        let path = String::from_utf8(output.stdout).context("mise-bin printed a non-UTF-8 path")?;
        Ok(PathBuf::from(path.trim()))
    }
}

/// `path`, if its file name is `mise`: under any other name mise runs as a shim of that name
/// (`changed-mise is not a valid shim`), so every command of a run would fail for that reason.
fn named_mise(path: &Path, what: &str) -> Result<PathBuf> {
    if path.file_name().is_some_and(|n| n == "mise") {
        return Ok(path.to_path_buf());
    }
    bail!(
        "{what} is {}: name the file `mise` (mise runs as a shim under any other name), e.g. put \
         it in a directory of its own",
        path.display()
    )
}

/// The variable that hands the harness binaries for pins: `<pin>=<path>,...`.
pub const BINARIES_ENV: &str = "SKILLRIG_PIN_BINARIES";

/// The path `value` (`<pin>=<path>,...`) gives for `pin`.
fn binary_override(value: &str, pin: &str) -> Option<PathBuf> {
    value
        .split(',')
        .filter_map(|entry| entry.trim().split_once('='))
        .find(|(name, _)| *name == pin)
        .map(|(_, path)| PathBuf::from(path))
}

#[derive(Debug, Deserialize)]
struct PinsFile {
    schema: u32,
    #[serde(rename = "pin")]
    pins: Vec<Pin>,
}

/// Every pin in `pins.toml`, in file order.
pub fn load() -> Result<Vec<Pin>> {
    let path = repo_root().join("pins.toml");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let file: PinsFile =
        toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    if file.schema != 1 {
        bail!("{}: schema {} is not 1", path.display(), file.schema);
    }
    Ok(file.pins)
}

/// The pins named, or the default matrix pins when none are named.
pub fn select(names: &[String]) -> Result<Vec<Pin>> {
    let all = load()?;
    if names.is_empty() {
        return Ok(all.into_iter().filter(|p| p.matrix).collect());
    }
    names
        .iter()
        .map(|name| {
            all.iter()
                .find(|p| &p.name == name)
                .cloned()
                .with_context(|| {
                    let known: Vec<_> = all.iter().map(|p| p.name.as_str()).collect();
                    format!(
                        "no pin named {name:?} in pins.toml; pins: {}",
                        known.join(", ")
                    )
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_pins_include_one_patched_pin() {
        let pins = select(&[]).expect("pins.toml parses");
        assert!(pins.len() >= 2);
        assert_eq!(pins.iter().filter(|p| p.has_skillrig()).count(), 1);
    }

    #[test]
    fn a_binary_not_named_mise_is_refused_with_the_fix() {
        let pin = load().expect("pins.toml").remove(0);
        let err = pin
            .with_binary(Path::new("/tmp/changed-mise"))
            .binary()
            .expect_err("refused");
        assert!(err.to_string().contains("name the file `mise`"), "{err}");
        assert_eq!(
            pin.with_binary(Path::new("/tmp/x/mise"))
                .binary()
                .expect("named mise"),
            Path::new("/tmp/x/mise")
        );
    }

    #[test]
    fn overrides_name_a_binary_per_pin() {
        let value = "2026.10.25=/a/mise, 2026.10.25+skillrig=/b/mise";
        assert_eq!(
            binary_override(value, "2026.10.25+skillrig"),
            Some(PathBuf::from("/b/mise"))
        );
        assert_eq!(
            binary_override(value, "2026.10.25"),
            Some(PathBuf::from("/a/mise"))
        );
        assert_eq!(binary_override(value, "2026.4.20"), None);
    }

    #[test]
    fn unknown_pin_names_the_known_ones() {
        let err = select(&["1999.1.1".to_string()]).unwrap_err().to_string();
        assert!(err.contains("2026.4.20"), "{err}");
    }
}
