//! Depending on the crate changes nothing else in a user's build. By default its TLS is reqwest's
//! own (rustls with aws-lc-rs), so a user's reqwest without TLS features gets that working
//! default by cargo's feature unification. With the `ring` feature instead, its reqwest has no
//! crypto provider of its own, and a user's reqwest would panic in `reqwest::Client::new()`
//! unless one is installed: building an `EdgeCache` or starting a `MockVercel` installs *ring*
//! when none is. Both are built and run here, as a user's crate.

use std::path::Path;

use edge_cache_tests::fresh;

/// A user's crate: its own reqwest with no TLS feature, next to the client and its testing kit.
const DEPENDENCIES: &str = r#"[dependencies]
vercel-edge-cache = { path = CLIENT, FEATURES }
reqwest = { version = "0.13", default-features = false, features = ["json"] }
serde_json = "1"
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
"#;

/// The user's test: the mock, a purge through the client, and its own reqwest client posting
/// to the mock.
const TEST: &str = r#"
use vercel_edge_cache::EdgeCache;
use vercel_edge_cache::mock::MockVercel;
use vercel_edge_cache::operations::InvalidateByTags;

#[tokio::test]
async fn our_own_reqwest_client_works_next_to_the_edge_cache_client_and_its_mock() {
    let vercel = MockVercel::start().await;
    let client = EdgeCache::builder("test-token").base_url(vercel.uri()).build().unwrap();
    let report = client.invalidate_by_tags("my-site", ["home"]).send().await.unwrap();
    assert!(report.is_success());

    let http = reqwest::Client::new();
    let url = format!("{}/v1/edge-cache/invalidate-by-tags?projectIdOrName=my-site", vercel.uri());
    let answer = http
        .post(url)
        .bearer_auth("test-token")
        .json(&serde_json::json!({ "tags": ["post-7"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(vercel.items::<InvalidateByTags>(), ["home", "post-7"]);
}

#[tokio::test]
async fn the_testing_kit_alone_lets_our_reqwest_client_work() {
    let vercel = MockVercel::start().await;
    let answer = reqwest::Client::new().get(format!("{}/_mock/purges", vercel.uri())).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.text().await.unwrap(), "[]");
}
"#;

/// Builds and tests the user's crate with the client's `features` (a manifest fragment).
fn user_crate(name: &str, features: &str) {
    let dependencies = DEPENDENCIES.replace("CLIENT", &fresh::client_path()).replace("FEATURES", features);
    let krate = fresh::Crate {
        name,
        dependencies: &dependencies,
        files: &[("src/lib.rs", ""), ("tests/own_reqwest.rs", TEST)],
    };
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let out = fresh::cargo(tmp, &krate, "test", &format!("a crate whose own reqwest has no TLS feature ({features})"));
    assert!(out.contains("test result: ok. 2 passed; 0 failed"), "the crate's two tests ran:\n{out}");
}

#[test]
fn a_crate_with_its_own_reqwest_without_tls_features_works_next_to_the_client() {
    user_crate("downstream-reqwest", r#"features = ["mock"]"#);
}

#[test]
fn the_same_with_the_ring_feature_instead_of_aws_lc() {
    user_crate("downstream-reqwest-ring", r#"default-features = false, features = ["mock", "ring"]"#);
}
