//! Reading inputs and writing outputs the way wasm-tools does: `-` is stdin or
//! stdout, text inputs are accepted where binaries are, and an output file is
//! written to a temporary file beside it and renamed into place, so a failure
//! never leaves half a file.

use crate::FileError;
use std::fs::OpenOptions;
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Reads `path` (or stdin for `-`). WebAssembly text is converted to binary.
pub fn read_module(path: &str) -> Result<Vec<u8>, FileError> {
    read_module_with_dwarf(path, None)
}

/// [`read_module`], with DWARF generated for text input when `dwarf` says
/// so (`-g`, `--generate-dwarf`, as in wasm-tools).
pub fn read_module_with_dwarf(
    path: &str,
    dwarf: Option<wat::GenerateDwarf>,
) -> Result<Vec<u8>, FileError> {
    let bytes = if path == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| FileError::new("<stdin>", format!("failed to read: {e}")))?;
        buf
    } else {
        std::fs::read(path).map_err(|e| FileError::new(path, format!("failed to read: {e}")))?
    };
    let looks_binary = bytes.starts_with(b"\0asm");
    if looks_binary {
        return Ok(bytes);
    }
    match std::str::from_utf8(&bytes) {
        Ok(text) => {
            let mut parser = wat::Parser::new();
            if let Some(d) = dwarf {
                parser.generate_dwarf(d);
            }
            let file = (path != "-").then(|| Path::new(path));
            parser.parse_str(file, text)
        }
        .map_err(|e| {
            FileError::new(
                path,
                format!(
                    "not a WebAssembly binary, and not valid text: {}",
                    one_line(&e.to_string())
                ),
            )
        }),
        Err(_) => Err(FileError::new(
            path,
            "not a WebAssembly binary (no `\\0asm` magic)",
        )),
    }
}

/// A text-format error on one line: the message and its `line:column`.
fn one_line(report: &str) -> String {
    let mut lines = report.lines();
    let message = lines.next().unwrap_or("").trim().to_string();
    let at = lines
        .find_map(|l| l.trim().strip_prefix("--> "))
        .and_then(|loc| {
            loc.rsplitn(3, ':')
                .collect::<Vec<_>>()
                .get(..2)
                .map(|v| format!("{}:{}", v[1], v[0]))
        });
    match at {
        Some(at) => format!("{message} at line {at}"),
        None => message,
    }
}

/// Writes `bytes` to `path` (stdout for `-`) atomically.
pub fn write_output(path: &str, bytes: &[u8]) -> Result<(), FileError> {
    if path == "-" {
        let mut out = std::io::stdout().lock();
        return out
            .write_all(bytes)
            .and_then(|_| out.flush())
            .map_err(|e| FileError::new("<stdout>", format!("failed to write: {e}")));
    }
    let target = Path::new(path);
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .ok_or_else(|| FileError::new(path, "not a file name"))?
        .to_string_lossy()
        .into_owned();
    let result = create_temporary(&dir, &name).and_then(|(tmp, mut file)| {
        let written = file.write_all(bytes).and_then(|_| {
            drop(file);
            std::fs::rename(&tmp, target)
        });
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written
    });
    result.map_err(|e| FileError::new(path, format!("failed to write: {e}")))
}

/// A new, empty file `.{name}.{clock}-{count}.tmp` in `dir`, and its path.
/// The name is not the process id: `std::process::id` panics under WASI. The
/// clock (nanoseconds) keeps processes apart and the counter keeps the calls
/// of one process apart; `create_new` opens only a file nobody else has, so
/// a clash of names (a coarse clock, a leftover) costs a retry, never a
/// shared file.
fn create_temporary(dir: &Path, name: &str) -> std::io::Result<(PathBuf, std::fs::File)> {
    static COUNT: AtomicU64 = AtomicU64::new(0);
    const ATTEMPTS: usize = 64;
    for _ in 0..ATTEMPTS {
        let clock = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let count = COUNT.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.{clock:x}-{count}.tmp"));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::new(
        ErrorKind::AlreadyExists,
        format!("no free temporary file name in {ATTEMPTS} attempts"),
    ))
}
