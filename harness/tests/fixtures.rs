//! Every fixture that publishes origin metadata publishes metadata that describes it: the
//! skillrig-stream crate reads the contract, and each declared binary's tag template, asset
//! and checksums names must find the fixture's own releases and assets.

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
        let Some(text) = built.files.get(".skillrig-origin.toml") else {
            continue;
        };
        let label = format!("{name}:.skillrig-origin.toml");
        let contract = Contract::from_toml(&label, text).unwrap_or_else(|e| panic!("{e}"));
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
