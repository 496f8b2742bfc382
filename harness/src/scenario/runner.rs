//! Running a scenario: set the run up ([`Setup`]), run each step and observe what it did, then
//! gather the evidence ([`super::evidence`]), check for leaks ([`super::leaks`]) and judge
//! ([`crate::outcome::judge_run`]).
//!
//! A step key that changes how a step runs is read here, in [`run_step`]; one that says what
//! must hold is read by the judge. Neither is copied anywhere in between.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use super::format::{
    BackendKind, DEFAULT_STEP_LIMIT, Fault, INTERRUPT_GRACE_SECS, InterruptAt, Placeholders,
    Scenario, Step, route_kind, scratch_path,
};
use super::{evidence, leaks};
use crate::archive::PADDING_NAME;
use crate::fake_github::FakeGithub;
use crate::fixture::{BuiltOrigin, Origin};
use crate::mise_run::{Endpoints, Layout, MiseRun, Moment, Output, Watched};
use crate::outcome::{self, Observed, StreamIndex, Verdict};
use crate::pins::Pin;
use crate::tls_front::{BodyFault, Front, OBJECTS_HOST};
use crate::tripwire::Tripwire;

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
    /// What each step's command did, in order (for a step run several times at once, the run
    /// that decided it: the first to fail, else the first).
    pub steps: Vec<Output>,
    /// Every run of each step run several times at once, by step index.
    pub together: BTreeMap<usize, Vec<Output>>,
    /// The commands run to gather evidence after the steps.
    pub evidence: Vec<Output>,
    /// Where the run lived.
    pub layout: Layout,
    /// The mise binary that ran.
    pub binary: PathBuf,
    /// How it reached github.com.
    pub reach: Reach,
    /// Some step ran mise several times at once, so how many requests each run sent depends on
    /// which one got the install lock first.
    pub concurrent: bool,
}

impl Report {
    /// Every command run, steps then evidence.
    pub fn transcript(&self) -> impl Iterator<Item = &Output> {
        self.steps.iter().chain(&self.evidence)
    }
}

/// How a run reaches github.com's hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reach {
    /// As on github.com: `https://api.github.com` and the others through the tripwire, which
    /// serves them over TLS ([`crate::tls_front`]); mise trusts the run's test CA through
    /// `SSL_CERT_FILE`.
    Tls,
    /// Through `url_replacements` to the fake's loopback address, for a mise that does not trust
    /// the test CA. mise drops a token when a replacement changes a request's host.
    Replacements,
}

impl Reach {
    /// How the matrix names it.
    pub fn describe(self) -> &'static str {
        match self {
            Reach::Tls => "github.com over TLS (test CA)",
            Reach::Replacements => "url_replacements to loopback",
        }
    }
}

/// A run being set up: a fresh scratch dir, the fake GitHub serving its origins, and the
/// tripwire every other request goes to. Scenarios and the harness's own tests start runs here.
pub struct Setup {
    /// The fake GitHub.
    pub fake: FakeGithub,
    /// The proxy that catches any request not meant for the fake, and serves github.com's hosts
    /// over TLS when the run reaches them that way.
    pub tripwire: Tripwire,
    /// Where the run lives (wiped and created by [`Setup::start`]).
    pub layout: Layout,
    /// How mise reaches github.com here.
    pub reach: Reach,
}

/// How the mise at `bin` reaches github.com: over TLS if it trusts a test CA given through
/// `SSL_CERT_FILE`, else through `url_replacements`. Found once per binary by a probe, a
/// `mise ls-remote` over TLS: the front either served its request or saw the handshake refused.
/// `SKILLRIG_REACH=replacements` (or `tls`) decides instead, to compare the two ways.
pub async fn reach_of(pin: &Pin, bin: &Path) -> Result<Reach> {
    static PROBED: tokio::sync::Mutex<BTreeMap<PathBuf, Reach>> =
        tokio::sync::Mutex::const_new(BTreeMap::new());
    match std::env::var("SKILLRIG_REACH").as_deref() {
        Ok("tls") => return Ok(Reach::Tls),
        Ok("replacements") => return Ok(Reach::Replacements),
        Ok(other) => anyhow::bail!(
            "SKILLRIG_REACH={other:?}: set it to `tls` or `replacements`, or unset it to probe"
        ),
        Err(_) => {}
    }
    let mut probed = PROBED.lock().await;
    if let Some(reach) = probed.get(bin) {
        return Ok(*reach);
    }
    let setup = Setup::start(
        Layout::for_run("reach-probe", &pin.name),
        vec![],
        Reach::Tls,
    )
    .await?;
    let args = ["ls-remote", "github:skillrig-harness/probe"].map(String::from);
    let out = setup
        .mise(pin, BackendKind::Github, bin, &BTreeMap::new())
        .run(&args)
        .await?;
    let log = setup.front().map(|f| f.log()).unwrap_or_default();
    let reach = if !log.served.is_empty() {
        Reach::Tls
    } else if !log.refused.is_empty() {
        Reach::Replacements
    } else {
        anyhow::bail!(
            "probing how {} reaches github.com: `mise ls-remote` neither reached the TLS front \
             nor refused its certificate (exit {:?}, stderr: {})",
            bin.display(),
            out.code,
            out.stderr.trim()
        );
    };
    probed.insert(bin.to_path_buf(), reach);
    Ok(reach)
}

/// Where a run's test CA is written, below the scratch root.
pub const CA_FILE: &str = "tls/test-ca.pem";

impl Setup {
    /// Wipes and creates `layout`, then starts the fake serving `origins` and the tripwire,
    /// which serves github.com's hosts over TLS when `reach` says so.
    pub async fn start(layout: Layout, origins: Vec<BuiltOrigin>, reach: Reach) -> Result<Self> {
        layout.create_fresh()?;
        let fake = FakeGithub::serve(origins).await?;
        let tripwire = match reach {
            Reach::Replacements => Tripwire::start().await?,
            Reach::Tls => {
                let front = Front::new(&fake.uri())?;
                let ca = layout.root.join(CA_FILE);
                if let Some(dir) = ca.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                std::fs::write(&ca, front.ca().pem())
                    .with_context(|| format!("writing the test CA to {}", ca.display()))?;
                fake.serve_objects_at(&format!("https://{OBJECTS_HOST}"));
                Tripwire::with_front(front).await?
            }
        };
        Ok(Self {
            fake,
            tripwire,
            layout,
            reach,
        })
    }

    /// What mise is pointed at: the tripwire as proxy, and the fake through `url_replacements`
    /// or the test CA.
    pub fn endpoints(&self) -> Endpoints {
        match self.reach {
            Reach::Replacements => Endpoints {
                url_replacements: Some(self.fake.url_replacements().to_string()),
                proxy: self.tripwire.url(),
                ca_file: None,
            },
            Reach::Tls => Endpoints {
                url_replacements: None,
                proxy: self.tripwire.url(),
                ca_file: Some(self.layout.root.join(CA_FILE)),
            },
        }
    }

    /// The TLS front, when github.com is reached over TLS.
    pub fn front(&self) -> Option<&Front> {
        self.tripwire.front()
    }

    /// `bin` ready to run here, with `pin`'s quirks for a `backend` scenario and then `env` on
    /// top of the isolated environment.
    pub fn mise(
        &self,
        pin: &Pin,
        backend: BackendKind,
        bin: &Path,
        env: &BTreeMap<String, String>,
    ) -> MiseRun {
        let mut extra = pin.quirk_env(backend);
        extra.extend(env.iter().map(|(k, v)| (k.clone(), v.clone())));
        MiseRun::new(bin, &self.layout, &self.endpoints(), &extra)
    }

    /// Requests that left the fake's routes so far: tripwire catches and the fake's catch-all.
    pub fn strays(&self) -> Vec<String> {
        let mut strays: Vec<String> = self
            .tripwire
            .caught()
            .into_iter()
            .map(|l| format!("proxy: {l}"))
            .collect();
        strays.extend(self.fake.unexpected().iter().map(|l| format!("fake: {l}")));
        if let Some(front) = self.front() {
            strays.extend(
                front
                    .log()
                    .refused
                    .iter()
                    .map(|l| format!("tls: handshake refused by mise: {l}")),
            );
        }
        strays
    }
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

/// Why a scenario with the TLS front's faults cannot run on a pin reached otherwise.
const NEEDS_FRONT: &str = "its stall or silent faults are served by the TLS front, and this pin \
                           reaches github.com through url_replacements (it does not trust the \
                           test CA)";

/// Sets `fault` up on the fake, or on the TLS front for the faults only it can inject.
async fn inject(fault: &Fault, setup: &Setup) -> Result<()> {
    let fake = &setup.fake;
    let front = || setup.front().context(NEEDS_FRONT);
    match fault {
        Fault::Stall { asset } => front()?.inject(asset, BodyFault::Stall),
        Fault::Silent { asset } => front()?.inject(asset, BodyFault::Silent),
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

/// Run `scenario` on `pin` with the binary at `bin`, in `layout` (wiped first).
pub async fn run(scenario: &Scenario, pin: &Pin, bin: &Path, layout: Layout) -> Result<Report> {
    let origin = Origin::load(&scenario.fixture)?;
    let built = origin.build()?;
    let streams = FixtureStreams::new(&built);
    let reach = reach_of(pin, bin).await?;
    if reach == Reach::Replacements && scenario.needs_front() {
        // Not run: its faults are the TLS front's. An `error` cell says why, the rest still runs.
        return Ok(Report {
            scenario: scenario.name.clone(),
            pin: pin.name.clone(),
            verdict: Verdict {
                class: outcome::Class::Error,
                clean_versions: None,
                detail: format!("not run: {NEEDS_FRONT}"),
            },
            requests: 0,
            redirect_hops: 0,
            step_requests: vec![],
            elapsed: Duration::ZERO,
            strays: vec![],
            journal: vec![],
            steps: vec![],
            together: BTreeMap::new(),
            evidence: vec![],
            binary: bin.to_path_buf(),
            reach,
            layout,
            concurrent: false,
        });
    }
    let mut origins = vec![built.clone()];
    for fixture in &scenario.more_origins {
        origins.push(Origin::load(fixture)?.build()?);
    }
    let setup = Setup::start(layout, origins, reach).await?;
    let root = setup.layout.root.clone();
    let vars = Placeholders {
        ghes_api: setup.fake.enterprise_api(),
        scratch: root.display().to_string(),
    };
    let env: BTreeMap<String, String> = scenario
        .env
        .iter()
        .map(|(k, v)| (k.clone(), vars.expand(v)))
        .collect();
    let mise = setup.mise(pin, scenario.backend, bin, &env);
    mise.write_project_config(&vars.expand(&scenario.config))?;
    if let Some(text) = &scenario.global_config {
        mise.write_global_config(&vars.expand(text))?;
    }
    if let Some(text) = &scenario.system_config {
        mise.write_system_config(&vars.expand(text))?;
    }
    let own_files = write_scratch_files(scenario, &root, &vars)?;

    let mut outputs = Vec::new();
    let mut together = BTreeMap::new();
    let mut observed = Vec::new();
    let mut received = 0;
    let started = Instant::now();
    for (index, step) in scenario.steps.iter().enumerate() {
        let (out, all, mut did) = run_step(&setup, &built, &mise, &vars, step, index).await?;
        if all.len() > 1 {
            together.insert(index, all);
        }
        let journal = setup.fake.journal().await;
        did.requests = journal[received.min(journal.len())..]
            .iter()
            .filter(|e| !e.is_redirect_hop())
            .count();
        received = journal.len();
        observed.push(did);
        outputs.push(out);
    }
    let elapsed = started.elapsed();
    let entries = setup.fake.journal().await;

    let (seen, evidence) = evidence::gather(&mise, scenario, &outputs).await?;
    let mut secret_env = pin.quirk_env(scenario.backend);
    secret_env.extend(env);
    for step in &scenario.steps {
        secret_env.extend(step.env.iter().map(|(k, v)| (k.clone(), vars.expand(v))));
    }
    let secrets = leaks::secrets(&built, &secret_env);
    let transcript: Vec<Output> = outputs.iter().chain(&evidence).cloned().collect();
    let leaks = leaks::leaks(&secrets, &transcript, &root, &own_files, &entries)?;
    let mut file_findings = Vec::new();
    for file in &scenario.files {
        file_findings.extend(file.findings(&root)?);
    }
    if scenario.no_leftovers {
        file_findings.extend(super::format::leftovers(&root)?);
    }
    let (declared, strays): (Vec<String>, Vec<String>) = setup
        .strays()
        .into_iter()
        .partition(|stray| scenario.strays.iter().any(|d| stray.contains(d.as_str())));
    for missing in scenario
        .strays
        .iter()
        .filter(|d| !declared.iter().any(|stray| stray.contains(d.as_str())))
    {
        file_findings.push(format!("the declared stray `{missing}` did not happen"));
    }
    let mut verdict = outcome::with_leaks(
        outcome::judge_run(
            &scenario.expects,
            &seen,
            &scenario.steps,
            &observed,
            &file_findings,
            &streams,
        ),
        &leaks,
    );
    if !declared.is_empty() {
        let mut hosts: Vec<&str> = scenario.strays.iter().map(String::as_str).collect();
        hosts.dedup();
        verdict.detail = format!(
            "{}; made the declared off-fake request(s) `{}` ({} time(s)), refused by the tripwire",
            verdict.detail,
            hosts.join("`, `"),
            declared.len()
        );
    }
    Ok(Report {
        scenario: scenario.name.clone(),
        pin: pin.name.clone(),
        verdict,
        requests: observed.iter().map(|o| o.requests).sum(),
        redirect_hops: entries.iter().filter(|e| e.is_redirect_hop()).count(),
        step_requests: observed.iter().map(|o| o.requests).collect(),
        elapsed,
        strays,
        journal: entries.iter().map(|e| e.to_string()).collect(),
        steps: outputs,
        together,
        evidence,
        binary: bin.to_path_buf(),
        reach,
        layout: setup.layout,
        concurrent: scenario.racy.is_some()
            || scenario
                .steps
                .iter()
                .any(|s| s.together.is_some_and(|n| n > 1)),
    })
}

/// Writes the scenario's `scratch_files`; returns their paths (files the scenario wrote, which
/// may hold a secret).
fn write_scratch_files(
    scenario: &Scenario,
    root: &Path,
    vars: &Placeholders,
) -> Result<BTreeSet<PathBuf>> {
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
    Ok(own_files)
}

/// Prepares and runs one step: what it publishes, replaces, injects and rewrites first, then
/// the command (several times at once with `together`). Returns the output that decides the
/// step, every run's output, and what it did (requests are counted by the caller, from the
/// journal).
async fn run_step(
    setup: &Setup,
    built: &BuiltOrigin,
    mise: &MiseRun,
    vars: &Placeholders,
    step: &Step,
    index: usize,
) -> Result<(Output, Vec<Output>, Observed)> {
    let root = &setup.layout.root;
    for publish in &step.publish {
        setup
            .fake
            .publish_version(&built.full_name(), &publish.binary, &publish.version)?;
    }
    for (path, text) in &step.files {
        setup.fake.set_file(&built.full_name(), path, text)?;
    }
    for fault in &step.faults {
        inject(fault, setup).await?;
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
    let env: BTreeMap<String, String> = step
        .env
        .iter()
        .map(|(k, v)| (k.clone(), vars.expand(v)))
        .collect();
    let mise = mise.with_env(&env);
    let mut watched = Watched::default();
    let all = match step.together {
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
            outs
        }
        _ => {
            let moment = match &step.interrupt {
                None => None,
                Some(interrupt) => Some((moment(setup, interrupt.at)?, interrupt.signal.name())),
            };
            let limit = Duration::from_secs(step.ends_within.unwrap_or(DEFAULT_STEP_LIMIT));
            let grace = Duration::from_secs(INTERRUPT_GRACE_SECS);
            let (out, seen) = mise.run_watched(&step.args, moment, grace, limit).await?;
            watched = seen;
            vec![out]
        }
    };
    if let Some(front) = setup.front() {
        front.clear_faults();
    }
    let first_failure = all.iter().position(|o| !o.success()).unwrap_or(0);
    let out = all[first_failure].clone();
    let changed = read_only
        .into_iter()
        .filter(|(_, path, bytes)| std::fs::read(path).ok().as_ref() != Some(bytes))
        .map(|(name, _, _)| name)
        .collect();
    let mut broken = Vec::new();
    for expect in &step.whole_if_installed {
        let where_ = mise.run(&["where".into(), expect.tool.clone()]).await?;
        if !where_.success() {
            continue;
        }
        let (x, ran) = evidence::run_binary(&mise, &expect.tool, expect.binary()).await?;
        let want = format!("{} {}", expect.binary(), expect.version());
        if ran.as_deref() != Some(want.as_str()) {
            let got = x.stdout.lines().next().unwrap_or_default().trim();
            broken.push(format!(
                "mise reports {} installed at {}, but `{}` prints {got:?} (exit {:?})",
                expect.tool,
                where_.stdout.trim(),
                expect.binary(),
                x.code
            ));
        }
    }
    let did = Observed {
        success: out.success(),
        stdout: out.stdout.clone(),
        stderr: out.stderr.clone(),
        first_error: (!out.success()).then(|| {
            out.first_error_line()
                .unwrap_or_else(|| format!("exit {:?}", out.code))
        }),
        requests: 0,
        changed,
        interrupted: watched.interrupted,
        overran: watched.overran,
        broken,
    };
    Ok((out, all, did))
}

/// How long after a stall or silent fault is reached a step is interrupted.
const STALL_SETTLE: Duration = Duration::from_millis(500);

/// The future that resolves when a step reaches `at`, to a phrase saying what was happening.
fn moment(setup: &Setup, at: InterruptAt) -> Result<Moment> {
    match at {
        InterruptAt::Stall => {
            let front = setup.tripwire.front_arc().context(NEEDS_FRONT)?;
            let seen = front.log().faults.len();
            Ok(Box::pin(async move {
                while !front.wait_for_fault(seen, Duration::from_secs(3600)).await {}
                // The front records the fault as it hands over the first half; mise reads and
                // writes it within this settle time, so the interruption finds it on disk.
                tokio::time::sleep(STALL_SETTLE).await;
                let what = front.log().faults.get(seen).cloned().unwrap_or_default();
                format!("{}ms into the fault ({what})", STALL_SETTLE.as_millis())
            }))
        }
        InterruptAt::Extract => {
            let root = setup.layout.root.clone();
            let before = padding_files(&root);
            Ok(Box::pin(async move {
                loop {
                    if let Some(path) = padding_files(&root)
                        .into_iter()
                        .find(|p| !before.contains(p))
                    {
                        let shown = path.strip_prefix(&root).unwrap_or(&path).display();
                        return format!("while extracting ({shown} appeared)");
                    }
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
            }))
        }
    }
}

/// Every archive padding file below `root` (none this time if the walk fails: it is polled).
fn padding_files(root: &Path) -> BTreeSet<PathBuf> {
    super::files_below(root)
        .unwrap_or_default()
        .into_iter()
        .filter(|path| path.file_name().is_some_and(|n| n == PADDING_NAME))
        .collect()
}
