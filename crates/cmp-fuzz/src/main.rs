//! `cmp-fuzz`: the fuzz targets, the corpus replay and the corpus seeds.
//!
//! ```text
//! cmp-fuzz <xml|json|soap|app> [--seed N] [--iterations N | --minutes M | --seconds S]
//!          [--time-limit-ms 2000] [--alloc-limit-mib 64] [--findings DIR]
//! cmp-fuzz replay <target> FILE|DIR…     # run inputs through the oracle, print each verdict
//! cmp-fuzz seed-corpus                   # (re)write corpus/<target>/ from the fixtures
//! ```
//!
//! A fuzz run is a supervisor and a child process doing the work: when the child dies
//! (a stack overflow or an abort, which no `catch_unwind` sees) the supervisor writes
//! the input it was running as a `crash` finding and starts a new child with the next
//! seed, until the time or iteration budget is spent.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use cmp_fuzz::run::{self, Config, Limits, Target};

#[global_allocator]
static ALLOC: cmp_fuzz::alloc::Counting = cmp_fuzz::alloc::Counting;

/// The stack of the gateway's worker and blocking threads (Rust's and tokio's default):
/// inputs run on a thread of this size so that a recursion that would overflow in the
/// server overflows here too.
const STACK: usize = 2 << 20;

fn usage() -> ! {
    eprintln!(
        "usage: cmp-fuzz <xml|json|soap|app> [--seed N] [--iterations N | --minutes M | --seconds S] \
         [--time-limit-ms MS] [--alloc-limit-mib MIB] [--findings DIR]\n       \
         cmp-fuzz replay <target> FILE|DIR...\n       cmp-fuzz seed-corpus"
    );
    std::process::exit(2)
}

fn number<T: std::str::FromStr>(v: Option<String>) -> T {
    v.and_then(|s| s.parse().ok()).unwrap_or_else(|| usage())
}

fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(f)
        .expect("spawn the fuzz thread")
        .join()
        .unwrap_or_else(|_| std::process::exit(4))
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(cmd) = args.next() else { usage() };
    match cmd.as_str() {
        "seed-corpus" => {
            let n = cmp_fuzz::seed::write_all(&run::corpus_dir()).unwrap_or_else(|e| {
                eprintln!("cannot write the corpus: {e}");
                std::process::exit(1)
            });
            println!(
                "wrote {n} corpus files under {}",
                run::corpus_dir().display()
            );
        }
        "replay" => {
            let target = args
                .next()
                .and_then(|t| Target::parse(&t))
                .unwrap_or_else(|| usage());
            let mut files = Vec::new();
            for a in args {
                let p = PathBuf::from(a);
                if p.is_dir() {
                    files.extend(run::corpus_files(&p));
                } else {
                    files.push(p);
                }
            }
            let list = files.clone();
            let failed = on_small_stack(move || run::replay(target, &list, Limits::default()));
            for f in &files {
                match failed.iter().find(|(p, _)| p == f) {
                    Some((_, finding)) => println!("FAIL {}: {finding}", f.display()),
                    None => println!("ok   {}", f.display()),
                }
            }
            println!("{} of {} inputs failed", failed.len(), files.len());
            std::process::exit(i32::from(!failed.is_empty()));
        }
        t => {
            let target = Target::parse(t).unwrap_or_else(|| usage());
            let mut cfg = Config {
                target,
                seed: cmp_fuzz::rng::time_seed() % 1_000_000_007,
                iterations: None,
                duration: None,
                limits: Limits::default(),
                findings: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("findings"),
            };
            let mut child = false;
            while let Some(flag) = args.next() {
                match flag.as_str() {
                    "--seed" => cfg.seed = number(args.next()),
                    "--iterations" => cfg.iterations = Some(number(args.next())),
                    "--minutes" => {
                        cfg.duration =
                            Some(Duration::from_secs_f64(number::<f64>(args.next()) * 60.0))
                    }
                    "--seconds" => {
                        cfg.duration = Some(Duration::from_secs_f64(number(args.next())))
                    }
                    "--time-limit-ms" => {
                        cfg.limits.time = Duration::from_millis(number(args.next()))
                    }
                    "--alloc-limit-mib" => cfg.limits.alloc = number::<usize>(args.next()) << 20,
                    "--findings" => {
                        cfg.findings = PathBuf::from(args.next().unwrap_or_else(|| usage()))
                    }
                    "--child" => child = true,
                    _ => usage(),
                }
            }
            if cfg.iterations.is_none() && cfg.duration.is_none() {
                cfg.duration = Some(Duration::from_secs(60));
            }
            let code = if child { work(cfg) } else { supervise(&cfg) };
            std::process::exit(code);
        }
    }
}

/// The child: fuzzes and prints its summary. Exit code 1 when there were findings.
fn work(cfg: Config) -> i32 {
    let target = cfg.target;
    let seed = cfg.seed;
    let s = on_small_stack(move || run::fuzz(&cfg));
    println!(
        "cmp-fuzz {}: seed {seed}, {} inputs in {:.1} s ({:.0}/s), {} findings in {} classes",
        target.name(),
        s.iterations,
        s.elapsed.as_secs_f64(),
        s.iterations as f64 / s.elapsed.as_secs_f64().max(1e-9),
        s.findings.total(),
        s.findings.classes.len()
    );
    for (sig, (count, path, f)) in &s.findings.classes {
        println!(
            "  {count:>6} × {sig}\n           e.g. {}\n           {}",
            path.display(),
            cmp_fuzz::decoders::clip(&f.detail)
        );
    }
    i32::from(!s.findings.classes.is_empty())
}

/// The supervisor: runs children until the budget is spent, turning each death into a
/// `crash` finding.
fn supervise(cfg: &Config) -> i32 {
    let exe = std::env::current_exe().expect("the path of cmp-fuzz");
    let deadline = cfg.duration.map(|d| Instant::now() + d);
    let mut left = cfg.iterations;
    let mut seed = cfg.seed;
    let mut crashes = Vec::new();
    println!(
        "cmp-fuzz {}: seed {seed} ({}), findings in {}",
        cfg.target.name(),
        match (cfg.iterations, cfg.duration) {
            (Some(n), _) => format!("{n} iterations"),
            (None, Some(d)) => format!("{:.0} s", d.as_secs_f64()),
            _ => String::new(),
        },
        cfg.findings.display()
    );
    let last_file = run::last_input_file(&cfg.findings, cfg.target);
    let code = loop {
        let mut cmd = Command::new(&exe);
        cmd.arg(cfg.target.name())
            .arg("--child")
            .args(["--seed", &seed.to_string()])
            .args(["--time-limit-ms", &cfg.limits.time.as_millis().to_string()])
            .args(["--alloc-limit-mib", &(cfg.limits.alloc >> 20).to_string()])
            .arg("--findings")
            .arg(&cfg.findings);
        if let Some(d) = deadline {
            let rest = d.saturating_duration_since(Instant::now());
            if rest < Duration::from_secs(1) {
                break 0;
            }
            cmd.args(["--seconds", &format!("{:.1}", rest.as_secs_f64())]);
        }
        if let Some(n) = left {
            cmd.args(["--iterations", &n.to_string()]);
        }
        let _ = std::fs::remove_file(&last_file);
        let status = cmd.status().expect("start a cmp-fuzz child");
        if let Some(c @ (0 | 1)) = status.code() {
            break c;
        }
        let last = std::fs::read(&last_file).unwrap_or_default();
        let split = last.iter().position(|b| *b == b'\n').unwrap_or(0);
        let iteration: u64 = std::str::from_utf8(&last[..split])
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let input = last.get(split + 1..).unwrap_or_default();
        let report = format!(
            "target: {}\noracle: crash\nseed: {seed}\niteration: {iteration}\ndetail: the fuzz process died ({status}): \
             a stack overflow, an abort or a signal; its log says which\n",
            cfg.target.name()
        );
        let path = run::write_finding(&cfg.findings, cfg.target, input, &report);
        eprintln!(
            "[{}] the child died ({status}) at iteration {iteration}: crash finding {}",
            cfg.target.name(),
            path.display()
        );
        crashes.push(path);
        if let Some(n) = left.as_mut() {
            *n = n.saturating_sub(iteration + 1);
            if *n == 0 {
                break 1;
            }
        }
        seed = seed.wrapping_add(1);
        eprintln!("[{}] restarting with seed {seed}", cfg.target.name());
    };
    if !crashes.is_empty() {
        println!(
            "cmp-fuzz {}: {} crash finding(s):",
            cfg.target.name(),
            crashes.len()
        );
        for c in &crashes {
            println!("  crash: {}", c.display());
        }
    }
    if crashes.is_empty() {
        code
    } else {
        1
    }
}
