;; Mutable globals: an exported mutable global.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; An iovec at 0 for the 3 bytes at 16.
  (data (i32.const 0) "\10\00\00\00\03\00\00\00")
  (data (i32.const 16) "ok\n")
  (func $print (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (global $counter (export "counter") (mut i32) (i32.const 0))
  (func (export "_start")
    (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
    (call $print)))
