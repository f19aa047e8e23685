//! `poll_oneoff` on `wasi:io/poll`, `wasi:clocks/monotonic-clock`, the
//! standard streams and files.
//!
//! Mirrors wasmtime's native preview1 (`p1.rs` `poll_oneoff`, general path):
//! no subscriptions is `EINVAL`; hostcall fuel for both arrays; then each
//! subscription is read (a bad tag, clock id or clock flag is `EINVAL`,
//! wiggle's `InvalidEnumValue`/`InvalidFlagValue`; a bad pointer traps) and
//! gets one pollable:
//! - clock: monotonic relative -> `subscribe-duration`, absolute ->
//!   `subscribe-instant`; realtime relative -> `subscribe-duration`,
//!   absolute -> `subscribe-duration(deadline - wall-clock now)`, saturating
//!   (a deadline in the past fires at once); CPU-time clocks `EINVAL`;
//! - fd_read: stdin's stream, or a temporary `read-via-stream(position)`
//!   for a file; fd_write: stdout's/stderr's stream, or a temporary
//!   `append-via-stream` / `write-via-stream(position)` for a file;
//!   anything else `EBADF`.
//!
//! Any error ends the whole call. Then one `poll`, and an event for every
//! ready subscription in subscription order, written field by field from
//! `out[0]`: clocks `nbytes` 0; fds `nbytes` 1; a file read gets the
//! `hangup` flag when the position is at or past the end (`stat`).
//! (Native's single-relative-clock fast path only exists with
//! `allow_blocking_current_thread`; not mirrored.)

use crate::descriptors::{self, Desc};
use crate::errno::{self, Errno};
use crate::user::{self, Fuel};
use alloc::vec::Vec;
use wasip2::io::poll::Pollable;
use wasip2::io::streams::{InputStream, OutputStream};

const EVENTTYPE_CLOCK: u8 = 0;
const EVENTTYPE_FD_READ: u8 = 1;
const EVENTTYPE_FD_WRITE: u8 = 2;
const SUBCLOCKFLAGS_ABSTIME: u16 = 1;
const CLOCKID_REALTIME: u32 = 0;
const CLOCKID_MONOTONIC: u32 = 1;
const CLOCKID_PROCESS_CPUTIME_ID: u32 = 2;
const CLOCKID_THREAD_CPUTIME_ID: u32 = 3;
const EVENTRWFLAGS_HANGUP: u16 = 1;

/// Size of a preview1 `subscription` / `event` in user memory.
const SUBSCRIPTION_SIZE: u32 = 48;
const EVENT_SIZE: u32 = 32;
/// Native charges fuel by the size of its host-side Rust types
/// (`types::Subscription`, `types::Event`: 32 bytes each on 64-bit hosts).
const HOST_SUBSCRIPTION_SIZE: u64 = 32;
const HOST_EVENT_SIZE: u64 = 32;

/// A subscription as read from user memory.
enum Sub {
    Clock { id: u32, timeout: u64, flags: u16 },
    FdRead(u32),
    FdWrite(u32),
}

/// Reads subscription `ptr` as wiggle does: `userdata` (8-aligned), the
/// tag, then the fields of the tag's case; an invalid tag, clock id or
/// clock flag is `EINVAL`.
fn read_sub(ptr: u32) -> Result<(u64, Sub), Errno> {
    let userdata: u64 = user::get(ptr);
    let tag: u8 = user::get(ptr + 8);
    let sub = match tag {
        EVENTTYPE_CLOCK => {
            let id: u32 = user::get(ptr + 16);
            if id > CLOCKID_THREAD_CPUTIME_ID {
                return Err(errno::INVAL);
            }
            let timeout: u64 = user::get(ptr + 24);
            let _precision: u64 = user::get(ptr + 32);
            let flags: u16 = user::get(ptr + 40);
            if flags & !SUBCLOCKFLAGS_ABSTIME != 0 {
                return Err(errno::INVAL);
            }
            Sub::Clock { id, timeout, flags }
        }
        EVENTTYPE_FD_READ => Sub::FdRead(user::get(ptr + 16)),
        EVENTTYPE_FD_WRITE => Sub::FdWrite(user::get(ptr + 16)),
        _ => return Err(errno::INVAL),
    };
    Ok((userdata, sub))
}

/// Streams made for file subscriptions, dropped after their pollables.
#[derive(Default)]
struct Temp {
    inputs: Vec<InputStream>,
    outputs: Vec<OutputStream>,
}

fn subscribe(t: &mut descriptors::Table, sub: &Sub, temp: &mut Temp) -> Result<Pollable, Errno> {
    use wasip2::clocks::monotonic_clock;
    Ok(match *sub {
        Sub::Clock { id, timeout, flags } => {
            let absolute = flags & SUBCLOCKFLAGS_ABSTIME != 0;
            match id {
                CLOCKID_MONOTONIC if absolute => monotonic_clock::subscribe_instant(timeout),
                CLOCKID_MONOTONIC => monotonic_clock::subscribe_duration(timeout),
                CLOCKID_REALTIME if !absolute => monotonic_clock::subscribe_duration(timeout),
                CLOCKID_REALTIME => {
                    let now = wasip2::clocks::wall_clock::now();
                    let now = now
                        .seconds
                        .wrapping_mul(1_000_000_000)
                        .wrapping_add(u64::from(now.nanoseconds));
                    monotonic_clock::subscribe_duration(timeout.saturating_sub(now))
                }
                CLOCKID_PROCESS_CPUTIME_ID | CLOCKID_THREAD_CPUTIME_ID => return Err(errno::INVAL),
                _ => return Err(errno::INVAL),
            }
        }
        Sub::FdRead(fd) => match t.get(fd)? {
            Desc::Stdin { stream, .. } => stream.subscribe(),
            Desc::File(f) => {
                let s = f.fd.read_via_stream(f.position)?;
                let p = s.subscribe();
                temp.inputs.push(s);
                p
            }
            _ => return Err(errno::BADF),
        },
        Sub::FdWrite(fd) => match t.get(fd)? {
            Desc::Stdout { stream, .. } | Desc::Stderr { stream, .. } => stream.subscribe(),
            Desc::File(f) => {
                let s = if f.append {
                    f.fd.append_via_stream()?
                } else {
                    f.fd.write_via_stream(f.position)?
                };
                let p = s.subscribe();
                temp.outputs.push(s);
                p
            }
            _ => return Err(errno::BADF),
        },
    })
}

/// `poll_oneoff(in: *const subscription, out: *mut event, nsubscriptions: size, nevents: *mut size) -> errno`
#[no_mangle]
pub extern "C" fn poll_oneoff(subs: u32, events: u32, nsubscriptions: u32, nevents: u32) -> i32 {
    errno::run(|| {
        if nsubscriptions == 0 {
            return Err(errno::INVAL);
        }
        let mut fuel = Fuel::new();
        fuel.consume(u64::from(nsubscriptions) * HOST_SUBSCRIPTION_SIZE)?;
        fuel.consume(u64::from(nsubscriptions) * HOST_EVENT_SIZE)?;

        let count = descriptors::with(|t| {
            let mut temp = Temp::default();
            let mut pollables = Vec::new();
            // Read once, as native does: the events may overwrite them.
            let mut read = Vec::new();
            for i in 0..nsubscriptions {
                let (userdata, sub) = read_sub(user::element(subs, i, SUBSCRIPTION_SIZE))?;
                pollables.push(subscribe(t, &sub, &mut temp)?);
                read.push((userdata, sub));
            }
            let ready = if let [one] = &pollables[..] {
                // One subscription (a sleep, most often): `block` is the
                // same wait without passing lists through memory.
                one.block();
                alloc::vec![0]
            } else {
                let refs: Vec<&Pollable> = pollables.iter().collect();
                wasip2::io::poll::poll(&refs)
            };
            // Pollables are children of their streams: drop them first.
            drop(pollables);
            drop(temp);
            // Events go out in subscription order, once each: mark the
            // ready ones (a bitmap, not a sort: the sort alone was 5 KB of
            // the adapter).
            let mut is_ready = alloc::vec![false; nsubscriptions as usize];
            for index in ready {
                match is_ready.get_mut(index as usize) {
                    Some(r) => *r = true,
                    None => crate::trap(),
                }
            }

            let mut count = 0u32;
            for index in (0..nsubscriptions).filter(|&i| is_ready[i as usize]) {
                let (userdata, ref sub) = read[index as usize];
                let (type_, nbytes, flags) = match *sub {
                    Sub::Clock { .. } => (EVENTTYPE_CLOCK, 0, 0),
                    Sub::FdRead(fd) => match t.get(fd)? {
                        Desc::Stdin { .. } => (EVENTTYPE_FD_READ, 1, 0),
                        Desc::File(f) => {
                            let size = f.fd.stat()?.size;
                            let hangup = if size <= f.position {
                                EVENTRWFLAGS_HANGUP
                            } else {
                                0
                            };
                            (EVENTTYPE_FD_READ, 1, hangup)
                        }
                        _ => return Err(errno::BADF),
                    },
                    Sub::FdWrite(fd) => match t.get(fd)? {
                        Desc::Stdout { .. } | Desc::Stderr { .. } | Desc::File(_) => {
                            (EVENTTYPE_FD_WRITE, 1, 0)
                        }
                        _ => return Err(errno::BADF),
                    },
                };
                let event = user::element(events, count, EVENT_SIZE);
                user::check_align(event, 8);
                user::put::<u64>(event, userdata);
                user::put::<u16>(event + 8, errno::SUCCESS.0);
                user::put::<u8>(event + 10, type_);
                user::put::<u64>(event + 16, nbytes);
                user::put::<u16>(event + 24, flags);
                count += 1;
            }
            Ok(count)
        })?;
        user::put::<u32>(nevents, count);
        Ok(())
    })
}
