//! Any bytes into the checklist reader, the parser, lint and the JSON
//! view: none may panic, overflow the stack or report a line outside the
//! file. `cargo +nightly fuzz run parse fuzz/seeds` (see BENCHMARKS.md).
#![no_main]

use libfuzzer_sys::fuzz_target;
use relcheck::source::Source;

fuzz_target!(|bytes: &[u8]| {
    let Ok(source) = Source::from_bytes("fuzz.md".into(), None, bytes) else {
        return;
    };
    let parsed = relcheck::parse::parse(&source);
    let lines = source.lines.count();
    for (phase, section, item) in parsed.checklist.items() {
        assert!((1..=lines).contains(&phase.line));
        assert!((1..=lines).contains(&section.line));
        assert!((1..=lines).contains(&item.line));
    }
    for diagnostic in relcheck::lint::check(&source) {
        assert!((1..=lines).contains(&diagnostic.line));
        assert!(diagnostic.col >= 1);
        let _ = diagnostic.render(&source, |_, text| text.to_string());
    }
    let _ = serde_json::to_string(&parsed.checklist).expect("the model serialises");
});
