//! A `wasi:http/incoming-handler` whose Rust std calls go through preview1
//! (`wasm32-wasip1`): `eprintln!`/`println!` are `fd_write`, `env::args` and
//! `env::vars` are `args_*`/`environ_*`, `HashMap::new` is `random_get`, and
//! file system calls see no preopens. The response body reports what each
//! call returned, so two adapters can be compared response by response.
//!
//! Paths: `/` (the report), `/echo` (the request body back), `/exit` (exits
//! with 3 after writing to stderr), `/big` (a 64 KiB stderr write),
//! `/quiet` (a response and no preview1 call at all).

use std::collections::HashMap;
use std::io::{Read, Write as _};
use std::time::{SystemTime, UNIX_EPOCH};

use wasip2::http::types::{
    Fields, IncomingBody, IncomingRequest, OutgoingBody, OutgoingResponse, ResponseOutparam,
};

wasip2::http::proxy::export!(Handler);

struct Handler;

impl wasip2::exports::http::incoming_handler::Guest for Handler {
    fn handle(request: IncomingRequest, response_out: ResponseOutparam) {
        let path = request.path_with_query().unwrap_or_default();
        // No preview1 call at all: what the adapter costs when it is only
        // instantiated (the serve benchmark's `--path /quiet`).
        if path == "/quiet" {
            // The body is read (through wasi:http) so the connection stays open.
            let _ = read_body(request);
            respond(response_out, b"quiet\n");
            return;
        }
        eprintln!("handling {path}");
        let body = match path.as_str() {
            "/echo" => read_body(request),
            "/exit" => {
                eprintln!("exiting with 3");
                std::process::exit(3)
            }
            "/big" => {
                let line = "x".repeat(64 * 1024);
                eprintln!("{line}");
                b"big\n".to_vec()
            }
            _ => report().into_bytes(),
        };
        respond(response_out, &body);
        println!("served {path} ({} bytes)", body.len());
    }
}

fn respond(response_out: ResponseOutparam, body: &[u8]) {
    let response = OutgoingResponse::new(Fields::new());
    response.set_status_code(200).unwrap();
    let out = response.body().unwrap();
    ResponseOutparam::set(response_out, Ok(response));
    let mut stream = out.write().unwrap();
    stream.write_all(body).unwrap();
    stream.flush().unwrap();
    drop(stream);
    OutgoingBody::finish(out, None).unwrap();
}

fn read_body(request: IncomingRequest) -> Vec<u8> {
    let body = request.consume().unwrap();
    let mut data = Vec::new();
    {
        let mut stream = body.stream().unwrap();
        stream.read_to_end(&mut data).unwrap();
    }
    IncomingBody::finish(body);
    data
}

/// One line per preview1 area, with what the call returned.
fn report() -> String {
    let mut r = String::new();
    let mut line = |k: &str, v: String| r.push_str(&format!("{k}: {v}\n"));
    line(
        "args",
        format!("{:?}", std::env::args().collect::<Vec<_>>()),
    );
    line("env", format!("{}", std::env::vars().count()));
    let mut seeded: HashMap<u32, u32> = HashMap::new();
    seeded.insert(1, 2);
    line("random", format!("{}", seeded.len()));
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    line(
        "realtime-after-2020",
        format!("{}", now.as_secs() > 1_577_836_800),
    );
    let t0 = std::time::Instant::now();
    line("monotonic", format!("{}", t0.elapsed().as_secs() < 60));
    line("read_dir /", errno_of(std::fs::read_dir("/").map(|_| ())));
    line("read_dir .", errno_of(std::fs::read_dir(".").map(|_| ())));
    line(
        "open /etc/passwd",
        errno_of(std::fs::File::open("/etc/passwd").map(|_| ())),
    );
    line("create x", errno_of(std::fs::File::create("x").map(|_| ())));
    line("current_dir", errno_of(std::env::current_dir().map(|_| ())));
    let mut stdin = Vec::new();
    line(
        "stdin",
        errno_of(std::io::stdin().read_to_end(&mut stdin).map(|n| n as u32)),
    );
    line("stdout flush", errno_of(std::io::stdout().flush()));
    line("preview1", preview1_probes());
    r
}

fn errno_of<T: std::fmt::Debug>(r: std::io::Result<T>) -> String {
    match r {
        Ok(v) => format!("ok {v:?}"),
        Err(e) => format!("err {:?}", e.raw_os_error()),
    }
}

/// Raw preview1 calls std does not make, each with its errno.
fn preview1_probes() -> String {
    #[link(wasm_import_module = "wasi_snapshot_preview1")]
    extern "C" {
        fn fd_fdstat_get(fd: u32, out: *mut u8) -> u32;
        fn fd_filestat_get(fd: u32, out: *mut u8) -> u32;
        fn fd_prestat_get(fd: u32, out: *mut u8) -> u32;
        fn fd_seek(fd: u32, offset: i64, whence: u32, out: *mut u64) -> u32;
        fn fd_close(fd: u32) -> u32;
        fn sched_yield() -> u32;
        fn clock_res_get(id: u32, out: *mut u64) -> u32;
    }
    let mut buf = [0u8; 64];
    let mut n = 0u64;
    let mut out = Vec::new();
    unsafe {
        for fd in [0, 1, 2, 3] {
            buf = [0; 64];
            let e = fd_fdstat_get(fd, buf.as_mut_ptr());
            out.push(format!("fdstat({fd})={e}:{:?}", &buf[..24]));
        }
        for fd in [1, 3] {
            buf = [0; 64];
            let e = fd_filestat_get(fd, buf.as_mut_ptr());
            out.push(format!("filestat({fd})={e}:{:?}", &buf[..24]));
        }
        out.push(format!(
            "prestat(3)={}",
            fd_prestat_get(3, buf.as_mut_ptr())
        ));
        out.push(format!("seek(1)={}", fd_seek(1, 0, 1, &mut n)));
        out.push(format!("close(9)={}", fd_close(9)));
        out.push(format!("yield={}", sched_yield()));
        out.push(format!("res(1)={}", clock_res_get(1, &mut n)));
    }
    out.join(" ")
}
