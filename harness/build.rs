//! Whether a package of the patched mise is there to test (`harness/tests/package.rs`): the
//! `skillrig_package` cfg is set when `dist/` holds an archive or `SKILLRIG_PACKAGE` names one, so
//! the package's tests run then and are listed as ignored, with the way to build one, otherwise.

use std::path::Path;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(skillrig_package)");
    println!("cargo::rerun-if-env-changed=SKILLRIG_PACKAGE");
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let root = Path::new(&manifest).join("..");
    let dist = root.join("dist");
    // A path that does not exist would rerun this script on every build: watch the repository's
    // root (its listing changes when dist/ appears) until dist/ exists, then dist/ itself.
    let watched = if dist.is_dir() { &dist } else { &root };
    println!("cargo::rerun-if-changed={}", watched.display());
    let archive_in_dist = dist.read_dir().is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().ends_with(".tar.gz"))
    });
    if archive_in_dist || std::env::var_os("SKILLRIG_PACKAGE").is_some() {
        println!("cargo::rustc-cfg=skillrig_package");
    }
}
