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

fn run(cli: Cli) -> Result<(), mmadapt::FileError> {
    match cli.command {
        Command::Split { input, output, wat } => {
            let bytes = read_module(&input)?;
            let out = mmadapt::split::split_module(&input, &bytes, wat)?;
            write_output(&output, &out)
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
