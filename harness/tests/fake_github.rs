//! The fake GitHub answers as GitHub does: pagination, tags, assets, contents, auth, faults.

use std::io::Cursor;
use std::path::Path;

use reqwest::header::HeaderMap;
use serde_json::Value;
use sha2::{Digest, Sha256};
use skillrig_harness::archive::ArchiveKind;
use skillrig_harness::fake_github::{Auth, FakeGithub, RouteKind, render};
use skillrig_harness::fixture::{AssetTemplate, Origin, Release, ReleaseAsset, Stream};

const REPO: &str = "acme/origin";

/// No redirects followed (tests look at the 302s) and no proxy from the environment.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .expect("client builds")
}

struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }

    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .unwrap_or_else(|| panic!("no {name} header"))
            .to_str()
            .expect("ASCII header")
    }
}

async fn get_with(url: &str, headers: &[(&str, &str)]) -> Answer {
    let mut request = client().get(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("request sent");
    Answer {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.bytes().await.expect("body").to_vec(),
    }
}

/// GET `<uri><path>`.
async fn get(fake: &FakeGithub, path: &str) -> Answer {
    get_with(&format!("{}{path}", fake.uri()), &[]).await
}

/// A public URL from a payload, rewritten the way mise's `url_replacements` rewrites it.
fn local(fake: &FakeGithub, public_url: &str) -> String {
    let replacements = fake.url_replacements();
    for (from, to) in replacements.as_object().expect("a map") {
        if let Some(rest) = public_url.strip_prefix(from.as_str()) {
            return format!("{}{rest}", to.as_str().expect("string"));
        }
    }
    panic!("{public_url} is not a GitHub URL");
}

/// Follows one 302 and returns the final answer.
async fn follow(first: Answer) -> Answer {
    assert_eq!(first.status, 302, "expected a redirect");
    get_with(first.header("location"), &[]).await
}

fn jira() -> Stream {
    Stream::new("jira", "v{version}+jira")
        .versions(["1.6.0", "1.7.0", "1.8.0-rc.1"])
        .asset(
            AssetTemplate::new("jira_{version}_{os}_{arch}.tar.gz")
                .platforms(["linux-amd64", "darwin-arm64"]),
        )
        .checksums("{name}_checksums.txt")
}

fn tags_of(releases: &Value) -> Vec<String> {
    releases
        .as_array()
        .expect("an array")
        .iter()
        .map(|r| r["tag_name"].as_str().expect("tag_name").to_string())
        .collect()
}

async fn start(origin: Origin) -> FakeGithub {
    FakeGithub::start(vec![origin]).await.expect("fake starts")
}

#[tokio::test]
async fn releases_page_with_github_link_headers() {
    let fake =
        start(Origin::new(REPO).stream(Stream::new("jira", "jira-v{version}").count(250, "1.0.0")))
            .await;
    let id = fake.repo_id(REPO).expect("hosted");
    let link = |page: usize| {
        format!("<https://api.github.com/repositories/{id}/releases?per_page=100&page={page}>")
    };

    let first = get(
        &fake,
        "/api.github.com/repos/acme/origin/releases?per_page=100",
    )
    .await;
    assert_eq!(first.status, 200);
    let tags = tags_of(&first.json());
    assert_eq!(tags.len(), 100);
    assert_eq!(tags[0], "jira-v1.0.249", "newest first");
    assert_eq!(
        first.header("link"),
        format!("{}; rel=\"next\", {}; rel=\"last\"", link(2), link(3))
    );

    // The next link, rewritten as mise rewrites it, is served through /repositories/{id}.
    let next = first.header("link")[1..]
        .split('>')
        .next()
        .expect("a URL")
        .to_string();
    let second = get_with(&local(&fake, &next), &[]).await;
    assert_eq!(second.status, 200);
    assert_eq!(tags_of(&second.json())[0], "jira-v1.0.149");
    assert_eq!(
        second.header("link"),
        format!(
            "{}; rel=\"prev\", {}; rel=\"next\", {}; rel=\"last\", {}; rel=\"first\"",
            link(1),
            link(3),
            link(3),
            link(1)
        )
    );

    let last = get(
        &fake,
        "/api.github.com/repos/acme/origin/releases?per_page=100&page=3",
    )
    .await;
    let tags = tags_of(&last.json());
    assert_eq!(tags.len(), 50);
    assert_eq!(tags.last().map(String::as_str), Some("jira-v1.0.0"));
    assert_eq!(
        last.header("link"),
        format!("{}; rel=\"prev\", {}; rel=\"first\"", link(2), link(1))
    );
}

#[tokio::test]
async fn per_page_defaults_to_30_and_clamps_to_100() {
    let fake =
        start(Origin::new(REPO).stream(Stream::new("jira", "jira-v{version}").count(120, "1.0.0")))
            .await;
    let default = get(&fake, "/api.github.com/repos/acme/origin/releases").await;
    assert_eq!(tags_of(&default.json()).len(), 30);
    assert!(
        default
            .header("link")
            .contains("releases?page=2>; rel=\"next\"")
    );
    assert!(
        default
            .header("link")
            .contains("releases?page=4>; rel=\"last\"")
    );
    let clamped = get(
        &fake,
        "/api.github.com/repos/acme/origin/releases?per_page=500",
    )
    .await;
    assert_eq!(tags_of(&clamped.json()).len(), 100);
    let beyond = get(
        &fake,
        "/api.github.com/repos/acme/origin/releases?per_page=100&page=9",
    )
    .await;
    assert_eq!(tags_of(&beyond.json()).len(), 0);
}

#[tokio::test]
async fn a_single_page_has_no_link_header() {
    let fake = start(Origin::new(REPO).stream(jira())).await;
    let answer = get(
        &fake,
        "/api.github.com/repos/acme/origin/releases?per_page=100",
    )
    .await;
    assert!(answer.headers.get("link").is_none());
    assert_eq!(
        tags_of(&answer.json()),
        ["v1.8.0-rc.1+jira", "v1.7.0+jira", "v1.6.0+jira"]
    );
}

#[tokio::test]
async fn latest_skips_drafts_and_prereleases() {
    let fake = start(
        Origin::new(REPO)
            .token("ghp_push")
            .stream(jira().versions(["1.9.0"]).draft(["1.9.0"])),
    )
    .await;
    let latest = get(&fake, "/api.github.com/repos/acme/origin/releases/latest").await;
    assert_eq!(latest.status, 200);
    assert_eq!(latest.json()["tag_name"], "v1.7.0+jira");

    // Drafts are listed only to the origin's token.
    let anonymous = get(&fake, "/api.github.com/repos/acme/origin/releases").await;
    assert!(!tags_of(&anonymous.json()).contains(&"v1.9.0+jira".to_string()));
    let pushed = get_with(
        &format!("{}/repos/acme/origin/releases", fake.api_base()),
        &[("authorization", "Bearer ghp_push")],
    )
    .await;
    let listed = pushed.json();
    assert_eq!(listed[0]["tag_name"], "v1.9.0+jira");
    assert_eq!(listed[0]["draft"], true);
    assert_eq!(listed[0]["published_at"], Value::Null);

    let only_prereleases =
        start(Origin::new(REPO).stream(Stream::new("jira", "v{version}").versions(["2.0.0-rc.1"])))
            .await;
    let none = get(
        &only_prereleases,
        "/api.github.com/repos/acme/origin/releases/latest",
    )
    .await;
    assert_eq!(none.status, 404);
    assert_eq!(none.json()["message"], "Not Found");
}

#[tokio::test]
async fn releases_by_tag_take_plus_and_slash_raw_or_encoded() {
    let fake = start(
        Origin::new(REPO).stream(jira()).stream(
            Stream::new("tfc", "cli/tfc/v{version}")
                .versions(["0.0.6"])
                .asset("tfc_linux_amd64"),
        ),
    )
    .await;
    for (path, tag) in [
        ("v1.7.0+jira", "v1.7.0+jira"),
        ("v1.7.0%2Bjira", "v1.7.0+jira"),
        ("v1.7.0%2bjira", "v1.7.0+jira"),
        ("cli/tfc/v0.0.6", "cli/tfc/v0.0.6"),
        ("cli%2Ftfc%2Fv0.0.6", "cli/tfc/v0.0.6"),
    ] {
        let answer = get(
            &fake,
            &format!("/api.github.com/repos/acme/origin/releases/tags/{path}"),
        )
        .await;
        assert_eq!(answer.status, 200, "{path}");
        assert_eq!(answer.json()["tag_name"], tag, "{path}");
    }
    let missing = get(
        &fake,
        "/api.github.com/repos/acme/origin/releases/tags/v9.9.9",
    )
    .await;
    assert_eq!(missing.status, 404);
    assert!(
        fake.unexpected().is_empty(),
        "a missing tag is an expected 404"
    );

    let release = get(
        &fake,
        "/api.github.com/repos/acme/origin/releases/tags/cli/tfc/v0.0.6",
    )
    .await
    .json();
    assert_eq!(
        release["assets"][0]["browser_download_url"],
        "https://github.com/acme/origin/releases/download/cli%2Ftfc%2Fv0.0.6/tfc_linux_amd64"
    );
    let by_id = get(
        &fake,
        &format!(
            "/api.github.com/repos/acme/origin/releases/{}",
            release["id"]
        ),
    )
    .await;
    assert_eq!(by_id.json()["tag_name"], "cli/tfc/v0.0.6");

    // Raw slashes in a web download too.
    let download = get(
        &fake,
        "/github.com/acme/origin/releases/download/cli/tfc/v0.0.6/tfc_linux_amd64",
    )
    .await;
    assert_eq!(download.status, 302);
}

#[tokio::test]
async fn tags_list_like_github() {
    let fake = start(Origin::new(REPO).stream(jira())).await;
    let answer = get(&fake, "/api.github.com/repos/acme/origin/tags?per_page=2").await;
    let tags = answer.json();
    assert_eq!(tags[0]["name"], "v1.8.0-rc.1+jira");
    assert_eq!(tags[1]["name"], "v1.7.0+jira");
    let sha = tags[0]["commit"]["sha"].as_str().expect("sha");
    assert_eq!(sha.len(), 40);
    assert_eq!(
        tags[1]["zipball_url"],
        "https://api.github.com/repos/acme/origin/zipball/refs/tags/v1.7.0%2Bjira"
    );
    assert!(
        answer
            .header("link")
            .contains("/tags?per_page=2&page=2>; rel=\"next\"")
    );
    let commit = get_with(
        &local(&fake, tags[0]["commit"]["url"].as_str().expect("url")),
        &[],
    )
    .await;
    assert_eq!(
        commit.json()["commit"]["committer"]["date"],
        "2026-01-01T02:00:00Z"
    );
}

#[tokio::test]
async fn assets_redirect_to_bytes_matching_their_digest() {
    let fake = start(Origin::new(REPO).stream(jira())).await;
    let release = get(
        &fake,
        "/api.github.com/repos/acme/origin/releases/tags/v1.7.0%2Bjira",
    )
    .await
    .json();
    let asset = &release["assets"][0];
    assert_eq!(asset["name"], "jira_1.7.0_linux_amd64.tar.gz");
    assert_eq!(asset["state"], "uploaded");
    assert_eq!(asset["content_type"], "application/gzip");
    assert_eq!(
        asset["browser_download_url"],
        "https://github.com/acme/origin/releases/download/v1.7.0%2Bjira/jira_1.7.0_linux_amd64.tar.gz"
    );
    let api_url = asset["url"].as_str().expect("url");
    assert!(api_url.starts_with("https://api.github.com/repos/acme/origin/releases/assets/"));

    // The API URL: JSON by default, a 302 to the object with Accept: application/octet-stream.
    let metadata = get_with(&local(&fake, api_url), &[]).await;
    assert_eq!(metadata.json()["id"], asset["id"]);
    let redirect = get_with(
        &local(&fake, api_url),
        &[("accept", "application/octet-stream")],
    )
    .await;
    assert!(
        redirect
            .header("location")
            .starts_with(&format!("{}/objects/", fake.uri()))
    );
    let bytes = follow(redirect).await;
    assert_eq!(bytes.status, 200);
    assert_eq!(bytes.header("content-type"), "application/octet-stream");
    assert_eq!(bytes.header("content-length"), bytes.body.len().to_string());
    let digest = format!("sha256:{}", hex::encode(Sha256::digest(&bytes.body)));
    assert_eq!(asset["digest"], digest);
    assert_eq!(asset["size"], bytes.body.len());

    // The browser URL leads to the same bytes.
    let browser = get_with(
        &local(&fake, asset["browser_download_url"].as_str().expect("url")),
        &[],
    )
    .await;
    assert_eq!(follow(browser).await.body, bytes.body);

    // mise probes the browser URL with HEAD first.
    let head = client()
        .head(local(
            &fake,
            asset["browser_download_url"].as_str().expect("url"),
        ))
        .send()
        .await
        .expect("HEAD sent");
    assert_eq!(head.status().as_u16(), 302);
}

/// Unpacks `bytes` (an asset named `name`) into `dir`.
fn extract(name: &str, bytes: &[u8], dir: &Path) {
    match ArchiveKind::from_name(name) {
        ArchiveKind::TarGz => tar::Archive::new(flate2::read::GzDecoder::new(bytes))
            .unpack(dir)
            .expect("tar.gz unpacks"),
        ArchiveKind::TarXz => tar::Archive::new(lzma_rust2::XzReader::new(bytes, false))
            .unpack(dir)
            .expect("tar.xz unpacks"),
        ArchiveKind::Tar => tar::Archive::new(bytes).unpack(dir).expect("tar unpacks"),
        ArchiveKind::Zip => zip::ZipArchive::new(Cursor::new(bytes))
            .expect("zip opens")
            .extract(dir)
            .expect("zip unpacks"),
        ArchiveKind::Bare => std::fs::write(dir.join(name), bytes).expect("written"),
    }
}

#[tokio::test]
async fn every_archive_kind_holds_a_script_printing_its_version() {
    let fake = start(
        Origin::new(REPO).stream(
            Stream::new("jira", "v{version}")
                .versions(["1.7.0"])
                .bin("jira-{version}/bin/{name}")
                .asset(AssetTemplate::new("jira_{os}_{arch}.tar.gz").platforms(["linux-x86_64"]))
                .asset(AssetTemplate::new("jira_{os}_{arch}.tar.xz").platforms(["linux-x86_64"]))
                .asset(AssetTemplate::new("jira_{os}_{arch}.zip").platforms(["macos-aarch64"]))
                .asset(AssetTemplate::new("jira_{os}_{arch}").platforms(["linux-amd64"])),
        ),
    )
    .await;
    let release = get(&fake, "/api.github.com/repos/acme/origin/releases/latest")
        .await
        .json();
    let assets = release["assets"].as_array().expect("assets");
    assert_eq!(assets.len(), 4);
    for asset in assets {
        let name = asset["name"].as_str().expect("name");
        let bytes = follow(
            get_with(
                &local(&fake, asset["browser_download_url"].as_str().expect("url")),
                &[],
            )
            .await,
        )
        .await;
        let dir = tempfile::tempdir().expect("tempdir");
        extract(name, &bytes.body, dir.path());
        let executable = match ArchiveKind::from_name(name) {
            ArchiveKind::Bare => dir.path().join(name),
            _ => dir.path().join("jira-1.7.0/bin/jira"),
        };
        let output = std::process::Command::new("sh")
            .arg(&executable)
            .output()
            .expect("sh runs");
        assert!(output.status.success(), "{name}");
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "jira 1.7.0\n",
            "{name}"
        );
        let mode = match ArchiveKind::from_name(name) {
            ArchiveKind::Bare => continue,
            ArchiveKind::Zip => zip::ZipArchive::new(Cursor::new(&bytes.body))
                .expect("zip opens")
                .by_name("jira-1.7.0/bin/jira")
                .expect("entry")
                .unix_mode()
                .expect("unix mode"),
            _ => {
                use std::os::unix::fs::PermissionsExt;
                std::fs::metadata(&executable)
                    .expect("exists")
                    .permissions()
                    .mode()
            }
        };
        assert_eq!(mode & 0o111, 0o111, "{name} is executable");
    }
}

/// `<hex>  <name>` lines of a checksums file.
fn checksum_lines(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(|line| {
            let (hex, name) = line.split_once("  ").expect("sha256sum format");
            (hex.to_string(), name.to_string())
        })
        .collect()
}

#[tokio::test]
async fn checksum_files_match_the_bytes_served() {
    let fake = start(Origin::load("shared-release").expect("fixture loads")).await;
    let release = get(
        &fake,
        "/api.github.com/repos/acme/origin/releases/tags/v1.7.0",
    )
    .await
    .json();
    let assets = release["assets"].as_array().expect("assets");
    let sums = assets
        .iter()
        .find(|a| a["name"] == "SHA256SUMS")
        .expect("SHA256SUMS");
    assert_eq!(sums["content_type"], "text/plain");
    let text = follow(
        get_with(
            &local(&fake, sums["browser_download_url"].as_str().expect("url")),
            &[],
        )
        .await,
    )
    .await;
    let lines = checksum_lines(&String::from_utf8(text.body).expect("utf-8"));
    assert_eq!(lines.len(), 8, "every other asset");
    for (hex, name) in lines {
        let asset = assets
            .iter()
            .find(|a| a["name"] == name.as_str())
            .expect("listed asset");
        assert_eq!(asset["digest"], format!("sha256:{hex}"));
        let bytes = follow(
            get_with(
                &local(&fake, asset["browser_download_url"].as_str().expect("url")),
                &[],
            )
            .await,
        )
        .await;
        assert_eq!(hex::encode(Sha256::digest(&bytes.body)), hex, "{name}");
    }

    // Per-stream files cover only their stream's assets.
    let fake = start(Origin::load("build-metadata").expect("fixture loads")).await;
    let built = fake.origin(REPO).expect("hosted");
    let sums = built
        .asset_named("tfc_0.0.6_checksums.txt")
        .expect("tfc sums");
    let lines = checksum_lines(std::str::from_utf8(&sums.bytes).expect("utf-8"));
    assert_eq!(lines.len(), 4);
    assert!(lines.iter().all(|(_, name)| name.starts_with("tfc_0.0.6_")));
}

#[tokio::test]
async fn contents_api_serves_base64_json_and_raw() {
    let text = "[binary.jira]\ntag = \"v{version}+jira\"\n".repeat(4);
    let fake = start(
        Origin::new(REPO)
            .file(".skillrig-origin.toml", text.clone())
            .file("skills/jira/SKILL.md", "# jira\n")
            .stream(jira()),
    )
    .await;
    let json = get(
        &fake,
        "/api.github.com/repos/acme/origin/contents/.skillrig-origin.toml",
    )
    .await;
    assert_eq!(json.status, 200);
    let body = json.json();
    assert_eq!(body["type"], "file");
    assert_eq!(body["encoding"], "base64");
    assert_eq!(body["name"], ".skillrig-origin.toml");
    assert_eq!(body["size"], text.len());
    let content = body["content"].as_str().expect("content");
    assert!(content.lines().all(|line| line.len() <= 60));
    assert!(content.lines().next().is_some_and(|line| line.len() == 60));
    use base64::Engine;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(content.replace('\n', ""))
        .expect("base64");
    assert_eq!(decoded, text.as_bytes());
    assert_eq!(
        body["download_url"],
        "https://raw.githubusercontent.com/acme/origin/main/.skillrig-origin.toml"
    );

    for accept in [
        "application/vnd.github.raw",
        "application/vnd.github.raw+json",
    ] {
        let raw = get_with(
            &format!(
                "{}/repos/acme/origin/contents/.skillrig-origin.toml?ref=main",
                fake.api_base()
            ),
            &[("accept", accept)],
        )
        .await;
        assert_eq!(raw.status, 200);
        assert_eq!(raw.body, text.as_bytes());
    }
    let at_tag = get(
        &fake,
        "/api.github.com/repos/acme/origin/contents/.skillrig-origin.toml?ref=v1.7.0%2Bjira",
    )
    .await;
    assert_eq!(at_tag.status, 200);
    let raw_host = get_with(
        &local(&fake, body["download_url"].as_str().expect("url")),
        &[],
    )
    .await;
    assert_eq!(raw_host.body, text.as_bytes());

    let bad_ref = get(
        &fake,
        "/api.github.com/repos/acme/origin/contents/.skillrig-origin.toml?ref=nope",
    )
    .await;
    assert_eq!(bad_ref.status, 404);
    let missing = get(
        &fake,
        "/api.github.com/repos/acme/origin/contents/index.json",
    )
    .await;
    assert_eq!(missing.status, 404);
    let dir = get(&fake, "/api.github.com/repos/acme/origin/contents/skills")
        .await
        .json();
    assert_eq!(dir[0]["type"], "dir");
    assert_eq!(dir[0]["path"], "skills/jira");
    let root = get(&fake, "/api.github.com/repos/acme/origin/contents")
        .await
        .json();
    assert_eq!(root.as_array().map(Vec::len), Some(2));

    fake.set_file(REPO, "index.json", "{}").expect("hosted");
    let added = get(
        &fake,
        "/api.github.com/repos/acme/origin/contents/index.json",
    )
    .await;
    assert_eq!(added.status, 200);
}

#[tokio::test]
async fn a_private_origin_is_404_without_its_token() {
    let fake = start(
        Origin::new(REPO)
            .private("ghp_test")
            .file("index.json", "{}")
            .stream(jira()),
    )
    .await;
    let paths = [
        "/api.github.com/repos/acme/origin",
        "/api.github.com/repos/acme/origin/releases",
        "/api.github.com/repos/acme/origin/releases/latest",
        "/api.github.com/repos/acme/origin/releases/tags/v1.7.0+jira",
        "/api.github.com/repos/acme/origin/tags",
        "/api.github.com/repos/acme/origin/contents/index.json",
        "/api.github.com/repos/acme/origin/releases/assets/500001",
    ];
    for path in paths {
        let url = format!("{}{path}", fake.uri());
        let anonymous = get_with(&url, &[]).await;
        assert_eq!(anonymous.status, 404, "{path}");
        assert_eq!(
            anonymous.json(),
            serde_json::json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"})
        );
        assert_eq!(
            get_with(&url, &[("authorization", "Bearer wrong")])
                .await
                .status,
            404,
            "{path}"
        );
        assert_eq!(
            get_with(&url, &[("authorization", "Bearer ghp_test")])
                .await
                .status,
            200,
            "{path}"
        );
        assert_eq!(
            get_with(&url, &[("authorization", "token ghp_test")])
                .await
                .status,
            200,
            "{path}"
        );
    }
    let repo = get_with(
        &format!("{}/repos/acme/origin", fake.api_base()),
        &[("authorization", "Bearer ghp_test")],
    )
    .await;
    assert_eq!(repo.json()["private"], true);

    // github.com refuses a private download even with a token; the API asset URL works.
    let download = format!(
        "{}/acme/origin/releases/download/v1.7.0%2Bjira/jira_1.7.0_linux_amd64.tar.gz",
        fake.web_base()
    );
    assert_eq!(get_with(&download, &[]).await.status, 404);
    assert_eq!(
        get_with(&download, &[("authorization", "Bearer ghp_test")])
            .await
            .status,
        404
    );
    let asset = format!(
        "{}/repos/acme/origin/releases/assets/500001",
        fake.api_base()
    );
    let bytes = follow(
        get_with(
            &asset,
            &[
                ("authorization", "Bearer ghp_test"),
                ("accept", "application/octet-stream"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(bytes.status, 200);

    let auths: Vec<Auth> = fake.journal().await.iter().map(|e| e.auth).collect();
    assert_eq!(
        &auths[..4],
        [Auth::None, Auth::Invalid, Auth::Valid, Auth::Valid]
    );
    assert!(fake.unexpected().is_empty());
}

#[tokio::test]
async fn rate_limit_answers_403_with_github_headers() {
    let fake = start(Origin::new(REPO).stream(jira())).await;
    let ok = get(&fake, "/api.github.com/repos/acme/origin/releases").await;
    assert_eq!(ok.header("x-ratelimit-limit"), "5000");
    assert_eq!(ok.header("x-ratelimit-remaining"), "4999");
    assert_eq!(ok.header("x-ratelimit-used"), "1");
    assert_eq!(ok.header("x-ratelimit-resource"), "core");

    fake.rate_limit(2);
    for remaining in ["1", "0"] {
        let answer = get(&fake, "/api.github.com/repos/acme/origin/releases/latest").await;
        assert_eq!(answer.status, 200);
        assert_eq!(answer.header("x-ratelimit-remaining"), remaining);
    }
    let limited = get(&fake, "/api.github.com/repos/acme/origin/releases/latest").await;
    assert_eq!(limited.status, 403);
    assert_eq!(limited.header("x-ratelimit-remaining"), "0");
    assert_eq!(limited.header("x-ratelimit-used"), "5000");
    let reset: u64 = limited
        .header("x-ratelimit-reset")
        .parse()
        .expect("epoch seconds");
    assert!(reset > 1_700_000_000);
    let message = limited.json()["message"]
        .as_str()
        .expect("message")
        .to_string();
    assert!(
        message.starts_with("API rate limit exceeded for 127.0.0.1."),
        "{message}"
    );

    // Downloads are not API requests.
    let download = get(
        &fake,
        "/github.com/acme/origin/releases/download/v1.7.0+jira/jira_1.7.0_linux_amd64.tar.gz",
    )
    .await;
    assert_eq!(download.status, 302);
    fake.lift_rate_limit();
    assert_eq!(
        get(&fake, "/api.github.com/repos/acme/origin").await.status,
        200
    );
}

#[tokio::test]
async fn a_fault_fails_n_times_then_the_route_answers() {
    let fake = start(Origin::new(REPO).stream(jira())).await;
    fake.fail(RouteKind::ReleasesList, 502, 2).await;
    let url = "/api.github.com/repos/acme/origin/releases?per_page=100";
    assert_eq!(get(&fake, url).await.status, 502);
    assert_eq!(get(&fake, url).await.status, 502);
    assert_eq!(get(&fake, url).await.status, 200);
    assert_eq!(
        get(&fake, "/api.github.com/repos/acme/origin/releases/latest")
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn truncated_and_altered_assets_keep_their_original_digest() {
    let fake = start(Origin::new(REPO).stream(jira())).await;
    let built = fake.origin(REPO).expect("hosted");
    let whole = built
        .asset_named("jira_1.7.0_linux_amd64.tar.gz")
        .expect("asset")
        .clone();
    fake.truncate("jira_1.7.0_linux_amd64.tar.gz");
    fake.alter("jira_1.7.0_darwin_arm64.tar.gz");
    let web = "/github.com/acme/origin/releases/download/v1.7.0%2Bjira";

    let short = follow(get(&fake, &format!("{web}/jira_1.7.0_linux_amd64.tar.gz")).await).await;
    assert_eq!(short.status, 200);
    assert_eq!(short.body.len(), whole.bytes.len() / 2);
    assert_eq!(short.header("content-length"), short.body.len().to_string());
    assert_eq!(&short.body[..], &whole.bytes[..whole.bytes.len() / 2]);

    let altered = built
        .asset_named("jira_1.7.0_darwin_arm64.tar.gz")
        .expect("asset");
    let flipped = follow(get(&fake, &format!("{web}/jira_1.7.0_darwin_arm64.tar.gz")).await).await;
    assert_eq!(flipped.body.len(), altered.bytes.len());
    assert_ne!(hex::encode(Sha256::digest(&flipped.body)), altered.sha256);
    let release = get(
        &fake,
        "/api.github.com/repos/acme/origin/releases/tags/v1.7.0+jira",
    )
    .await
    .json();
    assert_eq!(
        release["assets"][1]["digest"],
        format!("sha256:{}", altered.sha256)
    );
}

#[tokio::test]
async fn the_catch_all_answers_like_github_and_records_the_request() {
    let fake = start(Origin::new(REPO).stream(jira())).await;
    let user = get(&fake, "/api.github.com/user").await;
    assert_eq!(user.status, 404);
    assert_eq!(
        user.json()["documentation_url"],
        "https://docs.github.com/rest"
    );
    let other = get(&fake, "/api.github.com/repos/acme/other/releases").await;
    assert_eq!(other.status, 404);
    let elsewhere = get(&fake, "/versions/jira").await;
    assert_eq!(elsewhere.status, 404);
    let unexpected: Vec<String> = fake.unexpected().iter().map(ToString::to_string).collect();
    assert_eq!(
        unexpected,
        [
            "GET /api.github.com/user",
            "GET /api.github.com/repos/acme/other/releases",
            "GET /versions/jira"
        ]
    );
}

#[tokio::test]
async fn the_journal_renders_every_request_in_order() {
    let fake = start(Origin::new(REPO).token("ghp_test").stream(jira())).await;
    get(
        &fake,
        "/api.github.com/repos/acme/origin/releases?per_page=100",
    )
    .await;
    get_with(
        &format!(
            "{}/repos/acme/origin/releases/tags/v1.7.0%2Bjira",
            fake.api_base()
        ),
        &[("authorization", "Bearer ghp_test")],
    )
    .await;
    get_with(
        &format!("{}/repos/acme/origin/releases/latest", fake.api_base()),
        &[("authorization", "token nope")],
    )
    .await;
    follow(
        get(
            &fake,
            "/github.com/acme/origin/releases/download/v1.7.0%2Bjira/jira_checksums.txt",
        )
        .await,
    )
    .await;
    let journal = fake.journal().await;
    assert!(journal[1].token());
    let text = render(&journal);
    let expected = "\
GET /api.github.com/repos/acme/origin/releases?per_page=100
GET /api.github.com/repos/acme/origin/releases/tags/v1.7.0%2Bjira  auth=valid
GET /api.github.com/repos/acme/origin/releases/latest  auth=invalid
GET /github.com/acme/origin/releases/download/v1.7.0%2Bjira/jira_checksums.txt
GET /objects/github-production-release-asset/700000001/500006?rscd=attachment%3B+filename%3Djira_checksums.txt&rsct=application%2Foctet-stream
";
    assert_eq!(text, expected);
}

#[tokio::test]
async fn a_release_published_after_start_is_listed_first() {
    let fake = start(Origin::load("prefix-tags").expect("fixture loads")).await;
    let before = get(&fake, "/api.github.com/repos/acme/origin/releases")
        .await
        .json();
    assert_eq!(tags_of(&before)[0], "tfc-v0.0.6");
    fake.publish_version(REPO, "jira", "1.8.0")
        .expect("publishes");
    fake.publish(
        REPO,
        Release::new("tools-2026.03")
            .published("2025-01-01T00:00:00Z")
            .asset(ReleaseAsset::binary(
                "tools_linux_amd64.zip",
                "tools",
                "2026.3.0",
            )),
    )
    .expect("publishes");
    let after = get(&fake, "/api.github.com/repos/acme/origin/releases")
        .await
        .json();
    assert_eq!(tags_of(&after)[0], "jira-v1.8.0");
    assert_eq!(
        tags_of(&after).last().map(String::as_str),
        Some("tools-2026.03")
    );
    let latest = get(&fake, "/api.github.com/repos/acme/origin/releases/latest")
        .await
        .json();
    assert_eq!(latest["tag_name"], "jira-v1.8.0");
}

#[tokio::test]
async fn the_starvation_fixture_hides_the_quiet_stream_past_page_one() {
    let fake = start(Origin::load("starvation").expect("fixture loads")).await;
    let first = tags_of(
        &get(
            &fake,
            "/api.github.com/repos/acme/origin/releases?per_page=100",
        )
        .await
        .json(),
    );
    assert!(first.iter().all(|tag| tag.starts_with("jira-v")));
    let second = tags_of(
        &get(
            &fake,
            "/api.github.com/repos/acme/origin/releases?per_page=100&page=2",
        )
        .await
        .json(),
    );
    assert_eq!(second.len(), 55);
    assert_eq!(
        &second[50..],
        [
            "tfc-v0.0.6",
            "tfc-v0.0.5",
            "tfc-v0.0.4",
            "tfc-v0.0.3",
            "tfc-v0.0.2"
        ]
    );
}

#[tokio::test]
async fn url_replacements_and_repo_payload() {
    let fake = start(Origin::load("build-metadata").expect("fixture loads")).await;
    let replacements = fake.url_replacements();
    assert_eq!(
        replacements["https://api.github.com"],
        format!("{}/api.github.com", fake.uri())
    );
    assert_eq!(
        replacements["https://github.com"],
        format!("{}/github.com", fake.uri())
    );
    assert_eq!(fake.public.api, "https://api.github.com");
    let repo = get(&fake, "/api.github.com/repos/ACME/Origin").await.json();
    assert_eq!(repo["full_name"], "acme/origin");
    assert_eq!(repo["default_branch"], "main");
    assert_eq!(repo["private"], false);
    assert_eq!(repo["id"], fake.repo_id(REPO).expect("hosted"));
}

#[test]
fn every_fixture_loads() {
    let dir = skillrig_harness::fixture::fixtures_dir();
    let mut loaded = 0;
    for entry in std::fs::read_dir(&dir).expect("fixtures/ exists") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "toml") {
            Origin::from_toml_file(&path).unwrap_or_else(|err| panic!("{err:#}"));
            loaded += 1;
        }
    }
    assert!(loaded >= 4);
}

#[test]
fn fixture_errors_name_the_file_and_the_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = [
        (
            "typo.toml",
            "owner = \"acme\"\nrepo = \"origin\"\n[[stream]]\nbinary = \"jira\"\ntag = \"v{version}\"\nverions = [\"1.0.0\"]\n",
            "verions",
        ),
        (
            "time.toml",
            "owner = \"acme\"\nrepo = \"origin\"\n[[stream]]\nbinary = \"jira\"\ntag = \"v{version}\"\nversions = [\"1.0.0\"]\npublished = \"soon\"\n",
            "published",
        ),
        (
            "type.toml",
            "owner = \"acme\"\nrepo = \"origin\"\nprivate = \"yes\"\n",
            "private",
        ),
        (
            "template.toml",
            "owner = \"acme\"\nrepo = \"origin\"\n[[stream]]\nbinary = \"jira\"\ntag = \"v{version}\"\nversions = [\"1.0.0\"]\nassets = [{ name = \"jira_{platform}.zip\" }]\n",
            "assets",
        ),
        (
            "count.toml",
            "owner = \"acme\"\nrepo = \"origin\"\n[[stream]]\nbinary = \"jira\"\ntag = \"v{version}\"\ncount = 3\nfirst = \"one\"\n",
            "first",
        ),
    ];
    for (file, text, field) in cases {
        let path = dir.path().join(file);
        std::fs::write(&path, text).expect("written");
        let err = Origin::from_toml_file(&path).expect_err(file);
        let message = format!("{err:#}");
        assert!(message.contains(file), "{file}: {message}");
        assert!(message.contains(field), "{file}: {message}");
    }
}

#[test]
fn archives_are_byte_for_byte_stable() {
    let one = Origin::load("build-metadata")
        .expect("loads")
        .build()
        .expect("builds");
    let two = Origin::load("build-metadata")
        .expect("loads")
        .build()
        .expect("builds");
    let digests = |o: &skillrig_harness::fixture::BuiltOrigin| -> Vec<String> {
        o.releases
            .iter()
            .flat_map(|r| r.assets.iter().map(|a| a.sha256.clone()))
            .collect()
    };
    assert_eq!(digests(&one), digests(&two));
    assert_eq!(one.releases.len(), 4);
}

#[tokio::test]
async fn ids_are_sequential_and_listing_breaks_ties_by_id() {
    let fake = start(
        Origin::new(REPO)
            .release(Release::new("a").published("2026-01-01T00:00:00Z"))
            .release(Release::new("b").published("2026-01-01T00:00:00Z")),
    )
    .await;
    let listed = get(&fake, "/api.github.com/repos/acme/origin/releases")
        .await
        .json();
    assert_eq!(tags_of(&listed), ["b", "a"]);
    assert_eq!(listed[0]["id"], 100_002);
    assert_eq!(listed[1]["id"], 100_001);
}
