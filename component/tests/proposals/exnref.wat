;; Exceptions with exnref: try_table, catch_ref, throw_ref. The handler
;; prints and exits with the exception's payload (3), so a host that runs it
;; gives the same stdout and exit code natively and as a component
;; (e2e/tests/exceptions.rs).
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  ;; An iovec at 0 for the 15 bytes at 16.
  (data (i32.const 0) "\10\00\00\00\0f\00\00\00")
  (data (i32.const 16) "caught, exit 3\n")
  (tag $e (param i32))
  (func (export "_start")
    (local $x exnref)
    ;; Catch the exception as an exnref...
    (block $caught (result i32 exnref)
      (try_table (catch_ref $e $caught)
        (throw $e (i32.const 3)))
      unreachable)
    local.set $x
    drop
    ;; ...throw it again, and catch its payload.
    (block $again (result i32)
      (try_table (catch $e $again)
        (throw_ref (local.get $x)))
      unreachable)
    ;; The handler: print, then exit with the payload.
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    call $proc_exit))
