//! The `sessions` binary (composition root).
fn main() {}
