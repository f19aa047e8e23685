;; A main module that imports the legacy module `mylog` (examples/mylog-adapter)
;; and preview1's fd_write. It logs three lines (the last one 300 bytes
;; long, more than the adapter's 256-byte buffer), then checks that its
;; memory is exactly as it was before the mylog calls, and prints
;; `count=N` with N from `mylog.count` on stdout.
;;
;;   mmadapt component new examples/mylog-main.wat --adapt mylog=mylog.wasm -o c.wasm
(module
  (import "mylog" "log" (func $log (param i32 i32)))
  (import "mylog" "count" (func $count (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello from main")
  (data (i32.const 48) "a second line")
  (data (i32.const 80) "count=")
  (data (i32.const 96) "main memory changed\n")

  ;; Writes `len` bytes at `ptr` to stdout (iovec at 0x200, nwritten at 0x208).
  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0x200) (local.get $ptr))
    (i32.store (i32.const 0x204) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0x200) (i32.const 1) (i32.const 0x208))))

  (func (export "_start")
    (local $i i32)
    (local $n i32)
    (local $at i32)
    ;; 300 bytes of 'x' at 0x400.
    (memory.fill (i32.const 0x400) (i32.const 0x78) (i32.const 300))
    ;; A copy of the first half of memory in the second half.
    (memory.copy (i32.const 0x8000) (i32.const 0) (i32.const 0x8000))
    (call $log (i32.const 16) (i32.const 15))
    (call $log (i32.const 48) (i32.const 13))
    (call $log (i32.const 0x400) (i32.const 300))
    ;; mylog may read the main memory but never write it: both halves must
    ;; still be equal.
    (block $same
      (loop $cmp
        (br_if $same (i32.eq (local.get $i) (i32.const 0x8000)))
        (if (i32.ne (i32.load8_u (local.get $i))
                    (i32.load8_u (i32.add (local.get $i) (i32.const 0x8000))))
          (then
            (call $print (i32.const 96) (i32.const 20))
            (unreachable)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $cmp)))
    ;; "count=" then the decimal digits of mylog.count, written backwards
    ;; from 0x1f0, then a newline.
    (local.set $n (call $count))
    (i32.store8 (i32.const 0x1f0) (i32.const 10))
    (local.set $at (i32.const 0x1f0))
    (loop $digits
      (local.set $at (i32.sub (local.get $at) (i32.const 1)))
      (i32.store8 (local.get $at)
        (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
      (local.set $n (i32.div_u (local.get $n) (i32.const 10)))
      (br_if $digits (local.get $n)))
    (call $print (i32.const 80) (i32.const 6))
    (call $print (local.get $at) (i32.sub (i32.const 0x1f1) (local.get $at)))))
