//! Large selections: split into requests of at most the spec's `maxItems`, every item sent
//! exactly once, failures reported batch by batch, and no more requests in flight than allowed.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use edge_cache_tests::*;
use serde_json::json;
use vercel_edge_cache::{RequestError, Target};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The body lists of every request the server got, as sent.
async fn sent_lists(server: &MockServer, field: &str) -> Vec<Vec<String>> {
    requests(server)
        .await
        .iter()
        .map(|r| {
            body(r)[field]
                .as_array()
                .unwrap_or_else(|| panic!("{field} is not a list: {}", body(r)))
                .iter()
                .map(|v| v.as_str().expect("a string item").to_string())
                .collect()
        })
        .collect()
}

/// Asserts every item appears exactly once across `lists`, and nothing else does.
fn assert_each_exactly_once(lists: &[Vec<String>], items: &[String]) {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for item in lists.iter().flatten() {
        *seen.entry(item).or_default() += 1;
    }
    for item in items {
        assert_eq!(seen.get(item.as_str()), Some(&1), "{item} should be sent exactly once");
    }
    assert_eq!(seen.len(), items.len(), "unexpected items were sent: {lists:?}");
}

fn sizes(lists: &[Vec<String>]) -> Vec<usize> {
    let mut s: Vec<usize> = lists.iter().map(Vec::len).collect();
    s.sort_unstable_by(|a, b| b.cmp(a));
    s
}

#[tokio::test]
async fn forty_tags_go_out_as_three_requests_of_at_most_sixteen() {
    for op in [Op::named("invalidateByTags"), Op::named("dangerouslyDeleteByTags")] {
        let server = ok_server().await;
        let client = client(&server.uri());
        let all = tags("post", 40);
        let options = Options { target: Some(Target::Production), ..Options::default() };
        let report = op.send(&client, "proj", all.clone(), options).await.unwrap();
        assert!(report.is_success(), "{report:#?}");

        let lists = sent_lists(&server, "tags").await;
        assert_eq!(lists.len(), 3, "{op:?}");
        assert!(lists.iter().all(|l| l.len() <= 16), "{op:?}: {:?}", sizes(&lists));
        assert_eq!(sizes(&lists), vec![16, 16, 8], "{op:?}");
        assert_each_exactly_once(&lists, &all);
        for r in requests(&server).await {
            assert_eq!(body(&r)["target"], "production", "{op:?}: every batch keeps the options");
        }

        // The report lists the batches in selection order, with their items.
        assert_eq!(report.batches.len(), 3);
        assert_eq!(report.item_count(), 40);
        for (i, batch) in report.batches.iter().enumerate() {
            assert_eq!(batch.index, i);
        }
        let reported: Vec<String> = report.batches.iter().flat_map(|b| b.items.clone()).collect();
        assert_eq!(reported, all, "{op:?}: batches in selection order");
        assert_eq!(report.succeeded().count(), 40);
    }
}

#[tokio::test]
async fn seventeen_source_images_go_out_as_eight_eight_and_one() {
    for op in [Op::named("invalidateBySrcImages"), Op::named("dangerouslyDeleteBySrcImages")] {
        let server = ok_server().await;
        let client = client(&server.uri());
        let all = src_images("photo", 17);
        let options = Options { deadline: Some(30), ..Options::default() };
        let report = op.send(&client, "proj", all.clone(), options).await.unwrap();
        assert!(report.is_success(), "{report:#?}");

        let lists = sent_lists(&server, "srcImages").await;
        assert_eq!(sizes(&lists), vec![8, 8, 1], "{op:?}");
        assert_each_exactly_once(&lists, &all);
        if op.deletes() {
            for r in requests(&server).await {
                assert_eq!(body(&r)["revalidationDeadlineSeconds"], json!(30), "every batch keeps the deadline");
            }
        }
        let batch_sizes: Vec<usize> = report.batches.iter().map(|b| b.items.len()).collect();
        assert_eq!(batch_sizes, vec![8, 8, 1]);
    }
}

#[tokio::test]
async fn a_selection_of_exactly_max_items_is_one_request_and_one_more_is_two() {
    for op in Op::all() {
        let max = op.max_items();
        for (n, expected) in [(1, vec![1]), (max, vec![max]), (max + 1, vec![max, 1])] {
            let server = ok_server().await;
            let client = client(&server.uri());
            assert!(op.send_plain(&client, "proj", op.items(n)).await.unwrap().is_success());
            assert_eq!(sizes(&sent_lists(&server, op.field()).await), expected, "{op:?} with {n} items");
        }
    }
}

#[tokio::test]
async fn one_failed_batch_is_reported_while_the_others_succeed() {
    let server = MockServer::start().await;
    // The batch holding post-20 (the second one) is refused.
    Mock::given(|r: &Request| String::from_utf8_lossy(&r.body).contains("\"post-20\""))
        .respond_with(error_response(400, "bad_request", "Invalid tag: post-20"))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(any()).respond_with(ResponseTemplate::new(200)).with_priority(2).mount(&server).await;

    let client = client(&server.uri());
    let all = tags("post", 40);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen_cb = seen.clone();
    let report = client
        .invalidate_by_tags("proj", all.clone())
        .on_batch(move |b, _| seen_cb.lock().unwrap().push((b.index, b.items.len(), b.result.is_ok())))
        .send()
        .await
        .expect("a failed batch is not an Err of send");

    assert_eq!(requests(&server).await.len(), 3, "the other batches are still sent");
    assert!(!report.is_success());
    assert_eq!(report.batches.len(), 3);
    assert!(report.batches[0].result.is_ok());
    assert!(report.batches[2].result.is_ok());
    let failed: Vec<_> = report.failures().collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].index, 1);
    assert_eq!(failed[0].items, all[16..32].to_vec());
    let e = api_error(failed[0].result.as_ref().unwrap_err());
    assert_eq!(
        (e.status, e.code.as_deref(), e.message.as_deref()),
        (400, Some("bad_request"), Some("Invalid tag: post-20"))
    );
    assert!(matches!(report.first_error(), Some(RequestError::Api(e)) if e.status == 400));

    let succeeded: Vec<&str> = report.succeeded().collect();
    let expected: Vec<&str> = all[..16].iter().chain(&all[32..]).map(String::as_str).collect();
    assert_eq!(succeeded, expected);
    assert_eq!(report.item_count(), 40);

    // on_batch heard of each batch once, with its outcome.
    let mut seen = seen.lock().unwrap().clone();
    seen.sort();
    assert_eq!(seen, vec![(0, 16, true), (1, 16, false), (2, 8, true)]);
}

/// Answers 200 after `delay`, counting the requests in flight and the most seen at once.
///
/// wiremock's `Respond` is synchronous, so a request counts as in flight from when it arrives
/// until a timer thread releases it a little before its response goes out (`release`); the
/// client cannot start its next request before it has that response, so the count never
/// overstates what the client has in flight.
#[derive(Clone)]
struct InFlight {
    current: Arc<AtomicUsize>,
    max: Arc<AtomicUsize>,
    delay: Duration,
    release: Duration,
}

impl InFlight {
    fn new() -> Self {
        InFlight {
            current: Arc::new(AtomicUsize::new(0)),
            max: Arc::new(AtomicUsize::new(0)),
            delay: Duration::from_millis(400),
            release: Duration::from_millis(300),
        }
    }

    fn max(&self) -> usize {
        self.max.load(Ordering::SeqCst)
    }
}

impl Respond for InFlight {
    fn respond(&self, _request: &Request) -> ResponseTemplate {
        let now = self.current.fetch_add(1, Ordering::SeqCst) + 1;
        self.max.fetch_max(now, Ordering::SeqCst);
        let current = self.current.clone();
        let release = self.release;
        std::thread::spawn(move || {
            std::thread::sleep(release);
            current.fetch_sub(1, Ordering::SeqCst);
        });
        ResponseTemplate::new(200).set_delay(self.delay)
    }
}

async fn counting_server() -> (MockServer, InFlight) {
    let server = MockServer::start().await;
    let counter = InFlight::new();
    Mock::given(any()).respond_with(counter.clone()).mount(&server).await;
    (server, counter)
}

#[tokio::test]
async fn the_clients_concurrency_bounds_requests_in_flight() {
    let (server, counter) = counting_server().await;
    let client = builder(&server.uri()).concurrency(2).build().unwrap();
    // 6 batches, 2 at a time.
    let report = client.invalidate_by_tags("proj", tags("t", 16 * 6)).send().await.unwrap();
    assert!(report.is_success());
    assert_eq!(requests(&server).await.len(), 6);
    assert_eq!(counter.max(), 2, "at most 2 in flight, and 2 were");
}

/// 100 tasks, each with its clone of `client` and a call of one request; each succeeds.
async fn hundred_tasks(client: &vercel_edge_cache::EdgeCache) {
    let tasks: Vec<_> = (0..100)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move { client.invalidate_by_tags("proj", tags(&format!("t{i}-"), 16)).send().await })
        })
        .collect();
    for task in tasks {
        assert!(task.await.unwrap().unwrap().is_success());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_client_wide_cap_bounds_requests_in_flight_across_the_tasks_sharing_its_clones() {
    // The testing kit, answering after 50 ms: long enough for requests to overlap.
    let vercel = vercel_edge_cache::mock::MockVercel::start().await;
    vercel.latency(Duration::from_millis(50));
    let client = builder(&vercel.uri()).max_in_flight(3).build().unwrap();
    hundred_tasks(&client).await;
    assert_eq!(vercel.accepted().len(), 100);
    assert_eq!(vercel.max_in_flight(), 3, "at most 3 in flight across the client's clones, and 3 were");

    // Without the cap, the same tasks have more in flight: the cap is what held them. Cleared
    // over HTTP, as a service in another language would: the peak is forgotten too.
    let cleared = reqwest::Client::new().delete(format!("{}/_mock/purges", vercel.uri())).send().await.unwrap();
    assert_eq!(cleared.status(), 204);
    assert_eq!(vercel.max_in_flight(), 0, "DELETE /_mock/purges forgets the peak, as clear() does");
    let client = builder(&vercel.uri()).build().unwrap();
    hundred_tasks(&client).await;
    assert!(vercel.max_in_flight() > 3, "{} in flight without a cap", vercel.max_in_flight());
}

#[tokio::test]
async fn a_client_wide_cap_of_zero_is_refused() {
    let err = vercel_edge_cache::EdgeCache::builder("token").max_in_flight(0).build().unwrap_err();
    assert!(err.to_string().contains("max_in_flight"), "{err}");
}

#[tokio::test]
async fn a_per_call_concurrency_overrides_the_clients() {
    let (server, counter) = counting_server().await;
    let client = builder(&server.uri()).concurrency(1).build().unwrap();
    // 7 batches, 3 at a time.
    let report = client.invalidate_by_src_images("proj", src_images("i", 8 * 7)).concurrency(3).send().await.unwrap();
    assert!(report.is_success());
    assert_eq!(requests(&server).await.len(), 7);
    assert_eq!(counter.max(), 3, "at most 3 in flight, and 3 were");
}

#[tokio::test]
async fn the_default_concurrency_is_four() {
    let (server, counter) = counting_server().await;
    let client = client(&server.uri());
    let report = client.dangerously_delete_by_tags("proj", tags("t", 16 * 8)).send().await.unwrap();
    assert!(report.is_success());
    assert_eq!(requests(&server).await.len(), 8);
    assert_eq!(counter.max(), 4, "at most 4 in flight by default, and 4 were");
}

#[tokio::test]
async fn concurrency_one_sends_one_request_at_a_time() {
    let (server, counter) = counting_server().await;
    let client = client(&server.uri());
    let report =
        client.dangerously_delete_by_src_images("proj", src_images("i", 8 * 3)).concurrency(1).send().await.unwrap();
    assert!(report.is_success());
    assert_eq!(requests(&server).await.len(), 3);
    assert_eq!(counter.max(), 1);
}

#[tokio::test]
async fn plan_splits_the_same_way_without_sending() {
    let server = ok_server().await;
    let client = client(&server.uri());
    let plan = client.invalidate_by_tags("proj", tags("t", 40)).target(Target::Preview).plan().unwrap();
    assert_eq!(plan.len(), 3);
    let lens: Vec<usize> = plan.iter().map(|p| p.body["tags"].as_array().unwrap().len()).collect();
    assert_eq!(lens, vec![16, 16, 8]);
    assert!(plan.iter().all(|p| p.body["target"] == "preview"));
    assert!(plan.iter().all(|p| p.method == "POST" && p.path == Op::named("invalidateByTags").path()));
    assert_nothing_sent(&server).await;
}
