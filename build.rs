//! Build script: generates the Goose transactions from the gateway's OpenAPI documents
//! (filled in by the code generator; for now it only declares its inputs).

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
}
