;; Relaxed SIMD.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; An iovec at 0 for the 3 bytes at 16.
  (data (i32.const 0) "\10\00\00\00\03\00\00\00")
  (data (i32.const 16) "ok\n")
  (func $print (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start")
    (drop (f32x4.extract_lane 0
      (f32x4.relaxed_madd (v128.const f32x4 1 2 3 4) (v128.const f32x4 1 1 1 1) (v128.const f32x4 0 0 0 0))))
    (drop (i32x4.relaxed_trunc_f32x4_s (v128.const f32x4 1 2 3 4)))
    (call $print)))
