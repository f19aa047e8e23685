;; Non-trapping (saturating) float-to-int conversions.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; An iovec at 0 for the 3 bytes at 16.
  (data (i32.const 0) "\10\00\00\00\03\00\00\00")
  (data (i32.const 16) "ok\n")
  (func $print (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start")
    (if (i32.eq (i32.trunc_sat_f32_s (f32.const 1e30)) (i32.const 0x7fffffff))
      (then (drop (i64.trunc_sat_f64_u (f64.const -1))) (call $print)))))
