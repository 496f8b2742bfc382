//! Checksums files in `sha256sum` form, one for a whole release or one per binary.

use crate::error::Error;

const SHA256_HEX_LEN: usize = 64;

/// A parsed `sha256sum` file: lines of `<hex>  <name>` or `<hex> *<name>`.
///
/// A single space between hash and name is accepted too; blank lines are ignored; anything else is an
/// error naming the file and line. An asset is found by its exact name or, failing that, by a line
/// whose name is a path ending in `/<asset>` (such as `./jira.tar.gz` or `dist/jira.tar.gz`) as long
/// as all such lines agree.
///
/// ```
/// use skillrig_stream::Checksums;
///
/// let hash = "a".repeat(64);
/// let sums = Checksums::parse("jira_checksums.txt", &format!("{hash}  jira_1.7.0_linux_amd64.tar.gz\n"))?;
/// assert_eq!(sums.sha256("jira_1.7.0_linux_amd64.tar.gz")?, hash);
/// # Ok::<(), skillrig_stream::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checksums {
    file: String,
    entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    name: String,
    sha256: String,
    line: usize,
}

impl Checksums {
    /// Parses a checksums file; `file` names it in error messages.
    ///
    /// # Errors
    /// [`Error::ChecksumsLine`] for a malformed line, or for two lines giving one name different
    /// hashes.
    pub fn parse(file: &str, text: &str) -> Result<Self, Error> {
        let mut entries: Vec<Entry> = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let number = index + 1;
            let fail = |problem: String| Error::ChecksumsLine {
                file: file.to_owned(),
                line: number,
                problem,
            };
            let line = line.trim_end();
            if line.is_empty() {
                continue;
            }
            let (sha256, name) = parse_line(line).map_err(fail)?;
            if let Some(other) = entries
                .iter()
                .find(|e| e.name == name && e.sha256 != sha256)
            {
                return Err(fail(format!(
                    "gives `{name}` a different hash than line {}",
                    other.line
                )));
            }
            entries.push(Entry {
                name: name.to_owned(),
                sha256,
                line: number,
            });
        }
        Ok(Self {
            file: file.to_owned(),
            entries,
        })
    }

    /// The file name as the caller gave it.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The lowercase hex SHA-256 of `asset`.
    ///
    /// # Errors
    /// [`Error::ChecksumsLookup`] when no line names the asset, or when it is found only through
    /// paths (`a/jira.tar.gz`, `b/jira.tar.gz`) that disagree.
    pub fn sha256(&self, asset: &str) -> Result<&str, Error> {
        if let Some(entry) = self.entries.iter().find(|e| e.name == asset) {
            return Ok(&entry.sha256);
        }
        let mut by_path = self.entries.iter().filter(|e| {
            e.name
                .strip_suffix(asset)
                .is_some_and(|dir| dir.ends_with('/'))
        });
        let Some(first) = by_path.next() else {
            return Err(self.lookup_error(asset, "no line".into()));
        };
        if let Some(other) = by_path.find(|e| e.sha256 != first.sha256) {
            return Err(self.lookup_error(
                asset,
                format!(
                    "conflicting lines {} (`{}`) and {} (`{}`)",
                    first.line, first.name, other.line, other.name
                ),
            ));
        }
        Ok(&first.sha256)
    }

    fn lookup_error(&self, asset: &str, problem: String) -> Error {
        Error::ChecksumsLookup {
            file: self.file.clone(),
            asset: asset.to_owned(),
            problem,
        }
    }
}

/// Splits one non-blank line into its lowercase hash and its name.
fn parse_line(line: &str) -> Result<(String, &str), String> {
    if line.starts_with('\\') {
        return Err("uses sha256sum's escaped form, which asset names never need".into());
    }
    let hash_len = line.find(' ').unwrap_or(line.len());
    let hash = &line[..hash_len];
    if !hash.bytes().all(|b| b.is_ascii_hexdigit()) || hash.is_empty() {
        return Err(format!(
            "does not start with a hex SHA-256 (expected `<64 hex digits>  <name>`, found `{}`)",
            line.escape_debug()
        ));
    }
    if hash.len() != SHA256_HEX_LEN {
        return Err(format!(
            "has a {}-digit hash; a SHA-256 has {SHA256_HEX_LEN}",
            hash.len()
        ));
    }
    let rest = &line[hash_len..];
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    let name = rest
        .strip_prefix('*')
        .or_else(|| rest.strip_prefix(' '))
        .unwrap_or(rest);
    if name.is_empty() {
        return Err("has a hash but no file name after it".into());
    }
    if name.starts_with(char::is_whitespace) {
        return Err("has more than two spaces between hash and file name".into());
    }
    if name.chars().any(char::is_control) {
        return Err("has a control character in its file name".into());
    }
    Ok((hash.to_ascii_lowercase(), name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(c: char) -> String {
        c.to_string().repeat(64)
    }

    #[test]
    fn text_and_binary_mode_lines() {
        let text = format!(
            "{a}  jira_1.7.0_linux_amd64.tar.gz\n{b} *jira_1.7.0_darwin_arm64.tar.gz\r\n\n   \n{c} jira.exe\n",
            a = hash('a'),
            b = hash('B'),
            c = hash('c'),
        );
        let sums = Checksums::parse("checksums.txt", &text).expect("valid");
        assert_eq!(
            sums.sha256("jira_1.7.0_linux_amd64.tar.gz").expect("a"),
            hash('a')
        );
        assert_eq!(
            sums.sha256("jira_1.7.0_darwin_arm64.tar.gz").expect("b"),
            hash('b')
        );
        assert_eq!(sums.sha256("jira.exe").expect("c"), hash('c'));
        assert_eq!(sums.file(), "checksums.txt");
    }

    #[test]
    fn one_file_for_the_whole_release_holds_every_binary() {
        let text = format!("{}  jira.tar.gz\n{}  tfc.tar.gz\n", hash('1'), hash('2'));
        let sums = Checksums::parse("checksums.txt", &text).expect("valid");
        assert_eq!(sums.sha256("tfc.tar.gz").expect("tfc"), hash('2'));
        let err = sums.sha256("gh.tar.gz").expect_err("absent").to_string();
        assert_eq!(err, "checksums.txt has no line for `gh.tar.gz`");
    }

    #[test]
    fn paths_ending_in_the_asset_name_are_found() {
        let text = format!(
            "{}  ./jira.tar.gz\n{}  dist/tfc.tar.gz\n",
            hash('1'),
            hash('2')
        );
        let sums = Checksums::parse("sums", &text).expect("valid");
        assert_eq!(sums.sha256("jira.tar.gz").expect("./"), hash('1'));
        assert_eq!(sums.sha256("tfc.tar.gz").expect("dist/"), hash('2'));
        assert!(
            sums.sha256("c.tar.gz").is_err(),
            "a suffix that is not a whole component"
        );
    }

    #[test]
    fn an_exact_name_beats_paths_and_disagreeing_paths_are_refused() {
        let text = format!(
            "{}  a/jira.tar.gz\n{}  jira.tar.gz\n{}  b/jira.tar.gz\n{}  a/tfc\n{}  b/tfc\n",
            hash('1'),
            hash('2'),
            hash('3'),
            hash('4'),
            hash('5')
        );
        let sums = Checksums::parse("sums", &text).expect("valid");
        assert_eq!(sums.sha256("jira.tar.gz").expect("exact"), hash('2'));
        let err = sums.sha256("tfc").expect_err("ambiguous").to_string();
        assert_eq!(
            err,
            "sums has conflicting lines 4 (`a/tfc`) and 5 (`b/tfc`) for `tfc`"
        );
    }

    #[test]
    fn malformed_lines_name_file_and_line() {
        let good = format!("{}  ok\n", hash('a'));
        for (bad, needle) in [
            (
                "not a checksum".to_owned(),
                "does not start with a hex SHA-256",
            ),
            (format!("{}  x", "a".repeat(63)), "63-digit hash"),
            (format!("{}  x", "a".repeat(128)), "128-digit hash"),
            (hash('a'), "no file name"),
            (format!("{}  ", hash('a')), "no file name"),
            (format!("{}   x", hash('a')), "more than two spaces"),
            (
                format!("{}\tx", hash('a')),
                "does not start with a hex SHA-256",
            ),
            (format!("\\{}  a\\\\b", hash('a')), "escaped form"),
            (format!("{}  a\u{7}b", hash('a')), "control character"),
            (format!("{}  ok", hash('b')), "different hash than line 1"),
        ] {
            let err = Checksums::parse("jira_checksums.txt", &format!("{good}\n{bad}\n"))
                .expect_err(&bad)
                .to_string();
            assert!(
                err.starts_with("jira_checksums.txt, line 3: "),
                "{bad}: {err}"
            );
            assert!(err.contains(needle), "{bad}: {err}");
        }
    }

    #[test]
    fn repeated_identical_lines_are_fine() {
        let line = format!("{}  jira\n", hash('a'));
        let sums = Checksums::parse("sums", &line.repeat(2)).expect("valid");
        assert_eq!(sums.sha256("jira").expect("jira"), hash('a'));
    }
}
