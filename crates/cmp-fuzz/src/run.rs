//! The fuzz loop and the corpus replay: one oracle for both (no panic, the target's
//! checks, a per-input time limit, a per-input allocation limit).

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cmp_gateway::registry;

use crate::app::AppHarness;
use crate::fixtures::{self, Fixture};
use crate::input::{Dialect, Request};
use crate::oracle::{check_answer, Finding};
use crate::rng::{fnv64, Rng};
use crate::{alloc, decoders, mutate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    Xml,
    Json,
    Soap,
    App,
}

impl Target {
    pub const ALL: [Target; 4] = [Target::Xml, Target::Json, Target::Soap, Target::App];

    pub fn name(self) -> &'static str {
        match self {
            Target::Xml => "xml",
            Target::Json => "json",
            Target::Soap => "soap",
            Target::App => "app",
        }
    }

    pub fn parse(s: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == s)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Longest one input may take.
    pub time: Duration,
    /// Most bytes one input may have live above what was live before it.
    pub alloc: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            time: Duration::from_secs(2),
            alloc: 64 << 20,
        }
    }
}

/// Panic messages (with their location) since the last [`take_panics`]: the hook keeps
/// them instead of printing, so a SystemFault finding can say what panicked.
static PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Inputs running now (on any thread), and whether this thread is running one: a panic
/// on such a thread, or on a runtime worker while an input runs, is a finding, kept
/// quiet; any other panic (a test's own assertion) goes to the hook that was there.
static ACTIVE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
thread_local! {
    static QUIET_HERE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn quiet_panic() -> bool {
    QUIET_HERE.with(|q| q.get())
        || (ACTIVE.load(std::sync::atomic::Ordering::Relaxed) > 0
            && std::thread::current()
                .name()
                .is_some_and(|n| n.starts_with("tokio-") || n.starts_with("actix")))
}

pub fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !quiet_panic() {
                return previous(info);
            }
            let msg = format!("{info} [in {}]", product_frame());
            if let Ok(mut p) = PANICS.lock() {
                if p.len() < 16 {
                    p.push(msg);
                }
            }
        }));
    });
}

/// Runs `f` with panics recorded as findings rather than printed.
pub fn quietly<T>(f: impl FnOnce() -> T) -> T {
    use std::sync::atomic::Ordering::Relaxed;
    ACTIVE.fetch_add(1, Relaxed);
    let before = QUIET_HERE.with(|q| q.replace(true));
    let r = f();
    QUIET_HERE.with(|q| q.set(before));
    ACTIVE.fetch_sub(1, Relaxed);
    r
}

/// The innermost function of the workspace's product crates on the panicking stack
/// (`cmp_model::values::…`): the panic's own location is often in `core`.
fn product_frame() -> String {
    let bt = std::backtrace::Backtrace::force_capture().to_string();
    bt.lines()
        .filter_map(|l| l.trim().split_once(": ").map(|(_, sym)| sym))
        .find(|sym| sym.starts_with("cmp_") && !sym.starts_with("cmp_fuzz"))
        .map(|sym| match sym.rfind("::h") {
            Some(i) if sym[i + 3..].chars().all(|c| c.is_ascii_hexdigit()) => sym[..i].to_string(),
            _ => sym.to_string(),
        })
        .unwrap_or_else(|| "?".into())
}

fn take_panics() -> Vec<String> {
    PANICS
        .lock()
        .map(|mut p| std::mem::take(&mut *p))
        .unwrap_or_default()
}

/// Runs inputs of one target through the oracle.
pub struct Executor {
    pub target: Target,
    pub limits: Limits,
    app: Option<AppHarness>,
}

impl Executor {
    pub fn new(target: Target, limits: Limits) -> Executor {
        let app = (target == Target::App).then(AppHarness::demo);
        Executor {
            target,
            limits,
            app,
        }
    }

    /// One input: `Ok` when every oracle holds.
    pub fn run(&mut self, input: &[u8]) -> Result<(), Finding> {
        self.run_expecting(input, None)
    }

    /// One input with, for the app, what its answer must also be ([`Expect`]).
    pub fn run_expecting(&mut self, input: &[u8], expect: Option<&Expect>) -> Result<(), Finding> {
        take_panics();
        let baseline = alloc::reset_peak();
        let started = Instant::now();
        let limit = self.limits.time;
        let target = self.target;
        let app = self.app.as_ref();
        let outcome = quietly(|| {
            catch_unwind(AssertUnwindSafe(|| match target {
                Target::Xml => decoders::xml_input(input),
                Target::Json => decoders::json_input(input),
                Target::Soap => decoders::soap_input(input),
                Target::App => {
                    let req =
                        Request::from_bytes(input).map_err(|e| Finding::new("bad-input", e))?;
                    let answer = app.expect("an app target has its app").send(&req, limit);
                    let checked = match answer {
                        Ok(Some(answer)) => {
                            if std::env::var_os("CMP_FUZZ_SHOW").is_some() {
                                let body = String::from_utf8_lossy(&answer.body);
                                eprintln!("  -> {} {}", answer.status, decoders::clip(&body));
                            }
                            check_answer(&req, &answer).and_then(|()| match expect {
                                Some(e) => e.check(&answer),
                                None => Ok(()),
                            })
                        }
                        Ok(None) => Ok(()),
                        Err(f) => Err(f),
                    };
                    checked.map_err(|f| {
                        let class = format!("{} @ {}", f.class, route(&req));
                        f.with_class(class)
                    })
                }
            }))
        });
        let elapsed = started.elapsed();
        let peak = alloc::peak_since(baseline);
        let panics = take_panics();
        let result = match outcome {
            Ok(r) => r,
            Err(_) => {
                if target == Target::App {
                    // The runtime unwound mid-request: start again on a fresh one.
                    self.app = Some(AppHarness::demo());
                }
                Err(Finding::new(
                    "panic",
                    panics.first().cloned().unwrap_or_default(),
                ))
            }
        };
        let result = result.map_err(|mut f| {
            if f.oracle != "panic" && !panics.is_empty() {
                f.detail = format!("{} [panicked: {}]", f.detail, panics.join(" | "));
            }
            f
        });
        result?;
        if elapsed > limit {
            return Err(Finding::new(
                "hang",
                format!("took {elapsed:?}, the limit is {limit:?}"),
            ));
        }
        if alloc::installed() && peak > self.limits.alloc {
            return Err(Finding::new(
                "alloc",
                format!(
                    "{} MiB live at the peak, the limit is {} MiB",
                    peak >> 20,
                    self.limits.alloc >> 20
                ),
            ));
        }
        Ok(())
    }
}

/// What a corpus input's answer must be beyond the oracle (`<input>.expect`, app only):
/// `success` or `fault`, optionally with a code the answer must carry
/// (`fault MANDATORY`).
#[derive(Debug, Clone, PartialEq)]
pub struct Expect {
    pub success: bool,
    pub code: Option<String>,
}

impl Expect {
    pub fn parse(text: &str) -> Option<Expect> {
        let mut words = text.split_whitespace();
        let success = match words.next()? {
            "success" => true,
            "fault" => false,
            _ => return None,
        };
        Some(Expect {
            success,
            code: words.next().map(str::to_string),
        })
    }

    pub fn to_text(&self) -> String {
        let kind = if self.success { "success" } else { "fault" };
        match &self.code {
            Some(c) => format!("{kind} {c}\n"),
            None => format!("{kind}\n"),
        }
    }

    fn check(&self, a: &crate::oracle::Answer) -> Result<(), Finding> {
        let body = String::from_utf8_lossy(&a.body);
        let ok = (200..300).contains(&a.status);
        let fault = !ok;
        if self.success != ok
            || (fault
                && self
                    .code
                    .as_ref()
                    .is_some_and(|c| !body.contains(c.as_str())))
        {
            return Err(Finding::new(
                "expectation",
                format!(
                    "expected {}, got {} {}",
                    self.to_text().trim(),
                    a.status,
                    decoders::clip(&body)
                ),
            )
            .with_class(self.to_text().trim().to_string()));
        }
        Ok(())
    }
}

/// Makes inputs for a target from the contract fixtures.
pub struct Generator {
    target: Target,
    bases: Vec<Fixture>,
    pub rng: Rng,
}

/// The request root a JSON fixture's body is read as.
fn json_root(f: &Fixture) -> &'static str {
    let op = registry::by_name(f.operation).expect("fixtures name operations");
    let resource = !f.request.path.starts_with("/ws/");
    match op.rest_binding().filter(|_| resource) {
        Some(b) => b.request_root,
        None => op.document.request_root,
    }
}

impl Generator {
    pub fn new(target: Target, seed: u64) -> Generator {
        let bases = fixtures::load()
            .into_iter()
            .filter(|f| {
                let has_body = !f.request.body.is_empty();
                match target {
                    Target::Xml => f.file_dialect == Dialect::Xml && has_body,
                    Target::Json => f.file_dialect == Dialect::Json && has_body,
                    Target::Soap => f.file_dialect == Dialect::Soap && has_body,
                    Target::App => true,
                }
            })
            .collect();
        Generator {
            target,
            bases,
            rng: Rng::new(seed),
        }
    }

    pub fn bases(&self) -> usize {
        self.bases.len()
    }

    /// (what was done, the input).
    pub fn generate(&mut self) -> (String, Vec<u8>) {
        let base = self.rng.pick(&self.bases).clone();
        let op = registry::by_name(base.operation);
        let (what, req) = mutate::random(&base.request, op, &mut self.rng);
        let what = format!("{}: {what}", base.label());
        let input = match self.target {
            Target::App => req.to_bytes(),
            Target::Json => {
                let mut v = format!("{}\n", json_root(&base)).into_bytes();
                v.extend_from_slice(&req.body);
                v
            }
            Target::Xml | Target::Soap => req.body,
        };
        (what, input)
    }
}

/// A finding's class: the oracle, its class (error kind, fault code), where it panicked
/// and, for the app, the route; so that one bug is one class however many inputs show it.
pub fn signature(f: &Finding) -> String {
    let d = &f.detail;
    let panic_at = d.find("panicked at ").map(|i| match d[i..].find(" [in ") {
        Some(j) => d[i + j + 5..]
            .split(']')
            .next()
            .unwrap_or_default()
            .to_string(),
        None => d[i + 12..].split(':').take(2).collect::<Vec<_>>().join(":"),
    });
    let mut sig = format!("{}|{}", f.oracle, f.class);
    if let Some(p) = panic_at {
        sig.push_str("|in ");
        sig.push_str(&p);
    }
    sig
}

/// `POST /agreements/{n}`: the method and path of a request, numbers and query left out.
pub fn route(req: &Request) -> String {
    let path = req.path.split('?').next().unwrap_or_default();
    let segs: Vec<&str> = path
        .split('/')
        .map(|s| {
            if s.bytes().any(|b| b.is_ascii_digit() || b == b'%') {
                "{n}"
            } else {
                s
            }
        })
        .collect();
    format!("{} {}", req.method, segs.join("/"))
}

/// Where findings go: `<dir>/<target>-<hash>.bin` (the input, replayable) and `.txt`
/// (the oracle that failed, the mutation, the seed).
pub struct Findings {
    pub dir: PathBuf,
    pub target: Target,
    /// signature → (count, first file, first finding).
    pub classes: BTreeMap<String, (usize, PathBuf, Finding)>,
    /// Files kept per class.
    pub per_class: usize,
}

pub fn write_finding(dir: &Path, target: Target, input: &[u8], report: &str) -> PathBuf {
    let _ = std::fs::create_dir_all(dir);
    let name = format!("{}-{:016x}", target.name(), fnv64(input));
    let bin = dir.join(format!("{name}.bin"));
    let _ = std::fs::write(&bin, input);
    let _ = std::fs::write(dir.join(format!("{name}.txt")), report);
    bin
}

impl Findings {
    pub fn record(&mut self, input: &[u8], what: &str, seed: u64, iteration: u64, f: &Finding) {
        let sig = signature(f);
        let entry = self.classes.entry(sig.clone());
        let count = match &entry {
            std::collections::btree_map::Entry::Occupied(o) => o.get().0,
            std::collections::btree_map::Entry::Vacant(_) => 0,
        };
        let path = if count < self.per_class {
            let report = format!(
                "target: {}\noracle: {}\nclass: {sig}\nseed: {seed}\niteration: {iteration}\nmutation: {what}\ndetail: {}\n",
                self.target.name(),
                f.oracle,
                f.detail
            );
            Some(write_finding(&self.dir, self.target, input, &report))
        } else {
            None
        };
        let e = entry.or_insert_with(|| (0, path.clone().unwrap_or_default(), f.clone()));
        e.0 += 1;
    }

    pub fn total(&self) -> usize {
        self.classes.values().map(|c| c.0).sum()
    }
}

/// The input being run, for the watchdog.
#[derive(Default)]
struct Current {
    started: Option<Instant>,
    input: Vec<u8>,
    reported: bool,
}

/// A thread that writes a `hang` finding for an input still running past the limit
/// (one that never yields cannot be timed out from inside) and stops the process when
/// one runs past `hard`.
struct Watchdog {
    current: Arc<Mutex<Current>>,
}

impl Watchdog {
    fn start(dir: PathBuf, target: Target, limit: Duration, hard: Duration) -> Watchdog {
        let current = Arc::new(Mutex::new(Current::default()));
        let c = current.clone();
        std::thread::spawn(move || loop {
            std::thread::sleep(Duration::from_millis(200));
            let Ok(mut cur) = c.lock() else { return };
            let Some(t) = cur.started else { continue };
            if t.elapsed() > limit && !cur.reported {
                cur.reported = true;
                let p = write_finding(
                    &dir,
                    target,
                    &cur.input,
                    "oracle: hang\ndetail: still running past the time limit (watchdog)\n",
                );
                eprintln!(
                    "watchdog: an input is still running after {limit:?}: {}",
                    p.display()
                );
            }
            if t.elapsed() > hard {
                eprintln!("watchdog: an input has run for {hard:?}: stopping (the input is in the findings)");
                std::process::exit(3);
            }
        });
        Watchdog { current }
    }

    fn enter(&self, input: &[u8]) {
        if let Ok(mut c) = self.current.lock() {
            *c = Current {
                started: Some(Instant::now()),
                input: input.to_vec(),
                reported: false,
            };
        }
    }

    fn leave(&self) {
        if let Ok(mut c) = self.current.lock() {
            c.started = None;
        }
    }
}

pub struct Config {
    pub target: Target,
    pub seed: u64,
    pub iterations: Option<u64>,
    pub duration: Option<Duration>,
    pub limits: Limits,
    pub findings: PathBuf,
}

/// Where a fuzz process keeps the input it is running, so that the supervisor can name
/// the input that killed it (a stack overflow or an abort cannot be caught in process):
/// `<iteration>\n<input>`.
pub fn last_input_file(findings: &Path, target: Target) -> PathBuf {
    findings.join(format!(".last-input-{}", target.name()))
}

pub struct Summary {
    pub iterations: u64,
    pub elapsed: Duration,
    pub findings: Findings,
}

/// The fuzz loop: runs until the iteration count or the duration is reached.
pub fn fuzz(cfg: &Config) -> Summary {
    install_panic_hook();
    let mut gen = Generator::new(cfg.target, cfg.seed);
    let mut exec = Executor::new(cfg.target, cfg.limits);
    let mut findings = Findings {
        dir: cfg.findings.clone(),
        target: cfg.target,
        classes: BTreeMap::new(),
        per_class: 3,
    };
    let watchdog = Watchdog::start(
        cfg.findings.clone(),
        cfg.target,
        cfg.limits.time,
        Duration::from_secs(120),
    );
    let _ = std::fs::create_dir_all(&cfg.findings);
    let last_file = last_input_file(&cfg.findings, cfg.target);
    let started = Instant::now();
    let mut last_report = Instant::now();
    let mut n = 0u64;
    loop {
        if cfg.iterations.is_some_and(|max| n >= max)
            || cfg.duration.is_some_and(|d| started.elapsed() >= d)
        {
            break;
        }
        let (what, input) = gen.generate();
        let mut last = format!("{n}\n").into_bytes();
        last.extend_from_slice(&input);
        let _ = std::fs::write(&last_file, last);
        watchdog.enter(&input);
        let r = exec.run(&input);
        watchdog.leave();
        if let Err(f) = r {
            let new = !findings.classes.contains_key(&signature(&f));
            findings.record(&input, &what, cfg.seed, n, &f);
            if new {
                eprintln!(
                    "[{}] new finding #{} at iteration {n}: {}",
                    cfg.target.name(),
                    findings.classes.len(),
                    decoders::clip(&f.to_string())
                );
                eprintln!("    mutation: {}", decoders::clip(&what));
            }
        }
        n += 1;
        if last_report.elapsed() > Duration::from_secs(30) {
            last_report = Instant::now();
            let secs = started.elapsed().as_secs_f64();
            eprintln!(
                "[{}] {n} inputs in {secs:.0} s ({:.0}/s), {} findings in {} classes",
                cfg.target.name(),
                n as f64 / secs,
                findings.total(),
                findings.classes.len()
            );
        }
    }
    let _ = std::fs::remove_file(&last_file);
    Summary {
        iterations: n,
        elapsed: started.elapsed(),
        findings,
    }
}

/// Every corpus file of a directory (not recursing), sorted.
pub fn corpus_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "bin"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Replays files through the oracle: (file, finding) for each that fails.
pub fn replay(target: Target, files: &[PathBuf], limits: Limits) -> Vec<(PathBuf, Finding)> {
    install_panic_hook();
    let mut exec = Executor::new(target, limits);
    let mut out = Vec::new();
    for f in files {
        let input = match std::fs::read(f) {
            Ok(b) => b,
            Err(e) => {
                out.push((f.clone(), Finding::new("bad-input", e.to_string())));
                continue;
            }
        };
        let expect = std::fs::read_to_string(f.with_extension("expect"))
            .ok()
            .and_then(|t| Expect::parse(&t));
        if let Err(finding) = exec.run_expecting(&input, expect.as_ref()) {
            out.push((f.clone(), finding));
        }
    }
    out
}

/// `crates/cmp-fuzz/corpus`.
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}
