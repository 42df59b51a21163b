// Build-time settings for the staffloop binary.
fn main() {
    // The migrations are compiled into the binary (`sqlx::migrate!`): build
    // again when one is added or changed.
    println!("cargo:rerun-if-changed=migrations");
}
