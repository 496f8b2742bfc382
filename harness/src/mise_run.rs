//! `MiseRun`: one real mise binary in a home of its own, pointed at the fake GitHub.
//!
//! The whole environment of a run is set in [`isolated_env`], one variable a line with its
//! reason; nothing is inherited from the caller but what is listed there.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

/// What one mise command did.
#[derive(Debug, Clone)]
pub struct Output {
    /// The command line after `mise`.
    pub args: Vec<String>,
    /// The exit code (`None` when killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// How long it took.
    pub elapsed: Duration,
}

impl Output {
    /// What the process run as `mise <args>`, started at `started`, left.
    fn of(args: Vec<String>, out: &std::process::Output, started: Instant) -> Self {
        Self {
            args,
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            elapsed: started.elapsed(),
        }
    }

    /// Whether the command exited 0.
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// The first line of stderr that reads as an error, for reports: a failed tool's `✗` line,
    /// else a `mise ERROR` line, else
    /// the first cause of a color-eyre report (`Error:` then `   0: cause`), else any line
    /// mentioning an error, else the first line.
    pub fn first_error_line(&self) -> Option<String> {
        let lines: Vec<&str> = self
            .stderr
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        // `mise ✗ tfc@latest  16ms · failed: no versions found`: the tool and its cause, no timing.
        if let Some((tool, cause)) = lines.iter().find_map(|l| {
            let rest = l.strip_prefix("mise ✗ ")?;
            let tool = rest.split_whitespace().next()?;
            Some((tool, rest.split_once("failed: ")?.1))
        }) {
            // The ✗ line shows only the outermost message of an error chain; the report's
            // `Failed to install <tool>: ...` line carries the whole chain.
            let needle = format!("Failed to install {tool}: ");
            let chain = lines
                .iter()
                .find_map(|l| l.split_once(needle.as_str()).map(|(_, rest)| rest))
                .filter(|chain| chain.starts_with(cause) && chain.len() > cause.len());
            return Some(format!("{tool}: {}", chain.unwrap_or(cause)));
        }
        if let Some(line) = lines.iter().find(|l| l.starts_with("mise ERROR")) {
            return Some(line.to_string());
        }
        if let Some(i) = lines.iter().position(|l| l.starts_with("Error:")) {
            let rest = lines[i].trim_start_matches("Error:").trim();
            if !rest.is_empty() {
                return Some(rest.to_string());
            }
            if let Some(cause) = lines.get(i + 1) {
                return Some(cause.trim_start_matches("0:").trim().to_string());
            }
        }
        lines
            .iter()
            .find(|l| l.to_lowercase().contains("error"))
            .or(lines.first())
            .map(|l| l.to_string())
    }
}

/// Where a run lives: every directory mise may write to is below `root`, and each is named
/// here and nowhere else.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The scratch root of the run.
    pub root: PathBuf,
}

impl Layout {
    /// The run `name` (a scenario, or a test's own name) of `pin`, below the target dir like
    /// cargo's own test scratch dirs: `target/skillrig-harness/<pin>/<name, / as __>`.
    pub fn for_run(name: &str, pin: &str) -> Self {
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| crate::pins::repo_root().join("target"));
        Self {
            root: target
                .join("skillrig-harness")
                .join(pin)
                .join(name.replace('/', "__")),
        }
    }

    /// The project directory the consumer's `mise.toml` is written to and commands run in.
    pub fn project(&self) -> PathBuf {
        self.root.join("project")
    }
    /// `MISE_DATA_DIR`: installs, downloads, shims.
    pub fn data(&self) -> PathBuf {
        self.root.join("data")
    }
    /// `MISE_CACHE_DIR`: release lists and other caches.
    pub fn cache(&self) -> PathBuf {
        self.root.join("cache")
    }
    /// `HOME` (and the XDG dirs below it).
    pub fn home(&self) -> PathBuf {
        self.root.join("home")
    }
    /// `MISE_CONFIG_DIR`.
    pub fn config(&self) -> PathBuf {
        self.root.join("config")
    }
    /// `MISE_STATE_DIR`.
    pub fn state(&self) -> PathBuf {
        self.root.join("state")
    }
    /// `MISE_TMP_DIR`.
    pub fn tmp(&self) -> PathBuf {
        self.root.join("tmp")
    }
    /// `MISE_SYSTEM_CONFIG_DIR`: the system config, `/etc/mise` of a real machine.
    pub fn etc(&self) -> PathBuf {
        self.root.join("etc")
    }
    /// `MISE_SYSTEM_DATA_DIR`: shared installs, `/usr/local/share/mise` of a real machine.
    pub fn sysdata(&self) -> PathBuf {
        self.root.join("sysdata")
    }
    /// The consumer's project config.
    pub fn project_config(&self) -> PathBuf {
        self.project().join("mise.toml")
    }
    /// `MISE_GLOBAL_CONFIG_FILE`: the user's global config.
    pub fn global_config(&self) -> PathBuf {
        self.config().join("config.toml")
    }
    /// The system config, in [`Layout::etc`].
    pub fn system_config(&self) -> PathBuf {
        self.etc().join("config.toml")
    }

    /// Every directory a run starts with.
    fn dirs(&self) -> [PathBuf; 9] {
        [
            self.project(),
            self.home(),
            self.data(),
            self.cache(),
            self.config(),
            self.state(),
            self.tmp(),
            self.etc(),
            self.sysdata(),
        ]
    }

    /// Wipes the scratch root (a run starts from nothing) and creates its directories.
    pub fn create_fresh(&self) -> Result<()> {
        if self.root.exists() {
            std::fs::remove_dir_all(&self.root)
                .with_context(|| format!("wiping {}", self.root.display()))?;
        }
        for dir in self.dirs() {
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        Ok(())
    }
}

/// The fake endpoints a run is pointed at.
#[derive(Debug, Clone)]
pub struct Endpoints {
    /// The JSON object for `MISE_URL_REPLACEMENTS` (public GitHub URLs → the fake), when
    /// github.com is reached that way.
    pub url_replacements: Option<String>,
    /// The tripwire proxy URL every other request is sent to.
    pub proxy: String,
    /// The run's test CA, when github.com is reached over TLS through the tripwire.
    pub ca_file: Option<PathBuf>,
}

/// The complete environment of a mise run, each variable with the reason it is set.
pub fn isolated_env(
    layout: &Layout,
    endpoints: &Endpoints,
) -> Vec<(&'static str, String, &'static str)> {
    let root = &layout.root;
    let p = |path: PathBuf| path.display().to_string();
    let home = layout.home();
    let mut env = vec![
        (
            "PATH",
            "/usr/bin:/bin".into(),
            "sh and coreutils for the fixture scripts; no other mise on PATH",
        ),
        (
            "HOME",
            p(home.clone()),
            "nothing read from the real home (netrc, gh hosts.yml, ~/.config)",
        ),
        (
            "XDG_CONFIG_HOME",
            p(home.join(".config")),
            "XDG dirs follow the fake home",
        ),
        (
            "XDG_CACHE_HOME",
            p(home.join(".cache")),
            "XDG dirs follow the fake home",
        ),
        (
            "XDG_DATA_HOME",
            p(home.join(".local/share")),
            "XDG dirs follow the fake home",
        ),
        (
            "XDG_STATE_HOME",
            p(home.join(".local/state")),
            "XDG dirs follow the fake home",
        ),
        (
            "MISE_DATA_DIR",
            p(layout.data()),
            "installs and downloads of this run only",
        ),
        (
            "MISE_CACHE_DIR",
            p(layout.cache()),
            "release-list caches of this run only",
        ),
        (
            "MISE_CONFIG_DIR",
            p(layout.config()),
            "no global config but the one the scenario writes",
        ),
        (
            "MISE_STATE_DIR",
            p(layout.state()),
            "trust and tracked-config state of this run only",
        ),
        (
            "MISE_TMP_DIR",
            p(layout.tmp()),
            "temporary files inside the scratch dir",
        ),
        ("MISE_SYSTEM_CONFIG_DIR", p(layout.etc()), "no /etc/mise"),
        (
            "MISE_SYSTEM_DATA_DIR",
            p(layout.sysdata()),
            "no shared installs from /usr/local/share/mise",
        ),
        (
            "MISE_GLOBAL_CONFIG_FILE",
            p(layout.global_config()),
            "the global config lives in the scratch dir",
        ),
        (
            "MISE_TRUSTED_CONFIG_PATHS",
            root.display().to_string(),
            "the scenario's mise.toml is trusted",
        ),
        (
            "MISE_CEILING_PATHS",
            root.display().to_string(),
            "config discovery stops at the scratch root",
        ),
        ("MISE_YES", "1".into(), "never prompt"),
        (
            "MISE_USE_VERSIONS_HOST",
            "false".into(),
            "versions come from the fake GitHub, not mise's versions host",
        ),
        (
            "MISE_USE_VERSIONS_HOST_TRACK",
            "false".into(),
            "no install tracking requests",
        ),
        (
            "MISE_GITHUB_GH_CLI_TOKENS",
            "false".into(),
            "no token from gh's hosts.yml",
        ),
        ("MISE_NETRC", "0".into(), "no credentials from a netrc"),
        (
            "MISE_HTTP_RETRIES",
            "0".into(),
            "a failing request fails at once: the journal shows each try",
        ),
        (
            "MISE_DISABLE_UPDATE_WARNING",
            "1".into(),
            "no update check against mise's own site",
        ),
        (
            "MISE_TERMINAL_PROGRESS",
            "false".into(),
            "no OSC progress sequences in captured output",
        ),
        (
            "MISE_DISABLE_HINTS",
            "*".into(),
            "no hints in captured output",
        ),
        (
            "MISE_EXEC_AUTO_INSTALL",
            "false".into(),
            "`mise x` reports what is installed, it does not install",
        ),
        (
            "MISE_NOT_FOUND_AUTO_INSTALL",
            "false".into(),
            "running a missing binary installs nothing",
        ),
        ("NO_COLOR", "1".into(), "plain text output"),
        (
            "MISE_TERM_WIDTH",
            "200".into(),
            "fixed columns, no wrapping in tables",
        ),
        (
            "HTTPS_PROXY",
            endpoints.proxy.clone(),
            "any other https request hits the tripwire and fails",
        ),
        (
            "HTTP_PROXY",
            endpoints.proxy.clone(),
            "any other http request hits the tripwire and fails",
        ),
        (
            "ALL_PROXY",
            endpoints.proxy.clone(),
            "any other request hits the tripwire and fails",
        ),
        (
            "NO_PROXY",
            "127.0.0.1,localhost".into(),
            "the fake itself is reached directly",
        ),
        ("LANG", "C.UTF-8".into(), "stable messages"),
    ];
    if let Some(replacements) = &endpoints.url_replacements {
        env.push((
            "MISE_URL_REPLACEMENTS",
            replacements.clone(),
            "api.github.com and github.com are the fake",
        ));
    }
    if let Some(ca) = &endpoints.ca_file {
        env.push((
            "SSL_CERT_FILE",
            p(ca.clone()),
            "mise trusts the run's test CA: github.com's hosts are the tripwire's TLS front",
        ));
    }
    env
}

/// A mise binary and the isolated home it runs in.
#[derive(Debug, Clone)]
pub struct MiseRun {
    bin: PathBuf,
    layout: Layout,
    env: Vec<(String, String)>,
}

impl MiseRun {
    /// `bin`, to run in `layout` (its directories must exist: [`Layout::create_fresh`]) with
    /// `extra` environment on top of [`isolated_env`] (pin quirks, then the scenario's own
    /// variables).
    pub fn new(
        bin: &Path,
        layout: &Layout,
        endpoints: &Endpoints,
        extra: &BTreeMap<String, String>,
    ) -> Self {
        let env: Vec<(String, String)> = isolated_env(layout, endpoints)
            .into_iter()
            .map(|(k, v, _)| (k.to_string(), v))
            .collect();
        Self {
            bin: bin.to_path_buf(),
            layout: layout.clone(),
            env,
        }
        .with_env(extra)
    }

    /// This run with `extra` set on top of its environment (a step's own variables).
    pub fn with_env(&self, extra: &BTreeMap<String, String>) -> Self {
        let mut env = self.env.clone();
        for (k, v) in extra {
            env.retain(|(key, _)| key != k);
            env.push((k.clone(), v.clone()));
        }
        Self {
            env,
            ..self.clone()
        }
    }

    /// Where this run lives.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Write the consumer's project config, as a user writes it.
    pub fn write_project_config(&self, text: &str) -> Result<()> {
        write(&self.layout.project_config(), text)
    }

    /// Write the global config (`MISE_GLOBAL_CONFIG_FILE`).
    pub fn write_global_config(&self, text: &str) -> Result<()> {
        write(&self.layout.global_config(), text)
    }

    /// Write the system config (`$MISE_SYSTEM_CONFIG_DIR/config.toml`).
    pub fn write_system_config(&self, text: &str) -> Result<()> {
        write(&self.layout.system_config(), text)
    }

    /// The command for `mise <args>` in the project directory, with the isolated environment.
    pub fn command(&self, args: &[String]) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.args(args)
            .current_dir(self.layout.project())
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null());
        cmd
    }

    /// The command for `bash <args>` in the project directory, with the isolated environment
    /// and this run's mise first on `PATH` (a script that calls `mise`, as mise's e2e tests do).
    pub fn shell_command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("bash");
        let dir = self.bin.parent().unwrap_or(Path::new("/"));
        cmd.args(args)
            .current_dir(self.layout.project())
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env("PATH", format!("{}:/usr/bin:/bin", dir.display()))
            .stdin(Stdio::null());
        cmd
    }

    /// Run `mise <args>` to completion (in a blocking thread) and capture what it did.
    pub async fn run(&self, args: &[String]) -> Result<Output> {
        let mut cmd = self.command(args);
        let args = args.to_vec();
        let bin = self.bin.clone();
        tokio::task::spawn_blocking(move || {
            let started = Instant::now();
            let out = cmd
                .output()
                .with_context(|| format!("running {} {}", bin.display(), args.join(" ")))?;
            Ok(Output::of(args, &out, started))
        })
        .await
        .context("the mise process thread panicked")?
    }
}

/// A moment of a run to interrupt it at: resolves, to what was happening, when it comes.
pub type Moment = std::pin::Pin<Box<dyn std::future::Future<Output = String> + Send>>;

/// What [`MiseRun::run_watched`] did to the process besides waiting for it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Watched {
    /// The interruption, when its moment came: `SIGINT while <moment>; exited 130`.
    pub interrupted: Option<String>,
    /// The process was still running at the time limit and was killed.
    pub overran: Option<Duration>,
}

impl MiseRun {
    /// Runs `mise <args>`, sending `signal` (`kill -s` name) when `moment` resolves (to what
    /// happened then) and SIGKILL if it still runs `grace` later, and killing it at `limit`.
    pub async fn run_watched(
        &self,
        args: &[String],
        moment: Option<(Moment, &str)>,
        grace: Duration,
        limit: Duration,
    ) -> Result<(Output, Watched)> {
        let mut cmd = tokio::process::Command::from(self.command(args));
        cmd.stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let started = Instant::now();
        let child = cmd
            .spawn()
            .with_context(|| format!("running {} {}", self.bin.display(), args.join(" ")))?;
        let pid = child.id().context("the mise process has no pid")?;
        let finished = child.wait_with_output();
        tokio::pin!(finished);
        let mut watched = Watched::default();
        let deadline = tokio::time::sleep(limit);
        tokio::pin!(deadline);
        let (moment, signal) = match moment {
            Some((future, signal)) => (Some(future), signal),
            None => (None, "INT"),
        };
        let moment = async move {
            match moment {
                Some(future) => future.await,
                None => std::future::pending().await,
            }
        };
        let out = tokio::select! {
            out = &mut finished => out?,
            () = &mut deadline => {
                send_signal(pid, "KILL")?;
                watched.overran = Some(limit);
                finished.await?
            }
            what = moment => {
                send_signal(pid, signal)?;
                let mut note = format!("SIG{signal} {what}");
                let out = match tokio::time::timeout(grace, &mut finished).await {
                    Ok(out) => out?,
                    Err(_) => {
                        send_signal(pid, "KILL")?;
                        note.push_str(&format!(
                            "; still running {}s later, so SIGKILL",
                            grace.as_secs()
                        ));
                        finished.await?
                    }
                };
                use std::os::unix::process::ExitStatusExt;
                match (out.status.code(), out.status.signal()) {
                    (Some(code), _) => note.push_str(&format!("; exited {code}")),
                    (None, Some(signal)) => note.push_str(&format!("; ended by signal {signal}")),
                    (None, None) => {}
                }
                watched.interrupted = Some(note);
                out
            }
        };
        Ok((Output::of(args.to_vec(), &out, started), watched))
    }
}

/// Sends `signal` (as `kill -s` names it) to `pid`. Its exit status is not checked: a process
/// that already ended raced the signal, which is not an error.
fn send_signal(pid: u32, signal: &str) -> Result<()> {
    Command::new("kill")
        .args(["-s", signal, &pid.to_string()])
        .stderr(Stdio::null())
        .status()
        .context("running kill")?;
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variable_has_a_reason_and_is_set_once() {
        let layout = Layout {
            root: PathBuf::from("/scratch"),
        };
        let endpoints = Endpoints {
            url_replacements: Some("{}".into()),
            proxy: "http://127.0.0.1:9".into(),
            ca_file: Some("/scratch/tls/test-ca.pem".into()),
        };
        let env = isolated_env(&layout, &endpoints);
        let mut names: Vec<_> = env.iter().map(|(k, _, _)| *k).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), env.len(), "a variable is set twice");
        assert!(env.iter().all(|(_, _, why)| !why.is_empty()));
        assert!(
            env.iter()
                .any(|(k, v, _)| *k == "HOME" && v == "/scratch/home")
        );
    }

    #[test]
    fn first_error_line_prefers_the_error() {
        let out = Output {
            args: vec![],
            code: Some(1),
            stdout: String::new(),
            stderr: "mise WARN  something\nmise ERROR no versions found for tfc\nmore\n".into(),
            elapsed: Duration::ZERO,
        };
        assert_eq!(
            out.first_error_line().as_deref(),
            Some("mise ERROR no versions found for tfc")
        );
    }

    #[test]
    fn first_error_line_names_the_failed_tool_without_timing() {
        let out = Output {
            args: vec![],
            code: Some(1),
            stdout: String::new(),
            stderr: "mise WARN  No versions\nmise ✗ tfc@latest    16ms · failed: no versions found for tfc\nError: \n   0: installation failed\n".into(),
            elapsed: Duration::ZERO,
        };
        assert_eq!(
            out.first_error_line().as_deref(),
            Some("tfc@latest: no versions found for tfc")
        );
    }

    #[test]
    fn first_error_line_takes_the_whole_chain_the_cross_line_cuts_short() {
        let out = Output {
            args: vec![],
            code: Some(1),
            stdout: String::new(),
            stderr: "mise ✗ skillrig:acme/origin/nope@latest  6ms · failed: skillrig:acme/origin/nope\nError: \n   0: Failed to install skillrig:acme/origin/nope@latest: skillrig:acme/origin/nope: acme/origin/.skillrig-origin.toml declares no binary `nope`; declared: jira, tfc\n".into(),
            elapsed: Duration::ZERO,
        };
        assert_eq!(
            out.first_error_line().as_deref(),
            Some(
                "skillrig:acme/origin/nope@latest: skillrig:acme/origin/nope: acme/origin/.skillrig-origin.toml declares no binary `nope`; declared: jira, tfc"
            )
        );
    }

    #[test]
    fn first_error_line_reads_a_color_eyre_report() {
        let out = Output {
            args: vec![],
            code: Some(1),
            stdout: String::new(),
            stderr: "Error: \n   0: no versions found for tfc\n\nLocation:\n   src/x.rs:1\n".into(),
            elapsed: Duration::ZERO,
        };
        assert_eq!(
            out.first_error_line().as_deref(),
            Some("no versions found for tfc")
        );
    }
}
