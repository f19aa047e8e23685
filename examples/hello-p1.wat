;; A WASI preview1 command, the input `mmadapt component new` expects: it
;; writes "hello from preview1" to stdout with fd_write and exits with 0.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "hello from preview1\n")
  (func (export "_start")
    ;; One iovec at 0: { buf = 64, len = 20 }; bytes written go to 16.
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 20))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16)))
    (call $proc_exit (i32.const 0))))
