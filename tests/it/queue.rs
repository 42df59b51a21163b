//! The outbox as a queue: lease tokens, coalesced Home refreshes, and
//! per-key order with two replicas delivering from one database.

use crate::common::fake_slack::Scripted;
use crate::common::*;
use serde_json::json;
use staffloop::effects::{self, Effect};
use staffloop::store::outbox;
use std::time::Duration;

/// The service with no outbox worker: the test claims, completes and
/// retries deliveries itself.
async fn without_worker() -> TestApp {
    TestApp::spawn_with(Options {
        worker: false,
        ..Default::default()
    })
    .await
}

async fn record(app: &TestApp, effect: Effect) {
    let mut tx = app.state.db.begin().await.unwrap();
    effects::record(&mut tx, TEAM, effect, 0).await.unwrap();
    tx.commit().await.unwrap();
}

fn home(user: &str) -> Effect {
    Effect::RefreshHome {
        user: user.to_string(),
    }
}

async fn refresh_home(app: &TestApp, user: &str) {
    record(app, home(user)).await;
}

/// As when `user` opens the App Home: from then on their Home is refreshed.
async fn opened_home(app: &TestApp, user: &str) {
    opened_home_in(app, TEAM, user).await;
}

/// As `opened_home`, in workspace `team`.
async fn opened_home_in(app: &TestApp, team: &str, user: &str) {
    let mut tx = app.state.db.begin().await.unwrap();
    staffloop::store::teams::home_opened(&mut tx, team, user, 0)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

fn dm(user: &str, text: &str) -> Effect {
    Effect::DirectMessage {
        user: user.to_string(),
        text: text.to_string(),
    }
}

#[tokio::test]
async fn a_taken_over_lease_cannot_complete_retry_or_fail() {
    let app = without_worker().await;
    let db = &app.state.db;
    record(&app, dm(HM, "one")).await;
    let now = staffloop::clock::wall_ms();
    // A lease of zero has run out at once: a second worker claims the row.
    let first = outbox::claim_due(db, now, 0, 10).await.unwrap();
    assert_eq!(first.len(), 1);
    let second = outbox::claim_due(db, now, 60_000, 10).await.unwrap();
    assert_eq!(second.len(), 1);
    assert_eq!(first[0].id, second[0].id);
    assert_ne!(first[0].lease_token, second[0].lease_token);
    // Nobody else can claim it while the second lease runs.
    assert!(outbox::claim_due(db, now, 60_000, 10)
        .await
        .unwrap()
        .is_empty());
    // The first holder's proof is worthless now.
    assert!(!outbox::complete(db, &first[0], now).await.unwrap());
    assert!(!outbox::fail(db, &first[0], now, "x").await.unwrap());
    assert!(!outbox::retry_at(db, &first[0], now, "x", true)
        .await
        .unwrap());
    assert!(!outbox::renew(db, &first[0], now + 1).await.unwrap());
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
            .await,
        1
    );
    // The holder renews: past the first lease's end the row is still held.
    assert!(outbox::renew(db, &second[0], now + 90_000).await.unwrap());
    assert!(outbox::claim_due(db, now + 60_001, 60_000, 10)
        .await
        .unwrap()
        .is_empty());
    // Then it completes, exactly once.
    assert!(outbox::complete(db, &second[0], now).await.unwrap());
    assert!(!outbox::complete(db, &second[0], now).await.unwrap());
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM outbox WHERE status = 'done'")
            .await,
        1
    );
}

/// A retry gives the lease back: the row is due at the retry's time, even
/// when that comes before the end of the lease it was claimed with.
#[tokio::test]
async fn a_retry_is_due_at_its_own_time_not_at_the_end_of_the_lease() {
    let app = without_worker().await;
    let db = &app.state.db;
    record(&app, dm(HM, "one")).await;
    let now = staffloop::clock::wall_ms();
    let held = outbox::claim_due(db, now, 60_000, 10).await.unwrap();
    assert_eq!(held.len(), 1);
    assert!(outbox::retry_at(db, &held[0], now + 1_000, "busy", true)
        .await
        .unwrap());
    assert!(
        outbox::claim_due(db, now + 999, 60_000, 10)
            .await
            .unwrap()
            .is_empty(),
        "not before its time"
    );
    let again = outbox::claim_due(db, now + 1_000, 60_000, 10)
        .await
        .unwrap();
    assert_eq!(again.len(), 1, "due at its time, inside the old lease");
    assert_eq!(again[0].id, held[0].id);
    assert!(outbox::complete(db, &again[0], now).await.unwrap());
}

#[tokio::test]
async fn only_the_head_of_a_key_is_claimed_and_the_next_follows_it() {
    let app = without_worker().await;
    let db = &app.state.db;
    for text in ["a", "b", "c"] {
        record(&app, dm(HM, text)).await;
    }
    record(&app, dm(STAFF, "x")).await;
    let now = staffloop::clock::wall_ms();
    let claimed = outbox::claim_due(db, now, 60_000, 10).await.unwrap();
    let texts: Vec<String> = claimed
        .iter()
        .map(|d| serde_json::from_str::<serde_json::Value>(&d.payload).unwrap()["text"].to_string())
        .collect();
    assert_eq!(texts, ["\"a\"", "\"x\""], "one head per key");
    for d in &claimed {
        assert!(outbox::complete(db, d, now).await.unwrap());
    }
    let next = outbox::claim_due(db, now, 60_000, 10).await.unwrap();
    assert_eq!(next.len(), 1);
    assert!(next[0].payload.contains("\"b\""));
    // A failure lets the key move on too.
    assert!(outbox::fail(db, &next[0], now, "gone").await.unwrap());
    let last = outbox::claim_due(db, now, 60_000, 10).await.unwrap();
    assert_eq!(last.len(), 1);
    assert!(last[0].payload.contains("\"c\""));
}

/// A key's places come from its pending rows (SQLite) or its counter row
/// (PostgreSQL): a row recorded behind a delivery under way waits for it,
/// and a key whose rows are all delivered starts again, in order.
#[tokio::test]
async fn a_row_behind_a_delivery_waits_and_a_drained_key_starts_again_in_order() {
    let app = without_worker().await;
    let db = &app.state.db;
    let now = staffloop::clock::wall_ms;
    let claim = || async { outbox::claim_due(db, now(), 60_000, 10).await.unwrap() };
    record(&app, dm(HM, "a")).await;
    let a = claim().await;
    assert_eq!(a.len(), 1);
    assert!(a[0].payload.contains("\"a\""));
    // Recorded while "a" is being delivered: not claimable until it is done.
    record(&app, dm(HM, "b")).await;
    assert!(claim().await.is_empty(), "b waits for a");
    assert!(outbox::complete(db, &a[0], now()).await.unwrap());
    let b = claim().await;
    assert_eq!(b.len(), 1);
    assert!(b[0].payload.contains("\"b\""));
    assert!(outbox::complete(db, &b[0], now()).await.unwrap());
    // Nothing pending for the key now; it starts again, in order.
    for text in ["c", "d"] {
        record(&app, dm(HM, text)).await;
    }
    let c = claim().await;
    assert_eq!(c.len(), 1);
    assert!(c[0].payload.contains("\"c\""));
    assert!(outbox::complete(db, &c[0], now()).await.unwrap());
    let d = claim().await;
    assert_eq!(d.len(), 1);
    assert!(d[0].payload.contains("\"d\""));
    assert!(outbox::complete(db, &d[0], now()).await.unwrap());
    assert!(claim().await.is_empty());
}

#[tokio::test]
async fn home_refreshes_coalesce_to_one_waiting_per_user() {
    let app = without_worker().await;
    let db = &app.state.db;
    opened_home(&app, HM).await;
    opened_home(&app, STAFF).await;
    let waiting =
        "SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND ordering_key = 'home:UHM000001'";
    for _ in 0..5 {
        refresh_home(&app, HM).await;
    }
    // Several in one transaction count once too.
    let mut tx = db.begin().await.unwrap();
    for _ in 0..3 {
        effects::record(&mut tx, TEAM, home(HM), 0).await.unwrap();
    }
    effects::record(&mut tx, TEAM, home(STAFF), 0)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(app.scalar(waiting).await, 1);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM outbox WHERE ordering_key = 'home:USTAFF001'")
            .await,
        1
    );
    // Once the worker has taken it, a new change needs a new refresh: the one
    // in flight may have read the state before that change.
    let now = staffloop::clock::wall_ms();
    let claimed = outbox::claim_due(db, now, 60_000, 10).await.unwrap();
    let hm = claimed
        .iter()
        .find(|d| d.ordering_key == "home:UHM000001")
        .unwrap();
    refresh_home(&app, HM).await;
    refresh_home(&app, HM).await;
    assert_eq!(app.scalar(waiting).await, 2, "one in flight, one waiting");
    assert!(outbox::complete(db, hm, now).await.unwrap());
    let later = staffloop::clock::wall_ms() + 1;
    let next = outbox::claim_due(db, later, 60_000, 10).await.unwrap();
    assert!(next.iter().any(|d| d.ordering_key == "home:UHM000001"));
}

/// A Home its user has never opened costs nothing: Slack shows it to nobody,
/// and opening it publishes it fresh. Once opened, it is kept up to date,
/// in that workspace only.
#[tokio::test]
async fn a_home_nobody_has_opened_is_not_refreshed() {
    let app = without_worker().await;
    let rows = "SELECT COUNT(*) FROM outbox WHERE ordering_key = 'home:UHM000001'";
    refresh_home(&app, HM).await;
    let mut tx = app.state.db.begin().await.unwrap();
    effects::record_home_refresh_later(&mut tx, TEAM, HM, 0, effects::HOME_SETTLE_MS)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(app.scalar(rows).await, 0, "never opened: no refresh");
    // Opened in another workspace only: still nothing here.
    opened_home_in(&app, "T0OTHER01", HM).await;
    refresh_home(&app, HM).await;
    assert_eq!(app.scalar(rows).await, 0);
    opened_home(&app, HM).await;
    refresh_home(&app, HM).await;
    assert_eq!(app.scalar(rows).await, 1, "opened: refreshed");
    // Other effects in the same transaction are written either way.
    let mut tx = app.state.db.begin().await.unwrap();
    effects::record(&mut tx, TEAM, home(STAFF), 0)
        .await
        .unwrap();
    effects::record(&mut tx, TEAM, dm(STAFF, "hello"), 0)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM outbox WHERE ordering_key = 'home:USTAFF001'")
            .await,
        0
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM outbox WHERE payload LIKE '%hello%'")
            .await,
        1
    );
}

/// Someone else's Home (a hiring manager's after a card) waits a moment for
/// more changes; a refresh wanted now does not wait, and takes it along.
#[tokio::test]
async fn another_persons_home_refresh_settles_and_one_wanted_now_hurries_it() {
    let app = without_worker().await;
    let db = &app.state.db;
    opened_home(&app, HM).await;
    let later = |app: &TestApp| {
        let db = app.state.db.clone();
        async move {
            let mut tx = db.begin().await.unwrap();
            effects::record_home_refresh_later(&mut tx, TEAM, HM, 0, effects::HOME_SETTLE_MS)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
    };
    let now = staffloop::clock::wall_ms();
    later(&app).await;
    later(&app).await;
    let waiting =
        "SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND ordering_key = 'home:UHM000001'";
    assert_eq!(app.scalar(waiting).await, 1, "the second joins the first");
    let due = app
        .scalar("SELECT next_attempt_ms FROM outbox WHERE ordering_key = 'home:UHM000001'")
        .await;
    assert!(due >= now + effects::HOME_SETTLE_MS, "{due} vs {now}");
    assert!(
        outbox::claim_due(db, now, 60_000, 10)
            .await
            .unwrap()
            .is_empty(),
        "not due while it settles"
    );
    // The manager opens their Home: wanted now.
    refresh_home(&app, HM).await;
    assert_eq!(app.scalar(waiting).await, 1);
    let now = staffloop::clock::wall_ms();
    let claimed = outbox::claim_due(db, now, 60_000, 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].ordering_key, "home:UHM000001");
    // One waiting out Slack's rate limit keeps its time, whoever asks.
    let wait_until = now + 60_000;
    assert!(
        outbox::retry_at(db, &claimed[0], wait_until, "rate limited", false)
            .await
            .unwrap()
    );
    refresh_home(&app, HM).await;
    let now = staffloop::clock::wall_ms();
    assert!(outbox::claim_due(db, now, 60_000, 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(app.scalar(waiting).await, 1);
}

/// An upload that takes longer than the lease renews it as it goes, so no
/// second worker takes it over and the picture is posted once.
#[tokio::test]
async fn a_slow_upload_keeps_its_lease_and_is_posted_once() {
    let slack = crate::common::fake_slack::FakeSlack::start().await;
    slack.script(
        "files.completeUploadExternal",
        [Scripted::Slow(Duration::from_millis(2_500))],
    );
    let mut tuning = test_tuning();
    tuning.outbox_lease = Duration::from_millis(600);
    let app = TestApp::spawn_with(Options {
        slack: Some(slack.clone()),
        tuning: Some(tuning),
        ..Default::default()
    })
    .await;
    record(
        &app,
        Effect::UploadWeeklyChart {
            channel: "CREPORTS1".into(),
            window_days: 90,
            as_of: chrono::Utc::now().timestamp(),
        },
    )
    .await;
    app.state.outbox_wakeup.notify_one();
    app.settle().await;
    assert_eq!(slack.calls_to("files.completeUploadExternal").len(), 1);
    assert_eq!(slack.uploads().len(), 1);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM outbox WHERE status = 'done'")
            .await,
        1
    );
}

/// Two replicas deliver from one database while five keys fill up at once:
/// every message arrives once, and each key's arrive in the order recorded.
#[tokio::test]
async fn two_replicas_keep_each_keys_order_and_deliver_once() {
    let slack = crate::common::fake_slack::FakeSlack::start().await;
    let database_url = fresh_database_url().await;
    let opts = || Options {
        slack: Some(slack.clone()),
        database_url: Some(database_url.clone()),
        ..Default::default()
    };
    let a = TestApp::spawn_with(opts()).await;
    let b = TestApp::spawn_with(opts()).await;
    const PER_KEY: usize = 40;
    let users: Vec<String> = (0..5).map(|k| format!("UORDER00{k}")).collect();
    let mut writers = tokio::task::JoinSet::new();
    for (k, user) in users.iter().enumerate() {
        let state = if k % 2 == 0 {
            a.state.clone()
        } else {
            b.state.clone()
        };
        let user = user.clone();
        writers.spawn(async move {
            for i in 0..PER_KEY {
                let mut tx = state.db.begin().await.unwrap();
                effects::record(&mut tx, TEAM, dm(&user, &format!("{i}")), 0)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
                state.outbox_wakeup.notify_one();
            }
        });
    }
    while let Some(r) = writers.join_next().await {
        r.unwrap();
    }
    slack
        .wait_for(30, "every message", |c| {
            c.iter().filter(|c| c.method == "chat.postMessage").count() >= 5 * PER_KEY
        })
        .await;
    a.settle().await;
    let calls = slack.calls();
    for user in &users {
        let got: Vec<String> = calls
            .iter()
            .filter(|c| c.method == "chat.postMessage" && c.body["channel"] == user.as_str())
            .map(|c| c.body["text"].as_str().unwrap().to_string())
            .collect();
        let want: Vec<String> = (0..PER_KEY).map(|i| i.to_string()).collect();
        assert_eq!(got, want, "{user}: in order, once each");
    }
    tokio::time::timeout(Duration::from_secs(10), async {
        a.stop().await;
        b.stop().await;
    })
    .await
    .unwrap();
}

/// Rows the previous release queued (Slack arguments, not typed effects)
/// survive the upgrade's migration and are delivered once, in order.
#[tokio::test]
async fn effects_queued_before_the_upgrade_are_delivered_once_in_order() {
    use staffloop::store::{Backend, Db, POSTGRES_MIGRATOR, SQLITE_MIGRATOR};
    let url = fresh_database_url().await;
    sqlx::any::install_default_drivers();
    let db = Db::connect(&url, 2).await.unwrap();
    let full = match db.backend() {
        Backend::Sqlite => &SQLITE_MIGRATOR,
        Backend::Postgres => &POSTGRES_MIGRATOR,
    };
    let before_upgrade = sqlx::migrate::Migrator {
        migrations: full
            .migrations
            .iter()
            .filter(|m| m.version < 20261126000005)
            .cloned()
            .collect::<Vec<_>>()
            .into(),
        ignore_missing: false,
        locking: true,
        no_tx: false,
    };
    before_upgrade.run(db.pool()).await.unwrap();
    let old_rows = [
        (
            "user:UHM000001",
            "chat.postMessage",
            json!({"channel": HM, "text": "queued before, 1"}),
        ),
        (
            "user:UHM000001",
            "chat.postMessage",
            json!({"channel": HM, "text": "queued before, 2"}),
        ),
        (
            "home:UHM000001",
            "staffloop.refresh_home",
            json!({"team_id": TEAM, "user_id": HM}),
        ),
    ];
    for (key, method, payload) in old_rows {
        sqlx::query(
            "INSERT INTO outbox (team_id, loop_id, ordering_key, method, payload, next_attempt_ms, created_ms) \
             VALUES ($1, NULL, $2, $3, $4, 0, 0)",
        )
        .bind(TEAM)
        .bind(key)
        .bind(method)
        .bind(payload.to_string())
        .execute(db.pool())
        .await
        .unwrap();
    }
    db.close().await;
    // The new release starts on that database: it migrates, then delivers.
    let app = TestApp::spawn_with(Options {
        database_url: Some(url),
        ..Default::default()
    })
    .await;
    app.settle().await;
    let texts: Vec<String> = dms_to(&app.slack.calls(), HM)
        .iter()
        .map(|m| m["text"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(texts, ["queued before, 1", "queued before, 2"]);
    assert_eq!(app.slack.calls_to("views.publish").len(), 1);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM outbox WHERE status = 'done'")
            .await,
        3
    );
}
