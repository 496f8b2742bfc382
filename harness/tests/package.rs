//! The packaged patched mise (`scripts/package`), when one has been built.
//!
//! The package is the binary people install, so it answers to the same scenarios as the patched
//! debug pin, and to what packaging adds: it cannot replace itself with an upstream mise, never
//! asks for one, and says which series it carries. Building it takes over an hour, so these
//! tests run on the archive `scripts/package` left in `dist/` (or the one `SKILLRIG_PACKAGE`
//! names); without one, `build.rs` leaves them ignored, with the reason and the way to build one.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use sha2::Digest as _;
use skillrig_harness::mise_run::Layout;
use skillrig_harness::pins::{self, Pin};
use skillrig_harness::scenario::{BackendKind, Reach, Scenario, Setup};
use skillrig_harness::{matrix, outcome::Class};

/// The variable naming a package archive to test instead of `dist/`'s.
const PACKAGE_ENV: &str = "SKILLRIG_PACKAGE";

/// The patched pin of the default matrix: the one `scripts/package` packages.
fn patched_pin() -> Pin {
    let all = pins::select(&[]).expect("pins.toml");
    let patched: Vec<_> = all.into_iter().filter(Pin::has_skillrig).collect();
    assert_eq!(patched.len(), 1, "one patched pin in the matrix");
    patched.into_iter().next().expect("the patched pin")
}

/// The package archive of `pin`, if one was built.
fn archive(pin: &Pin) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(PACKAGE_ENV) {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "{PACKAGE_ENV} names {}: no such file",
            path.display()
        );
        return Some(path);
    }
    let path = pins::repo_root().join("dist").join(format!(
        "mise-v{}-{}.tar.gz",
        pin.name,
        platform_name()
    ));
    path.is_file().then_some(path)
}

/// This machine in mise's release naming (`linux-x64`, `linux-arm64`): the package that runs here.
fn platform_name() -> String {
    // Rust's names are mise's (`linux`, `macos`) but for the architecture
    let os = std::env::consts::OS;
    let arch = match std::env::consts::ARCH {
        "x86_64" => "x64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("{os}-{arch}")
}

/// `mise/bin/mise` of the archive, checked against the archive's `.sha256` and unpacked below
/// `dir`; `None` (and a note on stderr) when there is no package to test.
fn packaged_binary(test: &str, dir: &Path) -> Option<(Pin, PathBuf)> {
    let pin = patched_pin();
    let Some(archive) = archive(&pin) else {
        eprintln!(
            "{test}: skipped: no package of {pin} in dist/; build one with `scripts/package {pin}` \
             (or name an archive in {PACKAGE_ENV})",
            pin = pin.name
        );
        return None;
    };
    let bytes = std::fs::read(&archive).expect("read the archive");
    let sums = archive.with_file_name(format!(
        "{}.sha256",
        archive.file_name().expect("a file name").to_string_lossy()
    ));
    let expected =
        std::fs::read_to_string(&sums).unwrap_or_else(|e| panic!("{}: {e}", sums.display()));
    assert_eq!(
        expected.split_whitespace().next(),
        Some(hex::encode(sha2::Sha256::digest(&bytes)).as_str()),
        "{} does not match {}",
        archive.display(),
        sums.display()
    );
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(bytes.as_slice()));
    let mut names = Vec::new();
    let mut binary = None;
    for entry in tar.entries().expect("read the archive") {
        let mut entry = entry.expect("an archive entry");
        let name = entry
            .path()
            .expect("an entry path")
            .to_string_lossy()
            .into_owned();
        if name == "mise/share/skillrig-mise/series" {
            let mut text = String::new();
            entry
                .read_to_string(&mut text)
                .expect("read the series file");
            assert_current_series(&pin, &archive, &text);
        }
        if name == "mise/bin/mise" {
            let mut data = Vec::new();
            entry.read_to_end(&mut data).expect("read mise/bin/mise");
            let path = dir.join("mise");
            std::fs::write(&path, data).expect("write the binary");
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                .expect("make the binary executable");
            binary = Some(path);
        }
        names.push(name);
    }
    let binary = binary.unwrap_or_else(|| panic!("no mise/bin/mise in {names:?}"));
    eprintln!("{test}: testing {}", archive.display());
    Some((pin, binary))
}

#[cfg_attr(
    not(skillrig_package),
    ignore = "no package in dist/: build one with `scripts/package <patched pin>`, or name one in SKILLRIG_PACKAGE"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_package_does_on_every_skillrig_scenario_what_the_matrix_records() {
    let dir = tempfile::tempdir().expect("a temporary dir");
    let Some((pin, binary)) = packaged_binary(
        "the_package_does_on_every_skillrig_scenario_what_the_matrix_records",
        dir.path(),
    ) else {
        return;
    };
    let recorded = recorded_outcomes(&pin.name);
    let scenarios: Vec<Scenario> = Scenario::all()
        .expect("scenarios")
        .into_iter()
        .filter(|s| s.backend == BackendKind::Skillrig)
        .collect();
    assert!(scenarios.len() > 30, "the skillrig scenarios are found");
    let packaged = pin.with_binary(&binary);
    // The scenarios of the upstream form alone (the experimental gate) do not run here.
    let scenarios: Vec<Scenario> = scenarios
        .into_iter()
        .filter(|s| s.runs_on(&packaged))
        .collect();
    let cells = matrix::run(&scenarios, std::slice::from_ref(&packaged), 3)
        .await
        .expect("the scenarios run");
    // A scenario the matrix records as a finding on the patched pin (mise's own behaviour)
    // must be the same finding here; every other one must pass.
    let failed: Vec<String> = cells
        .iter()
        .filter(|c| c.outcome.to_string() != wanted(&recorded, &c.scenario) || !c.strays.is_empty())
        .map(|c| {
            format!(
                "{}: {} where the matrix records {} ({}) strays {:?}",
                c.scenario,
                c.outcome,
                wanted(&recorded, &c.scenario),
                c.detail,
                c.strays
            )
        })
        .collect();
    assert!(
        failed.is_empty(),
        "the package differs from the patched pin:\n{}",
        failed.join("\n")
    );
    let passed = cells.iter().filter(|c| c.outcome == Class::Ok).count();
    eprintln!(
        "the package did what the matrix records on {} skillrig scenarios ({passed} ok)",
        cells.len()
    );
}

/// Fails, naming the fix, when the package was built from another series than `patches/` holds
/// now: its results would say nothing about this series.
fn assert_current_series(pin: &Pin, archive: &Path, packaged: &str) {
    let dir = pins::repo_root().join(pin.patches.as_deref().expect("a patched pin"));
    let mut stale = Vec::new();
    for line in packaged.lines().filter(|l| l.ends_with(".patch")) {
        let Some((sha, name)) = line.split_once("  ") else {
            continue;
        };
        let now = std::fs::read(dir.join(name))
            .map(|bytes| hex::encode(sha2::Sha256::digest(&bytes)))
            .unwrap_or_else(|_| "gone".to_string());
        if now != sha {
            stale.push(name.to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "{} was built from an older series ({} changed since): rebuild it with \
         `scripts/package {}`, or remove it to skip these tests",
        archive.display(),
        stale.join(", "),
        pin.name
    );
}

/// The outcome class `docs/compat-matrix.md` records for each scenario on `pin`.
fn recorded_outcomes(pin: &str) -> BTreeMap<String, String> {
    let path = pins::repo_root().join("docs/compat-matrix.md");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let cells = |line: &str| -> Vec<String> {
        line.trim()
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().trim_matches('`').to_string())
            .collect()
    };
    let mut lines = text.lines().skip_while(|l| !l.starts_with("| scenario |"));
    let header = cells(lines.next().expect("the matrix table"));
    let column = header
        .iter()
        .position(|c| c == pin)
        .unwrap_or_else(|| panic!("no column {pin} in {}", path.display()));
    lines
        .skip(1)
        .take_while(|l| l.starts_with('|'))
        .map(cells)
        .filter_map(|row| {
            let class = row.get(column)?.split_whitespace().next()?.to_string();
            Some((row.first()?.clone(), class))
        })
        .collect()
}

/// The outcome the package must give on `scenario`: what the matrix records for the patched pin,
/// `ok` where the matrix has no cell or runs it not (`n/a`: a scenario of the packaged build).
fn wanted<'a>(recorded: &'a BTreeMap<String, String>, scenario: &str) -> &'a str {
    match recorded.get(scenario).map(String::as_str) {
        None | Some("n/a") => "ok",
        Some(class) => class,
    }
}

/// `mise <args>` in a home of its own, with update checks allowed (the harness turns them off
/// elsewhere) and every request going to a tripwire: what it printed, and the requests caught.
async fn run_with_update_checks(
    pin: &Pin,
    binary: &Path,
    args: &[&str],
) -> (skillrig_harness::mise_run::Output, Vec<String>) {
    let name = format!("package-{}", args.join("-"));
    let setup = Setup::start(Layout::for_run(&name, &pin.name), vec![], Reach::Tls)
        .await
        .expect("the run starts");
    let env = BTreeMap::from([("MISE_DISABLE_UPDATE_WARNING".to_string(), "0".to_string())]);
    let mise = setup.mise(pin, BackendKind::Skillrig, binary, &env);
    mise.write_project_config("").expect("an empty mise.toml");
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let out = mise.run(&args).await.expect("mise runs");
    let strays = setup.strays();
    let _ = std::fs::remove_dir_all(&setup.layout.root);
    (out, strays)
}

#[cfg_attr(
    not(skillrig_package),
    ignore = "no package in dist/: build one with `scripts/package <patched pin>`, or name one in SKILLRIG_PACKAGE"
)]
#[tokio::test]
async fn the_package_names_its_series_and_never_updates_itself() {
    let dir = tempfile::tempdir().expect("a temporary dir");
    let Some((pin, binary)) = packaged_binary(
        "the_package_names_its_series_and_never_updates_itself",
        dir.path(),
    ) else {
        return;
    };
    let series = format!("patched with skillrig-mise {}", pin.name);

    let (version, caught) = run_with_update_checks(&pin, &binary, &["--version"]).await;
    assert!(version.success(), "{version:?}");
    assert!(
        version.stdout.contains(&series),
        "--version: {:?}",
        version.stdout
    );
    assert!(caught.is_empty(), "--version sent requests: {caught:?}");

    for args in [&["version"][..], &["doctor"][..]] {
        let (out, caught) = run_with_update_checks(&pin, &binary, args).await;
        assert!(
            caught.is_empty(),
            "`mise {}` checked for updates: {caught:?}",
            args.join(" ")
        );
        assert!(
            out.stdout.contains(&series),
            "`mise {}`: {out:?}",
            args.join(" ")
        );
        assert!(
            !out.stderr.contains("mise self-update") && !out.stdout.contains("mise self-update"),
            "`mise {}` offers self-update: {out:?}",
            args.join(" ")
        );
    }

    let (update, caught) = run_with_update_checks(&pin, &binary, &["self-update", "--yes"]).await;
    assert!(!update.success(), "self-update succeeded: {update:?}");
    assert!(caught.is_empty(), "self-update sent requests: {caught:?}");
    for text in [
        "self-update feature has been disabled at build time",
        &series,
        "rebuilding the series",
    ] {
        assert!(
            update.stderr.contains(text),
            "self-update lacks {text:?}: {update:?}"
        );
    }
}

/// The contrast that shows the test above can fail: the debug build of the same series keeps
/// mise's `self_update` feature and sets no series, so `mise version` does ask for a newer mise.
#[tokio::test]
async fn the_debug_pin_does_check_for_updates() {
    let pin = patched_pin();
    let Ok(binary) = pin.binary() else {
        panic!("the patched pin {} has no binary", pin.name);
    };
    let (out, caught) = run_with_update_checks(&pin, &binary, &["version"]).await;
    assert!(!out.stdout.contains("patched with"), "{out:?}");
    assert!(
        !caught.is_empty(),
        "`mise version` of the debug pin sent no request: the no-update check proves nothing"
    );
}
