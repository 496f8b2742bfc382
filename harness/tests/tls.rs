//! Every matrix pin reaches github.com over TLS through the tripwire's front, and only because it
//! trusts the run's test CA: with the CA unset, the run fails loudly and nothing reaches the fake
//! or the network.

use std::collections::BTreeMap;

use skillrig_harness::fixture::Origin;
use skillrig_harness::mise_run::{Endpoints, Layout, MiseRun};
use skillrig_harness::pins;
use skillrig_harness::scenario::{BackendKind, Reach, Setup, reach_of};

fn args(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn every_matrix_pin_trusts_the_test_ca_and_lists_releases_over_tls() {
    for pin in pins::select(&[]).expect("pins.toml") {
        let bin = pin.binary().expect("pin binary");
        assert_eq!(
            reach_of(&pin, &bin).await.expect("probe"),
            Reach::Tls,
            "{} no longer trusts a CA given through SSL_CERT_FILE: the matrix reaches it through \
             url_replacements now, and its token scenarios lose the github.com path",
            pin.name
        );
        let layout = Layout::for_run("tls-lists-releases", &pin.name);
        let origin = Origin::load("build-metadata")
            .and_then(|o| o.build())
            .expect("fixture");
        let setup = Setup::start(layout, vec![origin], Reach::Tls)
            .await
            .expect("the run starts");
        let mise = setup.mise(&pin, BackendKind::Github, &bin, &BTreeMap::new());
        mise.write_project_config("").expect("mise.toml");
        let out = mise
            .run(&args(&["ls-remote", "github:acme/origin"]))
            .await
            .expect("mise runs");
        assert!(out.success(), "{}: {}", pin.name, out.stderr);
        let served = setup.front().expect("a front").log().served;
        assert!(
            served
                .iter()
                .any(|l| l.starts_with("api.github.com GET /repos/acme/origin/releases")),
            "{}: {served:?}",
            pin.name
        );
        assert!(
            setup.strays().is_empty(),
            "{}: {:?}",
            pin.name,
            setup.strays()
        );
    }
}

#[tokio::test]
async fn a_run_without_the_test_ca_fails_loudly_instead_of_reaching_the_network() {
    for pin in pins::select(&[]).expect("pins.toml") {
        let bin = pin.binary().expect("pin binary");
        let layout = Layout::for_run("tls-ca-unset", &pin.name);
        let origin = Origin::load("build-metadata")
            .and_then(|o| o.build())
            .expect("fixture");
        let setup = Setup::start(layout, vec![origin], Reach::Tls)
            .await
            .expect("the run starts");
        let endpoints = Endpoints {
            ca_file: None,
            ..setup.endpoints()
        };
        let mise = MiseRun::new(
            &bin,
            &setup.layout,
            &endpoints,
            &pin.quirk_env(BackendKind::Github),
        );
        mise.write_project_config("").expect("mise.toml");
        let out = mise
            .run(&args(&["ls-remote", "github:acme/origin"]))
            .await
            .expect("mise runs");
        assert!(!out.success(), "{} listed releases with no CA", pin.name);
        let stderr = out.stderr.to_lowercase();
        assert!(
            stderr.contains("certificate") || stderr.contains("unknownissuer"),
            "{}: the failure does not name the certificate: {}",
            pin.name,
            out.stderr
        );
        let log = setup.front().expect("a front").log();
        assert!(log.served.is_empty(), "{}: {:?}", pin.name, log.served);
        assert!(
            log.refused
                .iter()
                .any(|l| l.starts_with("api.github.com: ")),
            "{}: {log:?}",
            pin.name
        );
        assert!(setup.fake.journal().await.is_empty(), "{}", pin.name);
        assert!(
            setup
                .strays()
                .iter()
                .any(|s| s.starts_with("tls: handshake refused by mise: api.github.com")),
            "{}: a refused handshake is not a stray: {:?}",
            pin.name,
            setup.strays()
        );
    }
}
