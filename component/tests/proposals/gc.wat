;; GC: struct and array types.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; An iovec at 0 for the 3 bytes at 16.
  (data (i32.const 0) "\10\00\00\00\03\00\00\00")
  (data (i32.const 16) "ok\n")
  (func $print (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (type $s (struct (field (mut i32))))
  (type $a (array (mut i8)))
  (func (export "_start")
    (local $r (ref null $s))
    (local.set $r (struct.new $s (i32.const 3)))
    (struct.set $s 0 (local.get $r) (i32.const 4))
    (drop (array.len (array.new $a (i32.const 0) (i32.const 10))))
    (if (i32.eq (struct.get $s 0 (local.get $r)) (i32.const 4))
      (then (call $print)))))
