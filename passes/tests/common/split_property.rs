//! The split property: on any input, `split_bytes` returns an error, or a
//! module that validates and runs like the reference (results or traps, and
//! both memories byte for byte). Panics (the test's failure) otherwise, or
//! when the split itself panics.

use super::gen::SplitCase;
use super::reference;
use super::run::{compare, inconclusive, try_run_reference, try_run_split};

/// What became of one case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// The split returned an error.
    Rejected,
    /// Split and validated, but not run: the module has instructions the
    /// reference does not emulate.
    NotRun,
    /// Split and run, but out of fuel or stack on one side: not compared.
    Inconclusive,
    /// Split, run and equal to the reference.
    Equal,
    /// Equal, with at least one call returning normally.
    EqualReturned,
    /// Equal, and the run changed user memory (a user region stored).
    EqualWroteUser,
}

pub fn check(case: &SplitCase) -> Verdict {
    let started = std::time::Instant::now();
    let split = mmadapt_passes::split_bytes(&case.wasm);
    if verbose() {
        eprintln!("split: {:?}", started.elapsed());
    }
    let split = match split {
        Ok(split) => split,
        Err(e) => {
            // A clean error is one line naming what is wrong (the CLI
            // prints it as one line).
            let message = e.to_string();
            assert!(
                !message.is_empty() && !message.contains('\n'),
                "split error is not one line: {message:?}"
            );
            if verbose() {
                eprintln!("rejected: {message}");
                dump_rejected(case);
            }
            return Verdict::Rejected;
        }
    };
    // Independently of the pass's own verifier.
    if let Err(e) = wasmparser::Validator::new().validate_all(&split.bytes) {
        panic!("split output does not validate: {e}");
    }
    let reference = reference::build(&case.wasm);
    if reference.unsupported > 0 {
        return Verdict::NotRun;
    }
    let expected = try_run_reference(&reference, &case.setup, &case.calls);
    if verbose() {
        eprintln!(
            "split, build and run the reference: {:?}",
            started.elapsed()
        );
    }
    let actual = try_run_split(&split.bytes, &case.setup, &case.calls);
    if verbose() {
        eprintln!("split, build and both runs: {:?}", started.elapsed());
        eprintln!("calls {:?}", case.calls);
        eprintln!("  reference {:?}", expected.as_ref().map(|o| &o.results));
        eprintln!("  split     {:?}", actual.as_ref().map(|o| &o.results));
    }
    match (expected, actual) {
        (Ok(e), Ok(a)) => {
            if inconclusive(&e) || inconclusive(&a) {
                return Verdict::Inconclusive;
            }
            if let Err(diff) = compare(&e, &a) {
                panic!(
                    "split module differs from the reference: {diff}\ncalls: {:?}\nreference: {:?}\nsplit: {:?}",
                    case.calls, e.results, a.results
                );
            }
            if a.user != case.setup.user_image() {
                Verdict::EqualWroteUser
            } else if a.results.iter().any(|r| r.is_ok()) {
                Verdict::EqualReturned
            } else {
                Verdict::Equal
            }
        }
        // Both fail to instantiate (a segment out of bounds, a trap in the
        // start function).
        (Err(_), Err(_)) => Verdict::Equal,
        (Err(e), Ok(_)) | (Ok(_), Err(e)) if is_limit(&e) => Verdict::Inconclusive,
        (Err(e), Ok(_)) => panic!("only the reference fails to instantiate: {e}"),
        (Ok(_), Err(e)) => panic!("only the split module fails to instantiate: {e}"),
    }
}

/// `MMADAPT_PROPERTY_VERBOSE`: print every case's rejection or runs.
fn verbose() -> bool {
    std::env::var_os("MMADAPT_PROPERTY_VERBOSE").is_some()
}

/// `MMADAPT_PROPERTY_DUMP=DIR`: write each rejected module to DIR, named by
/// placement, to look at the rejections of one kind.
fn dump_rejected(case: &SplitCase) {
    if let Some(dir) = std::env::var_os("MMADAPT_PROPERTY_DUMP") {
        let n = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
        let name = format!("rejected-{n}-{:?}.wasm", case.placement);
        let _ = std::fs::write(std::path::Path::new(&dir).join(name), &case.wasm);
    }
}

fn is_limit(e: &str) -> bool {
    e.contains("all fuel consumed") || e.contains("call stack exhausted")
}
