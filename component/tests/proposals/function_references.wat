;; Typed function references: ref.func, call_ref, br_on_null, non-null locals.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; An iovec at 0 for the 3 bytes at 16.
  (data (i32.const 0) "\10\00\00\00\03\00\00\00")
  (data (i32.const 16) "ok\n")
  (func $print (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (type $v (func))
  (elem declare func $print)
  (func (export "_start")
    (local $f (ref $v))
    (local.set $f (ref.func $print))
    (block $null
      (call_ref $v (br_on_null $null (ref.as_non_null (local.get $f)))))))
