#!/usr/bin/env python3
"""Crash safety of store writes: writers killed with SIGKILL at random points.

A passwd-file of 20,000 users (so that one write takes long enough to be
hit in the middle) is edited by the mailpass command: user passwd, user
add, user del and import --replace, in turn at random.  Each writer is
killed with SIGKILL after a random delay spread over its whole run (0 to
1.2 times the time a normal run of that command takes, measured first),
200 times.  After every kill:

  - `mailpass check` accepts the store, and so does the test's own strict
    parse of every line;
  - the store is, byte for byte, the old one or the new one: the edited
    users' lines old or new (a new hash must verify with the new password),
    every other line as it was;
  - there is at most one "<store>.tmp" (and one "<store>.stamp.tmp") and
    nothing else new but the store's stamp, and the lock file is still a
    plain file;
  - the next writer (an import that puts the edited users back) finishes,
    leaves no temporary file, writes exactly what it should and stamps the
    store it wrote.

The kills are counted by where they landed: before the temporary file
existed, while it existed (written, not yet renamed over the store), after
the rename, and after the writer had finished; the test requires kills in
the middle.  Then readers (`mailpass verify`) are killed at random and
must leave the directory exactly as it was.

Environment (set by make check): MAILPASS_BIN.  MAILPASS_CRASH_SEED
repeats a run (the seed is printed).
"""

import os
import random
import re
import signal
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_util as u  # noqa: E402

USERS = 20000
WRITER_KILLS = 200
READER_KILLS = 20
# At least this many kills must land between the temporary file and the rename.
MIN_MIDDLE = 5
TIMING_RUNS = 3
PASSWORD = "old-Pa55word"
NEW_PASSWORD = "new-Pa55word"
# {SHA512-CRYPT} of PASSWORD with 1000 rounds (mkpasswd -m sha-512 -R 1000).
SHA512_CRYPT = (b"{SHA512-CRYPT}$6$rounds=1000$crashtestsalt01$dDPs5wz1eTu8Oj9U9AKpcM6WRQ"
                b"Dq1z1GGHTxrXTfZNDtLczKd.8fpJUo4l7DZyrvtssqCQGdft/driZG9lPOl.")
CONF = "store = file:%s\nargon2_opslimit = 1\nargon2_memlimit = 8M\nrehash = no\n"
STORE_MODE = 0o640
# Bounds every run of the command: a writer stuck on the lock fails the test.
TIMEOUT = 30

# A record this test writes: user, a known kind of stored value, up to six more fields.
LINE_RE = re.compile(rb"([A-Za-z0-9._@-]+):(?:\{SHA512-CRYPT\}\$6\$|\{ARGON2ID\}\$argon2id\$)"
                     rb"[A-Za-z0-9$=,./+-]+(?::[^:\r\t\n]*){0,6}")

BIN = os.environ.get("MAILPASS_BIN", "")


class Failure(Exception):
    pass


def mailpass(conf, *args, stdin=None):
    """mailpass -c CONF ARGS to its end, bounded by TIMEOUT."""
    return subprocess.run([BIN, "-c", conf] + list(args), input=stdin,
                          capture_output=True, timeout=TIMEOUT)


def user_of(line):
    return line.split(b":", 1)[0]


def strict_parse(data):
    """The lines of a store this test writes; Failure on anything else."""
    if data and not data.endswith(b"\n"):
        raise Failure("the store does not end with a newline")
    lines = data.split(b"\n")[:-1]
    seen = set()
    for no, line in enumerate(lines, 1):
        if line.startswith(b"#") or line == b"":
            continue
        match = LINE_RE.fullmatch(line)
        if match is None:
            raise Failure("line %d is not a record this test wrote: %r" % (no, line[:60]))
        if match.group(1) in seen:
            raise Failure("line %d: user %r again" % (no, match.group(1)))
        seen.add(match.group(1))
    return lines


class NewHash:
    """The expected new line of a user whose hash the writer makes (salted)."""

    def __init__(self, user, rest):
        self.user = user
        self.rest = rest    # the fields after the password, with their ':'

    def matches(self, line, conf):
        prefix = self.user + b":"
        if not line.startswith(prefix) or not line.endswith(self.rest):
            return False
        stored = line[len(prefix):len(line) - len(self.rest)]
        if not stored.startswith(b"{ARGON2ID}$argon2id$") or b":" in stored:
            return False
        run = subprocess.run([BIN, "-c", conf, "verify", "--hash", stored.decode()],
                             input=(NEW_PASSWORD + "\n").encode(), capture_output=True,
                             timeout=TIMEOUT)
        return run.returncode == 0


def lines_match(got, want, conf):
    """got (bytes lines) is want, whose entries are bytes or NewHash."""
    if len(got) != len(want):
        return False
    for g, w in zip(got, want):
        if isinstance(w, NewHash):
            if not w.matches(g, conf):
                return False
        elif g != w:
            return False
    return True


def model_import(lines, records):
    """What import --replace of records makes of lines: in place, or appended."""
    out = list(lines)
    where = {user_of(line): i for i, line in enumerate(out) if not line.startswith(b"#")}
    for record in records:
        i = where.get(user_of(record))
        if i is None:
            where[user_of(record)] = len(out)
            out.append(record)
        else:
            out[i] = record
    return out


class Store:
    def __init__(self, directory, rng):
        self.dir = directory
        self.path = os.path.join(directory, "passwd")
        self.tmp = self.path + ".tmp"
        self.lock = self.path + ".lock"
        self.stamp = self.path + ".stamp"
        self.conf = os.path.join(directory, "mailpass.conf")
        self.import_file = os.path.join(directory, "import.txt")
        self.rng = rng
        self.added = 0
        with open(self.conf, "w") as f:
            f.write(CONF % self.path)
        run = mailpass(self.conf, "hash", stdin=(PASSWORD + "\n").encode())
        if run.returncode != 0:
            raise Failure("mailpass hash: %r" % run.stderr)
        # A value of PASSWORD made by the command: what the settling imports write.
        self.argon2 = run.stdout.strip()
        lines = [b"# mailpass crash test: %d users" % USERS, b""]
        for i in range(USERS):
            stored = self.argon2 if i % 50 == 0 else SHA512_CRYPT
            extra = b"nologin" if i % 97 == 0 else b"userdb_home=/var/mail/u%05d" % i
            lines.append(b"u%05d:%s:%d:%d:User %d:/var/mail/u%05d::%s" % (
                i, stored, 10000 + i, 10000 + i, i, i, extra))
        self.lines = lines
        self.write(lines)

    def write(self, lines):
        with open(self.path, "wb") as f:
            f.write(self.bytes_of(lines))
        os.chmod(self.path, STORE_MODE)

    def restore(self, lines):
        """After a failure: the store put back to lines, no temporary file."""
        if os.path.lexists(self.tmp):
            os.unlink(self.tmp)
        self.write(lines)
        self.lines = list(lines)

    @staticmethod
    def bytes_of(lines):
        return b"".join(line + b"\n" for line in lines)

    def read(self):
        with open(self.path, "rb") as f:
            return f.read()

    def listing(self):
        return sorted(os.listdir(self.dir))

    def user_indexes(self):
        return [i for i, line in enumerate(self.lines) if line and not line.startswith(b"#")]

    def new_user(self, kind):
        self.added += 1
        return b"%s%05d" % (kind, self.added)

    def settle_line(self, user):
        return user + b":" + self.argon2 + b"::::::"

    # --- One planned edit: the command, and the store before and after it.

    def plan(self, kind):
        """(argv, stdin, want_after, settle_records) for an edit of kind."""
        indexes = self.user_indexes()
        if kind == "passwd":
            i = self.rng.choice(indexes)
            line = self.lines[i]
            user = user_of(line)
            rest = line[len(user) + 1:]
            rest = rest[rest.index(b":"):] if b":" in rest else b""
            after = list(self.lines)
            after[i] = NewHash(user, rest)
            return (["user", "passwd", user.decode()], NEW_PASSWORD, after, [line])
        if kind == "add":
            user = self.new_user(b"added")
            return (["user", "add", user.decode()], NEW_PASSWORD,
                    self.lines + [NewHash(user, b"")], [self.settle_line(user)])
        if kind == "del":
            i = self.rng.choice(indexes)
            line = self.lines[i]
            return (["user", "del", user_of(line).decode()], None,
                    self.lines[:i] + self.lines[i + 1:], [line])
        # import --replace: two users replaced in place and one appended.
        picked = self.rng.sample(indexes, 2)
        old = [self.lines[i] for i in picked]
        records = [user_of(line) + b":" + self.argon2 + b":1:1:imported::" for line in old]
        user = self.new_user(b"imported")
        records.append(user + b":" + self.argon2)
        with open(self.import_file, "wb") as f:
            f.write(self.bytes_of(records))
        return (["import", "--format", "dovecot", "--replace", self.import_file], None,
                model_import(self.lines, records), old + [self.settle_line(user)])


def killable_env():
    """The environment of a run that may be killed: in a sanitizer build,
    without the exit-time leak check, which a SIGKILL would cut short."""
    env = dict(os.environ)
    if env.get("ASAN_OPTIONS"):
        env["ASAN_OPTIONS"] += ":detect_leaks=0"
    return env


def start(store, argv, stdin):
    proc = subprocess.Popen([BIN, "-c", store.conf] + argv, stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=killable_env())
    if stdin is not None:
        proc.stdin.write((stdin + "\n").encode())
    proc.stdin.close()
    # Written and closed before any delay: communicate() has no input to send.
    proc.stdin = None
    return proc


def run_killed(store, argv, stdin, delay):
    """Run argv, SIGKILL it after delay seconds; (killed, exit status, stderr)."""
    proc = start(store, argv, stdin)
    time.sleep(delay)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    try:
        _, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise Failure("%s did not end" % " ".join(argv))
    return proc.returncode == -signal.SIGKILL, proc.returncode, err


def timed(store, argv, stdin):
    t0 = time.monotonic()
    proc = start(store, argv, stdin)
    _, err = proc.communicate(timeout=TIMEOUT)
    if proc.returncode != 0:
        raise Failure("%s: exit %d: %r" % (" ".join(argv), proc.returncode, err))
    return time.monotonic() - t0


class CrashTest:
    def __init__(self, results, store, rng):
        self.r = results
        self.store = store
        self.rng = rng
        self.durations = {}

    def settle(self, current, records, label):
        """The next writer, on the store holding current: an import of records.

        It must finish, leave no temporary file and write exactly the records
        over current; then the store holds what it wrote.
        """
        with open(self.store.import_file, "wb") as f:
            f.write(Store.bytes_of(records))
        run = mailpass(self.store.conf, "import", "--format", "dovecot", "--replace",
                       self.store.import_file)
        if run.returncode != 0:
            raise Failure("%s: the next writer failed: exit %d: %r" % (
                label, run.returncode, run.stderr))
        for leftover in (self.store.tmp, self.store.stamp + ".tmp"):
            if os.path.lexists(leftover):
                raise Failure("%s: the next writer left %s" % (label, leftover))
        want = model_import(current, records)
        if self.store.read() != Store.bytes_of(want):
            raise Failure("%s: the next writer wrote something else" % label)
        if u.store_stamp(self.store.path) != u.stamp_for(self.store.path):
            raise Failure("%s: the next writer left a stamp %r that does not match the "
                          "store (%r)" % (label, u.store_stamp(self.store.path),
                                          u.stamp_for(self.store.path)))
        self.store.lines = want

    def measure(self):
        """The time of a normal run of each kind of writer (median of a few)."""
        for kind in ("passwd", "add", "del", "import"):
            times = []
            for _ in range(TIMING_RUNS):
                argv, stdin, _, settle = self.store.plan(kind)
                times.append(timed(self.store, argv, stdin))
                self.settle(strict_parse(self.store.read()), settle, "timing " + kind)
            self.durations[kind] = sorted(times)[len(times) // 2]
        self.r.note("normal run times: " + ", ".join(
            "%s %.0f ms" % (k, v * 1000) for k, v in self.durations.items()))

    def check_after_kill(self, label, before, after, argv):
        """The store after a kill: parses, old or new, no debris.

        Returns ("old" or "new", the lines of the store).
        """
        store = self.store
        names = store.listing()
        extra = [n for n in names if n not in ("passwd", "passwd.lock", "passwd.tmp",
                                               "passwd.stamp", "passwd.stamp.tmp",
                                               "mailpass.conf", "import.txt")]
        if extra:
            raise Failure("%s: unexpected files %r" % (label, extra))
        if "passwd" not in names:
            raise Failure("%s: the store is gone" % label)
        st = os.lstat(store.lock)
        if not stat.S_ISREG(st.st_mode):
            raise Failure("%s: the lock file is not a plain file" % label)
        try:
            lines = strict_parse(store.read())
        except Failure as e:
            raise Failure("%s: %s" % (label, e)) from None
        check = mailpass(store.conf, "check")
        if check.returncode != 0:
            raise Failure("%s: mailpass check: exit %d: %r %r" % (
                label, check.returncode, check.stdout, check.stderr))
        if (os.stat(store.path).st_mode & 0o7777) != STORE_MODE:
            raise Failure("%s: the store lost its mode" % label)
        if lines == before:
            return "old", lines
        if lines_match(lines, after, store.conf):
            if os.path.lexists(store.tmp):
                raise Failure("%s: the store was replaced, yet a temporary file is left" %
                              label)
            return "new", lines
        changed = [i for i, (a, b) in enumerate(zip(lines, before)) if a != b]
        raise Failure("%s: the store is neither old nor new (%d lines, was %d; first "
                      "difference at line %s) after %s" % (
                          label, len(lines), len(before),
                          changed[0] + 1 if changed else "end", " ".join(argv)))

    def writers(self):
        landed = {"before the temporary file": 0, "temporary file, not renamed": 0,
                  "after the rename": 0, "after the writer finished": 0}
        kinds = ("passwd", "add", "del", "import")
        failures = []
        done = 0
        for n in range(WRITER_KILLS):
            done += 1
            kind = kinds[n % len(kinds)] if n < len(kinds) else self.rng.choice(kinds)
            argv, stdin, after, settle = self.store.plan(kind)
            before = list(self.store.lines)
            delay = self.rng.uniform(0, 1.2 * self.durations[kind])
            label = "kill %d (%s after %.1f ms)" % (n + 1, kind, delay * 1000)
            try:
                killed, status, err = run_killed(self.store, argv, stdin, delay)
                if not killed and status != 0:
                    raise Failure("%s: the writer failed on its own: exit %d: %r" % (
                        label, status, err))
                tmp = os.path.lexists(self.store.tmp)
                state, lines = self.check_after_kill(label, before, after, argv)
                if not killed:
                    if state != "new" or tmp:
                        raise Failure("%s: finished, but the store is %s%s" % (
                            label, state, " and a temporary file is left" if tmp else ""))
                    landed["after the writer finished"] += 1
                elif state == "new":
                    landed["after the rename"] += 1
                elif tmp:
                    landed["temporary file, not renamed"] += 1
                else:
                    landed["before the temporary file"] += 1
                self.settle(lines, settle, label)
            except Failure as e:
                failures.append(str(e))
                # Go on (or to the readers) from the store as it was before this kill.
                self.store.restore(before)
                if len(failures) >= 5:
                    break
        for line in failures:
            self.r.note(line)
        self.r.note("where %d kills landed: %s" % (
            done, ", ".join("%s %d" % kv for kv in landed.items())))
        self.r.check("%d writers killed: the store always parsed, was the old or the new "
                     "one, and the next writer cleaned up" % WRITER_KILLS, not failures,
                     failures[0] if failures else "")
        middle = landed["temporary file, not renamed"]
        self.r.check("kills landed between the temporary file and the rename",
                     middle >= MIN_MIDDLE,
                     "%d, want at least %d" % (middle, MIN_MIDDLE))

    def readers(self):
        """Killed readers leave nothing: not a file, not a change."""
        store = self.store
        users = [user_of(store.lines[i]).decode() for i in store.user_indexes()
                 if not store.lines[i].endswith(b":nologin")]
        # The quickest run: most of a run is starting the process, so the
        # delays stop short of its end for most of the readers to be killed.
        duration = min(timed(store, ["verify", self.rng.choice(users)], PASSWORD)
                       for _ in range(TIMING_RUNS))
        failures = []
        killed_count = 0
        for n in range(READER_KILLS):
            names, data = store.listing(), store.read()
            ino = os.stat(store.path).st_ino
            user = self.rng.choice(users)
            delay = self.rng.uniform(0, duration)
            killed, status, err = run_killed(store, ["verify", user], PASSWORD, delay)
            killed_count += killed
            label = "reader %d (verify %s after %.1f ms)" % (n + 1, user, delay * 1000)
            if not killed and status != 0:
                failures.append("%s: exit %d: %r" % (label, status, err))
            elif store.listing() != names or store.read() != data or \
                    os.stat(store.path).st_ino != ino:
                failures.append("%s: the directory or the store changed" % label)
        for line in failures:
            self.r.note(line)
        self.r.note("readers: %d of %d killed before they finished (%.0f ms a run)" % (
            killed_count, READER_KILLS, duration * 1000))
        self.r.check("%d readers killed at random left the store and its directory as "
                     "they were" % READER_KILLS, not failures, failures[0] if failures else "")
        self.r.check("some readers were killed before they finished", killed_count > 0,
                     "every reader finished before its kill")


def main():
    results = u.Results()
    if not BIN or not os.access(BIN, os.X_OK):
        results.check("MAILPASS_BIN names the mailpass binary", False, repr(BIN))
        return results.finish()
    seed = int(os.environ.get("MAILPASS_CRASH_SEED", "0")) or random.randrange(1, 2 ** 31)
    results.note("seed %d (MAILPASS_CRASH_SEED=%d repeats this run)" % (seed, seed))
    rng = random.Random(seed)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mailpass-crash-") as directory:
        os.chmod(directory, 0o700)
        try:
            store = Store(directory, rng)
            test = CrashTest(results, store, rng)
            test.measure()
            test.writers()
            test.readers()
        except (Failure, subprocess.TimeoutExpired) as e:
            results.check("crash test ran to its end", False, str(e))
    results.note("%.0f s" % (time.monotonic() - started))
    return results.finish()


if __name__ == "__main__":
    sys.exit(main())
