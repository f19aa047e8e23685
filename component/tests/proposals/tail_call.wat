;; Tail calls: return_call and return_call_indirect.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; An iovec at 0 for the 3 bytes at 16.
  (data (i32.const 0) "\10\00\00\00\03\00\00\00")
  (data (i32.const 16) "ok\n")
  (func $print (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (type $v (func))
  (table 1 funcref)
  (elem (i32.const 0) $print)
  (func $via_table (return_call_indirect (type $v) (i32.const 0)))
  (func $direct (return_call $via_table))
  (func (export "_start") (call $direct)))
