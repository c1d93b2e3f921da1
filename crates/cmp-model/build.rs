//! Generates the message types from `schemas/*.xsd` (see `docs/architecture.md`,
//! "Messages from schemas"): the schemas are read by `cmp-schema`, which also says what
//! subset of XSD they may use, and turned into Rust by `cmp_schema::codegen`. This file
//! only finds the files and writes `OUT_DIR/messages.rs`, with the schema files
//! themselves appended (`SCHEMA_FILES`, for publication).

use std::path::PathBuf;

use cmp_schema::Model;

fn main() {
    let dir = schema_dir();
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "xsd"))
        .collect();
    files.sort();
    let texts: Vec<(String, String)> = files
        .iter()
        .map(|f| {
            println!("cargo:rerun-if-changed={}", f.display());
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(f).unwrap())
        })
        .collect();
    let model = Model::read(&texts).unwrap_or_else(|e| panic!("{e}"));
    let mut code = cmp_schema::codegen::generate(&model);
    // The schema files themselves, for publication (GET /schemas/…, WSDL, OpenAPI).
    code += "\n/// Every schema file: (file name, text).\npub const SCHEMA_FILES: &[(&str, &str)] = &[\n";
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy();
        let path = f.canonicalize().unwrap();
        code += &format!(
            "    ({name:?}, include_str!({:?})),\n",
            path.display().to_string()
        );
    }
    code += "];\n";
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("messages.rs");
    std::fs::write(out, code).unwrap();
}

fn schema_dir() -> PathBuf {
    if let Ok(d) = std::env::var("CMP_SCHEMA_DIR") {
        return PathBuf::from(d);
    }
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    // In the workspace: ../../schemas. In a packaged crate: ./schemas.
    let ws = manifest.join("../../schemas");
    if ws.is_dir() {
        ws
    } else {
        manifest.join("schemas")
    }
}
