//! Private-memory integrity checks (cargo feature `integrity-check`, off by
//! default: the shipped adapter has none of this code).
//!
//! With the feature, every preview1 entry point checks the adapter's own
//! memory on entry and again on exit (a [`Guard`] made in `errno::run`,
//! which 43 of the 46 functions go through, and explicitly in `proc_exit`,
//! `proc_raise` and `sched_yield`). Any failed invariant writes
//! `mmadapt integrity check failed ...` to the program's stderr (like the
//! panic handler) and traps. The invariants:
//!
//! - **shadow stack pointer**: the address of a local in a probe function
//!   called from the entry point's own frame is the same on exit as on entry
//!   (a callee that leaves `__stack_pointer` moved shows up), and lies inside
//!   the stack, above the canary;
//! - **stack canary**: the lowest [`CANARY_LEN`] bytes of the 32 KiB shadow
//!   stack (`__stack_low..`) hold a pattern written on first use (an
//!   overflow of the stack, or a stray write there, changes it);
//! - **constant data**: a checksum of the read-only data segment
//!   (`__global_base..MMADAPT_INTEGRITY_RODATA_END`, the start of `.data`,
//!   given at build time; the e2e harness builds twice to learn it) taken
//!   on first use is unchanged;
//! - **heap**: the global allocator is wrapped ([`CheckedAlloc`]): every
//!   live block has a header (magic, size, a check word, links of a list of
//!   all live blocks) and 8 + 16 bytes of red zones before and after it; the
//!   whole list is walked (links consistent, block inside the heap, red zones
//!   intact, count right);
//! - **descriptor table and args/env tables**: see
//!   `check_invariants` in `descriptors.rs` and in `state.rs` (vectors inside the heap, live
//!   resource handles, UTF-8 preopen names, NUL-terminated string tables).
//!
//! To show that the checks can fail, the feature also exports
//! `mmadapt_integrity_corrupt(kind) -> i32`, a test hook that damages one of
//! these on purpose (1 constant data, 2 stack canary, 3 heap red zone,
//! 4 descriptor table, 5 heap block header, 6 args table); the next preview1 call must trap.
//!
//! The dependencies go one way: the other modules call this one, and this
//! one names none of them. What it checks outside its own state comes in as
//! a parameter: the allocator that [`CheckedAlloc`] wraps, and the tables,
//! which their modules hand over with [`watch`] when they create them (a
//! table that does not exist yet has nothing to check, and nothing for
//! kinds 4 and 6 to damage).

#[cfg(not(feature = "integrity-check"))]
mod imp {
    /// Nothing without the feature (a zero-sized value with no `Drop`).
    pub struct Guard;

    impl Guard {
        #[inline(always)]
        pub fn enter() -> Guard {
            Guard
        }
    }
}

#[cfg(feature = "integrity-check")]
mod imp {
    use core::alloc::{GlobalAlloc, Layout};
    use core::panic::Location;

    extern "C" {
        static __global_base: u8;
        static __stack_low: u8;
        static __stack_high: u8;
        static __heap_base: u8;
    }

    fn addr(sym: &'static u8) -> usize {
        sym as *const u8 as usize
    }
    fn stack_low() -> usize {
        unsafe { addr(&__stack_low) }
    }
    fn stack_high() -> usize {
        unsafe { addr(&__stack_high) }
    }
    fn heap_base() -> usize {
        unsafe { addr(&__heap_base) }
    }
    fn global_base() -> usize {
        unsafe { addr(&__global_base) }
    }

    /// End of the read-only data (start of `.data`), given at build time.
    const RODATA_END: usize = match option_env!("MMADAPT_INTEGRITY_RODATA_END") {
        Some(s) => parse(s.as_bytes()),
        None => 0,
    };

    /// [`RODATA_END`] as the code sees it: opaque to the optimiser, so the
    /// code (and the constant data it keeps alive) is the same whatever the
    /// value, and the two builds have the same data layout.
    fn rodata_end() -> usize {
        core::hint::black_box(RODATA_END)
    }

    const fn parse(s: &[u8]) -> usize {
        let mut n = 0usize;
        let mut i = 0;
        while i < s.len() {
            assert!(
                s[i].is_ascii_digit(),
                "MMADAPT_INTEGRITY_RODATA_END: not a number"
            );
            n = n * 10 + (s[i] - b'0') as usize;
            i += 1;
        }
        n
    }

    /// Bytes of stack canary at the low end of the shadow stack.
    pub const CANARY_LEN: usize = 256;

    fn canary_byte(i: usize) -> u8 {
        (i as u8).wrapping_mul(31) ^ 0xC5
    }

    /// State of the checker. In `.bss`; it is itself covered by nothing
    /// (a corrupted `INIT` re-initialises, which would then miss one
    /// corruption, never report a false one).
    static mut INIT: bool = false;
    static mut RODATA_SUM: u64 = 0;

    /// Size of the memory (of this unsplit module: the private memory).
    fn memory_end() -> usize {
        core::arch::wasm32::memory_size(0) << 16
    }

    fn checksum(start: usize, end: usize) -> u64 {
        // FNV-1a, 64 bit.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut p = start;
        while p < end {
            let b = unsafe { core::ptr::read_volatile(p as *const u8) };
            h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
            p += 1;
        }
        h
    }

    fn init() {
        unsafe {
            if INIT {
                return;
            }
            INIT = true;
            for i in 0..CANARY_LEN {
                core::ptr::write_volatile((stack_low() + i) as *mut u8, canary_byte(i));
            }
            if rodata_end() > global_base() {
                RODATA_SUM = checksum(global_base(), rodata_end());
            }
        }
    }

    /// The address of a local of this (never inlined) function: called
    /// twice from the same frame, it gives the same value if and only if
    /// `__stack_pointer` is back where it was.
    #[inline(never)]
    fn probe() -> usize {
        let x = 0u8;
        core::hint::black_box(&x) as *const u8 as usize
    }

    /// `true` if `[ptr, ptr + len)` is inside the heap (between
    /// `__heap_base` and the end of memory).
    pub fn in_heap(ptr: usize, len: usize) -> bool {
        ptr >= heap_base() && ptr.checked_add(len).is_some_and(|end| end <= memory_end())
    }

    /// Every invariant but the stack pointer's.
    fn check_all() -> Result<(), &'static str> {
        init();
        for i in 0..CANARY_LEN {
            let b = unsafe { core::ptr::read_volatile((stack_low() + i) as *const u8) };
            if b != canary_byte(i) {
                return Err("stack canary at the low end of the shadow stack overwritten (stack overflow or stray write)");
            }
        }
        if rodata_end() > global_base()
            && checksum(global_base(), rodata_end()) != unsafe { RODATA_SUM }
        {
            return Err("checksum of the read-only data segment changed");
        }
        check_heap()?;
        for table in watched() {
            (table.check)()?;
        }
        Ok(())
    }

    /// A table of the adapter's own state kept by another module (the
    /// descriptor table, the args/env tables), as that module hands it to
    /// the checks.
    pub struct Table {
        /// Its invariants: `Err` with what is broken.
        pub check: fn() -> Result<(), &'static str>,
        /// The `mmadapt_integrity_corrupt` kind that damages it, and how.
        pub corrupt_kind: u32,
        pub corrupt: fn(),
    }

    /// Tables handed over so far, in that order; at most these many.
    static mut WATCHED: [Option<&'static Table>; 4] = [None; 4];

    /// Checks `table` from now on, with every other invariant. Called by
    /// its module when it creates the table; a second call does nothing.
    pub fn watch(table: &'static Table) {
        // SAFETY: single-threaded, and no reference to `WATCHED` outlives
        // a call of this module.
        let slots = unsafe { &mut *core::ptr::addr_of_mut!(WATCHED) };
        for slot in slots.iter_mut() {
            match slot {
                Some(t) if core::ptr::eq(*t, table) => return,
                Some(_) => {}
                None => {
                    *slot = Some(table);
                    return;
                }
            }
        }
        crate::trap()
    }

    fn watched() -> impl Iterator<Item = &'static Table> {
        // SAFETY: as in `watch`; the tables themselves are `'static`.
        unsafe { &*core::ptr::addr_of!(WATCHED) }
            .iter()
            .flatten()
            .copied()
    }

    /// Checks on entry to / exit from a preview1 function.
    pub struct Guard {
        sp: usize,
        at: &'static Location<'static>,
    }

    impl Guard {
        #[inline(always)]
        #[track_caller]
        pub fn enter() -> Guard {
            let at = Location::caller();
            let sp = probe();
            verify("entry to", at, sp, None);
            Guard { sp, at }
        }
    }

    impl Drop for Guard {
        #[inline(always)]
        fn drop(&mut self) {
            let sp = probe();
            verify("exit from", self.at, sp, Some(self.sp));
        }
    }

    #[inline(never)]
    fn verify(when: &str, at: &'static Location<'static>, sp: usize, entry_sp: Option<usize>) {
        let r = if entry_sp.is_some_and(|e| e != sp) {
            Err("shadow stack pointer not restored (differs from its value on entry)")
        } else if sp <= stack_low() + CANARY_LEN || sp > stack_high() {
            Err("shadow stack pointer outside the shadow stack")
        } else {
            check_all()
        };
        if let Err(what) = r {
            fail(when, Some(at), what);
        }
    }

    /// Writes the message to stderr and traps.
    fn fail(when: &str, at: Option<&Location<'_>>, what: &str) -> ! {
        let mut m = crate::FatalMessage::new();
        m.put(b"mmadapt integrity check failed on ");
        m.put(when.as_bytes());
        m.put(b" the preview1 function");
        if let Some(at) = at {
            m.put_location(at);
        }
        m.put(b": ");
        m.put(what.as_bytes());
        m.put(b"\n");
        m.write_and_trap()
    }

    // ---- the checked heap ----

    const MAGIC: u32 = 0x4d4d_4850;
    const FREED: u32 = 0x4652_4545;
    /// Bytes before the user block: the header, then a red zone.
    const PRE: usize = 32;
    const FRONT_ZONE: usize = PRE - core::mem::size_of::<Header>();
    const BACK_ZONE: usize = 16;
    const ZONE_BYTE: u8 = 0xA5;

    #[repr(C)]
    struct Header {
        magic: u32,
        size: u32,
        align: u32,
        check: u32,
        prev: *mut Header,
        next: *mut Header,
    }

    static mut HEAD: *mut Header = core::ptr::null_mut();
    static mut LIVE: usize = 0;

    fn check_word(size: u32, align: u32) -> u32 {
        MAGIC ^ size.rotate_left(7) ^ align.rotate_left(19) ^ 0x5a5a_0000
    }

    /// The global allocator of the integrity build: the allocator it is
    /// given (the size classes) with a header and red zones around every
    /// block, and a list of all live blocks.
    pub struct CheckedAlloc<A>(pub A);

    fn inner_layout(layout: Layout) -> Option<(Layout, usize)> {
        let pre = PRE.max(layout.align());
        let total = pre.checked_add(layout.size())?.checked_add(BACK_ZONE)?;
        Some((
            Layout::from_size_align(total, layout.align().max(8)).ok()?,
            pre,
        ))
    }

    unsafe impl<A: GlobalAlloc> GlobalAlloc for CheckedAlloc<A> {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let Some((inner, pre)) = inner_layout(layout) else {
                return core::ptr::null_mut();
            };
            let raw = self.0.alloc(inner);
            if raw.is_null() {
                return raw;
            }
            let user = raw.add(pre);
            let h = user.sub(PRE) as *mut Header;
            core::ptr::write_bytes(user.sub(FRONT_ZONE), ZONE_BYTE, FRONT_ZONE);
            core::ptr::write_bytes(user.add(layout.size()), ZONE_BYTE, BACK_ZONE);
            h.write(Header {
                magic: MAGIC,
                size: layout.size() as u32,
                align: layout.align() as u32,
                check: check_word(layout.size() as u32, layout.align() as u32),
                prev: core::ptr::null_mut(),
                next: HEAD,
            });
            if !HEAD.is_null() {
                (*HEAD).prev = h;
            }
            HEAD = h;
            LIVE += 1;
            user
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            let Some((inner, pre)) = inner_layout(layout) else {
                crate::trap()
            };
            let h = ptr.sub(PRE) as *mut Header;
            if (*h).magic != MAGIC
                || (*h).size as usize != layout.size()
                || (*h).check != check_word((*h).size, (*h).align)
            {
                fail(
                    "a free in",
                    None,
                    "heap block header corrupted (or freed twice, or freed with the wrong layout)",
                );
            }
            let (prev, next) = ((*h).prev, (*h).next);
            if prev.is_null() {
                HEAD = next;
            } else {
                (*prev).next = next;
            }
            if !next.is_null() {
                (*next).prev = prev;
            }
            (*h).magic = FREED;
            LIVE -= 1;
            self.0.dealloc(ptr.sub(pre), inner);
        }
    }

    fn check_heap() -> Result<(), &'static str> {
        unsafe {
            let mut h = HEAD;
            let mut prev: *mut Header = core::ptr::null_mut();
            let mut n = 0usize;
            while !h.is_null() {
                if n >= LIVE {
                    return Err(
                        "heap: more blocks on the live list than were allocated (list corrupted)",
                    );
                }
                let hp = h as usize;
                if hp % 4 != 0 || !in_heap(hp, PRE) {
                    return Err("heap: live-block list points outside the heap");
                }
                if (*h).magic != MAGIC || (*h).check != check_word((*h).size, (*h).align) {
                    return Err("heap: block header corrupted");
                }
                if (*h).prev != prev {
                    return Err("heap: live-block list links inconsistent");
                }
                let user = hp + PRE;
                let size = (*h).size as usize;
                if !in_heap(user, size + BACK_ZONE) {
                    return Err("heap: block extends past the end of memory");
                }
                for i in 0..FRONT_ZONE {
                    if *((user - FRONT_ZONE + i) as *const u8) != ZONE_BYTE {
                        return Err("heap: red zone before a block overwritten (buffer underflow)");
                    }
                }
                for i in 0..BACK_ZONE {
                    if *((user + size + i) as *const u8) != ZONE_BYTE {
                        return Err("heap: red zone after a block overwritten (buffer overflow)");
                    }
                }
                prev = h;
                h = (*h).next;
                n += 1;
            }
            if n != LIVE {
                return Err("heap: fewer blocks on the live list than are allocated");
            }
        }
        Ok(())
    }

    /// Test hook: damages one checked thing on purpose (see the module
    /// doc); returns 0, or 1 for an unknown kind or a table not created
    /// yet. Not guarded itself.
    #[no_mangle]
    pub extern "C" fn mmadapt_integrity_corrupt(kind: u32) -> i32 {
        init();
        unsafe {
            match kind {
                1 => {
                    let p = global_base() as *mut u8;
                    core::ptr::write_volatile(p, core::ptr::read_volatile(p) ^ 0x40);
                }
                2 => core::ptr::write_volatile((stack_low() + 17) as *mut u8, 0),
                3 => {
                    let v: alloc::vec::Vec<u8> = alloc::vec::Vec::with_capacity(16);
                    let p = v.leak().as_mut_ptr();
                    // One byte past the end: an off-by-one heap overflow.
                    core::ptr::write_volatile(p.add(16), 0);
                }
                5 => {
                    let v: alloc::vec::Vec<u8> = alloc::vec::Vec::with_capacity(8);
                    let p = v.leak().as_mut_ptr();
                    core::ptr::write_volatile(p.sub(PRE) as *mut u32, 0);
                }
                0 => {}
                _ => match watched().find(|t| t.corrupt_kind == kind) {
                    Some(table) => (table.corrupt)(),
                    None => return 1,
                },
            }
        }
        0
    }
}

pub use imp::*;
