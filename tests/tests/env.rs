//! `EdgeCache::from_env()`: `VERCEL_TOKEN`, `VERCEL_API_URL` and `VERCEL_ORG_ID`.
//!
//! One test in its own binary, because it changes the process environment.

use edge_cache_tests::*;
use vercel_edge_cache::EdgeCache;

#[tokio::test]
async fn from_env_reads_the_token_and_the_api_url() {
    // SAFETY (edition 2024): this binary has one test, and nothing else runs meanwhile.
    unsafe {
        std::env::remove_var("VERCEL_TOKEN");
        std::env::remove_var("VERCEL_API_URL");
        std::env::remove_var("VERCEL_ORG_ID");
    }
    let err = EdgeCache::from_env().unwrap_err();
    assert_eq!(err.to_string(), "the environment variable VERCEL_TOKEN is not set");
    assert_eq!(err, vercel_edge_cache::ConfigError::MissingEnv("VERCEL_TOKEN"));

    let server = ok_server().await;
    unsafe {
        std::env::set_var("VERCEL_TOKEN", format!("  {TOKEN}\n"));
        std::env::set_var("VERCEL_API_URL", format!("{}/", server.uri()));
    }
    let client = EdgeCache::from_env().unwrap();
    assert_no_token(&[("the client's Debug", format!("{client:?}"))]);
    let report = client.invalidate_by_tags("proj", ["a"]).send().await.unwrap();
    assert!(report.is_success(), "{report:#?}");
    let request = only_request(&server).await;
    assert_eq!(request.url.path(), Op::named("invalidateByTags").path());
    // The token is trimmed of the white space around it.
    assert_eq!(header(&request, "authorization"), Some(format!("Bearer {TOKEN}")));

    // VERCEL_ORG_ID, as the CLI's --team-id reads it, sets the team of every request; a blank
    // one, or a personal account's ID, sets none; VERCEL_PROJECT_ID is not read.
    let team = edge_cache_tests::spec::parameter_of_flag("team-id");
    let team_of =
        |request: &wiremock::Request| request.url.query_pairs().find(|(k, _)| *k == *team).map(|(_, v)| v.into_owned());
    for (org, sent) in
        [("team_abc", Some("team_abc")), ("  team_abc \n", Some("team_abc")), ("", None), ("usr_123", None)]
    {
        let server = ok_server().await;
        unsafe {
            std::env::set_var("VERCEL_API_URL", server.uri());
            std::env::set_var("VERCEL_ORG_ID", org);
            std::env::set_var("VERCEL_PROJECT_ID", "prj_from_env");
        }
        let client = EdgeCache::from_env().unwrap();
        let report = client.invalidate_by_tags("proj", ["a"]).send().await.unwrap();
        assert!(report.is_success(), "{report:#?}");
        let request = only_request(&server).await;
        assert_eq!(team_of(&request).as_deref(), sent, "VERCEL_ORG_ID={org:?}");
        assert!(!request.url.as_str().contains("prj_from_env"), "{}", request.url);
    }
    unsafe {
        std::env::remove_var("VERCEL_ORG_ID");
        std::env::remove_var("VERCEL_PROJECT_ID");
    }

    // The https rule applies to the environment's URL too.
    unsafe { std::env::set_var("VERCEL_API_URL", "http://example.com") };
    let err = EdgeCache::from_env().unwrap_err();
    assert!(err.to_string().starts_with("https is required for \"http://example.com\""), "{err}");
    unsafe {
        std::env::remove_var("VERCEL_TOKEN");
        std::env::remove_var("VERCEL_API_URL");
    }
}
