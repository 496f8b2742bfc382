use super::*;

const FILE: &str = "acme/origin:.skillrig-origin.toml";

const FULL: &str = r#"
binaries_convention = 1

[skills]
anything = "belongs to the rest of skillrig"

[[binaries]]
name = "jira"
tag = "v{version}+jira"
asset = "jira_{version}_{os}_{arch}.tar.gz"
checksums = "jira_checksums.txt"
bin = "jira_{version}_{os}_{arch}/jira"
os = { macos = "darwin" }
arch = { x64 = "amd64", arm64 = "arm64" }

[[binaries]]
name = "tfc"
tag = "v{version}+tfc"
asset = "tfc-{os}-{arch}"
"#;

fn origin(toml: &str) -> Origin {
    Origin::from_toml(FILE, toml).expect("valid contract")
}

fn toml_err(toml: &str) -> Error {
    Origin::from_toml(FILE, toml).expect_err("invalid contract")
}

/// A contract with one binary whose entry is `fields` plus whatever of name/tag/asset it lacks.
fn one_binary(fields: &str) -> String {
    let mut entry = String::from(fields);
    for (key, default) in [
        ("name", "name = \"jira\""),
        ("tag", "tag = \"v{version}+jira\""),
        ("asset", "asset = \"jira_{os}_{arch}.tar.gz\""),
    ] {
        if !fields
            .lines()
            .any(|l| l.trim_start().starts_with(&format!("{key} =")))
        {
            entry.push('\n');
            entry.push_str(default);
        }
    }
    format!("binaries_convention = 1\n[[binaries]]\n{entry}\n")
}

/// Asserts the error is about one field of one binary and that its message says so and offers a fix.
fn assert_binary_error(err: &Error, binary: &str, field: &str, problem: &str, fix: &str) {
    let Error::Binary {
        file,
        binary: b,
        field: f,
        problem: p,
        fix: x,
    } = err
    else {
        panic!("expected a binary error, got {err:?}");
    };
    assert_eq!(
        (file.as_str(), b.as_str(), f.as_str()),
        (FILE, binary, field),
        "{err}"
    );
    assert!(p.contains(problem), "problem {p:?} lacks {problem:?}");
    assert!(x.contains(fix), "fix {x:?} lacks {fix:?}");
    let message = err.to_string();
    assert!(
        message.starts_with(&format!("{FILE}: binary `{binary}`, field `{field}`: ")),
        "{message}"
    );
    assert!(message.contains(fix), "{message}");
}

fn linux() -> Platform {
    Platform::new("linux", "x64")
}

fn v(s: &str) -> Version {
    Version::parse(s).expect("version")
}

#[test]
fn parses_the_full_contract_and_ignores_other_tables() {
    let origin = origin(FULL);
    assert_eq!(origin.file(), FILE);
    let names: Vec<&str> = origin.binaries().iter().map(Binary::name).collect();
    assert_eq!(names, ["jira", "tfc"]);
    let jira = origin.binary("jira").expect("jira");
    assert_eq!(jira.tag().as_str(), "v{version}+jira");
    let asset = jira
        .asset(&v("1.7.0"), &Platform::new("macos", "arm64"))
        .expect("asset");
    assert_eq!(
        asset,
        Asset {
            name: "jira_1.7.0_darwin_arm64.tar.gz".into(),
            kind: ArchiveKind::TarGz,
            checksums: Some("jira_checksums.txt".into()),
            bin: "jira_1.7.0_darwin_arm64/jira".into(),
        }
    );
}

#[test]
fn renames_apply_and_other_names_pass_through() {
    let jira = origin(FULL).binary("jira").expect("jira").clone();
    let asset = |os: &str, arch: &str| {
        jira.asset(&v("1.7.0"), &Platform::new(os, arch))
            .expect("asset")
            .name
    };
    assert_eq!(asset("linux", "x64"), "jira_1.7.0_linux_amd64.tar.gz");
    assert_eq!(asset("windows", "arm64"), "jira_1.7.0_windows_arm64.tar.gz");
    assert_eq!(asset("linux", "riscv64"), "jira_1.7.0_linux_riscv64.tar.gz");
    assert_eq!(asset("freebsd", "x86"), "jira_1.7.0_freebsd_x86.tar.gz");
}

#[test]
fn defaults_bin_to_the_name_and_checksums_to_none() {
    let tfc = origin(FULL).binary("tfc").expect("tfc").clone();
    let asset = tfc
        .asset(&v("0.0.6"), &Platform::new("macos", "arm64"))
        .expect("asset");
    assert_eq!(asset.name, "tfc-macos-arm64");
    assert_eq!(asset.kind, ArchiveKind::Bare);
    assert_eq!(asset.checksums, None);
    assert_eq!(asset.bin, "tfc");
}

#[test]
fn every_placeholder_renders_including_name_and_tag() {
    let jira = origin(&one_binary(
        "tag = \"jira-v{version}\"\nasset = \"{name}-{tag}-{os}-{arch}.zip\"\nchecksums = \"{tag}.sha256sums\"",
    ))
    .binary("jira")
    .expect("jira")
    .clone();
    let asset = jira.asset(&v("1.8.0-rc.1"), &linux()).expect("asset");
    assert_eq!(asset.name, "jira-jira-v1.8.0-rc.1-linux-x64.zip");
    assert_eq!(
        asset.checksums.as_deref(),
        Some("jira-v1.8.0-rc.1.sha256sums")
    );
    assert_eq!(asset.kind, ArchiveKind::Zip);
}

#[test]
fn index_json_parses_into_the_same_model() {
    let json = r#"{
      "binaries_convention": 1,
      "skills": {"anything": true},
      "binaries": [
        {"name": "jira", "tag": "v{version}+jira", "asset": "jira_{version}_{os}_{arch}.tar.gz",
         "checksums": "jira_checksums.txt", "bin": "jira_{version}_{os}_{arch}/jira",
         "os": {"macos": "darwin"}, "arch": {"x64": "amd64", "arm64": "arm64"}},
        {"name": "tfc", "tag": "v{version}+tfc", "asset": "tfc-{os}-{arch}"}
      ]
    }"#;
    let from_json = Origin::from_json(FILE, json).expect("json");
    assert_eq!(from_json, origin(FULL));
}

#[test]
fn serializes_to_the_index_json_mirror() {
    let json = serde_json::to_value(origin(FULL)).expect("json");
    assert_eq!(
        json,
        serde_json::json!({
            "binaries_convention": 1,
            "binaries": [
                {"name": "jira", "tag": "v{version}+jira", "asset": "jira_{version}_{os}_{arch}.tar.gz",
                 "checksums": "jira_checksums.txt", "bin": "jira_{version}_{os}_{arch}/jira",
                 "os": {"macos": "darwin"}, "arch": {"arm64": "arm64", "x64": "amd64"}},
                {"name": "tfc", "tag": "v{version}+tfc", "asset": "tfc-{os}-{arch}"}
            ]
        })
    );
}

#[test]
fn unknown_binary_lists_the_declared_ones() {
    let err = origin(FULL).binary("gh").expect_err("unknown");
    assert_eq!(
        err.to_string(),
        format!("{FILE} declares no binary `gh`; declared: jira, tfc")
    );
    let empty = origin("[skills]\nx = 1\n");
    assert!(empty.binaries().is_empty());
    assert_eq!(
        empty.binary("gh").expect_err("none").to_string(),
        format!(
            "{FILE} declares no binary `gh`; it declares no binaries: add a [[binaries]] entry"
        )
    );
}

#[test]
fn convention_rules() {
    let missing = toml_err("[[binaries]]\nname = \"jira\"\n");
    assert_eq!(
        missing.to_string(),
        format!(
            "{FILE}: declares [[binaries]] without `binaries_convention`; add `binaries_convention = 1` \
             at the top of the file"
        )
    );
    let newer =
        toml_err(&one_binary("").replace("binaries_convention = 1", "binaries_convention = 2"));
    assert_eq!(
        newer.to_string(),
        format!(
            "{FILE}: uses binaries_convention = 2, but this skillrig backend understands only 1; \
             upgrade the skillrig backend (update mise)"
        )
    );
    let newer_without_binaries = toml_err("binaries_convention = 7\n");
    assert!(
        newer_without_binaries
            .to_string()
            .contains("upgrade the skillrig backend")
    );
    let zero = toml_err("binaries_convention = 0\n");
    assert!(
        zero.to_string().contains("set `binaries_convention = 1`"),
        "{zero}"
    );
    let text = toml_err("binaries_convention = \"1\"\n");
    assert!(
        matches!(text, Error::Syntax { line: Some(1), .. }),
        "{text:?}"
    );
    assert!(origin("binaries_convention = 1\n").binaries().is_empty());
}

#[test]
fn toml_errors_carry_the_file_and_line() {
    let err = toml_err("binaries_convention = 1\n\n[[binaries]]\nname = \"jira\n");
    let Error::Syntax { file, line, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!((file.as_str(), *line), (FILE, Some(4)));
    assert!(
        err.to_string().starts_with(&format!("{FILE}, line 4: ")),
        "{err}"
    );

    let wrong_type = toml_err("binaries_convention = 1\n[[binaries]]\nname = \"jira\"\ntag = 5\n");
    assert!(
        matches!(wrong_type, Error::Syntax { line: Some(4), .. }),
        "{wrong_type:?}"
    );
    let table_not_array = toml_err("binaries_convention = 1\n[binaries]\nname = \"jira\"\n");
    assert!(
        matches!(table_not_array, Error::Syntax { line: Some(_), .. }),
        "{table_not_array:?}"
    );
    let rename_not_string = toml_err(&one_binary("os = { macos = 1 }"));
    assert!(
        matches!(rename_not_string, Error::Syntax { line: Some(3), .. }),
        "{rename_not_string:?}"
    );
}

#[test]
fn json_errors_carry_the_file_and_line() {
    let err = Origin::from_json(
        "index.json",
        "{\n  \"binaries_convention\": 1,\n  \"binaries\": [\n}",
    )
    .expect_err("bad json");
    assert!(
        matches!(&err, Error::Syntax { line: Some(4), .. }),
        "{err:?}"
    );
    assert!(err.to_string().starts_with("index.json, line 4: "), "{err}");
    assert!(!err.to_string().contains("column"), "{err}");
    let duplicate = Origin::from_json(
        "index.json",
        r#"{"binaries_convention": 1, "binaries": [{"name": "a", "name": "b"}]}"#,
    )
    .expect_err("duplicate key");
    assert!(
        duplicate.to_string().contains("duplicate field `name`"),
        "{duplicate}"
    );
}

#[test]
fn required_fields_are_named_with_a_fix() {
    let err =
        toml_err("binaries_convention = 1\n[[binaries]]\ntag = \"v{version}\"\nasset = \"a\"\n");
    assert_binary_error(
        &err,
        "binaries[0]",
        "name",
        "is missing",
        "add `name = \"<bin>\"`",
    );
    let err = toml_err("binaries_convention = 1\n[[binaries]]\nname = \"jira\"\nasset = \"a\"\n");
    assert_binary_error(
        &err,
        "jira",
        "tag",
        "is missing",
        "tag = \"v{version}+jira\"",
    );
    let err =
        toml_err("binaries_convention = 1\n[[binaries]]\nname = \"jira\"\ntag = \"v{version}\"\n");
    assert_binary_error(
        &err,
        "jira",
        "asset",
        "is missing",
        "asset = \"jira_{version}_{os}_{arch}.tar.gz\"",
    );
}

#[test]
fn unknown_fields_are_refused_with_a_suggestion() {
    let err = toml_err(&one_binary("assets = \"x\""));
    assert_binary_error(
        &err,
        "jira",
        "assets",
        "is not a field of a binary",
        "did you mean `asset`?",
    );
    let err = toml_err(&one_binary("check = \"x\""));
    assert_binary_error(
        &err,
        "jira",
        "check",
        "is not a field",
        "did you mean `checksums`?",
    );
    let err = toml_err(&one_binary("homepage = \"x\""));
    assert_binary_error(
        &err,
        "jira",
        "homepage",
        "is not a field",
        "remove it; fields are: name, tag, asset, checksums, bin, os, arch",
    );
}

#[test]
fn binary_names_are_checked() {
    for (name, problem) in [
        ("", "is empty"),
        ("../jira", "contains `..`"),
        ("/jira", "starts with `/`"),
        ("a\\\\b", "contains a backslash"),
        ("a\\u0007b", "contains a control character"),
        ("acme/jira", "contains '/'"),
        ("ji ra", "contains ' '"),
        (".jira", "starts with `.` or `-`"),
        ("-jira", "starts with `.` or `-`"),
    ] {
        let err = toml_err(&one_binary(&format!("name = \"{name}\"")));
        assert_binary_error(
            &err,
            "binaries[0]",
            "name",
            problem,
            "use only letters, digits",
        );
    }
    let ok = origin(&one_binary("name = \"jira_cli-2.x\""));
    assert_eq!(ok.binaries()[0].name(), "jira_cli-2.x");
}

#[test]
fn duplicate_names_are_refused() {
    let toml = format!(
        "{}\n[[binaries]]\nname = \"jira\"\ntag = \"jira-v{{version}}\"\nasset = \"b\"\n",
        one_binary("")
    );
    let err = toml_err(&toml);
    assert_binary_error(
        &err,
        "jira",
        "name",
        "declared twice (binaries[0] and binaries[1])",
        "its own name",
    );
}

#[test]
fn tag_templates_are_checked() {
    for (tag, problem) in [
        ("v1.0.0", "has no `{version}`"),
        ("{version}-{version}", "more than one `{version}`"),
        (
            "{name}-v{version}",
            "the only placeholder allowed in a tag is `{version}`",
        ),
        ("v {version}", "which a git tag cannot hold"),
    ] {
        let err = toml_err(&one_binary(&format!("tag = \"{tag}\"")));
        let fix = if problem.contains("git tag") {
            "characters a git tag allows"
        } else {
            "exactly one `{version}`"
        };
        assert_binary_error(&err, "jira", "tag", problem, fix);
        assert!(err.to_string().contains(&format!("`{tag}`")), "{err}");
    }
}

#[test]
fn asset_checksums_and_bin_templates_are_checked() {
    for field in ["asset", "checksums", "bin"] {
        let err = toml_err(&one_binary(&format!("{field} = \"jira_{{foo}}.tar.gz\"")));
        assert_binary_error(
            &err,
            "jira",
            field,
            "unknown placeholder `{foo}`",
            "only the placeholders {name}, {version}, {tag}, {os} and {arch}",
        );
        for (value, problem) in [
            ("../jira", "contains `..`"),
            ("/jira", "starts with `/`"),
            ("a\\\\b", "contains a backslash"),
            ("a\\tb", "contains a control character"),
            ("", "is empty"),
            ("{name", "without its `}`"),
        ] {
            let err = toml_err(&one_binary(&format!("{field} = \"{value}\"")));
            assert_binary_error(&err, "jira", field, problem, "plain relative name");
        }
    }
}

#[test]
fn asset_names_are_flat_but_bin_may_be_a_path() {
    for field in ["asset", "checksums"] {
        let err = toml_err(&one_binary(&format!("{field} = \"dist/jira.tar.gz\"")));
        assert_binary_error(
            &err,
            "jira",
            field,
            "contains `/`, and release asset names are flat",
            "plain",
        );
        let err = toml_err(&one_binary(&format!(
            "tag = \"cli/jira/v{{version}}\"\n{field} = \"{{tag}}.tar.gz\""
        )));
        assert_binary_error(
            &err,
            "jira",
            field,
            "the tag `cli/jira/v{version}` contains `/`",
            "plain",
        );
    }
    let ok = origin(&one_binary(
        "tag = \"cli/jira/v{version}\"\nbin = \"{tag}/bin/jira\"",
    ));
    let asset = ok.binaries()[0]
        .asset(&v("1.0.0"), &linux())
        .expect("asset");
    assert_eq!(asset.bin, "cli/jira/v1.0.0/bin/jira");
    let err = toml_err(&one_binary("bin = \"dist/\""));
    assert_binary_error(&err, "jira", "bin", "ends with `/`", "plain relative path");
}

#[test]
fn uninstallable_asset_formats_are_refused() {
    let err = toml_err(&one_binary("asset = \"jira_{os}.dmg\""));
    assert_binary_error(
        &err,
        "jira",
        "asset",
        "a format skillrig cannot install",
        "publish a .tar.gz",
    );
}

#[test]
fn renames_are_checked() {
    let err = toml_err(&one_binary("os = { darwin = \"macos\" }"));
    assert_binary_error(
        &err,
        "jira",
        "os.darwin",
        "not a mise os name",
        "write `macos = \"darwin\"`",
    );
    let err = toml_err(&one_binary("arch = { amd64 = \"x64\" }"));
    assert_binary_error(
        &err,
        "jira",
        "arch.amd64",
        "not a mise arch name",
        "write `x64 = \"amd64\"`",
    );
    let err = toml_err(&one_binary("arch = { aarch64 = \"arm64\" }"));
    assert_binary_error(
        &err,
        "jira",
        "arch.aarch64",
        "not a mise arch name",
        "write `arm64 = \"aarch64\"`",
    );
    for (value, problem) in [
        ("../x", "contains `..`"),
        ("x/y", "contains '/'"),
        ("", "is empty"),
        (".x", "starts with `.`"),
        ("x.", "ends with `.`"),
        ("a\\\\b", "contains a backslash"),
    ] {
        let err = toml_err(&one_binary(&format!("os = {{ macos = \"{value}\" }}")));
        assert_binary_error(
            &err,
            "jira",
            "os.macos",
            problem,
            "use only letters, digits",
        );
    }
}

#[test]
fn rendering_for_an_odd_platform_is_still_checked() {
    let jira = origin(&one_binary("")).binaries()[0].clone();
    let err = jira
        .asset(&v("1.0.0"), &Platform::new("../../etc", "x64"))
        .expect_err("unsafe os name");
    assert_binary_error(
        &err,
        "jira",
        "asset",
        "for ../../etc-x64, which contains `..`",
        "plain relative path",
    );
    let err = jira
        .asset(&v("1.0.0"), &Platform::new("linux", "x/64"))
        .expect_err("slash");
    assert_binary_error(&err, "jira", "asset", "contains `/`", "plain relative path");
}

#[test]
fn templates_that_read_each_others_tags_are_refused() {
    for (a, b, shared) in [
        ("v{version}", "v{version}-jira", "v1.2.3-jira"),
        ("v{version}", "v{version}.x", "v1.2.3-rc.1.x"),
        ("v{version}+jira", "v{version}+jira", "v1.2.3+jira"),
        ("v{version}", "v1{version}", "v11.2.3"),
    ] {
        let toml = format!(
            "binaries_convention = 1\n[[binaries]]\nname = \"a\"\ntag = \"{a}\"\nasset = \"a\"\n\
             [[binaries]]\nname = \"b\"\ntag = \"{b}\"\nasset = \"b\"\n"
        );
        let err = toml_err(&toml);
        let Error::Contract { file, problem, fix } = &err else {
            panic!("{err:?}");
        };
        assert_eq!(file, FILE);
        assert!(
            problem.contains(&format!("both claim the tag `{shared}`")),
            "{a} {b}: {problem}"
        );
        assert!(fix.contains("give each binary a tag template the other cannot read"));
    }
    for (a, b) in [
        ("v{version}", "v{version}+jira"),
        ("v{version}+jira", "v{version}+tfc"),
        ("jira-v{version}", "jira-cli-v{version}"),
        ("jira-{version}", "jira-cli-{version}"),
        ("cli/jira/v{version}", "cli/tfc/v{version}"),
        ("{version}", "x{version}"),
    ] {
        let toml = format!(
            "binaries_convention = 1\n[[binaries]]\nname = \"a\"\ntag = \"{a}\"\nasset = \"a\"\n\
             [[binaries]]\nname = \"b\"\ntag = \"{b}\"\nasset = \"b\"\n"
        );
        assert_eq!(origin(&toml).binaries().len(), 2, "{a} {b}");
    }
}

#[test]
fn suggestions_need_a_close_match() {
    assert_eq!(suggest_field("assets"), Some("asset"));
    assert_eq!(suggest_field("Tag"), Some("tag"));
    assert_eq!(suggest_field("bins"), Some("bin"));
    assert_eq!(suggest_field("foo"), None);
    assert_eq!(suggest_field("version"), None);
}
