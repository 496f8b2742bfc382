//! Judging a run from evidence: what `mise ls --json` lists, what each binary prints through
//! `mise x`, what is on disk, what mise said while installing and which requests the fake
//! received. Exit codes alone decide nothing.
//!
//! [`judge_run`] judges a whole run in this order, the first finding deciding the class:
//! 0. a secret showed where it must not ([`with_leaks`]): `leak`, whatever else happened;
//! 1. a step that must fail (`fails_with`) did not, or failed with other words: `wrong-error`;
//!    a step changed a file it was given read-only: `error`;
//! 2. the tools ([`judge`]): `collision`, `wrong-stream`, `wrong-version`, an absent tool that
//!    is installed (`error`), `not-found` or `error` from the first unexpected failure;
//! 3. a step printed other stdout lines than `stdout_lines`, or a file does not hold what the
//!    scenario's `[[file]]` says: `wrong-output`;
//! 4. a step sent more requests than its `max_requests`: `over-budget`.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::scenario::{Expect, Step};

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
    /// A tool runs its own binary, at another version of its own stream than expected.
    WrongVersion,
    /// mise found no version for a requested tool.
    NotFound,
    /// A step that must fail succeeded, or failed with another error than the one expected.
    WrongError,
    /// A step printed other lines than the scenario expects.
    WrongOutput,
    /// Everything worked, but a step sent more requests than its budget.
    OverBudget,
    /// Anything else; the detail has the first error line.
    Error,
    /// A token showed in output or a written file, or went with a request off the API.
    Leak,
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Class::Ok => "ok",
            Class::Collision => "collision",
            Class::WrongStream => "wrong-stream",
            Class::WrongVersion => "wrong-version",
            Class::NotFound => "not-found",
            Class::WrongError => "wrong-error",
            Class::WrongOutput => "wrong-output",
            Class::OverBudget => "over-budget",
            Class::Error => "error",
            Class::Leak => "leak",
        })
    }
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
    /// Version directories on disk below the tool's install dir.
    pub install_dirs: Vec<String>,
}

/// What one step did: the runner's observation, judged against the step's own keys.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    /// Whether it exited 0.
    pub success: bool,
    /// What it printed on stdout.
    pub stdout: String,
    /// What it printed on stderr.
    pub stderr: String,
    /// For a failed step, the line of stderr that reads as its error.
    pub first_error: Option<String>,
    /// Requests the fake received during the step, redirect hops not counted.
    pub requests: usize,
    /// Files it was given read-only and changed anyway.
    pub changed: Vec<String>,
    /// How it was interrupted, when the step's `interrupt` moment came.
    pub interrupted: Option<String>,
    /// It was still running at its time limit and was killed.
    pub overran: Option<std::time::Duration>,
    /// Its `whole_if_installed` tools that mise reports installed but that do not run.
    pub broken: Vec<String>,
}

/// `tool` without a trailing `@version` (`skillrig:acme/origin/jira@1.6` gives
/// `skillrig:acme/origin/jira`); an `@` followed by a `/` is part of a name (`npm:@scope/x`).
pub fn base_tool(tool: &str) -> &str {
    match tool.rsplit_once('@') {
        Some((base, version))
            if !base.is_empty() && !version.contains('/') && !base.ends_with(':') =>
        {
            base
        }
        _ => tool,
    }
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

/// Judge a whole run: the steps' own expectations around [`judge`] (see the module doc).
/// `file_findings` says how files differ from what the scenario's `[[file]]` expects.
pub fn judge_run(
    expected: &[Expect],
    seen: &[Seen],
    steps: &[Step],
    observed: &[Observed],
    file_findings: &[String],
    streams: &dyn StreamIndex,
) -> Verdict {
    let verdict = |class, detail| Verdict {
        class,
        clean_versions: None,
        detail,
    };
    // Each step with its label and what it did.
    let steps: Vec<(String, &Step, &Observed)> = steps
        .iter()
        .zip(observed)
        .enumerate()
        .map(|(i, (step, seen))| (step.label(i), step, seen))
        .collect();
    // What the steps showed besides the tools: expected failures, expected output.
    let mut shown = Vec::new();
    for (label, step, did) in steps.iter().filter(|(_, s, _)| !s.fails_with.is_empty()) {
        let wanted = quoted(&step.fails_with);
        if did.success {
            return verdict(
                Class::WrongError,
                format!("{label} exited 0; it must fail with {wanted}"),
            );
        }
        let missing: Vec<String> = step
            .fails_with
            .iter()
            .filter(|text| !did.stderr.contains(text.as_str()))
            .cloned()
            .collect();
        let said = did.first_error.clone().unwrap_or_default();
        if !missing.is_empty() {
            return verdict(
                Class::WrongError,
                format!("{label} failed without {}: {said}", quoted(&missing)),
            );
        }
        shown.push(format!("{label} failed as expected: {said}"));
    }
    if let Some((label, _, did)) = steps.iter().find(|(_, _, d)| !d.changed.is_empty()) {
        return verdict(
            Class::Error,
            format!(
                "{label} changed {}, which it was given read-only",
                quoted(&did.changed)
            ),
        );
    }
    if let Some((label, _, did)) = steps.iter().find(|(_, _, d)| d.overran.is_some()) {
        let limit = did.overran.unwrap_or_default().as_secs();
        return verdict(
            Class::Error,
            format!("{label} was still running after {limit}s, its time limit: killed (a hang)"),
        );
    }
    if let Some((label, _, did)) = steps.iter().find(|(_, _, d)| !d.broken.is_empty()) {
        return verdict(
            Class::Error,
            format!("after {label}, {}", did.broken.join("; ")),
        );
    }
    for (label, step, _) in steps
        .iter()
        .filter(|(_, s, _)| !s.whole_if_installed.is_empty())
    {
        let tools: Vec<&str> = step
            .whole_if_installed
            .iter()
            .map(|e| e.tool.as_str())
            .collect();
        shown.push(format!(
            "after {label}, {} was either not reported installed or ran whole",
            tools.join(", ")
        ));
    }
    for (label, step, did) in &steps {
        match (&step.interrupt, &did.interrupted) {
            (Some(_), None) => {
                let ended = if did.success {
                    "exit 0".to_string()
                } else {
                    did.first_error.clone().unwrap_or_default()
                };
                return verdict(
                    Class::Error,
                    format!("{label}: its interruption never came; it ended first ({ended})"),
                );
            }
            (Some(_), Some(how)) => shown.push(format!("{label} was interrupted: {how}")),
            _ => {}
        }
    }
    let errors: Vec<String> = steps
        .iter()
        .filter(|(_, step, did)| {
            !did.success && step.fails_with.is_empty() && step.interrupt.is_none()
        })
        .filter_map(|(_, _, did)| did.first_error.clone())
        .collect();
    let mut base = judge(expected, seen, &errors, streams);
    if base.class != Class::Ok {
        return base;
    }
    for (label, step, did) in &steps {
        let missing = step
            .stderr_has
            .iter()
            .find(|t| !did.stderr.contains(t.as_str()));
        let present = step
            .stderr_lacks
            .iter()
            .find(|t| did.stderr.contains(t.as_str()));
        if let Some(text) = missing {
            return verdict(
                Class::WrongOutput,
                format!("{label}: stderr lacks `{text}`"),
            );
        }
        if let Some(text) = present {
            return verdict(
                Class::WrongOutput,
                format!("{label}: stderr holds `{text}`"),
            );
        }
        if !step.stderr_has.is_empty() || !step.stderr_lacks.is_empty() {
            shown.push(format!("{label} said what it should on stderr"));
        }
        let Some(want) = &step.stdout_lines else {
            continue;
        };
        if !did.success {
            let said = did.first_error.clone().unwrap_or_default();
            return verdict(error_class(&said), format!("{label}: {said}"));
        }
        let got: Vec<String> = did
            .stdout
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        if got == *want {
            shown.push(format!("{label} printed {}", quoted(&got)));
        } else {
            return verdict(
                Class::WrongOutput,
                format!(
                    "{label} printed {}; expected {}",
                    quoted(&got),
                    quoted(want)
                ),
            );
        }
    }
    if !file_findings.is_empty() {
        return Verdict {
            class: Class::WrongOutput,
            clean_versions: base.clean_versions,
            detail: file_findings.join("; "),
        };
    }
    let over: Vec<String> = steps
        .iter()
        .filter_map(|(label, step, did)| {
            let budget = step.max_requests?;
            (did.requests > budget)
                .then(|| format!("{label} sent {} requests, budget {budget}", did.requests))
        })
        .collect();
    if !over.is_empty() {
        return Verdict {
            class: Class::OverBudget,
            clean_versions: base.clean_versions,
            detail: over.join("; "),
        };
    }
    shown.insert(0, base.detail);
    base.detail = shown
        .into_iter()
        .filter(|d| !d.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    base
}

/// `verdict`, unless a secret leaked: then `leak`, naming where.
pub fn with_leaks(verdict: Verdict, leaks: &[String]) -> Verdict {
    if leaks.is_empty() {
        return verdict;
    }
    Verdict {
        class: Class::Leak,
        clean_versions: None,
        detail: leaks.join("; "),
    }
}

/// `` `a`, `b` ``, or `nothing` for an empty list.
fn quoted(texts: &[String]) -> String {
    if texts.is_empty() {
        return "nothing".to_string();
    }
    texts
        .iter()
        .map(|t| format!("`{t}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Judge the tools of one run. `errors` is the first error line of the steps that failed
/// unexpectedly, in order.
pub fn judge(
    expected: &[Expect],
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
    let mut stale = Vec::new();
    let mut missing = Vec::new();
    let mut unwanted = Vec::new();
    let mut decorated = false;
    for (want, got) in expected.iter().zip(seen) {
        for version in &want.not_installed {
            let has_dir = got
                .install_dirs
                .iter()
                .any(|dir| dir.rsplit(['/', '\\']).next() == Some(version.as_str()));
            if has_dir || got.installed.contains(version) {
                unwanted.push(format!("{} {version} is installed", want.tool));
            }
        }
        if want.absent {
            if let Some(found) = got.installed.first().or(got.install_dirs.first()) {
                unwanted.push(format!("{} is installed ({found})", want.tool));
            }
            continue;
        }
        let good_line = format!("{} {}", want.binary(), want.version());
        match &got.ran {
            Some(line) if *line == good_line => {
                if !got.installed.iter().any(|v| v == want.version()) {
                    decorated = true;
                }
                continue;
            }
            Some(line) if !line.is_empty() && looks_like_a_fixture_binary(line) => {
                let finding = format!("{} ran `{line}`, expected `{good_line}`", want.tool);
                match line.split_once(' ') {
                    Some((binary, version))
                        if binary == want.binary()
                            && streams.other_stream(binary, version).is_none() =>
                    {
                        stale.push(finding);
                    }
                    _ => wrong.push(finding),
                }
                continue;
            }
            _ => {}
        }
        if let Some((v, other)) = got
            .mentioned
            .iter()
            .chain(&got.installed)
            .find_map(|v| streams.other_stream(want.binary(), v).map(|o| (v, o)))
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
    if !stale.is_empty() {
        return Verdict {
            class: Class::WrongVersion,
            clean_versions: None,
            detail: stale.join("; "),
        };
    }
    if !unwanted.is_empty() {
        return Verdict {
            class: Class::Error,
            clean_versions: None,
            detail: format!("{}; it must not be", unwanted.join("; ")),
        };
    }
    let present = expected.iter().filter(|e| !e.absent).count();
    if missing.is_empty() {
        return Verdict {
            class: Class::Ok,
            clean_versions: (present > 0).then_some(!decorated),
            detail: seen_versions(expected, seen),
        };
    }
    let paths: BTreeSet<&String> = expected
        .iter()
        .zip(seen)
        .filter(|(e, _)| !e.absent)
        .flat_map(|(_, s)| &s.install_paths)
        .collect();
    let installed_tools = expected
        .iter()
        .zip(seen)
        .filter(|(e, s)| !e.absent && !s.installed.is_empty())
        .count();
    if installed_tools > 0 && paths.len() < present && errors.is_empty() {
        let names: Vec<_> = missing.iter().map(|m| m.tool.as_str()).collect();
        return Verdict {
            class: Class::Collision,
            clean_versions: None,
            detail: format!(
                "{} distinct install(s) for {} tools; {} did not get its own",
                paths.len(),
                present,
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
    Verdict {
        class: error_class(&first),
        clean_versions: None,
        detail: first,
    }
}

/// `not-found` for an error line saying mise found no version, else `error`.
fn error_class(line: &str) -> Class {
    let lower = line.to_lowercase();
    if lower.contains("no versions found")
        || lower.contains("no version found")
        || lower.contains("no latest version")
        || lower.contains("not found in")
    {
        Class::NotFound
    } else {
        Class::Error
    }
}

fn all_good(expected: &[Expect], seen: &[Seen]) -> bool {
    expected.iter().zip(seen).all(|(e, s)| {
        e.absent || s.ran.as_deref() == Some(format!("{} {}", e.binary(), e.version()).as_str())
    })
}

/// Two requested tools that mise keeps under one key or one install dir. Two versions of one
/// tool (`jira@1.6`, `jira@1`) are one tool by design, and an absent tool has no identity.
fn shared_identity(expected: &[Expect], seen: &[Seen]) -> Option<String> {
    for (i, a) in expected.iter().enumerate() {
        for (j, b) in expected.iter().enumerate().skip(i + 1) {
            if a.absent || b.absent || base_tool(&a.tool) == base_tool(&b.tool) {
                continue;
            }
            if a.ls_key() == b.ls_key() {
                return Some(format!(
                    "{} and {} are one tool to mise ({})",
                    a.tool,
                    b.tool,
                    a.ls_key()
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

fn seen_versions(expected: &[Expect], seen: &[Seen]) -> String {
    expected
        .iter()
        .zip(seen)
        .map(|(e, s)| {
            if e.absent {
                format!("{}: not installed", e.tool)
            } else if base_tool(&e.tool) != e.tool {
                format!("{}→{}", e.tool, e.version())
            } else {
                format!("{}@{}", e.tool, s.installed.join(","))
            }
        })
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

    fn want(tool: &str, binary: &str, version: &str) -> Expect {
        Expect {
            tool: tool.into(),
            binary: Some(binary.into()),
            version: Some(version.into()),
            ..Expect::default()
        }
    }

    fn expected() -> Vec<Expect> {
        vec![want("jira", "jira", "1.7.0"), want("tfc", "tfc", "0.0.6")]
    }

    fn installed(version: &str, path: &str, ran: &str) -> Seen {
        Seen {
            installed: vec![version.into()],
            install_paths: vec![path.into()],
            mentioned: vec![version.into()],
            ran: Some(ran.into()),
            install_dirs: vec![path.into()],
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
    fn a_tool_running_an_older_version_of_its_own_stream_is_wrong_version() {
        let seen = [
            installed("1.6.0", "/i/jira/1.6.0", "jira 1.6.0"),
            installed("0.0.6", "/i/tfc/0.0.6", "tfc 0.0.6"),
        ];
        let v = judge(&expected(), &seen, &[], &TwoStreams);
        assert_eq!(v.class, Class::WrongVersion);
        assert_eq!(v.detail, "jira ran `jira 1.6.0`, expected `jira 1.7.0`");
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
        expected[1].ls_key = Some("jira".into());
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

    fn absent(tool: &str) -> Expect {
        Expect {
            tool: tool.into(),
            absent: true,
            ..Expect::default()
        }
    }

    /// The step `mise <args>` and what it did.
    fn step(args: &str, success: bool, stderr: &str) -> (Step, Observed) {
        let step = Step {
            args: args.split(' ').map(str::to_string).collect(),
            ..Step::default()
        };
        let did = Observed {
            success,
            stderr: stderr.into(),
            first_error: (!success).then(|| stderr.lines().next().unwrap_or_default().into()),
            ..Observed::default()
        };
        (step, did)
    }

    /// [`judge_run`] of steps given with what they did.
    fn judge_steps(
        expected: &[Expect],
        seen: &[Seen],
        steps: &[(Step, Observed)],
        files: &[String],
    ) -> Verdict {
        let (steps, did): (Vec<Step>, Vec<Observed>) = steps.iter().cloned().unzip();
        judge_run(expected, seen, &steps, &did, files, &TwoStreams)
    }

    #[test]
    fn interruptions_hangs_and_broken_installs_are_judged_from_what_happened() {
        use crate::scenario::{Interrupt, InterruptAt, Signal};
        let interrupted = |landed: Option<&str>| {
            let mut s = step("install", false, "");
            s.0.interrupt = Some(Interrupt {
                at: InterruptAt::Stall,
                signal: Signal::Int,
            });
            s.1.interrupted = landed.map(str::to_string);
            s
        };
        let expected = [want("jira", "jira", "1.7.0")];
        let seen = [installed("1.7.0", "/i/jira/1.7.0", "jira 1.7.0")];
        let landed = judge_steps(
            &expected,
            &seen,
            &[interrupted(Some("SIGINT then; exited 130"))],
            &[],
        );
        assert_eq!(landed.class, Class::Ok, "{}", landed.detail);
        assert!(
            landed
                .detail
                .contains("was interrupted: SIGINT then; exited 130")
        );
        let missed = judge_steps(&expected, &seen, &[interrupted(None)], &[]);
        assert_eq!(missed.class, Class::Error);
        assert!(
            missed.detail.contains("its interruption never came"),
            "{}",
            missed.detail
        );
        let mut hung = step("install", false, "");
        hung.1.overran = Some(std::time::Duration::from_secs(15));
        let hung = judge_steps(&expected, &seen, &[hung], &[]);
        assert_eq!(hung.class, Class::Error);
        assert!(
            hung.detail.contains("still running after 15s"),
            "{}",
            hung.detail
        );
        let mut broken = step("install", true, "");
        broken.1.broken =
            vec!["mise reports jira@1.7.0 installed at /x, but `jira` prints \"\"".into()];
        let broken = judge_steps(&expected, &seen, &[broken], &[]);
        assert_eq!(broken.class, Class::Error);
        assert!(
            broken.detail.contains("mise reports jira@1.7.0 installed"),
            "{}",
            broken.detail
        );
    }

    #[test]
    fn stderr_must_hold_and_lack_what_the_step_says() {
        let mut warned = step(
            "install",
            true,
            "mise WARN  semver range \">=1\" is not supported",
        );
        warned.0.stderr_lacks = vec!["is not supported".into()];
        let v = judge_steps(&[], &[], &[warned], &[]);
        assert_eq!(v.class, Class::WrongOutput);
        assert!(
            v.detail.contains("stderr holds `is not supported`"),
            "{}",
            v.detail
        );
        let mut quiet = step("install", true, "");
        quiet.0.stderr_has = vec!["is not used".into()];
        let v = judge_steps(&[], &[], &[quiet], &[]);
        assert_eq!(v.class, Class::WrongOutput);
        assert!(
            v.detail.contains("stderr lacks `is not used`"),
            "{}",
            v.detail
        );
        let mut both = step(
            "install",
            true,
            "mise WARN  the skillrig plugin is not used",
        );
        both.0.stderr_has = vec!["is not used".into()];
        both.0.stderr_lacks = vec!["not supported".into()];
        assert_eq!(judge_steps(&[], &[], &[both], &[]).class, Class::Ok);
    }

    const NO_METADATA: &str = "mise ERROR acme/origin has no origin metadata: neither .skillrig-origin.toml nor index.json";

    #[test]
    fn a_step_that_changes_a_read_only_file_is_an_error() {
        let mut s = step("install --locked", true, "");
        s.1.changed = vec!["project/mise.lock".into()];
        let v = judge_steps(&[], &[], &[s], &[]);
        assert_eq!(v.class, Class::Error);
        assert_eq!(
            v.detail,
            "step 1 (`mise install --locked`) changed `project/mise.lock`, which it was given read-only"
        );
    }

    #[test]
    fn a_file_finding_turns_only_a_good_run_into_wrong_output() {
        let good = [step("install", true, "")];
        let finding = ["project/mise.lock lacks `windows-x64`".to_string()];
        let v = judge_steps(&[], &[], &good, &finding);
        assert_eq!(
            (v.class, v.detail.as_str()),
            (Class::WrongOutput, finding[0].as_str())
        );
        assert_eq!(judge_steps(&[], &[], &good, &[]).class, Class::Ok);
        let mut must_fail = step("install", true, "");
        must_fail.0.fails_with = vec!["boom".into()];
        let must_fail = [must_fail];
        let wrong = judge_steps(&[], &[], &must_fail, &[]);
        assert_eq!(wrong.class, Class::WrongError);
        assert_eq!(judge_steps(&[], &[], &must_fail, &finding), wrong);
    }

    #[test]
    fn a_leak_decides_the_class_whatever_else_happened() {
        let ok = judge_steps(&[], &[], &[step("install", true, "")], &[]);
        assert_eq!(with_leaks(ok.clone(), &[]), ok);
        let leaked = with_leaks(ok, &["the token is in project/mise.lock".into()]);
        assert_eq!(leaked.class, Class::Leak);
        assert_eq!(leaked.detail, "the token is in project/mise.lock");
        assert_eq!(leaked.class.to_string(), "leak");
    }

    #[test]
    fn base_tools_drop_a_trailing_version_only() {
        assert_eq!(
            base_tool("skillrig:acme/origin/jira@1.6"),
            "skillrig:acme/origin/jira"
        );
        assert_eq!(base_tool("jira"), "jira");
        assert_eq!(base_tool("npm:@scope/pkg"), "npm:@scope/pkg");
        assert_eq!(base_tool("npm:@scope/pkg@1.0"), "npm:@scope/pkg");
    }

    #[test]
    fn a_step_failing_with_the_expected_texts_and_nothing_installed_is_ok() {
        let mut s = step("install", false, NO_METADATA);
        s.0.fails_with = vec!["no origin metadata".into(), "index.json".into()];
        let v = judge_steps(
            &[absent("skillrig:acme/origin/jira")],
            &[Seen::default()],
            &[s],
            &[],
        );
        assert_eq!((v.class, v.clean_versions), (Class::Ok, None));
        assert_eq!(
            v.detail,
            format!(
                "skillrig:acme/origin/jira: not installed; step 1 (`mise install`) failed as expected: {NO_METADATA}"
            )
        );
    }

    #[test]
    fn a_step_that_must_fail_but_succeeds_is_wrong_error() {
        let mut s = step("install", true, "");
        s.0.fails_with = vec!["no origin metadata".into()];
        let v = judge_steps(&[absent("jira")], &[Seen::default()], &[s], &[]);
        assert_eq!(v.class, Class::WrongError);
        assert_eq!(
            v.detail,
            "step 1 (`mise install`) exited 0; it must fail with `no origin metadata`"
        );
    }

    #[test]
    fn a_step_failing_with_other_words_is_wrong_error_naming_the_missing_text() {
        let mut s = step("install", false, "mise ERROR timed out");
        s.0.fails_with = vec!["no origin metadata".into(), "timed out".into()];
        let v = judge_steps(&[absent("jira")], &[Seen::default()], &[s], &[]);
        assert_eq!(v.class, Class::WrongError);
        assert_eq!(
            v.detail,
            "step 1 (`mise install`) failed without `no origin metadata`: mise ERROR timed out"
        );
    }

    #[test]
    fn an_absent_tool_found_on_disk_is_an_error() {
        let mut s = step("install", false, NO_METADATA);
        s.0.fails_with = vec!["no origin metadata".into()];
        let left = Seen {
            install_dirs: vec!["/d/installs/jira/1.7.0".into()],
            ..Seen::default()
        };
        let v = judge_steps(&[absent("jira")], &[left], &[s], &[]);
        assert_eq!(v.class, Class::Error);
        assert_eq!(
            v.detail,
            "jira is installed (/d/installs/jira/1.7.0); it must not be"
        );
    }

    #[test]
    fn stdout_lines_must_match_exactly() {
        let mut s = step("ls-remote skillrig:acme/origin/tfc", true, "");
        s.1.stdout = "0.0.5\n0.0.6\n1.7.0+jira\n".into();
        s.0.stdout_lines = Some(vec!["0.0.5".into(), "0.0.6".into()]);
        let v = judge_steps(&[], &[], std::slice::from_ref(&s), &[]);
        assert_eq!(v.class, Class::WrongOutput);
        assert_eq!(
            v.detail,
            "step 1 (`mise ls-remote skillrig:acme/origin/tfc`) printed `0.0.5`, `0.0.6`, `1.7.0+jira`; expected `0.0.5`, `0.0.6`"
        );
        s.1.stdout = "  0.0.5\n\n0.0.6\n".into();
        let v = judge_steps(&[], &[], std::slice::from_ref(&s), &[]);
        assert_eq!((v.class, v.clean_versions), (Class::Ok, None));
        assert_eq!(
            v.detail,
            "step 1 (`mise ls-remote skillrig:acme/origin/tfc`) printed `0.0.5`, `0.0.6`"
        );
        let mut failed = step(
            "ls-remote skillrig:acme/origin/tfc",
            false,
            "mise ERROR not implemented yet",
        );
        failed.0.stdout_lines = s.0.stdout_lines;
        let v = judge_steps(&[], &[], &[failed], &[]);
        assert_eq!(v.class, Class::Error);
        assert_eq!(
            v.detail,
            "step 1 (`mise ls-remote skillrig:acme/origin/tfc`): mise ERROR not implemented yet"
        );
    }

    #[test]
    fn a_step_over_its_budget_is_over_budget_once_all_else_is_ok() {
        let seen = [
            installed("1.7.0", "/i/jira/1.7.0", "jira 1.7.0"),
            installed("0.0.6", "/i/tfc/0.0.6", "tfc 0.0.6"),
        ];
        let mut cold = step("install", true, "");
        cold.1.requests = 14;
        cold.0.max_requests = Some(14);
        let mut warm = step("install", true, "");
        warm.1.requests = 2;
        warm.0.max_requests = Some(0);
        let v = judge_steps(&expected(), &seen, &[cold.clone(), warm.clone()], &[]);
        assert_eq!(v.class, Class::OverBudget);
        assert_eq!(
            v.detail,
            "step 2 (`mise install`) sent 2 requests, budget 0"
        );
        warm.1.requests = 0;
        let v = judge_steps(&expected(), &seen, &[cold, warm], &[]);
        assert_eq!((v.class, v.clean_versions), (Class::Ok, Some(true)));
    }

    #[test]
    fn a_budget_does_not_hide_a_failure() {
        let mut s = step("install", false, "mise ERROR no versions found for tfc");
        s.1.requests = 99;
        s.0.max_requests = Some(1);
        let seen = [
            installed("1.7.0", "/i/jira/1.7.0", "jira 1.7.0"),
            Seen::default(),
        ];
        let v = judge_steps(&expected(), &seen, &[s], &[]);
        assert_eq!(v.class, Class::NotFound);
    }

    #[test]
    fn two_versions_of_one_tool_are_not_a_collision() {
        let mut expected = expected();
        expected[0].tool = "jira@1.6".into();
        expected[1] = want("jira@1", "jira", "1.7.0");
        expected[0].version = Some("1.6.1".into());
        let both = Seen {
            installed: vec!["1.6.1".into(), "1.7.0".into()],
            install_paths: vec!["/i/jira/1.6.1".into(), "/i/jira/1.7.0".into()],
            ..Seen::default()
        };
        let seen = [
            Seen {
                ran: Some("jira 1.6.1".into()),
                ..both.clone()
            },
            Seen {
                ran: Some("jira 1.6.1".into()),
                ..both
            },
        ];
        let v = judge(&expected, &seen, &[], &TwoStreams);
        assert_eq!(v.class, Class::WrongVersion, "{}", v.detail);
        assert_eq!(v.detail, "jira@1 ran `jira 1.6.1`, expected `jira 1.7.0`");
    }
}
