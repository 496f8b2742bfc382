//! Every fixture describes itself truthfully: the skillrig-stream crate reads its metadata (or, when
//! it publishes none, the convention), and every binary's stream holds exactly the releases that
//! carry that binary, each at the version the fixture gave it, and picks that binary's own asset.

use std::collections::BTreeSet;

use skillrig_harness::fixture::{Origin, fixtures_dir};
use skillrig_stream::{Origin as Metadata, Platform, Release, Stream};

/// Fixtures whose releases break the rules on purpose (the failure-mode scenarios use them).
const BROKEN_ON_PURPOSE: [&str; 4] = ["convention-faults", "faults", "escaping", "shared-release"];

#[test]
fn fixture_metadata_matches_fixture_releases() {
    let mut checked = 0;
    for entry in std::fs::read_dir(fixtures_dir()).expect("fixtures dir") {
        let path = entry.expect("dir entry").path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf-8 name");
        let built = Origin::load(name)
            .expect("fixture loads")
            .build()
            .expect("fixture builds");
        let metadata = if let Some(text) = built.files.get(".skillrig-origin.toml") {
            Metadata::from_toml(&format!("{name}:.skillrig-origin.toml"), text)
        } else if let Some(text) = built.files.get("index.json") {
            Metadata::from_json(&format!("{name}:index.json"), text)
        } else {
            Ok(Metadata::convention_only(name))
        };
        let metadata = metadata.unwrap_or_else(|e| panic!("{e}"));
        let binaries: BTreeSet<String> = built
            .releases
            .iter()
            .flat_map(|r| r.assets.iter().filter_map(|a| a.provides.clone()))
            .map(|(binary, _)| binary)
            .collect();
        for binary_name in binaries {
            let binary = metadata.binary(&binary_name);
            let releases = built.releases.iter().map(|r| Release {
                tag: &r.tag,
                draft: r.draft,
                prerelease: r.prerelease,
            });
            let stream = Stream::from_releases(binary.tags(), releases);
            for pin in stream.pins() {
                let release = built
                    .releases
                    .iter()
                    .find(|r| r.tag == pin.tag)
                    .expect("a pin comes from a release");
                let carries = release.assets.iter().any(|a| {
                    a.provides.as_ref() == Some(&(binary_name.clone(), pin.version.to_string()))
                });
                assert!(
                    carries,
                    "{name}: {} is not {binary_name} {}",
                    pin.tag, pin.version
                );
                let names: Vec<&str> = release.assets.iter().map(|a| a.name.as_str()).collect();
                for (os, arch) in [("linux", "x64"), ("macos", "arm64")] {
                    match binary.pick(pin, &Platform::new(os, arch), &names) {
                        Ok(asset) => {
                            let provided = release
                                .assets
                                .iter()
                                .find(|a| a.name == asset.name)
                                .and_then(|a| a.provides.clone());
                            assert_eq!(
                                provided,
                                Some((binary_name.clone(), pin.version.to_string())),
                                "{name}: {}",
                                asset.name
                            );
                            checked += 1;
                        }
                        Err(err) => assert!(
                            BROKEN_ON_PURPOSE.contains(&name),
                            "{name}: {binary_name} {}: {err}",
                            pin.version
                        ),
                    }
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} assets were picked");
}

/// The pages (per_page=100, newest first) on which `binary`'s releases are listed.
fn pages_of(fixture: &str, binary: &str) -> Vec<usize> {
    let built = Origin::load(fixture)
        .expect("fixture loads")
        .build()
        .expect("fixture builds");
    let mut pages: Vec<usize> = built
        .listed(false)
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            r.assets
                .iter()
                .any(|a| a.provides.as_ref().is_some_and(|(b, _)| b == binary))
        })
        .map(|(i, _)| i / 100 + 1)
        .collect();
    pages.dedup();
    pages
}

#[test]
fn quiet_streams_sit_where_the_fixtures_say() {
    assert_eq!(pages_of("starvation", "tfc"), [2]);
    assert_eq!(pages_of("starvation-deep", "tfc"), [3]);
    assert_eq!(pages_of("five-binaries", "jira"), [1, 2]);
    assert_eq!(pages_of("five-binaries", "tfc"), [2, 3]);
    for quiet in ["vault", "kube", "lint"] {
        assert_eq!(pages_of("five-binaries", quiet), [3], "{quiet}");
    }
    let releases = Origin::load("five-binaries")
        .expect("loads")
        .build()
        .expect("builds")
        .releases
        .len();
    assert_eq!(releases, 300);
}
