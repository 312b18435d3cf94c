//! Measured items: the value held against the item's bound settles it
//! (done or failed; a trigger occurred or not), a person may answer
//! against the number with a note, and a relative bound's baseline is
//! asked once per run (docs/FORMAT.md, "Measured checks").

use crate::measure;
use crate::model::{Kind, Unit};
use crate::prompt::{Prompter, Reply, ValueRequest};
use crate::record::{EventAction, Measured, Provenance, Status, Verdict};

use super::{Applied, Session, Undo};

impl Session<'_> {
    /// The bound as an item's screen shows it, with the baseline when the
    /// run has one.
    pub(super) fn measure_view(&self, index: usize) -> Option<String> {
        let measure = self.item(index).rare.measure.as_ref()?;
        let mut text = measure.bound_text();
        if let Some(value) = self.baseline(index) {
            text.push_str(&format!(" (baseline {value})"));
        }
        Some(text)
    }

    fn baseline(&self, index: usize) -> Option<&String> {
        let name = self.item(index).rare.measure.as_ref()?.baseline.as_ref()?;
        self.record.values.get(name)
    }

    /// A relative bound's baseline, asked the first time a value is held
    /// against it, as a value of the run: kept in the record's values, so
    /// later items that hold against the same baseline do not ask again.
    fn ask_baseline(&mut self, index: usize, prompter: &mut dyn Prompter) -> Reply<Option<String>> {
        let Some(measure) = self.item(index).rare.measure.as_ref() else {
            return Reply::Answer(None);
        };
        let Some(name) = measure.baseline.clone() else {
            return Reply::Answer(None);
        };
        if let Some(value) = self.record.values.get(&name) {
            return Reply::Answer(Some(value.clone()));
        }
        let request = ValueRequest {
            name: name.clone(),
            label: format!("{name} (the bound is {})", measure.bound_text()),
            default: None,
            choices: Vec::new(),
            message: None,
        };
        let reply = prompter.ask_value(&request);
        if let Reply::Answer(Some(value)) = &reply {
            let value = value.trim().to_string();
            self.undo.push(Undo::values(vec![(name.clone(), None)]));
            self.record.values.insert(name.clone(), value.clone());
            self.values_dirty = true;
            self.event(EventAction::Set, None, Some(format!("{name}={value}")));
            return Reply::Answer(Some(value));
        }
        reply
    }

    /// Settles a measured item: by the value's verdict, or by `status`
    /// where a person gives one. A status against the verdict, or with no
    /// value at all, is an overrule and needs a note.
    pub(super) fn apply_measured(
        &mut self,
        index: usize,
        value: Option<String>,
        status: Option<Status>,
        note: Option<String>,
        prompter: &mut dyn Prompter,
    ) -> Applied {
        let again = |message: String| Applied::Again {
            message: Some(message),
            suggested: None,
        };
        let item = self.item(index);
        let Some(measure) = &item.rare.measure else {
            return again("this item states no number to measure".to_string());
        };
        let baseline = match (measure.unit, &value) {
            (Unit::Baseline, Some(_)) => match self.ask_baseline(index, prompter) {
                Reply::Answer(baseline) => baseline,
                other => return Applied::Stop(other.map(|_| ())),
            },
            (Unit::Baseline, None) => self.baseline(index).cloned(),
            _ => None,
        };
        // Without a new value, a status is held against the value the item
        // has already (a person correcting a measured answer).
        let reading = match &value {
            Some(given) => match measure::read(measure, given, baseline.as_deref()) {
                Ok(reading) => Some((reading.value, reading.verdict)),
                Err(message) => return again(message),
            },
            None => self.record.items[index]
                .rare
                .measure
                .as_ref()
                .and_then(|m| Some((m.value.clone()?, m.verdict?))),
        };
        let by_number = reading
            .as_ref()
            .map(|(_, verdict)| match (item.kind, verdict) {
                (Kind::Trigger, Verdict::Met) => Status::Occurred,
                (Kind::Trigger, Verdict::NotMet) => Status::NotOccurred,
                (_, Verdict::Met) => Status::Done,
                (_, Verdict::NotMet) => Status::Failed,
            });
        let Some(status) = status.or(by_number) else {
            return again(format!(
                "type the measured value ({}), or answer with a note",
                measure.bound_text()
            ));
        };
        let fits = match item.kind {
            Kind::Trigger => matches!(status, Status::Occurred | Status::NotOccurred),
            _ => matches!(status, Status::Done | Status::Failed),
        };
        if !fits {
            return again(format!(
                "a measured {} is not answered {}",
                item.kind.as_str(),
                status.as_str()
            ));
        }
        if status == Status::NotOccurred && self.record.items[index].status == Status::Occurred {
            return again(
                "this trigger called a rollback, which stands; b right after the call undoes it"
                    .to_string(),
            );
        }
        let overruled = by_number != Some(status);
        let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        if overruled && note.is_none() {
            return again(match &reading {
                Some((value, _)) => format!(
                    "{value} against {} says {}: answering {} overrules it, so say why in a note",
                    measure.bound_text(),
                    by_number.map_or("", Status::as_str),
                    status.as_str()
                ),
                None => format!(
                    "answering without the measured value ({}) needs a note saying why",
                    measure.bound_text()
                ),
            });
        }
        let (value, verdict) = match reading {
            Some((value, verdict)) => (Some(value), Some(verdict)),
            None => (None, None),
        };
        let measured = Measured {
            bound: measure.bound_text(),
            baseline,
            value: value.clone(),
            verdict,
            overruled,
        };
        // What a trigger crossed is what happened, unless a person said;
        // the item keeps only a person's note, as the measure says the rest.
        let what = note.clone().unwrap_or_else(|| measured.summary());
        let id = item.id.to_string();
        self.settle(index, status, None, note, None);
        self.record.items[index].rare.measure = Some(Box::new(measured));
        if status == Status::Occurred {
            self.call_rollback(id, Some(what));
        }
        Applied::Settled
    }

    /// After `r`: a command that succeeded and printed one number last
    /// gave the item's value, and settles it as a typed one would.
    pub(super) fn measured_by_command(
        &mut self,
        index: usize,
        output: &str,
        prompter: &mut dyn Prompter,
    ) -> Option<Applied> {
        self.item(index).rare.measure.as_ref()?;
        let value = measure::from_output(output)?;
        let (source, by) = (self.answer_source.take(), self.answer_by.take());
        self.answer_source = Some(Provenance {
            kind: "command".to_string(),
            path: None,
            sha256: None,
        });
        let applied = self.apply_measured(index, Some(value), None, None, prompter);
        self.answer_source = source;
        self.answer_by = by;
        Some(applied)
    }
}
