#!/usr/bin/env bash
# A user's fresh crate that depends on vercel-edge-cache and resolves the newest compatible
# versions of every dependency (no lockfile: not this workspace's Cargo.lock), as `cargo add`
# would today. It must build without a warning from vercel-edge-cache (a deprecated API of a
# dependency, say). Needs crates.io. Run from the workspace root; CI runs it (.ci/run).
set -euo pipefail
root="$(pwd)"
dir="$root/target/fresh-newest"
rm -rf "$dir/crate"
mkdir -p "$dir/crate/src"
cat > "$dir/crate/Cargo.toml" <<TOML
[package]
name = "fresh-newest"
version = "0.0.0"
edition = "2024"

[workspace]

# The workspace's dev profile, so that the crates it shares with the workspace's build are reused.
[profile.dev.package."*"]
debug = false

[profile.dev]
debug = "line-tables-only"

[dependencies]
vercel-edge-cache = { path = "$root/generated-client", features = ["mock"] }
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
TOML
cat > "$dir/crate/src/main.rs" <<'RS'
#[tokio::main]
async fn main() -> Result<(), vercel_edge_cache::Error> {
    let vercel = vercel_edge_cache::mock::MockVercel::start().await;
    let client = vercel_edge_cache::EdgeCache::builder("token").base_url(vercel.uri()).build()?;
    println!("{}", client.purge_all("my-site").send().await?.is_success());
    Ok(())
}
RS
cd "$dir/crate"
cargo generate-lockfile --quiet
# vercel-edge-cache is a path dependency, so cargo shows its warnings (a registry crate's it caps).
CARGO_TARGET_DIR="$root/target" cargo build --quiet --color never 2> "$dir/stderr.txt" || { cat "$dir/stderr.txt"; exit 1; }
if grep -q "^warning" "$dir/stderr.txt"; then
  echo "a fresh crate with the newest compatible dependencies gets warnings from vercel-edge-cache:" >&2
  cat "$dir/stderr.txt" >&2
  exit 1
fi
out="$(CARGO_TARGET_DIR="$root/target" cargo run --quiet)"
[ "$out" = "true" ] || { echo "the fresh crate's purge did not succeed: $out" >&2; exit 1; }
echo "a fresh crate with the newest compatible dependencies builds vercel-edge-cache without a warning, and purges: $(grep -A1 '^name = "rustls"$' Cargo.lock | tail -1), $(grep -A1 '^name = "reqwest"$' Cargo.lock | tail -1)"
