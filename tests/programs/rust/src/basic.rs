//! args_*, environ_*, clock_*, random_get, sched_yield, proc_raise.

use crate::util::*;

fn strings(
    sizes: unsafe extern "C" fn(i32, i32) -> i32,
    get: unsafe extern "C" fn(i32, i32) -> i32,
    name: &str,
) -> Vec<String> {
    let o = out();
    let r = unsafe { sizes(o.ptr(), o.at(4)) };
    let (count, size) = (o.u32(0) as usize, o.u32(4) as usize);
    line(
        &format!("{name}_sizes_get"),
        "",
        r,
        format!("count={count} buf_size={size}"),
    );
    // Pointer array and buffer, with room after the end to see that
    // nothing is written past the announced size.
    let ptrs = Buf::new(count * 4 + 8, 0xEE);
    let buf = Buf::new(size + 16, 0xEE);
    let r = unsafe { get(ptrs.ptr(), buf.ptr()) };
    let mut out = Vec::new();
    let mut packed = true;
    let mut expect = buf.ptr() as u32;
    for i in 0..count {
        let p = ptrs.u32(i * 4);
        packed &= p == expect;
        let off = (p - buf.ptr() as u32) as usize;
        let len = buf.bytes()[off..size]
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(size - off);
        out.push(buf.text(off, len));
        expect = p + len as u32 + 1;
    }
    let tail_untouched = buf.bytes()[size..].iter().all(|&b| b == 0xEE)
        && ptrs.bytes()[count * 4..].iter().all(|&b| b == 0xEE);
    line(
        &format!("{name}_get"),
        "",
        r,
        format!(
            "packed={packed} nul-terminated-sizes-match={} nothing-past-end={tail_untouched}",
            expect == buf.ptr() as u32 + size as u32
        ),
    );
    out
}

pub fn args() {
    let args = strings(p1::args_sizes_get, p1::args_get, "args");
    for (i, a) in args.iter().enumerate() {
        println!("  argv[{i}] = {a:?}");
    }
    let env = strings(p1::environ_sizes_get, p1::environ_get, "environ");
    for (i, a) in env.iter().enumerate() {
        println!("  environ[{i}] = {a:?}");
    }
    // Called twice: same answer.
    let again = strings(p1::args_sizes_get, p1::args_get, "args");
    fact("args stable across calls", again == args);
}

pub fn clock() {
    let names = ["realtime", "monotonic", "process_cputime", "thread_cputime"];
    for (id, name) in names.iter().enumerate() {
        let o = out();
        let r = unsafe { p1::clock_res_get(id as i32, o.ptr()) };
        let res = o.u64(0);
        line(
            "clock_res_get",
            name,
            r,
            format!("positive={} at-most-1ms={}", res > 0, res <= 1_000_000),
        );
    }
    for (id, name) in names.iter().enumerate() {
        let o = out();
        let r = unsafe { p1::clock_time_get(id as i32, 0, o.ptr()) };
        let untouched = o.u64(0) == 0xEEEE_EEEE_EEEE_EEEE;
        if r == 0 {
            line(
                "clock_time_get",
                name,
                r,
                format!("nonzero={}", o.u64(0) != 0),
            );
        } else {
            println!("clock_time_get {name}: {} out-untouched={untouched}", en(r));
        }
    }
    // 2020-01-01T00:00:00Z in ns.
    let wall = now(0);
    fact(
        "clock_time_get realtime after 2020",
        wall > 1_577_836_800_000_000_000,
    );
    let a = now(1);
    let b = now(1);
    let c = now(1);
    fact("clock_time_get monotonic ordered", a <= b && b <= c);
    // The precision argument is ignored.
    let o = out();
    let r = unsafe { p1::clock_time_get(1, i64::MAX, o.ptr()) };
    line(
        "clock_time_get",
        "monotonic precision=max",
        r,
        format!("ordered={}", o.u64(0) >= c),
    );
    let o = out();
    let r = unsafe { p1::clock_time_get(0, 1, o.ptr()) };
    line(
        "clock_time_get",
        "realtime precision=1",
        r,
        format!("ordered={}", o.u64(0) >= wall),
    );
}

pub fn random() {
    for len in [0usize, 1, 16, 4096] {
        let b = Buf::new(len + 8, 0);
        let r = unsafe { p1::random_get(b.ptr(), len as i32) };
        let tail = b.bytes()[len..].iter().all(|&x| x == 0);
        let nonzero = len < 16 || b.bytes()[..len].iter().any(|&x| x != 0);
        line(
            "random_get",
            &format!("len={len}"),
            r,
            format!("nonzero-if-long={nonzero} nothing-past-end={tail}"),
        );
    }
    let a = Buf::new(32, 0);
    let b = Buf::new(32, 0);
    unsafe {
        p1::random_get(a.ptr(), 32);
        p1::random_get(b.ptr(), 32);
    }
    fact("random_get two calls differ", a.bytes() != b.bytes());
    // Not 8-aligned, odd length: byte buffers have no alignment rule.
    let c = Buf::new(40, 0);
    let r = unsafe { p1::random_get(c.at(3), 33) };
    e("random_get", "unaligned", r);
}

pub fn sched() {
    e("sched_yield", "", unsafe { p1::sched_yield() });
    e("sched_yield", "again", unsafe { p1::sched_yield() });
}

pub fn raise() {
    // Every valid signal (0..=30) gives ENOTSUP natively.
    for sig in [0, 1, 2, 6, 9, 15, 30] {
        e("proc_raise", &format!("sig={sig}"), unsafe {
            p1::proc_raise(sig)
        });
    }
}
