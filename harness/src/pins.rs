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

use crate::scenario::BackendKind;

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
#[serde(deny_unknown_fields)]
pub struct Quirk {
    /// The variable.
    pub env: String,
    /// Its value.
    pub value: String,
    /// Why this pin needs it.
    pub why: String,
    /// Only the runs of scenarios of this backend need it (all runs when absent).
    #[serde(default)]
    pub backend: Option<BackendKind>,
}

impl Pin {
    /// Whether this pin carries the skillrig backend.
    pub fn has_skillrig(&self) -> bool {
        self.patches.is_some()
    }

    /// The quirks a run of a `backend` scenario needs, as environment variables.
    pub fn quirk_env(&self, backend: BackendKind) -> BTreeMap<String, String> {
        self.quirks
            .iter()
            .filter(|q| q.backend.is_none_or(|b| b == backend))
            .map(|q| (q.env.clone(), q.value.clone()))
            .collect()
    }

    /// The files the pin's series adds below `dir` (`e2e/` for its e2e tests), as (path, text),
    /// read from the patch files: what the series carries, whichever build runs.
    pub fn series_new_files(&self, dir: &str) -> Result<Vec<(String, String)>> {
        let Some(patches) = &self.patches else {
            return Ok(vec![]);
        };
        let series_dir = repo_root().join(patches);
        let series = std::fs::read_to_string(series_dir.join("series"))
            .with_context(|| format!("reading {}/series", series_dir.display()))?;
        let mut found = Vec::new();
        for name in series
            .lines()
            .map(|l| l.split('#').next().unwrap_or("").trim())
        {
            if name.is_empty() {
                continue;
            }
            let path = series_dir.join(name);
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            found.extend(new_files_in_patch(&text).filter(|(p, _)| p.starts_with(dir)));
        }
        Ok(found)
    }

    /// This pin run with `binary` instead of its own (the packaged build of a patched pin).
    pub fn with_binary(&self, binary: &Path) -> Self {
        Self {
            given_binary: Some(binary.to_path_buf()),
            ..self.clone()
        }
    }

    /// Which build of its series this pin runs: the packaged one when [`Pin::with_binary`] gave
    /// it one, else the series as proposed upstream (a debug build of the patched crate).
    pub fn form(&self) -> Form {
        match self.given_binary {
            Some(_) => Form::Packaged,
            None => Form::Upstream,
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

/// Which build of a patched pin runs: the series as proposed upstream, or as packaged by
/// `scripts/package` with its `(dist)` patch in effect (`MISE_PATCH_SERIES` set at build time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Form {
    /// A build without `MISE_PATCH_SERIES`: what upstream would ship (the matrix's pins).
    Upstream,
    /// `scripts/package`'s build (the package tests).
    Packaged,
}

/// The files a `git format-patch` text creates (`new file mode`), with their text.
fn new_files_in_patch(patch: &str) -> impl Iterator<Item = (String, String)> + '_ {
    patch.split("\ndiff --git ").skip(1).filter_map(|section| {
        let (header, body) = section.split_once("\n@@ -0,0 ")?;
        if !header.contains("\nnew file mode ") {
            return None;
        }
        let path = header
            .lines()
            .find_map(|l| l.strip_prefix("+++ b/"))?
            .to_string();
        let text: String = body
            .lines()
            .skip(1)
            .map_while(|l| l.strip_prefix('+'))
            .map(|l| format!("{l}\n"))
            .collect();
        Some((path, text))
    })
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
    fn a_patch_s_new_files_are_read_with_their_text() {
        let patch = "Subject: x\n\ndiff --git a/e2e/t b/e2e/t\nnew file mode 100644\n\
                     index 0000000..1\n--- /dev/null\n+++ b/e2e/t\n@@ -0,0 +1,2 @@\n\
                     +#!/usr/bin/env bash\n+echo hi\ndiff --git a/src/a.rs b/src/a.rs\n\
                     index 1..2 100644\n--- a/src/a.rs\n+++ b/src/a.rs\n@@ -1,1 +1,1 @@\n\
                     -a\n+b\n--\n2.47.3\n";
        let files: Vec<_> = new_files_in_patch(patch).collect();
        assert_eq!(
            files,
            vec![(
                "e2e/t".to_string(),
                "#!/usr/bin/env bash\necho hi\n".to_string()
            )]
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
