//! Moving about a run: `g` and `/` to another item, `A` for the rest of a
//! section, and the `l` overview with its counts.

use std::collections::HashSet;

use crate::model::When;
use crate::prompt::{Overview, Row, Tally};
use crate::record::{EventAction, GateDecision, Status};
use crate::template::fill;

use super::{Applied, Session, Undo};

impl Session<'_> {
    /// The items a gate's waiver let through.
    fn waived_ids(&self) -> HashSet<&str> {
        self.record
            .gates
            .iter()
            .filter(|g| g.decision == GateDecision::Waive)
            .flat_map(|g| g.items.iter().map(String::as_str))
            .collect()
    }

    /// Answers so far, each item once by its status; waived items are
    /// counted again under `waived`.
    pub(super) fn tally(&self) -> Tally {
        let waived = self.waived_ids();
        let mut tally = Tally::default();
        for item in &self.record.items {
            match item.status {
                Status::Done | Status::NotOccurred => tally.done += 1,
                Status::Failed | Status::Occurred => tally.failed += 1,
                Status::Skipped | Status::NotRun => tally.skipped += 1,
                Status::NotApplicable | Status::NotNeeded => tally.not_applicable += 1,
                Status::Pending => tally.pending += 1,
            }
            if matches!(item.status, Status::Failed | Status::Skipped)
                && waived.contains(item.id.as_ref())
            {
                tally.waived += 1;
            }
        }
        tally
    }

    /// `g`: an item by its number as screens show it, or by its id; empty
    /// goes back to where the run is.
    pub(super) fn go_to(&mut self, current: usize, target: &str) -> Applied {
        let target = target.trim();
        if target.is_empty() {
            return match self.focus.take() {
                Some(_) => {
                    self.cursor.set(0);
                    Applied::Moved
                }
                None => Applied::Again {
                    message: Some("this is where the run is".to_string()),
                    suggested: None,
                },
            };
        }
        let total = self.record.items.len();
        let found = match target.parse::<usize>() {
            Ok(n) if (1..=total).contains(&n) => Some(n - 1),
            Ok(_) => None,
            Err(_) => self.record.items.iter().position(|i| *i.id == *target),
        };
        match found {
            Some(index) => self.focus_on(current, index),
            None => Applied::Again {
                message: Some(format!(
                    "no item {target}: give a number from 1 to {total} or an item id"
                )),
                suggested: None,
            },
        }
    }

    /// `/`: the next item after this one whose text (variables filled)
    /// holds `text`, ignoring case, wrapping at the end. Empty repeats the
    /// last search.
    pub(super) fn search(&mut self, current: usize, text: &str) -> Applied {
        let text = match text.trim() {
            "" => match &self.last_search {
                Some(last) => last.clone(),
                None => {
                    return Applied::Again {
                        message: Some("type some words of an item to find it".to_string()),
                        suggested: None,
                    };
                }
            },
            text => text.to_lowercase(),
        };
        self.last_search = Some(text.clone());
        let total = self.record.items.len();
        let found = (1..=total).map(|step| (current + step) % total).find(|&i| {
            fill(&self.item(i).text, &self.record.values)
                .to_lowercase()
                .contains(&text)
        });
        match found {
            Some(index) => self.focus_on(current, index),
            None => Applied::Again {
                message: Some(format!("no item matches \"{text}\"")),
                suggested: None,
            },
        }
    }

    pub(super) fn focus_on(&mut self, current: usize, index: usize) -> Applied {
        let again = |message: String| Applied::Again {
            message: Some(message),
            suggested: None,
        };
        if index == current {
            return again(format!("item {} is this one", index + 1));
        }
        match self.place(index).1 {
            When::Rollback if self.record.rollback.is_none() => {
                return again(format!(
                    "item {} is a rollback step: it is walked once a rollback is called",
                    index + 1
                ));
            }
            When::Success if self.record.rollback.is_some() => {
                return again(format!(
                    "item {} is for a successful release, and a rollback was called",
                    index + 1
                ));
            }
            _ => {}
        }
        self.focus = Some(index);
        Applied::Moved
    }

    /// `A`: every pending item left in this section answered the same way,
    /// as one answer that `b` undoes whole. Fields and required sign-offs
    /// are passed over: a value or an approval is never given in bulk.
    pub(super) fn bulk(&mut self, index: usize, status: Status, reason: String) -> Applied {
        let again = |message: &str| Applied::Again {
            message: Some(message.to_string()),
            suggested: None,
        };
        if !matches!(status, Status::Skipped | Status::NotApplicable) {
            return again("the rest of a section is answered skip or n/a");
        }
        if reason.trim().is_empty() {
            return again("answering the rest of a section needs a reason");
        }
        let section = &self.section(index).id;
        let phase = self.place(index).0;
        let rollback = self.record.rollback.is_some();
        let targets: Vec<usize> = (index..self.record.items.len())
            .take_while(|&i| self.place(i).0 == phase && &self.section(i).id == section)
            .filter(|&i| {
                let item = self.item(i);
                let open =
                    self.record.items[i].status == Status::Pending && !self.deferred.contains(&i);
                let asked = match self.place(i).1 {
                    When::Rollback => rollback,
                    When::Success => !rollback,
                    When::Always => true,
                };
                open && asked && !super::set_aside::one_by_one(item)
            })
            .collect();
        if targets.is_empty() {
            return again(
                "nothing here to answer in bulk: fields and required sign-offs are answered one by one",
            );
        }
        let mut undo = Undo::new(self);
        for &i in &targets {
            undo.items.push((i, self.record.items[i].clone()));
        }
        self.undo.push(undo);
        let count = targets.len();
        self.event(
            EventAction::Bulk,
            Some(section.to_string()),
            Some(format!("{count} items {}: {reason}", status.as_str())),
        );
        for i in targets {
            self.write_answer(i, status, None, None, Some(reason.clone()));
        }
        Applied::Settled
    }

    /// The `l` screen: every phase, section and item with its status.
    pub(super) fn overview(&self, current: usize) -> Overview {
        let waived = self.waived_ids();
        let mut rows = Vec::new();
        let mut index = 0;
        for phase in &self.checklist.phases {
            rows.push(Row::Phase(phase.title.clone()));
            for section in &phase.sections {
                if !section.implicit {
                    rows.push(Row::Section(section.title.to_string()));
                }
                for item in &section.items {
                    let result = &self.record.items[index];
                    rows.push(Row::Item {
                        number: index + 1,
                        id: result.id.to_string(),
                        status: result.status,
                        text: fill(&item.text, &self.record.values),
                        optional: item.optional,
                        waived: waived.contains(result.id.as_ref()),
                        current: index == current,
                    });
                    index += 1;
                }
            }
        }
        Overview {
            title: self.checklist.title.clone(),
            rows,
            tally: self.tally(),
            rollback_called: self.record.rollback.is_some(),
        }
    }
}
