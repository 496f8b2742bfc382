//! Real GitHub artifact attestations for the fake to serve, with no copy committed here.
//!
//! The published `mise-sigstore` crate (in the patched mise's dependency graph, so cargo's
//! registry holds it once the patched pin is built) carries real attestation bundles among its
//! test fixtures, among them GitHub's own release attestation of jdx/mise v2026.9.12, signed by
//! GitHub's Sigstore instance, whose trust root mise carries built in: verifying it needs no
//! network. They are read from the registry's unpacked source when a fixture names them.
//!
//! A bundle attests digests (its in-toto statement's subjects). To serve a release asset it
//! vouches for, the asset's bytes must hash to a subject: [`rebuild_subject`] rebuilds a
//! checksums file subject (`SHASUMS256.txt`) byte for byte from the other subjects' names and
//! digests, the way the release's `sha256sum` wrote it.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use base64::Engine as _;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

/// The crate whose test fixtures hold the bundles.
pub const SIGSTORE_CRATE: &str = "mise-sigstore";

/// The bundle `name` among the test fixtures of the newest `mise-sigstore` in cargo's registry:
/// its unpacked source (a build of the patched pin unpacks it) or its downloaded `.crate`
/// (`scripts/mise-bin --fetch-crate <patched pin> mise-sigstore` downloads it without a build).
pub fn sigstore_fixture(name: &str) -> Result<Value> {
    let (text, source) = fixture_text(name)?;
    serde_json::from_str(&text).with_context(|| format!("parsing {name} from {source}"))
}

fn cargo_home() -> Result<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .context("neither CARGO_HOME nor HOME is set")
}

/// Every `mise-sigstore-<version>` entry of `dir/*/` (an index dir of cargo's registry), newest
/// version last.
fn versions_in(dir: &Path, suffix: &str) -> Result<Vec<(Vec<u64>, PathBuf)>> {
    let mut found = Vec::new();
    for index in std::fs::read_dir(dir).into_iter().flatten() {
        for entry in std::fs::read_dir(index?.path()).into_iter().flatten() {
            let entry = entry?;
            let file_name = entry.file_name().to_string_lossy().into_owned();
            let Some(version) = file_name
                .strip_prefix(&format!("{SIGSTORE_CRATE}-"))
                .and_then(|rest| rest.strip_suffix(suffix))
            else {
                continue;
            };
            let key = version.split('.').filter_map(|n| n.parse().ok()).collect();
            found.push((key, entry.path()));
        }
    }
    found.sort();
    Ok(found)
}

fn fixture_text(name: &str) -> Result<(String, String)> {
    let home = cargo_home()?;
    let member = format!("tests/fixtures/{name}");
    if let Some((_, dir)) = versions_in(&home.join("registry/src"), "")?
        .into_iter()
        .rev()
        .find(|(_, dir)| dir.join(&member).is_file())
    {
        let path = dir.join(&member);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        return Ok((text, path.display().to_string()));
    }
    for (_, archive) in versions_in(&home.join("registry/cache"), ".crate")?
        .into_iter()
        .rev()
    {
        let file = std::fs::File::open(&archive)
            .with_context(|| format!("opening {}", archive.display()))?;
        let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
        for entry in tar.entries()? {
            let mut entry = entry?;
            if entry.path()?.ends_with(&member) {
                let mut text = String::new();
                std::io::Read::read_to_string(&mut entry, &mut text)?;
                return Ok((text, archive.display().to_string()));
            }
        }
    }
    bail!(
        "no {SIGSTORE_CRATE} crate with {member} in {}/registry: it comes with the patched \
         mise's dependencies (build it with scripts/mise-bin <patched pin>, or download it with \
         scripts/mise-bin --fetch-crate <patched pin> {SIGSTORE_CRATE})",
        home.display()
    )
}

/// The in-toto statement of a bundle's DSSE envelope.
pub fn statement(bundle: &Value) -> Result<Value> {
    let payload = bundle["dsseEnvelope"]["payload"]
        .as_str()
        .context("the bundle has no dsseEnvelope.payload")?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(payload)
        .context("the DSSE payload is not base64")?;
    serde_json::from_slice(&bytes).context("the DSSE payload is not JSON")
}

/// The sha256 digests (hex) a bundle's statement attests.
pub fn subject_digests(bundle: &Value) -> Result<Vec<String>> {
    Ok(statement(bundle)?["subject"]
        .as_array()
        .context("the statement has no subjects")?
        .iter()
        .filter_map(|s| s["digest"]["sha256"].as_str().map(str::to_string))
        .collect())
}

/// The bytes of the subject `name` of a bundle's statement, when it is a checksums file of the
/// release's other subjects: `sha256sum` lines (`<hex>  ./<file>` or `<hex>  <file>`) for the
/// files named after the repository (`mise-v…`), or for every other file, sorted by name. The
/// result hashes to the subject's digest, or this fails.
pub fn rebuild_subject(bundle: &Value, name: &str) -> Result<Vec<u8>> {
    let statement = statement(bundle)?;
    let subjects: Vec<(String, String)> = statement["subject"]
        .as_array()
        .context("the statement has no subjects")?
        .iter()
        .filter_map(|s| {
            Some((
                s["name"].as_str()?.into(),
                s["digest"]["sha256"].as_str()?.into(),
            ))
        })
        .collect();
    let want = subjects
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, d)| d.clone())
        .with_context(|| format!("the statement attests no `{name}`"))?;
    let repository = statement["predicate"]["repository"].as_str().unwrap_or("");
    let own = format!("{}-v", repository.rsplit('/').next().unwrap_or(""));
    let mut candidates: Vec<Vec<&(String, String)>> = vec![
        subjects
            .iter()
            .filter(|(n, _)| n.starts_with(&own))
            .collect(),
        subjects.iter().filter(|(n, _)| n != name).collect(),
    ];
    for set in &mut candidates {
        set.sort();
        for prefix in ["./", ""] {
            let text: String = set
                .iter()
                .map(|(n, d)| format!("{d}  {prefix}{n}\n"))
                .collect();
            if hex::encode(Sha256::digest(text.as_bytes())) == want {
                return Ok(text.into_bytes());
            }
        }
    }
    bail!("`{name}` is not a checksums file of the other subjects; it cannot be rebuilt")
}

/// The bundle with one character of its DSSE signature changed: still well formed, no longer
/// signed.
pub fn tampered(bundle: &Value) -> Result<Value> {
    let mut bundle = bundle.clone();
    let signature = bundle["dsseEnvelope"]["signatures"][0]["sig"]
        .as_str()
        .context("the bundle has no DSSE signature")?
        .to_string();
    let flipped: String = signature
        .char_indices()
        .map(|(i, c)| match (i, c) {
            (10, 'A') => 'B',
            (10, _) => 'A',
            (_, c) => c,
        })
        .collect();
    bundle["dsseEnvelope"]["signatures"][0]["sig"] = Value::String(flipped);
    Ok(bundle)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RELEASE: &str = "github_release_attestation_jdx_mise.json";

    #[test]
    fn the_release_checksums_file_is_rebuilt_byte_for_byte() {
        let bundle = sigstore_fixture(RELEASE).expect("the bundle is in cargo's registry");
        let bytes = rebuild_subject(&bundle, "SHASUMS256.txt").expect("rebuilt");
        let text = String::from_utf8(bytes).expect("text");
        assert!(
            text.contains("  ./mise-v2026.9.12-linux-x64.tar.gz\n"),
            "{text}"
        );
        assert!(rebuild_subject(&bundle, "install.sh").is_err());
        let digests = subject_digests(&bundle).expect("digests");
        assert!(digests.len() > 40);
        assert_ne!(tampered(&bundle).expect("tampered"), bundle);
        assert_eq!(
            statement(&tampered(&bundle).expect("tampered")).expect("statement"),
            statement(&bundle).expect("statement")
        );
    }
}
