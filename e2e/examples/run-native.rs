//! Runs one of the guest programs on native preview1 with its standard
//! `Run` (see `mmadapt_e2e::standard_inputs`) and prints the outcome:
//!   cargo run -p mmadapt-e2e --example run-native -- rust all
//!   cargo run -p mmadapt-e2e --example run-native -- rust trap list
//!   cargo run -p mmadapt-e2e --example run-native -- c [CODE]
//!   cargo run -p mmadapt-e2e --example run-native -- go [CODE [LIVE_MB]]
//!   cargo run -p mmadapt-e2e --example run-native -- as [CODE]
use mmadapt_e2e::{native, programs, standard_inputs};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let lang = args.first().map(String::as_str).unwrap_or("rust");
    let rest: Vec<&str> = args.iter().skip(1).map(String::as_str).collect();
    let num = |i: usize| rest.get(i).and_then(|s| s.parse().ok());
    let (wasm, run) = match lang {
        "rust" => (programs::rust()?, standard_inputs::p1suite(&rest)),
        "c" => (programs::c()?, standard_inputs::cprog(num(0))),
        "go" => (
            programs::go()?,
            standard_inputs::goprog(num(0), num(1).map(|n: i32| n as u32)),
        ),
        "as" | "assemblyscript" => (programs::assemblyscript()?, standard_inputs::asprog(num(0))),
        other => anyhow::bail!("unknown program {other} (rust, c, go, as)"),
    };
    let t = std::time::Instant::now();
    let outcome = native::run(&wasm, &run)?;
    eprintln!("(ran in {:?})", t.elapsed());
    print!("{outcome}");
    Ok(())
}
