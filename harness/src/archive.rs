//! Release asset bytes: tiny executables and the archives that carry them.
//!
//! Every archive is deterministic (fixed mtimes, owners and modes, entries in sorted order), so
//! checksums, digests and snapshots stay stable from run to run.

use std::io::{Cursor, Write};

use anyhow::{Context, Result};

/// The modification time written into every archive entry: 2026-01-01T00:00:00Z.
pub const FIXED_MTIME: u64 = 1_767_225_600;

/// What an asset's file name says it is; the name alone decides, as it does for installers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveKind {
    /// `.tar.gz` or `.tgz`
    TarGz,
    /// `.tar.xz` or `.txz`
    TarXz,
    /// `.tar`
    Tar,
    /// `.zip`
    Zip,
    /// Anything else: the asset is the executable itself.
    Bare,
}

impl ArchiveKind {
    /// The kind an asset named `name` has.
    pub fn from_name(name: &str) -> ArchiveKind {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".tar.gz") || lower.ends_with(".tgz") {
            ArchiveKind::TarGz
        } else if lower.ends_with(".tar.xz") || lower.ends_with(".txz") {
            ArchiveKind::TarXz
        } else if lower.ends_with(".tar") {
            ArchiveKind::Tar
        } else if lower.ends_with(".zip") {
            ArchiveKind::Zip
        } else {
            ArchiveKind::Bare
        }
    }
}

/// The `content_type` GitHub reports for an uploaded asset named `name`.
pub fn content_type(name: &str) -> &'static str {
    let lower = name.to_ascii_lowercase();
    match ArchiveKind::from_name(name) {
        ArchiveKind::TarGz => "application/gzip",
        ArchiveKind::TarXz => "application/x-xz",
        ArchiveKind::Tar => "application/x-tar",
        ArchiveKind::Zip => "application/zip",
        ArchiveKind::Bare if lower.ends_with(".txt") || lower.contains("sums") => "text/plain",
        ArchiveKind::Bare if lower.ends_with(".json") => "application/json",
        ArchiveKind::Bare => "application/octet-stream",
    }
}

/// The POSIX sh script standing in for `binary` at `version`: it prints `<binary> <version>`.
pub fn script(binary: &str, version: &str) -> Vec<u8> {
    let line = format!("{binary} {version}").replace('\'', "'\\''");
    format!("#!/bin/sh\nprintf '%s\\n' '{line}'\n").into_bytes()
}

/// An archive entry that reaches out of the directory it is extracted into, as a hostile or
/// broken release carries one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escape {
    /// A file at `../skillrig-escaped`.
    Parent,
    /// A file at `/tmp/skillrig-escaped`.
    Absolute,
    /// A symlink `escape` to `../../..`, then a file `escape/skillrig-escaped` through it.
    Symlink,
}

impl Escape {
    /// The escape a fixture names: `parent`, `absolute` or `symlink`.
    pub fn parse(name: &str) -> Result<Escape> {
        match name {
            "parent" => Ok(Escape::Parent),
            "absolute" => Ok(Escape::Absolute),
            "symlink" => Ok(Escape::Symlink),
            other => anyhow::bail!("unknown escape `{other}`; use parent, absolute or symlink"),
        }
    }
}

/// The bytes of an asset named `asset_name` that carries `executable` at path `bin_path`.
///
/// A bare asset is the executable itself and ignores `bin_path`.
pub fn pack(asset_name: &str, bin_path: &str, executable: &[u8]) -> Result<Vec<u8>> {
    pack_escaping(asset_name, bin_path, executable, None)
}

/// The file a padded archive carries after its executable: zeros, so that extracting it takes a
/// while (a run can be interrupted mid-extraction) while the archive stays small.
pub const PADDING_NAME: &str = "skillrig-harness-padding";

/// [`pack`], with a tar archive's last entry reaching out of the extraction dir.
pub fn pack_escaping(
    asset_name: &str,
    bin_path: &str,
    executable: &[u8],
    escape: Option<Escape>,
) -> Result<Vec<u8>> {
    pack_with(asset_name, bin_path, executable, escape, 0)
}

/// [`pack_escaping`], with `padding` bytes of zeros in a file [`PADDING_NAME`] after the
/// executable (tar archives only).
pub fn pack_with(
    asset_name: &str,
    bin_path: &str,
    executable: &[u8],
    escape: Option<Escape>,
    padding: u64,
) -> Result<Vec<u8>> {
    let bin_path = bin_path.trim_start_matches("./").trim_start_matches('/');
    let kind = ArchiveKind::from_name(asset_name);
    if escape.is_some() && !matches!(kind, ArchiveKind::Tar | ArchiveKind::TarGz) {
        anyhow::bail!("an escaping entry needs a .tar or .tar.gz asset, not `{asset_name}`");
    }
    if padding > 0
        && !matches!(
            kind,
            ArchiveKind::Tar | ArchiveKind::TarGz | ArchiveKind::TarXz
        )
    {
        anyhow::bail!("padding needs a tar asset (.tar, .tar.gz, .tar.xz), not `{asset_name}`");
    }
    let tar_bytes =
        |bin_path: &str, executable: &[u8]| tar_bytes(bin_path, executable, escape, padding);
    match kind {
        ArchiveKind::Bare => Ok(executable.to_vec()),
        ArchiveKind::Tar => tar_bytes(bin_path, executable),
        ArchiveKind::TarGz => {
            let tar = tar_bytes(bin_path, executable)?;
            // GzBuilder writes mtime 0 and no file name: the same input always gives the same bytes.
            let mut gz = flate2::GzBuilder::new()
                .mtime(0)
                .write(Vec::new(), flate2::Compression::default());
            gz.write_all(&tar).context("gzip the tar")?;
            gz.finish().context("finish the gzip stream")
        }
        ArchiveKind::TarXz => {
            let tar = tar_bytes(bin_path, executable)?;
            let mut xz =
                lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(6))
                    .context("start the xz stream")?;
            xz.write_all(&tar).context("xz the tar")?;
            xz.finish().context("finish the xz stream")
        }
        ArchiveKind::Zip => zip_bytes(bin_path, executable),
    }
}

/// The parent directories of `path`, outermost first (`a/b/c` gives `a/`, `a/b/`).
fn parent_dirs(path: &str) -> Vec<String> {
    let parts: Vec<&str> = path.split('/').collect();
    (1..parts.len())
        .map(|n| format!("{}/", parts[..n].join("/")))
        .collect()
}

fn tar_bytes(
    bin_path: &str,
    executable: &[u8],
    escape: Option<Escape>,
    padding: u64,
) -> Result<Vec<u8>> {
    let mut tar = tar::Builder::new(Vec::new());
    tar.mode(tar::HeaderMode::Deterministic);
    for dir in parent_dirs(bin_path) {
        let mut header = entry_header(tar::EntryType::Directory, 0o755, 0);
        tar.append_data(&mut header, &dir, std::io::empty())
            .with_context(|| format!("add directory {dir} to the tar"))?;
    }
    let mut header = entry_header(tar::EntryType::Regular, 0o755, executable.len() as u64);
    tar.append_data(&mut header, bin_path, executable)
        .with_context(|| format!("add {bin_path} to the tar"))?;
    if padding > 0 {
        let mut header = entry_header(tar::EntryType::Regular, 0o644, padding);
        tar.append_data(
            &mut header,
            PADDING_NAME,
            std::io::Read::take(std::io::repeat(0), padding),
        )
        .context("add the padding to the tar")?;
    }
    match escape {
        None => {}
        Some(Escape::Parent) => append_raw(&mut tar, "../skillrig-escaped", None)?,
        Some(Escape::Absolute) => append_raw(&mut tar, "/tmp/skillrig-escaped", None)?,
        Some(Escape::Symlink) => {
            append_raw(&mut tar, "escape", Some("../../.."))?;
            append_raw(&mut tar, "escape/skillrig-escaped", None)?;
        }
    }
    tar.into_inner().context("finish the tar")
}

/// A deterministic header: the fixed mtime, owned by root.
fn entry_header(kind: tar::EntryType, mode: u32, size: u64) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(kind);
    header.set_mode(mode);
    header.set_mtime(FIXED_MTIME);
    header.set_uid(0);
    header.set_gid(0);
    header.set_size(size);
    header
}

/// Appends a file (or, with `link`, a symlink) under a path written into the header as it is:
/// the tar crate's own setters refuse `..` and absolute paths, as a careful archiver would.
fn append_raw(tar: &mut tar::Builder<Vec<u8>>, path: &str, link: Option<&str>) -> Result<()> {
    let body = b"escaped\n";
    let mut header = tar::Header::new_old();
    let name = &mut header.as_old_mut().name;
    name[..path.len()].copy_from_slice(path.as_bytes());
    header.set_mode(0o644);
    header.set_mtime(FIXED_MTIME);
    match link {
        Some(target) => {
            header.set_entry_type(tar::EntryType::Symlink);
            let linkname = &mut header.as_old_mut().linkname;
            linkname[..target.len()].copy_from_slice(target.as_bytes());
            header.set_size(0);
            header.set_cksum();
            tar.append(&header, std::io::empty())
        }
        None => {
            header.set_entry_type(tar::EntryType::Regular);
            header.set_size(body.len() as u64);
            header.set_cksum();
            tar.append(&header, &body[..])
        }
    }
    .with_context(|| format!("add {path} to the tar"))
}

fn zip_bytes(bin_path: &str, executable: &[u8]) -> Result<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for dir in parent_dirs(bin_path) {
        zip.add_directory(&dir, options.unix_permissions(0o755))
            .with_context(|| format!("add directory {dir} to the zip"))?;
    }
    zip.start_file(bin_path, options.unix_permissions(0o755))
        .with_context(|| format!("add {bin_path} to the zip"))?;
    zip.write_all(executable).context("write into the zip")?;
    Ok(zip.finish().context("finish the zip")?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_names() {
        assert_eq!(ArchiveKind::from_name("a.tar.gz"), ArchiveKind::TarGz);
        assert_eq!(ArchiveKind::from_name("a.tgz"), ArchiveKind::TarGz);
        assert_eq!(ArchiveKind::from_name("a.tar.xz"), ArchiveKind::TarXz);
        assert_eq!(ArchiveKind::from_name("a.zip"), ArchiveKind::Zip);
        assert_eq!(
            ArchiveKind::from_name("jira_linux_amd64"),
            ArchiveKind::Bare
        );
    }

    #[test]
    fn archives_are_deterministic() {
        for name in ["a.tar.gz", "a.tar.xz", "a.zip", "a.tar"] {
            let one = pack(name, "dir/jira", &script("jira", "1.0.0")).expect("pack");
            let two = pack(name, "dir/jira", &script("jira", "1.0.0")).expect("pack");
            assert_eq!(one, two, "{name}");
        }
    }

    #[test]
    fn parent_dirs_are_outermost_first() {
        assert_eq!(parent_dirs("a/b/c"), ["a/", "a/b/"]);
        assert!(parent_dirs("c").is_empty());
    }
}
