//! `mmadapt component new`: a drop-in for `wasm-tools component new` whose
//! preview1 adapter keeps its state in a private memory.

use crate::adapter::{adapter, Variant};
use anyhow::{Context, Result};
use mmadapt_component::PREVIEW1;

/// How to build a component (see [`componentize`]).
#[derive(Clone, Debug, Default)]
pub struct ComponentOptions {
    /// The built-in adapter variant; `None` picks proxy when the main
    /// module's WIT world exports `wasi:http/incoming-handler`, else command
    /// when it exports `_start`, else reactor.
    pub variant: Option<Variant>,
    /// `--adapt NAME=FILE` adapters. For `wasi_snapshot_preview1`, a split
    /// (two-memory) adapter replaces the built-in one; a single-memory
    /// adapter (like the standard one) is used the way wasm-tools uses it.
    pub adapters: Vec<(String, Vec<u8>)>,
    /// Validate the output (on by default in the CLI).
    pub validate: bool,
    /// Keep the adapter's name section (`--debug-names`); off, the shipped
    /// adapter has none.
    pub debug_names: bool,
}

/// Turns a WASI preview1 module into a WASI 0.2 component.
pub fn componentize(main: &[u8], options: &ComponentOptions) -> Result<Vec<u8>> {
    let custom_preview1 = options.adapters.iter().find(|(n, _)| n == PREVIEW1);
    let others: Vec<(String, Vec<u8>)> = options
        .adapters
        .iter()
        .filter(|(n, _)| n != PREVIEW1)
        .cloned()
        .collect();
    if let Some((_, bytes)) = custom_preview1 {
        if !is_split_adapter(bytes) {
            // An ordinary adapter: wit-component does everything.
            let mut encoder = wit_component::ComponentEncoder::default();
            encoder.validate(options.validate).module(main)?;
            for (name, bytes) in &options.adapters {
                encoder.adapter(name, bytes)?;
            }
            return encoder.encode();
        }
    }
    let variant = options.variant.unwrap_or_else(|| default_variant(main));
    let split = match custom_preview1 {
        Some((_, bytes)) => bytes.as_slice(),
        None => adapter(variant),
    };
    let assembly = mmadapt_component::assemble(&mmadapt_component::Request {
        main,
        adapter: split,
        other_adapters: &others,
        validate: options.validate,
        debug_names: options.debug_names,
    })?;
    Ok(assembly.component)
}

/// The variant for a main module when none is asked for.
pub fn default_variant(main: &[u8]) -> Variant {
    if mmadapt_component::world::exports_http_handler(main) {
        Variant::Proxy
    } else if exports_start(main) {
        Variant::Command
    } else {
        Variant::Reactor
    }
}

/// A split adapter exports its private memory under the reserved name.
fn is_split_adapter(bytes: &[u8]) -> bool {
    exports(bytes)
        .iter()
        .any(|e| e == mmadapt_passes::PRIVATE_MEMORY_EXPORT)
}

fn exports_start(main: &[u8]) -> bool {
    exports(main).iter().any(|e| e == "_start")
}

fn exports(module: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        match payload {
            Ok(wasmparser::Payload::ExportSection(s)) => out.extend(
                s.into_iter()
                    .filter_map(|e| e.ok())
                    .map(|e| e.name.to_string()),
            ),
            Ok(_) => {}
            Err(_) => break,
        }
    }
    out
}

/// Parses `NAME=FILE` and reads FILE.
pub fn read_adapt_arg(arg: &str) -> Result<(String, Vec<u8>)> {
    let (name, file) = arg
        .split_once('=')
        .with_context(|| format!("`--adapt {arg}`: expected NAME=FILE"))?;
    let bytes = crate::io::read_module(file).map_err(anyhow::Error::new)?;
    Ok((name.to_string(), bytes))
}
