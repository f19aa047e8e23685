//! `poll_oneoff` on `wasi:io/poll`, `wasi:clocks/monotonic-clock` and the
//! standard streams.
//!
//! Mirrors wasmtime's native preview1 (general path): one pollable per
//! subscription (clock: `subscribe-duration`/`subscribe-instant`, realtime
//! deadlines turned into durations; fd_read on stdin, fd_write on
//! stdout/stderr: the stream's `subscribe`), one `poll`, then an event for
//! every ready subscription, in subscription order: clock events with
//! `nbytes` 0, stream events with `nbytes` 1. No subscriptions is `EINVAL`,
//! a CPU-time clock `EINVAL`, an fd that is not a suitable standard stream
//! `EBADF` (for the whole call, as natively); an unknown clock id or
//! event type traps (native preview1 fails to decode it and traps).

use crate::errno;
use crate::state::StdFd;
use alloc::vec::Vec;
use mmadapt_markers::{UserPod, UserPtr};
use wasip2::io::poll::Pollable;

const EVENTTYPE_CLOCK: u8 = 0;
const EVENTTYPE_FD_READ: u8 = 1;
const EVENTTYPE_FD_WRITE: u8 = 2;
const SUBCLOCKFLAGS_ABSTIME: u16 = 1;
const CLOCKID_REALTIME: u32 = 0;
const CLOCKID_MONOTONIC: u32 = 1;
const CLOCKID_PROCESS_CPUTIME_ID: u32 = 2;
const CLOCKID_THREAD_CPUTIME_ID: u32 = 3;

/// preview1 `subscription` (48 bytes), the union flattened: for clocks
/// `id_or_fd` is the clock id, for fd events the fd (and the rest unused).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Subscription {
    pub userdata: u64,
    pub tag: u8,
    pub _pad0: [u8; 7],
    pub id_or_fd: u32,
    pub _pad1: u32,
    pub timeout: u64,
    pub precision: u64,
    pub flags: u16,
    pub _pad2: [u8; 6],
}

/// preview1 `event` (32 bytes), padding spelled out.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Event {
    pub userdata: u64,
    pub error: u16,
    pub type_: u8,
    pub _pad0: u8,
    pub _pad1: u32,
    pub nbytes: u64,
    pub flags: u16,
    pub _pad2: [u8; 6],
}

// Integers and byte arrays only, padding explicit.
unsafe impl UserPod for Subscription {}
unsafe impl UserPod for Event {}
const _: () = assert!(core::mem::size_of::<Subscription>() == 48);
const _: () = assert!(core::mem::size_of::<Event>() == 32);

fn subscribe(sub: &Subscription) -> Result<Pollable, errno::Errno> {
    use wasip2::clocks::monotonic_clock;
    Ok(match sub.tag {
        EVENTTYPE_CLOCK => {
            let absolute = sub.flags & SUBCLOCKFLAGS_ABSTIME != 0;
            match sub.id_or_fd {
                CLOCKID_MONOTONIC if absolute => monotonic_clock::subscribe_instant(sub.timeout),
                CLOCKID_MONOTONIC | CLOCKID_REALTIME if !absolute => {
                    monotonic_clock::subscribe_duration(sub.timeout)
                }
                CLOCKID_REALTIME => {
                    let now = wasip2::clocks::wall_clock::now();
                    let now = now
                        .seconds
                        .saturating_mul(1_000_000_000)
                        .saturating_add(u64::from(now.nanoseconds));
                    monotonic_clock::subscribe_duration(sub.timeout.saturating_sub(now))
                }
                CLOCKID_PROCESS_CPUTIME_ID | CLOCKID_THREAD_CPUTIME_ID => return Err(errno::INVAL),
                _ => crate::trap(),
            }
        }
        EVENTTYPE_FD_READ => StdFd::open(sub.id_or_fd)
            .and_then(StdFd::input)
            .ok_or(errno::BADF)?
            .subscribe(),
        EVENTTYPE_FD_WRITE => StdFd::open(sub.id_or_fd)
            .and_then(StdFd::output)
            .ok_or(errno::BADF)?
            .subscribe(),
        _ => crate::trap(),
    })
}

/// `poll_oneoff(in: *const subscription, out: *mut event, nsubscriptions: size, nevents: *mut size) -> errno`
#[no_mangle]
pub extern "C" fn poll_oneoff(subs: u32, events: u32, nsubscriptions: u32, nevents: u32) -> i32 {
    errno::run(|| {
        if nsubscriptions == 0 {
            return Err(errno::INVAL);
        }
        let subs = UserPtr::<Subscription>::new(subs);
        let events = UserPtr::<Event>::new(events);

        let mut pollables = Vec::with_capacity(nsubscriptions as usize);
        for i in 0..nsubscriptions {
            pollables.push(subscribe(&subs.add(i).read())?);
        }
        let refs: Vec<&Pollable> = pollables.iter().collect();
        let mut ready = wasip2::io::poll::poll(&refs);
        drop(refs);
        drop(pollables);
        ready.sort_unstable();
        ready.dedup();

        let mut count = 0u32;
        for index in ready {
            if index >= nsubscriptions {
                crate::trap();
            }
            let sub = subs.add(index).read();
            let (type_, nbytes) = match sub.tag {
                EVENTTYPE_CLOCK => (EVENTTYPE_CLOCK, 0),
                other => (other, 1),
            };
            events.add(count).write(Event {
                userdata: sub.userdata,
                error: errno::SUCCESS.0,
                type_,
                _pad0: 0,
                _pad1: 0,
                nbytes,
                flags: 0,
                _pad2: [0; 6],
            });
            count += 1;
        }
        UserPtr::<u32>::new(nevents).write(count);
        Ok(())
    })
}
