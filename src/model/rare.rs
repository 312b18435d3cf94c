//! A box for the fields most values of a type leave empty: an item's role,
//! command or annotation, a section's lead or notes. Boxed once one is
//! set, so the rest pay 8 bytes for them, not an item's 160 or a
//! section's 184 (20 MB of a 100,000-item checklist). The same shape as a
//! record result's (`record::result::Rare`), for the checklist's types.

use std::fmt;
use std::ops::{Deref, DerefMut};

/// Fields that are each empty by default: [`Empty::NONE`] is all of them
/// unset, what a value with no box reads as.
pub trait Empty: Default + PartialEq + 'static {
    const NONE: &'static Self;
}

/// `T`, boxed once one of its fields is set: reading one through it reads
/// the empty value when nothing is; setting one (through `&mut`) makes the
/// box. Equal when the fields are, box or no box.
#[derive(Clone)]
pub struct Rare<T>(Option<Box<T>>);

impl<T: Empty> Rare<T> {
    /// Boxed only when one of `fields` is set.
    pub fn of(fields: T) -> Rare<T> {
        Rare((fields != *T::NONE).then(|| Box::new(fields)))
    }

    /// Whether it holds a box: what a test of a checklist's memory asks.
    pub fn is_boxed(&self) -> bool {
        self.0.is_some()
    }
}

impl<T: Empty> Default for Rare<T> {
    fn default() -> Rare<T> {
        Rare(None)
    }
}

impl<T: Empty> Deref for Rare<T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.0.as_deref().unwrap_or(T::NONE)
    }
}

impl<T: Empty> DerefMut for Rare<T> {
    fn deref_mut(&mut self) -> &mut T {
        self.0.get_or_insert_with(Box::default)
    }
}

impl<T: Empty> PartialEq for Rare<T> {
    fn eq(&self, other: &Rare<T>) -> bool {
        **self == **other
    }
}

impl<T: Empty + fmt::Debug> fmt::Debug for Rare<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}
