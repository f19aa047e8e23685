//! Reading inputs and writing outputs the way wasm-tools does: `-` is stdin or
//! stdout, text inputs are accepted where binaries are, and an output file is
//! written to a temporary file beside it and renamed into place, so a failure
//! never leaves half a file.

use crate::FileError;
use std::io::{Read, Write};
use std::path::Path;

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
        _ => std::path::PathBuf::from("."),
    };
    let name = target
        .file_name()
        .ok_or_else(|| FileError::new(path, "not a file name"))?
        .to_string_lossy()
        .into_owned();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = std::fs::write(&tmp, bytes).and_then(|_| std::fs::rename(&tmp, target));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(FileError::new(path, format!("failed to write: {e}")));
    }
    Ok(())
}
