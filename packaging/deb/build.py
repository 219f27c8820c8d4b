#!/usr/bin/env python3
"""Builds kawal_VERSION_amd64.deb with dpkg-deb from the release binaries (`make deb` runs it).

  build.py plugins        the executable products whose target lives under plugins/ (one a line)
  build.py package        stages the tree in OUT/root and writes OUT/kawal_VERSION_amd64.deb

Environment: KAWAL_BIN (the built binaries; default .build/release), KAWAL_DEB_OUT (default
.build/deb), KAWAL_DEB_FAST (gzip -1 instead of xz), KAWAL_DEB_VERSION (instead of kawald --version),
KAWAL_DEB_MAINTAINER (default: git's user.name <user.email>).

The binaries link the Swift runtime dynamically, and the package carries the runtime libraries they
use in /usr/lib/kawal/swift (their RUNPATH), once for all of them: linked statically, each of the
six binaries held its own copy of Foundation and ICU (61-76 MB each), and SwiftNIO could not take
over Swift's global executor (kawald then woke every second).
"""
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
BIN = Path(os.environ.get("KAWAL_BIN", ROOT / ".build" / "release")).resolve()
OUT = Path(os.environ.get("KAWAL_DEB_OUT", ROOT / ".build" / "deb")).resolve()
# Where the package puts the Swift runtime libraries; the binaries' RUNPATH.
RUNTIME_DIR = "/usr/lib/kawal/swift"
SYSTEM_LIBRARY_DIRS = ("/lib/", "/lib64/", "/usr/lib/")
DOCS = ["README.md", "docs/operations.md", "docs/configuration.md", "docs/kawalctl.md", "docs/plugins.md",
        "docs/protocol.md", "docs/systemd.md", "docs/backups.md", "docs/notifiers.md", "docs/privacy.md",
        "docs/reminders.md", "docs/reports.md"]
# The program behind every shipped plugin (plugins/kawal-plugins); trees before it had one each.
MULTICALL = "kawal-plugins"
# Plugin examples that need no Kawal code (docs/plugins.md), as Debian keeps examples.
EXAMPLES = ["plugins/examples/sink.py"]


def plugin_products():
    """Executable products built from targets under plugins/: whatever plugins the tree has."""
    description = json.loads(subprocess.run(["swift", "package", "describe", "--type", "json"], cwd=ROOT,
                                            check=True, capture_output=True, text=True).stdout)
    paths = {target["name"]: target.get("path", "") for target in description["targets"]}
    products = []
    for product in description["products"]:
        if "executable" not in product["type"]:
            continue
        if any(paths.get(target, "").startswith("plugins/") for target in product["targets"]):
            products.append(product["name"])
    return sorted(products)


def run(*command, **kwargs):
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs).stdout


def install(source, destination, mode):
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, destination)
    destination.chmod(mode)


def linked_libraries(binary, library_path=None):
    """{soname: resolved path or None} of what the dynamic loader would load for `binary`."""
    env = dict(os.environ)
    env.pop("LD_LIBRARY_PATH", None)
    if library_path:
        env["LD_LIBRARY_PATH"] = str(library_path)
    libraries = {}
    for line in run("ldd", str(binary), env=env).splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1] == "=>":
            libraries[parts[0]] = None if parts[2] == "not" else parts[2]
    return libraries


def install_binary(source, destination, runtime):
    """Installs a stripped copy whose Swift runtime libraries come from RUNTIME_DIR, and copies those into `runtime`."""
    install(source, destination, 0o755)
    for name, path in linked_libraries(source).items():
        assert path is not None, f"{source}: {name} not found"
        if not path.startswith(SYSTEM_LIBRARY_DIRS) and not (runtime / name).exists():
            install(Path(path), runtime / name, 0o644)
            run("strip", "--strip-unneeded", "--remove-section=.comment", str(runtime / name))
            run("patchelf", "--set-rpath", "$ORIGIN", str(runtime / name))
    run("strip", "--strip-unneeded", "--remove-section=.comment", "--remove-section=.note", str(destination))
    run("patchelf", "--set-rpath", RUNTIME_DIR, str(destination))


def check_runtime(binaries, runtime):
    """Every library a binary loads is the system's or one the package carries: nothing from the build machine's toolchain."""
    for binary in binaries:
        for name, path in linked_libraries(binary, runtime).items():
            assert path is not None, f"{binary}: {name} is neither a system library nor in {RUNTIME_DIR}"
            assert path.startswith(SYSTEM_LIBRARY_DIRS) or Path(path).parent == runtime, f"{binary}: {name} comes from {path}"


def gzip_file(source_text, destination):
    destination.parent.mkdir(parents=True, exist_ok=True)
    # mtime 0 and no file name: the same input gives the same bytes (lintian: gzip -n).
    with open(destination, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as out:
        out.write(source_text.encode())
    destination.chmod(0o644)


def maintainer():
    configured = os.environ.get("KAWAL_DEB_MAINTAINER")
    if configured:
        return configured
    name = run("git", "config", "user.name", cwd=ROOT).strip()
    email = run("git", "config", "user.email", cwd=ROOT).strip()
    return f"{name} <{email}>"


def shlib_depends(binaries, runtime):
    """dpkg-shlibdeps on the staged binaries and the runtime libraries (it wants a debian/control
    beside it); -l tells it the runtime's libraries are the package's own, private ones."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "debian").mkdir()
        (Path(tmp) / "debian" / "control").write_text("Source: kawal\n\nPackage: kawal\nArchitecture: amd64\n")
        out = run("dpkg-shlibdeps", "-O", f"-l{runtime}", *map(str, binaries), *map(str, sorted(runtime.iterdir())), cwd=tmp)
    for line in out.splitlines():
        if line.startswith("shlibs:Depends="):
            return line.split("=", 1)[1]
    raise SystemExit("dpkg-shlibdeps printed no shlibs:Depends")


def package():
    version = os.environ.get("KAWAL_DEB_VERSION") or run(str(BIN / "kawald"), "--version").strip()
    commit_date = run("git", "log", "-1", "--format=%cD", cwd=ROOT).strip()
    commit_day = run("git", "log", "-1", "--format=%cs", cwd=ROOT).strip()
    stage = OUT / "root"
    shutil.rmtree(stage, ignore_errors=True)
    os.umask(0o022)
    stage.mkdir(parents=True)

    runtime = stage / RUNTIME_DIR.lstrip("/")
    runtime.mkdir(parents=True)
    binaries = [stage / "usr/bin/kawald", stage / "usr/bin/kawalctl"]
    install_binary(BIN / "kawald", binaries[0], runtime)
    install_binary(BIN / "kawalctl", binaries[1], runtime)
    plugins = stage / "usr/lib/kawal/plugins"
    for plugin in plugin_products():
        binaries.append(plugins / plugin)
        install_binary(BIN / plugin, binaries[-1], runtime)
        if plugin == MULTICALL:
            # Every plugin it holds is a link named after the plugin, which it reads from argv[0].
            for name in run(str(BIN / plugin), "--list").split():
                (plugins / name).symlink_to(plugin)
    plugins.mkdir(parents=True, exist_ok=True)
    check_runtime(binaries + sorted(runtime.iterdir()), runtime)

    units = stage / "usr/lib/systemd/system"
    for unit in sorted((PACKAGING / "systemd").iterdir()):
        if unit.is_dir():
            for dropin in sorted(unit.iterdir()):
                install(dropin, units / unit.name / dropin.name, 0o644)
        else:
            install(unit, units / unit.name, 0o644)
    install(PACKAGING / "sysusers.d/kawal.conf", stage / "usr/lib/sysusers.d/kawal.conf", 0o644)
    install(PACKAGING / "tmpfiles.d/kawal.conf", stage / "usr/lib/tmpfiles.d/kawal.conf", 0o644)
    install(PACKAGING / "catalog/kawal.catalog", stage / "usr/lib/systemd/catalog/kawal.catalog", 0o644)
    install(PACKAGING / "kawald.toml", stage / "etc/kawal/kawald.toml", 0o644)
    for mapping in sorted((PACKAGING / "import").glob("*.toml")):
        install(mapping, stage / "usr/share/kawal/import" / mapping.name, 0o644)
    templates = ROOT / "templates"
    if templates.is_dir():
        for template in sorted(p for p in templates.rglob("*") if p.is_file()):
            install(template, stage / "usr/share/kawal/templates" / template.relative_to(templates), 0o644)

    completions = {"bash": stage / "usr/share/bash-completion/completions/kawalctl",
                   "zsh": stage / "usr/share/zsh/vendor-completions/_kawalctl",
                   "fish": stage / "usr/share/fish/vendor_completions.d/kawalctl.fish"}
    for shell, destination in completions.items():
        destination.parent.mkdir(parents=True, exist_ok=True)
        script = run(str(BIN / "kawalctl"), "--generate-completion-script", shell)
        # Completion files are sourced, not run: no #! line (lintian: bash-completion-with-hashbang).
        if script.startswith("#!"):
            script = script.split("\n", 1)[1]
        destination.write_text(script)
        destination.chmod(0o644)

    with tempfile.TemporaryDirectory() as man:
        run(sys.executable, str(PACKAGING / "deb/manpages.py"), str(BIN), str(ROOT / "docs"), man, commit_day)
        for page in sorted(Path(man).rglob("*.[158]")):
            gzip_file(page.read_text(), stage / "usr/share/man" / page.parent.name / (page.name + ".gz"))

    doc = stage / "usr/share/doc/kawal"
    for name in DOCS:
        if (ROOT / name).exists():
            install(ROOT / name, doc / Path(name).name, 0o644)
    for name in EXAMPLES:
        install(ROOT / name, doc / "examples" / Path(name).name, 0o644)
    install(PACKAGING / "deb/copyright", doc / "copyright", 0o644)
    changelog = (f"kawal ({version}) unstable; urgency=medium\n\n"
                 f"  * Release {version}: kawald, kawalctl and plugins with hardened systemd units,\n"
                 f"    socket activation, a journald catalog and Prometheus metrics.\n\n"
                 f" -- {maintainer()}  {commit_date}\n")
    gzip_file(changelog, doc / "changelog.gz")

    control = stage / "DEBIAN"
    control.mkdir()
    for script in ("postinst", "prerm", "postrm"):
        install(PACKAGING / "deb" / script, control / script, 0o755)
    (control / "conffiles").write_text("/etc/kawal/kawald.toml\n")
    md5sums = []
    size = 0
    for path in sorted(p for p in stage.rglob("*") if p.is_file() and not p.is_symlink() and not p.is_relative_to(control)):
        size += path.stat().st_size
        md5sums.append(f"{hashlib.md5(path.read_bytes()).hexdigest()}  {path.relative_to(stage)}\n")
    (control / "md5sums").write_text("".join(md5sums))
    text = (PACKAGING / "deb/control.in").read_text()
    text = (text.replace("@VERSION@", version).replace("@SIZE@", str((size + 1023) // 1024))
            .replace("@DEPENDS@", shlib_depends(binaries, runtime)).replace("@MAINTAINER@", maintainer()))
    (control / "control").write_text(text)
    for path in control.iterdir():
        if path.name not in ("postinst", "prerm", "postrm"):
            path.chmod(0o644)

    deb = OUT / f"kawal_{version}_amd64.deb"
    # The system test's package (debug build) is installed once and thrown away: fast compression.
    compression = ["-Zgzip", "-z1"] if os.environ.get("KAWAL_DEB_FAST") else ["-Zxz"]
    run("dpkg-deb", "--root-owner-group", *compression, "--build", str(stage), str(deb))
    print(deb)


if __name__ == "__main__":
    if sys.argv[1:] == ["plugins"]:
        print("\n".join(plugin_products()))
    elif sys.argv[1:] == ["package"]:
        package()
    else:
        raise SystemExit(__doc__)
