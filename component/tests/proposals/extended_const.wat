;; Extended constant expressions: in a global and a data offset.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; An iovec at 0 for the 3 bytes at 16.
  (data (i32.const 0) "\10\00\00\00\03\00\00\00")
  (data (i32.const 16) "ok\n")
  (func $print (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (global $g i32 (i32.add (i32.const 64) (i32.mul (i32.const 2) (i32.const 8))))
  (data (i32.sub (i32.const 128) (i32.const 32)) "x")
  (func (export "_start")
    (if (i32.eq (global.get $g) (i32.const 80)) (then (call $print)))))
