//! Execution tests: split modules run in wasmtime with a host-supplied memory
//! 0, compared byte for byte (both memories) and result for result with an
//! independent reference that routes every access by the region open at run
//! time (see common/reference.rs).

mod common;

use common::reference;
use common::run::{compare, run_reference, run_split, Arg, Call, Setup};
use mmadapt_ir::walk::{for_each_instr, InstrPos};
use std::path::{Path, PathBuf};
use walrus::ir::Instr;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// `;; exec: <export> <args...>` lines of a fixture.
fn exec_lines(text: &str) -> Vec<Call> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix(";; exec:"))
        .map(|l| {
            let mut words = l.split_whitespace();
            let export = words.next().expect("exec line names an export").to_string();
            let args = words
                .map(|w| match w.strip_suffix("i64") {
                    Some(v) => Arg::I64(v.parse().expect("i64 argument")),
                    None => Arg::I32(w.parse().expect("i32 argument")),
                })
                .collect();
            (export, args)
        })
        .collect()
}

/// Splits `wasm`, runs every case both ways and compares.
/// Each case runs in a fresh instance.
fn check_cases(name: &str, wasm: &[u8], cases: &[Call]) {
    let split = mmadapt_passes::split_bytes(wasm).unwrap_or_else(|e| panic!("{name}: {e}"));
    let reference = reference::build(wasm);
    let setup = Setup::default();
    for case in cases {
        let calls = std::slice::from_ref(case);
        let expected = run_reference(&reference, &setup, calls);
        let actual = run_split(&split.bytes, &setup, calls);
        if let Err(diff) = compare(&expected, &actual) {
            panic!("{name}: {}{:?}: {diff}", case.0, case.1);
        }
    }
}

/// One test per fixture that splits and has `;; exec:` lines (the list is
/// written by `passes/build.rs`; `cargo test --test execute NAME` runs one).
mod fixture {
    include!(concat!(env!("OUT_DIR"), "/executable_fixtures.rs"));
}

fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(fixtures_dir().join(format!("{name}.wat"))).unwrap()
}

/// Runs every `;; exec:` case of the fixture `name` both ways.
fn check_fixture(name: &str) {
    let text = fixture_text(name);
    let wasm = wat::parse_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    check_cases(&format!("{name}.wat"), &wasm, &exec_lines(&text));
}

/// The fixtures hold enough cases to mean something (a broken listing
/// would otherwise pass with none).
#[test]
fn enough_execution_cases() {
    let ran: usize = fixture::NAMES
        .iter()
        .map(|name| exec_lines(&fixture_text(name)).len())
        .sum();
    assert!(ran >= 10, "only {ran} execution cases found in fixtures/");
}

/// A program in which every access is observable: each one reads or writes
/// bytes that differ between the two memories, and every value read flows
/// into the result or into memory.
const OBSERVABLE: &str = r#"
(module
  (import "mmadapt:region" "user_begin" (func $ub))
  (import "mmadapt:region" "user_end" (func $ue))
  (import "mmadapt:region" "copy_out_begin" (func $cob))
  (import "mmadapt:region" "copy_out_end" (func $coe))
  (import "mmadapt:region" "copy_in_begin" (func $cib))
  (import "mmadapt:region" "copy_in_end" (func $cie))
  (memory 1)
  (global $__stack_pointer (mut i32) (i32.const 65536))
  (data (i32.const 1024) "private-table-0123456789abcdef")
  ;; Sums n bytes at p: cloned for the user region, original used outside.
  (func $sum (param $p i32) (param $n i32) (result i32)
    (local $acc i32)
    block $done
      loop $next
        local.get $n
        i32.eqz
        br_if $done
        local.get $acc
        local.get $p
        i32.load8_u
        i32.add
        local.set $acc
        local.get $p
        i32.const 1
        i32.add
        local.set $p
        local.get $n
        i32.const 1
        i32.sub
        local.set $n
        br $next
      end
    end
    local.get $acc)
  (func (export "run") (param $p i32) (result i32)
    (local $acc i32)
    i32.const 2048
    i32.const 0x11223344
    i32.store
    call $ub
    local.get $p
    i32.load
    local.set $acc
    local.get $p
    i32.const 8
    i32.add
    local.get $acc
    i32.const 1
    i32.add
    i32.store
    local.get $p
    i32.const 32
    call $sum
    local.get $acc
    i32.xor
    local.set $acc
    call $ue
    i32.const 2048
    i32.load
    local.get $acc
    i32.add
    local.set $acc
    i32.const 1024
    i32.const 16
    call $sum
    local.get $acc
    i32.add
    local.set $acc
    call $cob
    local.get $p
    i32.const 64
    i32.add
    i32.const 1024
    i32.const 16
    memory.copy
    call $coe
    call $cib
    i32.const 4096
    local.get $p
    i32.const 128
    i32.add
    i32.const 16
    memory.copy
    call $cie
    call $ub
    local.get $p
    i32.const 256
    i32.add
    i32.const 0x5a
    i32.const 8
    memory.fill
    call $ue
    local.get $acc)
)
"#;

#[test]
fn observable_program_runs_like_the_reference() {
    let wasm = wat::parse_str(OBSERVABLE).unwrap();
    check_cases("observable", &wasm, &[("run".into(), vec![Arg::I32(512)])]);
}

/// Every memory operand of the split module, flipped to the other memory one
/// at a time, must make the comparison fail: the test can tell a misrouted
/// access from a correct one.
#[test]
fn every_misrouted_access_is_detected() {
    let wasm = wat::parse_str(OBSERVABLE).unwrap();
    let split = mmadapt_passes::split_bytes(&wasm).unwrap();
    let reference = reference::build(&wasm);
    let calls = [("run".to_string(), vec![Arg::I32(512)])];
    let setup = Setup::default();
    let expected = run_reference(&reference, &setup, &calls);

    // Sites: (function name, position, operand: false = dst/single, true = src).
    let module = mmadapt_ir::lift(&split.bytes).unwrap();
    let mut sites = Vec::new();
    for (f, (_, func)) in module.funcs.iter_local().enumerate() {
        let mut n = 0;
        for_each_instr(func, |v| {
            if let Some(usage) = mmadapt_ir::memory_use(v.instr) {
                sites.push((f, n, false));
                if matches!(usage, mmadapt_ir::MemUse::Copy { .. }) {
                    sites.push((f, n, true));
                }
                n += 1;
            }
        });
    }
    assert!(
        sites.len() >= 10,
        "expected many sites, found {}",
        sites.len()
    );
    for (f, n, src_side) in sites {
        let mutated = flip(&split.bytes, f, n, src_side);
        let actual = run_split(&mutated, &setup, &calls);
        assert!(
            compare(&expected, &actual).is_err(),
            "flipping the memory of access {n} of function {f} (src side: {src_side}) went unnoticed"
        );
    }
}

/// The split module with one memory operand pointed at the other memory.
/// `f` is the function's ordinal among local functions, `n` the access's
/// ordinal among the function's memory instructions (lifting is deterministic,
/// so ordinals name the same places again).
fn flip(bytes: &[u8], f: usize, n: usize, src_side: bool) -> Vec<u8> {
    let mut module = mmadapt_ir::lift(bytes).unwrap();
    let mems: Vec<walrus::MemoryId> = module.memories.iter().map(|m| m.id()).collect();
    let other = |m: walrus::MemoryId| if m == mems[0] { mems[1] } else { mems[0] };
    let (fid, func) = module.funcs.iter_local().nth(f).unwrap();
    let mut positions: Vec<InstrPos> = Vec::new();
    for_each_instr(func, |v| {
        if mmadapt_ir::memory_use(v.instr).is_some() {
            positions.push(v.pos);
        }
    });
    let pos = positions[n];
    let func = module.funcs.get_mut(fid).kind.unwrap_local_mut();
    let (instr, _) = &mut func.block_mut(pos.seq).instrs[pos.index];
    match instr {
        Instr::MemoryCopy(c) if src_side => c.src = other(c.src),
        Instr::MemoryCopy(c) => c.dst = other(c.dst),
        Instr::Load(i) => i.memory = other(i.memory),
        Instr::Store(i) => i.memory = other(i.memory),
        Instr::MemoryFill(i) => i.memory = other(i.memory),
        other => panic!("unexpected instruction {other:?}"),
    }
    module.emit_wasm()
}

/// The callee used inside and outside the region is cloned once, and the
/// clone reads user memory while the original reads private memory.
#[test]
fn clone_and_original_read_different_memories() {
    let wasm = wat::parse_str(OBSERVABLE).unwrap();
    let split = mmadapt_passes::split_bytes(&wasm).unwrap();
    assert_eq!(split.clones.len(), 1);
    let (&clone, context) = split.clones.iter().next().unwrap();
    assert_eq!(context.kind, mmadapt_ir::RegionKind::User);
    assert_eq!(
        split.module.funcs.get(context.original).name.as_deref(),
        Some("sum")
    );
    assert_eq!(
        split.module.funcs.get(clone).name.as_deref(),
        Some("sum$user")
    );
}
