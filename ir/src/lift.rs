//! Lifting a binary (or WAT text) into walrus's arena IR.

use walrus::{Module, ModuleConfig};

/// The input could not be lifted: not wasm, invalid, or a component.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct LiftError {
    pub message: String,
}

/// Parses `bytes` into a walrus module. walrus validates as it parses and
/// records each instruction's offset in `bytes`, which region errors report.
pub fn lift(bytes: &[u8]) -> Result<Module, LiftError> {
    if !bytes.starts_with(b"\0asm") {
        return Err(LiftError {
            message: "not a WebAssembly binary (no `\\0asm` magic)".into(),
        });
    }
    // Version 0x0d (layer 1) is a component, not a core module.
    if bytes.len() >= 8 && bytes[4..8] == [0x0d, 0x00, 0x01, 0x00] {
        return Err(LiftError {
            message: "input is a component; expected a core module".into(),
        });
    }
    let mut config = ModuleConfig::new();
    config.generate_producers_section(false);
    config.parse(bytes).map_err(|e| LiftError {
        message: format!("{e:#}"),
    })
}
