;; memory64: `memory` itself with 64-bit addresses. Preview1 memories are
;; 32-bit; wit-component refuses it too.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") i64 1)
  (data (i64.const 0) "\10\00\00\00\03\00\00\00")
  (data (i64.const 16) "ok\n")
  (func (export "_start")))
