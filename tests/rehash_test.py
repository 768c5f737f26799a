#!/usr/bin/env python3
"""Rehash on login, end to end through the real libpam.

A user with a legacy hash logs in through pam_mailpass (pam_start_confdir,
the built module): afterwards the store holds {ARGON2ID} for that user, the
same password still works, and every other line of the file is byte for byte
what it was.  no_rehash and rehash = no leave the store alone, and a
configuration cheaper than a stored Argon2 hash never rewrites it.

Then 8 processes make 100 logins each, of users with legacy hashes, while
another process changes passwords with `mailpass user passwd`: nothing is
lost, the newest password wins, and the store parses after the run.

Environment (set by make check): MAILPASS_BIN, MAILPASS_PAM_MODULE.
"""

import multiprocessing
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_util as u  # noqa: E402

# The module is loaded into this process: under --enable-sanitizers it
# needs the sanitizer runtimes preloaded.
u.reexec_sanitized()
import pam_ctypes as pam  # noqa: E402

CHEAP = "argon2_opslimit = 1\nargon2_memlimit = 8M\n"
ARGON2ID_CHEAP = "{ARGON2ID}$argon2id$v=19$m=8192,t=1,p=1$"
WORKERS = 8
LOGINS_PER_WORKER = 100
PASSWD_CHANGES = 20


def mailpass(conf, *args, stdin=None):
    return subprocess.run([os.environ["MAILPASS_BIN"], "-c", conf] + list(args),
                          input=stdin, capture_output=True, text=True, timeout=60)


def tool_hash(argv, password):
    """A hash made by a real tool, or None when the tool is missing."""
    try:
        out = subprocess.run(argv, input=password, capture_output=True, text=True,
                             timeout=30)
    except FileNotFoundError:
        return None
    return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else None


def legacy_hashes(password):
    """(label, stored value) pairs of legacy schemes, made at test time."""
    hashes = [("PLAIN", "{PLAIN}" + password)]
    made = tool_hash(["doveadm", "pw", "-s", "SHA512-CRYPT", "-p", password], "")
    hashes.append(("doveadm SHA512-CRYPT", made))
    made = tool_hash(["mkpasswd", "-m", "sha-512", "--stdin"], password)
    hashes.append(("mkpasswd sha-512 (bare $6$)", made))
    made = tool_hash(["openssl", "passwd", "-1", "-stdin"], password)
    hashes.append(("openssl passwd -1 (bare $1$)", made))
    return hashes


class Store:
    def __init__(self, directory, lines, extra_conf=""):
        self.dir = directory
        self.path = os.path.join(directory, "passwd")
        self.conf = os.path.join(directory, "mailpass.conf")
        with open(self.path, "w") as f:
            f.write("".join(line + "\n" for line in lines))
        os.chmod(self.path, 0o600)
        with open(self.conf, "w") as f:
            f.write("store = file:%s\n%s%s" % (self.path, CHEAP, extra_conf))
        with open(os.path.join(directory, "mailpass"), "w") as f:
            f.write("auth required %s conf=%s\n" % (os.environ["MAILPASS_PAM_MODULE"],
                                                   self.conf))
        with open(os.path.join(directory, "mailpass-norehash"), "w") as f:
            f.write("auth required %s conf=%s no_rehash\n" % (
                os.environ["MAILPASS_PAM_MODULE"], self.conf))

    def lines(self):
        with open(self.path) as f:
            return f.read().splitlines()

    def login(self, user, password, service="mailpass"):
        return pam.run(self.dir, service, user, password)[0]


def line_of(lines, user):
    found = [line for line in lines if line.split(":", 1)[0] == user]
    return found[0] if len(found) == 1 else None


def test_rehash_per_scheme(r, tmp):
    password = "Süßes Passwort 7"
    for label, stored in legacy_hashes(password):
        if stored is None:
            r.skip("rehash of " + label, "the tool that makes it is not installed")
            continue
        d = tmp.join("scheme-%d" % len(os.listdir(tmp.path)))
        os.mkdir(d)
        before = ["# users", "first:{PLAIN}one:1000:1000::/home/first::apop={PLAIN}x",
                  "alice:%s:1001:1001:Alice:/home/alice:/bin/false:quota=1G" % stored,
                  "last:{PLAIN}two"]
        s = Store(d, before)
        r.equal(label + ": wrong password refused", s.login("alice", "wrong"),
                pam.PAM_SUCCESS + 7)  # PAM_AUTH_ERR
        r.equal(label + ": store untouched after a wrong password", s.lines(), before)
        r.equal(label + ": no_rehash login", s.login("alice", password, "mailpass-norehash"),
                pam.PAM_SUCCESS)
        r.equal(label + ": no_rehash leaves the store alone", s.lines(), before)
        r.equal(label + ": login", s.login("alice", password), pam.PAM_SUCCESS)
        after = s.lines()
        alice = line_of(after, "alice") or ""
        r.check(label + ": stored value is now {ARGON2ID} at the configured cost",
                alice.startswith("alice:" + ARGON2ID_CHEAP), alice.split(":")[1][:40])
        r.check(label + ": the other fields of the line are kept",
                alice.endswith(":1001:1001:Alice:/home/alice:/bin/false:quota=1G"))
        r.equal(label + ": every other line is byte-identical",
                [line for line in after if not line.startswith("alice:")],
                [line for line in before if not line.startswith("alice:")])
        r.equal(label + ": same password after the rehash", s.login("alice", password),
                pam.PAM_SUCCESS)
        r.equal(label + ": a second login rewrites nothing", s.lines(), after)


def test_no_downgrade(r, tmp):
    d = tmp.join("downgrade")
    os.mkdir(d)
    costly = mailpass("/nonexistent.conf", "hash", stdin="pw\n")  # built-in defaults
    stored = costly.stdout.strip()
    if not r.check("a default-cost Argon2id hash", stored.startswith("{ARGON2ID}$argon2id$")):
        return
    before = ["alice:" + stored]
    s = Store(d, before)
    r.equal("cheaper configuration: login", s.login("alice", "pw"), pam.PAM_SUCCESS)
    r.equal("cheaper configuration never rewrites a costlier Argon2 hash", s.lines(), before)

    d = tmp.join("rehash-no")
    os.mkdir(d)
    before = ["bob:{PLAIN}pw"]
    s = Store(d, before, extra_conf="rehash = no\n")
    r.equal("rehash = no: login", s.login("bob", "pw"), pam.PAM_SUCCESS)
    r.equal("rehash = no leaves {PLAIN} alone", s.lines(), before)


def worker(args):
    """One process: LOGINS_PER_WORKER logins; returns the failures it saw."""
    directory, users, seed = args
    failures = []
    for i in range(LOGINS_PER_WORKER):
        user, password = users[(seed + i) % len(users)]
        code = pam.run(directory, "mailpass", user, password)[0]
        if code != pam.PAM_SUCCESS:
            failures.append("%s: %s" % (user, pam.strerror(code)))
    return failures


def changer(conf, user, rounds):
    """Change user's password rounds times, in order; the last one must win."""
    for n in range(1, rounds + 1):
        out = mailpass(conf, "user", "passwd", user, stdin="changed-%d\n" % n)
        if out.returncode != 0:
            return "user passwd %s #%d: exit %d: %s" % (user, n, out.returncode, out.stderr)
    return None


def test_concurrency(r, tmp):
    d = tmp.join("concurrent")
    os.mkdir(d)
    sha512 = tool_hash(["openssl", "passwd", "-6", "-stdin"], "legacy-pw")
    users, lines = [], ["# concurrent logins"]
    for i in range(16):
        stored = sha512 if (sha512 and i % 2) else "{PLAIN}legacy-pw"
        lines.append("user%02d:%s" % (i, stored))
        users.append(("user%02d" % i, "legacy-pw"))
    lines += ["moving%d:{PLAIN}start" % i for i in range(2)]
    s = Store(d, lines)
    with multiprocessing.Pool(WORKERS + 2) as pool:
        changes = [pool.apply_async(changer, (s.conf, "moving%d" % i, PASSWD_CHANGES))
                   for i in range(2)]
        logins = pool.map(worker, [(d, users, w * 3) for w in range(WORKERS)], chunksize=1)
        change_errors = [c.get(timeout=600) for c in changes]
    failures = [f for fs in logins for f in fs]
    r.check("%d x %d logins all succeeded" % (WORKERS, LOGINS_PER_WORKER), not failures,
            "%d failed, e.g. %s" % (len(failures), failures[:3]))
    r.equal("concurrent user passwd all succeeded", [e for e in change_errors if e], [])
    after = s.lines()
    listed = mailpass(s.conf, "user", "list")
    r.equal("the store parses after the run (user list exit 0)", listed.returncode, 0)
    r.equal("no user lost or duplicated", sorted(listed.stdout.split()),
            sorted([u for u, _ in users] + ["moving0", "moving1"]))
    r.check("every legacy user now holds {ARGON2ID}",
            all((line_of(after, u) or "").startswith(u + ":" + ARGON2ID_CHEAP)
                for u, _ in users))
    for i in range(2):
        user = "moving%d" % i
        r.equal(user + ": the newest password wins",
                s.login(user, "changed-%d" % PASSWD_CHANGES), pam.PAM_SUCCESS)
        r.check(user + ": an older password is refused",
                s.login(user, "changed-%d" % (PASSWD_CHANGES - 1)) != pam.PAM_SUCCESS)
    r.check("no temporary file left", not os.path.exists(s.path + ".tmp"))


def main():
    r = u.Results()
    try:
        u.require("MAILPASS_BIN" in os.environ and "MAILPASS_PAM_MODULE" in os.environ,
                  "run through make check (MAILPASS_BIN, MAILPASS_PAM_MODULE)")
        u.require_file(os.environ["MAILPASS_PAM_MODULE"], "the built PAM module")
        with u.TempDir(prefix="mailpass-rehash.") as tmp:
            test_rehash_per_scheme(r, tmp)
            test_no_downgrade(r, tmp)
            test_concurrency(r, tmp)
    except u.Skip as skip:
        r.skip("rehash tests", skip.reason)
    return r.finish()


if __name__ == "__main__":
    sys.exit(main())
