//! Group commit: requests that write the same kind of thing at the same
//! moment share one transaction. The first request to arrive starts a
//! writer; the writer takes everything queued (up to a batch), writes it
//! with a handful of set-based statements, answers each request, and goes on
//! until the queue is empty. Under load a batch gathers while the previous
//! one commits, so the cost per request falls as the load rises; alone, a
//! request is written at once in a batch of one.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

/// Writes one batch with what it needs (`C`, e.g. the database); returns
/// one answer per item, in the items' order.
pub type WriteBatch<C, T, R> = fn(C, Vec<T>) -> Pin<Box<dyn Future<Output = Vec<R>> + Send>>;

pub struct GroupCommit<C, T, R> {
    queue: Arc<Mutex<Queue<T, R>>>,
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

impl<C: Clone + Send + 'static, T: Send + 'static, R: Send + 'static> GroupCommit<C, T, R> {
    pub fn new(max_batch: usize, write: WriteBatch<C, T, R>) -> Self {
        GroupCommit {
            queue: Arc::new(Mutex::new(Queue {
                items: Vec::new(),
                writing: false,
            })),
            max_batch: max_batch.max(1),
            write,
        }
    }

    /// Queues `item` and waits for its answer. `None` only if the writer was
    /// lost (a panic), in which case nothing of the batch was committed.
    pub async fn submit(&self, ctx: &C, item: T) -> Option<R> {
        let (tx, rx) = oneshot::channel();
        let start = {
            let mut q = self.queue.lock().unwrap_or_else(|p| p.into_inner());
            q.items.push((item, tx));
            !std::mem::replace(&mut q.writing, true)
        };
        if start {
            // Its own task, so a request that goes away (a client hanging up)
            // never strands the others waiting in its batch.
            tokio::spawn(drain(
                self.queue.clone(),
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
        let results = write(ctx.clone(), items).await;
        for (answer, result) in answers.into_iter().zip(results) {
            let _ = answer.send(result);
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
