//! A measured value held against an item's threshold: what the operator
//! typed, an answers file gave or a command printed, read as a number in
//! the bound's unit, and whether it meets the bound. Pure: the session
//! decides what a verdict does to the item.

use crate::model::{Comparison, Measure, Unit};
use crate::record::Verdict;

/// A value read against a measure.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// As the record keeps it: as given, with the bound's unit added when
    /// none was given ("0.4" against "< 1%" is "0.4%").
    pub value: String,
    pub verdict: Verdict,
}

/// Reads `given` against `measure`; `baseline` is the run's baseline for a
/// relative bound. The error is a line to show the operator.
pub fn read(measure: &Measure, given: &str, baseline: Option<&str>) -> Result<Reading, String> {
    let given = given.trim();
    let usage = || {
        format!(
            "type the measured value as a number, as {} (the bound is {})",
            example(measure),
            measure.bound_text()
        )
    };
    let (number, unit) = quantity(given).ok_or_else(usage)?;
    let (value, limit) = match measure.unit {
        Unit::Baseline => {
            let baseline = baseline.ok_or_else(|| {
                format!(
                    "no value for {}: a relative bound needs it",
                    measure.baseline.as_deref().unwrap_or("the baseline")
                )
            })?;
            let (base, base_unit) = quantity(baseline).ok_or_else(|| {
                format!(
                    "the baseline `{baseline}` is not a number, so nothing can be held against it"
                )
            })?;
            // Both in the same time unit when both name one; otherwise as given.
            let value = match (unit, base_unit) {
                (Some(u), Some(b)) if u.is_time() && b.is_time() => in_unit(number, u, b),
                (Some(u), Some(b)) if u != b => return Err(usage()),
                _ => number,
            };
            (value, measure.bound * base)
        }
        bound_unit => {
            let value = match unit {
                None => number,
                Some(u) if u == bound_unit => number,
                Some(u) if u.is_time() && bound_unit.is_time() => in_unit(number, u, bound_unit),
                Some(_) => return Err(usage()),
            };
            (value, measure.bound)
        }
    };
    let holds = match measure.comparison {
        Comparison::AtLeast => value >= limit,
        Comparison::AtMost => value <= limit,
        Comparison::Above => value > limit,
        Comparison::Below => value < limit,
        Comparison::Equal => (value - limit).abs() <= f64::EPSILON * limit.abs().max(1.0),
    };
    let value = match unit {
        None if measure.unit != Unit::Baseline => format!("{number}{}", measure.unit.suffix()),
        _ => given.to_string(),
    };
    Ok(Reading {
        value,
        verdict: if holds { Verdict::Met } else { Verdict::NotMet },
    })
}

/// The one number a command printed last, if its last line is one:
/// "0.4", "0.4%", "450ms".
pub fn from_output(output: &str) -> Option<String> {
    let last = output.lines().rev().find(|line| !line.trim().is_empty())?;
    quantity(last.trim()).map(|_| last.trim().to_string())
}

fn example(measure: &Measure) -> String {
    let number = if measure.bound.fract() == 0.0 && measure.bound >= 2.0 {
        measure.bound - 1.0
    } else {
        measure.bound / 2.0
    };
    match measure.unit {
        Unit::Baseline => "250 (in the baseline's unit)".to_string(),
        unit => format!("{number}{}", unit.suffix().trim_start()),
    }
}

/// A number, and the unit written after it if any. Anything else after
/// the number makes it no quantity.
fn quantity(text: &str) -> Option<(f64, Option<Unit>)> {
    let end = text
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || (i == 0 && (c == '-' || c == '+'))))
        .map_or(text.len(), |(i, _)| i);
    let number: f64 = text[..end].parse().ok().filter(|n: &f64| n.is_finite())?;
    let rest = text[end..].trim().to_lowercase();
    let unit = match rest.as_str() {
        "" => None,
        "%" => Some(Unit::Percent),
        "/100" => Some(Unit::OutOf100),
        "ms" | "millisecond" | "milliseconds" => Some(Unit::Milliseconds),
        "s" | "sec" | "secs" | "second" | "seconds" => Some(Unit::Seconds),
        "m" | "min" | "mins" | "minute" | "minutes" => Some(Unit::Minutes),
        "h" | "hr" | "hrs" | "hour" | "hours" => Some(Unit::Hours),
        _ => return None,
    };
    Some((number, unit))
}

fn in_unit(number: f64, from: Unit, to: Unit) -> f64 {
    let ms = |unit| match unit {
        Unit::Seconds => 1_000.0,
        Unit::Minutes => 60_000.0,
        Unit::Hours => 3_600_000.0,
        _ => 1.0,
    };
    number * ms(from) / ms(to)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measure(comparison: Comparison, bound: f64, unit: Unit) -> Measure {
        Measure {
            comparison,
            bound,
            unit,
            baseline: (unit == Unit::Baseline).then(|| "Response time baseline".to_string()),
        }
    }

    fn verdict(
        m: &Measure,
        given: &str,
        baseline: Option<&str>,
    ) -> Result<(String, Verdict), String> {
        read(m, given, baseline).map(|r| (r.value, r.verdict))
    }

    #[test]
    fn values_meet_or_miss_their_bound() {
        use Comparison::*;
        use Verdict::*;
        let cases: [(Measure, &str, &str, Verdict); 14] = [
            (measure(Below, 1.0, Unit::Percent), "0.4", "0.4%", Met),
            (measure(Below, 1.0, Unit::Percent), "1%", "1%", NotMet),
            (
                measure(Below, 1.0, Unit::Percent),
                " 2.5 % ",
                "2.5 %",
                NotMet,
            ),
            (
                measure(Below, 500.0, Unit::Milliseconds),
                "450",
                "450ms",
                Met,
            ),
            (
                measure(Below, 500.0, Unit::Milliseconds),
                "0.6 s",
                "0.6 s",
                NotMet,
            ),
            (measure(AtLeast, 80.0, Unit::OutOf100), "80", "80/100", Met),
            (
                measure(AtLeast, 80.0, Unit::OutOf100),
                "79/100",
                "79/100",
                NotMet,
            ),
            (measure(Above, 10.0, Unit::Minutes), "12", "12 min", Met),
            (
                measure(Above, 10.0, Unit::Minutes),
                "300 s",
                "300 s",
                NotMet,
            ),
            (measure(Above, 10.0, Unit::Minutes), "1h", "1h", Met),
            (measure(AtMost, 2.0, Unit::Seconds), "2", "2 s", Met),
            (measure(Equal, 0.0, Unit::Percent), "0", "0%", Met),
            (measure(Equal, 0.0, Unit::Percent), "0.1", "0.1%", NotMet),
            (measure(Above, 5.0, Unit::Percent), "-1", "-1%", NotMet),
        ];
        for (m, given, value, expected) in cases {
            assert_eq!(
                verdict(&m, given, None),
                Ok((value.to_string(), expected)),
                "{given} against {}",
                m.bound_text()
            );
        }
    }

    #[test]
    fn a_relative_bound_is_times_the_baseline() {
        let m = measure(Comparison::Above, 3.0, Unit::Baseline);
        assert_eq!(
            verdict(&m, "650", Some("200")),
            Ok(("650".into(), Verdict::Met))
        );
        assert_eq!(
            verdict(&m, "550", Some("200")),
            Ok(("550".into(), Verdict::NotMet))
        );
        assert_eq!(
            verdict(&m, "0.65 s", Some("200ms")),
            Ok(("0.65 s".into(), Verdict::Met))
        );
        assert_eq!(
            verdict(&m, "650", None),
            Err("no value for Response time baseline: a relative bound needs it".into())
        );
        assert_eq!(
            verdict(&m, "650", Some("fast")),
            Err("the baseline `fast` is not a number, so nothing can be held against it".into())
        );
    }

    #[test]
    fn what_is_no_value_is_said_back() {
        let m = measure(Comparison::Below, 1.0, Unit::Percent);
        for given in ["", "low", "0.4 ms", "1.2.3", "NaN", "inf", "0.4%%"] {
            assert_eq!(
                verdict(&m, given, None),
                Err("type the measured value as a number, as 0.5% (the bound is < 1%)".into()),
                "{given:?}"
            );
        }
        let score = measure(Comparison::AtLeast, 80.0, Unit::OutOf100);
        assert_eq!(
            verdict(&score, "x", None),
            Err("type the measured value as a number, as 79/100 (the bound is >= 80/100)".into())
        );
    }

    #[test]
    fn a_command_gives_a_value_when_its_last_line_is_one_number() {
        assert_eq!(from_output("checking\n0.4\n").as_deref(), Some("0.4"));
        assert_eq!(
            from_output("p95: 300ms\n450ms\n\n").as_deref(),
            Some("450ms")
        );
        assert_eq!(from_output("score 85\n"), None);
        assert_eq!(from_output("85 of 100\n"), None);
        assert_eq!(from_output(""), None);
    }
}
