//! What a test runs: [`Run`], the inputs of one run of a program (command
//! line, environment, stdin, preopened directories), independent of *how*
//! the module is run. [`crate::native`] runs a wasip1 module on wasmtime's
//! native preview1; a component runner builds its `WasiCtx` from the same
//! [`Run`] with [`Run::wasi_builder`] and turns the end of the run into the
//! same [`crate::outcome::Outcome`] with [`Capture::finish`], so the two
//! outcomes can be compared with [`crate::outcome::Outcome::diff`].
//!
//! ```no_run
//! use mmadapt_e2e::inputs::{Preopen, Run};
//! let run = Run::new("p1suite")
//!     .arg("all")
//!     .env("FOO", "bar")
//!     .stdin("hello stdin\n")
//!     .preopen(Preopen::new("/sandbox").file("hello.txt", "hi\n").dir("sub"))
//!     .preopen(Preopen::new("/ro").read_only().file("ro.txt", "read only\n"));
//! let wasm = mmadapt_e2e::programs::rust().unwrap();
//! let outcome = mmadapt_e2e::native::run(&wasm, &run).unwrap();
//! assert_eq!(outcome.exit, mmadapt_e2e::outcome::Exit::Code(3));
//! ```

use crate::outcome::Capture;
use anyhow::{bail, Context, Result};
use std::path::{Component, Path, PathBuf};
use std::time::Duration;
use wasmtime_wasi::p2::pipe::{MemoryInputPipe, MemoryOutputPipe};
use wasmtime_wasi::{FsPerms, WasiCtxBuilder};

/// How long a run may take before it is interrupted (it then ends as a
/// [`crate::outcome::Exit::Trap`] saying so).
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
        Ok((b, Capture::new(stdout, stderr, dirs)))
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
