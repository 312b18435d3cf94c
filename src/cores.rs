//! Work spread over the machine's cores: each entry of a list done on its
//! own, the results in the list's order. A folder of records is read this
//! way for `history`, a long record's parts are digested so for `verify`,
//! and a long checklist is parsed a run of sections to a core.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Text of fewer bytes is worked on by one thread: below it a thread costs
/// more than it saves (a 200-item checklist is about 20 KiB).
pub const THREAD_BYTES: usize = 256 * 1024;

/// How many threads work can be spread over: the cores this process may
/// use (its CPU affinity and cgroup quota count), 1 when unknown.
pub fn count() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

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
    let threads = count().min(inputs.len().div_ceil(per_thread.max(1))).max(1);
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

/// `first` on another thread while `second` runs on this one, when `go`
/// (the work is long enough to pay for a thread) and a thread can be had;
/// else one after the other here. A panic in `first` goes on here.
pub fn both<A: Send, B>(
    go: bool,
    first: impl FnOnce() -> A + Send,
    second: impl FnOnce() -> B,
) -> (A, B) {
    if !go {
        return (first(), second());
    }
    // Taken by the other thread, or by this one if no thread can be had.
    let slot = Mutex::new(Some(first));
    let take = || {
        let first = slot.lock().map_or(None, |mut slot| slot.take());
        first.map(|first| first())
    };
    std::thread::scope(|scope| {
        let other = std::thread::Builder::new().spawn_scoped(scope, take).ok();
        let b = second();
        let a = match other {
            Some(thread) => thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            None => take(),
        };
        // The slot is taken once: by the other thread, or here when none
        // could be had.
        (a.expect("`first` ran once"), b)
    })
}

/// `0..len` in up to [`count`] ranges of about the same length, each of
/// `at_least` or more (one range when `len` is short of two of them).
pub fn ranges(len: usize, at_least: usize) -> Vec<std::ops::Range<usize>> {
    let runs = count().min(len / at_least.max(1)).max(1);
    (0..runs)
        .map(|run| len * run / runs..len * (run + 1) / runs)
        .collect()
}

/// `work` of each of `inputs`, taken by value, the first on this thread and
/// each other on a thread of its own (the caller makes as many inputs as
/// it wants threads, [`count`] at most); the results in order. An input
/// whose thread cannot be had is worked on here, after the first. A panic
/// in any goes on here, as if all the work had been done on this thread:
/// nothing is lost quietly.
pub fn each<I: Send, T: Send>(inputs: Vec<I>, work: impl Fn(I) -> T + Sync) -> Vec<T> {
    let slots: Vec<Mutex<Option<I>>> = inputs.into_iter().map(|i| Mutex::new(Some(i))).collect();
    // Each slot is taken once, by its thread or by this one when that
    // thread could not be had.
    let take = |at: usize| {
        let input = slots.get(at)?.lock().map_or(None, |mut slot| slot.take());
        input.map(&work)
    };
    std::thread::scope(|scope| {
        let others: Vec<_> = (1..slots.len())
            .map(|at| {
                std::thread::Builder::new()
                    .spawn_scoped(scope, move || take(at))
                    .ok()
            })
            .collect();
        let mut done: Vec<T> = take(0).into_iter().collect();
        for (at, other) in (1..).zip(others) {
            let result = match other {
                Some(thread) => thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                None => take(at),
            };
            done.extend(result);
        }
        done
    })
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

    #[test]
    fn each_input_is_worked_on_once_and_comes_back_in_order() {
        let inputs: Vec<Vec<usize>> = (0..7).map(|n| vec![n; n]).collect();
        assert_eq!(
            each(inputs, |list| list.iter().sum::<usize>()),
            vec![0, 1, 4, 9, 16, 25, 36]
        );
        assert_eq!(each(Vec::<usize>::new(), |n| n), Vec::<usize>::new());
    }

    #[test]
    fn both_gives_each_its_own_result() {
        for go in [false, true] {
            assert_eq!(both(go, || "first".len(), || 2), (5, 2));
        }
    }

    #[test]
    fn ranges_cover_the_list_once() {
        for len in [0, 1, 99, 100, 1001] {
            let ranges = ranges(len, 100);
            assert_eq!(ranges.first().map(|r| r.start), Some(0));
            assert_eq!(ranges.last().map(|r| r.end), Some(len));
            assert!(ranges.windows(2).all(|pair| pair[0].end == pair[1].start));
            assert!(ranges.len() == 1 || ranges.iter().all(|r| r.len() >= 100));
        }
    }

    #[test]
    fn a_panic_on_another_thread_goes_on_here() {
        let caught = std::panic::catch_unwind(|| {
            each(vec![1, 2], |n| {
                assert!(n != 2, "the second input");
                n
            })
        });
        assert!(caught.is_err());
    }
}
