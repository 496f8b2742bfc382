//! github.com's own hosts, served over TLS from inside the tripwire.
//!
//! The tripwire answers a `CONNECT` to one of [`SERVED`] with a tunnel, completes a TLS handshake
//! with a certificate for that host signed by a test CA made for the run ([`TestCa`]), then reads
//! plain HTTP/1.1 from the tunnel and forwards each request to the fake GitHub below the host's
//! path prefix (`https://api.github.com/repos/...` → `<fake>/api.github.com/repos/...`). mise
//! trusts the CA through `SSL_CERT_FILE`, so nothing on the machine changes, and it sends the
//! requests it would send to github.com: no `url_replacements`, its token to `api.github.com`.
//!
//! The front also injects what wiremock cannot, on the bytes of one asset ([`BodyFault`]): a body
//! that stops half way and never ends, or a request that is accepted and never answered. Each
//! time one is reached it is recorded, so a runner can interrupt mise at that moment
//! ([`Front::wait_for_fault`]).

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Bytes, Frame, Incoming};
use hyper::{Request, Response};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use percent_encoding::percent_decode_str;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::sync::Notify;
use tokio_rustls::TlsAcceptor;

use crate::fake_github::{API_PREFIX, OBJECTS_ROOT, RAW_PREFIX, WEB_PREFIX};

/// The host GitHub's release objects are served from (the 302 of a download leads there).
pub const OBJECTS_HOST: &str = "objects.githubusercontent.com";

/// The hosts the front serves, each with the fake's path prefix its requests go below.
pub const SERVED: [(&str, &str); 4] = [
    ("api.github.com", API_PREFIX),
    ("github.com", WEB_PREFIX),
    ("raw.githubusercontent.com", RAW_PREFIX),
    (OBJECTS_HOST, OBJECTS_ROOT),
];

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type FrontBody = BoxBody<Bytes, BoxError>;

/// A certificate authority made for one run: its certificate is what mise is told to trust, and
/// it signs one certificate per served host.
pub struct TestCa {
    pem: String,
    der: CertificateDer<'static>,
    issuer: Issuer<'static, KeyPair>,
}

impl std::fmt::Debug for TestCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestCa").finish_non_exhaustive()
    }
}

impl TestCa {
    /// A new CA with a fresh key.
    pub fn generate() -> Result<Self> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "skillrig-harness test CA (one run)");
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate()?;
        let cert = params.self_signed(&key)?;
        Ok(Self {
            pem: cert.pem(),
            der: cert.der().clone(),
            issuer: Issuer::new(params, key),
        })
    }

    /// The CA certificate, PEM: the file `SSL_CERT_FILE` names.
    pub fn pem(&self) -> &str {
        &self.pem
    }

    /// The CA certificate, DER.
    pub fn der(&self) -> &CertificateDer<'static> {
        &self.der
    }

    /// A certificate for `host` signed by this CA, with its key.
    pub fn issue(&self, host: &str) -> Result<(CertificateDer<'static>, PrivateKeyDer<'static>)> {
        let mut params = CertificateParams::new(vec![host.to_string()])?;
        params.distinguished_name.push(DnType::CommonName, host);
        params.use_authority_key_identifier_extension = true;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &self.issuer)?;
        Ok((
            cert.der().clone(),
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        ))
    }

    /// A TLS server configuration presenting `host`'s certificate.
    fn server_config(&self, host: &str) -> Result<Arc<ServerConfig>> {
        let (cert, key) = self.issue(host)?;
        let mut config =
            ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()?
                .with_no_client_auth()
                .with_single_cert(vec![cert], key)?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

/// What the front does to the download (`GET`) of one asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFault {
    /// The headers and the first half of the body are sent (`content-length` the whole), then
    /// nothing more, the connection kept open.
    Stall,
    /// The request is read and never answered, the connection kept open.
    Silent,
}

/// The TLS front: certificates for [`SERVED`], the fake it forwards to, and injected faults.
pub struct Front {
    ca: TestCa,
    acceptors: BTreeMap<&'static str, (TlsAcceptor, &'static str)>,
    upstream: String,
    client: Client<HttpConnector, Full<Bytes>>,
    faults: Mutex<BTreeMap<String, BodyFault>>,
    log: Mutex<FrontLog>,
    reached: Notify,
}

impl std::fmt::Debug for Front {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Front")
            .field("upstream", &self.upstream)
            .finish_non_exhaustive()
    }
}

/// What went through the front.
#[derive(Debug, Default, Clone)]
pub struct FrontLog {
    /// `host METHOD /path` of every request served, in arrival order.
    pub served: Vec<String>,
    /// Handshakes that failed: `host: error`. mise refused the certificate, so it does not
    /// trust the test CA.
    pub refused: Vec<String>,
    /// Faults reached, in order: `stall jira_1.7.0_linux_amd64.tar.gz (4096 of 8192 bytes)`.
    pub faults: Vec<String>,
}

impl Front {
    /// A front with a new CA, forwarding to the fake at `upstream` (`http://127.0.0.1:PORT`).
    pub fn new(upstream: &str) -> Result<Self> {
        let ca = TestCa::generate().context("generating the test CA")?;
        let mut acceptors = BTreeMap::new();
        for (host, prefix) in SERVED {
            let config = ca
                .server_config(host)
                .with_context(|| format!("issuing the test certificate for {host}"))?;
            acceptors.insert(host, (TlsAcceptor::from(config), prefix));
        }
        Ok(Self {
            ca,
            acceptors,
            upstream: upstream.trim_end_matches('/').to_string(),
            client: Client::builder(TokioExecutor::new()).build_http(),
            faults: Mutex::new(BTreeMap::new()),
            log: Mutex::new(FrontLog::default()),
            reached: Notify::new(),
        })
    }

    /// The test CA.
    pub fn ca(&self) -> &TestCa {
        &self.ca
    }

    /// Whether `host` (without port) is served here.
    pub fn serves(&self, host: &str) -> bool {
        self.acceptors.contains_key(host)
    }

    /// Injects `fault` on every download of the asset named `asset`.
    pub fn inject(&self, asset: &str, fault: BodyFault) {
        if let Ok(mut faults) = self.faults.lock() {
            faults.insert(asset.to_string(), fault);
        }
    }

    /// Removes every injected fault.
    pub fn clear_faults(&self) {
        if let Ok(mut faults) = self.faults.lock() {
            faults.clear();
        }
    }

    /// What went through the front so far.
    pub fn log(&self) -> FrontLog {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Waits until more than `seen` faults were reached, or `timeout` passes; `true` if one was.
    pub async fn wait_for_fault(&self, seen: usize, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.reached.notified();
            if self.log().faults.len() > seen {
                return true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.log().faults.len() > seen;
            }
        }
    }

    fn record(&self, change: impl FnOnce(&mut FrontLog)) {
        if let Ok(mut log) = self.log.lock() {
            change(&mut log);
        }
    }

    /// Records that a fault was reached and wakes whoever waits for one.
    fn reach_fault(&self, what: String) {
        self.record(|log| log.faults.push(what));
        self.reached.notify_waiters();
    }

    /// Serves one tunnel to `host` (the `CONNECT` already answered): the TLS handshake, then
    /// HTTP/1.1 until the client closes.
    pub(crate) async fn serve_tunnel(self: Arc<Self>, host: String, stream: tokio::net::TcpStream) {
        let Some((acceptor, prefix)) = self.acceptors.get(host.as_str()).cloned() else {
            return;
        };
        let tls = match acceptor.accept(stream).await {
            Ok(tls) => tls,
            Err(e) => {
                self.record(|log| log.refused.push(format!("{host}: {e}")));
                return;
            }
        };
        let front = self.clone();
        let service = hyper::service::service_fn(move |request| {
            let front = front.clone();
            let host = host.clone();
            async move { Ok::<_, Infallible>(front.forward(&host, prefix, request).await) }
        });
        let _ = hyper::server::conn::http1::Builder::new()
            .serve_connection(TokioIo::new(tls), service)
            .await;
    }

    /// Forwards `request` for `host` to the fake below `prefix`, applying any fault.
    async fn forward(
        &self,
        host: &str,
        prefix: &str,
        request: Request<Incoming>,
    ) -> Response<FrontBody> {
        let (parts, body) = request.into_parts();
        let path = parts
            .uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_string();
        self.record(|log| log.served.push(format!("{host} {} {path}", parts.method)));
        // A fault is on the download (`GET`), not on a `HEAD` that checks the URL first.
        let download = parts.method == hyper::Method::GET;
        let fault = asset_of(&path).filter(|_| download).and_then(|asset| {
            let fault = self.faults.lock().ok()?.get(&asset).copied()?;
            Some((asset, fault))
        });
        if let Some((asset, BodyFault::Silent)) = &fault {
            self.reach_fault(format!("silent {asset}"));
            std::future::pending::<()>().await;
        }
        let body = body
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        let mut upstream = Request::builder()
            .method(parts.method)
            .uri(format!("{}{prefix}{path}", self.upstream));
        for (name, value) in &parts.headers {
            upstream = upstream.header(name, value);
        }
        let answer = match upstream.body(Full::new(body)) {
            Ok(request) => self.client.request(request).await.map_err(|e| anyhow!(e)),
            Err(e) => Err(anyhow!(e)),
        };
        let response = match answer {
            Ok(response) => response,
            Err(e) => {
                let text = format!("the harness's TLS front could not reach the fake: {e}");
                let mut response = Response::new(full(text));
                *response.status_mut() = hyper::StatusCode::BAD_GATEWAY;
                return response;
            }
        };
        let Some((asset, BodyFault::Stall)) = fault else {
            return response.map(|b| b.map_err(|e| Box::new(e) as BoxError).boxed());
        };
        let (parts, body) = response.into_parts();
        let bytes = body
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        let half = bytes.slice(..bytes.len() / 2);
        self.reach_fault(format!(
            "stall {asset} ({} of {} bytes)",
            half.len(),
            bytes.len()
        ));
        Response::from_parts(parts, Stalled { first: Some(half) }.boxed())
    }
}

fn full(text: String) -> FrontBody {
    Full::new(Bytes::from(text))
        .map_err(|never| match never {})
        .boxed()
}

/// The asset an object URL names: `...?rscd=attachment%3B+filename%3D<name>&...`.
fn asset_of(path: &str) -> Option<String> {
    let (_, query) = path.split_once('?')?;
    query.split('&').find_map(|pair| {
        let value = pair.strip_prefix("rscd=")?;
        let decoded = percent_decode_str(value).decode_utf8_lossy().into_owned();
        let name = decoded.split_once("filename=")?.1;
        Some(percent_decode_str(name).decode_utf8_lossy().into_owned())
    })
}

/// A body that yields its first part, then never ends.
struct Stalled {
    first: Option<Bytes>,
}

impl Body for Stalled {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match self.first.take() {
            Some(bytes) => Poll::Ready(Some(Ok(Frame::data(bytes)))),
            None => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake_github::FakeGithub;
    use crate::fixture::{AssetTemplate, Origin, Stream};
    use crate::tripwire::Tripwire;
    use rustls::pki_types::ServerName;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    /// A fake serving `acme/origin` (jira 1.0.0) behind a tripwire with a front.
    async fn served() -> (FakeGithub, Tripwire, CertificateDer<'static>) {
        let origin = Origin::new("acme/origin").stream(
            Stream::new("jira", "jira-v{version}")
                .versions(["1.0.0"])
                .asset(
                    AssetTemplate::new("jira_{version}_{os}_{arch}.tar.gz")
                        .platforms(["linux-amd64"]),
                ),
        );
        let fake = FakeGithub::start(vec![origin])
            .await
            .expect("the fake starts");
        let front = Front::new(&fake.uri()).expect("the front starts");
        let ca = front.ca().der().clone();
        fake.serve_objects_at(&format!("https://{OBJECTS_HOST}"));
        let tripwire = Tripwire::with_front(front)
            .await
            .expect("the tripwire starts");
        (fake, tripwire, ca)
    }

    /// Sends `CONNECT host:443` to the tripwire; the proxy's answer line and the open stream.
    async fn connect(tripwire: &Tripwire, host: &str) -> (String, TcpStream) {
        let port: u16 = tripwire
            .url()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("port");
        let mut stream = TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("connects");
        let head = format!("CONNECT {host}:443 HTTP/1.1\r\nHost: {host}:443\r\n\r\n");
        stream.write_all(head.as_bytes()).await.expect("writes");
        let mut answer = Vec::new();
        let mut byte = [0u8; 1];
        while !answer.ends_with(b"\r\n\r\n") && stream.read(&mut byte).await.unwrap_or(0) == 1 {
            answer.push(byte[0]);
        }
        let line = String::from_utf8_lossy(&answer)
            .lines()
            .next()
            .unwrap_or("")
            .to_string();
        (line, stream)
    }

    /// `GET path` to `host` through a tunnel, trusting only `ca`: the response's head and body.
    async fn get(
        tripwire: &Tripwire,
        ca: &CertificateDer<'static>,
        host: &str,
        path: &str,
    ) -> Result<String> {
        let (line, stream) = connect(tripwire, host).await;
        anyhow::ensure!(line.contains(" 200 "), "CONNECT answered {line:?}");
        let mut roots = rustls::RootCertStore::empty();
        roots.add(ca.clone())?;
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let mut tls = connector
            .connect(ServerName::try_from(host.to_string())?, stream)
            .await?;
        let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        tls.write_all(request.as_bytes()).await?;
        let mut response = Vec::new();
        let _ = tls.read_to_end(&mut response).await;
        Ok(String::from_utf8_lossy(&response).into_owned())
    }

    /// The path on the objects host that the web download of jira 1.0.0 redirects to.
    async fn object_path(tripwire: &Tripwire, ca: &CertificateDer<'static>) -> String {
        let web = get(
            tripwire,
            ca,
            "github.com",
            "/acme/origin/releases/download/jira-v1.0.0/jira_1.0.0_linux_amd64.tar.gz",
        )
        .await
        .expect("web");
        assert!(web.starts_with("HTTP/1.1 302"), "{web}");
        let location = web
            .lines()
            .find_map(|l| l.strip_prefix("location: "))
            .expect("a location")
            .trim()
            .to_string();
        location
            .strip_prefix(&format!("https://{OBJECTS_HOST}"))
            .expect("the 302 leads to the objects host")
            .to_string()
    }

    #[tokio::test]
    async fn each_served_host_presents_its_own_certificate_and_reaches_the_fake() {
        let (fake, tripwire, ca) = served().await;
        let api = get(&tripwire, &ca, "api.github.com", "/repos/acme/origin")
            .await
            .expect("api");
        assert!(api.starts_with("HTTP/1.1 200"), "{api}");
        assert!(api.contains("\"full_name\":\"acme/origin\""), "{api}");
        let object_path = object_path(&tripwire, &ca).await;
        let object = get(&tripwire, &ca, OBJECTS_HOST, &object_path)
            .await
            .expect("object");
        assert!(object.starts_with("HTTP/1.1 200"), "{object}");
        let raw = get(
            &tripwire,
            &ca,
            "raw.githubusercontent.com",
            "/acme/origin/main/nope.toml",
        )
        .await
        .expect("raw");
        assert!(raw.starts_with("HTTP/1.1 404"), "{raw}");
        let journal: Vec<String> = fake.journal().await.iter().map(|e| e.to_string()).collect();
        for prefix in [
            "/api.github.com/",
            "/github.com/",
            "/objects/github-production-release-asset/",
            "/raw.githubusercontent.com/",
        ] {
            assert!(
                journal.iter().any(|l| l.contains(prefix)),
                "{prefix} in {journal:?}"
            );
        }
        assert!(fake.unexpected().is_empty(), "{:?}", fake.unexpected());
        assert!(tripwire.caught().is_empty(), "{:?}", tripwire.caught());
        let front = tripwire.front().expect("a front");
        assert_eq!(front.log().served.len(), 4);
        assert!(front.log().refused.is_empty());
    }

    #[tokio::test]
    async fn a_certificate_names_only_its_host() {
        let (_fake, tripwire, ca) = served().await;
        // The tunnel is to api.github.com; a client expecting github.com refuses the certificate.
        let (line, stream) = connect(&tripwire, "api.github.com").await;
        assert!(line.contains(" 200 "), "{line}");
        let mut roots = rustls::RootCertStore::empty();
        roots.add(ca).expect("the CA");
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
        let refused = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(ServerName::try_from("github.com").expect("a name"), stream)
            .await;
        assert!(
            refused.is_err(),
            "a certificate for api.github.com passed as github.com"
        );
    }

    #[tokio::test]
    async fn any_other_host_is_refused_and_recorded() {
        let (fake, tripwire, _ca) = served().await;
        for host in ["mise.jdx.dev", "uploads.github.com", "evil.example"] {
            let (line, _) = connect(&tripwire, host).await;
            assert!(line.starts_with("HTTP/1.1 403"), "{host}: {line}");
        }
        assert_eq!(
            tripwire.caught(),
            [
                "CONNECT mise.jdx.dev:443 HTTP/1.1",
                "CONNECT uploads.github.com:443 HTTP/1.1",
                "CONNECT evil.example:443 HTTP/1.1"
            ]
        );
        assert!(fake.journal().await.is_empty());
    }

    #[tokio::test]
    async fn a_client_without_the_ca_is_refused_and_the_refusal_recorded() {
        let (fake, tripwire, _ca) = served().await;
        let other = TestCa::generate().expect("another CA");
        let failed = get(
            &tripwire,
            other.der(),
            "api.github.com",
            "/repos/acme/origin",
        )
        .await;
        assert!(failed.is_err(), "{failed:?}");
        // The server side records the refusal once the client's alert arrives.
        for _ in 0..50 {
            if !tripwire.front().expect("front").log().refused.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let log = tripwire.front().expect("front").log();
        assert_eq!(log.refused.len(), 1, "{log:?}");
        assert!(log.refused[0].starts_with("api.github.com: "), "{log:?}");
        assert!(fake.journal().await.is_empty());
    }

    #[tokio::test]
    async fn stall_and_silent_faults_hold_the_download_and_are_reported() {
        let (_fake, tripwire, ca) = served().await;
        let front = tripwire.front().expect("front");
        front.inject("jira_1.0.0_linux_amd64.tar.gz", BodyFault::Stall);
        let path = object_path(&tripwire, &ca).await;
        let stalled = tokio::time::timeout(
            Duration::from_millis(500),
            get(&tripwire, &ca, OBJECTS_HOST, &path),
        )
        .await;
        assert!(stalled.is_err(), "a stalled body ended: {stalled:?}");
        assert!(front.wait_for_fault(0, Duration::from_secs(1)).await);
        assert!(
            front.log().faults[0].starts_with("stall jira_1.0.0_linux_amd64.tar.gz ("),
            "{:?}",
            front.log()
        );
        front.inject("jira_1.0.0_linux_amd64.tar.gz", BodyFault::Silent);
        let silent = tokio::time::timeout(
            Duration::from_millis(500),
            get(&tripwire, &ca, OBJECTS_HOST, &path),
        )
        .await;
        assert!(silent.is_err(), "a silent server answered: {silent:?}");
        assert!(front.wait_for_fault(1, Duration::from_secs(1)).await);
        assert_eq!(
            front.log().faults[1],
            "silent jira_1.0.0_linux_amd64.tar.gz"
        );
        front.clear_faults();
        let whole = get(&tripwire, &ca, OBJECTS_HOST, &path)
            .await
            .expect("object");
        assert!(whole.starts_with("HTTP/1.1 200"), "{whole}");
    }

    #[test]
    fn object_urls_name_their_asset() {
        assert_eq!(
            asset_of(
                "/github-production-release-asset/7/5?rscd=attachment%3B+filename%3Djira_1.7.0%2Bx.tar.gz&rsct=application%2Foctet-stream"
            )
            .as_deref(),
            Some("jira_1.7.0+x.tar.gz")
        );
        assert_eq!(asset_of("/repos/acme/origin/releases"), None);
    }
}
