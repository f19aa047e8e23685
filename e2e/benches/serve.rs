//! Per-request cost under `wasmtime serve`, which makes a fresh instance of
//! the component for every request: the wasi:http handler of
//! `tests/programs/http-handler` made into a component by mmadapt (its
//! proxy variant, no flags) and by the standard adapter's proxy variant,
//! each served by its own `wasmtime serve` (no `-S` flags) on 127.0.0.1.
//!
//! `cargo bench -p mmadapt-e2e --bench serve [-- --rounds N] [--requests N] [--connections N] [--path /echo] [--serve-flag FLAG]... [--json PATH] [--mmadapt FILE] [--standard FILE]`
//!
//! Every round sends the same number of requests to each server (which goes
//! first alternates), over keep-alive HTTP/1.1 connections from as many
//! threads, and times them: requests per second, median over the rounds,
//! and the ratio within each round. After every round it reads each
//! server's resident set (`VmRSS`): it must stay flat, not grow per request.
//! Bounded: rounds x requests x 2 requests in all, each with a timeout;
//! only loopback is contacted; the servers are killed at the end.

use anyhow::{anyhow, bail, Context, Result};
use mmadapt_e2e::bench::median;
use mmadapt_e2e::serve::Server;
use serde_json::json;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

struct Options {
    rounds: usize,
    requests: usize,
    connections: usize,
    path: String,
    /// Extra `wasmtime serve` flags (`--serve-flag -Opooling-allocator=n`).
    serve_flags: Vec<String>,
    json: std::path::PathBuf,
    /// Serve these components instead of building them (`--mmadapt FILE`,
    /// `--standard FILE`): to compare variants made by hand.
    mmadapt: Option<std::path::PathBuf>,
    standard: Option<std::path::PathBuf>,
}

fn options() -> Result<Options> {
    let mut o = Options {
        rounds: 9,
        requests: 4000,
        connections: 4,
        path: "/echo".into(),
        serve_flags: Vec::new(),
        json: mmadapt_e2e::programs::out_dir()
            .parent()
            .unwrap()
            .join("bench/serve.json"),
        mmadapt: None,
        standard: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |what: &str| args.next().with_context(|| format!("{a} {what}"));
        match a.as_str() {
            "--rounds" => o.rounds = value("N")?.parse()?,
            "--requests" => o.requests = value("N")?.parse()?,
            "--connections" => o.connections = value("N")?.parse()?,
            "--path" => o.path = value("PATH")?,
            "--serve-flag" => o.serve_flags.push(value("FLAG")?),
            "--json" => o.json = value("PATH")?.into(),
            "--mmadapt" => o.mmadapt = Some(value("FILE")?.into()),
            "--standard" => o.standard = Some(value("FILE")?.into()),
            "--bench" => {}
            _ => bail!("unknown argument {a:?}"),
        }
    }
    if o.rounds == 0 || o.requests == 0 || o.connections == 0 {
        bail!("--rounds, --requests and --connections must be at least 1");
    }
    Ok(o)
}

const TIMEOUT: Duration = Duration::from_secs(20);
const BODY: &[u8] = b"hello from the load generator\n";

/// Reads one HTTP/1.1 response (content-length or chunked); its status.
fn read_response(r: &mut BufReader<TcpStream>) -> Result<u16> {
    let mut line = String::new();
    r.read_line(&mut line)?;
    let status: u16 = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| anyhow!("bad status line {line:?}"))?;
    let (mut length, mut chunked) = (None, false);
    loop {
        line.clear();
        r.read_line(&mut line)?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let lower = l.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = Some(v.trim().parse::<usize>()?);
        }
        if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
            chunked = true;
        }
    }
    if chunked {
        loop {
            line.clear();
            r.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim_end(), 16)?;
            let mut chunk = vec![0; size + 2];
            r.read_exact(&mut chunk)?;
            if size == 0 {
                break;
            }
        }
    } else if let Some(n) = length {
        let mut body = vec![0; n];
        r.read_exact(&mut body)?;
    } else {
        bail!("response without length");
    }
    Ok(status)
}

/// `n` requests over one keep-alive connection.
fn load(server: &Server, path: &str, n: usize) -> Result<()> {
    let s = TcpStream::connect_timeout(&server.addr, TIMEOUT)?;
    s.set_read_timeout(Some(TIMEOUT))?;
    s.set_write_timeout(Some(TIMEOUT))?;
    s.set_nodelay(true)?;
    let mut w = s.try_clone()?;
    let mut r = BufReader::new(s);
    for _ in 0..n {
        write!(
            w,
            "POST {path} HTTP/1.1\r\nhost: {}\r\ncontent-length: {}\r\n\r\n",
            server.addr,
            BODY.len()
        )?;
        w.write_all(BODY)?;
        let status = read_response(&mut r)?;
        if status != 200 {
            bail!("status {status}");
        }
    }
    Ok(())
}

/// One round against one server: requests per second and the server's CPU
/// time per request in microseconds.
struct Round {
    rps: f64,
    cpu_us: f64,
}

/// `requests` requests over `connections` threads.
fn round(server: &Server, o: &Options) -> Result<Round> {
    let per = o.requests.div_ceil(o.connections);
    let cpu = cpu_ns(server.pid())?;
    let start = Instant::now();
    std::thread::scope(|scope| -> Result<()> {
        let handles: Vec<_> = (0..o.connections)
            .map(|_| scope.spawn(|| load(server, &o.path, per)))
            .collect();
        for h in handles {
            h.join().map_err(|_| anyhow!("load thread panicked"))??;
        }
        Ok(())
    })?;
    let elapsed = start.elapsed().as_secs_f64();
    let n = (per * o.connections) as f64;
    Ok(Round {
        rps: n / elapsed,
        cpu_us: cpu_ns(server.pid())?.saturating_sub(cpu) as f64 / 1e3 / n,
    })
}

/// The CPU time the server's threads have run, in nanoseconds (the first
/// field of each `/proc/PID/task/TID/schedstat`). Less disturbed than
/// requests per second by whatever else the machine runs, because it
/// counts only the server's own work (wasmtime serve's threads live as long
/// as it does).
fn cpu_ns(pid: u32) -> Result<u64> {
    let mut total = 0;
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))? {
        let stat = std::fs::read_to_string(task?.path().join("schedstat"))?;
        total += stat
            .split_whitespace()
            .next()
            .and_then(|v| v.parse::<u64>().ok())
            .context("bad schedstat")?;
    }
    Ok(total)
}

fn rss_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .context("no VmRSS")
}

fn main() -> Result<()> {
    let o = options()?;
    let dir = tempfile::tempdir()?;
    let ours = match &o.mmadapt {
        Some(file) => file.clone(),
        None => {
            let main = mmadapt_e2e::programs::http_handler()?;
            let options = mmadapt::ComponentOptions {
                validate: true,
                ..Default::default()
            };
            let ours = dir.path().join("mmadapt.wasm");
            std::fs::write(&ours, mmadapt::componentize(&main, &options)?)?;
            ours
        }
    };
    let theirs = match &o.standard {
        Some(file) => file.clone(),
        None => {
            let main = mmadapt_e2e::programs::http_handler()?;
            let theirs = dir.path().join("standard.wasm");
            std::fs::write(&theirs, mmadapt_e2e::adapters::standard_proxy(&main)?)?;
            theirs
        }
    };
    let flags: Vec<&str> = o.serve_flags.iter().map(String::as_str).collect();
    let servers = [
        ("standard", Server::start(&theirs, &flags)?),
        ("mmadapt", Server::start(&ours, &flags)?),
    ];
    println!(
        "wasmtime serve {:?} ({}), {} rounds x {} requests to {} over {} keep-alive connections, per server",
        o.serve_flags,
        mmadapt_e2e::serve::wasmtime_cli(),
        o.rounds,
        o.requests,
        o.path,
        o.connections
    );
    // Warm-up: the first instances, page cache, allocator pools.
    for (_, s) in &servers {
        round(
            s,
            &Options {
                requests: 200,
                ..clone(&o)
            },
        )?;
    }
    let mut rps: [Vec<f64>; 2] = Default::default();
    let mut cpu: [Vec<f64>; 2] = Default::default();
    let mut rss: [Vec<u64>; 2] = Default::default();
    for (i, (_, s)) in servers.iter().enumerate() {
        rss[i].push(rss_kib(s.pid())?);
    }
    for r in 0..o.rounds {
        let order: [usize; 2] = if r % 2 == 0 { [0, 1] } else { [1, 0] };
        for i in order {
            let measured = round(&servers[i].1, &o)?;
            rps[i].push(measured.rps);
            cpu[i].push(measured.cpu_us);
            rss[i].push(rss_kib(servers[i].1.pid())?);
        }
    }
    let ratios: Vec<f64> = rps[1].iter().zip(&rps[0]).map(|(m, s)| m / s).collect();
    let (m_std, m_mm) = (median(rps[0].clone()), median(rps[1].clone()));
    let cpu_ratios: Vec<f64> = cpu[1].iter().zip(&cpu[0]).map(|(m, s)| m / s).collect();
    let (c_std, c_mm) = (median(cpu[0].clone()), median(cpu[1].clone()));
    println!(
        "{:<10} {:>12} {:>16} {:>22}",
        "server", "req/s", "CPU us/request", "RSS KiB (start -> end)"
    );
    for (i, (name, _)) in servers.iter().enumerate() {
        println!(
            "{:<10} {:>12.0} {:>16.1} {:>10} -> {:<10}",
            name,
            median(rps[i].clone()),
            median(cpu[i].clone()),
            rss[i][0],
            rss[i].last().unwrap()
        );
    }
    let lo = ratios.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    println!(
        "mmadapt / standard: {:.3} (per round {lo:.3} .. {hi:.3})",
        m_mm / m_std
    );
    let (lo, hi) = (
        cpu_ratios.iter().copied().fold(f64::INFINITY, f64::min),
        cpu_ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    );
    println!(
        "server CPU per request, mmadapt / standard: {:.3} (per round {lo:.3} .. {hi:.3})",
        c_mm / c_std
    );
    let total = (o.rounds * o.requests) as f64;
    for (i, (name, _)) in servers.iter().enumerate() {
        // Growth after the first measured round, per request: flat is ~0.
        let grown = rss[i].last().unwrap().saturating_sub(rss[i][1]) as f64;
        println!(
            "{name}: resident set grew {:.0} KiB over the last {} rounds ({:.4} KiB per request)",
            grown,
            o.rounds - 1,
            grown / (total - o.requests as f64).max(1.0)
        );
    }
    let report = json!({
        "what": "wasmtime serve requests per second, http-handler, mmadapt proxy variant vs standard proxy adapter",
        "wasmtime": mmadapt_e2e::serve::wasmtime_cli(),
        "serve_flags": o.serve_flags,
        "rounds": o.rounds, "requests": o.requests, "connections": o.connections, "path": o.path,
        "rps": {"standard": rps[0], "mmadapt": rps[1]},
        "median_rps": {"standard": m_std, "mmadapt": m_mm},
        "ratio": m_mm / m_std, "round_ratios": ratios,
        "server_cpu_us_per_request": {"standard": cpu[0], "mmadapt": cpu[1]},
        "median_cpu_us": {"standard": c_std, "mmadapt": c_mm},
        "cpu_ratio": c_mm / c_std, "round_cpu_ratios": cpu_ratios,
        "rss_kib": {"standard": rss[0], "mmadapt": rss[1]},
        "machine": mmadapt_e2e::machine(),
    });
    if let Some(p) = o.json.parent() {
        std::fs::create_dir_all(p)?;
    }
    std::fs::write(&o.json, serde_json::to_string_pretty(&report)?)?;
    println!("json: {}", o.json.display());
    for (_, s) in servers {
        s.stop();
    }
    Ok(())
}

fn clone(o: &Options) -> Options {
    Options {
        rounds: o.rounds,
        requests: o.requests,
        connections: o.connections,
        path: o.path.clone(),
        serve_flags: o.serve_flags.clone(),
        json: o.json.clone(),
        mmadapt: o.mmadapt.clone(),
        standard: o.standard.clone(),
    }
}
