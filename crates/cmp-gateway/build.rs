//! Compiles the contract fixtures (`fixtures/requests/<Operation>/<case>.*`) into the
//! gateway, so the published OpenAPI document carries them as examples on any machine
//! (`publish::examples`). This file only lists the files: `OUT_DIR/fixtures.rs` holds
//! `FIXTURE_FILES`, one `("<Operation>/<file>", include_str!(…))` per file. Cargo scans
//! the directory for changes, so a new fixture file is picked up by the next build.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/requests");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    for op in sorted(&dir).into_iter().filter(|p| p.is_dir()) {
        let op_name = op.file_name().unwrap().to_string_lossy().into_owned();
        for f in sorted(&op).into_iter().filter(|p| p.is_file()) {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            files.push((format!("{op_name}/{name}"), f));
        }
    }
    let mut code = String::from(
        "/// Every contract fixture file: (`<Operation>/<file name>`, its text).\n\
         pub static FIXTURE_FILES: &[(&str, &str)] = &[\n",
    );
    for (name, path) in &files {
        let path = path.canonicalize().unwrap_or_else(|_| path.clone());
        writeln!(
            code,
            "    ({name:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .unwrap();
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("fixtures.rs");
    std::fs::write(out, code).unwrap();
}

fn sorted(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        // A gateway built without the fixtures publishes no examples.
        Err(_) => Vec::new(),
    };
    v.sort();
    v
}
