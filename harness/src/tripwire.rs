//! The tripwire: the proxy every mise run is pointed at, so a request that is not for the fake
//! GitHub fails at once (403) instead of reaching the network or hanging, and is recorded.
//!
//! mise's HTTP client honours `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` with `NO_PROXY`, so with
//! `NO_PROXY=127.0.0.1` only the fake is reached directly and everything else arrives here as
//! `CONNECT host:443` (or `GET http://host/...`).
//!
//! A tripwire started [`Tripwire::with_front`] also serves github.com's hosts over TLS
//! ([`crate::tls_front`]): a `CONNECT` to one of them is a tunnel to the fake, not a stray.

use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::net::TcpStream;
use tokio::task::JoinHandle;

use crate::tls_front::Front;

/// A listening tripwire proxy and the request lines it caught.
#[derive(Debug)]
pub struct Tripwire {
    port: u16,
    caught: Arc<Mutex<Vec<String>>>,
    front: Option<Arc<Front>>,
    task: JoinHandle<()>,
}

impl Tripwire {
    /// Listen on a free loopback port; every request is a stray.
    pub async fn start() -> Result<Self> {
        Self::listen(None).await
    }

    /// Listen on a free loopback port, serving github.com's hosts through `front`; every other
    /// request is a stray.
    pub async fn with_front(front: Front) -> Result<Self> {
        Self::listen(Some(Arc::new(front))).await
    }

    async fn listen(front: Option<Arc<Front>>) -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .context("binding the tripwire proxy")?;
        let port = listener.local_addr()?.port();
        let caught = Arc::new(Mutex::new(Vec::new()));
        let sink = caught.clone();
        let serving = front.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(answer(stream, sink.clone(), serving.clone()));
            }
        });
        Ok(Self {
            port,
            caught,
            front,
            task,
        })
    }

    /// The TLS front, if this tripwire serves github.com's hosts.
    pub fn front(&self) -> Option<&Front> {
        self.front.as_deref()
    }

    /// The TLS front, shared (for a task that outlives a borrow).
    pub fn front_arc(&self) -> Option<Arc<Front>> {
        self.front.clone()
    }

    /// The proxy URL to put in `HTTPS_PROXY` and friends.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The first line of every request that reached the tripwire, in arrival order.
    pub fn caught(&self) -> Vec<String> {
        self.caught.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

/// Reads a request head from `stream`: a tunnel to a served host, or a stray refused with 403.
async fn answer(mut stream: TcpStream, caught: Arc<Mutex<Vec<String>>>, front: Option<Arc<Front>>) {
    let mut head = Vec::new();
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&head);
    let line = text.lines().next().unwrap_or("<empty>").to_string();
    let tunnel = line
        .strip_prefix("CONNECT ")
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|target| target.strip_suffix(":443"))
        .map(str::to_ascii_lowercase);
    if let (Some(front), Some(host)) = (front, tunnel)
        && front.serves(&host)
    {
        if stream
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .await
            .is_ok()
        {
            front.serve_tunnel(host, stream).await;
        }
        return;
    }
    if let Ok(mut caught) = caught.lock() {
        caught.push(line);
    }
    let _ = stream
        .write_all(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
        .await;
}

impl Drop for Tripwire {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn records_a_connect_and_refuses_it() {
        let tripwire = Tripwire::start().await.expect("tripwire starts");
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", tripwire.port))
            .await
            .expect("connects");
        stream
            .write_all(b"CONNECT api.github.com:443 HTTP/1.1\r\nHost: api.github.com:443\r\n\r\n")
            .await
            .expect("writes");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.expect("reads");
        assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
        assert_eq!(tripwire.caught(), ["CONNECT api.github.com:443 HTTP/1.1"]);
    }
}
