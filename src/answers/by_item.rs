//! The file's answers to items, by item id, as a map reads them: held in
//! one list sorted by id, where a tree of 100,000 answers was 5.5 MB of
//! small nodes, held beside the whole checklist when a run starts. The
//! run takes answers out as it uses them (a place is left empty, and the
//! list is made shorter as it empties), so what is left is what the run
//! never asked.

use std::fmt;
use std::sync::Arc;

use super::ItemAnswer;
use super::index::Index;
use crate::model::Item;

#[derive(Clone, Default)]
pub struct ItemAnswers {
    /// Sorted by id, each id once; an answer taken out leaves its place.
    places: Vec<(Arc<str>, Option<ItemAnswer>)>,
    /// How many places hold an answer.
    held: usize,
}

/// Fewer places than this are never made shorter: not worth a move.
const SHORTEN_FROM: usize = 1024;

impl ItemAnswers {
    /// `answers`, each id given once.
    pub(super) fn of(answers: Vec<(Arc<str>, ItemAnswer)>) -> ItemAnswers {
        let mut places: Vec<(Arc<str>, Option<ItemAnswer>)> = answers
            .into_iter()
            .map(|(id, answer)| (id, Some(answer)))
            .collect();
        places.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        debug_assert!(places.windows(2).all(|pair| pair[0].0 != pair[1].0));
        ItemAnswers {
            held: places.len(),
            places,
        }
    }

    fn place(&self, id: &str) -> Result<usize, usize> {
        self.places.binary_search_by(|(held, _)| (**held).cmp(id))
    }

    pub fn contains_key(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    pub fn get(&self, id: &str) -> Option<&ItemAnswer> {
        let at = self.place(id).ok()?;
        self.places[at].1.as_ref()
    }

    /// As a map's insert: the answer for `id` from now, the one it
    /// replaces returned.
    pub fn insert(&mut self, id: Arc<str>, answer: ItemAnswer) -> Option<ItemAnswer> {
        match self.place(&id) {
            Ok(at) => {
                let before = self.places[at].1.replace(answer);
                if before.is_none() {
                    self.held += 1;
                }
                before
            }
            Err(at) => {
                self.places.insert(at, (id, Some(answer)));
                self.held += 1;
                None
            }
        }
    }

    pub fn remove(&mut self, id: &str) -> Option<ItemAnswer> {
        self.remove_entry(id).map(|(_, answer)| answer)
    }

    /// Takes the answer for `id` out, with the id as held.
    pub fn remove_entry(&mut self, id: &str) -> Option<(Arc<str>, ItemAnswer)> {
        let at = self.place(id).ok()?;
        let answer = self.places[at].1.take()?;
        let id = Arc::clone(&self.places[at].0);
        self.held -= 1;
        // Made shorter once three places in four are empty: each answer
        // is moved a bounded number of times in all.
        if self.places.len() >= SHORTEN_FROM && self.held * 4 <= self.places.len() {
            self.places.retain(|(_, answer)| answer.is_some());
            self.places.shrink_to_fit();
        }
        Some((id, answer))
    }

    pub fn len(&self) -> usize {
        self.held
    }

    pub fn is_empty(&self) -> bool {
        self.held == 0
    }

    /// In order of id.
    pub fn iter(&self) -> impl Iterator<Item = (&Arc<str>, &ItemAnswer)> {
        self.places
            .iter()
            .filter_map(|(id, answer)| Some((id, answer.as_ref()?)))
    }
}

/// The answers a file gives items, gathered as its keys are resolved:
/// each item answered once, told by the place of the first item with its
/// id (as a map by id tells it), in a flag a place.
pub(super) struct Gathered {
    answers: Vec<(Arc<str>, ItemAnswer)>,
    answered: Vec<bool>,
}

impl Gathered {
    /// For a checklist of `items` items and a file of at most `keys`
    /// answers to them: the list is sized once, where grown by doubling
    /// it held room for 131,072 answers of 100,000, and for a moment both
    /// its old room and its new.
    pub(super) fn new(items: usize, keys: usize) -> Gathered {
        Gathered {
            answers: Vec::with_capacity(keys),
            answered: vec![false; items],
        }
    }

    /// Whether `item` (found by `index`) has an answer already.
    pub(super) fn has(&self, index: &Index<'_>, item: &Item) -> bool {
        index
            .first_with_id(&item.id)
            .is_some_and(|at| self.answered[at])
    }

    /// `answer` for `item`, which has none yet ([`Gathered::has`]).
    pub(super) fn add(&mut self, index: &Index<'_>, item: &Item, answer: ItemAnswer) {
        if let Some(at) = index.first_with_id(&item.id) {
            self.answered[at] = true;
        }
        self.answers.push((Arc::clone(&item.id), answer));
    }

    pub(super) fn into_answers(self) -> ItemAnswers {
        ItemAnswers::of(self.answers)
    }
}

/// As a map's: the answer for an id it holds, a panic otherwise.
impl std::ops::Index<&str> for ItemAnswers {
    type Output = ItemAnswer;
    fn index(&self, id: &str) -> &ItemAnswer {
        self.get(id).expect("an answer for the id")
    }
}

/// Equal when they hold the same answers, empty places or none.
impl PartialEq for ItemAnswers {
    fn eq(&self, other: &ItemAnswers) -> bool {
        self.held == other.held && self.iter().eq(other.iter())
    }
}

/// As a map.
impl fmt::Debug for ItemAnswers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Status;

    fn answer(status: Status) -> ItemAnswer {
        ItemAnswer::new(status, super::super::Said::default(), false)
    }

    #[test]
    fn reads_as_a_map_of_the_answers_it_holds() {
        let mut answers = ItemAnswers::of(vec![
            ("c".into(), answer(Status::Done)),
            ("a".into(), answer(Status::Failed)),
            ("b".into(), answer(Status::Skipped)),
        ]);
        let ids = |answers: &ItemAnswers| -> Vec<String> {
            answers.iter().map(|(id, _)| id.to_string()).collect()
        };
        assert_eq!(ids(&answers), ["a", "b", "c"]);
        assert_eq!(answers.get("a").map(|a| a.status), Some(Status::Failed));
        assert_eq!(answers.remove("b").map(|a| a.status), Some(Status::Skipped));
        assert_eq!(answers.remove("b"), None, "taken once");
        assert!(!answers.contains_key("b") && answers.len() == 2);
        assert_eq!(ids(&answers), ["a", "c"]);
        // Put back where it was, or added in order.
        assert_eq!(answers.insert("b".into(), answer(Status::Done)), None);
        assert_eq!(answers.insert("0".into(), answer(Status::Done)), None);
        assert_eq!(
            answers
                .insert("a".into(), answer(Status::Done))
                .map(|a| a.status),
            Some(Status::Failed)
        );
        assert_eq!(ids(&answers), ["0", "a", "b", "c"]);
        assert_eq!(answers.len(), 4);
        let (id, _) = answers.remove_entry("c").unwrap();
        assert_eq!(&*id, "c");
        assert_eq!(format!("{answers:?}").matches("status").count(), 3);
    }

    #[test]
    fn taking_most_answers_out_makes_it_shorter_and_keeps_the_rest() {
        let count = 4 * SHORTEN_FROM;
        let id = |n: usize| -> Arc<str> { format!("item-{n:05}").into() };
        let mut answers =
            ItemAnswers::of((0..count).map(|n| (id(n), answer(Status::Done))).collect());
        for n in (0..count).filter(|n| n % 10 != 0) {
            assert!(answers.remove(&id(n)).is_some(), "{n}");
        }
        assert_eq!(answers.len(), count.div_ceil(10));
        assert!(answers.places.len() < count / 2, "{}", answers.places.len());
        for n in 0..count {
            assert_eq!(answers.contains_key(&id(n)), n % 10 == 0, "{n}");
        }
        let same = ItemAnswers::of(
            (0..count)
                .step_by(10)
                .map(|n| (id(n), answer(Status::Done)))
                .collect(),
        );
        assert_eq!(answers, same);
    }
}
