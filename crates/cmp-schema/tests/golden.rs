//! Golden tests of the generator, in the style of prost-build's fixtures: each
//! `tests/golden/NAME.xsd` must generate exactly `tests/golden/NAME.rs.golden`
//! (`cmp-model` compiles every golden file against its runtime).
//!
//! After an intended change of the generator, rewrite them and review the diff:
//! `UPDATE_GOLDEN=1 cargo test -p cmp-schema --test golden`.

use std::path::{Path, PathBuf};

use cmp_schema::{codegen, Model};

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

fn golden_of(xsd: &Path) -> PathBuf {
    xsd.with_extension("rs.golden")
}

/// The first line where `got` and `want` differ, for the failure message.
fn first_difference(got: &str, want: &str) -> String {
    let (mut g, mut w) = (got.lines(), want.lines());
    for n in 1.. {
        match (g.next(), w.next()) {
            (None, None) => return "only in line endings".into(),
            (a, b) if a != b => {
                return format!(
                    "line {n}:\n  generated: {}\n  golden:    {}",
                    a.unwrap_or("(end)"),
                    b.unwrap_or("(end)")
                )
            }
            _ => {}
        }
    }
    unreachable!()
}

#[test]
fn every_fixture_generates_its_golden_file() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    let xsds: Vec<PathBuf> = fixtures()
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "xsd"))
        .collect();
    assert!(!xsds.is_empty());
    for xsd in &xsds {
        let name = xsd.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(xsd).unwrap();
        let model =
            Model::read(&[(name.as_str(), text.as_str())]).unwrap_or_else(|e| panic!("{e}"));
        let code = codegen::generate(&model);
        let golden = golden_of(xsd);
        if update {
            std::fs::write(&golden, &code).unwrap();
            continue;
        }
        match std::fs::read_to_string(&golden) {
            Ok(want) if want == code => {}
            Ok(want) => stale.push(format!("{name}: {}", first_difference(&code, &want))),
            Err(e) => stale.push(format!("{name}: {}: {e}", golden.display())),
        }
    }
    assert!(
        stale.is_empty(),
        "the generator's output changed:\n{}\nIf intended: UPDATE_GOLDEN=1 cargo test -p cmp-schema --test golden, and review the diff",
        stale.join("\n")
    );
}

#[test]
fn every_golden_file_has_its_fixture() {
    for f in fixtures() {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix(".rs.golden") {
            assert!(
                f.with_file_name(format!("{stem}.xsd")).exists(),
                "{name} has no {stem}.xsd"
            );
        } else {
            assert!(name.ends_with(".xsd"), "unexpected file {name}");
        }
    }
}
