//! Deterministic case streams for the property tests: case `i` is the
//! `arbitrary` input made from seed `base + i`, so any failure reproduces
//! from the seed it prints. Depends on std only, so `cli/tests` can include
//! it by path as well.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

/// The number of cases: `MMADAPT_PROPERTY_CASES`, or `default` (sized so a
/// debug `cargo test` stays well under two minutes on two cores).
pub fn case_count(default: u64) -> u64 {
    env_u64("MMADAPT_PROPERTY_CASES").unwrap_or(default)
}

/// The first seed: `MMADAPT_PROPERTY_SEED`, or 0.
pub fn base_seed() -> u64 {
    env_u64("MMADAPT_PROPERTY_SEED").unwrap_or(0)
}

fn env_u64(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    Some(
        v.parse()
            .unwrap_or_else(|_| panic!("{name}={v}: expected an unsigned integer")),
    )
}

/// The pseudo-random input bytes of one seed (splitmix64), 256 B to 16 KiB.
pub fn bytes(seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let len = 256 + (next() % (16 * 1024 - 256)) as usize;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        out.extend_from_slice(&next().to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Runs `check` on each case's bytes; on a panic, names the seed and how to
/// rerun just that case, and writes the input to `dump_dir`. With
/// `MMADAPT_PROPERTY_INPUT=FILE`, runs the one input in FILE instead (a
/// saved input, or a fuzzer's crash or slow unit: the fuzz targets use the
/// same generators).
pub fn for_each_case(name: &str, default: u64, dump_dir: &str, mut check: impl FnMut(&[u8])) {
    if let Some(file) = std::env::var_os("MMADAPT_PROPERTY_INPUT") {
        let input = std::fs::read(&file)
            .unwrap_or_else(|e| panic!("MMADAPT_PROPERTY_INPUT={}: {e}", file.to_string_lossy()));
        check(&input);
        return;
    }
    let (base, count) = (base_seed(), case_count(default));
    for seed in base..base + count {
        let input = bytes(seed);
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| check(&input))) {
            let path = std::path::Path::new(dump_dir).join(format!("{name}-seed-{seed}.bin"));
            let saved = std::fs::write(&path, &input).is_ok();
            eprintln!(
                "{name}: case with seed {seed} failed; rerun it with \
                 MMADAPT_PROPERTY_SEED={seed} MMADAPT_PROPERTY_CASES=1{}",
                if saved {
                    format!(" (input bytes: {})", path.display())
                } else {
                    String::new()
                }
            );
            resume_unwind(panic);
        }
    }
}
