;; Threads: atomics on `memory` and a shared second memory (`memory` stays unshared).
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; An iovec at 0 for the 3 bytes at 16.
  (data (i32.const 0) "\10\00\00\00\03\00\00\00")
  (data (i32.const 16) "ok\n")
  (func $print (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (memory $shared 1 1 shared)
  (func (export "_start")
    (drop (i32.atomic.rmw.add $shared (i32.const 0) (i32.const 1)))
    (drop (i32.atomic.load (i32.const 0)))
    (atomic.fence)
    (call $print)))
