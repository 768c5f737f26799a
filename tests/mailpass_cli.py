"""Running the built mailpass command in unittest tests (tests/cli_test.py,
tests/migration_test.py).

Standard library only.  What is here:

  BIN, REQUIRE_TOOLS  the binary (MAILPASS_BIN) and whether a skip is a
                      failure (MAILPASS_REQUIRE_TOOLS=1)
  OUTPUTS, SECRETS    every (label, stdout, stderr) of a run, and the secrets
                      no output may show (a test's LeakTest searches them)
  Run, mailpass,
  mailpass_tty        one run, with stdin from bytes or from a terminal
  skip_or_fail        a missing prerequisite skips, or fails under
                      MAILPASS_REQUIRE_TOOLS=1
  MailpassCase        a test case with a temporary directory holding
                      mailpass.conf, the store path and helpers
  run_suite           the main program: runs the cases, prints the summary
                      line "N passed, M failed" (", K skipped")
"""

import collections
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

BIN = os.environ.get("MAILPASS_BIN", "")
REQUIRE_TOOLS = os.environ.get("MAILPASS_REQUIRE_TOOLS") == "1"
# The time limit of one run (an import of many users takes a while).
RUN_TIMEOUT = 300

# Every (label, stdout, stderr) of a mailpass run, and every secret no
# output of one may show.
OUTPUTS = []
SECRETS = set()


class Run(collections.namedtuple("Run", "args code out err")):
    """The outcome of one mailpass run: its arguments, exit status, stdout and stderr."""

    __slots__ = ()

    @property
    def stdout(self):
        return self.out.decode("utf-8", "replace")

    @property
    def stderr(self):
        return self.err.decode("utf-8", "replace")

    def __repr__(self):
        return "mailpass %r -> exit %d, stdout %r, stderr %r" % (
            self.args, self.code, self.stdout, self.stderr)


def remember_secret(data):
    """Remember the line(s) of data as secrets the outputs must not show."""
    if isinstance(data, str):
        data = data.encode()
    for line in data.split(b"\n"):
        line = line.rstrip(b"\r")
        if len(line) >= 4:
            SECRETS.add(line)


def mailpass(args, stdin=b"", secret=False):
    """Run mailpass with args and stdin (bytes or str; not a terminal).

    secret: the lines of stdin are secrets (remember_secret).
    """
    if isinstance(stdin, str):
        stdin = stdin.encode()
    if secret and stdin:
        remember_secret(stdin)
    proc = subprocess.run([BIN] + list(args), input=stdin, capture_output=True,
                          timeout=RUN_TIMEOUT)
    OUTPUTS.append((" ".join(map(str, args)), proc.stdout, proc.stderr))
    return Run(args, proc.returncode, proc.stdout, proc.stderr)


PROMPT = re.compile(rb"(?:[Pp]assword|APOP secret): ")


def mailpass_tty(args, answers=()):
    """Run mailpass with a terminal as stdin and stderr.

    answers: the lines to type (secrets), each once its prompt has shown
    (typing ahead would be flushed, as it is meant to be).  Returns the Run
    (stdout is a pipe; err holds what the terminal showed).
    """
    master, slave = pty.openpty()
    proc = subprocess.Popen([BIN] + list(args), stdin=slave, stdout=subprocess.PIPE,
                            stderr=slave, close_fds=True)
    os.close(slave)
    shown = b""
    answered = 0
    for answer in answers:
        remember_secret(answer)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
            while answered < len(answers) and answered < len(PROMPT.findall(shown)):
                os.write(master, answers[answered].encode() + b"\n")
                answered += 1
        elif proc.poll() is not None:
            break
    if proc.poll() is None:
        proc.kill()
    out = proc.stdout.read()
    proc.wait(timeout=60)
    os.close(master)
    OUTPUTS.append(("(tty) " + " ".join(args), out, shown))
    return Run(args, proc.returncode, out, shown)


def skip_or_fail(case, reason):
    """Skip case for reason; fail it instead under MAILPASS_REQUIRE_TOOLS=1."""
    if REQUIRE_TOOLS:
        case.fail(reason + " (MAILPASS_REQUIRE_TOOLS=1)")
    case.skipTest(reason)


class MailpassCase(unittest.TestCase):
    """A temporary directory with mailpass.conf, the store path and helpers.

    Subclasses may set tmp_prefix (the directory's name), conf_extra (lines
    added to mailpass.conf) and stdin_is_secret (mp() remembers the lines of
    its stdin as secrets).
    """

    tmp_prefix = "mailpass-test-"
    conf_extra = ""
    stdin_is_secret = False

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix=self.tmp_prefix)
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.store = os.path.join(self.dir, "passwd")
        self.key = os.path.join(self.dir, "apop.key")
        self.conf = self.write_conf("mailpass.conf", self.conf_extra)

    def path(self, name):
        return os.path.join(self.dir, name)

    def write_file(self, name, text):
        """Write text (str or bytes) to the file name in the directory; its path."""
        path = self.path(name)
        with open(path, "wb") as f:
            f.write(text.encode() if isinstance(text, str) else text)
        return path

    def write_conf(self, name, extra="", opslimit=1):
        return self.write_file(name, "# mailpass.conf for a test\n"
                               "store = file:%s\n"
                               "argon2_opslimit = %d\n"
                               "argon2_memlimit = 8M\n" % (self.store, opslimit) + extra)

    def mp(self, *args, stdin=b"", conf=None, secret=None):
        """mailpass -c CONF ARGS with stdin (secret: by default stdin_is_secret)."""
        if secret is None:
            secret = self.stdin_is_secret
        return mailpass(["-c", conf or self.conf] + list(args), stdin, secret)

    def need_tool(self, *names):
        for name in names:
            if shutil.which(name) is None:
                skip_or_fail(self, "%s is not installed" % name)

    def expect(self, run, code, out=None, err=None):
        """Check the exit status and that out/err are in stdout/stderr."""
        self.assertEqual(run.code, code, "got exit %d, want %d: %r" % (run.code, code, run))
        if out is not None:
            self.assertIn(out, run.stdout, "stdout lacks %r: %r" % (out, run))
        if err is not None:
            self.assertIn(err, run.stderr, "stderr lacks %r: %r" % (err, run))

    def store_bytes(self):
        """The store file's content, or None when there is none."""
        try:
            with open(self.store, "rb") as f:
                return f.read()
        except FileNotFoundError:
            return None


def test_id(test):
    """The test method a result entry belongs to (a subtest counts for its test)."""
    return getattr(test, "test_case", test).id()


def run_suite(cases, last):
    """The main program: every test of cases, then the test last; the exit status.

    Prints each skipped test with its reason and the summary line "N passed,
    M failed" (", K skipped"), counting a test once whatever its subtests
    did.  Without MAILPASS_BIN naming an executable, one failure.
    """
    if not BIN or not os.access(BIN, os.X_OK):
        print("MAILPASS_BIN must name the mailpass binary (got %r)" % BIN)
        print("0 passed, 1 failed")
        return 1
    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    for case in cases:
        suite.addTests(loader.loadTestsFromTestCase(case))
    suite.addTest(last)

    result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    failed = {test_id(t) for t, _ in result.failures + result.errors}
    failed |= {test_id(t) for t in result.unexpectedSuccesses}
    skipped = {test_id(t) for t, _ in result.skipped} - failed
    for test, reason in result.skipped:
        print("skipped %s: %s" % (test_id(test), reason))
    passed = result.testsRun - len(failed) - len(skipped)
    summary = "%d passed, %d failed" % (passed, len(failed))
    if skipped:
        summary += ", %d skipped" % len(skipped)
    print(summary)
    return 1 if failed else 0
