;; Reference types: several tables, table.get/set/grow, ref.is_null, call_indirect on a second table.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; An iovec at 0 for the 3 bytes at 16.
  (data (i32.const 0) "\10\00\00\00\03\00\00\00")
  (data (i32.const 16) "ok\n")
  (func $print (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (type $v (func))
  (table $a 1 funcref)
  (table $b 1 externref)
  (elem declare func $print)
  (func (export "_start")
    (table.set $a (i32.const 0) (ref.func $print))
    (drop (table.grow $b (ref.null extern) (i32.const 1)))
    (if (ref.is_null (table.get $b (i32.const 0)))
      (then (call_indirect $a (type $v) (i32.const 0))))))
