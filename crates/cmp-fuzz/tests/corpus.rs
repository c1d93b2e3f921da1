//! The regression corpus: every file under `corpus/<target>/` replayed through the fuzz
//! oracle (no panic, the target's checks, a time and an allocation limit per input).
//! Inputs of known, still-open product bugs wait under `corpus/pending/<target>/` and
//! are not replayed; move one up when its fix lands.

use std::time::Duration;

use cmp_fuzz::run::{corpus_dir, corpus_files, replay, Limits, Target};

#[global_allocator]
static ALLOC: cmp_fuzz::alloc::Counting = cmp_fuzz::alloc::Counting;

fn replays_clean(target: Target) {
    let files = corpus_files(&corpus_dir().join(target.name()));
    assert!(!files.is_empty(), "no corpus for {}", target.name());
    // Generous per input: the test threads share two cores with the other tests.
    let limits = Limits {
        time: Duration::from_secs(10),
        ..Limits::default()
    };
    let failed = replay(target, &files, limits);
    let list: Vec<String> = failed
        .iter()
        .map(|(p, f)| format!("{}: {f}", p.display()))
        .collect();
    assert!(
        failed.is_empty(),
        "{} of {} {} corpus inputs fail:\n{}",
        failed.len(),
        files.len(),
        target.name(),
        list.join("\n")
    );
}

#[test]
fn xml_corpus() {
    replays_clean(Target::Xml);
}

#[test]
fn json_corpus() {
    replays_clean(Target::Json);
}

#[test]
fn soap_corpus() {
    replays_clean(Target::Soap);
}

#[test]
fn app_corpus() {
    replays_clean(Target::App);
}

/// The seeds are made from the fixtures by `cmp-fuzz seed-corpus`: the files on disk
/// are what it writes (a fixture change that moves a seed shows here).
#[test]
fn the_corpus_is_what_seed_corpus_writes() {
    for t in Target::ALL {
        for (name, bytes, expect) in cmp_fuzz::seed::seeds(t) {
            let live = corpus_dir().join(t.name()).join(&name);
            let pending = corpus_dir().join("pending").join(t.name()).join(&name);
            let file = if live.exists() { live } else { pending };
            assert_eq!(
                std::fs::read(&file).ok().as_deref(),
                Some(&bytes[..]),
                "{}/{name} differs from what `cmp-fuzz seed-corpus` writes",
                t.name()
            );
            let on_disk = std::fs::read_to_string(file.with_extension("expect")).ok();
            assert_eq!(
                on_disk.as_deref().map(str::trim),
                expect,
                "{}/{name}: the .expect differs from what `cmp-fuzz seed-corpus` writes",
                t.name()
            );
        }
    }
}
