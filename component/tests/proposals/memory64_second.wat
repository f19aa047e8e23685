;; memory64: a second memory with 64-bit addresses (`memory` stays 32-bit).
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; An iovec at 0 for the 3 bytes at 16.
  (data (i32.const 0) "\10\00\00\00\03\00\00\00")
  (data (i32.const 16) "ok\n")
  (func $print (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (memory $wide i64 1)
  (func (export "_start")
    (i32.store $wide (i64.const 8) (i32.const 1))
    (if (i32.load $wide (i64.const 8)) (then (call $print)))))
