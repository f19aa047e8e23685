//! The options of the benches that run the `bench` guest's rows (the
//! runtime bench on wasmtime, the jco bench on Node):
//! `[--rounds N] [--json PATH] [--only ROW,...]`.

use anyhow::{bail, Context, Result};
use std::path::PathBuf;

pub struct Options {
    pub rounds: usize,
    pub json: PathBuf,
    pub only: Option<Vec<String>>,
}

impl Options {
    /// Whether row `name` is to be run.
    pub fn wanted(&self, name: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|o| o.iter().any(|w| w == name))
    }
}

/// Reads the command line; `rounds` by default, the JSON report to
/// `target/bench/JSON_NAME`.
pub fn parse(rounds: usize, json_name: &str) -> Result<Options> {
    let mut o = Options {
        rounds,
        json: mmadapt_e2e::programs::out_dir()
            .parent()
            .unwrap()
            .join("bench")
            .join(json_name),
        only: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--rounds" => o.rounds = args.next().context("--rounds N")?.parse()?,
            "--json" => o.json = args.next().context("--json PATH")?.into(),
            "--only" => {
                o.only = Some(
                    args.next()
                        .context("--only ROW,...")?
                        .split(',')
                        .map(String::from)
                        .collect(),
                )
            }
            // What `cargo bench` passes to every bench binary.
            "--bench" => {}
            _ => bail!("unknown argument {a:?} (expected --rounds N, --json PATH, --only ROW,...)"),
        }
    }
    if o.rounds == 0 {
        bail!("--rounds must be at least 1");
    }
    Ok(o)
}
