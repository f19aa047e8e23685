//! Where a test host may put user data in the *unsplit* build, where user
//! memory and adapter memory are the same memory.

extern "C" {
    // Defined by wasm-ld: the first byte after the stack and the data segments.
    static __heap_base: u8;
}

const PAGE: u32 = 65536;

/// First address a host may use for user data: `__heap_base` rounded up to a
/// page (the adapter has no heap, so nothing of its own lives above it). The
/// area ends at the end of the 4 initial pages. The same addresses are used in
/// the split build's memory 0, so results can be compared.
#[no_mangle]
pub extern "C" fn user_area() -> u32 {
    let heap_base = core::ptr::addr_of!(__heap_base) as u32;
    heap_base.div_ceil(PAGE) * PAGE
}
