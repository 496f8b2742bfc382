//! Scenarios: a fixture, a consumer config, steps of mise commands, and what each tool should
//! end up running. Data lives in `scenarios/<layer>/<name>.toml`; this module loads and runs it.
//!
//! ```toml
//! description = "Two [tool_alias] entries on one github: repo, one release with both binaries"
//! fixture = "shared-release"          # fixtures/shared-release.toml
//! backend = "github"                  # "github": every pin; "skillrig": pins with the backend
//! observed = "collision on 2026.3.8"  # what was seen by hand before the harness (optional)
//! decides = "A"                       # this scenario decides whether a pin handles layer A
//! config = '''
//! [tool_alias]
//! jira = "github:acme/origin"
//! '''
//! [env]                               # extra environment for every command (optional)
//! global_config = "..."               # the user's global config.toml (optional)
//! system_config = "..."               # the system config, $MISE_SYSTEM_CONFIG_DIR/config.toml
//! [scratch_files]                     # files below the scratch root (optional; a text starting
//! "home/.config/gh/hosts.yml" = "..."  # with `#!` is written executable)
//! [[step]]
//! args = ["install"]                  # `mise install`
//! config = "..."                      # rewrite mise.toml before this step (optional)
//! publish = [{ binary = "jira", version = "1.8.0" }]  # new releases before this step (optional)
//! max_requests = 14                   # budget: requests this step may send (optional)
//! stdout_lines = ["0.0.5", "0.0.6"]   # exactly what it must print (optional)
//! fails_with = ["no origin metadata"] # it must fail, its stderr holding each text (optional)
//! stderr_has = ["is not used"]        # its stderr holds each text, failing or not (optional)
//! stderr_lacks = ["not supported"]    # its stderr holds none of these texts (optional)
//! read_only = ["project/mise.lock"]   # files made read-only that the step must not change
//! [[expect]]
//! tool = "jira"                       # as `mise x` takes it
//! ls_key = "jira"                     # its key in `mise ls --json` (default: tool)
//! binary = "jira"                     # the executable it must provide
//! version = "1.7.0"                   # what the executable must print after its name
//! [[expect]]
//! tool = "skillrig:acme/origin/nope"
//! absent = true                       # must end up not installed (instead of binary/version)
//! [[file]]                            # a file below the scratch root after the last step
//! path = "project/mise.lock"
//! contains = ['"platforms.windows-x64"']
//! lacks = ["+jira"]
//! ```
//!
//! What each expectation means (judged in [`outcome`] from evidence, never from exit codes alone):
//!
//! - `[[expect]]` with `binary`/`version`: `mise ls --json` lists the tool as installed and
//!   `mise x <tool> -- <binary>` prints `<binary> <version>`. A tool may carry a version
//!   (`skillrig:acme/origin/jira@1.6`) to tell apart several versions of one tool.
//! - `[[expect]]` with `absent = true`: `mise ls --json` lists no installed version under the
//!   key, and `<data>/installs/<tool dir>` holds no version directory.
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
//!   may carry a token; otherwise `leak`, whatever else happened.
//!
//! Texts in `config`, `global_config`, `system_config`, `[env]` values, `scratch_files` and a
//! step's `config` may name `{ghes_api}`, the fake's Enterprise Server API
//! (`http://127.0.0.1:PORT/api/v3`, a loopback URL mise sends a token to), and `{scratch}`, the
//! scratch root.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::fake_github::{Auth, FakeGithub, JournalEntry, RouteKind};
use crate::fixture::{BuiltOrigin, Origin};
use crate::mise_run::{Endpoints, MiseRun, Output};
use crate::outcome::{self, Class, Expected, Seen, StepRun, StreamIndex, Verdict};
use crate::pins::{Pin, repo_root};
use crate::tripwire::Tripwire;

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
    fn findings(&self, root: &Path) -> Result<Vec<String>> {
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
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// The arguments after `mise`.
    pub args: Vec<String>,
    /// A new `mise.toml` written before the command.
    #[serde(default)]
    pub config: Option<String>,
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
    /// Faults the fake GitHub injects before the command (they last for the rest of the run).
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
}

/// The fake's route a scenario names by `name`.
pub fn route_kind(name: &str) -> Result<RouteKind> {
    Ok(match name {
        "repo" => RouteKind::Repo,
        "releases" => RouteKind::ReleasesList,
        "release_by_tag" => RouteKind::ReleaseByTag,
        "release_asset" => RouteKind::ReleaseAsset,
        "contents" => RouteKind::Contents,
        "download" => RouteKind::Download,
        "object" => RouteKind::Object,
        other => bail!(
            "unknown route `{other}`; use repo, releases, release_by_tag, release_asset, \
             contents, download or object"
        ),
    })
}

impl Fault {
    /// Sets the fault up on `fake`.
    pub async fn inject(&self, fake: &FakeGithub) -> Result<()> {
        match self {
            Fault::Status {
                route,
                status,
                times,
            } => fake.fail(route_kind(route)?, *status, *times).await,
            Fault::Truncate { asset } => fake.truncate(asset),
            Fault::Alter { asset } => fake.alter(asset),
            Fault::RateLimit { allowed } => fake.rate_limit(*allowed),
        }
        Ok(())
    }
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
#[derive(Debug, Clone, Deserialize)]
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

    fn check(&self) -> Result<()> {
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

    fn expects_something(&self) -> bool {
        self.stdout_lines.is_some() || !self.fails_with.is_empty() || !self.stderr_has.is_empty()
    }
}

impl Scenario {
    /// Load `scenarios/<name>.toml`.
    pub fn load(name: &str) -> Result<Self> {
        let path = scenarios_dir().join(format!("{name}.toml"));
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading scenario {}", path.display()))?;
        let mut scenario: Scenario =
            toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
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
            BackendKind::Skillrig => pin.has_skillrig(),
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

/// Everything a run of one scenario on one pin produced.
#[derive(Debug, Clone)]
pub struct Report {
    /// The scenario's name.
    pub scenario: String,
    /// The pin's name.
    pub pin: String,
    /// The judgement.
    pub verdict: Verdict,
    /// Requests the fake received during the steps (not while gathering evidence), redirect
    /// hops to the objects host not counted.
    pub requests: usize,
    /// Requests to the objects host: the second hop of downloads redirected there.
    pub redirect_hops: usize,
    /// [`Report::requests`] step by step.
    pub step_requests: Vec<usize>,
    /// Wall time of the steps.
    pub elapsed: Duration,
    /// Requests that left the fake's routes: tripwire catches and the fake's catch-all.
    pub strays: Vec<String>,
    /// The journal of the steps, one `METHOD /path?query` line per request.
    pub journal: Vec<String>,
    /// Every command run, steps then evidence.
    pub transcript: Vec<Output>,
    /// Where the run lived.
    pub scratch: PathBuf,
    /// Some step ran mise several times at once, so how many requests each run sent depends on
    /// which one got the install lock first.
    pub concurrent: bool,
}

/// The scratch directory of a run, kept under the target dir like cargo's test scratch dirs.
pub fn scratch_dir(scenario: &str, pin: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"));
    target
        .join("skillrig-harness")
        .join(pin)
        .join(scenario.replace('/', "__"))
}

/// Stream membership from the fixture: which binary each version or tag spelling belongs to.
struct FixtureStreams {
    owners: BTreeMap<String, BTreeSet<String>>,
}

impl FixtureStreams {
    fn new(origin: &BuiltOrigin) -> Self {
        let mut owners: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for release in &origin.releases {
            for asset in &release.assets {
                if let Some((binary, version)) = &asset.provides {
                    for spelling in [
                        version.as_str(),
                        release.tag.as_str(),
                        release.tag.trim_start_matches('v'),
                    ] {
                        owners
                            .entry(spelling.to_string())
                            .or_default()
                            .insert(binary.clone());
                    }
                }
            }
        }
        Self { owners }
    }
}

impl StreamIndex for FixtureStreams {
    fn other_stream(&self, binary: &str, version: &str) -> Option<String> {
        let owners = self
            .owners
            .get(version)
            .or_else(|| self.owners.get(version.trim_start_matches('v')))?;
        if owners.contains(binary) {
            return None;
        }
        owners.iter().next().cloned()
    }
}

/// Run `scenario` on `pin` with the binary at `bin`, scratch dir at `root` (wiped first).
pub async fn run(scenario: &Scenario, pin: &Pin, bin: &Path, root: &Path) -> Result<Report> {
    if root.exists() {
        std::fs::remove_dir_all(root).with_context(|| format!("wiping {}", root.display()))?;
    }
    let origin = Origin::load(&scenario.fixture)?;
    let built = origin.build()?;
    let streams = FixtureStreams::new(&built);
    let fake = FakeGithub::start(vec![origin]).await?;
    let tripwire = Tripwire::start().await?;
    let endpoints = Endpoints {
        url_replacements: fake.url_replacements().to_string(),
        proxy: tripwire.url(),
    };
    let vars = Placeholders {
        ghes_api: fake.enterprise_api(),
        scratch: root.display().to_string(),
    };
    let mut extra = pin.quirk_env();
    extra.extend(
        scenario
            .env
            .iter()
            .map(|(k, v)| (k.clone(), vars.expand(v))),
    );
    let mise = MiseRun::new(bin, root, &endpoints, &extra)?;
    mise.write_project_config(&vars.expand(&scenario.config))?;
    if let Some(text) = &scenario.global_config {
        mise.write_global_config(&vars.expand(text))?;
    }
    if let Some(text) = &scenario.system_config {
        mise.write_system_config(&vars.expand(text))?;
    }
    let mut own_files = BTreeSet::new();
    for (path, text) in &scenario.scratch_files {
        let path = scratch_path(root, path)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(&path, vars.expand(text))
            .with_context(|| format!("writing {}", path.display()))?;
        // A script (`#!`) is written executable, as an install would have left it.
        if text.starts_with("#!") {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                .with_context(|| format!("making {} executable", path.display()))?;
        }
        own_files.insert(path);
    }

    let mut transcript = Vec::new();
    let mut step_runs = Vec::new();
    let mut received = 0;
    let started = Instant::now();
    for (index, step) in scenario.steps.iter().enumerate() {
        for publish in &step.publish {
            fake.publish_version(&built.full_name(), &publish.binary, &publish.version)?;
        }
        for (path, text) in &step.files {
            fake.set_file(&built.full_name(), path, text)?;
        }
        for fault in &step.faults {
            fault.inject(&fake).await?;
        }
        if let Some(config) = &step.config {
            mise.write_project_config(&vars.expand(config))?;
        }
        let mut read_only = Vec::new();
        for name in &step.read_only {
            let path = scratch_path(root, name)?;
            let bytes = std::fs::read(&path).with_context(|| {
                format!("{}: read_only names {}", step.label(index), path.display())
            })?;
            let mut mode = std::fs::metadata(&path)?.permissions();
            mode.set_readonly(true);
            std::fs::set_permissions(&path, mode)?;
            read_only.push((name.clone(), path, bytes));
        }
        let out = match step.together {
            Some(n) if n > 1 => {
                let mut runs = tokio::task::JoinSet::new();
                for _ in 0..n {
                    let (mise, args) = (mise.clone(), step.args.clone());
                    runs.spawn(async move { mise.run(&args).await });
                }
                let mut outs = Vec::new();
                while let Some(done) = runs.join_next().await {
                    outs.push(done.context("a concurrent mise run panicked")??);
                }
                let first_failure = outs.iter().position(|o| !o.success()).unwrap_or(0);
                outs.swap_remove(first_failure)
            }
            _ => mise.run(&step.args).await?,
        };
        let journal = fake.journal().await;
        let requests = journal[received.min(journal.len())..]
            .iter()
            .filter(|e| !e.is_redirect_hop())
            .count();
        received = journal.len();
        let changed = read_only
            .into_iter()
            .filter(|(_, path, bytes)| std::fs::read(path).ok().as_ref() != Some(bytes))
            .map(|(name, _, _)| name)
            .collect();
        step_runs.push(StepRun {
            label: step.label(index),
            success: out.success(),
            stdout: out.stdout.clone(),
            stderr: out.stderr.clone(),
            first_error: (!out.success()).then(|| {
                out.first_error_line()
                    .unwrap_or_else(|| format!("exit {:?}", out.code))
            }),
            requests,
            fails_with: step.fails_with.clone(),
            stdout_lines: step.stdout_lines.clone(),
            stderr_has: step.stderr_has.clone(),
            stderr_lacks: step.stderr_lacks.clone(),
            max_requests: step.max_requests,
            changed,
        });
        transcript.push(out);
    }
    let elapsed = started.elapsed();
    let entries = fake.journal().await;
    let redirect_hops = entries.iter().filter(|e| e.is_redirect_hop()).count();
    let journal: Vec<String> = entries.iter().map(|e| e.to_string()).collect();

    let (seen, evidence) = gather(&mise, scenario, &transcript).await?;
    transcript.extend(evidence);
    let expected: Vec<Expected> = scenario
        .expects
        .iter()
        .map(|e| Expected {
            tool: e.tool.clone(),
            binary: e.binary.clone().unwrap_or_default(),
            version: e.version.clone().unwrap_or_default(),
            ls_key: e.ls_key().to_string(),
            absent: e.absent,
            not_installed: e.not_installed.clone(),
        })
        .collect();
    let secrets = secrets(&built, &extra);
    let leaks = leaks(&secrets, &transcript, root, &own_files, &entries)?;
    let mut file_findings = Vec::new();
    for file in &scenario.files {
        file_findings.extend(file.findings(root)?);
    }
    let verdict = outcome::with_leaks(
        outcome::judge_run(&expected, &seen, &step_runs, &file_findings, &streams),
        &leaks,
    );

    let mut strays: Vec<String> = tripwire
        .caught()
        .into_iter()
        .map(|l| format!("proxy: {l}"))
        .collect();
    strays.extend(fake.unexpected().iter().map(|l| format!("fake: {l}")));
    let step_requests: Vec<usize> = step_runs.iter().map(|s| s.requests).collect();
    Ok(Report {
        scenario: scenario.name.clone(),
        pin: pin.name.clone(),
        verdict,
        requests: step_requests.iter().sum(),
        redirect_hops,
        step_requests,
        elapsed,
        strays,
        journal,
        transcript,
        scratch: root.to_path_buf(),
        concurrent: scenario
            .steps
            .iter()
            .any(|s| s.together.is_some_and(|n| n > 1)),
    })
}

/// What `{ghes_api}` and `{scratch}` stand for in a scenario's texts.
struct Placeholders {
    ghes_api: String,
    scratch: String,
}

impl Placeholders {
    fn expand(&self, text: &str) -> String {
        text.replace("{ghes_api}", &self.ghes_api)
            .replace("{scratch}", &self.scratch)
    }
}

/// `name` below the scratch root; a path that would leave it is refused.
fn scratch_path(root: &Path, name: &str) -> Result<PathBuf> {
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

/// The secrets of a run: the origin's token, and the value of every variable of the run's
/// environment whose name holds `TOKEN` (tokens a scenario gives mise).
fn secrets(origin: &BuiltOrigin, env: &BTreeMap<String, String>) -> Vec<String> {
    let mut secrets: Vec<String> = origin.token.iter().cloned().collect();
    secrets.extend(
        env.iter()
            .filter(|(k, v)| k.contains("TOKEN") && v.len() >= 8)
            .map(|(_, v)| v.clone()),
    );
    secrets.sort();
    secrets.dedup();
    secrets
}

/// Where a secret showed: a command's output, a file below `root` other than `own_files`
/// (those the scenario wrote), or a request off the API that carried a token.
fn leaks(
    secrets: &[String],
    transcript: &[Output],
    root: &Path,
    own_files: &BTreeSet<PathBuf>,
    journal: &[JournalEntry],
) -> Result<Vec<String>> {
    let mut found: Vec<String> = journal
        .iter()
        .filter(|e| e.auth != Auth::None && !e.may_carry_token())
        .map(|e| format!("`{} {}` carried a token off the API", e.method, e.target))
        .collect();
    if secrets.is_empty() {
        return Ok(found);
    }
    for out in transcript {
        for (stream, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            if secrets.iter().any(|s| text.contains(s.as_str())) {
                found.push(format!(
                    "the token is in the {stream} of `mise {}`",
                    out.args.join(" ")
                ));
            }
        }
    }
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?
        {
            let path = entry?.path();
            let meta = path.symlink_metadata()?;
            if meta.is_dir() {
                dirs.push(path);
            } else if meta.is_file() && !own_files.contains(&path) {
                let bytes = std::fs::read(&path).unwrap_or_default();
                if secrets.iter().any(|s| contains(&bytes, s.as_bytes())) {
                    let name = path.strip_prefix(root).unwrap_or(&path);
                    found.push(format!("the token is in {}", name.display()));
                }
            }
        }
    }
    found.sort();
    Ok(found)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// The evidence: `mise ls --json`, then `mise x <tool> -- <binary>` for every expected tool.
async fn gather(
    mise: &MiseRun,
    scenario: &Scenario,
    steps: &[Output],
) -> Result<(Vec<Seen>, Vec<Output>)> {
    let mut evidence = Vec::new();
    let ls = mise.run(&["ls".into(), "--json".into()]).await?;
    let listed: serde_json::Value =
        serde_json::from_str(&ls.stdout).unwrap_or(serde_json::Value::Null);
    evidence.push(ls);
    let mut seen = Vec::new();
    for expect in &scenario.expects {
        let key = expect.ls_key();
        let mut got = Seen {
            install_dirs: version_dirs(
                &mise
                    .layout()
                    .data()
                    .join("installs")
                    .join(install_dir_name(expect.base_tool())),
            ),
            ..Seen::default()
        };
        for entry in listed
            .get(key)
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
        {
            let version = entry
                .get("version")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string();
            if entry
                .get("installed")
                .and_then(|v| v.as_bool())
                .unwrap_or(false)
            {
                got.installed.push(version.clone());
                if let Some(path) = entry.get("install_path").and_then(|v| v.as_str()) {
                    got.install_paths.push(path.to_string());
                }
            }
            got.mentioned.push(version);
        }
        for out in steps {
            got.mentioned
                .extend(versions_mentioned(&out.stderr, expect.base_tool()));
        }
        if let Some(binary) = &expect.binary {
            let x = mise
                .run(&["x".into(), expect.tool.clone(), "--".into(), binary.clone()])
                .await?;
            if x.success() {
                got.ran = x.stdout.lines().next().map(|l| l.trim().to_string());
            }
            evidence.push(x);
        }
        seen.push(got);
    }
    Ok((seen, evidence))
}

/// The directory name mise installs `tool` under: its name in kebab case
/// (`skillrig:acme/origin/jira` → `skillrig-acme-origin-jira`).
fn install_dir_name(tool: &str) -> String {
    let words: Vec<String> = tool
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    words.join("-")
}

/// The version directories below a tool's install dir: real directories, not dotfiles and not
/// symlinks (mise links `latest` and prefixes to versions).
fn version_dirs(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            !e.file_name().to_string_lossy().starts_with('.')
                && e.path().symlink_metadata().is_ok_and(|m| m.is_dir())
        })
        .map(|e| e.path().display().to_string())
        .collect();
    out.sort();
    out
}

/// Versions mise names for `tool` in its messages, as `tool@version`.
fn versions_mentioned(text: &str, tool: &str) -> Vec<String> {
    let needle = format!("{tool}@");
    let mut out = Vec::new();
    for (i, _) in text.match_indices(&needle) {
        let before = text[..i].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_' || c == ':') {
            continue;
        }
        let rest = &text[i + needle.len()..];
        let version: String = rest
            .chars()
            .take_while(|c| !c.is_whitespace() && !matches!(c, ':' | ',' | ')' | '\'' | '"' | '`'))
            .collect();
        if !version.is_empty() {
            out.push(version);
        }
    }
    out
}

/// A class count summary, for the matrix footer.
pub fn count_by_class(reports: &[Report]) -> BTreeMap<Class, usize> {
    let mut counts = BTreeMap::new();
    for r in reports {
        *counts.entry(r.verdict.class).or_insert(0) += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentioned_versions_are_read_from_messages() {
        let text =
            "mise ERROR Failed to install tfc@1.7.0+jira: no asset matched\nxtfc@9.9.9 jira@1.0.0";
        assert_eq!(versions_mentioned(text, "tfc"), ["1.7.0+jira"]);
    }

    fn output(args: &str, stderr: &str) -> Output {
        Output {
            args: args.split(' ').map(str::to_string).collect(),
            code: Some(0),
            stdout: String::new(),
            stderr: stderr.into(),
            elapsed: Duration::ZERO,
        }
    }

    #[test]
    fn a_secret_in_output_a_written_file_or_an_off_api_request_is_a_leak() {
        let root = tempfile::tempdir().expect("tempdir");
        let secret = "ghp_0123456789".to_string();
        std::fs::create_dir_all(root.path().join("project")).expect("mkdir");
        std::fs::create_dir_all(root.path().join("home")).expect("mkdir");
        std::fs::write(root.path().join("project/mise.lock"), "url = \"x\"\n").expect("write");
        let own = root.path().join("home/token");
        std::fs::write(&own, &secret).expect("write");
        let own_files = BTreeSet::from([own]);
        let api = JournalEntry {
            method: "GET".into(),
            target: "/api/v3/repos/acme/origin/releases".into(),
            auth: Auth::Valid,
            accept: None,
        };
        let clean = [output("install", "installed")];
        let secrets = std::slice::from_ref(&secret);
        let none = leaks(
            secrets,
            &clean,
            root.path(),
            &own_files,
            std::slice::from_ref(&api),
        )
        .expect("scan");
        assert!(none.is_empty(), "{none:?}");

        std::fs::write(
            root.path().join("project/mise.lock"),
            format!("t = {secret}"),
        )
        .expect("write");
        let object = JournalEntry {
            target: "/objects/github-production-release-asset/7/1".into(),
            ..api
        };
        let said = [output(
            "install --verbose",
            &format!("Authorization: Bearer {secret}"),
        )];
        let found = leaks(secrets, &said, root.path(), &own_files, &[object]).expect("scan");
        assert_eq!(
            found,
            [
                "`GET /objects/github-production-release-asset/7/1` carried a token off the API",
                "the token is in project/mise.lock",
                "the token is in the stderr of `mise install --verbose`",
            ]
        );
    }

    #[test]
    fn secrets_are_the_origins_token_and_token_variables() {
        let env = BTreeMap::from([
            ("GITHUB_TOKEN".to_string(), "ghp_from_the_env".to_string()),
            (
                "MISE_LOG_LEVEL".to_string(),
                "trace_not_a_secret".to_string(),
            ),
            ("MISE_GITHUB_GH_CLI_TOKENS".to_string(), "true".to_string()),
        ]);
        let origin = Origin::load("private")
            .expect("fixture")
            .build()
            .expect("builds");
        assert_eq!(
            secrets(&origin, &env),
            ["ghp_from_the_env", "ghp_skillrig_fixture_token"]
        );
    }

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
    fn install_dirs_are_kebab_case() {
        assert_eq!(
            install_dir_name("skillrig:acme/origin/jira"),
            "skillrig-acme-origin-jira"
        );
        assert_eq!(install_dir_name("jira"), "jira");
    }

    #[test]
    fn version_dirs_skip_dotfiles_and_symlinks() {
        let dir = tempfile::tempdir().expect("tempdir");
        let tool = dir.path().join("skillrig-acme-origin-jira");
        assert!(version_dirs(&tool).is_empty(), "a missing dir has none");
        std::fs::create_dir_all(tool.join("1.7.0/bin")).expect("mkdir");
        std::fs::write(tool.join(".mise.backend.toml"), "").expect("write");
        std::os::unix::fs::symlink(tool.join("1.7.0"), tool.join("latest")).expect("symlink");
        assert_eq!(
            version_dirs(&tool),
            [tool.join("1.7.0").display().to_string()]
        );
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
            Origin::load(&s.fixture).unwrap_or_else(|e| panic!("{}: fixture: {e:#}", s.name));
        }
    }
}
