//! Work spread over the machine's cores: each entry of a list done on its
//! own, the results in the list's order. A folder of records is read this
//! way for `history`, and a long record's parts are digested so for
//! `verify`.

use std::sync::atomic::{AtomicUsize, Ordering};

/// `work` of every entry of `inputs`, in order, on as many threads as the
/// machine has cores and each has at least `per_thread` entries to do
/// (below that a thread costs more than it saves). Each thread takes the
/// next entry not yet taken, so one slow entry holds up no other. This
/// thread works too, so the work is done even when no other thread can be
/// had; an entry whose thread panicked is `None`, for the caller to say.
pub fn map<I: Sync, T: Send>(
    inputs: &[I],
    per_thread: usize,
    work: impl Fn(&I) -> T + Sync,
) -> Vec<Option<T>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(inputs.len().div_ceil(per_thread.max(1)))
        .max(1);
    let next = AtomicUsize::new(0);
    let take = || {
        let mut done = Vec::new();
        loop {
            let at = next.fetch_add(1, Ordering::Relaxed);
            let Some(input) = inputs.get(at) else {
                return done;
            };
            done.push((at, work(input)));
        }
    };
    let done: Vec<(usize, T)> = std::thread::scope(|scope| {
        let others: Vec<_> = (1..threads)
            .filter_map(|_| std::thread::Builder::new().spawn_scoped(scope, take).ok())
            .collect();
        let mut done = take();
        for other in others {
            done.extend(other.join().unwrap_or_default());
        }
        done
    });
    let mut results: Vec<Option<T>> = inputs.iter().map(|_| None).collect();
    for (at, result) in done {
        results[at] = Some(result);
    }
    results
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_comes_back_in_order() {
        let inputs: Vec<usize> = (0..5000).collect();
        let squares = map(&inputs, 100, |n| n * n);
        assert_eq!(
            squares,
            inputs.iter().map(|n| Some(n * n)).collect::<Vec<_>>()
        );
        assert_eq!(map(&[] as &[usize], 1, |n| *n), Vec::<Option<usize>>::new());
    }
}
