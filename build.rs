//! Generates `include/mxreg.h` with cbindgen, adding the version macros from
//! `Cargo.toml`. The header is committed; `make check-header` fails when a
//! rebuild changes it.

use std::env;
use std::path::PathBuf;

fn main() {
    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let version = env::var("CARGO_PKG_VERSION").expect("cargo sets it");
    let part = |name: &str| env::var(name).expect("cargo sets it");
    let version_macros = format!(
        "\n/** The version of this header; `mxreg_version()` gives the library's. */\n\
         #define MXREG_VERSION \"{version}\"\n\
         #define MXREG_VERSION_MAJOR {}\n\
         #define MXREG_VERSION_MINOR {}\n\
         #define MXREG_VERSION_PATCH {}\n",
        part("CARGO_PKG_VERSION_MAJOR"),
        part("CARGO_PKG_VERSION_MINOR"),
        part("CARGO_PKG_VERSION_PATCH"),
    );
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("cbindgen.toml is readable");
    let bindings = cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .with_after_include(version_macros)
        .generate()
        .expect("cbindgen generates the header");
    // `write_to_file` only writes when the content changed, so an unchanged
    // header keeps its timestamp.
    bindings.write_to_file(crate_dir.join("include/mxreg.h"));
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    // Versioned soname for the installed (release, Linux) library: 0.x minors
    // break the ABI, so 0.1.z is `libmxreg.so.0.1`; from 1.0 the major alone.
    // Debug builds keep none: in-tree tests link target/debug/libmxreg.so.
    if part("PROFILE") == "release" && part("CARGO_CFG_TARGET_OS") == "linux" {
        let soname = match part("CARGO_PKG_VERSION_MAJOR").as_str() {
            "0" => format!("libmxreg.so.0.{}", part("CARGO_PKG_VERSION_MINOR")),
            major => format!("libmxreg.so.{major}"),
        };
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,{soname}");
    }
}
