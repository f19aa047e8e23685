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
    for (i, (name, _)) in options.adapters.iter().enumerate() {
        if options.adapters[..i].iter().any(|(n, _)| n == name) {
            anyhow::bail!(
                "two adapters for import module `{name}` (`--adapt {name}=...` given twice)"
            );
        }
    }
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

/// What `component new -v` says before assembly: the variant and why, and
/// the adapter used for each import module.
pub fn explain(
    main: &[u8],
    forced: Option<Variant>,
    adapt_args: &[String],
    adapters: &[(String, Vec<u8>)],
) -> Vec<String> {
    let name = |v: Variant| match v {
        Variant::Command => "command",
        Variant::Reactor => "reactor",
        Variant::Proxy => "proxy",
    };
    let mut out = Vec::new();
    let custom = adapters.iter().position(|(n, _)| n == PREVIEW1);
    match custom {
        Some(i) if !is_split_adapter(&adapters[i].1) => out.push(format!(
            "{PREVIEW1}: {} (one memory: used as wasm-tools uses it)",
            adapt_args[i]
        )),
        Some(i) => out.push(format!(
            "{PREVIEW1}: {} (two memories, made by `mmadapt split`)",
            adapt_args[i]
        )),
        None => {
            let (v, why) = match forced {
                Some(v) => (v, format!("--{}", name(v))),
                None => {
                    let v = default_variant(main);
                    let why = match v {
                        Variant::Proxy => {
                            "the module's WIT world exports wasi:http/incoming-handler"
                        }
                        Variant::Command => "the module exports `_start`",
                        Variant::Reactor => "the module exports no `_start`",
                    };
                    (v, why.to_string())
                }
            };
            out.push(format!("variant: {} ({why})", name(v)));
            out.push(format!(
                "{PREVIEW1}: the built-in {} adapter (two memories)",
                name(v)
            ));
        }
    }
    for (i, (n, _)) in adapters.iter().enumerate() {
        if n != PREVIEW1 {
            out.push(format!("{n}: {}", adapt_args[i]));
        }
    }
    out
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
    let (name, file) = adapt_name_and_file(arg)?;
    let bytes = crate::io::read_module(file).map_err(anyhow::Error::new)?;
    Ok((name, bytes))
}

/// `--adapt [NAME=]FILE`: without `NAME=`, the name is the file name up to
/// its first `.`, as wasm-tools infers it
/// (`wasi_snapshot_preview1.reactor.wasm` -> `wasi_snapshot_preview1`).
pub fn adapt_name_and_file(arg: &str) -> Result<(String, &str)> {
    if let Some((name, file)) = arg.split_once('=') {
        return Ok((name.to_string(), file));
    }
    let stem = std::path::Path::new(arg)
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.split('.').next())
        .filter(|n| !n.is_empty())
        .with_context(|| {
            format!("`--adapt {arg}`: cannot infer a module name from the file name; use NAME=FILE")
        })?;
    Ok((stem.to_string(), arg))
}

#[cfg(test)]
mod tests {
    use super::adapt_name_and_file;

    #[test]
    fn adapt_names_are_inferred_as_wasm_tools_does() {
        for (arg, name, file) in [
            (
                "wasi_snapshot_preview1.reactor.wasm",
                "wasi_snapshot_preview1",
                "wasi_snapshot_preview1.reactor.wasm",
            ),
            ("dir/mylog.split.wasm", "mylog", "dir/mylog.split.wasm"),
            ("env=a.b.wasm", "env", "a.b.wasm"),
            ("x=y=z.wasm", "x", "y=z.wasm"),
        ] {
            let (n, f) = adapt_name_and_file(arg).unwrap();
            assert_eq!((n.as_str(), f), (name, file), "{arg}");
        }
        assert!(adapt_name_and_file(".wasm").is_err());
    }
}
