//! The -O3 + LTO marker crate (tests/markers-o3), built for
//! wasm32-unknown-unknown with the adapter's release settings: its split
//! output must pass the verifier, compute the same results as the unsplit
//! build, leave the user area exactly as the unsplit build does, and put every
//! byte where the run-time region reference says.

mod common;

use common::reference;
use common::run::{
    compare, compare_results, run_reference, run_split, run_unsplit, Arg, Call, Setup,
};
use std::path::Path;

/// Builds the crate with the build API's nested cargo (the adapter's
/// release settings, `--locked`, the outer build's flags removed) into its
/// own `target/`, and returns the module's bytes.
fn build_markers_o3() -> Vec<u8> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/markers-o3");
    let compiled = mmadapt_build::Adapter::new(&dir)
        .target_dir(dir.join("target"))
        .compile()
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::read(compiled.wasm_path).unwrap()
}

fn call(name: &str, args: &[i32]) -> Call {
    (
        name.to_string(),
        args.iter().map(|a| Arg::I32(*a)).collect(),
    )
}

fn iovecs(list: &[(u32, u32)]) -> Vec<u8> {
    list.iter()
        .flat_map(|(buf, len)| buf.to_le_bytes().into_iter().chain(len.to_le_bytes()))
        .collect()
}

#[test]
fn markers_o3_split_matches_unsplit_and_reference() {
    let wasm = build_markers_o3();
    let split = mmadapt_passes::split_bytes(&wasm).unwrap_or_else(|e| panic!("split failed: {e}"));
    assert!(
        split.map.regions().next().is_some(),
        "the -O3 build must still contain regions"
    );

    const IOVS: i32 = 0x30000;
    const SCATTER: i32 = 0x30100;
    let setup = Setup {
        user_pages: 4,
        user_writes: vec![
            (
                IOVS as u32,
                iovecs(&[(0x20000, 10), (0x20040, 0), (0x20100, 33), (0x20003, 7)]),
            ),
            (
                SCATTER as u32,
                iovecs(&[(0x31000, 50), (0x31100, 0), (0x31200, 300)]),
            ),
        ],
        ..Setup::default()
    };
    let calls = vec![
        call("user_area", &[]),
        call("sum_user", &[0x20000, 100]),
        call("sum_user", &[0x20001, 17]),
        call("fill_user_pattern", &[0x20800, 100, 7]),
        call("collatz_user", &[0x20800, 100]),
        call("copy_table_out", &[0x21000]),
        call("copy_header_out", &[0x21401]),
        call("copy_in_and_hash", &[0x20000, 1000]),
        call("fill_user_bytes", &[0x22000, 0xab, 300]),
        call("move_user", &[0x22100, 0x22000, 500]),
        call("move_user", &[0x22000, 0x22080, 200]),
        call("iovec_hash", &[IOVS, 4]),
        call("scatter_table", &[SCATTER, 3]),
        call("translate_user", &[0x23000, 257]),
        call("histogram_user", &[0x20000, 4096, 7]),
        call("histogram_user", &[0x20000, 4096, 7]),
        call("clamp_user", &[0x24000, 64, 0x8000_0000u32 as i32]),
        call("user_memory_pages", &[]),
        call("user_memory_grow", &[1]),
        call("user_memory_pages", &[]),
        call("state", &[]),
        call("last_sum", &[]),
        call("parity_counts", &[]),
    ];

    let area = 0x20000..0x40000;
    let unsplit = run_unsplit(&wasm, &setup, area.clone(), &calls);
    let actual = run_split(&split.bytes, &setup, &calls);
    assert_eq!(
        unsplit.results.len(),
        calls.len(),
        "unsplit run trapped: {:?}",
        unsplit.results.last()
    );
    compare_results(&unsplit, &actual).unwrap_or_else(|d| panic!("split vs unsplit: {d}"));
    // The user area of the unsplit build's single memory equals the split
    // build's user memory there.
    assert_eq!(
        actual.user.len(),
        unsplit.user.len(),
        "user memory sizes differ"
    );
    if let Some(i) = area.clone().find(|&i| unsplit.user[i] != actual.user[i]) {
        panic!(
            "user byte {i:#x}: unsplit {:#04x}, split {:#04x}",
            unsplit.user[i], actual.user[i]
        );
    }
    // And both memories match the run-time region reference byte for byte.
    let expected = run_reference(&reference::build(&wasm), &setup, &calls);
    compare(&expected, &actual).unwrap_or_else(|d| panic!("split vs reference: {d}"));
}
