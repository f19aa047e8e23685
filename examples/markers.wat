;; An adapter-shaped module with region markers, the input `mmadapt split`
;; expects: its own memory (private after the split), a shadow stack, data
;; segments, and code that touches the caller's memory only inside regions.
;;
;; `fd_write_like` sums the lengths of an iovec array in user memory (a user
;; region, through a helper that is cloned for the region), logs the call in
;; private state, copies a greeting from a data segment into a user buffer
;; (copy-out) and copies the first bytes of the first iovec into a private
;; buffer (copy-in).
(module
  (import "mmadapt:region" "user_begin" (func $user_begin))
  (import "mmadapt:region" "user_end" (func $user_end))
  (import "mmadapt:region" "copy_out_begin" (func $copy_out_begin))
  (import "mmadapt:region" "copy_out_end" (func $copy_out_end))
  (import "mmadapt:region" "copy_in_begin" (func $copy_in_begin))
  (import "mmadapt:region" "copy_in_end" (func $copy_in_end))
  (memory (export "memory") 1)
  (global $__stack_pointer (mut i32) (i32.const 65536))
  (global $calls (mut i32) (i32.const 0))
  (data (i32.const 1024) "hello from the adapter\n")

  ;; Reads the `len` field of iovec `i` at `iovs`: called inside a user
  ;; region and outside one, so the split clones it for the region.
  (func $iovec_len (param $iovs i32) (param $i i32) (result i32)
    local.get $iovs
    local.get $i
    i32.const 8
    i32.mul
    i32.add
    i32.load offset=4)

  (func $fd_write_like (export "fd_write_like")
        (param $iovs i32) (param $count i32) (param $out i32) (result i32)
    (local $i i32) (local $total i32) (local $first i32)
    ;; Private bookkeeping: memory 1.
    i32.const 2048
    i32.const 2048
    i32.load
    i32.const 1
    i32.add
    i32.store
    ;; Sum the iovec lengths: user memory.
    call $user_begin
    block $done
      loop $next
        local.get $i
        local.get $count
        i32.ge_u
        br_if $done
        local.get $total
        local.get $iovs
        local.get $i
        call $iovec_len
        i32.add
        local.set $total
        local.get $i
        i32.const 1
        i32.add
        local.set $i
        br $next
      end
    end
    local.get $iovs
    i32.load
    local.set $first
    call $user_end
    ;; The greeting into the user's buffer: adapter -> user.
    call $copy_out_begin
    local.get $out
    i32.const 1024
    i32.const 23
    memory.copy
    call $copy_out_end
    ;; The first 16 bytes of the first buffer into private memory.
    call $copy_in_begin
    i32.const 4096
    local.get $first
    i32.const 16
    memory.copy
    call $copy_in_end
    ;; A private use of the same helper: memory 1.
    i32.const 3000
    i32.const 0
    call $iovec_len
    drop
    local.get $total))
