//! The `mmadapt` command.

use clap::{Parser, Subcommand};
use mmadapt::io::{read_module, write_output};
use mmadapt::print::PrintRequest;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "mmadapt",
    version,
    about = "Multi-memory adapter compiler for WASI preview1 modules"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Split an adapter with region markers into a verified two-memory module:
    /// memory 0 imported as `env`.`memory` (the user's), memory 1 its own.
    Split {
        /// Input module (binary or text; `-` for stdin).
        input: String,
        /// Where to write the output (`-` for stdout).
        #[arg(short = 'o', long = "output")]
        output: String,
        /// Write the text format instead of the binary.
        #[arg(short = 't', long = "wat")]
        wat: bool,
    },
    /// WebAssembly component commands.
    #[command(subcommand)]
    Component(ComponentCommand),
    /// Write mmadapt's built-in preview1 adapter (split: two memories).
    Adapter {
        /// The reactor variant (no `wasi:cli/run` export) instead of the
        /// command variant.
        #[arg(long, conflicts_with = "proxy")]
        reactor: bool,
        /// The proxy variant (the `wasi:http/proxy` world).
        #[arg(long)]
        proxy: bool,
        /// Write the adapter before the split (one memory, region markers).
        #[arg(long)]
        unsplit: bool,
        /// Where to write (`-` for stdout).
        #[arg(short = 'o', long = "output")]
        output: String,
    },
    /// Print the region view of a module: every memory instruction with its
    /// memory and region.
    Print {
        /// Input module (binary or text; `-` for stdin).
        input: String,
        /// Print counts of accesses per memory, inside and outside regions.
        #[arg(long)]
        stats: bool,
        /// Split the module first and print the result.
        #[arg(long)]
        split: bool,
        /// Where to write (default stdout).
        #[arg(short = 'o', long = "output", default_value = "-")]
        output: String,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum DwarfArg {
    Lines,
    Full,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
enum ComponentCommand {
    /// Turn a WASI preview1 module into a WASI 0.2 component (like
    /// `wasm-tools component new`), with mmadapt's multi-memory adapter.
    New {
        /// The preview1 module (binary or text; `-` for stdin).
        input: String,
        /// Where to write the component (`-`, the default, for stdout).
        #[arg(short = 'o', long = "output", default_value = "-")]
        output: String,
        /// Use an adapter for imports from module NAME (without `NAME=`, the
        /// file name up to its first `.`), for any NAME, several at once. A
        /// two-memory adapter (made by `mmadapt split` or the build API)
        /// keeps its state in a private memory of its own (for
        /// `wasi_snapshot_preview1` it replaces the built-in one); a
        /// single-memory adapter is used as wasm-tools uses it.
        #[arg(long = "adapt", value_name = "[NAME=]FILE")]
        adapt: Vec<String>,
        /// Rename an instance import of the component (wit-component's
        /// import name map), as in wasm-tools.
        #[arg(long = "import-name", value_name = "OLD=NEW")]
        import_name: Vec<String>,
        /// Generate DWARF for a text-format input.
        #[arg(long = "generate-dwarf", value_name = "lines|full")]
        generate_dwarf: Option<DwarfArg>,
        /// Shorthand for `--generate-dwarf full`.
        #[arg(short = 'g')]
        g: bool,
        /// When errors are coloured. mmadapt prints errors as one plain
        /// line, so this is accepted and changes nothing.
        #[arg(long, value_name = "auto|always|never", default_value = "auto")]
        color: ColorArg,
        /// wit-component's `realloc_via_memory_grow` for single-memory
        /// adapters that lack a `cabi_realloc`. Two-memory adapters allocate
        /// in their private memory with their own realloc, so for them it
        /// changes nothing.
        #[arg(long)]
        realloc_via_memory_grow: bool,
        /// Merge imports whose versions are semver-compatible (the default).
        #[arg(long, num_args = 0..=1, default_missing_value = "true", value_name = "true|false")]
        merge_imports_based_on_semver: Option<bool>,
        /// Use canonical interface names (`wasi:cli/exit@0.2`) in the
        /// component.
        #[arg(long)]
        emit_canonical_names: bool,
        /// Reject the main module's legacy import/export names.
        #[arg(long)]
        reject_legacy_names: bool,
        /// Have wit-component's shim use `return_call_ref`.
        #[arg(long, num_args = 0..=1, default_missing_value = "true", value_name = "true|false")]
        return_call_ref: Option<bool>,
        /// Use the command adapter (exports `wasi:cli/run`, calls `_start`);
        /// the default when the module exports `_start`.
        #[arg(long, group = "variant")]
        command: bool,
        /// Use the reactor adapter; the default when the module does not
        /// export `_start`.
        #[arg(long, group = "variant")]
        reactor: bool,
        /// Use the proxy adapter (imports only from the `wasi:http/proxy`
        /// world); the default when the module's WIT world exports
        /// `wasi:http/incoming-handler`.
        #[arg(long, group = "variant")]
        proxy: bool,
        /// Keep the adapter's name section (function names in backtraces).
        #[arg(long, num_args = 0..=1, default_missing_value = "true", value_name = "true|false")]
        debug_names: Option<bool>,
        /// Validate the output component (the default).
        #[arg(long, num_args = 0..=1, default_missing_value = "true", value_name = "true|false")]
        validate: Option<bool>,
        /// Say which adapter variant was chosen and why, which adapters were
        /// used, and what the component imports (on stderr).
        #[arg(short = 'v', long = "verbose")]
        verbose: bool,
        /// Skip validation of the output component (`--validate=false`).
        #[arg(long)]
        skip_validation: bool,
        /// Write the text format instead of the binary.
        #[arg(short = 't', long = "wat")]
        wat: bool,
        /// Keep each two-memory adapter in one core module with its private
        /// memory, instead of a code-only adapter and a private module
        /// (the default, which every host runs, jco's default path
        /// included). For comparisons.
        #[arg(long, hide = true)]
        single_module: bool,
    },
}

fn run(cli: Cli) -> Result<(), mmadapt::FileError> {
    match cli.command {
        Command::Component(ComponentCommand::New {
            input,
            output,
            adapt,
            import_name,
            generate_dwarf,
            g,
            color: _,
            realloc_via_memory_grow,
            merge_imports_based_on_semver,
            emit_canonical_names,
            reject_legacy_names,
            return_call_ref,
            command,
            reactor,
            proxy,
            debug_names,
            validate,
            verbose,
            skip_validation,
            wat,
            single_module,
        }) => {
            let dwarf = match (generate_dwarf, g) {
                (Some(DwarfArg::Lines), _) => Some(wat::GenerateDwarf::Lines),
                (Some(DwarfArg::Full), _) | (None, true) => Some(wat::GenerateDwarf::Full),
                (None, false) => None,
            };
            let main = mmadapt::io::read_module_with_dwarf(&input, dwarf)?;
            let mut import_names = std::collections::HashMap::new();
            for pair in &import_name {
                let Some((old, new)) = pair.split_once('=') else {
                    return Err(mmadapt::FileError::new(
                        &input,
                        format!("`--import-name {pair}`: expected OLD=NEW"),
                    ));
                };
                import_names.insert(old.to_string(), new.to_string());
            }
            let mut adapters = Vec::new();
            for a in &adapt {
                adapters.push(
                    mmadapt::component::read_adapt_arg(a)
                        .map_err(|e| mmadapt::FileError::new(&input, format!("{e:#}")))?,
                );
            }
            let variant = match (command, reactor, proxy) {
                (true, _, _) => Some(mmadapt::Variant::Command),
                (_, true, _) => Some(mmadapt::Variant::Reactor),
                (_, _, true) => Some(mmadapt::Variant::Proxy),
                _ => None,
            };
            if verbose {
                for line in mmadapt::component::explain(&main, variant, &adapt, &adapters) {
                    eprintln!("{line}");
                }
            }
            let mut encoder = mmadapt::ComponentEncoder::default();
            // The bytes read are the encoder's: no copy of the input.
            encoder
                .module_owned(main)
                .map_err(|e| mmadapt::FileError::new(&input, format!("{e:#}")))?
                // `--skip-validation` is `--validate=false`.
                .validate(validate.unwrap_or(true) && !skip_validation)
                .emit_canonical_names(emit_canonical_names)
                .reject_legacy_names(reject_legacy_names)
                .realloc_via_memory_grow(realloc_via_memory_grow);
            if let Some(v) = variant {
                encoder.variant(v);
            }
            if let Some(v) = debug_names {
                encoder.debug_names(v);
            }
            if let Some(v) = merge_imports_based_on_semver {
                encoder.merge_imports_based_on_semver(v);
            }
            if let Some(v) = return_call_ref {
                encoder.shim_return_call_ref(v);
            }
            encoder.single_module(single_module);
            if !import_names.is_empty() {
                encoder.import_name_map(import_names);
            }
            for (name, bytes) in &adapters {
                encoder
                    .adapter(name, bytes)
                    .map_err(|e| mmadapt::FileError::new(&input, format!("{e:#}")))?;
            }
            let component = encoder
                .encode()
                .map_err(|e| mmadapt::FileError::new(&input, format!("{e:#}")))?;
            if verbose {
                let imports = mmadapt_component::world::component_imports(&component)
                    .map_err(|e| mmadapt::FileError::new(&input, format!("{e:#}")))?;
                eprintln!("imports ({}): {}", imports.len(), imports.join(", "));
            }
            let out = if wat {
                wasmprinter::print_bytes(&component)
                    .map_err(|e| mmadapt::FileError::new(&input, e))?
                    .into_bytes()
            } else {
                component
            };
            write_output(&output, &out)
        }
        Command::Split { input, output, wat } => {
            let bytes = read_module(&input)?;
            let out = mmadapt::split::split_module(&input, &bytes, wat)?;
            write_output(&output, &out)
        }
        Command::Adapter {
            reactor,
            proxy,
            unsplit,
            output,
        } => {
            let variant = if reactor {
                mmadapt::adapter::Variant::Reactor
            } else if proxy {
                mmadapt::adapter::Variant::Proxy
            } else {
                mmadapt::adapter::Variant::Command
            };
            let bytes = if unsplit {
                mmadapt::adapter::unsplit_adapter(variant)
            } else {
                mmadapt::adapter::adapter(variant)
            };
            write_output(&output, bytes)
        }
        Command::Print {
            input,
            stats,
            split,
            output,
        } => {
            let bytes = read_module(&input)?;
            let text = mmadapt::print::print(&input, &bytes, PrintRequest { stats, split })?;
            write_output(&output, text.as_bytes())
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // A panic is a bug in mmadapt, but the user still gets one line and a
    // non-zero exit, and no output file (outputs are renamed into place only
    // after success).
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("error: internal error in mmadapt{at}: {message}");
    }));
    match std::panic::catch_unwind(|| run(cli)) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
        Err(_) => ExitCode::from(2),
    }
}
