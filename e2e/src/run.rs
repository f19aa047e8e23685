//! What a test runs ([`Run`]) and what came out of it ([`Outcome`]),
//! independent of *how* the module is run: [`crate::native`] runs a wasip1
//! module on wasmtime's native preview1; a component runner builds its
//! `WasiCtx` from the same [`Run`] with [`Run::wasi_builder`] and turns the
//! end of the run into the same [`Outcome`] with [`Capture::finish`], so the
//! two outcomes can be compared with [`Outcome::diff`].
//!
//! ```no_run
//! use mmadapt_e2e::run::{Preopen, Run};
//! let run = Run::new("p1suite")
//!     .arg("all")
//!     .env("FOO", "bar")
//!     .stdin("hello stdin\n")
//!     .preopen(Preopen::new("/sandbox").file("hello.txt", "hi\n").dir("sub"))
//!     .preopen(Preopen::new("/ro").read_only().file("ro.txt", "read only\n"));
//! let wasm = mmadapt_e2e::programs::rust().unwrap();
//! let outcome = mmadapt_e2e::native::run(&wasm, &run).unwrap();
//! assert_eq!(outcome.exit, mmadapt_e2e::run::Exit::Code(3));
//! ```

use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;
use wasmtime_wasi::p2::pipe::{MemoryInputPipe, MemoryOutputPipe};
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtxBuilder};

/// How long a run may take before it is interrupted (it then ends as a
/// [`Exit::Trap`] saying so).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);
/// Capacity of each of the stdout and stderr pipes. Writing past it traps.
pub const DEFAULT_OUTPUT_LIMIT: usize = 64 << 20;

/// One run of a program: its command line, environment, stdin and
/// preopened directories.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    /// The whole command line, `argv[0]` included.
    pub args: Vec<String>,
    /// Environment variables, in this order. Nothing is inherited.
    pub env: Vec<(String, String)>,
    /// Everything stdin gives (then EOF).
    pub stdin: Vec<u8>,
    /// Preopened directories, in this order: the first gets fd 3.
    /// Each is a fresh temporary directory per run, filled with its entries.
    pub preopens: Vec<Preopen>,
    /// See [`DEFAULT_TIMEOUT`].
    pub timeout: Duration,
    /// See [`DEFAULT_OUTPUT_LIMIT`].
    pub output_limit: usize,
}

/// A preopened directory: the name the guest sees (`fd_prestat_dir_name`),
/// its permissions, and what it holds when the run starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preopen {
    /// Guest path, e.g. `/sandbox`.
    pub guest: String,
    /// [`FsPerms::ReadOnly`] instead of [`FsPerms::ReadWrite`].
    pub read_only: bool,
    /// Created in order (parents are created as needed).
    pub entries: Vec<Entry>,
}

/// Something to create in a preopened directory. Paths are relative,
/// `/`-separated, without `..`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    File { path: String, contents: Vec<u8> },
    Dir { path: String },
    Symlink { path: String, target: String },
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exit {
    /// `_start` returned (0), `proc_exit(n)` / `exit-with-code(n)` (n), or a
    /// component's `run` returned `err` (1).
    Code(i32),
    /// The run trapped (or was interrupted at the timeout): the error, with
    /// its causes. Messages differ between runners; [`Outcome::diff`]
    /// compares only *that* both trapped.
    Trap(String),
}

impl Exit {
    /// From the result of calling a core module's `_start` (or any call that
    /// may end in `proc_exit`).
    pub fn from_call(result: wasmtime::Result<()>) -> Exit {
        match result {
            Ok(()) => Exit::Code(0),
            Err(e) => Exit::from_error(e),
        }
    }

    /// From the result of calling a component's `wasi:cli/run#run`.
    pub fn from_run_result(result: wasmtime::Result<Result<(), ()>>) -> Exit {
        match result {
            Ok(Ok(())) => Exit::Code(0),
            Ok(Err(())) => Exit::Code(1),
            Err(e) => Exit::from_error(e),
        }
    }

    /// An error that ended a run: `I32Exit(n)` is an exit with code `n`,
    /// anything else a trap.
    pub fn from_error(e: wasmtime::Error) -> Exit {
        if let Some(exit) = e.downcast_ref::<I32Exit>() {
            return Exit::Code(exit.0);
        }
        if let Some(wasmtime::Trap::Interrupt) = e.downcast_ref::<wasmtime::Trap>() {
            return Exit::Trap(format!("interrupted at the run's timeout: {e:?}"));
        }
        Exit::Trap(format!("{e:?}"))
    }

    pub fn code(&self) -> Option<i32> {
        match self {
            Exit::Code(c) => Some(*c),
            Exit::Trap(_) => None,
        }
    }

    pub fn is_trap(&self) -> bool {
        matches!(self, Exit::Trap(_))
    }
}

impl fmt::Display for Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Exit::Code(c) => write!(f, "exit code {c}"),
            Exit::Trap(m) => write!(f, "trap: {m}"),
        }
    }
}

/// One node of the snapshot of the preopened directories after a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    File(Vec<u8>),
    Dir,
    Symlink(String),
    /// Anything else (FIFO, socket, device).
    Other,
}

/// What came out of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub exit: Exit,
    /// Every preopened directory after the run, keyed by guest path: the
    /// preopen itself (`/sandbox`, always a [`Node::Dir`]) and everything
    /// under it (`/sandbox/sub/a.txt`). Symlinks are not followed.
    pub files: BTreeMap<String, Node>,
}

impl Run {
    /// A run of `argv0` with no other argument, no environment, empty stdin
    /// and no preopened directory.
    pub fn new(argv0: impl Into<String>) -> Run {
        Run {
            args: vec![argv0.into()],
            env: Vec::new(),
            stdin: Vec::new(),
            preopens: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            output_limit: DEFAULT_OUTPUT_LIMIT,
        }
    }

    pub fn arg(mut self, a: impl Into<String>) -> Run {
        self.args.push(a.into());
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: Into<String>>(mut self, args: I) -> Run {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn env(mut self, k: impl Into<String>, v: impl Into<String>) -> Run {
        self.env.push((k.into(), v.into()));
        self
    }

    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Run {
        self.stdin = bytes.into();
        self
    }

    pub fn preopen(mut self, p: Preopen) -> Run {
        self.preopens.push(p);
        self
    }

    pub fn timeout(mut self, t: Duration) -> Run {
        self.timeout = t;
        self
    }

    /// Everything a WASI context needs for this run, for any runner:
    /// args, env, stdin, in-memory stdout/stderr pipes and the preopened
    /// directories (fresh temporary directories, filled). Nothing is
    /// inherited from the host, and `allow_blocking_current_thread` stays at
    /// its default (`false`). The [`Capture`] must live until the run is
    /// over; then [`Capture::finish`] gives the [`Outcome`].
    pub fn wasi_builder(&self) -> Result<(WasiCtxBuilder, Capture)> {
        let mut b = WasiCtxBuilder::new();
        b.args(&self.args);
        b.envs(&self.env);
        b.stdin(MemoryInputPipe::new(self.stdin.clone()));
        let stdout = MemoryOutputPipe::new(self.output_limit);
        let stderr = MemoryOutputPipe::new(self.output_limit);
        b.stdout(stdout.clone());
        b.stderr(stderr.clone());
        let dirs = self.make_preopens()?;
        for (p, (_, dir)) in self.preopens.iter().zip(&dirs) {
            let perms = if p.read_only {
                FsPerms::ReadOnly
            } else {
                FsPerms::ReadWrite
            };
            b.preopened_dir(dir.path(), &p.guest, perms)
                .map_err(anyhow::Error::from)
                .with_context(|| format!("preopening {}", p.guest))?;
        }
        Ok((
            b,
            Capture {
                stdout,
                stderr,
                dirs,
            },
        ))
    }
}

impl Run {
    /// The preopened directories as fresh temporary directories, filled,
    /// with their guest paths, in order (for any host).
    pub fn make_preopens(&self) -> Result<Vec<(String, tempfile::TempDir)>> {
        let mut dirs = Vec::new();
        for p in &self.preopens {
            let dir = tempfile::Builder::new()
                .prefix("mmadapt-e2e-")
                .tempdir()
                .context("creating a temporary directory for a preopen")?;
            populate(dir.path(), &p.entries)
                .with_context(|| format!("filling the preopen {}", p.guest))?;
            dirs.push((p.guest.clone(), dir));
        }
        Ok(dirs)
    }
}

/// What the preopened directories hold after a run, by guest path.
pub fn snapshot_preopens(dirs: &[(String, tempfile::TempDir)]) -> Result<BTreeMap<String, Node>> {
    let mut files = BTreeMap::new();
    for (guest, dir) in dirs {
        files.insert(guest.clone(), Node::Dir);
        snapshot(dir.path(), guest, &mut files)
            .with_context(|| format!("reading back the preopen {guest}"))?;
    }
    Ok(files)
}

impl Preopen {
    /// A read-write preopen named `guest`, empty.
    pub fn new(guest: impl Into<String>) -> Preopen {
        Preopen {
            guest: guest.into(),
            read_only: false,
            entries: Vec::new(),
        }
    }

    pub fn read_only(mut self) -> Preopen {
        self.read_only = true;
        self
    }

    pub fn file(mut self, path: impl Into<String>, contents: impl Into<Vec<u8>>) -> Preopen {
        self.entries.push(Entry::File {
            path: path.into(),
            contents: contents.into(),
        });
        self
    }

    pub fn dir(mut self, path: impl Into<String>) -> Preopen {
        self.entries.push(Entry::Dir { path: path.into() });
        self
    }

    pub fn symlink(mut self, path: impl Into<String>, target: impl Into<String>) -> Preopen {
        self.entries.push(Entry::Symlink {
            path: path.into(),
            target: target.into(),
        });
        self
    }
}

/// The host side of a run in progress: the output pipes and the temporary
/// directories (deleted when this is dropped).
pub struct Capture {
    stdout: MemoryOutputPipe,
    stderr: MemoryOutputPipe,
    dirs: Vec<(String, tempfile::TempDir)>,
}

impl Capture {
    /// Host paths of the preopened directories, with their guest names.
    pub fn dirs(&self) -> impl Iterator<Item = (&str, &Path)> {
        self.dirs.iter().map(|(g, d)| (g.as_str(), d.path()))
    }

    /// Collects stdout, stderr and the directory snapshot, then deletes the
    /// temporary directories.
    pub fn finish(self, exit: Exit) -> Result<Outcome> {
        let files = snapshot_preopens(&self.dirs)?;
        Ok(Outcome {
            stdout: self.stdout.contents().to_vec(),
            stderr: self.stderr.contents().to_vec(),
            exit,
            files,
        })
    }
}

fn relative(root: &Path, path: &str) -> Result<PathBuf> {
    let p = Path::new(path);
    if p.components().any(|c| !matches!(c, Component::Normal(_))) {
        bail!("entry path {path:?} must be relative, without `.` or `..`");
    }
    Ok(root.join(p))
}

fn populate(root: &Path, entries: &[Entry]) -> Result<()> {
    for e in entries {
        match e {
            Entry::File { path, contents } => {
                let p = relative(root, path)?;
                if let Some(parent) = p.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(&p, contents).with_context(|| format!("writing {path}"))?;
            }
            Entry::Dir { path } => {
                std::fs::create_dir_all(relative(root, path)?)
                    .with_context(|| format!("creating {path}"))?;
            }
            Entry::Symlink { path, target } => {
                let p = relative(root, path)?;
                if let Some(parent) = p.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::os::unix::fs::symlink(target, &p)
                    .with_context(|| format!("creating the symlink {path}"))?;
            }
        }
    }
    Ok(())
}

fn snapshot(dir: &Path, prefix: &str, out: &mut BTreeMap<String, Node>) -> Result<()> {
    let mut entries = std::fs::read_dir(dir)?.collect::<std::io::Result<Vec<_>>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let key = if prefix.ends_with('/') {
            format!("{prefix}{name}")
        } else {
            format!("{prefix}/{name}")
        };
        let path = e.path();
        let meta = std::fs::symlink_metadata(&path)?;
        let ft = meta.file_type();
        if ft.is_symlink() {
            let target = std::fs::read_link(&path)?;
            out.insert(key, Node::Symlink(target.to_string_lossy().into_owned()));
        } else if ft.is_dir() {
            out.insert(key.clone(), Node::Dir);
            snapshot(&path, &key, out)?;
        } else if ft.is_file() {
            out.insert(key, Node::File(std::fs::read(&path)?));
        } else {
            out.insert(key, Node::Other);
        }
    }
    Ok(())
}

impl Outcome {
    pub fn stdout_str(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn stderr_str(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// True if some stdout line is exactly `line`.
    pub fn has_line(&self, line: &str) -> bool {
        self.stdout_str().lines().any(|l| l == line)
    }

    /// Contents of the file at guest path `path` (e.g. `/sandbox/out.txt`).
    pub fn file(&self, path: &str) -> Option<&[u8]> {
        match self.files.get(path) {
            Some(Node::File(c)) => Some(c),
            _ => None,
        }
    }

    /// `None` when `other` is the same outcome: same stdout, stderr, exit
    /// code (two traps are the same whatever their messages) and files.
    /// Otherwise a readable description of every difference, `self` being
    /// called "left" and `other` "right".
    pub fn diff(&self, other: &Outcome) -> Option<String> {
        let mut d = String::new();
        diff_text("stdout", &self.stdout, &other.stdout, &mut d);
        diff_text("stderr", &self.stderr, &other.stderr, &mut d);
        let same_exit = match (&self.exit, &other.exit) {
            (Exit::Trap(_), Exit::Trap(_)) => true,
            (a, b) => a == b,
        };
        if !same_exit {
            d += &format!("exit: left {} / right {}\n", self.exit, other.exit);
        }
        let keys: std::collections::BTreeSet<&String> =
            self.files.keys().chain(other.files.keys()).collect();
        for k in keys {
            match (self.files.get(k), other.files.get(k)) {
                (Some(a), Some(b)) if a == b => {}
                (a, b) => {
                    d += &format!("file {k}: left {} / right {}\n", node(a), node(b));
                }
            }
        }
        (!d.is_empty()).then_some(d)
    }
}

fn node(n: Option<&Node>) -> String {
    match n {
        None => "absent".into(),
        Some(Node::Dir) => "directory".into(),
        Some(Node::Other) => "special file".into(),
        Some(Node::Symlink(t)) => format!("symlink -> {t:?}"),
        Some(Node::File(c)) => {
            let s = String::from_utf8_lossy(&c[..c.len().min(80)]).into_owned();
            format!(
                "file of {} bytes {s:?}{}",
                c.len(),
                if c.len() > 80 { "..." } else { "" }
            )
        }
    }
}

fn diff_text(what: &str, a: &[u8], b: &[u8], out: &mut String) {
    if a == b {
        return;
    }
    let a = String::from_utf8_lossy(a);
    let b = String::from_utf8_lossy(b);
    let al: Vec<&str> = a.split_inclusive('\n').collect();
    let bl: Vec<&str> = b.split_inclusive('\n').collect();
    let first = al.iter().zip(&bl).take_while(|(x, y)| x == y).count();
    out.push_str(&format!(
        "{what} differs from line {} (left {} lines, right {} lines):\n",
        first + 1,
        al.len(),
        bl.len()
    ));
    for l in &al[first.saturating_sub(2)..first] {
        out.push_str(&format!("    {}\n", l.trim_end_matches('\n')));
    }
    for l in al.iter().skip(first).take(5) {
        out.push_str(&format!("  - {l:?}\n"));
    }
    for l in bl.iter().skip(first).take(5) {
        out.push_str(&format!("  + {l:?}\n"));
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.exit)?;
        writeln!(f, "--- stdout ---\n{}", self.stdout_str())?;
        writeln!(f, "--- stderr ---\n{}", self.stderr_str())?;
        writeln!(f, "--- files ---")?;
        for (k, v) in &self.files {
            writeln!(f, "{k}: {}", node(Some(v)))?;
        }
        Ok(())
    }
}

/// Interrupts every store of `engine` (whose config has
/// `epoch_interruption(true)` and whose stores have
/// `set_epoch_deadline(1)`) once `timeout` has passed, unless dropped first.
pub struct Watchdog {
    cancel: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Watchdog {
    pub fn start(engine: &wasmtime::Engine, timeout: Duration) -> Watchdog {
        let (tx, rx) = mpsc::channel::<()>();
        let engine = engine.clone();
        let thread = std::thread::spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(timeout) {
                engine.increment_epoch();
            }
        });
        Watchdog {
            cancel: Some(tx),
            thread: Some(thread),
        }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        drop(self.cancel.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
