//! `mmadapt component new`: a drop-in for `wasm-tools component new` whose
//! preview1 adapter keeps its state in a private memory.

use crate::adapter::adapter;
use anyhow::{Context, Result};
use mmadapt_component::encoder::is_split_adapter;
use mmadapt_component::{variant::default_variant_and_why, Encoder, Variant, PREVIEW1};

/// wit-component's `ComponentEncoder`, with mmadapt's adapters: the same
/// builder steps, so a tool that embeds wit-component switches by changing
/// the type it builds. Every method is [`Encoder`]'s.
///
/// ```no_run
/// # fn main() -> anyhow::Result<()> {
/// let main = std::fs::read("main.wasm")?;
/// // Before: let mut encoder = wit_component::ComponentEncoder::default();
/// let mut encoder = mmadapt::ComponentEncoder::default();
/// encoder.validate(true).module(&main)?;
/// let component = encoder.encode()?;
/// # let _ = component;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct ComponentEncoder(Encoder);

impl Default for ComponentEncoder {
    /// An encoder whose preview1 adapter is mmadapt's built-in one.
    fn default() -> ComponentEncoder {
        ComponentEncoder(Encoder::with_builtin_adapters(adapter))
    }
}

impl std::ops::Deref for ComponentEncoder {
    type Target = Encoder;
    fn deref(&self) -> &Encoder {
        &self.0
    }
}

impl std::ops::DerefMut for ComponentEncoder {
    fn deref_mut(&mut self) -> &mut Encoder {
        &mut self.0
    }
}

/// How to build a component (see [`componentize`]).
#[derive(Clone, Debug, Default)]
pub struct ComponentOptions {
    /// The built-in adapter variant; `None` picks proxy when the main
    /// module's WIT world exports `wasi:http/incoming-handler`, else command
    /// when it exports `_start`, else reactor.
    pub variant: Option<Variant>,
    /// `--adapt NAME=FILE` adapters, for any import module NAME. A split
    /// (two-memory) adapter keeps its state in its own private memory (for
    /// `wasi_snapshot_preview1`, it replaces the built-in one); a
    /// single-memory adapter (like the standard one) is used the way
    /// wasm-tools uses it.
    pub adapters: Vec<(String, Vec<u8>)>,
    /// Validate the output (on by default in the CLI).
    pub validate: bool,
    /// Keep the adapters' name sections (`--debug-names`); off, the
    /// shipped adapter has none.
    pub debug_names: bool,
}

/// Turns a WASI preview1 module into a WASI 0.2 component: a
/// [`ComponentEncoder`] given `options`.
pub fn componentize(main: &[u8], options: &ComponentOptions) -> Result<Vec<u8>> {
    let mut encoder = ComponentEncoder::default();
    encoder.validate(options.validate).module(main)?;
    if options.debug_names {
        encoder.debug_names(true);
    }
    if let Some(v) = options.variant {
        encoder.variant(v);
    }
    for (name, bytes) in &options.adapters {
        encoder.adapter(name, bytes)?;
    }
    encoder.encode()
}

/// What `component new -v` says before assembly: the variant and why, and
/// the adapter used for each import module.
pub fn explain(
    main: &[u8],
    forced: Option<Variant>,
    adapt_args: &[String],
    adapters: &[(String, Vec<u8>)],
) -> Vec<String> {
    let mut out = Vec::new();
    if !adapters.iter().any(|(n, _)| n == PREVIEW1) {
        let (v, why) = match forced {
            Some(v) => (v, format!("--{}", v.name())),
            None => {
                let (v, why) = default_variant_and_why(main);
                (v, why.to_string())
            }
        };
        out.push(format!("variant: {} ({why})", v.name()));
        out.push(format!(
            "{PREVIEW1}: the built-in {} adapter (two memories)",
            v.name()
        ));
    }
    for (i, (n, bytes)) in adapters.iter().enumerate() {
        let how = if is_split_adapter(bytes) {
            "two memories: its state in a private memory of its own"
        } else {
            "one memory: used as wasm-tools uses it"
        };
        out.push(format!("{n}: {} ({how})", adapt_args[i]));
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
