//! The split property (passes/tests/properties.rs) under libFuzzer: the
//! fuzzer's bytes drive the same generator, so a finding saved by libFuzzer
//! also reproduces as a property-test input and vice versa.
#![no_main]

#[path = "../../passes/tests/common/mod.rs"]
mod common;

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(case) = common::gen::split_case(&mut u) else {
        return;
    };
    common::split_property::check(&case);
});
