//! poll_oneoff: clocks (relative and absolute), fd readiness, errors.

use crate::util::*;

const SUB: usize = 48;
const EVENT: usize = 32;

enum Sub {
    Clock {
        id: u32,
        timeout: u64,
        abstime: bool,
    },
    Read(u32),
    Write(u32),
    /// A raw tag with nothing else.
    Tag(u8),
}

fn subs(list: &[(u64, Sub)]) -> Buf {
    let mut b = Buf::new(list.len() * SUB + 8, 0);
    for (i, (userdata, s)) in list.iter().enumerate() {
        let o = i * SUB;
        b.set_u64(o, *userdata);
        match s {
            Sub::Clock {
                id,
                timeout,
                abstime,
            } => {
                b.set_u8(o + 8, 0);
                b.set_u32(o + 16, *id);
                b.set_u64(o + 24, *timeout);
                b.set_u64(o + 32, 1000);
                b.set_u16(o + 40, *abstime as u16);
            }
            Sub::Read(fd) => {
                b.set_u8(o + 8, 1);
                b.set_u32(o + 16, *fd);
            }
            Sub::Write(fd) => {
                b.set_u8(o + 8, 2);
                b.set_u32(o + 16, *fd);
            }
            Sub::Tag(t) => b.set_u8(o + 8, *t),
        }
    }
    b
}

/// Polls; prints the errno, the count, every event and whether the event
/// slots after the count were left alone. Returns the elapsed monotonic ns.
fn poll(case: &str, list: &[(u64, Sub)]) -> u64 {
    let input = subs(list);
    let cap = list.len().max(1) + 1;
    let events = Buf::new(cap * EVENT, 0xEE);
    let o = out();
    let t0 = now(1);
    let r = unsafe { p1::poll_oneoff(input.ptr(), events.ptr(), list.len() as i32, o.ptr()) };
    let elapsed = now(1) - t0;
    if r != 0 {
        println!(
            "poll_oneoff {case}: {} nevents-untouched={} events-untouched={}",
            en(r),
            o.u32(0) == 0xEEEE_EEEE,
            events.bytes().iter().all(|&x| x == 0xEE)
        );
        return elapsed;
    }
    let n = o.u32(0) as usize;
    let mut desc = Vec::new();
    for i in 0..n.min(cap) {
        let e = i * EVENT;
        desc.push(format!(
            "[userdata={} error={} type={} nbytes={} flags={}]",
            events.u64(e),
            events.u16(e + 8),
            events.u8(e + 10),
            events.u64(e + 16),
            events.u16(e + 24)
        ));
    }
    let rest_untouched = events.bytes()[n.min(cap) * EVENT..]
        .iter()
        .all(|&x| x == 0xEE);
    println!(
        "poll_oneoff {case}: ok n={n} {} rest-untouched={rest_untouched}",
        desc.join(" ")
    );
    elapsed
}

pub fn poll_() {
    let ms = 1_000_000u64;
    poll("no subscriptions", &[]);

    let el = poll(
        "monotonic relative 2ms",
        &[(
            11,
            Sub::Clock {
                id: 1,
                timeout: 2 * ms,
                abstime: false,
            },
        )],
    );
    fact(
        "poll_oneoff monotonic relative 2ms waited >= 2ms",
        el >= 2 * ms,
    );
    let el = poll(
        "realtime relative 1ms",
        &[(
            12,
            Sub::Clock {
                id: 0,
                timeout: ms,
                abstime: false,
            },
        )],
    );
    fact("poll_oneoff realtime relative 1ms waited >= 1ms", el >= ms);
    poll(
        "monotonic relative 0",
        &[(
            13,
            Sub::Clock {
                id: 1,
                timeout: 0,
                abstime: false,
            },
        )],
    );

    let deadline = now(1) + 3 * ms;
    poll(
        "monotonic absolute now+3ms",
        &[(
            14,
            Sub::Clock {
                id: 1,
                timeout: deadline,
                abstime: true,
            },
        )],
    );
    fact(
        "poll_oneoff monotonic absolute: now >= deadline",
        now(1) >= deadline,
    );
    poll(
        "monotonic absolute in the past",
        &[(
            15,
            Sub::Clock {
                id: 1,
                timeout: 1,
                abstime: true,
            },
        )],
    );
    let el = poll(
        "realtime absolute in the past",
        &[(
            16,
            Sub::Clock {
                id: 0,
                timeout: 1,
                abstime: true,
            },
        )],
    );
    fact(
        "poll_oneoff realtime absolute in the past returned within 1s",
        el < 1000 * ms,
    );
    let wall_deadline = now(0) + 2 * ms;
    poll(
        "realtime absolute now+2ms",
        &[(
            17,
            Sub::Clock {
                id: 0,
                timeout: wall_deadline,
                abstime: true,
            },
        )],
    );
    fact(
        "poll_oneoff realtime absolute: now >= deadline",
        now(0) >= wall_deadline,
    );

    poll(
        "process cputime clock",
        &[(
            18,
            Sub::Clock {
                id: 2,
                timeout: ms,
                abstime: false,
            },
        )],
    );
    poll(
        "thread cputime clock",
        &[(
            18,
            Sub::Clock {
                id: 3,
                timeout: ms,
                abstime: false,
            },
        )],
    );
    poll(
        "clock id 7",
        &[(
            19,
            Sub::Clock {
                id: 7,
                timeout: ms,
                abstime: false,
            },
        )],
    );
    poll("bad tag 3", &[(20, Sub::Tag(3))]);
    // Bad subclockflags bits.
    let mut s = subs(&[(
        21,
        Sub::Clock {
            id: 1,
            timeout: ms,
            abstime: false,
        },
    )]);
    s.set_u16(40, 2);
    let events = Buf::new(64, 0xEE);
    let o = out();
    let r = unsafe { p1::poll_oneoff(s.ptr(), events.ptr(), 1, o.ptr()) };
    e("poll_oneoff", "subclockflags 2", r);

    // Descriptors.
    poll("stdin read", &[(30, Sub::Read(0))]);
    poll("stdout write", &[(31, Sub::Write(1))]);
    poll("stderr write", &[(32, Sub::Write(2))]);
    poll("stdout read", &[(33, Sub::Read(1))]);
    poll("stdin write", &[(34, Sub::Write(0))]);
    poll("bad fd read", &[(35, Sub::Read(99))]);
    poll("bad fd write", &[(36, Sub::Write(99))]);
    let sb = preopen(SANDBOX);
    poll("preopen read", &[(37, Sub::Read(sb))]);
    put(sb, "poll.txt", b"0123456789");
    let fd = must_open(sb, "poll.txt", 0, RW, 0);
    poll("file read at 0", &[(40, Sub::Read(fd))]);
    seek(fd, 0, 2);
    poll("file read at EOF", &[(41, Sub::Read(fd))]);
    seek(fd, 100, 0);
    poll("file read past EOF", &[(42, Sub::Read(fd))]);
    poll("file write", &[(43, Sub::Write(fd))]);
    close(fd);
    let ro = preopen(RO);
    let rofd = must_open(ro, "ro.txt", 0, R_READ, 0);
    poll("file in read-only preopen write", &[(44, Sub::Write(rofd))]);
    close(rofd);

    // Several subscriptions.
    let el = poll(
        "10s clock + stdout write",
        &[
            (
                50,
                Sub::Clock {
                    id: 1,
                    timeout: 10_000 * ms,
                    abstime: false,
                },
            ),
            (51, Sub::Write(1)),
        ],
    );
    fact(
        "poll_oneoff 10s clock + stdout write returned within 5s",
        el < 5000 * ms,
    );
    poll(
        "stdout write + realtime past + stderr write",
        &[
            (60, Sub::Write(1)),
            (
                61,
                Sub::Clock {
                    id: 0,
                    timeout: 1,
                    abstime: true,
                },
            ),
            (62, Sub::Write(2)),
        ],
    );
    poll(
        "stdout write + bad fd",
        &[(70, Sub::Write(1)), (71, Sub::Read(99))],
    );
    poll(
        "1ms clock + 10s clock",
        &[
            (
                80,
                Sub::Clock {
                    id: 1,
                    timeout: 10_000 * ms,
                    abstime: false,
                },
            ),
            (
                81,
                Sub::Clock {
                    id: 1,
                    timeout: ms,
                    abstime: false,
                },
            ),
        ],
    );
}
