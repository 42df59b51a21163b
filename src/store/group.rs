//! Group commit: requests that write the same kind of thing at the same
//! moment share one transaction. The first request to arrive starts a
//! writer; the writer takes everything queued (up to a batch), writes it
//! with a handful of set-based statements, answers each request, and goes on
//! until the queue is empty. Under load a batch gathers while the previous
//! one commits, so the cost per request falls as the load rises; alone, a
//! request is written at once in a batch of one.
//!
//! A request may say it is on its way (`arriving`) before it has its item
//! ready (while it parses and checks it). A writer about to start a batch
//! waits for those, briefly (`GATHER_AT_MOST`): under load that makes the
//! batches several times larger, and costs nothing when a request is alone.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{oneshot, Notify, OwnedSemaphorePermit, Semaphore};

tokio::task_local! {
    /// SQLite's write gate, kept shut by a batch that has committed until
    /// the batch's answers are sent (see `open_when_answered`).
    static SHUT: RefCell<Vec<OwnedSemaphorePermit>>;
}

/// Called by a transaction that committed, with the write gate it held: in
/// a group-commit writer, the gate opens only once the batch's answers are
/// sent; anywhere else, now.
///
/// Why: opening the gate wakes the next writer waiting for it (the outbox
/// finishing deliveries, or the card writer), and the runtime runs the task
/// woken last first. Woken before a batch's ten or so answers, the next
/// writer waited behind all of them. Flat out on SQLite, with cards and the
/// outbox taking turns, the gate stood idle between holders 16-19% of the
/// time (~100-120 µs per hand-over) while cards queued for it; opened after
/// the answers, 9-13% (~45-65 µs). So a writer's batch function must not
/// wait for anything slow after its last commit: the gate stays shut until
/// it returns.
pub(crate) fn open_when_answered(gate: Option<OwnedSemaphorePermit>) {
    if let Some(gate) = gate {
        // Outside a writer's scope the closure is dropped, and the gate with it.
        let _ = SHUT.try_with(move |shut| shut.borrow_mut().push(gate));
    }
}

/// Takes the write gate: the one this writer still keeps shut, if it
/// writes again before answering (a failed batch written again item by
/// item commits once per item), or else the gate itself, when it opens.
pub(crate) async fn take_gate(gate: &Arc<Semaphore>) -> Option<OwnedSemaphorePermit> {
    let kept = SHUT.try_with(|shut| shut.borrow_mut().pop()).ok().flatten();
    match kept {
        Some(kept) => Some(kept),
        None => gate.clone().acquire_owned().await.ok(),
    }
}

/// Longest a writer waits for requests on their way before it writes.
pub const GATHER_AT_MOST: Duration = Duration::from_millis(1);

/// Writes one batch with what it needs (`C`, e.g. the database); returns
/// one answer per item, in the items' order.
pub type WriteBatch<C, T, R> = fn(C, Vec<T>) -> Pin<Box<dyn Future<Output = Vec<R>> + Send>>;

pub struct GroupCommit<C, T, R> {
    queue: Arc<Mutex<Queue<T, R>>>,
    arrivals: Arc<Arrivals>,
    max_batch: usize,
    write: WriteBatch<C, T, R>,
}

impl<C, T, R> std::fmt::Debug for GroupCommit<C, T, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCommit")
            .field("max_batch", &self.max_batch)
            .finish_non_exhaustive()
    }
}

struct Queue<T, R> {
    items: Vec<(T, oneshot::Sender<R>)>,
    writing: bool,
}

/// Requests on their way to the queue, and a signal for each that gets
/// there (or gives up).
#[derive(Default)]
struct Arrivals {
    on_the_way: AtomicUsize,
    changed: Notify,
}

/// A request on its way to `submit`; dropping it (when the request submits
/// or gives up) says it is no longer on its way.
pub struct Arriving(Arc<Arrivals>);

impl Drop for Arriving {
    fn drop(&mut self) {
        self.0.on_the_way.fetch_sub(1, Ordering::SeqCst);
        self.0.changed.notify_waiters();
    }
}

impl<C: Clone + Send + 'static, T: Send + 'static, R: Send + 'static> GroupCommit<C, T, R> {
    pub fn new(max_batch: usize, write: WriteBatch<C, T, R>) -> Self {
        GroupCommit {
            queue: Arc::new(Mutex::new(Queue {
                items: Vec::new(),
                writing: false,
            })),
            arrivals: Arc::default(),
            max_batch: max_batch.max(1),
            write,
        }
    }

    /// Says a request is on its way with an item; keep the guard until it
    /// submits (or gives up).
    pub fn arriving(&self) -> Arriving {
        self.arrivals.on_the_way.fetch_add(1, Ordering::SeqCst);
        Arriving(self.arrivals.clone())
    }

    /// Queues `item` and waits for its answer. `None` only if the writer was
    /// lost (a panic), in which case nothing of the batch was committed.
    pub async fn submit(&self, ctx: &C, item: T) -> Option<R> {
        self.submit_arrived(ctx, item, None).await
    }

    /// As `submit`, for a request that said it was `arriving`: it is no
    /// longer on its way once its item is queued.
    pub async fn submit_arrived(&self, ctx: &C, item: T, arriving: Option<Arriving>) -> Option<R> {
        let (tx, rx) = oneshot::channel();
        let start = {
            let mut q = self.queue.lock().unwrap_or_else(|p| p.into_inner());
            q.items.push((item, tx));
            !std::mem::replace(&mut q.writing, true)
        };
        // Queued: no longer on its way (and the writer hears of it).
        drop(arriving);
        self.arrivals.changed.notify_waiters();
        if start {
            // Its own task, so a request that goes away (a client hanging up)
            // never strands the others waiting in its batch.
            tokio::spawn(drain(
                self.queue.clone(),
                self.arrivals.clone(),
                ctx.clone(),
                self.max_batch,
                self.write,
            ));
        }
        rx.await.ok()
    }
}

async fn drain<C: Clone, T, R>(
    queue: Arc<Mutex<Queue<T, R>>>,
    arrivals: Arc<Arrivals>,
    ctx: C,
    max_batch: usize,
    write: WriteBatch<C, T, R>,
) {
    /// Hands the writer's role back if this task ends early (a panic), so
    /// the next request starts a new writer instead of waiting forever.
    struct Writing<T, R>(Option<Arc<Mutex<Queue<T, R>>>>);
    impl<T, R> Drop for Writing<T, R> {
        fn drop(&mut self) {
            if let Some(queue) = self.0.take() {
                let mut q = queue.lock().unwrap_or_else(|p| p.into_inner());
                q.writing = false;
            }
        }
    }
    let mut writing = Writing(Some(queue.clone()));
    loop {
        gather(&queue, &arrivals, max_batch).await;
        let batch: Vec<(T, oneshot::Sender<R>)> = {
            let mut q = queue.lock().unwrap_or_else(|p| p.into_inner());
            if q.items.is_empty() {
                q.writing = false;
                writing.0 = None;
                return;
            }
            let n = q.items.len().min(max_batch);
            q.items.drain(..n).collect()
        };
        let (items, answers): (Vec<T>, Vec<oneshot::Sender<R>>) = batch.into_iter().unzip();
        let ctx = ctx.clone();
        let (results, shut) = SHUT
            .scope(RefCell::new(Vec::new()), async move {
                let results = write(ctx, items).await;
                (results, SHUT.with(|shut| shut.take()))
            })
            .await;
        for (answer, result) in answers.into_iter().zip(results) {
            let _ = answer.send(result);
        }
        // Now the next writer: woken last, it runs next (see
        // `open_when_answered`).
        drop(shut);
    }
}

/// Waits until no request is on its way, the queue holds a full batch, or
/// `GATHER_AT_MOST` has passed.
async fn gather<T, R>(queue: &Mutex<Queue<T, R>>, arrivals: &Arrivals, max_batch: usize) {
    let deadline = tokio::time::Instant::now() + GATHER_AT_MOST;
    loop {
        let changed = arrivals.changed.notified();
        tokio::pin!(changed);
        // Registered before the check, so no arrival slips between them.
        changed.as_mut().enable();
        let queued = queue.lock().unwrap_or_else(|p| p.into_inner()).items.len();
        if queued >= max_batch || arrivals.on_the_way.load(Ordering::SeqCst) == 0 {
            return;
        }
        if tokio::time::timeout_at(deadline, changed).await.is_err() {
            return;
        }
    }
}

/// Writes `n` items as one batch with `write(0..n)` (one answer per item);
/// if the batch fails, writes each item alone (`write(i..i + 1)`), so one
/// bad item cannot take the others down or leave them to be done again.
pub async fn batch_or_each<R, E, F, Fut>(what: &str, n: usize, write: F) -> Vec<Result<R, E>>
where
    F: Fn(std::ops::Range<usize>) -> Fut,
    Fut: Future<Output = Result<Vec<R>, E>>,
    E: std::fmt::Display,
{
    match write(0..n).await {
        Ok(out) => out.into_iter().map(Ok).collect(),
        Err(e) if n == 1 => vec![Err(e)],
        Err(e) => {
            tracing::warn!(error = %e, items = n, "{what}: a batch failed; writing its items one at a time");
            let mut out = Vec::with_capacity(n);
            for i in 0..n {
                out.push(write(i..i + 1).await.map(|mut one| one.remove(0)));
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    type Sizes = Arc<Mutex<Vec<usize>>>;

    fn record(sizes: Sizes, items: Vec<u32>) -> Pin<Box<dyn Future<Output = Vec<u32>> + Send>> {
        Box::pin(async move {
            sizes.lock().unwrap().push(items.len());
            items.into_iter().map(|i| i * 10).collect()
        })
    }

    #[tokio::test(flavor = "current_thread")]
    async fn requests_that_arrive_together_share_batches_and_get_their_own_answers() {
        let sizes: Sizes = Arc::default();
        let group = GroupCommit::new(16, record);
        let answers = futures::future::join_all((0..50u32).map(|i| group.submit(&sizes, i))).await;
        assert_eq!(
            answers,
            (0..50u32).map(|i| Some(i * 10)).collect::<Vec<_>>(),
            "each request gets the answer to its own item"
        );
        assert_eq!(*sizes.lock().unwrap(), vec![16, 16, 16, 2]);
        // Alone, a request is written at once, in a batch of one.
        assert_eq!(group.submit(&sizes, 7).await, Some(70));
        assert_eq!(sizes.lock().unwrap().last(), Some(&1));
    }

    #[tokio::test(flavor = "current_thread", start_paused = true)]
    async fn a_writer_waits_for_a_request_on_its_way_and_takes_it_in_the_same_batch() {
        let sizes: Sizes = Arc::default();
        let group = Arc::new(GroupCommit::new(16, record));
        let arriving = group.arriving();
        let first = tokio::spawn({
            let (group, sizes) = (group.clone(), sizes.clone());
            async move { group.submit(&sizes, 1).await }
        });
        // The first request is queued and its writer is waiting.
        tokio::task::yield_now().await;
        tokio::task::yield_now().await;
        assert!(sizes.lock().unwrap().is_empty(), "the writer waits");
        let second = group.submit_arrived(&sizes, 2, Some(arriving)).await;
        assert_eq!((first.await.unwrap(), second), (Some(10), Some(20)));
        assert_eq!(*sizes.lock().unwrap(), vec![2], "one batch for both");
        // A request that never comes holds a writer up for GATHER_AT_MOST only.
        let _never = group.arriving();
        assert_eq!(group.submit(&sizes, 3).await, Some(30));
        assert_eq!(*sizes.lock().unwrap(), vec![2, 1]);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_failed_batch_is_written_again_item_by_item() {
        let items = [1, -1, 3];
        let tries = Mutex::new(Vec::new());
        let out = batch_or_each("test", items.len(), |range| {
            tries.lock().unwrap().push(range.clone());
            let slice = &items[range];
            async move {
                if slice.iter().any(|i| *i < 0) {
                    Err(format!("bad item in {slice:?}"))
                } else {
                    Ok(slice.iter().map(|i| i * 10).collect())
                }
            }
        })
        .await;
        assert_eq!(out, vec![Ok(10), Err("bad item in [-1]".into()), Ok(30)]);
        assert_eq!(*tries.lock().unwrap(), vec![0..3, 0..1, 1..2, 2..3]);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_committed_batch_opens_the_gate_only_after_sending_its_answers() {
        type Gate = (Arc<Semaphore>, Arc<Notify>);
        fn commit(ctx: Gate, items: Vec<u32>) -> Pin<Box<dyn Future<Output = Vec<u32>> + Send>> {
            Box::pin(async move {
                let (gate, go) = ctx;
                let held = gate.acquire_owned().await.unwrap();
                go.notified().await;
                open_when_answered(Some(held));
                items
            })
        }
        let gate: Gate = (Arc::new(Semaphore::new(1)), Arc::new(Notify::new()));
        // Outside a writer, the gate opens at once.
        open_when_answered(Some(gate.0.clone().acquire_owned().await.unwrap()));
        assert_eq!(gate.0.available_permits(), 1);

        let group = Arc::new(GroupCommit::new(4, commit));
        let order = Arc::new(Mutex::new(Vec::new()));
        let request = tokio::spawn({
            let (group, gate, order) = (group.clone(), gate.clone(), order.clone());
            async move {
                assert_eq!(group.submit(&gate, 1).await, Some(1));
                order.lock().unwrap().push("answer");
            }
        });
        while gate.0.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        // The next writer queues for the gate while the batch holds it.
        let next = tokio::spawn({
            let (gate, order) = (gate.0.clone(), order.clone());
            async move {
                let _held = gate.acquire().await.unwrap();
                order.lock().unwrap().push("gate");
            }
        });
        tokio::task::yield_now().await;
        gate.1.notify_one();
        request.await.unwrap();
        next.await.unwrap();
        // Woken last, the next writer runs after the answered request.
        assert_eq!(*order.lock().unwrap(), vec!["answer", "gate"]);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_writer_that_commits_twice_before_answering_takes_its_own_gate_again() {
        fn twice(
            gate: Arc<Semaphore>,
            items: Vec<u32>,
        ) -> Pin<Box<dyn Future<Output = Vec<u32>> + Send>> {
            Box::pin(async move {
                for _ in 0..2 {
                    let held = take_gate(&gate).await;
                    assert!(held.is_some());
                    open_when_answered(held);
                }
                items
            })
        }
        let gate = Arc::new(Semaphore::new(1));
        let group = GroupCommit::new(4, twice);
        let answer = tokio::time::timeout(Duration::from_secs(10), group.submit(&gate, 5)).await;
        assert_eq!(
            answer,
            Ok(Some(5)),
            "the second commit waited for the gate the first kept"
        );
        assert_eq!(
            gate.available_permits(),
            1,
            "and the gate is open after the answer"
        );
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_writer_that_panics_answers_none_and_the_next_request_starts_a_new_one() {
        static CALLS: AtomicUsize = AtomicUsize::new(0);
        fn flaky(_: (), items: Vec<u32>) -> Pin<Box<dyn Future<Output = Vec<u32>> + Send>> {
            Box::pin(async move {
                if CALLS.fetch_add(1, Ordering::SeqCst) == 0 {
                    panic!("the first batch fails");
                }
                items
            })
        }
        let group = GroupCommit::new(4, flaky);
        assert_eq!(group.submit(&(), 1).await, None);
        assert_eq!(group.submit(&(), 2).await, Some(2));
    }
}
