//! Embeds the built UI (`frontend/dist`, made by trunk) into the binary, with a gzip copy of
//! each compressible file, so `lookout` runs from any directory and can be copied elsewhere.
//!
//! A missing dist directory is not an error: the binary then serves a page that says how to
//! build the UI. `LOOKOUT_UI_DIST` points at another directory.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let dist =
        std::env::var_os("LOOKOUT_UI_DIST").map(PathBuf::from).unwrap_or_else(|| manifest.join("../../frontend/dist"));
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    println!("cargo:rerun-if-env-changed=LOOKOUT_UI_DIST");
    println!("cargo:rerun-if-changed={}", dist.display());

    let mut files = Vec::new();
    if dist.is_dir() {
        collect(&dist, &dist, &mut files);
    }
    files.sort();

    let mut code = String::from("&[\n");
    for (i, relative) in files.iter().enumerate() {
        let source = dist.join(relative);
        let bytes = std::fs::read(&source).unwrap();
        let gzip = if compressible(relative) && bytes.len() > 512 {
            let gz_path = out_dir.join(format!("asset{i}.gz"));
            let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            encoder.write_all(&bytes).unwrap();
            std::fs::write(&gz_path, encoder.finish().unwrap()).unwrap();
            format!("Some(include_bytes!({:?}))", gz_path.display().to_string())
        } else {
            "None".to_string()
        };
        let _ = writeln!(
            code,
            "    Asset {{ path: {:?}, body: include_bytes!({:?}), gzip: {gzip} }},",
            relative,
            source.canonicalize().unwrap().display().to_string()
        );
    }
    code.push(']');
    std::fs::write(out_dir.join("assets.rs"), code).unwrap();
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(root, &path, files);
        } else {
            let relative = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            files.push(relative);
        }
    }
}

fn compressible(path: &str) -> bool {
    [".html", ".js", ".css", ".wasm", ".svg", ".json", ".txt"].iter().any(|ext| path.ends_with(ext))
}
