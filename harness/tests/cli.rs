//! The `skillrig-harness` command line: listing, and errors that name what is wrong.

use assert_cmd::Command;

fn harness() -> Command {
    Command::cargo_bin("skillrig-harness").expect("the harness binary is built")
}

#[test]
fn list_names_every_scenario_with_its_pins() {
    let out = harness()
        .arg("list")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).expect("utf-8");
    let line = text
        .lines()
        .find(|l| l.starts_with("layer-c/stream-starvation\t"))
        .unwrap_or_else(|| panic!("no layer-c/stream-starvation in:\n{text}"));
    assert!(
        line.contains("2026.3.8") && line.contains("2026.10.25+skillrig"),
        "{line}"
    );
}

#[test]
fn an_unknown_scenario_names_its_file() {
    let assert = harness()
        .args(["run", "layer-z/nope", "--pin", "2026.4.20"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("scenarios/layer-z/nope.toml"), "{stderr}");
}

#[test]
fn an_unknown_pin_lists_the_pins() {
    let assert = harness()
        .args(["matrix", "--pin", "1999.1.1"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("no pin named \"1999.1.1\""), "{stderr}");
    assert!(stderr.contains("2026.10.25+skillrig"), "{stderr}");
}
