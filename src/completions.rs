//! Shell completion scripts and the manual page, both generated from the
//! clap command itself, so they always name the commands and flags this
//! binary takes.

use std::io::Write;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::exit::Code;

/// `relcheck completions SHELL`: the script on standard output.
pub fn script(shell: clap_complete::Shell, out: &mut dyn Write) -> anyhow::Result<Code> {
    let mut command = Cli::command();
    clap_complete::generate(shell, &mut command, "relcheck", out);
    Ok(Code::Success)
}

/// `relcheck man`: relcheck(1) in roff, with every command's help in its
/// own section, since one page is what `man relcheck` opens.
pub fn man(out: &mut dyn Write) -> anyhow::Result<Code> {
    let command = Cli::command();
    let man = clap_mangen::Man::new(command.clone());
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    man.render_subcommands_section(out)?;
    for sub in command.get_subcommands() {
        let name = sub.get_name();
        writeln!(out, ".SH \"RELCHECK {}\"", name.to_uppercase())?;
        let page = clap_mangen::Man::new(sub.clone().bin_name(format!("relcheck {name}")));
        let mut body = Vec::new();
        page.render_synopsis_section(&mut body)?;
        page.render_description_section(&mut body)?;
        page.render_options_section(&mut body)?;
        out.write_all(&demote(&body))?;
    }
    // The table as `--help` prints it, columns kept: no filling.
    writeln!(out, ".SH \"EXIT STATUS\"\n.nf")?;
    for line in crate::exit::TABLE.lines().skip(1) {
        writeln!(out, "{}", roff_text(line))?;
    }
    writeln!(out, ".fi")?;
    man.render_version_section(out)?;
    Ok(Code::Success)
}

/// A subcommand's sections become subsections of its own section.
fn demote(roff: &[u8]) -> Vec<u8> {
    String::from_utf8_lossy(roff)
        .lines()
        .map(|line| match line.strip_prefix(".SH ") {
            Some(title) => format!(".SS {title}\n"),
            None => format!("{line}\n"),
        })
        .collect::<String>()
        .into_bytes()
}

/// Text that roff prints as is: a leading `.` or `'` would be a request,
/// and `\` an escape.
fn roff_text(text: &str) -> String {
    let text = text.replace('\\', "\\e");
    if text.starts_with(['.', '\'']) {
        format!("\\&{text}")
    } else {
        text
    }
}
