//! The patched pin registers the `skillrig` backend like any built-in one; native pins do not.

use std::collections::BTreeMap;

use skillrig_harness::fixture::Origin;
use skillrig_harness::mise_run::{Layout, MiseRun};
use skillrig_harness::pins::{self, Pin};
use skillrig_harness::scenario::{BackendKind, Setup, reach_of};

struct Run {
    mise: MiseRun,
    setup: Setup,
}

async fn setup(pin: &Pin, name: &str, extra: &[(&str, &str)]) -> Run {
    let layout = Layout::for_run(&format!("registration-{name}"), &pin.name);
    let origin = Origin::load("build-metadata")
        .and_then(|o| o.build())
        .expect("fixture");
    let bin = pin.binary().expect("pin binary");
    let reach = reach_of(pin, &bin).await.expect("the pin's reach");
    let setup = Setup::start(layout, vec![origin], reach)
        .await
        .expect("the run starts");
    let env: BTreeMap<String, String> = extra
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mise = setup.mise(pin, BackendKind::Skillrig, &bin, &env);
    Run { mise, setup }
}

fn pin(patched: bool) -> Pin {
    pins::select(&[])
        .expect("pins.toml")
        .into_iter()
        .find(|p| p.has_skillrig() == patched && p.name.starts_with("2026.10.25"))
        .expect("a 2026.10.25 pin")
}

fn args(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

/// `mise ls-remote skillrig:acme/origin/jira`, which must fail without leaving the machine.
async fn ls_remote_fails(s: &Run) -> String {
    let out = s
        .mise
        .run(&args(&["ls-remote", "skillrig:acme/origin/jira"]))
        .await
        .expect("runs");
    assert!(!out.success(), "{}", out.stdout);
    assert!(s.setup.strays().is_empty(), "{:?}", s.setup.strays());
    out.stderr
}

#[tokio::test]
async fn backends_ls_lists_skillrig_only_on_the_patched_pin() {
    for patched in [false, true] {
        let pin = pin(patched);
        let s = setup(&pin, "backends-ls", &[]).await;
        let out = s.mise.run(&args(&["backends", "ls"])).await.expect("runs");
        assert!(out.success(), "{}: {}", pin.name, out.stderr);
        let listed = out.stdout.lines().any(|l| l == "skillrig");
        assert_eq!(listed, patched, "{}: {}", pin.name, out.stdout);
        assert!(s.setup.strays().is_empty(), "{:?}", s.setup.strays());
    }
}

#[tokio::test]
async fn disable_backends_turns_skillrig_off() {
    let pin = pin(true);
    let s = setup(&pin, "disabled", &[("MISE_DISABLE_BACKENDS", "skillrig")]).await;
    let stderr = ls_remote_fails(&s).await;
    assert!(stderr.contains("disabled"), "{stderr}");
}
