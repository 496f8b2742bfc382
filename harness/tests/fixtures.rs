//! Every fixture that publishes origin metadata (`.skillrig-origin.toml`, or `index.json`, its
//! JSON mirror) publishes metadata that describes it: the skillrig-stream crate reads the
//! contract, and each declared binary's tag template, asset and checksums names must find the
//! fixture's own releases and assets.

use skillrig_harness::fixture::{Origin, fixtures_dir};
use skillrig_stream::{Origin as Contract, Platform};

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
        let contract = if let Some(text) = built.files.get(".skillrig-origin.toml") {
            Contract::from_toml(&format!("{name}:.skillrig-origin.toml"), text)
        } else if let Some(text) = built.files.get("index.json") {
            Contract::from_json(&format!("{name}:index.json"), text)
        } else {
            continue;
        };
        let contract = contract.unwrap_or_else(|e| panic!("{e}"));
        let label = contract.file().to_string();
        for binary in contract.binaries() {
            let releases: Vec<_> = built
                .releases
                .iter()
                .filter_map(|r| binary.tag().match_tag(&r.tag).map(|v| (r, v)))
                .collect();
            assert!(
                !releases.is_empty(),
                "{label}: no release matches {}",
                binary.tag().as_str()
            );
            for (release, version) in releases {
                for (os, arch) in [("linux", "x64"), ("macos", "arm64")] {
                    let asset = binary
                        .asset(&version, &Platform::new(os, arch))
                        .unwrap_or_else(|e| panic!("{label}: {e}"));
                    let names: Vec<&str> = release.assets.iter().map(|a| a.name.as_str()).collect();
                    assert!(
                        names.contains(&asset.name.as_str()),
                        "{label}: {} lacks {}",
                        release.tag,
                        asset.name
                    );
                    if let Some(sums) = &asset.checksums {
                        assert!(
                            names.contains(&sums.as_str()),
                            "{label}: {} lacks {sums}",
                            release.tag
                        );
                    }
                    let provided = release
                        .assets
                        .iter()
                        .find(|a| a.name == asset.name)
                        .and_then(|a| a.provides.clone());
                    assert_eq!(
                        provided,
                        Some((binary.name().to_string(), version.to_string())),
                        "{label}: {}",
                        asset.name
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 0, "no fixture declares binaries");
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
