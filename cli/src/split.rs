//! `mmadapt split`: an adapter with region markers in, a verified two-memory
//! module out.

use crate::FileError;

/// Splits the module in `bytes` (named `path` in errors). Returns the binary,
/// or its text form when `wat` is set.
pub fn split_module(path: &str, bytes: &[u8], wat: bool) -> Result<Vec<u8>, FileError> {
    let split = mmadapt_passes::split_bytes(bytes).map_err(|e| FileError::new(path, e))?;
    if wat {
        let text = wasmprinter::print_bytes(&split.bytes).map_err(|e| FileError::new(path, e))?;
        Ok(text.into_bytes())
    } else {
        Ok(split.bytes)
    }
}
