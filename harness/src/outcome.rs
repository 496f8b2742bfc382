//! Judging a run from evidence: what `mise ls --json` lists, what each binary prints through
//! `mise x`, and what mise said while installing. Exit codes alone decide nothing.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

/// The class of a scenario's result on one pin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// Every requested tool installed its own binary at the expected version.
    Ok,
    /// Fewer distinct binaries than requested: two tools were installed as one.
    Collision,
    /// A tool got another stream's version or binary.
    WrongStream,
    /// mise found no version for a requested tool.
    NotFound,
    /// Anything else; the detail has the first error line.
    Error,
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Class::Ok => "ok",
            Class::Collision => "collision",
            Class::WrongStream => "wrong-stream",
            Class::NotFound => "not-found",
            Class::Error => "error",
        })
    }
}

/// What was expected of one tool.
#[derive(Debug, Clone)]
pub struct Expected {
    /// The tool as the config names it (and as `mise x` takes it).
    pub tool: String,
    /// The executable the tool must provide.
    pub binary: String,
    /// The clean version it must run (`1.7.0`).
    pub version: String,
    /// Its key in `mise ls --json`: two tools with one key have one identity in mise.
    pub ls_key: String,
}

/// What was seen of one tool.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    /// Versions `mise ls --json` lists as installed for the tool, as mise spells them.
    pub installed: Vec<String>,
    /// Install paths of those versions.
    pub install_paths: Vec<String>,
    /// Versions mise mentioned for this tool anywhere (ls, errors), installed or not.
    pub mentioned: Vec<String>,
    /// The first stdout line of `mise x <tool> -- <binary>`, if it ran.
    pub ran: Option<String>,
}

/// The judgement of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The class.
    pub class: Class,
    /// For `ok`: whether every version reads clean (`1.7.0`) rather than decorated.
    pub clean_versions: Option<bool>,
    /// One line on what decided the class.
    pub detail: String,
}

/// Tells whether `version`, as mise spelled it, names a release of another stream.
pub trait StreamIndex {
    /// The binary whose stream `version` belongs to, if it is not `binary`'s own.
    fn other_stream(&self, binary: &str, version: &str) -> Option<String>;
}

/// Judge one run. `errors` is the first error line of the steps that failed, in order.
pub fn judge(
    expected: &[Expected],
    seen: &[Seen],
    errors: &[String],
    streams: &dyn StreamIndex,
) -> Verdict {
    if let Some(shared) = shared_identity(expected, seen)
        && !all_good(expected, seen)
    {
        return Verdict {
            class: Class::Collision,
            clean_versions: None,
            detail: shared,
        };
    }
    let mut wrong = Vec::new();
    let mut missing = Vec::new();
    let mut decorated = false;
    for (want, got) in expected.iter().zip(seen) {
        let good_line = format!("{} {}", want.binary, want.version);
        match &got.ran {
            Some(line) if *line == good_line => {
                if !got.installed.contains(&want.version) {
                    decorated = true;
                }
                continue;
            }
            Some(line) if !line.is_empty() && looks_like_a_fixture_binary(line) => {
                wrong.push(format!(
                    "{} ran `{line}`, expected `{good_line}`",
                    want.tool
                ));
                continue;
            }
            _ => {}
        }
        if let Some((v, other)) = got
            .mentioned
            .iter()
            .chain(&got.installed)
            .find_map(|v| streams.other_stream(&want.binary, v).map(|o| (v, o)))
        {
            wrong.push(format!("{} resolved to {v} (a {other} release)", want.tool));
        } else {
            missing.push(want);
        }
    }
    if !wrong.is_empty() {
        return Verdict {
            class: Class::WrongStream,
            clean_versions: None,
            detail: wrong.join("; "),
        };
    }
    if missing.is_empty() {
        return Verdict {
            class: Class::Ok,
            clean_versions: Some(!decorated),
            detail: seen_versions(expected, seen),
        };
    }
    let paths: BTreeSet<&String> = seen.iter().flat_map(|s| &s.install_paths).collect();
    let installed_tools = seen.iter().filter(|s| !s.installed.is_empty()).count();
    if installed_tools > 0 && paths.len() < expected.len() && errors.is_empty() {
        let names: Vec<_> = missing.iter().map(|m| m.tool.as_str()).collect();
        return Verdict {
            class: Class::Collision,
            clean_versions: None,
            detail: format!(
                "{} distinct install(s) for {} tools; {} did not get its own",
                paths.len(),
                expected.len(),
                names.join(", ")
            ),
        };
    }
    let first = errors.first().cloned().unwrap_or_else(|| {
        let names: Vec<_> = missing.iter().map(|m| m.tool.as_str()).collect();
        format!(
            "{} not installed, and mise reported no error",
            names.join(", ")
        )
    });
    let lower = first.to_lowercase();
    let class = if lower.contains("no versions found")
        || lower.contains("no version found")
        || lower.contains("no latest version")
        || lower.contains("not found in")
    {
        Class::NotFound
    } else {
        Class::Error
    };
    Verdict {
        class,
        clean_versions: None,
        detail: first,
    }
}

fn all_good(expected: &[Expected], seen: &[Seen]) -> bool {
    expected
        .iter()
        .zip(seen)
        .all(|(e, s)| s.ran.as_deref() == Some(format!("{} {}", e.binary, e.version).as_str()))
}

/// Two requested tools that mise keeps under one key or one install dir.
fn shared_identity(expected: &[Expected], seen: &[Seen]) -> Option<String> {
    for (i, a) in expected.iter().enumerate() {
        for (j, b) in expected.iter().enumerate().skip(i + 1) {
            if a.ls_key == b.ls_key {
                return Some(format!(
                    "{} and {} are one tool to mise ({})",
                    a.tool, b.tool, a.ls_key
                ));
            }
            if let Some(p) = seen[i]
                .install_paths
                .iter()
                .find(|p| seen[j].install_paths.contains(p))
            {
                return Some(format!("{} and {} share the install {p}", a.tool, b.tool));
            }
        }
    }
    None
}

/// The fixture scripts print exactly `<binary> <version>`.
fn looks_like_a_fixture_binary(line: &str) -> bool {
    line.split(' ').count() == 2
}

fn seen_versions(expected: &[Expected], seen: &[Seen]) -> String {
    expected
        .iter()
        .zip(seen)
        .map(|(e, s)| format!("{}@{}", e.tool, s.installed.join(",")))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// jira's stream is `v1.7.0+jira`, tfc's `v0.0.6+tfc`.
    struct TwoStreams;
    impl StreamIndex for TwoStreams {
        fn other_stream(&self, binary: &str, version: &str) -> Option<String> {
            let owner = if version.contains("jira") || version == "1.7.0" {
                "jira"
            } else if version.contains("tfc") || version == "0.0.6" {
                "tfc"
            } else {
                return None;
            };
            (owner != binary).then(|| owner.to_string())
        }
    }

    fn expected() -> Vec<Expected> {
        vec![
            Expected {
                tool: "jira".into(),
                binary: "jira".into(),
                version: "1.7.0".into(),
                ls_key: "jira".into(),
            },
            Expected {
                tool: "tfc".into(),
                binary: "tfc".into(),
                version: "0.0.6".into(),
                ls_key: "tfc".into(),
            },
        ]
    }

    fn installed(version: &str, path: &str, ran: &str) -> Seen {
        Seen {
            installed: vec![version.into()],
            install_paths: vec![path.into()],
            mentioned: vec![version.into()],
            ran: Some(ran.into()),
        }
    }

    #[test]
    fn both_binaries_running_is_ok_and_clean() {
        let seen = [
            installed("1.7.0", "/i/jira/1.7.0", "jira 1.7.0"),
            installed("0.0.6", "/i/tfc/0.0.6", "tfc 0.0.6"),
        ];
        let v = judge(&expected(), &seen, &[], &TwoStreams);
        assert_eq!(v.class, Class::Ok);
        assert_eq!(v.clean_versions, Some(true));
    }

    #[test]
    fn build_metadata_in_the_version_is_ok_but_decorated() {
        let seen = [
            installed("1.7.0+jira", "/i/jira/1.7.0+jira", "jira 1.7.0"),
            installed("0.0.6+tfc", "/i/tfc/0.0.6+tfc", "tfc 0.0.6"),
        ];
        let v = judge(&expected(), &seen, &[], &TwoStreams);
        assert_eq!((v.class, v.clean_versions), (Class::Ok, Some(false)));
    }

    #[test]
    fn a_tool_resolved_to_another_streams_release_is_wrong_stream() {
        let tfc = Seen {
            mentioned: vec!["1.7.0+jira".into()],
            ..Seen::default()
        };
        let seen = [
            installed("1.7.0+jira", "/i/jira/1.7.0+jira", "jira 1.7.0"),
            tfc,
        ];
        let errors = ["mise ERROR no asset for tfc@1.7.0+jira".to_string()];
        let v = judge(&expected(), &seen, &errors, &TwoStreams);
        assert_eq!(v.class, Class::WrongStream);
        assert!(
            v.detail
                .contains("tfc resolved to 1.7.0+jira (a jira release)"),
            "{}",
            v.detail
        );
    }

    #[test]
    fn a_tool_running_another_binary_is_wrong_stream() {
        let seen = [
            installed("1.7.0", "/i/a/1.7.0", "jira 1.7.0"),
            installed("1.7.0", "/i/b/1.7.0", "jira 1.7.0"),
        ];
        let v = judge(&expected(), &seen, &[], &TwoStreams);
        assert_eq!(v.class, Class::WrongStream);
    }

    #[test]
    fn one_install_for_two_tools_is_a_collision() {
        let tfc = Seen {
            ran: None,
            ..Seen::default()
        };
        let seen = [installed("1.7.0", "/i/origin/1.7.0", "jira 1.7.0"), tfc];
        let v = judge(&expected(), &seen, &[], &TwoStreams);
        assert_eq!(v.class, Class::Collision);
        assert!(
            v.detail.contains("1 distinct install(s) for 2 tools"),
            "{}",
            v.detail
        );
    }

    #[test]
    fn two_tools_with_one_key_are_a_collision() {
        let mut expected = expected();
        expected[1].ls_key = "jira".into();
        let seen = [
            installed("1.7.0", "/i/o/1.7.0", "jira 1.7.0"),
            installed("1.7.0", "/i/o/1.7.0", "jira 1.7.0"),
        ];
        let v = judge(&expected, &seen, &[], &TwoStreams);
        assert_eq!(v.class, Class::Collision);
        assert_eq!(v.detail, "jira and tfc are one tool to mise (jira)");
    }

    #[test]
    fn nothing_installed_with_no_versions_found_is_not_found() {
        let seen = [Seen::default(), Seen::default()];
        let errors = ["mise ERROR no versions found for tfc".to_string()];
        let v = judge(&expected(), &seen, &errors, &TwoStreams);
        assert_eq!(v.class, Class::NotFound);
    }

    #[test]
    fn any_other_failure_is_an_error_with_its_line() {
        let seen = [Seen::default(), Seen::default()];
        let errors = ["mise ERROR checksum mismatch".to_string()];
        let v = judge(&expected(), &seen, &errors, &TwoStreams);
        assert_eq!(v.class, Class::Error);
        assert_eq!(v.detail, "mise ERROR checksum mismatch");
    }
}
