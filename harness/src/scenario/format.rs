//! The scenario format: what a file in `scenarios/<dir>/<name>.toml` may say, and loading it.
//!
//! A scenario is a fixture (an origin the fake GitHub serves), a consumer's config, steps of
//! mise commands and what must hold afterwards. Every key, with an example:
//!
//! ```toml
//! # --- the scenario
//! description = "Two [tool_alias] entries on one github: repo, one release with both binaries"
//! fixture = "shared-release"          # fixtures/shared-release.toml (required)
//! more_origins = ["moved-origin"]     # more fixtures the fake serves, other owner/repo each
//! backend = "github"                  # "github": every pin; "skillrig": pins with the backend
//! observed = "collision on 2026.3.8"  # what was seen by hand before the harness (optional)
//! decides = "A"                       # this scenario decides whether a pin handles layer A
//! no_leftovers = true                 # after the last step, nothing of a cut-off install stays
//! racy = "..."                        # why output and request counts vary: none are committed
//! form = "upstream"                   # shows one build only: "upstream" (matrix) or "packaged"
//! strays = ["CONNECT tuf-repo.github.com:443"]  # requests off the fake it must make (declared)
//! config = '''                          # the consumer's project mise.toml (required)
//! [tool_alias]
//! jira = "github:acme/origin"
//! '''
//! global_config = "..."               # the user's config.toml, $MISE_GLOBAL_CONFIG_FILE (optional)
//! system_config = "..."               # $MISE_SYSTEM_CONFIG_DIR/config.toml (optional)
//! [env]                               # extra environment for every command (optional)
//! MISE_GITHUB_TOKEN = "ghp_..."
//! [scratch_files]                     # files below the scratch root before the first step
//! "home/.config/gh/hosts.yml" = "..."  # (optional; a text starting with `#!` is executable)
//!
//! # --- each step: one mise command (at least one)
//! [[step]]
//! args = ["install"]                  # `mise install` (required)
//! config = "..."                      # rewrite mise.toml before this step
//! env = { MISE_OFFLINE = "1" }        # extra environment for this step only
//! publish = [{ binary = "jira", version = "1.8.0" }]  # new releases before this step
//! files = { ".skillrig-origin.toml" = "..." }        # origin files replaced before this step
//! faults = [{ kind = "status", route = "contents", status = 503, times = 10 }]
//! together = 2                        # run the command this many times at once
//! read_only = ["project/mise.lock"]   # files made read-only that the step must not change
//! interrupt = { at = "stall", signal = "int" }  # Ctrl-C half a second into a stall fault
//! ends_within = 15                    # seconds it may run (default 300), then killed: `error`
//! whole_if_installed = [{ tool = "skillrig:acme/origin/jira@1.7.0", binary = "jira", version = "1.7.0" }]
//! max_requests = 14                   # budget: requests this step may send
//! stdout_lines = ["0.0.5", "0.0.6"]   # exactly what it must print
//! fails_with = ["no origin metadata"] # it must fail, its stderr holding each text
//! stderr_has = ["is not used"]        # its stderr holds each text, failing or not
//! stderr_lacks = ["not supported"]    # its stderr holds none of these texts
//!
//! # --- what must hold after the last step
//! [[expect]]
//! tool = "jira"                       # as `mise x` takes it (may end in `@version`)
//! ls_key = "jira"                     # its key in `mise ls --json` (default: tool, no version)
//! binary = "jira"                     # the executable it must provide
//! version = "1.7.0"                   # what the executable must print after its name
//! not_installed = ["1.8.0"]           # versions that must have no install dir
//! [[expect]]
//! tool = "skillrig:acme/origin/nope"
//! absent = true                       # must end up not installed (instead of binary/version)
//! [[file]]                            # a file below the scratch root
//! path = "project/mise.lock"
//! contains = ['"platforms.windows-x64"']
//! lacks = ["+jira"]
//! ```
//!
//! Faults (`kind`): `status` (the next `times` requests to `route` answer `status`; routes:
//! `repo`, `releases`, `release_by_tag`, `release_asset`, `contents`, `attestations`,
//! `download`, `object`),
//! `truncate` and `alter` (`asset`: every download of it stops half way, or has a byte
//! flipped), `rate_limit` (`allowed` more API requests succeed, then 403 rate limit exceeded),
//! and, served by the TLS front for the step's command only, `stall` (`asset`: half the body,
//! then nothing, the connection held open) and `silent` (`asset`: the request is read and never
//! answered).
//!
//! Interruptions (`interrupt`): `at = "stall"` comes half a second after the step's `stall` or
//! `silent` fault is reached; `at = "extract"` when a padded archive's padding file (fixtures'
//! `padding_mib`) appears, that is while it is being extracted. `signal = "int"` sends SIGINT and,
//! if mise still runs 5 s later, SIGKILL; `signal = "kill"` sends SIGKILL. The interrupted step's
//! failure is expected; an interruption that never came (the command ended first) is `error`.
//! `no_leftovers`: see [`leftovers`]; a file left over is `wrong-output`.
//!
//! What each expectation means (judged in [`crate::outcome`] from evidence, never from exit
//! codes alone):
//!
//! - `[[expect]]` with `binary`/`version`: `mise ls --json` lists the tool as installed and
//!   `mise x <tool> -- <binary>` prints `<binary> <version>`. A tool may carry a version
//!   (`skillrig:acme/origin/jira@1.6`) to tell apart several versions of one tool.
//! - `[[expect]]` with `absent = true`: `mise ls --json` lists no installed version under the
//!   key, and `<data>/installs/<tool dir>` holds no version directory.
//! - `not_installed`: no install dir, and no listed install, for each version.
//! - `fails_with`: the step exits non-zero and its stderr contains every text; a step that
//!   succeeds, or fails with other words, is `wrong-error`. A failing step without
//!   `fails_with` is an unexpected failure and decides the class as before.
//! - `stdout_lines`: the step's non-empty stdout lines, trimmed, are exactly these, in order;
//!   otherwise `wrong-output`.
//! - `stderr_has` / `stderr_lacks`: the step's stderr holds every `stderr_has` text and no
//!   `stderr_lacks` text; otherwise `wrong-output` (judged with `stdout_lines`).
//! - `max_requests`: the requests the fake received during the step, redirect hops to the
//!   objects host not counted (a download is one request; see [`crate::matrix`]), are at most
//!   this; otherwise `over-budget` (judged once everything else is ok). `max_requests = 0` on a
//!   repeated `install` proves a warm install stays off the network.
//! - `[[file]]`: after the last step the file exists, holds every `contains` text and no `lacks`
//!   text; otherwise `wrong-output` (judged with `stdout_lines`, before `over-budget`).
//! - `read_only`: the files (below the scratch root) are made read-only before the step and must
//!   hold the same bytes after it (root ignores the mode; the bytes are compared all the same);
//!   otherwise `error`.
//! - Secrets: the fixture's token and every `[env]` value whose name holds `TOKEN` must not
//!   appear in any command's output, nor in any file below the scratch root but the
//!   `scratch_files` the scenario wrote, and no request off the API (a download, an object)
//!   may carry a token; otherwise `leak`, whatever else happened ([`super::leaks`]).
//!
//! Texts in `config`, `global_config`, `system_config`, `[env]` values (the scenario's and a
//! step's), `scratch_files` and a step's `config` may name `{ghes_api}`, the fake's Enterprise
//! Server API (`http://127.0.0.1:PORT/api/v3`, a loopback URL mise sends a token to), and
//! `{scratch}`, the scratch root.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::fake_github::RouteKind;
use crate::outcome;
use crate::pins::{Form, Pin, repo_root};

/// The directory scenarios are read from.
pub fn scenarios_dir() -> PathBuf {
    repo_root().join("scenarios")
}

/// Which backend a scenario exercises, and so which pins it runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    /// Native mise (`github:` with aliases and options): runs on every pin.
    Github,
    /// The `skillrig:` backend: runs on pins that carry the patch.
    Skillrig,
}

/// One scenario, as loaded from its file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// `layer-a/alias-same-release`: the path below `scenarios/` without `.toml`.
    #[serde(skip)]
    pub name: String,
    /// One sentence on what it shows.
    pub description: String,
    /// The fixture (`fixtures/<name>.toml`).
    pub fixture: String,
    /// Fixtures of more origins the fake serves beside `fixture` (another `owner/repo` each).
    #[serde(default)]
    pub more_origins: Vec<String>,
    /// The backend it exercises.
    pub backend: BackendKind,
    /// What was observed by hand before the harness existed, if anything.
    #[serde(default)]
    pub observed: Option<String>,
    /// The layer (`A`, `B`, `C`) whose status on a pin this scenario decides, if any: the
    /// best configuration native mise offers for that layer, or its `skillrig:` twin (the
    /// Layers table takes the best of a layer's deciders that run on a pin).
    #[serde(default)]
    pub decides: Option<String>,
    /// The consumer's `mise.toml`.
    pub config: String,
    /// Extra environment for every command.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// The user's global config (`MISE_GLOBAL_CONFIG_FILE`).
    #[serde(default)]
    pub global_config: Option<String>,
    /// The system config (`$MISE_SYSTEM_CONFIG_DIR/config.toml`).
    #[serde(default)]
    pub system_config: Option<String>,
    /// Files written below the scratch root before the first step: path to text.
    #[serde(default)]
    pub scratch_files: BTreeMap<String, String>,
    /// The commands, in order.
    #[serde(rename = "step")]
    pub steps: Vec<Step>,
    /// What each tool should end up running (or not running).
    #[serde(default, rename = "expect")]
    pub expects: Vec<Expect>,
    /// What files should hold after the last step.
    #[serde(default, rename = "file")]
    pub files: Vec<FileExpect>,
    /// After the last step, no file is left of an interrupted install: see [`leftovers`].
    #[serde(default)]
    pub no_leftovers: bool,
    /// Why what a step prints, and how many requests a run sends, depend on timing (a race the
    /// scenario exists to cover). Such a scenario commits no request counts and no transcript;
    /// its expectations must hold whichever way the race goes.
    #[serde(default)]
    pub racy: Option<String>,
    /// The one build of the series whose behaviour this scenario shows (a `skillrig` scenario
    /// runs on every build when absent): `upstream` runs on the matrix's patched pins,
    /// `packaged` in the package tests only.
    #[serde(default)]
    pub form: Option<Form>,
    /// Requests the run is known to make off the fake, each a text of the stray line (the
    /// description says why): they must happen, are listed in the matrix, and are not strays.
    #[serde(default)]
    pub strays: Vec<String>,
}

/// Files an install left behind below the scratch root `root`: anything in mise's downloads dir
/// (an install removes its download), in its tmp dir or in `cache/invocation-downloads` (one
/// command's scratch), and anywhere in the data or cache dir a file whose name marks it as
/// partial or temporary (`.tmp…`, `….part…`, `…partial…`). Empty directories are not counted: they hold no
/// bytes and mislead no later run.
pub fn leftovers(root: &Path) -> Result<Vec<String>> {
    let mut found = Vec::new();
    for dir in ["data", "cache", "tmp"] {
        for path in super::files_below(&root.join(dir))? {
            let shown = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .display()
                .to_string();
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let scratch = ["data/downloads/", "tmp/", "cache/invocation-downloads/"]
                .iter()
                .any(|dir| shown.starts_with(dir));
            if scratch
                || name.starts_with(".tmp")
                || name.contains(".part")
                || name.contains("partial")
            {
                found.push(format!("{shown} was left over"));
            }
        }
    }
    found.sort();
    Ok(found)
}

/// What a file below the scratch root must hold after the last step.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileExpect {
    /// The path below the scratch root (`project/mise.lock`).
    pub path: String,
    /// Texts it must contain.
    #[serde(default)]
    pub contains: Vec<String>,
    /// Texts it must not contain.
    #[serde(default)]
    pub lacks: Vec<String>,
}

impl FileExpect {
    /// What is wrong with the file under `root`, if anything.
    pub fn findings(&self, root: &Path) -> Result<Vec<String>> {
        let path = scratch_path(root, &self.path)?;
        let Ok(text) = std::fs::read_to_string(&path) else {
            return Ok(vec![format!("{} does not exist", self.path)]);
        };
        let mut found: Vec<String> = self
            .contains
            .iter()
            .filter(|t| !text.contains(t.as_str()))
            .map(|t| format!("{} lacks `{t}`", self.path))
            .collect();
        found.extend(
            self.lacks
                .iter()
                .filter(|t| text.contains(t.as_str()))
                .map(|t| format!("{} holds `{t}`", self.path)),
        );
        Ok(found)
    }
}

/// One mise command of a scenario.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// The arguments after `mise`.
    pub args: Vec<String>,
    /// A new `mise.toml` written before the command.
    #[serde(default)]
    pub config: Option<String>,
    /// Extra environment for this command only, on top of the scenario's.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Releases published on the fake before the command.
    #[serde(default)]
    pub publish: Vec<Publish>,
    /// The most requests the step may send (redirect hops to the objects host not counted).
    #[serde(default)]
    pub max_requests: Option<usize>,
    /// Exactly the lines the step must print on stdout (trimmed, blank lines dropped).
    #[serde(default)]
    pub stdout_lines: Option<Vec<String>>,
    /// The step must fail, its stderr containing each of these texts.
    #[serde(default)]
    pub fails_with: Vec<String>,
    /// Texts its stderr must hold, failing or not (a warning, a notice).
    #[serde(default)]
    pub stderr_has: Vec<String>,
    /// Texts its stderr must not hold (a warning that must be gone).
    #[serde(default)]
    pub stderr_lacks: Vec<String>,
    /// Faults injected before the command: the fake's last for the rest of the run, the TLS
    /// front's (`stall`, `silent`) for this command only.
    #[serde(default)]
    pub faults: Vec<Fault>,
    /// Files of the origin's default branch replaced before the command: path to new text.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
    /// Runs the command this many times at once on the same dirs; the step succeeds only if
    /// every run does (and fails with the first failure's output).
    #[serde(default)]
    pub together: Option<usize>,
    /// Files below the scratch root made read-only before the command, which it must not change.
    #[serde(default)]
    pub read_only: Vec<String>,
    /// Interrupts the command at a moment of the install (see [`Interrupt`]).
    #[serde(default)]
    pub interrupt: Option<Interrupt>,
    /// Tools (`tool@version`, with `binary` and `version`) that, after the command, are either
    /// not reported installed (`mise where` fails) or installed whole: the executable runs and
    /// prints its version. Which of the two may vary; a tool reported installed that does not run
    /// is `error`.
    #[serde(default)]
    pub whole_if_installed: Vec<Expect>,
    /// Seconds the command may run; still running then, it is killed and the run is `error`
    /// (a hang). Every step has a limit of [`DEFAULT_STEP_LIMIT`] seconds without it.
    #[serde(default)]
    pub ends_within: Option<u64>,
}

/// The seconds a step may run when it sets no `ends_within`: a hang fails the run, it does not
/// stall the matrix.
pub const DEFAULT_STEP_LIMIT: u64 = 300;

/// When and how a step's command is interrupted:
/// `interrupt = { at = "stall", signal = "int" }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interrupt {
    /// The moment.
    pub at: InterruptAt,
    /// The signal sent then; after SIGINT, SIGKILL follows if mise still runs
    /// [`INTERRUPT_GRACE_SECS`] seconds later.
    pub signal: Signal,
}

/// Seconds mise gets to exit after SIGINT before SIGKILL.
pub const INTERRUPT_GRACE_SECS: u64 = 5;

/// The moment a step is interrupted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InterruptAt {
    /// When a `stall` or `silent` fault of the step is reached: the download is under way
    /// (half its body sent) or waiting for an answer.
    Stall,
    /// When extraction has begun: the padding file of an archive (fixtures' `padding_mib`)
    /// appears below the data dir.
    Extract,
}

/// A signal to interrupt mise with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// SIGINT, what Ctrl-C sends.
    Int,
    /// SIGKILL, a machine or CI job that dies.
    Kill,
}

impl Signal {
    /// The name `kill -s` takes.
    pub fn name(self) -> &'static str {
        match self {
            Signal::Int => "INT",
            Signal::Kill => "KILL",
        }
    }
}

/// A fault the fake GitHub injects, as a scenario writes it:
/// `{ kind = "status", route = "contents", status = 503, times = 10 }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Fault {
    /// The next `times` requests to `route` answer `status`.
    Status {
        /// The route, by its name in [`route_kind`].
        route: String,
        /// The HTTP status to answer.
        status: u16,
        /// How many requests in a row fail.
        times: u64,
    },
    /// Every download of the asset `asset` stops half way.
    Truncate {
        /// The asset's name.
        asset: String,
    },
    /// Every download of the asset `asset` has one byte flipped.
    Alter {
        /// The asset's name.
        asset: String,
    },
    /// `allowed` more API requests succeed, then the API answers 403 rate limit exceeded.
    RateLimit {
        /// How many API requests still succeed.
        allowed: u32,
    },
    /// Downloads of the asset `asset` send half the body, then nothing, the connection held
    /// open (the TLS front's; for this step only).
    Stall {
        /// The asset's name.
        asset: String,
    },
    /// Requests for the asset `asset`'s bytes are accepted and never answered (the TLS front's;
    /// for this step only).
    Silent {
        /// The asset's name.
        asset: String,
    },
}

/// The fake's route a scenario names by `name`.
pub fn route_kind(name: &str) -> Result<RouteKind> {
    Ok(match name {
        "repo" => RouteKind::Repo,
        "releases" => RouteKind::ReleasesList,
        "release_by_tag" => RouteKind::ReleaseByTag,
        "release_asset" => RouteKind::ReleaseAsset,
        "contents" => RouteKind::Contents,
        "attestations" => RouteKind::Attestations,
        "download" => RouteKind::Download,
        "object" => RouteKind::Object,
        other => bail!(
            "unknown route `{other}`; use repo, releases, release_by_tag, release_asset, \
             contents, attestations, download or object"
        ),
    })
}

/// A release published mid-scenario: the next version of one binary's stream.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Publish {
    /// The binary whose stream gets the release.
    pub binary: String,
    /// Its version.
    pub version: String,
}

/// What one tool should end up running.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The tool as `mise x` takes it.
    pub tool: String,
    /// Its key in `mise ls --json` (default: `tool` without a trailing `@version`).
    #[serde(default)]
    pub ls_key: Option<String>,
    /// The executable it must provide (with `version`; not with `absent`).
    #[serde(default)]
    pub binary: Option<String>,
    /// The version that executable must print.
    #[serde(default)]
    pub version: Option<String>,
    /// The tool must end up not installed.
    #[serde(default)]
    pub absent: bool,
    /// Versions that must have no install dir (a failed install leaves nothing behind).
    #[serde(default)]
    pub not_installed: Vec<String>,
}

impl Expect {
    /// The tool without a trailing `@version`: what `mise ls --json` keys it by.
    pub fn base_tool(&self) -> &str {
        outcome::base_tool(&self.tool)
    }

    /// Its key in `mise ls --json`.
    pub fn ls_key(&self) -> &str {
        self.ls_key.as_deref().unwrap_or_else(|| self.base_tool())
    }

    /// The executable it must provide (empty for an absent tool).
    pub fn binary(&self) -> &str {
        self.binary.as_deref().unwrap_or_default()
    }

    /// The version that executable must print (empty for an absent tool).
    pub fn version(&self) -> &str {
        self.version.as_deref().unwrap_or_default()
    }

    pub(crate) fn check(&self) -> Result<()> {
        match (self.absent, &self.binary, &self.version) {
            (true, None, None) | (false, Some(_), Some(_)) => Ok(()),
            (true, _, _) => bail!(
                "[[expect]] `{}`: `absent = true` takes no `binary` or `version`",
                self.tool
            ),
            (false, _, _) => bail!(
                "[[expect]] `{}`: give `binary` and `version`, or `absent = true`",
                self.tool
            ),
        }
    }
}

impl Step {
    /// How reports name this step: `step 2 (`mise install`)`.
    pub fn label(&self, index: usize) -> String {
        format!("step {} (`mise {}`)", index + 1, self.args.join(" "))
    }

    /// Whether it injects a fault only the TLS front serves (`stall`, `silent`).
    pub fn has_front_fault(&self) -> bool {
        self.faults
            .iter()
            .any(|f| matches!(f, Fault::Stall { .. } | Fault::Silent { .. }))
    }

    fn expects_something(&self) -> bool {
        self.stdout_lines.is_some() || !self.fails_with.is_empty() || !self.stderr_has.is_empty()
    }
}

impl Scenario {
    /// Whether a step injects a fault only the TLS front serves (`stall`, `silent`).
    pub fn needs_front(&self) -> bool {
        self.steps.iter().any(Step::has_front_fault)
    }

    /// Load `scenarios/<name>.toml`.
    pub fn load(name: &str) -> Result<Self> {
        let path = scenarios_dir().join(format!("{name}.toml"));
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading scenario {}", path.display()))?;
        Self::parse(name, &path, &text)
    }

    /// The scenario `name` from `text`, read from `path` (which errors name).
    fn parse(name: &str, path: &Path, text: &str) -> Result<Self> {
        let mut scenario: Scenario =
            toml::from_str(text).with_context(|| format!("parsing {}", path.display()))?;
        scenario.name = name.to_string();
        if scenario.steps.is_empty()
            || (scenario.expects.is_empty()
                && scenario.files.is_empty()
                && !scenario.steps.iter().any(Step::expects_something))
        {
            bail!(
                "{}: a scenario needs at least one [[step]], and an [[expect]] or a step with \
                 `stdout_lines` or `fails_with`",
                path.display()
            );
        }
        for expect in &scenario.expects {
            expect
                .check()
                .with_context(|| format!("parsing {}", path.display()))?;
        }
        for (index, step) in scenario.steps.iter().enumerate() {
            let many = step.together.is_some_and(|n| n > 1);
            if many && (step.interrupt.is_some() || step.ends_within.is_some()) {
                bail!(
                    "{}: {} has `together` and `interrupt` or `ends_within`; a step run several \
                     times at once cannot be interrupted or timed: split it into two steps",
                    path.display(),
                    step.label(index)
                );
            }
            let at_stall = step
                .interrupt
                .as_ref()
                .is_some_and(|i| i.at == InterruptAt::Stall);
            if at_stall && !step.has_front_fault() {
                bail!(
                    "{}: {} has `interrupt = {{ at = \"stall\" }}` but no `stall` or `silent` \
                     fault: add one to `faults`, or interrupt `at = \"extract\"`",
                    path.display(),
                    step.label(index)
                );
            }
        }
        Ok(scenario)
    }

    /// Every scenario below `scenarios/`, sorted by name.
    pub fn all() -> Result<Vec<Self>> {
        let mut names = Vec::new();
        collect_names(&scenarios_dir(), "", &mut names)?;
        names.sort();
        names.iter().map(|n| Self::load(n)).collect()
    }

    /// The layer this scenario belongs to (`A` for `layer-a/...`), if it sits in a layer's dir.
    pub fn layer(&self) -> Option<String> {
        let dir = self.name.split_once('/')?.0;
        let letter = dir.strip_prefix("layer-")?;
        Some(letter.to_uppercase())
    }

    /// Whether this scenario runs on `pin`.
    pub fn runs_on(&self, pin: &Pin) -> bool {
        match self.backend {
            BackendKind::Github => true,
            BackendKind::Skillrig => {
                pin.has_skillrig() && self.form.is_none_or(|form| form == pin.form())
            }
        }
    }
}

fn collect_names(dir: &Path, prefix: &str, out: &mut Vec<String>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        if path.is_dir() {
            collect_names(&path, &format!("{prefix}{stem}/"), out)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(format!("{prefix}{stem}"));
        }
    }
    Ok(())
}

/// What `{ghes_api}` and `{scratch}` stand for in a scenario's texts.
pub struct Placeholders {
    /// The fake's Enterprise Server API URL.
    pub ghes_api: String,
    /// The scratch root.
    pub scratch: String,
}

impl Placeholders {
    /// `text` with each placeholder replaced.
    pub fn expand(&self, text: &str) -> String {
        text.replace("{ghes_api}", &self.ghes_api)
            .replace("{scratch}", &self.scratch)
    }
}

/// `name` below the scratch root; a path that would leave it is refused.
pub fn scratch_path(root: &Path, name: &str) -> Result<PathBuf> {
    let relative = Path::new(name);
    if relative.is_absolute()
        || relative
            .components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
    {
        bail!("`{name}`: scratch files are named by a plain path below the scratch root");
    }
    Ok(root.join(relative))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(steps: &str) -> Result<Scenario> {
        let text = format!(
            "description = \"d\"\nfixture = \"f\"\nbackend = \"skillrig\"\nconfig = \"\"\n{steps}\n\
             [[expect]]\ntool = \"t\"\nabsent = true\n"
        );
        Scenario::parse("s", Path::new("scenarios/s.toml"), &text)
    }

    #[test]
    fn leftovers_are_files_an_install_did_not_clean_up() {
        let root = tempfile::tempdir().expect("a scratch root");
        let touch = |path: &str| {
            let path = root.path().join(path);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("dirs");
            std::fs::write(path, b"x").expect("a file");
        };
        touch("data/installs/jira/1.7.0/jira");
        touch("cache/jira/releases.msgpack");
        std::fs::create_dir_all(root.path().join("cache/invocation-downloads/.tmpAbC123"))
            .expect("an empty temp dir");
        let none = leftovers(root.path()).expect("a readable root");
        assert!(none.is_empty(), "{none:?}");
        touch("cache/invocation-downloads/.tmpAbC123/.artifact.mise-part");
        touch("data/downloads/jira/1.7.0/jira.tar.gz");
        touch("data/installs/jira/.tmpXyZ789");
        touch("tmp/anything");
        assert_eq!(
            leftovers(root.path()).expect("a readable root"),
            [
                "cache/invocation-downloads/.tmpAbC123/.artifact.mise-part was left over",
                "data/downloads/jira/1.7.0/jira.tar.gz was left over",
                "data/installs/jira/.tmpXyZ789 was left over",
                "tmp/anything was left over",
            ]
        );
    }

    #[test]
    fn interruptions_are_checked_when_the_scenario_loads() {
        let ok = parse(
            "[[step]]\nargs = [\"install\"]\nfaults = [{ kind = \"stall\", asset = \"a\" }]\n\
             interrupt = { at = \"stall\", signal = \"int\" }\n",
        );
        assert!(ok.is_ok(), "{ok:?}");
        let no_fault = parse(
            "[[step]]\nargs = [\"install\"]\ninterrupt = { at = \"stall\", signal = \"kill\" }\n",
        )
        .expect_err("a stall interruption without a fault");
        assert!(
            no_fault
                .to_string()
                .contains("but no `stall` or `silent` fault"),
            "{no_fault}"
        );
        let together = parse("[[step]]\nargs = [\"install\"]\ntogether = 2\nends_within = 5\n")
            .expect_err("together and a time limit");
        assert!(
            together.to_string().contains("split it into two steps"),
            "{together}"
        );
        let unknown = parse(
            "[[step]]\nargs = [\"install\"]\ninterrupt = { at = \"download\", signal = \"int\" }\n",
        )
        .expect_err("an unknown moment");
        assert!(
            format!("{unknown:#}").contains("unknown variant `download`"),
            "{unknown:#}"
        );
    }
    use crate::fixture::Origin;

    #[test]
    fn a_file_must_hold_its_texts_and_lack_the_others() {
        let root = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(root.path().join("project")).expect("mkdir");
        std::fs::write(root.path().join("project/mise.lock"), "a windows-x64 b").expect("write");
        let expect = |contains: &[&str], lacks: &[&str]| FileExpect {
            path: "project/mise.lock".into(),
            contains: contains.iter().map(|t| t.to_string()).collect(),
            lacks: lacks.iter().map(|t| t.to_string()).collect(),
        };
        assert!(
            expect(&["windows-x64"], &["+jira"])
                .findings(root.path())
                .expect("reads")
                .is_empty()
        );
        assert_eq!(
            expect(&["macos-x64"], &["b"])
                .findings(root.path())
                .expect("reads"),
            [
                "project/mise.lock lacks `macos-x64`",
                "project/mise.lock holds `b`"
            ]
        );
        let missing = FileExpect {
            path: "etc/mise.lock".into(),
            ..expect(&[], &[])
        };
        assert_eq!(
            missing.findings(root.path()).expect("reads"),
            ["etc/mise.lock does not exist"]
        );
    }

    #[test]
    fn placeholders_and_scratch_paths() {
        let vars = Placeholders {
            ghes_api: "http://127.0.0.1:1/api/v3".into(),
            scratch: "/s".into(),
        };
        assert_eq!(
            vars.expand("api_url = \"{ghes_api}\" # {scratch}/home"),
            "api_url = \"http://127.0.0.1:1/api/v3\" # /s/home"
        );
        let root = Path::new("/s");
        assert_eq!(
            scratch_path(root, "home/.config/gh/hosts.yml").expect("plain"),
            Path::new("/s/home/.config/gh/hosts.yml")
        );
        for bad in ["../etc/passwd", "/etc/passwd", "home/../../x"] {
            assert!(scratch_path(root, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_expectation_is_a_binary_and_version_or_absent() {
        let parse = |text: &str| toml::from_str::<Expect>(text).expect("parses");
        assert!(parse("tool = \"a\"\nabsent = true").check().is_ok());
        assert!(
            parse("tool = \"a\"\nbinary = \"a\"\nversion = \"1\"")
                .check()
                .is_ok()
        );
        let err = parse("tool = \"a\"\nbinary = \"a\"").check().unwrap_err();
        assert!(err.to_string().contains("absent = true"), "{err}");
        let err = parse("tool = \"a\"\nabsent = true\nversion = \"1\"")
            .check()
            .unwrap_err();
        assert!(err.to_string().contains("takes no"), "{err}");
    }

    #[test]
    fn layers_come_from_the_directory() {
        let mut s = Scenario::load("layer-c/stream-starvation").expect("loads");
        assert_eq!(s.layer().as_deref(), Some("C"));
        s.name = "skillrig/upgrade".into();
        assert_eq!(s.layer(), None);
    }

    #[test]
    fn every_scenario_file_loads() {
        let all = Scenario::all().expect("scenarios load");
        assert!(!all.is_empty());
        for s in &all {
            for fixture in std::iter::once(&s.fixture).chain(&s.more_origins) {
                Origin::load(fixture).unwrap_or_else(|e| panic!("{}: fixture: {e:#}", s.name));
            }
        }
    }
}
