//! JSON bodies with the fields GitHub returns, holding the public URLs (mise rewrites them).

use base64::Engine;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};
use sha1::{Digest, Sha1};

use super::PublicUrls;
use crate::fixture::{BuiltAsset, BuiltOrigin, BuiltRelease};

/// What GitHub escapes in a URL path segment: everything but unreserved characters, so a tag
/// `v1.7.0+jira` appears as `v1.7.0%2Bjira` and `cli/jira/v1` as `cli%2Fjira%2Fv1`.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `value` escaped as one URL path segment.
pub(crate) fn segment(value: &str) -> String {
    utf8_percent_encode(value, SEGMENT).to_string()
}

/// The body of every 404 from the API.
pub(crate) fn not_found() -> Value {
    json!({
        "message": "Not Found",
        "documentation_url": "https://docs.github.com/rest",
        "status": "404",
    })
}

/// The account that uploads every release: CI, as in a real monorepo.
fn author(public: &PublicUrls) -> Value {
    json!({
        "login": "github-actions[bot]",
        "id": 41_898_282,
        "node_id": "MDM6Qm90NDE4OTgyODI=",
        "type": "Bot",
        "site_admin": false,
        "url": format!("{}/users/github-actions%5Bbot%5D", public.api),
        "html_url": format!("{}/apps/github-actions", public.web),
    })
}

/// The repository payload of `GET /repos/{o}/{r}`.
pub(crate) fn repo(public: &PublicUrls, origin: &BuiltOrigin, repo_id: u64) -> Value {
    let full = origin.full_name();
    let api = format!("{}/repos/{full}", public.api);
    json!({
        "id": repo_id,
        "node_id": format!("R_kgDO{repo_id:08X}"),
        "name": origin.repo,
        "full_name": full,
        "private": origin.private,
        "visibility": if origin.private { "private" } else { "public" },
        "owner": {
            "login": origin.owner,
            "id": repo_id + 1,
            "type": "Organization",
            "url": format!("{}/users/{}", public.api, origin.owner),
            "html_url": format!("{}/{}", public.web, origin.owner),
        },
        "html_url": format!("{}/{full}", public.web),
        "description": "Several CLIs released from one monorepo",
        "fork": false,
        "archived": false,
        "disabled": false,
        "url": api,
        "releases_url": format!("{api}/releases{{/id}}"),
        "tags_url": format!("{api}/tags"),
        "contents_url": format!("{api}/contents/{{+path}}"),
        "default_branch": origin.default_branch,
        "created_at": "2025-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
        "pushed_at": "2026-01-01T00:00:00Z",
    })
}

/// The object URL the asset's bytes are served from (a 302 from the web or API URL leads there).
/// `objects` is the objects host's root (`<uri>/objects` or `https://objects.githubusercontent.com`).
pub(crate) fn object_url(objects: &str, repo_id: u64, asset: &BuiltAsset) -> String {
    format!(
        "{objects}{}/{repo_id}/{}?rscd=attachment%3B+filename%3D{}&rsct=application%2Foctet-stream",
        &super::route::OBJECTS_PREFIX[super::route::OBJECTS_ROOT.len()..],
        asset.id,
        segment(&asset.name)
    )
}

/// An asset of a release.
pub(crate) fn asset(
    public: &PublicUrls,
    origin: &BuiltOrigin,
    release: &BuiltRelease,
    asset: &BuiltAsset,
) -> Value {
    let full = origin.full_name();
    let time = release.published.to_string();
    json!({
        "url": format!("{}/repos/{full}/releases/assets/{}", public.api, asset.id),
        "id": asset.id,
        "node_id": format!("RA_kwDO{:08X}", asset.id),
        "name": asset.name,
        "label": "",
        "uploader": author(public),
        "content_type": asset.content_type,
        "state": "uploaded",
        "size": asset.bytes.len(),
        "digest": origin.digests.then(|| format!("sha256:{}", asset.sha256)),
        "download_count": 0,
        "created_at": time,
        "updated_at": time,
        "browser_download_url": format!(
            "{}/{full}/releases/download/{}/{}",
            public.web,
            segment(&release.tag),
            segment(&asset.name)
        ),
    })
}

/// A release with its assets.
pub(crate) fn release(public: &PublicUrls, origin: &BuiltOrigin, release: &BuiltRelease) -> Value {
    let full = origin.full_name();
    let api = format!("{}/repos/{full}", public.api);
    let id = release.id;
    let time = release.published.to_string();
    let tag = segment(&release.tag);
    // A draft has no tag yet: GitHub gives it no publish time and no source archives.
    let (published_at, tarball, zipball) = if release.draft {
        (Value::Null, Value::Null, Value::Null)
    } else {
        (
            json!(time),
            json!(format!("{api}/tarball/{tag}")),
            json!(format!("{api}/zipball/{tag}")),
        )
    };
    json!({
        "url": format!("{api}/releases/{id}"),
        "assets_url": format!("{api}/releases/{id}/assets"),
        "upload_url": format!("{}/repos/{full}/releases/{id}/assets{{?name,label}}", public.uploads),
        "html_url": format!("{}/{full}/releases/tag/{tag}", public.web),
        "id": id,
        "author": author(public),
        "node_id": format!("RE_kwDO{id:08X}"),
        "tag_name": release.tag,
        "target_commitish": origin.default_branch,
        "name": release.name,
        "draft": release.draft,
        "immutable": false,
        "prerelease": release.prerelease,
        "created_at": time,
        "updated_at": time,
        "published_at": published_at,
        "assets": release.assets.iter().map(|a| asset(public, origin, release, a)).collect::<Vec<_>>(),
        "tarball_url": tarball,
        "zipball_url": zipball,
        "body": release.body,
    })
}

/// The commit a tag or branch points at: a stable fake SHA-1 of its name.
pub(crate) fn commit_sha(origin: &BuiltOrigin, git_ref: &str) -> String {
    hex::encode(Sha1::digest(format!("{}@{git_ref}", origin.full_name())))
}

/// An entry of `GET /repos/{o}/{r}/tags`.
pub(crate) fn tag(public: &PublicUrls, origin: &BuiltOrigin, name: &str) -> Value {
    let api = format!("{}/repos/{}", public.api, origin.full_name());
    let sha = commit_sha(origin, name);
    let encoded = segment(name);
    json!({
        "name": name,
        "zipball_url": format!("{api}/zipball/refs/tags/{encoded}"),
        "tarball_url": format!("{api}/tarball/refs/tags/{encoded}"),
        "commit": { "sha": sha, "url": format!("{api}/commits/{sha}") },
        "node_id": format!("REF_kwDO{}", &sha[..12]),
    })
}

/// `GET /repos/{o}/{r}/commits/{sha}`, with the date mise reads for tag dates.
pub(crate) fn commit(public: &PublicUrls, origin: &BuiltOrigin, sha: &str, date: &str) -> Value {
    let api = format!("{}/repos/{}", public.api, origin.full_name());
    let person = json!({ "name": "acme-ci", "email": "ci@example.com", "date": date });
    json!({
        "sha": sha,
        "node_id": format!("C_kwDO{}", &sha[..12]),
        "url": format!("{api}/commits/{sha}"),
        "html_url": format!("{}/{}/commit/{sha}", public.web, origin.full_name()),
        "commit": { "author": person, "committer": person, "message": "release" },
    })
}

/// The git blob SHA-1 of a file's contents, as the contents API reports it.
fn blob_sha(bytes: &[u8]) -> String {
    let mut hasher = Sha1::new();
    hasher.update(format!("blob {}\0", bytes.len()));
    hasher.update(bytes);
    hex::encode(hasher.finalize())
}

/// Base64 wrapped every 60 characters, each line ending in `\n`, as the contents API sends it.
pub(crate) fn wrapped_base64(bytes: &[u8]) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    let mut out = String::with_capacity(encoded.len() + encoded.len() / 60 + 1);
    for chunk in encoded.as_bytes().chunks(60) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out
}

fn content_links(
    public: &PublicUrls,
    origin: &BuiltOrigin,
    git_ref: &str,
    path: &str,
    kind: &str,
) -> (String, String, String) {
    let full = origin.full_name();
    let url = format!(
        "{}/repos/{full}/contents/{path}?ref={}",
        public.api,
        segment(git_ref)
    );
    let view = if kind == "dir" { "tree" } else { "blob" };
    let html = format!("{}/{full}/{view}/{git_ref}/{path}", public.web);
    (url, html, format!("{}/{full}/{git_ref}/{path}", public.raw))
}

/// A file of the contents API, `content` in wrapped base64.
pub(crate) fn file(
    public: &PublicUrls,
    origin: &BuiltOrigin,
    git_ref: &str,
    path: &str,
    text: &str,
) -> Value {
    let mut entry = dir_entry(public, origin, git_ref, path, Some(text));
    entry["content"] = json!(wrapped_base64(text.as_bytes()));
    entry["encoding"] = json!("base64");
    entry
}

/// One entry of a directory listing: a file (`text` given) or a directory.
pub(crate) fn dir_entry(
    public: &PublicUrls,
    origin: &BuiltOrigin,
    git_ref: &str,
    path: &str,
    text: Option<&str>,
) -> Value {
    let kind = if text.is_some() { "file" } else { "dir" };
    let (url, html, raw) = content_links(public, origin, git_ref, path, kind);
    let sha = match text {
        Some(text) => blob_sha(text.as_bytes()),
        None => commit_sha(origin, &format!("{git_ref}:{path}")),
    };
    let git_url = format!(
        "{}/repos/{}/git/{}/{sha}",
        public.api,
        origin.full_name(),
        if text.is_some() { "blobs" } else { "trees" }
    );
    json!({
        "type": kind,
        "name": path.rsplit('/').next().unwrap_or(path),
        "path": path,
        "sha": sha,
        "size": text.map_or(0, str::len),
        "url": url,
        "html_url": html,
        "git_url": git_url,
        "download_url": if text.is_some() { json!(raw) } else { Value::Null },
        "_links": { "self": url, "git": git_url, "html": html },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_escape_like_github() {
        assert_eq!(segment("v1.7.0+jira"), "v1.7.0%2Bjira");
        assert_eq!(segment("cli/jira/v1.0.0"), "cli%2Fjira%2Fv1.0.0");
        assert_eq!(
            segment("jira_1.7.0_linux_amd64.tar.gz"),
            "jira_1.7.0_linux_amd64.tar.gz"
        );
    }

    #[test]
    fn base64_wraps_at_60() {
        let text = wrapped_base64(&[b'a'; 100]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0].len(), 60);
        assert!(text.ends_with('\n'));
        assert_eq!(blob_sha(b""), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    }
}
