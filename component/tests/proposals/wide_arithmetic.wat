;; Wide arithmetic: 128-bit add and wide multiplies.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; An iovec at 0 for the 3 bytes at 16.
  (data (i32.const 0) "\10\00\00\00\03\00\00\00")
  (data (i32.const 16) "ok\n")
  (func $print (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start")
    (drop (drop (i64.add128 (i64.const -1) (i64.const 0) (i64.const 1) (i64.const 0))))
    (drop (drop (i64.mul_wide_s (i64.const 3) (i64.const 4))))
    (drop (drop (i64.mul_wide_u (i64.const 3) (i64.const 4))))
    (call $print)))
