#!/usr/bin/env python3
"""Man pages for the Debian package, generated so that they never drift from the code:

- kawalctl(1) and kawald(8) from ArgumentParser's own description of the commands
  (`--experimental-dump-help`, the JSON that swift-argument-parser's generate-manual plugin reads too);
- kawald.toml(5) from docs/configuration.md (its key table, errors and reloading sections).

Usage: manpages.py BIN_DIR DOCS_DIR OUT_DIR DATE
"""
import json
import re
import subprocess
import sys
from pathlib import Path


def roff(text):
    """Escapes text for roff: backslashes, leading dots and quotes, and dashes in options."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    lines = []
    for line in text.split("\n"):
        if line.startswith((".", "'")):
            line = "\\&" + line
        lines.append(line)
    return "\n".join(lines)


def inline_markdown(text):
    """`code` in bold, [text](link) as text, **bold** as bold; the rest escaped."""
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)
    out = []
    for index, part in enumerate(re.split(r"`([^`]*)`", text)):
        out.append(f"\\fB{roff(part)}\\fR" if index % 2 else roff(part))
    return "".join(out).replace("**", "")


def header(name, section, date, title):
    return f'.TH "{name.upper()}" "{section}" "{date}" "Kawal" "{title}"\n'


# --- ArgumentParser commands -------------------------------------------------------------------

def argument_synopsis(argument):
    names = argument.get("names") or []
    preferred = argument.get("preferredName") or (names[0] if names else None)
    value = argument.get("valueName") or "value"
    if argument["kind"] == "positional":
        text = f"<{value}>"
    elif argument["kind"] == "flag":
        text = flag_name(preferred)
    else:
        text = f"{flag_name(preferred)} <{value}>"
    if argument.get("isRepeating"):
        text += " ..."
    return text if not argument.get("isOptional") else f"[{text}]"


def flag_name(name):
    if name is None:
        return ""
    return ("--" if name["kind"] == "long" else "-") + name["name"]


def visible_arguments(command):
    return [a for a in command.get("arguments", []) if a.get("shouldDisplay", True)
            and not (a.get("names") and flag_name(a.get("preferredName")) in ("--help", "-h", "--version"))]


def subcommands(command):
    return [sub for sub in command.get("subcommands", []) if sub.get("shouldDisplay", True) and sub["commandName"] != "help"]


def discussion(text):
    """Paragraphs filled by man; indented blocks (lists of exit codes) kept as they are."""
    out = []
    for paragraph in text.split("\n\n"):
        if any(line.startswith(" ") for line in paragraph.splitlines()):
            out.append(".PP\n.nf\n" + roff(paragraph) + "\n.fi\n")
        else:
            out.append(".PP\n" + roff(paragraph) + "\n")
    return "".join(out)


def command_sections(command, path):
    """The OPTIONS of one command and, recursively, its subcommands, each as a .SS section."""
    out = []
    full = " ".join(path)
    arguments = visible_arguments(command)
    if len(path) > 1:
        synopsis = " ".join([full] + [argument_synopsis(a) for a in arguments])
        out.append(f".SS {roff(full)}\n")
        if command.get("abstract"):
            out.append(roff(command["abstract"]) + "\n")
        if arguments or not subcommands(command):
            out.append(f".PP\n.B {roff(synopsis)}\n")
        if command.get("discussion"):
            out.append(discussion(command["discussion"]))
    for argument in arguments:
        names = ", ".join(flag_name(n) for n in argument.get("names") or []) or f"<{argument.get('valueName', 'value')}>"
        if argument["kind"] == "option":
            names += f" <{argument.get('valueName', 'value')}>"
        out.append(f".TP\n\\fB{roff(names)}\\fR\n{roff(argument.get('abstract', ''))}\n")
        if argument.get("discussion"):
            out.append(".IP\n" + roff(str(argument["discussion"])) + "\n")
        if argument.get("defaultValue"):
            out.append(f".IP\nDefault: {roff(str(argument['defaultValue']))}\n")
    if len(path) == 1 and subcommands(command):
        out.append(".SH COMMANDS\n")
    for sub in subcommands(command):
        out.extend(command_sections(sub, path + [sub["commandName"]]))
    return out


def command_page(binary, section, date, title, see_also):
    info = json.loads(subprocess.run([str(binary), "--experimental-dump-help"], check=True,
                                     capture_output=True, text=True).stdout)
    command = info["command"]
    name = command["commandName"]
    out = [header(name, section, date, title)]
    out.append(f".SH NAME\n{name} \\- {roff(command.get('abstract', ''))}\n")
    synopsis = " ".join([name] + [argument_synopsis(a) for a in visible_arguments(command)])
    if subcommands(command):
        synopsis += " <command> [<options>]"
    out.append(f".SH SYNOPSIS\n.B {roff(synopsis)}\n")
    if command.get("discussion"):
        out.append(".SH DESCRIPTION\n" + discussion(command["discussion"]))
    if visible_arguments(command):
        out.append(".SH OPTIONS\n")
    out.extend(command_sections(command, [name]))
    out.append(f".SH SEE ALSO\n{see_also}\n")
    return "".join(out)


# --- kawald.toml(5) from docs/configuration.md ------------------------------------------------

def configuration_page(markdown, date):
    out = [header("kawald.toml", "5", date, "File formats")]
    out.append(".SH NAME\nkawald.toml \\- configuration of the Kawal daemon kawald\n")
    out.append(".SH SYNOPSIS\n/etc/kawal/kawald.toml\n")
    out.append(".SH DESCRIPTION\n")
    # In the installed system the annotated default file is the conffile itself.
    markdown = markdown.replace("[packaging/kawald.toml](../packaging/kawald.toml)", "`/etc/kawal/kawald.toml` as shipped")
    in_code = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            out.append(".fi\n.RE\n" if in_code else ".RS 4\n.nf\n")
            in_code = not in_code
        elif in_code:
            out.append(roff(line) + "\n")
        elif line.startswith("# "):
            continue
        elif line.startswith("## "):
            out.append(f".SH {roff(line[3:].upper())}\n")
        elif line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if cells[0] in ("key", "") or set(cells[0]) <= set("-"):
                continue
            key, default, meaning = (cells + ["", "", ""])[:3]
            out.append(f".TP\n{inline_markdown(key)}\n{inline_markdown(meaning)}")
            out.append(f" (default: {inline_markdown(default)})\n" if default else "\n")
        elif not line.strip():
            out.append(".PP\n")
        else:
            out.append(inline_markdown(line) + "\n")
    out.append(".SH FILES\n/etc/kawal/kawald.toml, /usr/share/doc/kawal/configuration.md\n")
    out.append(".SH SEE ALSO\n\\fBkawald\\fR(8), \\fBkawalctl\\fR(1), \\fBsystemd.time\\fR(7)\n")
    return "".join(out)


def main():
    bin_dir, docs_dir, out_dir, date = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
    (out_dir / "man1").mkdir(parents=True, exist_ok=True)
    (out_dir / "man5").mkdir(parents=True, exist_ok=True)
    (out_dir / "man8").mkdir(parents=True, exist_ok=True)
    (out_dir / "man1" / "kawalctl.1").write_text(command_page(
        bin_dir / "kawalctl", "1", date, "User Commands",
        "\\fBkawald\\fR(8), \\fBkawald.toml\\fR(5), /usr/share/doc/kawal/kawalctl.md"))
    (out_dir / "man8" / "kawald.8").write_text(command_page(
        bin_dir / "kawald", "8", date, "System Administration",
        "\\fBkawalctl\\fR(1), \\fBkawald.toml\\fR(5), \\fBsystemd.exec\\fR(5), /usr/share/doc/kawal/operations.md"))
    (out_dir / "man5" / "kawald.toml.5").write_text(configuration_page((docs_dir / "configuration.md").read_text(), date))


if __name__ == "__main__":
    main()
