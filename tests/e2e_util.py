"""Helpers for the end-to-end tests that run real mail servers.

Standard library only.  What is here:

  Results             the pass/fail/skip counter that prints the final line
                      "N passed, N failed" (and ", N skipped")
  Skip, require_*     a missing prerequisite skips the test with a reason
                      (exit 77 for automake); with MAILPASS_REQUIRE_TOOLS=1 a
                      skip is a failure (exit 1)
  Interrupted,
  install_signal_handlers
                      SIGTERM, SIGINT and SIGHUP raise Interrupted so that
                      every "finally" and "with" block runs
  TempDir             a temporary directory that is always removed
  free_port(s)        unused TCP ports on 127.0.0.1
  Server              a server process in its own process group, waited for
                      on a TCP port (bounded) and stopped by its PID (SIGTERM,
                      then SIGKILL of its process group after a bounded wait)
  ServerFixture       the base of a test's server: its Server and output file
  SyslogCapture,
  capture_syslog      what reaches syslog(3): a datagram listener bound at
                      /dev/log (only when no syslog daemon owns it), or the
                      file that the LD_PRELOAD shim tests/syslog-capture.c
                      appends to (MAILPASS_SYSLOG_FILE)
  make_certificate    a self-signed certificate made with openssl
  PamService          a service file in /etc/pam.d, created and removed
  ReplacedFile        a system file replaced for a test and put back (or
                      created and removed when there was none)
  unix_socket_open,
  Server.wait_unix_socket
                      a Unix stream socket that accepts connections
  run                 a command with a timeout and its output captured
  find_secrets        which secrets appear in a text
  check_stopped       the check that a server left no process behind
  add_nologin         a user of a passwd-file store disabled (nologin)
  lines_not_shown,
  check_doc_shows     the check that a document shows the lines a test runs
  main                the command line of a test that runs mail servers:
                      --demo, --show-config, --keep, skips and signals
  SRCDIR, BIN, ...    where the built programs are (set by make check)
  sanitized_env,
  reexec_sanitized    configure --enable-sanitizers: the sanitizer runtimes
                      preloaded into programs that are not instrumented but
                      load pam_mailpass.so or libmailpass.so

Every wait is bounded: sockets time out after SOCKET_TIMEOUT seconds, waits
for a server after WAIT_TIMEOUT seconds.
"""

import argparse
import contextlib
import errno
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import traceback

SOCKET_TIMEOUT = 5.0
WAIT_TIMEOUT = 20.0
REQUIRE_TOOLS = os.environ.get("MAILPASS_REQUIRE_TOOLS") == "1"
EXIT_SKIP = 77

# Where the built programs are, for the tests that run mail servers: make
# check sets these variables; the defaults serve a build in the source tree
# (scripts/quickstart).
SRCDIR = os.environ.get("MAILPASS_SRCDIR") or os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))
BUILDDIR = os.environ.get("MAILPASS_BUILDDIR") or SRCDIR
BIN = os.environ.get("MAILPASS_BIN") or os.path.join(BUILDDIR, "tools", "mailpass")
PAM_MODULE = os.environ.get("MAILPASS_PAM_MODULE") or os.path.join(
    BUILDDIR, "pam-module", ".libs", "pam_mailpass.so")
SASL_PLUGIN_DIR = os.environ.get("MAILPASS_SASL_PLUGIN_DIR") or os.path.join(
    BUILDDIR, "sasl-plugin", ".libs")
SYSLOG_SHIM = os.environ.get("MAILPASS_SYSLOG_SHIM") or os.path.join(
    BUILDDIR, "tests", ".libs", "libsyslog-capture.so")
# Which syslog capture to try first: "dev-log" (default) or "shim".
SYSLOG_PREFER = os.environ.get("MAILPASS_SYSLOG_CAPTURE") or "dev-log"

# configure --enable-sanitizers: the runtimes (libasan, libubsan) that make
# check names; empty in a normal build.
SANITIZER_PRELOAD = os.environ.get("MAILPASS_SANITIZER_PRELOAD", "").split()
# What a process under the sanitizers reads from its environment.
SANITIZER_VARIABLES = ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS")
_REEXEC_MARK = "MAILPASS_SANITIZER_REEXEC"
_SAVED_PREFIX = "MAILPASS_SANITIZER_SAVED_"


def sanitized_env(env):
    """A copy of env for a program that is not ours but loads our modules.

    In a --enable-sanitizers build (Python with ctypes, Dovecot, Cyrus,
    saslauthd, ...): the sanitizer runtimes first in LD_PRELOAD, since
    AddressSanitizer must be the first library of a process and such a
    program does not link it; and leak detection off, since that program's
    own leaks are not ours to fix.  Our code's leaks are looked for where it
    runs in our own programs (tests/unit, tests/pam-test, tests/sasl-test,
    the mailpass command), with leak detection on.  Memory errors and
    undefined behaviour are reported in every process.  In a normal build
    env is returned unchanged.
    """
    env = dict(env)
    if not SANITIZER_PRELOAD:
        return env
    others = [p for p in env.get("LD_PRELOAD", "").split() if p not in SANITIZER_PRELOAD]
    env["LD_PRELOAD"] = " ".join(SANITIZER_PRELOAD + others)
    env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"), "detect_leaks=0"]))
    return env


def reexec_sanitized():
    """Run this Python script again under the sanitizer runtimes, when needed.

    For a test that loads pam_mailpass.so into its own process (ctypes): in
    a --enable-sanitizers build the script is executed again with
    sanitized_env(); in the new process the environment is put back as it
    was, so that the programs the test starts (the mailpass command, with
    leak detection on) do not inherit the preload.  Does nothing in a
    normal build.
    """
    if not SANITIZER_PRELOAD:
        return
    if os.environ.get(_REEXEC_MARK) == "1":
        del os.environ[_REEXEC_MARK]
        for name in SANITIZER_VARIABLES:
            saved = os.environ.pop(_SAVED_PREFIX + name, None)
            if saved is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = saved
        return
    env = sanitized_env(os.environ)
    for name in SANITIZER_VARIABLES:
        if name in os.environ:
            env[_SAVED_PREFIX + name] = os.environ[name]
    env[_REEXEC_MARK] = "1"
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, getattr(sys, "orig_argv", [sys.executable] + sys.argv), env)


class Skip(Exception):
    """Something the test needs is missing; the reason says what."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class Interrupted(BaseException):
    """A termination signal arrived; cleanup runs on the way out."""

    def __init__(self, signum):
        super().__init__("interrupted by signal %d" % signum)
        self.signum = signum


def install_signal_handlers():
    """Turn SIGTERM, SIGINT and SIGHUP into Interrupted.

    After the first signal the others are ignored, so that the cleanup that
    the exception triggers (stopping servers, removing files) is not itself
    interrupted.
    """

    def handler(signum, frame):
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        raise Interrupted(signum)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, handler)


class Results:
    """Counts checks and prints one line per check and the final summary."""

    def __init__(self, out=None):
        self.out = out if out is not None else sys.stdout
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.failures = []

    def _say(self, line):
        self.out.write(line + "\n")
        self.out.flush()

    def check(self, label, ok, detail=""):
        """Record one check; return ok so that callers can chain on it."""
        if ok:
            self.passed += 1
            self._say("ok: " + label)
        else:
            self.failed += 1
            self.failures.append(label)
            self._say("FAIL: %s%s" % (label, ": " + detail if detail else ""))
        return bool(ok)

    def equal(self, label, got, want):
        return self.check(label, got == want, "got %r, want %r" % (got, want))

    def skip(self, label, reason):
        """Record a skip; with MAILPASS_REQUIRE_TOOLS=1 it is a failure."""
        if REQUIRE_TOOLS:
            self.check(label, False, "skipped (%s), and MAILPASS_REQUIRE_TOOLS=1" % reason)
            return
        self.skipped += 1
        self._say("SKIP: %s: %s" % (label, reason))

    def note(self, line):
        self._say("# " + line)

    def summary(self):
        line = "%d passed, %d failed" % (self.passed, self.failed)
        if self.skipped:
            line += ", %d skipped" % self.skipped
        return line

    def exit_code(self):
        """1 on any failure; 77 when everything was skipped; else 0."""
        if self.failed:
            return 1
        if self.skipped and not self.passed:
            return EXIT_SKIP
        return 0

    def finish(self):
        """Print the summary line and return the exit status."""
        self._say(self.summary())
        return self.exit_code()


def require(condition, reason):
    if not condition:
        raise Skip(reason)


def require_root():
    require(os.geteuid() == 0, "needs root (starts servers as root, writes /etc/pam.d)")


def require_program(name, package=None):
    """Return the path of program name, or skip naming its Debian package."""
    path = shutil.which(name)
    if path is None:
        for directory in ("/usr/sbin", "/sbin"):
            candidate = os.path.join(directory, name)
            if os.access(candidate, os.X_OK):
                path = candidate
                break
    require(path is not None,
            "%s not found%s" % (name, " (apt-get install %s)" % package if package else ""))
    return path


def require_file(path, what):
    require(path and os.path.isfile(path), "%s not found: %s" % (what, path or "(not set)"))
    return path


def run(argv, input=None, timeout=WAIT_TIMEOUT, env=None, cwd=None, check=False):
    """Run argv with a timeout; return the CompletedProcess (bytes output)."""
    if isinstance(input, str):
        input = input.encode()
    proc = subprocess.run(argv, input=input, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout, env=env, cwd=cwd)
    if check and proc.returncode != 0:
        raise RuntimeError("%s exited with %d: %s" % (
            " ".join(argv), proc.returncode,
            proc.stderr.decode("utf-8", "replace").strip()))
    return proc


class TempDir:
    """A temporary directory, removed on exit whatever happened.

    mode is applied to the directory itself (0o755 lets unprivileged server
    processes reach files below it; it is never world-writable).
    """

    def __init__(self, prefix="mailpass-e2e.", mode=0o700, keep=False):
        self.prefix = prefix
        self.mode = mode
        self.keep = keep
        self.path = None

    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix=self.prefix)
        os.chmod(self.path, self.mode)
        return self

    def join(self, *parts):
        return os.path.join(self.path, *parts)

    def __exit__(self, *exc):
        if self.path is not None and not self.keep:
            shutil.rmtree(self.path, ignore_errors=True)
        return False


def free_ports(count, host="127.0.0.1"):
    """Return count distinct TCP ports that were free a moment ago."""
    socks = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((host, 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def free_port(host="127.0.0.1"):
    return free_ports(1, host)[0]


def port_open(port, host="127.0.0.1", timeout=1.0):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def can_bind(address):
    """Whether a client socket can use address as its source (e.g. 127.0.0.2)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind((address, 0))
        return True
    except OSError:
        return False


def unix_socket_open(path, timeout=1.0):
    """Whether a stream socket at path accepts connections."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(path)
        return True
    except OSError:
        return False
    finally:
        s.close()


class ServerError(Exception):
    pass


class Server:
    """A server process started in its own process group.

    Output goes to output_path.  stop() sends SIGTERM to the PID, waits at
    most stop_timeout seconds, then sends SIGKILL to the whole process group
    (the server's own children included) and waits for it to be gone.
    """

    def __init__(self, argv, name, output_path, env=None, cwd=None, stop_timeout=10.0):
        self.argv = argv
        self.name = name
        self.output_path = output_path
        self.env = env
        self.cwd = cwd
        self.stop_timeout = stop_timeout
        self.proc = None

    @property
    def pid(self):
        return self.proc.pid if self.proc is not None else None

    def start(self):
        with open(self.output_path, "ab") as out:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=subprocess.STDOUT, env=self.env,
                                         cwd=self.cwd, start_new_session=True)
        return self

    def output(self):
        try:
            with open(self.output_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def wait_port(self, port, host="127.0.0.1", timeout=WAIT_TIMEOUT):
        """Wait until port accepts connections; raise ServerError if not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerError("%s exited with %s before listening on %s:%d: %s" % (
                    self.name, self.proc.returncode, host, port, self.output().strip()[-2000:]))
            if port_open(port, host, timeout=0.5):
                return
            time.sleep(0.1)
        raise ServerError("%s did not listen on %s:%d within %d s" % (
            self.name, host, port, timeout))

    def wait_unix_socket(self, path, timeout=WAIT_TIMEOUT):
        """Wait until the stream socket at path accepts connections; raise ServerError if not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerError("%s exited with %s before listening on %s: %s" % (
                    self.name, self.proc.returncode, path, self.output().strip()[-2000:]))
            if unix_socket_open(path):
                return
            time.sleep(0.1)
        raise ServerError("%s did not listen on %s within %d s" % (self.name, path, timeout))

    def _group_members(self):
        """PIDs of live (non-zombie) processes in the server's process group."""
        pgid = self.proc.pid
        members = []
        try:
            entries = os.listdir("/proc")
        except OSError:
            entries = None
        if entries is None:
            try:
                os.killpg(pgid, 0)
                return [pgid]
            except ProcessLookupError:
                return []
            except PermissionError:
                return [pgid]
        for entry in entries:
            if not entry.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % entry, "rb") as f:
                    data = f.read().decode("ascii", "replace")
            except OSError:
                continue
            # pid (comm) state ppid pgrp ...; comm may contain spaces.
            fields = data[data.rfind(")") + 2:].split()
            if len(fields) >= 3 and fields[0] != "Z" and fields[2] == str(pgid):
                members.append(int(entry))
        return members

    def _wait_group(self, timeout):
        deadline = time.monotonic() + timeout
        while True:
            self.proc.poll()
            if not self._group_members():
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)

    def stop(self):
        """Stop the server and what is left of its process group; safe to call twice."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=self.stop_timeout)
        # Children that outlive the server get a moment to exit; then
        # whatever is left of the process group is killed.
        if self.proc.poll() is not None and self._wait_group(3.0):
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self._wait_group(5.0)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5.0)

    def leftovers(self):
        """Live processes of the server's process group (empty once stopped)."""
        return self._group_members() if self.proc is not None else []

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


class ServerFixture:
    """The base of a server a test configures and runs (Dovecot, Cyrus, ...).

    A subclass sets out_path (the file the server's output goes to) and,
    once it started it, server (a Server).
    """

    server = None
    out_path = None

    def stop(self):
        """Stop the server, if it was started; safe to call twice."""
        if self.server is not None:
            self.server.stop()

    def leftovers(self):
        """Live processes of the server's process group (empty once stopped)."""
        return self.server.leftovers() if self.server is not None else []

    def output(self):
        """What the server wrote to its stdout and stderr."""
        return read_text(self.out_path)


DEV_LOG = "/dev/log"


def _dev_log_is_stale(path=DEV_LOG):
    """True when path is a socket that nobody listens on any more."""
    try:
        if not stat.S_ISSOCK(os.lstat(path).st_mode):
            return False
    except OSError:
        return False
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        s.connect(path)
        return False
    except ConnectionRefusedError:
        return True
    except OSError:
        return False
    finally:
        s.close()


class DevLogListener:
    """A syslog datagram listener bound at /dev/log, in a thread.

    Binds only when /dev/log does not exist (or is a socket left behind by a
    listener that died); the socket file is removed afterwards, but only if
    it is still the one this listener created.
    """

    def __init__(self, path=DEV_LOG):
        self.path = path
        self.sock = None
        self.thread = None
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.datagrams = []
        self.inode = None

    @staticmethod
    def usable(path=DEV_LOG):
        return not os.path.lexists(path) or _dev_log_is_stale(path)

    def start(self):
        if os.path.lexists(self.path):
            if not _dev_log_is_stale(self.path):
                raise OSError(errno.EEXIST, "a syslog daemon owns it", self.path)
            os.unlink(self.path)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            s.bind(self.path)
            os.chmod(self.path, 0o666)
            s.settimeout(0.2)
        except OSError:
            s.close()
            raise
        self.sock = s
        self.inode = os.lstat(self.path).st_ino
        self.thread = threading.Thread(target=self._loop, name="dev-log", daemon=True)
        self.thread.start()
        return self

    def _loop(self):
        while not self.stopping.is_set():
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                break
            with self.lock:
                self.datagrams.append(data)

    def messages(self):
        with self.lock:
            return [d.decode("utf-8", "replace").rstrip("\n\0") for d in self.datagrams]

    def stop(self):
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout=2.0)
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        try:
            if self.inode is not None and os.lstat(self.path).st_ino == self.inode:
                os.unlink(self.path)
        except OSError:
            pass
        self.inode = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


def read_syslog_file(path):
    """The lines the LD_PRELOAD shim appended to path (none if it is missing)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return []
    return [line for line in data.decode("utf-8", "replace").splitlines() if line]


class SyslogCapture:
    """Capture what processes send to syslog(3), by the first method that works.

    method "dev-log": a DevLogListener (no syslog daemon on the machine).
    method "shim":    the LD_PRELOAD shim named by shim_path writes every
                      message to file_path; env() gives the variables a
                      server must pass to the processes that log.
    method None:      nothing can be captured; reason says why.

    prefer is "dev-log" or "shim".  MAILPASS_SYSLOG_FILE, when set in the
    environment, is read as well (a shim preloaded by the caller).
    """

    def __init__(self, file_path, shim_path=None, prefer="dev-log"):
        self.file_path = file_path
        self.shim_path = shim_path
        self.prefer = prefer
        self.method = None
        self.reason = ""
        self.listener = None
        self.outer_file = os.environ.get("MAILPASS_SYSLOG_FILE") or None

    def _try_dev_log(self):
        if not DevLogListener.usable():
            return "/dev/log belongs to a running syslog daemon"
        try:
            self.listener = DevLogListener().start()
        except OSError as e:
            self.listener = None
            return "cannot bind /dev/log: %s" % e
        self.method = "dev-log"
        return None

    def _try_shim(self):
        if not self.shim_path or not os.path.isfile(self.shim_path):
            return "syslog shim not built (%s)" % (self.shim_path or "MAILPASS_SYSLOG_SHIM not set")
        self.method = "shim"
        return None

    def start(self):
        order = [self._try_dev_log, self._try_shim]
        if self.prefer == "shim":
            order.reverse()
        reasons = []
        for attempt in order:
            why = attempt()
            if why is None:
                return self
            reasons.append(why)
        self.reason = "; ".join(reasons)
        return self

    def env(self):
        """Variables to give the processes whose syslog(3) calls are captured."""
        if self.method != "shim":
            return {}
        return {"LD_PRELOAD": self.shim_path, "MAILPASS_SYSLOG_FILE": self.file_path}

    def messages(self):
        lines = []
        if self.listener is not None:
            lines.extend(self.listener.messages())
        if self.method == "shim":
            lines.extend(read_syslog_file(self.file_path))
        if self.outer_file and self.outer_file != self.file_path:
            lines.extend(read_syslog_file(self.outer_file))
        return lines

    def count(self, pattern):
        """How many captured messages the regular expression pattern matches."""
        return sum(1 for line in self.messages() if re.search(pattern, line))

    def settle(self, quiet=0.3, timeout=3.0):
        """Wait (bounded) until no new message arrived for quiet seconds.

        A datagram sent to /dev/log before the server answered the client
        may still wait in the socket's queue when the client goes on.
        """
        deadline = time.monotonic() + timeout
        count = len(self.messages())
        last_change = time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.05)
            now = len(self.messages())
            if now != count:
                count, last_change = now, time.monotonic()
            elif time.monotonic() - last_change >= quiet:
                break

    def stop(self):
        if self.listener is not None:
            self.listener.stop()
            self.listener = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


def capture_syslog(directory):
    """A SyslogCapture into directory/syslog.txt, with make check's shim and preference."""
    return SyslogCapture(os.path.join(directory, "syslog.txt"), SYSLOG_SHIM, SYSLOG_PREFER)


def make_certificate(directory, name="server", cn="localhost", ips=("127.0.0.1",),
                     dns=("localhost",), days=2):
    """Make a self-signed certificate with openssl; return (cert, key) paths.

    The certificate is its own CA: a client verifies the server with
    cafile=cert.  The key is an ECDSA P-256 key (fast to make), mode 0600.
    """
    openssl = require_program("openssl", "openssl")
    cert = os.path.join(directory, name + "-cert.pem")
    key = os.path.join(directory, name + "-key.pem")
    san = ",".join(["IP:" + ip for ip in ips] + ["DNS:" + d for d in dns])
    old_umask = os.umask(0o077)
    try:
        proc = run([openssl, "req", "-x509", "-newkey", "ec",
                    "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-days", str(days), "-subj", "/CN=" + cn,
                    "-addext", "subjectAltName=" + san,
                    "-addext", "basicConstraints=critical,CA:TRUE",
                    "-keyout", key, "-out", cert])
    finally:
        os.umask(old_umask)
    if proc.returncode != 0:
        raise RuntimeError("openssl req failed: " + proc.stderr.decode("utf-8", "replace"))
    os.chmod(cert, 0o644)
    os.chmod(key, 0o600)
    return cert, key


class PamService:
    """A PAM service file /etc/pam.d/NAME, created on enter, removed on exit.

    Refuses to overwrite an existing file.  rewrite() replaces the content
    (libpam reads the file again at every pam_start).
    """

    def __init__(self, name, lines, directory="/etc/pam.d"):
        self.name = name
        self.path = os.path.join(directory, name)
        self.lines = list(lines)
        self.created = False

    def _write(self, lines, exclusive):
        flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
        fd = os.open(self.path, flags, 0o644)
        self.created = True
        with os.fdopen(fd, "w") as f:
            f.write("# Written by a mailpass test; removed when the test ends.\n")
            for line in lines:
                f.write(line + "\n")

    def rewrite(self, lines):
        self._write(lines, exclusive=False)

    def restore(self):
        self._write(self.lines, exclusive=False)

    def __enter__(self):
        self._write(self.lines, exclusive=True)
        return self

    def __exit__(self, *exc):
        if self.created:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)
            self.created = False
        return False


class ReplacedFile:
    """A system file replaced by a test and put back on exit, byte for byte.

    When path exists, its content, mode and owner are kept in memory and a
    copy is written to backup_dir (so that a test killed with SIGKILL leaves
    the original behind, next to its other files); on exit the original is
    put back with an atomic rename, times included.  When path does not
    exist, it is created and removed on exit.  The replacement is written
    with mode 0644, owned by root.
    """

    def __init__(self, path, content, backup_dir):
        self.path = path
        self.content = content.encode() if isinstance(content, str) else content
        self.backup_dir = backup_dir
        self.original = None      # (bytes, mode, uid, gid, (atime, mtime)) when path existed
        self.backup_path = None
        self.active = False

    def _install(self, data, mode, uid, gid, times=None):
        directory = os.path.dirname(self.path)
        fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(self.path) + ".",
                                   dir=directory)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chown(tmp, uid, gid)
            os.chmod(tmp, stat.S_IMODE(mode))
            if times is not None:
                os.utime(tmp, ns=times)
            os.rename(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def __enter__(self):
        try:
            st = os.lstat(self.path)
        except FileNotFoundError:
            st = None
        if st is not None:
            if not stat.S_ISREG(st.st_mode):
                raise OSError(errno.EINVAL, "not a regular file", self.path)
            with open(self.path, "rb") as f:
                data = f.read()
            self.original = (data, st.st_mode, st.st_uid, st.st_gid,
                             (st.st_atime_ns, st.st_mtime_ns))
            self.backup_path = os.path.join(self.backup_dir,
                                            os.path.basename(self.path) + ".orig")
            with open(self.backup_path, "wb") as f:
                f.write(data)
        self.active = True
        self._install(self.content, 0o644, 0, 0)
        return self

    def __exit__(self, *exc):
        if not self.active:
            return False
        if self.original is None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)
        else:
            data, mode, uid, gid, times = self.original
            self._install(data, mode, uid, gid, times)
        self.active = False
        return False


def find_secrets(text, secrets):
    """Return the secrets (str or bytes) that occur in text (str or bytes)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    found = []
    for secret in secrets:
        if isinstance(secret, bytes):
            secret = secret.decode("utf-8", "replace")
        if secret and secret in text:
            found.append(secret)
    return found


def read_text(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def store_stamp(store):
    """The bytes of "<store>.stamp" (shared/store-stamp.h), or None when it is missing."""
    try:
        with open(store + ".stamp", "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


def stamp_for(store):
    """The stamp a mailpass writer leaves for the store file as it is now."""
    st = os.stat(store)
    return ("mailpass-stamp 1 unique dev=%d ino=%d size=%d mtime=%d.%09d ctime=%d.%09d\n" % (
        st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns // 10**9, st.st_mtime_ns % 10**9,
        st.st_ctime_ns // 10**9, st.st_ctime_ns % 10**9)).encode()


def check_stopped(r, label, server):
    """One check: server (its leftovers() lists live processes) left none behind."""
    left = server.leftovers()
    return r.check(label, not left, "left: %s" % left)


def add_nologin(store, user):
    """Disable user in the passwd-file store: "nologin" in its extra fields (the 8th)."""
    lines = read_text(store).splitlines()
    with open(store, "w") as f:
        for line in lines:
            if line.startswith(user + ":"):
                fields = line.split(":")
                fields += [""] * (8 - len(fields))
                fields[7] = (fields[7] + " nologin").strip()
                line = ":".join(fields)
            f.write(line + "\n")


def lines_not_shown(doc_text, lines):
    """The lines (stripped) that doc_text does not hold; white space is folded."""
    def fold(line):
        return re.sub(r"\s+", " ", line.strip())
    shown = {fold(line) for line in doc_text.splitlines()}
    return [line.strip() for line in lines if fold(line) not in shown]


def check_doc_shows(r, path, name, lines):
    """One check: the document at path (called name) shows every one of lines.

    The test's configuration, with the document's values, is what a site
    copies: a line the test runs and the document lacks fails.  A missing
    document is a skip.
    """
    if not os.path.isfile(path):
        r.skip("%s shows the tested configuration" % name, "%s not found" % path)
        return
    missing = lines_not_shown(read_text(path), lines)
    r.check("%s shows the configuration the test runs" % name, not missing,
            "missing lines: %r" % missing)


def main(argv, description, name, run_test, demo, show_config):
    """The command line of a test that runs mail servers; returns the exit status.

    --show-config prints show_config() (the configuration with the values
    of the documentation).  --demo runs demo(), which narrates one run and
    returns its status; a missing prerequisite (Skip) exits 77, or 1 under
    MAILPASS_REQUIRE_TOOLS=1.  Otherwise run_test(results, keep) runs the
    whole test (--keep: keep its temporary directory): a Skip is one
    skipped check named after name ("Dovecot", ...), a termination signal
    (Interrupted, after the cleanup ran) or any other exception a failed
    check, and the summary line ends the output.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--demo", action="store_true", help="one plain run, with a narrative")
    parser.add_argument("--show-config", action="store_true",
                        help="print the TLS run's configuration with the documented values")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)

    if args.show_config:
        sys.stdout.write(show_config())
        return 0
    install_signal_handlers()
    if args.demo:
        try:
            return demo()
        except Skip as e:
            print("demo: cannot run: %s" % e.reason, file=sys.stderr)
            return EXIT_SKIP if not REQUIRE_TOOLS else 1
        except Interrupted as e:
            print("demo: %s" % e, file=sys.stderr)
            return 1

    r = Results()
    try:
        run_test(r, args.keep)
    except Skip as e:
        r.skip("%s end-to-end test" % name, e.reason)
    except Interrupted as e:
        r.check("test completed", False, str(e))
    except Exception:
        r.check("test ran without an exception", False, traceback.format_exc())
    return r.finish()
