// Build-time settings for the staffloop binary.
fn main() {
    // The migrations are compiled into the binary (`sqlx::migrate!`): build
    // again when one is added or changed.
    println!("cargo:rerun-if-changed=migrations");
    // The binary stays position-independent (so its address is randomized),
    // with its relocations packed (DT_RELR, glibc 2.36 and later): 22 KB of
    // them instead of 1.3 MB, which every process would otherwise read in
    // and keep resident.
    println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
}
