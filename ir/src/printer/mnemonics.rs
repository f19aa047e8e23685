//! The text-format mnemonics of walrus's instructions (`I32WrapI64` →
//! `i32.wrap_i64`, load and store kinds, SIMD lanes, atomic
//! read-modify-writes), for the printer.

use walrus::ir::*;

/// `I32WrapI64` → `i32.wrap_i64`.
pub(super) fn op_name(debug: &str) -> String {
    const PREFIXES: [&str; 11] = [
        "I8x16", "I16x8", "I32x4", "I64x2", "F32x4", "F64x2", "V128", "I32", "I64", "F32", "F64",
    ];
    let (prefix, rest) = PREFIXES
        .iter()
        .find_map(|p| debug.strip_prefix(p).map(|r| (*p, r)))
        .unwrap_or(("", debug));
    let mut snake = String::new();
    for (i, ch) in rest.chars().enumerate() {
        if ch.is_ascii_uppercase() && i > 0 {
            snake.push('_');
        }
        snake.push(ch.to_ascii_lowercase());
    }
    let rest = snake
        .split(['{', ' '])
        .next()
        .unwrap_or("")
        .trim_end_matches('_');
    if prefix.is_empty() {
        rest.to_string()
    } else {
        format!("{}.{}", prefix.to_lowercase(), rest)
    }
}

pub(super) fn memarg(arg: &MemArg) -> String {
    if arg.offset == 0 {
        String::new()
    } else {
        format!(" offset={}", arg.offset)
    }
}

fn ext(kind: &ExtendedLoad) -> (&'static str, &'static str) {
    match kind {
        ExtendedLoad::SignExtend => ("", "_s"),
        ExtendedLoad::ZeroExtend => ("", "_u"),
        ExtendedLoad::ZeroExtendAtomic => (".atomic", "_u"),
    }
}

pub(super) fn load_name(kind: &LoadKind) -> String {
    let atomic = |a: bool| if a { ".atomic" } else { "" };
    match kind {
        LoadKind::I32 { atomic: a } => format!("i32{}.load", atomic(*a)),
        LoadKind::I64 { atomic: a } => format!("i64{}.load", atomic(*a)),
        LoadKind::F32 => "f32.load".into(),
        LoadKind::F64 => "f64.load".into(),
        LoadKind::V128 => "v128.load".into(),
        LoadKind::I32_8 { kind } => format!("i32{}.load8{}", ext(kind).0, ext(kind).1),
        LoadKind::I32_16 { kind } => format!("i32{}.load16{}", ext(kind).0, ext(kind).1),
        LoadKind::I64_8 { kind } => format!("i64{}.load8{}", ext(kind).0, ext(kind).1),
        LoadKind::I64_16 { kind } => format!("i64{}.load16{}", ext(kind).0, ext(kind).1),
        LoadKind::I64_32 { kind } => format!("i64{}.load32{}", ext(kind).0, ext(kind).1),
    }
}

pub(super) fn store_name(kind: &StoreKind) -> String {
    let atomic = |a: bool| if a { ".atomic" } else { "" };
    match kind {
        StoreKind::I32 { atomic: a } => format!("i32{}.store", atomic(*a)),
        StoreKind::I64 { atomic: a } => format!("i64{}.store", atomic(*a)),
        StoreKind::F32 => "f32.store".into(),
        StoreKind::F64 => "f64.store".into(),
        StoreKind::V128 => "v128.store".into(),
        StoreKind::I32_8 { atomic: a } => format!("i32{}.store8", atomic(*a)),
        StoreKind::I32_16 { atomic: a } => format!("i32{}.store16", atomic(*a)),
        StoreKind::I64_8 { atomic: a } => format!("i64{}.store8", atomic(*a)),
        StoreKind::I64_16 { atomic: a } => format!("i64{}.store16", atomic(*a)),
        StoreKind::I64_32 { atomic: a } => format!("i64{}.store32", atomic(*a)),
    }
}

/// The mnemonic and, for lane instructions, the lane (printed after the
/// memory argument, as in the text format).
pub(super) fn simd_name(kind: &LoadSimdKind) -> (String, String) {
    use LoadSimdKind::*;
    let plain = |s: &str| (s.to_string(), String::new());
    let lane = |s: &str, l: &u8| (s.to_string(), format!(" {l}"));
    match kind {
        Splat8 => plain("v128.load8_splat"),
        Splat16 => plain("v128.load16_splat"),
        Splat32 => plain("v128.load32_splat"),
        Splat64 => plain("v128.load64_splat"),
        V128Load8x8S => plain("v128.load8x8_s"),
        V128Load8x8U => plain("v128.load8x8_u"),
        V128Load16x4S => plain("v128.load16x4_s"),
        V128Load16x4U => plain("v128.load16x4_u"),
        V128Load32x2S => plain("v128.load32x2_s"),
        V128Load32x2U => plain("v128.load32x2_u"),
        V128Load32Zero => plain("v128.load32_zero"),
        V128Load64Zero => plain("v128.load64_zero"),
        V128Load8Lane(l) => lane("v128.load8_lane", l),
        V128Load16Lane(l) => lane("v128.load16_lane", l),
        V128Load32Lane(l) => lane("v128.load32_lane", l),
        V128Load64Lane(l) => lane("v128.load64_lane", l),
        V128Store8Lane(l) => lane("v128.store8_lane", l),
        V128Store16Lane(l) => lane("v128.store16_lane", l),
        V128Store32Lane(l) => lane("v128.store32_lane", l),
        V128Store64Lane(l) => lane("v128.store64_lane", l),
    }
}

pub(super) fn rmw_name(width: &AtomicWidth, op: &str) -> String {
    let (ty, bits) = match width {
        AtomicWidth::I32 => ("i32", ""),
        AtomicWidth::I32_8 => ("i32", "8"),
        AtomicWidth::I32_16 => ("i32", "16"),
        AtomicWidth::I64 => ("i64", ""),
        AtomicWidth::I64_8 => ("i64", "8"),
        AtomicWidth::I64_16 => ("i64", "16"),
        AtomicWidth::I64_32 => ("i64", "32"),
    };
    let unsigned = if bits.is_empty() { "" } else { "_u" };
    format!("{ty}.atomic.rmw{bits}.{op}{unsigned}")
}
