//! `proc_exit` on `wasi:cli/exit` (a trap in the proxy variant);
//! `proc_raise`; `sched_yield`.

/// `proc_exit(rval: exitcode) -> !`
///
/// With the `exit-with-code` feature (default) this matches wasmtime's native
/// preview1: 0 is `exit(ok)`, 1..=125 is `exit-with-code(rval)` so the host
/// sees the same status, and 126 or more traps (native preview1 accepts
/// exactly `[0, 126)` and fails otherwise). Without the feature every
/// non-zero code is `exit(err)`, i.e. status 1, as in the standard adapter.
#[no_mangle]
pub extern "C" fn proc_exit(rval: u32) -> ! {
    // Checked on entry only (nothing is left to check after `exit`).
    let _guard = crate::integrity::Guard::enter();
    // `wasi:http/proxy` has no `wasi:cli/exit`: trap, with a message on
    // stderr, as the standard adapter's proxy variant does.
    #[cfg(feature = "proxy")]
    {
        let _ = rval;
        let mut m = crate::FatalMessage::new();
        m.put(b"mmadapt adapter: proc_exit: the wasi:http/proxy world has no wasi:cli/exit\n");
        m.write_and_trap()
    }
    #[cfg(not(feature = "proxy"))]
    if rval == 0 {
        wasip2::cli::exit::exit(Ok(()));
    } else {
        #[cfg(feature = "exit-with-code")]
        {
            if rval >= 126 {
                crate::trap();
            }
            wasip2::cli::exit::exit_with_code(rval as u8);
        }
        #[cfg(not(feature = "exit-with-code"))]
        wasip2::cli::exit::exit(Err(()));
    }
    // `exit` does not return; if a host lets it, trap rather than return into
    // a program that asked to stop.
    #[cfg(not(feature = "proxy"))]
    crate::trap()
}

/// `sched_yield() -> errno`
///
/// WASI 0.2 has no yield; there is nothing else to run in this instance.
#[no_mangle]
pub extern "C" fn sched_yield() -> i32 {
    let _guard = crate::integrity::Guard::enter();
    crate::errno::SUCCESS.0 as i32
}

/// `proc_raise(sig: signal) -> errno`
///
/// As native preview1: `ENOTSUP` for every signal; a value that is not a
/// `signal` (> 30) traps.
#[no_mangle]
pub extern "C" fn proc_raise(sig: u32) -> i32 {
    let _guard = crate::integrity::Guard::enter();
    if sig > 30 {
        crate::trap();
    }
    crate::errno::NOTSUP.0 as i32
}
