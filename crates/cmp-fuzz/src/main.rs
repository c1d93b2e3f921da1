//! `cmp-fuzz`: the fuzz targets, the corpus replay and the corpus seeds.
//!
//! ```text
//! cmp-fuzz <xml|json|soap|app> [--seed N] [--iterations N | --minutes M | --seconds S]
//!          [--time-limit-ms 2000] [--alloc-limit-mib 64] [--findings DIR]
//! cmp-fuzz replay <target> FILE|DIR…     # run inputs through the oracle, print each verdict
//! cmp-fuzz seed-corpus                   # (re)write corpus/<target>/ from the fixtures
//! ```

use std::path::PathBuf;
use std::time::Duration;

use cmp_fuzz::run::{self, Config, Limits, Target};

#[global_allocator]
static ALLOC: cmp_fuzz::alloc::Counting = cmp_fuzz::alloc::Counting;

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

fn main() {
    // Quiet: the gateway's request log would drown the report (RUST_LOG still works).
    let mut args = std::env::args().skip(1);
    let Some(cmd) = args.next() else { usage() };
    match cmd.as_str() {
        "seed-corpus" => {
            let n = cmp_fuzz::seed::write_all(&run::corpus_dir()).unwrap_or_else(|e| {
                eprintln!("cannot write the corpus: {e}");
                std::process::exit(1)
            });
            println!("wrote {n} corpus files under {}", run::corpus_dir().display());
        }
        "replay" => {
            let target = args.next().and_then(|t| Target::parse(&t)).unwrap_or_else(|| usage());
            let mut files = Vec::new();
            for a in args {
                let p = PathBuf::from(a);
                if p.is_dir() {
                    files.extend(run::corpus_files(&p));
                } else {
                    files.push(p);
                }
            }
            let failed = run::replay(target, &files, Limits::default());
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
                seed: cmp_fuzz::rng::time_seed(),
                iterations: None,
                duration: None,
                limits: Limits::default(),
                findings: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("findings"),
            };
            while let Some(flag) = args.next() {
                match flag.as_str() {
                    "--seed" => cfg.seed = number(args.next()),
                    "--iterations" => cfg.iterations = Some(number(args.next())),
                    "--minutes" => cfg.duration = Some(Duration::from_secs_f64(number::<f64>(args.next()) * 60.0)),
                    "--seconds" => cfg.duration = Some(Duration::from_secs_f64(number(args.next()))),
                    "--time-limit-ms" => cfg.limits.time = Duration::from_millis(number(args.next())),
                    "--alloc-limit-mib" => cfg.limits.alloc = number::<usize>(args.next()) << 20,
                    "--findings" => cfg.findings = PathBuf::from(args.next().unwrap_or_else(|| usage())),
                    _ => usage(),
                }
            }
            if cfg.iterations.is_none() && cfg.duration.is_none() {
                cfg.duration = Some(Duration::from_secs(60));
            }
            println!(
                "cmp-fuzz {}: seed {} ({}), findings in {}",
                target.name(),
                cfg.seed,
                match (cfg.iterations, cfg.duration) {
                    (Some(n), _) => format!("{n} iterations"),
                    (None, Some(d)) => format!("{:.0} s", d.as_secs_f64()),
                    _ => String::new(),
                },
                cfg.findings.display()
            );
            let s = run::fuzz(&cfg);
            println!(
                "cmp-fuzz {}: seed {}, {} inputs in {:.1} s ({:.0}/s), {} findings in {} classes",
                target.name(),
                cfg.seed,
                s.iterations,
                s.elapsed.as_secs_f64(),
                s.iterations as f64 / s.elapsed.as_secs_f64().max(1e-9),
                s.findings.total(),
                s.findings.classes.len()
            );
            for (sig, (count, path, f)) in &s.findings.classes {
                println!("  {count:>6} × {sig}\n           e.g. {}\n           {}", path.display(), cmp_fuzz::decoders::clip(&f.detail));
            }
            std::process::exit(i32::from(!s.findings.classes.is_empty()));
        }
    }
}
