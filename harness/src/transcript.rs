//! What a user reads: each step of a run as a reviewable text, for snapshots.
//!
//! The error messages, warnings and notices are much of what the `skillrig` backend is for (they
//! name the file, the field and the fix), so the matrix test snapshots every step of the
//! backend's scenarios: the command, `exit_code`, then stdout and stderr when they are not
//! empty. What varies from run to run goes through [`Filters`], in order: the scratch root,
//! loopback ports, durations, sizes, temporary names. What is unordered (mise's parallel
//! install jobs print one line each, in the order they finish) is sorted, never dropped; only
//! the progress frames mise redraws while a step is slow are dropped, as their number depends on
//! the machine's speed. A scenario marked `racy` has no transcript.

use std::sync::LazyLock;

use regex::Regex;

use crate::scenario::Report;

/// The filters of one run, applied in order.
pub struct Filters {
    replacements: Vec<(Regex, &'static str)>,
}

/// Loopback addresses: the fake GitHub's and the tripwire's ports change every run.
static LOOPBACK: LazyLock<Regex> = LazyLock::new(|| re(r"127\.0\.0\.1:\d+"));
/// A duration in a column (`jira@1.0  16ms  asset`): mise pads before it to the widest
/// entry, whose width varies with the durations, so the padding becomes two spaces.
static PADDED_DURATION: LazyLock<Regex> =
    LazyLock::new(|| re(r" {2,}\d+(?:\.\d+)?(?:ns|µs|us|ms|s|m|h)\b"));
/// Any other duration as mise prints it (`in 1.3s`).
static DURATION: LazyLock<Regex> = LazyLock::new(|| re(r"\b\d+(?:\.\d+)?(?:ns|µs|us|ms|s|m|h)\b"));
/// A size as mise or its progress bars print it.
static SIZE: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b\d+(?:\.\d+)? ?(?:B|KiB|MiB|GiB|kB|KB|MB|GB)\b"));
/// The build date after mise's version (`2026.10.25-DEBUG linux-x64 (2026-11-30)`): the day
/// the pin was built.
static BUILD_DATE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(linux|macos|windows)-(x64|arm64) \(\d{4}-\d{2}-\d{2}\)"));
/// Where cargo unpacked mise's dependencies, named in debug logs: `$CARGO_HOME` differs between
/// machines.
static CARGO_REGISTRY: LazyLock<Regex> = LazyLock::new(|| re(r"[^\s\[]*/registry/src/[^/\s]+/"));
/// A wall-clock time: the rate limit's reset, a release-age cutoff in a debug log.
static TIMESTAMP: LazyLock<Regex> = LazyLock::new(|| {
    re(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z| [+-]\d{2}:\d{2})?")
});
/// The fake's address as mise spells it in cache file names (`http-127-0-0-1-39093-api-v3`).
static LOOPBACK_SLUG: LazyLock<Regex> = LazyLock::new(|| re(r"127-0-0-1-\d+"));
/// Names of temporary files and dirs (`.tmpAbC123`, `.part-R2RDVnpw`), random by design.
pub(crate) static TEMP_NAME: LazyLock<Regex> = LazyLock::new(|| {
    re(r"\.(tmp[A-Za-z0-9]{6}|part-[A-Za-z0-9]{8}|mise-shims-stage-[A-Za-z0-9]{6})\b")
});
/// A command's download scratch dir, named after its process (`invocation-downloads/.4711-AbC123`).
pub(crate) static INVOCATION_SCRATCH: LazyLock<Regex> =
    LazyLock::new(|| re(r"(invocation-downloads/)\.[0-9]+-[A-Za-z0-9]{6}\b"));
/// Cache file names carry a short hash of their key, which holds the fake's port.
static CACHE_HASH: LazyLock<Regex> = LazyLock::new(|| re(r"-[0-9a-f]{5}\.msgpack"));
/// The names mise gives a trusted or tracked config: a hash of the config's absolute path, which
/// holds the scratch root (`trusted-configs/project-ec4bc6bdc7224fad`, `tracked-configs/24445e5c`).
static CONFIG_PATH_HASH: LazyLock<Regex> =
    LazyLock::new(|| re(r"((?:trusted|tracked)-configs/(?:[^\s/]*-)?)[0-9a-f]{8,16}\b"));
/// The thread number of a debug log line (`TRACE  2 [src/...]`): threads take work in any order.
static LOG_THREAD: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?m)^(TRACE|DEBUG|INFO|WARN|ERROR) +\d+ \["));
/// One line of mise's parallel jobs: `mise ✓ tool@1.0  16ms  asset`, `⇢` (already installed),
/// `✗` (failed), `mise lock  tool@1.0 linux-x64` (one per platform), or of a debug log.
static JOB_LINE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^(mise [✓⇢✗] |mise ✓\|⇢ |mise lock |(TRACE|DEBUG|INFO|WARN|ERROR) \[THREAD\] )")
});

/// A frame of mise's progress display that it prints again while a step is slow (`mise ░░░ 0/1 ·
/// 2.1s`, then one indented line per running job): how many frames a step prints depends on the
/// machine's speed, so frames are dropped. The summary line (`... · installed 1 tool in 2s`)
/// is not a frame and stays.
static PROGRESS_FRAME: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?m)^mise [░█]+ \d+/\d+ · \[TIME\]\n(?:  \S.*\n)*"));
/// A progress line of one of mise's parallel install jobs (`mise jira@1.7.0 [1/3] install`):
/// jobs interleave in any order, each job's own lines in order.
static PROGRESS_LINE: LazyLock<Regex> = LazyLock::new(|| re(r"^mise (\S+@\S*) "));
/// The reset time of GitHub's rate limit as epoch seconds (`resets at 1796050814`).
static EPOCH_RESET: LazyLock<Regex> = LazyLock::new(|| re(r"resets at \d{9,}"));

/// A URL's host. Hosts other than GitHub's (the package registries mise's settings name, which
/// a trace log prints) become `[HOST]`: the repository names no registry host.
static URL_HOST: LazyLock<Regex> = LazyLock::new(|| re(r"(https?://)([A-Za-z0-9.-]+)"));

/// In a step run several times at once, which run installs a tool and which finds it installed
/// is a race: `✓ tool  [TIME]  asset` and `⇢ tool  [TIME] · already installed` read as one.
static RACED_JOB: LazyLock<Regex> = LazyLock::new(|| re(r"(?m)^mise [✓⇢] (\S+)  .*$"));
/// The summary of a raced install: how many tools this run installed and found installed.
static RACED_SUMMARY: LazyLock<Regex> =
    LazyLock::new(|| re(r"installed \d+ tools?(?: · \d+ already installed)?"));

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("filter {pattern:?}: {e}"))
}

impl Filters {
    /// The filters of `report`'s run.
    pub fn for_report(report: &Report) -> Self {
        Self::new(
            &report.layout.root.display().to_string(),
            &report.binary.display().to_string(),
        )
    }

    /// The filters of a run in `root` of the mise at `binary`: the scratch root and the binary's
    /// path first (both differ between machines), then what varies in every run.
    pub fn new(root: &str, binary: &str) -> Self {
        Self {
            replacements: vec![
                (re(&regex::escape(root)), "[SCRATCH]"),
                (re(&regex::escape(binary)), "[MISE]"),
                (LOOPBACK.clone(), "[SERVER]"),
                (BUILD_DATE.clone(), "$1-$2 ([BUILD DATE])"),
                (CARGO_REGISTRY.clone(), "[CARGO_REGISTRY]/"),
                (PADDED_DURATION.clone(), "  [TIME]"),
                (DURATION.clone(), "[TIME]"),
                (SIZE.clone(), "[SIZE]"),
                (TIMESTAMP.clone(), "[TIMESTAMP]"),
                (EPOCH_RESET.clone(), "resets at [TIMESTAMP]"),
                (LOOPBACK_SLUG.clone(), "[SERVER]"),
                (TEMP_NAME.clone(), ".[RANDOM]"),
                (INVOCATION_SCRATCH.clone(), "${1}.[RANDOM]"),
                (CACHE_HASH.clone(), "-[HASH].msgpack"),
                (CONFIG_PATH_HASH.clone(), "${1}[HASH]"),
                (LOG_THREAD.clone(), "$1 [THREAD] ["),
            ],
        }
    }

    /// `text` with every filter applied, in order, and runs of parallel job lines (and of debug
    /// log lines, which threads write in any order) sorted.
    pub fn apply(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (pattern, with) in &self.replacements {
            out = pattern.replace_all(&out, *with).into_owned();
        }
        let out = PROGRESS_FRAME.replace_all(&out, "").into_owned();
        let out = URL_HOST.replace_all(&out, |caps: &regex::Captures<'_>| {
            let host = &caps[2];
            if host.ends_with("github.com") || host.ends_with("githubusercontent.com") {
                caps[0].to_string()
            } else {
                format!("{}[HOST]", &caps[1])
            }
        });
        sort_job_lines(&out)
    }
}

/// Sorts each run of consecutive job lines: parallel jobs finish in any order.
fn sort_job_lines(text: &str) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    let job = |line: &str| PROGRESS_LINE.captures(line).map(|c| c[1].to_string());
    let mut start = 0;
    while start < lines.len() {
        if job(lines[start]).is_none() {
            start += 1;
            continue;
        }
        let end = (start..lines.len())
            .find(|&i| job(lines[i]).is_none())
            .unwrap_or(lines.len());
        lines[start..end].sort_by_key(|line| job(line));
        start = end;
    }
    let mut start = 0;
    while start < lines.len() {
        if !JOB_LINE.is_match(lines[start]) {
            start += 1;
            continue;
        }
        let end = (start..lines.len())
            .find(|&i| !JOB_LINE.is_match(lines[i]))
            .unwrap_or(lines.len());
        lines[start..end].sort_unstable();
        start = end;
    }
    let mut out = lines.join("\n");
    if text.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// Every step of `report`, as a user saw it:
///
/// ```text
/// ----- step 1: mise install -----
/// exit_code: 1
/// ----- stderr -----
/// mise ERROR ...
/// ```
///
/// A step run several times at once shows every run, sorted (which one wins the install lock
/// varies; what the runs said together does not).
pub fn render(report: &Report) -> String {
    let filters = Filters::for_report(report);
    let mut out = String::new();
    for (index, output) in report.steps.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        let args = filters.apply(&output.args.join(" "));
        match report.together.get(&index) {
            Some(runs) => {
                let mut blocks: Vec<String> = runs
                    .iter()
                    .map(|run| sort_job_lines(&unraced(&output_block(&filters, run))))
                    .collect();
                blocks.sort_unstable();
                out.push_str(&format!(
                    "----- step {}: mise {args} ({} at once, each run below, sorted; which run \
                     installs a tool is a race, so `✓` and `⇢` read as one) -----\n",
                    index + 1,
                    runs.len()
                ));
                out.push_str(&blocks.join("----- another run of the step -----\n"));
            }
            None => {
                out.push_str(&format!("----- step {}: mise {args} -----\n", index + 1));
                out.push_str(&output_block(&filters, output));
            }
        }
    }
    out
}

/// A raced run's output with who installed what left out (each tool's line stays).
fn unraced(block: &str) -> String {
    let block = RACED_JOB.replace_all(block, "mise ✓|⇢ $1 (installed by one run)");
    RACED_SUMMARY
        .replace_all(&block, "installed [N] · [N] already installed")
        .into_owned()
}

/// `exit_code`, then stdout and stderr when not empty, filtered.
fn output_block(filters: &Filters, output: &crate::mise_run::Output) -> String {
    let mut out = format!(
        "exit_code: {}\n",
        output
            .code
            .map_or_else(|| "killed by a signal".to_string(), |c| c.to_string())
    );
    for (name, text) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
        if text.trim().is_empty() {
            continue;
        }
        out.push_str(&format!("----- {name} -----\n"));
        out.push_str(filters.apply(text).trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_varies_is_filtered_and_versions_are_not() {
        let f = Filters::new("/t/skillrig-harness/p/s", "/c/bin/p/mise");
        assert_eq!(
            f.apply(
                "mise ✓ skillrig:acme/origin/jira@1.0.149  523ms  jira_1.0.149_linux_amd64.tar.gz\n\
                 mise ████ 5/5 · installed 5 tools in 1.3s\n\
                 failed: http://127.0.0.1:43121/api/v3/x into /t/skillrig-harness/p/s/data/.tmpAb12Cd (2.5 MiB)\n\
                 Version: 2026.10.25-DEBUG linux-x64 (2026-11-30)\n\
                 TRACE  1 [/home/u/.cargo/registry/src/index.example-1949cf8c6b5b557f/mise-util-2026.10.25/src/file.rs:1916] x\n\
                 mise WARN  GitHub rate limit exceeded. Resets at 2026-11-30 12:28:23 +00:00\n\
                 mv /t/skillrig-harness/p/s/cache/http-127-0-0-1-39093-api-6608e.msgpack.part-R2RDVnpw\n\
                 ln -sf /c/bin/p/mise /t/skillrig-harness/p/s/data/shims/.mise-shims-stage-vZanwg/jira\n\
                 ln -sf /t/skillrig-harness/p/s/project /t/skillrig-harness/p/s/state/trusted-configs/s-project-ec4bc6bdc7224fad\n\
                 ln -sf /t/skillrig-harness/p/s/project/mise.toml /t/skillrig-harness/p/s/state/tracked-configs/dbf1e78a9f5cd80\n\
                 registry_url: \"https://registry.example/v3/index.json\", api: https://api.github.com/x\n"
            ),
            "mise ✓ skillrig:acme/origin/jira@1.0.149  [TIME]  jira_1.0.149_linux_amd64.tar.gz\n\
             mise ████ 5/5 · installed 5 tools in [TIME]\n\
             failed: http://[SERVER]/api/v3/x into [SCRATCH]/data/.[RANDOM] ([SIZE])\n\
             Version: 2026.10.25-DEBUG linux-x64 ([BUILD DATE])\n\
             TRACE [THREAD] [[CARGO_REGISTRY]/mise-util-2026.10.25/src/file.rs:1916] x\n\
             mise WARN  GitHub rate limit exceeded. Resets at [TIMESTAMP]\n\
             mv [SCRATCH]/cache/http-[SERVER]-api-[HASH].msgpack.[RANDOM]\n\
             ln -sf [MISE] [SCRATCH]/data/shims/.[RANDOM]/jira\n\
             ln -sf [SCRATCH]/project [SCRATCH]/state/trusted-configs/s-project-[HASH]\n\
             ln -sf [SCRATCH]/project/mise.toml [SCRATCH]/state/tracked-configs/[HASH]\n\
             registry_url: \"https://[HOST]/v3/index.json\", api: https://api.github.com/x\n"
        );
    }

    #[test]
    fn a_raced_install_reads_the_same_whoever_won() {
        let won = "mise ✓ skillrig:acme/origin/jira@1.7.0  [TIME]  jira_1.7.0_linux_amd64.tar.gz\n\
                   mise ████ 2/2 · installed 1 tool · 1 already installed in [TIME]\n";
        let lost = "mise ⇢ skillrig:acme/origin/jira@1.7.0  [TIME] · already installed\n\
                    mise ████ 2/2 · installed 0 tools · 2 already installed in [TIME]\n";
        assert_eq!(unraced(won), unraced(lost));
        assert!(unraced(won).contains("skillrig:acme/origin/jira@1.7.0 (installed by one run)"));
    }

    #[test]
    fn job_lines_are_sorted_within_their_run_only() {
        let text = "mise by @jdx – installing 2 tools\nmise ✓ tfc@1\nmise ✓ jira@1\nmise done\nmise ✗ b\nmise ✗ a\n";
        assert_eq!(
            sort_job_lines(text),
            "mise by @jdx – installing 2 tools\nmise ✓ jira@1\nmise ✓ tfc@1\nmise done\nmise ✗ a\nmise ✗ b\n"
        );
    }

    #[test]
    fn progress_frames_of_a_slow_step_are_dropped_and_the_summary_kept() {
        let filters = Filters::new("/t/s", "/c/mise");
        let text = "mise by @jdx – installing 2 tools\n\
                    mise ░░░░░░░░░░░░░░░░ 0/1 · 1.2s\n\
                    \x20 skillrig:acme/origin/jira@1.7.0  installing  1.2s\n\
                    \x20 skillrig:acme/origin/tfc@0.0.6   downloading  0.4s  16/32 KiB\n\
                    mise ✓ skillrig:acme/origin/jira@1.7.0  354ms  jira_1.7.0_linux_amd64.tar.gz\n\
                    mise █████████████░░░ 0/1 · installed 0 tools in 187ms\n";
        assert_eq!(
            filters.apply(text),
            "mise by @jdx – installing 2 tools\n\
             mise ✓ skillrig:acme/origin/jira@1.7.0  [TIME]  jira_1.7.0_linux_amd64.tar.gz\n\
             mise █████████████░░░ 0/1 · installed 0 tools in [TIME]\n"
        );
    }

    #[test]
    fn parallel_jobs_progress_is_grouped_by_job_in_its_own_order() {
        let text = "mise tfc@1.7.0  [1/3] install\nmise jira@1.7.0 [1/3] install\n\
                    mise tfc@1.7.0  [2/3] extract\nmise jira@1.7.0 [2/3] download\nmise ERROR x\n";
        assert_eq!(
            sort_job_lines(text),
            "mise jira@1.7.0 [1/3] install\nmise jira@1.7.0 [2/3] download\n\
             mise tfc@1.7.0  [1/3] install\nmise tfc@1.7.0  [2/3] extract\nmise ERROR x\n"
        );
    }
}
