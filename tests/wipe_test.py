#!/usr/bin/env python3
"""Secrets are wiped before their memory goes back to the allocator.

Every process here runs under tests/free-scan.c, an LD_PRELOAD shim that
searches each block given to free(3) or realloc(3) for the test's passwords
and APOP secrets and reports the caller of every block that still holds one.
The processes are the mailpass CLI (user add, passwd, verify, hash, verify
--hash, user apop, apop, import) and tests/hostile-drive, which makes one
login through the real libpam with pam_mailpass (right and wrong password,
debug on, rehash of a {PLAIN} record) and through the real libsasl2 with the
mailpass plugin (PLAIN, LOGIN, sasl_checkapop), and tests/sasl-sequence,
which makes a failed APOP and then AUTH PLAIN or LOGIN on one libsasl2
connection, as a POP3 client may; the drivers wipe their own copies of the
secrets.  Each run must give its expected answers and leave no report.

A control run (Python freeing a bytes object that holds a secret) must be
reported: the proof that the shim sees the heap of the process it is loaded
into.

Skipped under --enable-sanitizers: AddressSanitizer owns free(3) itself.

Environment (set by make check): MAILPASS_BIN, MAILPASS_BUILDDIR,
MAILPASS_PAM_MODULE, MAILPASS_SASL_PLUGIN_DIR.
"""

import hashlib
import os
import subprocess
import sys
import tempfile
import unittest

PASSWORD = "Tr0ub4dor&3-wipe"
NEW_PASSWORD = "c0rrect-h0rse-wipe"
APOP_SECRET = "apop-Secret-77-wipe"
IMPORT_PASSWORD = "imp0rted-cleartext"
SECRETS = [PASSWORD, NEW_PASSWORD, APOP_SECRET, IMPORT_PASSWORD]
TIMESTAMP = "<1896.697170952@dbc.mtview.ca.us>"
CHEAP = "argon2_opslimit = 1\nargon2_memlimit = 8M\n"

BUILDDIR = os.environ.get("MAILPASS_BUILDDIR", ".")
SHIM = os.path.join(BUILDDIR, "tests", ".libs", "libfree-scan.so")
DRIVE = os.path.join(BUILDDIR, "tests", "hostile-drive")
SEQUENCE = os.path.join(BUILDDIR, "tests", "sasl-sequence")


def skip_reason():
    if os.environ.get("MAILPASS_SANITIZER_PRELOAD"):
        return "sanitizer build: AddressSanitizer replaces free(3), the shim cannot"
    for path in (SHIM, DRIVE, SEQUENCE):
        if not os.path.exists(path):
            return "%s is not built (make check builds it)" % path
    return None


def hexed(text):
    return text.encode().hex()


def apop_digest(secret):
    return hashlib.md5((TIMESTAMP + secret).encode()).hexdigest()


class WipeTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="mailpass-wipe-")
        self.dir = self.tmp.name
        self.store = os.path.join(self.dir, "passwd")
        self.key = os.path.join(self.dir, "apop.key")
        self.conf = os.path.join(self.dir, "mailpass.conf")
        self.report = os.path.join(self.dir, "report")
        with open(self.store, "w"):
            pass
        os.chmod(self.store, 0o600)
        with open(self.conf, "w") as f:
            f.write("store = file:%s\n%sapop_key = %s\n" % (self.store, CHEAP, self.key))
        self.run_ok([os.environ["MAILPASS_BIN"], "keygen", self.key], scan=False)
        self.pamdir = os.path.join(self.dir, "pam.d")
        os.mkdir(self.pamdir)
        with open(os.path.join(self.pamdir, "wipe"), "w") as f:
            f.write("auth required %s conf=%s debug\n" % (
                os.environ["MAILPASS_PAM_MODULE"], self.conf))

    def tearDown(self):
        self.tmp.cleanup()

    def env(self):
        env = dict(os.environ)
        env["LD_PRELOAD"] = SHIM
        env["MAILPASS_WIPE_NEEDLES"] = ",".join(s.encode().hex() for s in SECRETS)
        env["MAILPASS_WIPE_REPORT"] = self.report
        return env

    def run_scanned(self, argv, stdin=None, scan=True):
        """Run argv (under the shim when scan); return (exit status, stdout, report lines)."""
        if os.path.exists(self.report):
            os.unlink(self.report)
        out = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=120,
                             env=self.env() if scan else None)
        hits = []
        if os.path.exists(self.report):
            with open(self.report) as f:
                hits = f.read().splitlines()
        return out.returncode, out.stdout + out.stderr, hits

    def run_ok(self, argv, stdin=None, status=0, scan=True):
        code, output, hits = self.run_scanned(argv, stdin, scan)
        self.assertEqual(code, status, "%s: %s" % (argv[1:], output))
        self.assertEqual(hits, [], "%s left a secret in freed memory:\n%s" % (
            argv[1:], "\n".join(hits)))
        return output

    def cli(self, *args, stdin=None, status=0):
        return self.run_ok([os.environ["MAILPASS_BIN"], "-c", self.conf] + list(args),
                           stdin=stdin, status=status)

    def drive(self, *args, status=0):
        """tests/hostile-drive; its data arguments are hex."""
        return self.run_ok([DRIVE] + list(args), status=status)

    def pam(self, user, password, status=0):
        return self.drive("pam", self.pamdir, "wipe", hexed(user), hexed(password),
                          status=status)

    def sasl(self, mech, user, password, status=0):
        plugins = os.environ["MAILPASS_SASL_PLUGIN_DIR"]
        if mech == "plain":
            return self.drive("plain", plugins, self.conf, hexed("\0%s\0%s" % (user, password)),
                              status=status)
        return self.drive("login", plugins, self.conf, hexed(user), hexed(password),
                          status=status)

    def apop(self, user, digest, status=0):
        return self.drive("apop", os.environ["MAILPASS_SASL_PLUGIN_DIR"], self.conf,
                          hexed(TIMESTAMP), hexed("%s %s" % (user, digest)), status=status)

    def sequence(self, *ops):
        """tests/sasl-sequence: ops, each (name, text field...), on one connection; their codes."""
        argv = [SEQUENCE, os.environ["MAILPASS_SASL_PLUGIN_DIR"], self.conf]
        argv += [":".join([op[0]] + [hexed(field) for field in op[1:]]) for op in ops]
        # The codes, one a line; libsasl2's messages are lines that start with their level.
        return [line for line in self.run_ok(argv).splitlines() if line.startswith("SASL_")]

    def write_store_line(self, line):
        with open(self.store, "a") as f:
            f.write(line + "\n")

    def test_control_unwiped_copy_is_reported(self):
        # A bytes object this large is malloc'd, and freed unwiped by del.
        control = "b = (%r * 64).encode(); del b" % PASSWORD
        code, _, hits = self.run_scanned([sys.executable, "-c", control])
        self.assertEqual(code, 0)
        self.assertGreaterEqual(len(hits), 1, hits)

    def test_cli(self):
        self.cli("user", "add", "alice", stdin=PASSWORD + "\n")
        self.cli("verify", "alice", stdin=PASSWORD + "\n")
        self.cli("verify", "alice", stdin="wrong\n", status=1)
        self.cli("user", "passwd", "alice", stdin=NEW_PASSWORD + "\n")
        self.cli("verify", "alice", stdin=NEW_PASSWORD + "\n")
        stored = self.cli("hash", stdin=PASSWORD + "\n").strip()
        self.cli("verify", "--hash", stored, stdin=PASSWORD + "\n")
        self.cli("verify", "--hash", "{PLAIN}" + PASSWORD, stdin="wrong\n", status=1)
        self.cli("user", "apop", "alice", stdin=APOP_SECRET + "\n")
        self.cli("apop", "alice", TIMESTAMP, apop_digest(APOP_SECRET))
        self.cli("apop", "alice", TIMESTAMP, apop_digest("wrong"), status=1)
        self.cli("user", "del", "alice")

    def test_cli_import_cleartext(self):
        source = os.path.join(self.dir, "dovecot-users")
        with open(source, "w") as f:
            f.write("bob:{PLAIN}%s::::::\n" % IMPORT_PASSWORD)
        self.cli("import", "--format", "dovecot", "--apop", source)
        self.cli("verify", "bob", stdin=IMPORT_PASSWORD + "\n")
        with open(self.store) as f:
            self.assertNotIn(IMPORT_PASSWORD, f.read())

    def test_pam(self):
        self.cli("user", "add", "alice", stdin=PASSWORD + "\n")
        self.pam("alice", PASSWORD)
        self.pam("alice", "wrong", status=1)
        self.pam("nobody-here", PASSWORD, status=1)

    def test_pam_rehash_of_cleartext_record(self):
        self.write_store_line("carol:{PLAIN}%s" % PASSWORD)
        self.pam("carol", PASSWORD)
        with open(self.store) as f:
            self.assertIn("carol:{ARGON2ID}", f.read())

    def test_sasl(self):
        self.cli("user", "add", "alice", stdin=PASSWORD + "\n")
        self.cli("user", "apop", "alice", stdin=APOP_SECRET + "\n")
        for mech in ("plain", "login"):
            self.sasl(mech, "alice", PASSWORD)
            self.sasl(mech, "alice", "wrong", status=1)
        self.apop("alice", apop_digest(APOP_SECRET))
        self.apop("alice", apop_digest("wrong"), status=1)

    def test_sasl_apop_then_auth(self):
        # The failed APOP leaves its userPassword request on the connection;
        # the AUTH after it must not have the sealed secret unsealed again.
        self.cli("user", "add", "alice", stdin=PASSWORD + "\n")
        self.cli("user", "apop", "alice", stdin=APOP_SECRET + "\n")
        failed_apop = ("apop", TIMESTAMP, "alice " + apop_digest("wrong"))
        rows = [
            (("plain", "\0alice\0" + PASSWORD), "SASL_OK"),
            (("plain", "\0alice\0wrong"), "SASL_BADAUTH"),
            (("login", "alice", PASSWORD), "SASL_OK"),
            (("login", "alice", "wrong"), "SASL_BADAUTH"),
        ]
        for auth, want in rows:
            with self.subTest(auth=auth[0], want=want):
                self.assertEqual(self.sequence(failed_apop, auth), ["SASL_BADAUTH", want])


if __name__ == "__main__":
    reason = skip_reason()
    if reason is not None:
        print("SKIP: " + reason)
        sys.exit(77)
    unittest.main(verbosity=2)
