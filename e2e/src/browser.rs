//! Runs a command component in a browser: headless Chromium (Debian's
//! `chromium`, installed by `.ci/install-toolchains`) loads
//! `tests/js-host/browser.html` from a small HTTP server on 127.0.0.1. The
//! page runs the component as jco transpiled it with no flags, on the
//! preview2-shim's browser build (an import map points the shim's bare
//! names at `dist/browser/`), and writes its stdout, stderr and exit status
//! into the page as JSON, which `--dump-dom` prints.
//!
//! The server serves only files under the transpiled components' directory
//! (which links `tests/js-host/node_modules`) and the page; it answers at
//! most [`MAX_REQUESTS`] requests and stops when its [`Server`] is dropped.

use crate::jco::{js_host_dir, transpile_for, JsHost};
use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A page load fetches the page, the shim's modules and the component's
/// files: a few dozen requests. This bounds a run gone wrong.
pub const MAX_REQUESTS: usize = 2000;

/// What the page reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageResult {
    pub stdout: String,
    pub stderr: String,
    /// The exit status, or the error the page caught.
    pub status: Result<i32, String>,
}

/// `chromium`, or an error saying how to get it.
fn chromium() -> Result<PathBuf> {
    for c in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] {
        if Path::new(c).exists() {
            return Ok(PathBuf::from(c));
        }
    }
    bail!("no chromium (`apt-get install chromium`, as .ci/install-toolchains does)")
}

/// A static file server on 127.0.0.1 for one directory and the page.
pub struct Server {
    pub port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    pub fn start(root: PathBuf, page: PathBuf) -> Result<Server> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            for (served, stream) in listener.incoming().enumerate() {
                if flag.load(Ordering::SeqCst) || served >= MAX_REQUESTS {
                    break;
                }
                if let Ok(stream) = stream {
                    let _ = serve(stream, &root, &page);
                }
            }
        });
        Ok(Server {
            port,
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(stream: TcpStream, root: &Path, page: &Path) -> Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" {
            break;
        }
    }
    let path = request.split_whitespace().nth(1).unwrap_or("/");
    let path = path.split('?').next().unwrap_or("/");
    let file = if path == "/" || path == "/index.html" {
        Some(page.to_path_buf())
    } else if path.split('/').any(|p| p == "..") {
        None
    } else {
        Some(root.join(path.trim_start_matches('/')))
    };
    let mut stream = stream;
    match file.and_then(|f| std::fs::read(&f).ok().map(|b| (f, b))) {
        Some((f, body)) => {
            let ty = match f.extension().and_then(|e| e.to_str()) {
                Some("html") => "text/html",
                Some("js") | Some("mjs") => "text/javascript",
                Some("wasm") => "application/wasm",
                Some("json") => "application/json",
                _ => "application/octet-stream",
            };
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: {ty}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            stream.write_all(&body)?;
        }
        None => write!(
            stream,
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )?,
    }
    Ok(())
}

/// Runs the command component `wasm` with `args` (argv[0] included) in
/// headless Chromium; `timeout` bounds the page's run.
pub fn run(wasm: &[u8], args: &[&str], timeout: Duration) -> Result<PageResult> {
    let entry = transpile_for(wasm, JsHost::Default)?;
    let root = entry
        .parent()
        .and_then(Path::parent)
        .context("transpiled component has no directory")?
        .to_path_buf();
    let relative = entry.strip_prefix(&root)?.to_string_lossy().into_owned();
    let server = Server::start(root, js_host_dir().join("browser.html"))?;
    let args_json = serde_json::to_string(args)?;
    let url = format!(
        "http://127.0.0.1:{}/index.html?component=/{}&args={}",
        server.port,
        relative,
        percent_encode(&args_json)
    );
    let profile = tempfile::tempdir()?;
    let out = Command::new(chromium()?)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--virtual-time-budget={}", timeout.as_millis()))
        .arg(format!("--timeout={}", timeout.as_millis()))
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .context("starting chromium")?;
    drop(server);
    let dom = String::from_utf8_lossy(&out.stdout);
    let Some(json) = dom
        .split("<pre id=\"result\">")
        .nth(1)
        .and_then(|rest| rest.split("</pre>").next())
        .filter(|j| !j.is_empty())
    else {
        bail!(
            "the page reported nothing; chromium's stderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let json = json
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    let v: serde_json::Value = serde_json::from_str(&json).context("the page's JSON")?;
    let text = |k: &str| v[k].as_str().unwrap_or_default().to_string();
    Ok(PageResult {
        stdout: text("stdout"),
        stderr: text("stderr"),
        status: match &v["status"] {
            serde_json::Value::Number(n) => Ok(n.as_i64().unwrap_or(-1) as i32),
            other => Err(other.to_string()),
        },
    })
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
