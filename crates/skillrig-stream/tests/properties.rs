//! Property tests for the round trips: tag render and match, contract parse and serialize, streams
//! built from shuffled release lists, checksums files and version requests.

use proptest::prelude::*;
use proptest::sample::subsequence;
use semver::{BuildMetadata, Prerelease, Version};
use skillrig_stream::convention::{Shape, parse_tag};
use skillrig_stream::{
    Checksums, Error, Origin, Pin, Platform, Release, Stream, TagPattern, TagTemplate,
    VersionRequest,
};

fn prerelease() -> impl Strategy<Value = String> {
    let identifier = prop_oneof![
        "0|[1-9][0-9]{0,4}",
        "[a-zA-Z-][0-9a-zA-Z-]{0,6}",
        "[0-9]{1,3}[a-zA-Z-][0-9a-zA-Z-]{0,3}",
    ];
    prop::collection::vec(identifier, 0..4).prop_map(|ids| ids.join("."))
}

fn version() -> impl Strategy<Value = Version> {
    (any::<u64>(), 0..1000u64, 0..1000u64, prerelease()).prop_map(|(major, minor, patch, pre)| {
        Version {
            major: major % 100_000,
            minor,
            patch,
            pre: Prerelease::new(&pre).expect("generated prerelease is valid"),
            build: BuildMetadata::EMPTY,
        }
    })
}

fn template() -> impl Strategy<Value = TagTemplate> {
    let prefix = "([a-z]{1,6}[-/_])?([a-z]{1,6}[-/_])?v?";
    let suffix = prop_oneof![
        Just(String::new()),
        "\\+[a-z][a-z0-9]{0,6}",
        "-[a-z]{1,6}",
        "_[a-z]{1,4}"
    ];
    (prefix, suffix).prop_filter_map("template a git tag cannot hold", |(p, s)| {
        TagTemplate::new(&format!("{p}{{version}}{s}")).ok()
    })
}

fn release(tag: &str) -> Release<'_> {
    Release {
        tag,
        draft: false,
        prerelease: false,
    }
}

proptest! {
    #[test]
    fn matching_a_rendered_tag_gives_the_version_back(template in template(), version in version()) {
        let tag = template.render(&version);
        prop_assert_eq!(template.match_tag(&tag), Some(version));
    }

    #[test]
    fn a_matched_tag_renders_back_to_itself(
        template in template(),
        middle in "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}[0-9a-zA-Z.+-]{0,12}|[0-9a-zA-Z.+-]{0,16}",
    ) {
        let tag = template.as_str().replace("{version}", &middle);
        if let Some(version) = template.match_tag(&tag) {
            prop_assert_eq!(template.render(&version), tag);
            prop_assert!(version.build.is_empty());
        }
    }

    #[test]
    fn a_build_metadata_stream_never_reads_another_streams_tags(
        a in "[a-z]{1,6}", b in "[a-z]{1,6}", version in version()
    ) {
        prop_assume!(a != b);
        let ta = TagTemplate::new(&format!("v{{version}}+{a}")).expect("template");
        let tb = TagTemplate::new(&format!("v{{version}}+{b}")).expect("template");
        prop_assert_eq!(ta.match_tag(&tb.render(&version)), None);
        let plain = TagTemplate::new("v{version}").expect("template");
        prop_assert_eq!(plain.match_tag(&ta.render(&version)), None);
    }

    #[test]
    fn streams_hold_exactly_their_own_versions_in_any_order(
        jira in prop::collection::btree_set(version(), 0..30),
        tfc in prop::collection::btree_set(version(), 0..30),
        gh in prop::collection::btree_set(version(), 0..30),
        seed in any::<u64>(),
    ) {
        let templates = ["v{version}+jira", "v{version}+tfc", "gh-v{version}"]
            .map(|t| TagTemplate::new(t).expect("template"));
        let sets = [&jira, &tfc, &gh];
        let mut tags: Vec<String> = templates
            .iter()
            .zip(sets)
            .flat_map(|(t, set)| set.iter().map(|v| t.render(v)))
            .collect();
        shuffle(&mut tags, seed);
        let releases: Vec<Release<'_>> = tags.iter().map(|t| release(t)).collect();
        for (template, set) in templates.iter().zip(sets) {
            let stream = Stream::from_releases(template, releases.iter().copied());
            let got: Vec<&Version> = stream.versions().collect();
            let want: Vec<&Version> = set.iter().collect();
            prop_assert_eq!(got, want);
            prop_assert!(stream.skipped().is_empty());
            let latest = set.iter().rev().find(|v| v.pre.is_empty());
            let resolved = stream.resolve(&VersionRequest::Latest).ok();
            prop_assert_eq!(resolved.map(|p| &p.version), latest);
            if let Some(latest) = latest {
                prop_assert_eq!(&resolved.expect("latest").tag, &template.render(latest));
            }
        }
    }

    #[test]
    fn resolving_an_exact_version_finds_its_tag(
        versions in prop::collection::btree_set(version(), 1..20),
        pick in any::<prop::sample::Index>(),
    ) {
        let template = TagTemplate::new("cli/jira/v{version}").expect("template");
        let tags: Vec<String> = versions.iter().map(|v| template.render(v)).collect();
        let stream = Stream::from_releases(&template, tags.iter().map(|t| release(t)));
        let wanted = pick.get(&versions.iter().cloned().collect::<Vec<_>>()).clone();
        let request = VersionRequest::parse(&wanted.to_string()).expect("request");
        let pin = stream.resolve(&request).expect("present");
        prop_assert_eq!(&pin.tag, &template.render(&wanted));
    }

    #[test]
    fn version_requests_display_what_they_parse(
        version in version(), major in 0..1000u64, minor in prop::option::of(0..1000u64)
    ) {
        for request in [
            VersionRequest::Exact(version),
            VersionRequest::Prefix { major, minor },
            VersionRequest::Latest,
            VersionRequest::parse(&format!(">={major}")).expect("range"),
            VersionRequest::parse(&format!("^{major}.{}", minor.unwrap_or(0))).expect("range"),
        ] {
            prop_assert_eq!(VersionRequest::parse(&request.to_string()).expect("parses"), request);
        }
    }

    #[test]
    fn contracts_survive_json_and_toml_round_trips(origin in origin_text()) {
        let parsed = Origin::from_toml("origin.toml", &origin).expect("generated contract is valid");
        let json = serde_json::to_string_pretty(&parsed).expect("json");
        let from_json = Origin::from_json("origin.toml", &json).expect("json parses");
        prop_assert_eq!(&from_json, &parsed);
        let toml = toml::to_string(&parsed).expect("toml");
        let from_toml = Origin::from_toml("origin.toml", &toml).expect("toml parses");
        prop_assert_eq!(&from_toml, &parsed);
        for binary in parsed.binaries() {
            // parse-time checks cover the common platforms: picking from an empty release can only
            // miss, never render an unsafe name
            let pin = Pin::new(Version::new(1, 2, 3), "t");
            let missed = binary.pick(&pin, &Platform::new("macos", "arm64"), &[]);
            prop_assert!(matches!(missed, Err(Error::Pick { .. })), "{:?}", missed);
        }
    }

    #[test]
    fn a_tag_is_in_at_most_one_binarys_convention_stream(
        bin in "[a-z0-9][a-z0-9._-]{0,8}",
        version in version(),
        shape in 0..5usize,
    ) {
        let shape = Shape::ALL[shape];
        let tag = shape.render(&bin, &version);
        // every binary name the tag could be split into
        let mut candidates: Vec<String> = vec![bin.clone()];
        for (at, _) in tag.match_indices(['-', '+', '/']) {
            candidates.push(tag[..at].to_owned());
            candidates.push(tag[at + 1..].to_owned());
        }
        let claimed: std::collections::BTreeSet<&String> = candidates
            .iter()
            .filter(|b| TagPattern::convention(b).match_tag(&tag).is_some())
            .collect();
        prop_assert!(claimed.len() <= 1, "{} is claimed by {:?}", tag, claimed);
        // a name without `-<digit>` or `-v<digit>` reads back exactly
        let ambiguous = bin.match_indices('-').any(|(at, _)| {
            let rest = bin[at + 1..].trim_start_matches('v');
            rest.starts_with(|c: char| c.is_ascii_digit())
        });
        if !ambiguous {
            let read = parse_tag(&tag).expect("a rendered convention tag reads");
            prop_assert_eq!((read.bin, &read.version, read.shape), (bin.as_str(), &version, shape));
        }
    }

    #[test]
    fn ranges_pick_the_highest_admitted_stable_version(
        versions in prop::collection::btree_set(version(), 1..20),
        major in 0..5u64,
    ) {
        let template = TagTemplate::new("{version}+jira").expect("template");
        let tags: Vec<String> = versions.iter().map(|v| template.render(v)).collect();
        let stream = Stream::from_releases(&template, tags.iter().map(|t| release(t)));
        let request = VersionRequest::parse(&format!(">={major}.0.0")).expect("range");
        let want = versions.iter().rev().find(|v| v.major >= major && v.pre.is_empty());
        prop_assert_eq!(stream.resolve(&request).ok().map(|p| &p.version), want);
    }

    #[test]
    fn checksums_files_find_every_asset(
        entries in prop::collection::btree_map("[a-z0-9_.-]{1,20}", "[0-9a-fA-F]{64}", 0..12),
        star in prop::collection::vec(any::<bool>(), 12),
    ) {
        let text: String = entries
            .iter()
            .zip(&star)
            .map(|((name, hash), star)| format!("{hash} {}{name}\n", if *star { '*' } else { ' ' }))
            .collect();
        let sums = Checksums::parse("sums", &text).expect("parses");
        for (name, hash) in &entries {
            prop_assert_eq!(sums.sha256(name).expect("found"), hash.to_ascii_lowercase());
        }
    }
}

/// Valid metadata with 1–4 binaries whose names and tag suffixes are distinct, written with RFC
/// 0001's fields (`stream`, `platforms`) and this backend's (`tag`, `os`, `arch`).
fn origin_text() -> impl Strategy<Value = String> {
    let binary = (
        prop_oneof![
            Just("tag = \"v{version}+{n}\""),
            Just("tag = \"{n}-v{version}\""),
            Just("tag = \"cli/{n}/v{version}\""),
            Just("stream = \"+{n}\""),
            Just("stream = \"{n}-v\""),
            Just(""),
        ],
        prop_oneof![
            Just("{name}_{version}_{os}_{arch}.tar.gz"),
            Just("{n}-{os}-{arch}"),
            Just("{tag}.zip"),
        ],
        prop::option::of(prop_oneof![
            Just("checksums.txt"),
            Just("{name}_{version}_checksums.txt")
        ]),
        prop::option::of(prop_oneof![
            Just("{name}"),
            Just("{name}_{version}_{os}_{arch}/{n}")
        ]),
        subsequence(vec![("macos", "darwin"), ("windows", "win")], 0..=2),
        subsequence(vec![("x64", "amd64"), ("arm64", "aarch64")], 0..=2),
        subsequence(
            vec![
                ("linux-x64", "Linux", "x86_64"),
                ("darwin-arm64", "Darwin", "arm64"),
            ],
            0..=2,
        ),
    );
    prop::collection::btree_set("[a-z][a-z0-9]{0,7}", 1..5).prop_flat_map(move |names| {
        let names: Vec<String> = names.into_iter().collect();
        prop::collection::vec(binary.clone(), names.len()).prop_map(move |binaries| {
            let mut text =
                String::from("skillrig-convention = 1\norigin = \"label\"\n[unrelated]\nkey = 1\n");
            for (name, (tag, asset, checksums, bin, os, arch, platforms)) in
                names.iter().zip(binaries)
            {
                let sub = |s: &str| s.replace("{n}", name);
                // `{tag}` in an asset name is only valid when the tag has no `/`.
                let asset = if tag.contains('/') && asset.contains("{tag}") {
                    "{name}.zip"
                } else {
                    asset
                };
                text.push_str(&format!(
                    "[[binaries]]\nname = \"{name}\"\n{}\nasset = \"{}\"\n",
                    sub(tag),
                    sub(asset)
                ));
                if let Some(checksums) = checksums {
                    text.push_str(&format!("checksums = \"{checksums}\"\n"));
                }
                if let Some(bin) = bin {
                    text.push_str(&format!("bin = \"{}\"\n", sub(bin)));
                }
                for (table, renames) in [("os", os), ("arch", arch)] {
                    if !renames.is_empty() {
                        let pairs: Vec<String> = renames
                            .iter()
                            .map(|(k, v)| format!("{k} = \"{v}\""))
                            .collect();
                        text.push_str(&format!("{table} = {{ {} }}\n", pairs.join(", ")));
                    }
                }
                for (key, os, arch) in platforms {
                    text.push_str(&format!(
                        "[binaries.platforms.{key}]\nos = \"{os}\"\narch = \"{arch}\"\n"
                    ));
                }
            }
            text
        })
    })
}

/// A dependency-free Fisher–Yates shuffle driven by a seed from proptest.
fn shuffle<T>(items: &mut [T], mut seed: u64) {
    for i in (1..items.len()).rev() {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let j = usize::try_from(seed >> 33).unwrap_or(0) % (i + 1);
        items.swap(i, j);
    }
}
