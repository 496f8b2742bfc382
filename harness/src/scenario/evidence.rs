//! Evidence of what a run left installed: `mise ls --json`, `mise x <tool> -- <binary>` for
//! each expected tool, the install dirs on disk, and the versions mise named in its messages.

use std::path::Path;

use anyhow::Result;

use super::format::Scenario;
use crate::mise_run::{MiseRun, Output};
use crate::outcome::Seen;

/// The evidence: `mise ls --json`, then `mise x <tool> -- <binary>` for every expected tool.
pub(crate) async fn gather(
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
            let (x, ran) = run_binary(mise, &expect.tool, binary).await?;
            got.ran = ran;
            evidence.push(x);
        }
        seen.push(got);
    }
    Ok((seen, evidence))
}

/// `mise x <tool> -- <binary>`, and the first line it printed (trimmed) if it succeeded.
pub(crate) async fn run_binary(
    mise: &MiseRun,
    tool: &str,
    binary: &str,
) -> Result<(Output, Option<String>)> {
    let x = mise
        .run(&[
            "x".into(),
            tool.to_string(),
            "--".into(),
            binary.to_string(),
        ])
        .await?;
    let ran = x
        .success()
        .then(|| x.stdout.lines().next().map(|l| l.trim().to_string()))
        .flatten();
    Ok((x, ran))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentioned_versions_are_read_from_messages() {
        let text =
            "mise ERROR Failed to install tfc@1.7.0+jira: no asset matched\nxtfc@9.9.9 jira@1.0.0";
        assert_eq!(versions_mentioned(text, "tfc"), ["1.7.0+jira"]);
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
}
