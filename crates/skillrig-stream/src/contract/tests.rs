use super::*;
use crate::Stream;
use crate::stream::Release;

const FILE: &str = "acme/origin:.skillrig-origin.toml";

/// RFC 0001's block as the RFC writes it, with this backend's extensions beside it.
const RFC: &str = r#"
skillrig-convention = 1
origin = "my-org/my-skills"          # label only

[skills]
anything = "belongs to the rest of skillrig"

[[binaries]]
name      = "jira"
stream    = "+jira"
asset     = "jira-{version}-{os}-{arch}.tar.xz"
checksums = "jira_checksums.txt"
bin       = "jira-{version}/bin/jira"
  [binaries.platforms.linux-x64]
  os = "Linux"
  arch = "x86_64"
  [binaries.platforms.darwin-arm64]
  os = "Darwin"
  arch = "aarch64"

[[binaries]]
name = "vault"
tag = "cli/vault/v{version}"
asset = "vault_{os}_{arch}.zip"
os = { macos = "mac" }
"#;

/// The origin template's `.skillrig-origin.toml`.
const TEMPLATE_TOML: &str = r#"
convention_version = 1
origin = "my-org/my-skills"
skills_dir = "skills"
cmd_dir = "cmd"
tag_scheme = "name-vSEMVER"
"#;

/// `index.json` as `skillrig index` writes it.
const TEMPLATE_INDEX: &str = r#"{
  "skillrigConvention": 1,
  "origin": "my-org/my-skills",
  "skills": [
    {
      "name": "terraform-plan-review",
      "version": "1.4.0",
      "namespace": "my-org",
      "description": "Reviews a plan",
      "topics": ["terraform"],
      "path": "skills/terraform-plan-review",
      "requires": [{"tool": "oxid", "version": ">=0.4.0", "source": "my-org/my-skills", "manager": "mise"}]
    }
  ]
}"#;

fn origin(toml: &str) -> Origin {
    Origin::from_toml(FILE, toml).expect("valid metadata")
}

fn toml_err(toml: &str) -> Error {
    Origin::from_toml(FILE, toml).expect_err("invalid metadata")
}

/// Metadata with one binary, `jira`, whose entry is `fields`.
fn one_binary(fields: &str) -> String {
    let name = if fields.contains("name =") {
        ""
    } else {
        "name = \"jira\"\n"
    };
    format!("[[binaries]]\n{name}{fields}\n")
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
}

fn pin(version: &str, tag: &str) -> Pin {
    Pin::new(Version::parse(version).expect("version"), tag)
}

fn platform(os: &str, arch: &str) -> Platform {
    Platform::new(os, arch)
}

#[test]
fn the_template_origin_declares_no_binaries_and_every_binary_is_convention() {
    for parsed in [
        Origin::from_toml(FILE, TEMPLATE_TOML),
        Origin::from_json("acme/origin:index.json", TEMPLATE_INDEX),
    ] {
        let origin = parsed.expect("template metadata reads");
        assert!(origin.binaries().is_empty());
        let oxid = origin.binary("oxid");
        assert!(!oxid.is_declared());
        assert_eq!(oxid.tags(), &TagPattern::convention("oxid"));
    }
}

#[test]
fn the_rfc_block_reads_with_platforms_and_a_nested_executable() {
    let origin = origin(RFC);
    let names: Vec<&str> = origin.binaries().iter().map(Binary::name).collect();
    assert_eq!(names, ["jira", "vault"]);
    let jira = origin.binary("jira");
    assert!(jira.is_declared());
    assert_eq!(
        jira.tags().to_string(),
        "`{version}+jira` or `v{version}+jira`"
    );
    let assets = [
        "jira-1.7.0-Linux-x86_64.tar.xz",
        "jira-1.7.0-Darwin-aarch64.tar.xz",
        "jira_checksums.txt",
    ];
    let asset = jira
        .pick(
            &pin("1.7.0", "1.7.0+jira"),
            &platform("linux", "x64"),
            &assets,
        )
        .expect("linux");
    assert_eq!(
        asset,
        Asset {
            name: "jira-1.7.0-Linux-x86_64.tar.xz".into(),
            kind: ArchiveKind::TarXz,
            checksums: Some("jira_checksums.txt".into()),
            executable: Executable::InArchive("jira-1.7.0/bin/jira".into()),
            windows: false,
        }
    );
    let mac = jira
        .pick(
            &pin("1.7.0", "1.7.0+jira"),
            &platform("macos", "arm64"),
            &assets,
        )
        .expect("mac");
    assert_eq!(mac.name, "jira-1.7.0-Darwin-aarch64.tar.xz");
}

#[test]
fn tokens_come_from_platforms_then_renames_then_goreleaser() {
    let origin = origin(RFC);
    let jira = origin.binary("jira");
    assert_eq!(
        jira.tokens(&platform("linux", "x64")),
        ("Linux".into(), "x86_64".into())
    );
    // no entry for linux-arm64: goreleaser's names
    assert_eq!(
        jira.tokens(&platform("linux", "arm64")),
        ("linux".into(), "arm64".into())
    );
    let vault = origin.binary("vault");
    assert_eq!(
        vault.tokens(&platform("macos", "x64")),
        ("mac".into(), "amd64".into())
    );
    assert_eq!(
        vault.tokens(&platform("windows", "x64")),
        ("windows".into(), "amd64".into())
    );
}

#[test]
fn platform_keys_take_mise_and_goreleaser_names() {
    for key in ["macos-arm64", "darwin-arm64", "darwin-aarch64", "osx-arm64"] {
        let toml = one_binary(&format!("[binaries.platforms.{key}]\nos = \"MacOS\""));
        let jira = origin(&toml).binary("jira");
        assert_eq!(jira.tokens(&platform("macos", "arm64")).0, "MacOS", "{key}");
    }
    for key in ["linux-amd64", "linux-x86_64", "linux-x64"] {
        let toml = one_binary(&format!("[binaries.platforms.{key}]\narch = \"x86_64\""));
        assert_eq!(
            origin(&toml)
                .binary("jira")
                .tokens(&platform("linux", "x64"))
                .1,
            "x86_64"
        );
    }
    let err = toml_err(&one_binary("[binaries.platforms.linux]\nos = \"linux\""));
    assert_binary_error(
        &err,
        "jira",
        "platforms.linux",
        "not an <os>-<arch> platform",
        "`darwin-arm64`",
    );
    let err = toml_err(&one_binary(
        "[binaries.platforms.linux-x64]\nos = \"a\"\n[binaries.platforms.linux-amd64]\nos = \"b\"",
    ));
    assert_binary_error(
        &err,
        "jira",
        "platforms.linux-x64",
        "another key",
        "one entry per platform",
    );
    let err = toml_err(&one_binary("[binaries.platforms.linux-x64]\nos = \"../x\""));
    assert_binary_error(
        &err,
        "jira",
        "platforms.linux-x64",
        "contains '/'",
        "letters, digits",
    );
    let unknown = toml_err(&one_binary(
        "[binaries.platforms.linux-x64]\nsystem = \"x\"",
    ));
    assert!(matches!(unknown, Error::Syntax { .. }), "{unknown:?}");
}

#[test]
fn streams_are_build_metadata_or_a_prefix() {
    let build = origin(&one_binary("stream = \"+jira\"")).binary("jira");
    assert_eq!(
        build.tags().templates(),
        ["{version}+jira", "v{version}+jira"]
    );
    let prefix = origin(&one_binary("stream = \"jira-v\"")).binary("jira");
    assert_eq!(prefix.tags().templates(), ["jira-v{version}"]);
    for (stream, problem) in [
        ("", "is empty"),
        ("+", "not valid build metadata"),
        ("+ji ra", "not valid build metadata"),
        ("jira-v{version}", "holds a placeholder"),
        ("jira v", "which a git tag cannot hold"),
    ] {
        let err = toml_err(&one_binary(&format!("stream = \"{stream}\"")));
        assert_binary_error(&err, "jira", "stream", problem, "\"+jira\"");
    }
    let err = toml_err(&one_binary("stream = \"+jira\"\ntag = \"v{version}+jira\""));
    assert_binary_error(&err, "jira", "tag", "is given with `stream`", "not both");
}

#[test]
fn a_binary_without_fields_is_the_convention_under_its_entry() {
    let jira = origin(&one_binary("")).binary("jira");
    assert!(jira.is_declared());
    assert_eq!(jira.tags(), &TagPattern::convention("jira"));
    let asset = jira
        .pick(
            &pin("1.7.0", "1.7.0+jira"),
            &platform("linux", "x64"),
            &["jira_1.7.0_linux_amd64.tar.gz"],
        )
        .expect("convention asset");
    assert_eq!(asset.executable, Executable::ByName("jira".into()));
    assert_eq!(asset.checksums, None);
}

#[test]
fn convention_picks_one_goreleaser_asset_from_the_release() {
    let oxid = Origin::convention_only("acme/origin").binary("oxid");
    let release = [
        "oxid_0.5.0_linux_amd64.tar.gz",
        "oxid_0.5.0_linux_arm64.tar.gz",
        "oxid_0.5.0_darwin_arm64.tar.gz",
        "oxid_0.5.0_windows_amd64.zip",
        "oxid_0.5.0_linux_amd64.tar.gz.sbom.json",
        "my-skills_checksums.txt",
    ];
    let v050 = pin("0.5.0", "oxid-v0.5.0");
    let linux = oxid
        .pick(&v050, &platform("linux", "x64"), &release)
        .expect("linux");
    assert_eq!(linux.name, "oxid_0.5.0_linux_amd64.tar.gz");
    assert_eq!(linux.checksums.as_deref(), Some("my-skills_checksums.txt"));
    let windows = oxid
        .pick(&v050, &platform("windows", "x64"), &release)
        .expect("windows");
    assert_eq!(
        (windows.name.as_str(), windows.kind),
        ("oxid_0.5.0_windows_amd64.zip", ArchiveKind::Zip)
    );
    assert!(windows.windows);
    assert_eq!(windows.executable_names(), ["oxid", "oxid.exe"]);
    assert_eq!(windows.install_name(), "oxid.exe");

    let err = oxid
        .pick(&v050, &platform("macos", "x64"), &release)
        .expect_err("no darwin amd64");
    assert!(matches!(err, Error::Pick { missing: true, .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "release `oxid-v0.5.0` of `oxid` has no asset `oxid_0.5.0_darwin_amd64.tar.gz` (or .zip, \
         .tar.xz, ...) for macos-x64; it has: oxid_0.5.0_linux_amd64.tar.gz, \
         oxid_0.5.0_linux_arm64.tar.gz, oxid_0.5.0_darwin_arm64.tar.gz, oxid_0.5.0_windows_amd64.zip, \
         oxid_0.5.0_linux_amd64.tar.gz.sbom.json, my-skills_checksums.txt; publish goreleaser's \
         `{{ .Binary }}_{{ .Version }}_{{ .Os }}_{{ .Arch }}` archive for this platform, or declare \
         the binary's `asset` in a [[binaries]] entry of .skillrig-origin.toml"
    );
    let two = [
        "oxid_0.5.0_linux_amd64.tar.gz",
        "oxid_0.5.0_linux_amd64.zip",
    ];
    let err = oxid
        .pick(&v050, &platform("linux", "x64"), &two)
        .expect_err("two");
    let Error::Pick {
        field,
        problem,
        missing,
        ..
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!((field.as_str(), *missing), ("asset", false));
    assert!(
        problem.contains(
            "has 2 assets for linux-x64 (oxid_0.5.0_linux_amd64.tar.gz, oxid_0.5.0_linux_amd64.zip)"
        ),
        "{problem}"
    );
}

#[test]
fn convention_assets_may_carry_the_tags_build_metadata() {
    let jira = Origin::convention_only("acme/origin").binary("jira");
    let assets = ["jira_1.7.0+jira_linux_amd64.tar.gz", "jira_checksums.txt"];
    let asset = jira
        .pick(
            &pin("1.7.0", "1.7.0+jira"),
            &platform("linux", "x64"),
            &assets,
        )
        .expect("build metadata in the name");
    assert_eq!(asset.name, "jira_1.7.0+jira_linux_amd64.tar.gz");
    assert_eq!(asset.checksums.as_deref(), Some("jira_checksums.txt"));
}

#[test]
fn convention_checksums_prefer_the_per_tool_file() {
    let jira = Origin::convention_only("acme/origin").binary("jira");
    let v = pin("1.7.0", "jira-v1.7.0");
    let linux = platform("linux", "x64");
    let asset = "jira_1.7.0_linux_amd64.tar.gz";
    let pick = |assets: &[&str]| jira.pick(&v, &linux, assets);
    let with = |extra: &[&'static str]| {
        let mut all = vec![asset];
        all.extend_from_slice(extra);
        all
    };
    let per_tool = pick(&with(&["jira_checksums.txt", "checksums.txt"])).expect("per tool");
    assert_eq!(per_tool.checksums.as_deref(), Some("jira_checksums.txt"));
    let versioned = pick(&with(&["jira_1.7.0_checksums.txt"])).expect("versioned per tool");
    assert_eq!(
        versioned.checksums.as_deref(),
        Some("jira_1.7.0_checksums.txt")
    );
    for project in ["checksums.txt", "SHA256SUMS", "origin_1.7.0_checksums.txt"] {
        let found = pick(&with(&[project])).expect(project);
        assert_eq!(found.checksums.as_deref(), Some(project));
    }
    assert_eq!(pick(&with(&[])).expect("none").checksums, None);
    let err = pick(&with(&["checksums.txt", "SHA256SUMS"])).expect_err("two");
    let Error::Pick {
        field,
        problem,
        fix,
        ..
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(field, "checksums");
    assert!(
        problem.contains("2 project-wide checksums files (checksums.txt, SHA256SUMS)"),
        "{problem}"
    );
    assert!(fix.contains("declare the binary's `checksums`"), "{fix}");
}

#[test]
fn declared_names_must_be_in_the_release() {
    let origin = origin(RFC);
    let jira = origin.binary("jira");
    let v = pin("1.7.0", "1.7.0+jira");
    let err = jira
        .pick(&v, &platform("linux", "x64"), &["jira_checksums.txt"])
        .expect_err("no asset");
    assert!(err.to_string().starts_with(
        "release `1.7.0+jira` of `jira` has no asset `jira-1.7.0-Linux-x86_64.tar.xz` for linux-x64; \
         it has: jira_checksums.txt; publish it, or correct the binary's `asset`"
    ), "{err}");
    let err = jira
        .pick(
            &v,
            &platform("linux", "x64"),
            &["jira-1.7.0-Linux-x86_64.tar.xz"],
        )
        .expect_err("no checksums");
    assert!(
        err.to_string()
            .contains("has no checksums file `jira_checksums.txt`"),
        "{err}"
    );
}

#[test]
fn every_placeholder_renders_including_name_and_tag() {
    let toml = one_binary(
        "tag = \"jira-v{version}\"\nasset = \"{name}_{tag}_{version}_{os}_{arch}.zip\"\nbin = \"{tag}/{name}\"",
    );
    let jira = origin(&toml).binary("jira");
    let asset = jira
        .pick(
            &pin("1.8.0-rc.1", "jira-v1.8.0-rc.1"),
            &platform("macos", "arm64"),
            &["jira_jira-v1.8.0-rc.1_1.8.0-rc.1_darwin_arm64.zip"],
        )
        .expect("asset");
    assert_eq!(
        asset.executable,
        Executable::InArchive("jira-v1.8.0-rc.1/jira".into())
    );
}

#[test]
fn index_json_mirrors_the_block() {
    let json = r#"{
      "skillrigConvention": 1,
      "origin": "my-org/my-skills",
      "skills": [],
      "binaries": [
        {"name": "jira", "stream": "+jira", "asset": "jira-{version}-{os}-{arch}.tar.xz",
         "checksums": "jira_checksums.txt", "bin": "jira-{version}/bin/jira",
         "platforms": {"linux-x64": {"os": "Linux", "arch": "x86_64"}, "darwin-arm64": {"os": "Darwin", "arch": "aarch64"}}},
        {"name": "vault", "tag": "cli/vault/v{version}", "asset": "vault_{os}_{arch}.zip", "os": {"macos": "mac"}}
      ]
    }"#;
    let from_json = Origin::from_json(FILE, json).expect("index.json");
    assert_eq!(from_json, origin(RFC));
}

#[test]
fn serializes_to_the_index_json_mirror_and_back() {
    let origin = origin(RFC);
    let json = serde_json::to_value(&origin).expect("serializes");
    assert_eq!(json["skillrigConvention"], 1);
    assert_eq!(json["binaries"][0]["stream"], "+jira");
    assert_eq!(json["binaries"][0]["platforms"]["linux-x64"]["os"], "Linux");
    let again = Origin::from_json(FILE, &json.to_string()).expect("parses back");
    assert_eq!(again, origin);
}

#[test]
fn every_convention_key_is_read_and_newer_conventions_say_update_mise() {
    for key in [
        "convention_version",
        "skillrig-convention",
        "skillrigConvention",
    ] {
        assert!(
            origin(&format!("{key} = 1\n")).binaries().is_empty(),
            "{key}"
        );
        let err = toml_err(&format!("{key} = 2\n"));
        assert_eq!(
            err.to_string(),
            format!(
                "{FILE}: follows skillrig convention 2 ({key} = 2), and this mise reads convention 1 \
                 only; update mise to a release whose skillrig backend reads it"
            )
        );
        assert!(
            toml_err(&format!("{key} = 0\n"))
                .to_string()
                .contains(&format!("set `{key} = 1`"))
        );
    }
    let json = Origin::from_json("index.json", r#"{"skillrigConvention": 3}"#).expect_err("3");
    assert!(
        json.to_string().contains("skillrigConvention = 3"),
        "{json}"
    );
    let both = toml_err("convention_version = 1\nskillrig-convention = 2\n");
    assert!(
        both.to_string()
            .contains("says convention_version = 1 and skillrig-convention = 2"),
        "{both}"
    );
    // the retired key of this repository's first contract is read past like any other key
    assert!(origin("binaries_convention = 9\n").binaries().is_empty());
    // the origin label is never compared with anything
    assert!(
        origin("origin = \"someone-else/fork\"\n")
            .binaries()
            .is_empty()
    );
    let text = toml_err("convention_version = \"1\"\n");
    assert!(
        matches!(text, Error::Syntax { line: Some(1), .. }),
        "{text:?}"
    );
}

#[test]
fn toml_errors_carry_the_file_and_line() {
    let err = toml_err("convention_version = 1\n\n[[binaries]]\nname = \"jira\n");
    let Error::Syntax { file, line, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!((file.as_str(), *line), (FILE, Some(4)));
    assert!(
        err.to_string().starts_with(&format!("{FILE}, line 4: ")),
        "{err}"
    );
    let wrong_type = toml_err("[[binaries]]\nname = \"jira\"\ntag = 5\n");
    assert!(
        matches!(wrong_type, Error::Syntax { line: Some(3), .. }),
        "{wrong_type:?}"
    );
    let table_not_array = toml_err("[binaries]\nname = \"jira\"\n");
    assert!(
        matches!(table_not_array, Error::Syntax { line: Some(_), .. }),
        "{table_not_array:?}"
    );
}

#[test]
fn json_errors_carry_the_file_and_line() {
    let err = Origin::from_json(
        "index.json",
        "{\n  \"skillrigConvention\": 1,\n  \"binaries\": [\n}",
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
        r#"{"binaries": [{"name": "a", "name": "b"}]}"#,
    )
    .expect_err("duplicate key");
    assert!(
        duplicate.to_string().contains("duplicate field `name`"),
        "{duplicate}"
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
    let err = toml_err(&one_binary("streams = \"+jira\""));
    assert_binary_error(
        &err,
        "jira",
        "streams",
        "is not a field",
        "did you mean `stream`?",
    );
    let err = toml_err(&one_binary("homepage = \"x\""));
    assert_binary_error(
        &err,
        "jira",
        "homepage",
        "is not a field",
        "remove it; fields are: name, stream, asset, checksums, bin, platforms, tag, os, arch",
    );
}

#[test]
fn names_are_required_and_checked() {
    let err = toml_err("[[binaries]]\nstream = \"+jira\"\n");
    assert_binary_error(
        &err,
        "binaries[0]",
        "name",
        "is missing",
        "skillrig:<owner>/<repo>/<bin>",
    );
    for (name, problem) in [
        ("", "is empty"),
        ("..", "is a path segment"),
        ("acme/jira", "contains '/'"),
        ("ji ra", "contains ' '"),
    ] {
        let err = toml_err(&one_binary(&format!("name = \"{name}\"")));
        assert_binary_error(&err, "binaries[0]", "name", problem, "letters, digits");
    }
    let err = toml_err("[[binaries]]\nname = \"jira\"\n[[binaries]]\nname = \"jira\"\n");
    assert_binary_error(
        &err,
        "jira",
        "name",
        "declared twice (binaries[0] and binaries[1])",
        "one entry",
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
        let Error::Binary {
            field, problem: p, ..
        } = &err
        else {
            panic!("{err:?}");
        };
        assert_eq!(field, "tag");
        assert!(p.contains(problem), "{p}");
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
            "{version}, {os} and {arch}",
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
    for field in ["asset", "checksums"] {
        let err = toml_err(&one_binary(&format!("{field} = \"dist/jira.tar.gz\"")));
        assert_binary_error(&err, "jira", field, "release asset names are flat", "plain");
        let err = toml_err(&one_binary(&format!(
            "tag = \"cli/jira/v{{version}}\"\n{field} = \"{{tag}}.tar.gz\""
        )));
        assert_binary_error(
            &err,
            "jira",
            field,
            "tags `cli/jira/v{version}` contain `/`",
            "plain",
        );
    }
    let err = toml_err(&one_binary("asset = \"jira_{os}.dmg\""));
    assert_binary_error(
        &err,
        "jira",
        "asset",
        "a format skillrig cannot install",
        "publish a .tar.gz",
    );
    let err = toml_err(&one_binary("bin = \"dist/\""));
    assert_binary_error(&err, "jira", "bin", "ends with `/`", "plain relative path");
    // a platform token that makes a name unsafe fails when the metadata is read
    let err = toml_err(&one_binary(
        "asset = \"jira_{os}.zip\"\n[binaries.platforms.linux-x64]\nos = \"a..b\"",
    ));
    assert_binary_error(
        &err,
        "jira",
        "asset",
        "contains `..`",
        "plain relative path",
    );
}

#[test]
fn renames_are_checked() {
    for (fields, field, fix) in [
        (
            "os = { darwin = \"macos\" }",
            "os.darwin",
            "write `macos = \"darwin\"`",
        ),
        (
            "arch = { amd64 = \"x64\" }",
            "arch.amd64",
            "write `x64 = \"amd64\"`",
        ),
        (
            "arch = { aarch64 = \"arm64\" }",
            "arch.aarch64",
            "write `arm64 = \"aarch64\"`",
        ),
    ] {
        let err = toml_err(&one_binary(fields));
        assert_binary_error(&err, "jira", field, "not a mise", fix);
    }
    for (value, problem) in [
        ("x/y", "contains '/'"),
        ("", "is empty"),
        ("x.", "ends with `.`"),
    ] {
        let err = toml_err(&one_binary(&format!("os = {{ macos = \"{value}\" }}")));
        assert_binary_error(&err, "jira", "os.macos", problem, "letters, digits");
    }
}

#[test]
fn an_odd_platform_is_still_checked_when_picking() {
    let jira = origin(&one_binary("asset = \"jira_{os}_{arch}.zip\"")).binary("jira");
    let err = jira
        .pick(
            &pin("1.0.0", "1.0.0+jira"),
            &platform("../../etc", "x64"),
            &[],
        )
        .expect_err("unsafe os name");
    assert_binary_error(
        &err,
        "jira",
        "asset",
        "for ../../etc-x64, which contains `..`",
        "plain relative path",
    );
}

#[test]
fn declared_streams_that_read_each_others_tags_are_refused() {
    for (a, b, shared) in [
        (
            "tag = \"v{version}\"",
            "tag = \"v{version}-jira\"",
            "v1.2.3-jira",
        ),
        (
            "stream = \"+jira\"",
            "tag = \"v{version}+jira\"",
            "v1.2.3+jira",
        ),
        ("tag = \"v{version}\"", "tag = \"v1{version}\"", "v11.2.3"),
    ] {
        let toml = format!("[[binaries]]\nname = \"a\"\n{a}\n[[binaries]]\nname = \"b\"\n{b}\n");
        let err = toml_err(&toml);
        let Error::Contract { problem, fix, .. } = &err else {
            panic!("{err:?}");
        };
        assert!(
            problem.contains(&format!("both claim the tag `{shared}`")),
            "{a} {b}: {problem}"
        );
        assert!(fix.contains("tags the other cannot read"), "{fix}");
    }
    for (a, b) in [
        ("stream = \"+jira\"", "stream = \"+tfc\""),
        ("stream = \"jira-v\"", "stream = \"jira-cli-v\""),
        (
            "tag = \"cli/jira/v{version}\"",
            "tag = \"cli/tfc/v{version}\"",
        ),
        ("", ""),
    ] {
        let toml =
            format!("[[binaries]]\nname = \"jira\"\n{a}\n[[binaries]]\nname = \"tfc\"\n{b}\n");
        assert_eq!(origin(&toml).binaries().len(), 2, "{a} {b}");
    }
}

#[test]
fn released_binaries_come_from_the_tags_by_the_same_rules() {
    let origin = origin(RFC);
    let tags = [
        "1.7.0+jira",
        "cli/vault/v2.0.0",
        "tfc-v0.0.6",
        "v0.3.0+lint",
        "skills-v1.4.0",
        "release-2026-01",
        "v1.0.0",
    ];
    assert_eq!(
        origin.released_binaries(tags),
        ["jira", "lint", "skills", "tfc", "vault"]
    );
    let err = origin.unknown_binary("tcf", tags);
    assert_eq!(
        err.to_string(),
        "acme/origin:.skillrig-origin.toml has no release of `tcf` (no tag `{version}+tcf`, \
         `v{version}+tcf`, `tcf-v{version}`, `tcf-{version}` or `tcf/v{version}`); it releases: \
         jira, lint, skills, tfc, vault; did you mean `tfc`?"
    );
    let far = origin.unknown_binary("kubernetes", tags).to_string();
    assert!(
        far.ends_with("it releases: jira, lint, skills, tfc, vault"),
        "{far}"
    );
    let none = Origin::convention_only("acme/empty").unknown_binary("jira", ["v1.0.0"]);
    assert!(
        none.to_string()
            .contains("it releases no binary by the skillrig convention"),
        "{none}"
    );
}

#[test]
fn a_convention_stream_keeps_one_tag_per_version() {
    let jira = Origin::convention_only("acme/origin").binary("jira");
    let tags = [
        "jira-v1.7.0",
        "1.7.0+jira",
        "v1.7.0+jira",
        "jira/v1.8.0",
        "jira-1.8.0",
        "jira-cli-v9.0.0",
    ];
    let releases = tags.iter().map(|tag| Release {
        tag,
        draft: false,
        prerelease: false,
    });
    let stream = Stream::from_releases(jira.tags(), releases);
    let pins: Vec<(String, &str)> = stream
        .pins()
        .iter()
        .map(|p| (p.version.to_string(), p.tag.as_str()))
        .collect();
    assert_eq!(
        pins,
        [
            ("1.7.0".into(), "1.7.0+jira"),
            ("1.8.0".into(), "jira-1.8.0")
        ]
    );
}

#[test]
fn suggestions_need_a_close_match() {
    assert_eq!(suggest_field("assets"), Some("asset"));
    assert_eq!(suggest_field("Tag"), Some("tag"));
    assert_eq!(suggest_field("bins"), Some("bin"));
    assert_eq!(suggest_field("platform"), Some("platforms"));
    assert_eq!(suggest_field("foo"), None);
    assert_eq!(suggest_field("version"), None);
}
