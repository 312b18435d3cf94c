//! serde_yaml against serde-saphyr on relcheck's own files (BENCHMARKS.md,
//! "The YAML library"). serde-saphyr is a dev-dependency, so relcheck
//! itself carries one YAML crate; `scripts/bench` drives this.
//!
//! ```text
//! yamlbench prep RECORD                RECORD.json: the record as JSON, the input of `write`
//! yamlbench read LIB RECORD            parse a record into relcheck's Record
//! yamlbench write LIB RECORD.json      the record (read from JSON) written as YAML
//! yamlbench roundtrip LIB RECORD       read, write, read again
//! yamlbench answers LIB FILE           an answers file into a tree
//! yamlbench check RECORD...            the same Record from both readers; saphyr's
//!                                      bytes against serde_yaml's, read back by each
//! yamlbench errors                     both readers' messages for malformed input
//! ```
//!
//! LIB is `serde_yaml`, `saphyr` or `none` (only the file read and, for
//! `write`, the JSON parse: the cost to subtract). Each command does its
//! work once, for `valgrind --tool=callgrind`, which counts instructions
//! whatever else the machine runs; `REPEAT=N` does it N times and prints
//! the median wall time, for a quiet machine.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use relcheck::record::Record;

#[derive(Clone, Copy, PartialEq)]
enum Lib {
    SerdeYaml,
    Saphyr,
    None,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let lib = |name: &str| match name {
        "serde_yaml" => Ok(Lib::SerdeYaml),
        "saphyr" => Ok(Lib::Saphyr),
        "none" => Ok(Lib::None),
        other => Err(format!("`{other}`: LIB is serde_yaml, saphyr or none")),
    };
    let result = match args.as_slice() {
        ["prep", file] => prep(Path::new(file)),
        ["read", name, file] => lib(name).and_then(|l| timed(|| read(l, Path::new(file)))),
        ["write", name, file] => lib(name).and_then(|l| timed(|| write(l, Path::new(file)))),
        ["roundtrip", name, file] => {
            lib(name).and_then(|l| timed(|| roundtrip(l, Path::new(file))))
        }
        ["answers", name, file] => lib(name).and_then(|l| timed(|| answers(l, Path::new(file)))),
        ["check", files @ ..] if !files.is_empty() => {
            files.iter().try_for_each(|f| check(Path::new(f)))
        }
        ["errors"] => {
            errors();
            Ok(())
        }
        _ => Err("usage: see the top of examples/yamlbench.rs".to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("yamlbench: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Runs `work` once, or `REPEAT` times printing the median milliseconds.
fn timed(work: impl Fn() -> Result<(), String>) -> Result<(), String> {
    let repeat: usize = std::env::var("REPEAT")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    let mut times = Vec::new();
    for _ in 0..repeat {
        let start = Instant::now();
        work()?;
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    if repeat > 1 {
        times.sort_by(f64::total_cmp);
        println!("{:.2}", times[repeat / 2]);
    }
    Ok(())
}

fn text(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn parse_record(lib: Lib, text: &str) -> Result<Option<Record>, String> {
    match lib {
        Lib::SerdeYaml => serde_yaml::from_str(text)
            .map(Some)
            .map_err(|e| e.to_string()),
        Lib::Saphyr => serde_saphyr::from_str_with_options(text, saphyr_options(text))
            .map(Some)
            .map_err(|e| e.to_string()),
        Lib::None => Ok(None),
    }
}

fn write_record(lib: Lib, record: &Record) -> Result<String, String> {
    match lib {
        Lib::SerdeYaml => serde_yaml::to_string(record).map_err(|e| e.to_string()),
        Lib::Saphyr => serde_saphyr::to_string(record).map_err(|e| e.to_string()),
        Lib::None => Ok(String::new()),
    }
}

fn prep(path: &Path) -> Result<(), String> {
    let record: Record = serde_yaml::from_str(&text(path)?).map_err(|e| e.to_string())?;
    let json = serde_json::to_string(&record).map_err(|e| e.to_string())?;
    let out = format!("{}.json", path.display());
    std::fs::write(&out, json).map_err(|e| format!("{out}: {e}"))
}

fn read(lib: Lib, path: &Path) -> Result<(), String> {
    let record = parse_record(lib, &text(path)?)?;
    std::hint::black_box(record);
    Ok(())
}

fn write(lib: Lib, path: &Path) -> Result<(), String> {
    let record: Record = serde_json::from_str(&text(path)?).map_err(|e| e.to_string())?;
    std::hint::black_box(write_record(lib, &record)?);
    Ok(())
}

fn roundtrip(lib: Lib, path: &Path) -> Result<(), String> {
    let Some(record) = parse_record(lib, &text(path)?)? else {
        return Ok(());
    };
    let again = parse_record(lib, &write_record(lib, &record)?)?;
    if again.as_ref() != Some(&record) {
        return Err(format!(
            "{}: not the same record after a round trip",
            path.display()
        ));
    }
    Ok(())
}

/// An answers file is read as a tree first (relcheck walks it for
/// control characters before taking it as answers).
fn answers(lib: Lib, path: &Path) -> Result<(), String> {
    let text = text(path)?;
    let tree: Option<serde_json::Value> = match lib {
        Lib::SerdeYaml => Some(serde_yaml::from_str(&text).map_err(|e| e.to_string())?),
        Lib::Saphyr => Some(
            serde_saphyr::from_str_with_options(&text, saphyr_options(&text))
                .map_err(|e| e.to_string())?,
        ),
        Lib::None => None,
    };
    std::hint::black_box(tree);
    Ok(())
}

/// Whether the two crates agree on `path`: the Record each reads, the
/// bytes each writes, and each reading the other's output.
fn check(path: &Path) -> Result<(), String> {
    let text = text(path)?;
    let by_yaml = parse_record(Lib::SerdeYaml, &text)?.unwrap();
    let by_saphyr = parse_record(Lib::Saphyr, &text)?.unwrap();
    let yaml_out = write_record(Lib::SerdeYaml, &by_yaml)?;
    let saphyr_out = write_record(Lib::Saphyr, &by_yaml)?;
    let differing = yaml_out
        .lines()
        .zip(saphyr_out.lines())
        .filter(|(a, b)| a != b)
        .count();
    let first = yaml_out
        .lines()
        .zip(saphyr_out.lines())
        .find(|(a, b)| a != b)
        .map(|(a, b)| format!("\n    serde_yaml: {a}\n    saphyr:     {b}"))
        .unwrap_or_default();
    let cross: Record = serde_yaml::from_str(&saphyr_out).map_err(|e| e.to_string())?;
    let cross_back: Record =
        serde_saphyr::from_str_with_options(&yaml_out, saphyr_options(&yaml_out))
            .map_err(|e| e.to_string())?;
    println!(
        "{}: same record read: {}; bytes {} (serde_yaml) / {} (saphyr), {} of {} lines differ{first}\n  saphyr's output read by serde_yaml is the same record: {}; serde_yaml's by saphyr: {}",
        path.display(),
        by_yaml == by_saphyr,
        yaml_out.len(),
        saphyr_out.len(),
        differing,
        yaml_out.lines().count(),
        cross == by_yaml,
        cross_back == by_yaml,
    );
    Ok(())
}

/// serde-saphyr's defaults (250,000 nodes, 1,000,000 events) refuse a
/// record of 10,000 items; relcheck's own limit is the file's size, so the
/// node and event budgets grow with it. Flow nesting is held to relcheck's
/// 64 levels.
fn saphyr_options(text: &str) -> serde_saphyr::Options {
    let budget = serde_saphyr::budget! {
        max_events: text.len().max(1 << 20),
        max_nodes: text.len().max(1 << 18),
        max_total_scalar_bytes: text.len().max(1 << 20),
        flow_nesting_limit: 64,
        max_depth: 128,
    };
    serde_saphyr::options! { budget: budget }
}

/// Malformed input as an operator could write it, with both messages.
fn errors() {
    let cases: &[(&str, &str)] = &[
        ("a tab for indentation", "schema: x\nrun:\n\tid: 1\n"),
        (
            "an unclosed quote",
            "schema: \"relcheck/record/v2\nrun: {}\n",
        ),
        ("an unclosed flow list", "items: [a, b\nnext: 1\n"),
        ("a key given twice", "values:\n  a: 1\n  a: 2\n"),
        ("a wrong type", "schema: [a]\n"),
        ("a missing field", "checklist: {}\n"),
        ("bad indentation", "values:\n  a: 1\n b: 2\n"),
        ("a stray colon", "items:\n  do/x: done: now\n"),
        ("an undefined alias", "values:\n  a: *nope\n"),
        ("an unknown field", "run:\n  id: x\n  surprise: 1\n"),
    ];
    println!("| input | serde_yaml | serde-saphyr |");
    println!("|---|---|---|");
    for (what, text) in cases {
        // As relcheck showed it: position first, once.
        let yaml = match serde_yaml::from_str::<Record>(text) {
            Ok(_) => "(read)".to_string(),
            Err(e) => match e.location() {
                Some(at) => {
                    let (line, column) = (at.line(), at.column());
                    let message = e.to_string();
                    let message =
                        message.replacen(&format!(" at line {line} column {column}"), "", 1);
                    format!("{line}:{column}: {message}")
                }
                None => e.to_string(),
            },
        };
        let saphyr = match serde_saphyr::from_str_with_options::<Record>(text, saphyr_options(text))
        {
            Ok(_) => "(read)".to_string(),
            Err(e) => {
                let plain = e.render_with_options(serde_saphyr::render_options! {
                    snippets: serde_saphyr::SnippetMode::Off,
                });
                plain.replace('\n', " ⏎ ")
            }
        };
        println!("| {what} | {} | {} |", cell(&yaml), cell(&saphyr));
    }
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}
