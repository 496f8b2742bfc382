//! Leak checks: a run's secrets (the origin's token, token variables of its environment) must
//! not show in any command's output or in any file mise wrote below the scratch root, and no
//! request off GitHub's API (a download, an object) may carry a token. A finding makes the run a
//! `leak`, whatever else happened.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::fake_github::{Auth, JournalEntry};
use crate::fixture::BuiltOrigin;
use crate::mise_run::Output;

/// The secrets of a run: the origin's token, and the value of every variable of the run's
/// environment whose name holds `TOKEN` (tokens a scenario gives mise).
pub(crate) fn secrets(origin: &BuiltOrigin, env: &BTreeMap<String, String>) -> Vec<String> {
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
pub(crate) fn leaks(
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
    for path in super::files_below(root)? {
        let is_file = path.symlink_metadata().is_ok_and(|m| m.is_file());
        if is_file && !own_files.contains(&path) {
            let bytes = std::fs::read(&path).unwrap_or_default();
            if secrets.iter().any(|s| contains(&bytes, s.as_bytes())) {
                let name = path.strip_prefix(root).unwrap_or(&path);
                found.push(format!("the token is in {}", name.display()));
            }
        }
    }
    found.sort();
    Ok(found)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    use crate::fixture::Origin;

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
}
