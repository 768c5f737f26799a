#!/usr/bin/env python3
"""Tests of the mailpass command, driving the built binary.

Environment:
  MAILPASS_BIN            the mailpass binary to test (required)
  MAILPASS_REQUIRE_TOOLS  "1": a test that would be skipped because doveadm or
                          argon2 is missing fails instead

Each test works in a temporary directory of its own with a mailpass.conf
that names a passwd-file there and a low Argon2 cost.  Every output of every
mailpass run is kept, and the last test makes sure that none of the
passwords and secrets given to mailpass ever appears in one.

Prints "N passed, M failed" (and ", K skipped") at the end; exits non-zero
on any failure.
"""

import os
import pwd
import shutil
import stat
import subprocess
import sys
import unittest

sys.dont_write_bytecode = True   # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_util as u  # noqa: E402
import mailpass_cli as cli  # noqa: E402
from mailpass_cli import mailpass, mailpass_tty  # noqa: E402

# The RFC 1939 APOP example.
APOP_SECRET = "tanstaaf"
APOP_TIMESTAMP = "<1896.697170952@dbc.mtview.ca.us>"
APOP_DIGEST = "c4c9334bac560ecc979e58001b3e22fb"

# Secrets whose printing is the job of the command that printed them (hash
# -s PLAIN --allow-weak prints the password: the stored value is cleartext).
PRINTED_ON_PURPOSE = set()


class MailpassCase(cli.MailpassCase):
    """A temporary directory with mailpass.conf, the store path and helpers.

    What mailpass reads on its standard input is a secret: no output may
    show it.
    """

    tmp_prefix = "mailpass-cli-"
    stdin_is_secret = True

    def add_user(self, user, password):
        self.expect(self.mp("user", "add", user, stdin=password + "\n"), 0)

    def hash_of(self, password, conf=None):
        run = self.mp("hash", stdin=password + "\n", conf=conf)
        self.expect(run, 0)
        return run.stdout.strip()


class HelpTest(MailpassCase):
    COMMANDS = ("hash", "verify", "apop", "user", "check", "stamp", "keygen")

    def test_overview(self):
        for args in (["--help"], ["-h"], ["help"]):
            with self.subTest(args=args):
                run = mailpass(args)
                self.expect(run, 0, "usage: mailpass")
                for command in self.COMMANDS:
                    self.assertIn("\n  " + command + " ", run.stdout)
                self.assertIn("Example session", run.stdout)
                self.assertIn("Exit status", run.stdout)
                self.assertEqual(run.err, b"")

    def test_version(self):
        run = mailpass(["--version"])
        self.expect(run, 0)
        self.assertRegex(run.stdout, r"^mailpass \S+\n$")

    def test_command_help(self):
        rows = [
            ("user --help", ["user", "--help"], ["add", "passwd", "del", "list", "show", "apop"]),
            ("help user", ["help", "user"], ["add", "passwd", "del", "list", "show", "apop"]),
            ("user add --help", ["user", "add", "--help"], ["user add USER"]),
            ("user apop --help", ["user", "apop", "--help"], ["--remove"]),
            ("hash --help", ["hash", "--help"], ["--allow-weak", "ARGON2ID"]),
            ("verify --help", ["verify", "--help"], ["--hash STORED", "USER"]),
            ("apop --help", ["apop", "--help"], ["TIMESTAMP", "DIGEST"]),
            ("check --help", ["check", "--help"], ["apop_key", "group"]),
            ("keygen --help", ["keygen", "--help"], ["0600"]),
        ]
        for label, args, words in rows:
            with self.subTest(label):
                run = mailpass(args)
                self.expect(run, 0, "usage: mailpass")
                for word in words:
                    self.assertIn(word, run.stdout)

    def test_usage_errors(self):
        rows = [
            ("no command", [], "no command"),
            ("unknown command", ["frobnicate"], "unknown command 'frobnicate'"),
            ("unknown long option", ["--frob"], "unknown option '--frob'"),
            ("unknown short option", ["-x", "hash"], "unknown option '-x'"),
            ("-c without file", ["-c"], "needs an argument"),
            ("hash operand", ["hash", "extra"], "takes no arguments"),
            ("hash bad option", ["hash", "--bogus"], "unknown option '--bogus'"),
            ("verify nothing", ["verify"], "exactly one USER"),
            ("verify two users", ["verify", "a", "b"], "exactly one USER"),
            ("verify --hash and two users", ["verify", "--hash", "{PLAIN}x", "alice", "bob"],
             "at most one USER"),
            ("apop one operand", ["apop", "alice"], "USER TIMESTAMP DIGEST"),
            ("user nothing", ["user"], "needs a command"),
            ("user unknown", ["user", "frob"], "unknown user command 'frob'"),
            ("user add nothing", ["user", "add"], "exactly one USER"),
            ("user list operand", ["user", "list", "alice"], "takes no arguments"),
            ("user del --remove", ["user", "del", "--remove", "x"], "unknown option"),
            ("keygen nothing", ["keygen"], "exactly one FILE"),
            ("check operand", ["check", "x"], "takes no arguments"),
            ("help unknown", ["help", "frob"], "unknown command 'frob'"),
        ]
        for label, args, message in rows:
            with self.subTest(label):
                run = self.mp(*args) if args and args[0] != "-c" else mailpass(args)
                self.expect(run, 2, err=message)
                self.assertTrue(run.stderr.startswith("mailpass: "), run)
                self.assertEqual(run.out, b"")


class HashTest(MailpassCase):
    def test_round_trip(self):
        password = "Round trip 1!"
        stored = self.hash_of(password)
        self.assertTrue(stored.startswith("{ARGON2ID}$argon2id$v=19$m=8192,t=1,p=1$"), stored)
        self.assertEqual(stored.count("\n"), 0)
        rows = [
            ("right", password + "\n", 0, "OK"),
            ("right, no newline", password, 0, "OK"),
            ("right, CRLF", password + "\r\n", 0, "OK"),
            ("wrong", "Round trip 2!\n", 1, None),
            ("empty", "\n", 1, None),
        ]
        for label, stdin, code, out in rows:
            with self.subTest(label):
                run = self.mp("verify", "--hash", stored, stdin=stdin)
                self.expect(run, code, out)
                if code == 1:
                    self.assertIn("mailpass: rejected: ", run.stderr)
        # As at a login, an empty password matches no value, not even one of "".
        for stored in ("{PLAIN}", "{PLAIN-MD5}d41d8cd98f00b204e9800998ecf8427e"):
            with self.subTest(stored):
                run = self.mp("verify", "--hash", stored, stdin="\n")
                self.expect(run, 1)
                self.assertIn("mailpass: rejected: empty password", run.stderr)

    def test_salted(self):
        password = "Same password twice"
        self.assertNotEqual(self.hash_of(password), self.hash_of(password))

    def test_schemes(self):
        # ARGON2I needs at least 3 passes.
        conf3 = self.write_conf("argon2i.conf", opslimit=3)
        rows = [
            ("-s ARGON2ID", ["-s", "ARGON2ID"], self.conf, "{ARGON2ID}$argon2id$"),
            ("--scheme argon2id", ["--scheme", "argon2id"], self.conf, "{ARGON2ID}$argon2id$"),
            ("-s ARGON2I", ["-s", "ARGON2I"], conf3, "{ARGON2I}$argon2i$"),
        ]
        for label, args, conf, prefix in rows:
            with self.subTest(label):
                password = "Scheme test " + label
                run = self.mp("hash", *args, stdin=password + "\n", conf=conf)
                self.expect(run, 0, prefix)
                self.assertTrue(run.stdout.startswith(prefix), run)
                stored = run.stdout.strip()
                self.expect(self.mp("verify", "--hash", stored, stdin=password), 0, "OK")
                self.expect(self.mp("verify", "--hash", stored, stdin="Not it at all"), 1)

    def test_refusals(self):
        rows = [
            ("unknown scheme", ["-s", "NOPE"], "Hash refusal 1\n", "unknown scheme 'NOPE'"),
            ("weak scheme", ["-s", "PLAIN"], "Hash refusal 2\n", "--allow-weak"),
            ("weak alias", ["-s", "CLEARTEXT"], "Hash refusal 3\n", "--allow-weak"),
            ("empty password", [], "\n", "empty password"),
            ("no input", [], "", "no password"),
            ("NUL byte", [], "Hash\0refusal\n", "NUL"),
            ("1025 bytes", [], "h" * 1025 + "\n", "password longer than 1024 bytes"),
        ]
        for label, args, stdin, message in rows:
            with self.subTest(label):
                run = self.mp("hash", *args, stdin=stdin)
                self.expect(run, 2, err=message)
                self.assertEqual(run.out, b"")

    def test_allow_weak(self):
        password = "Weak on purpose"
        PRINTED_ON_PURPOSE.add(password.encode())
        run = self.mp("hash", "-s", "PLAIN", "--allow-weak", stdin=password + "\n")
        self.expect(run, 0)
        stored = run.stdout.strip()
        self.assertTrue(stored.startswith("{PLAIN}"), run)
        self.expect(self.mp("verify", "--hash", stored, stdin=password), 0)

    def test_config_optional(self):
        missing = os.path.join(self.dir, "absent.conf")
        run = mailpass(["-c", missing, "hash"], "Default cost\n", secret=True)
        self.expect(run, 0, "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$", "built-in defaults")
        stored = run.stdout.strip()
        self.expect(mailpass(["-c", missing, "verify", "--hash", stored], "Default cost\n",
                             secret=True),
                    0, "OK")

    def test_broken_config(self):
        broken = self.write_file("broken.conf",
                                 "store = file:%s\nno_such_key = 1\n" % self.store)
        for args in (["hash"], ["verify", "--hash", "{PLAIN}x"]):
            with self.subTest(args[0]):
                run = mailpass(["-c", broken] + args, "Broken config\n", secret=True)
                self.expect(run, 2, err="line 2")
                self.assertIn(broken, run.stderr)
                self.assertEqual(run.out, b"")


class VerifyHashTest(MailpassCase):
    PASSWORD = "Dovecot made this"

    def doveadm(self, scheme):
        self.need_tool("doveadm")
        proc = subprocess.run(["doveadm", "pw", "-s", scheme, "-p", self.PASSWORD],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        stored = proc.stdout.strip()
        self.assertTrue(stored.startswith("{%s}" % scheme), stored)
        return stored

    def argon2_cli(self):
        self.need_tool("argon2")
        proc = subprocess.run(["argon2", "SALTSALTSALT", "-id", "-t", "2", "-m", "12",
                               "-p", "4", "-e"], input=self.PASSWORD, capture_output=True,
                              text=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        stored = proc.stdout.strip()
        self.assertTrue(stored.startswith("$argon2id$v=19$m=4096,t=2,p=4$"), stored)
        return stored

    def check_rows(self, stored):
        rows = [
            ("right", self.PASSWORD + "\n", 0),
            ("wrong", "Dovecot made that\n", 1),
            ("prefix of the right one", self.PASSWORD[:-1] + "\n", 1),
        ]
        for label, stdin, code in rows:
            with self.subTest(stored=stored[:20], case=label):
                run = self.mp("verify", "--hash", stored, stdin=stdin)
                self.expect(run, code, "OK" if code == 0 else None)

    def test_doveadm_argon2id(self):
        self.check_rows(self.doveadm("ARGON2ID"))

    def test_doveadm_argon2i(self):
        self.check_rows(self.doveadm("ARGON2I"))

    def test_argon2_cli_four_lanes(self):
        self.check_rows(self.argon2_cli())

    def test_malformed(self):
        good = "{ARGON2ID}$argon2id$v=19$m=8192,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$" \
               "ZmFrZWhhc2hmYWtlaGFzaGZha2VoYXNoZmFrZWhhc2g"
        rows = [
            ("truncated", good[:len(good) // 2]),
            ("truncated hash", good[:-10]),
            ("unknown scheme", "{NOPE}abcdef"),
            ("garbage", "garbage"),
            ("empty", ""),
            ("no closing brace", "{ARGON2ID$argon2id$"),
            ("bad base64 salt", "{ARGON2ID}$argon2id$v=19$m=8192,t=1,p=1$!!!!!!!!!!!$"
             "ZmFrZWhhc2hmYWtlaGFzaGZha2VoYXNoZmFrZWhhc2g"),
            ("bad base64 hash", "$argon2id$v=19$m=8192,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$@@@@"),
            ("bad {PLAIN.b64}", "{PLAIN.b64}not*base64"),
            ("bad version", "$argon2id$v=16$m=8192,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
             "ZmFrZWhhc2hmYWtlaGFzaGZha2VoYXNoZmFrZWhhc2g"),
            ("memory over the ceiling", "$argon2id$v=19$m=4194304,t=1,p=1$"
             "c2FsdHNhbHRzYWx0c2FsdA$ZmFrZWhhc2hmYWtlaGFzaGZha2VoYXNoZmFrZWhhc2g"),
        ]
        for label, stored in rows:
            with self.subTest(label):
                run = self.mp("verify", "--hash", stored, stdin="Malformed test\n")
                self.expect(run, 2, err="mailpass: ")
                self.assertEqual(run.out, b"")

    def test_tool_outputs_truncated(self):
        for label, make in (("doveadm", lambda: self.doveadm("ARGON2ID")),
                            ("argon2", self.argon2_cli)):
            with self.subTest(label):
                stored = make()
                run = self.mp("verify", "--hash", stored[:-5] + "!", stdin=self.PASSWORD)
                self.expect(run, 2)


class CeilingTest(MailpassCase):
    """Cost ceilings of stored values: refused as malformed (exit 2), not computed."""

    PASSWORD = "correct horse"
    SHA512_TAIL = ("$YLSB6axMhbtC0php$HelY5AEBywS.xX0hBvJiaOVgNAiovBtyW1IhqnanZIRGht8"
                   "QYXp6Gu08x3uxl9UO7LxTcAYn8czdagHjERxcs0")
    SHA512_10000 = "$6$rounds=10000" + SHA512_TAIL
    POISONED = "$6$rounds=999999999" + SHA512_TAIL
    BCRYPT_5 = "$2y$05$qmeJEchTyV/TxV6J3CCNgOayqMvrxCklZWZ1NQVkmgGxk.MfOzKU2"
    YESCRYPT_16M = "$y$j9T$NIW0i8MDxDTEyenuUAdT7/$MjQUquyuTE0YS6mX6jhd7WEWnnI9uWKpl1EOSEeFHrA"
    PBKDF2_5000 = "{PBKDF2}$1$xExFG.HenE8ic5f6$5000$cba98199332e9c7b8dc36fa614c22ca2979151d8"
    SCRAM_4096 = ("{SCRAM-SHA-256}4096,XyHbfiSr8qkI1Pq58j/qbg==,"
                  "S3iWHUphkU0AYDHJ9aRqeljfO3OjkGJseJD+QUCGBcw=,"
                  "BsHmZW4jHYIOlHOQSX7rG67ttlLBvqmmilHzMrj2rP8=")

    def refused(self, run, key, stored):
        """Exit 2, the reason names key and says not computed, the value is not shown."""
        self.expect(run, 2, err=key)
        self.assertIn("not computed", run.stderr)
        self.assertEqual(run.out, b"")
        digest = stored.rsplit("$", 1)[-1].rsplit(",", 1)[-1]
        self.assertNotIn(digest, run.stderr)

    def test_default_ceiling(self):
        run = self.mp("verify", "--hash", self.POISONED, stdin=self.PASSWORD)
        self.refused(run, "crypt_max_rounds", self.POISONED)
        self.assertIn("mailpass: unusable stored value: SHA-crypt rounds above "
                      "crypt_max_rounds; not computed", run.stderr)

    def test_lowered_ceilings(self):
        low = self.write_conf("low.conf", "crypt_max_rounds = 9999\nbcrypt_max_cost = 4\n"
                              "yescrypt_max_memlimit = 8M\npbkdf2_max_iterations = 4095\n")
        at = self.write_conf("at.conf", "crypt_max_rounds = 10000\nbcrypt_max_cost = 5\n"
                             "yescrypt_max_memlimit = 16M\npbkdf2_max_iterations = 5000\n")
        rows = [
            ("SHA-crypt", self.SHA512_10000, "crypt_max_rounds"),
            ("{SHA512-CRYPT}", "{SHA512-CRYPT}" + self.SHA512_10000, "crypt_max_rounds"),
            ("bcrypt", self.BCRYPT_5, "bcrypt_max_cost"),
            ("{BLF-CRYPT}", "{BLF-CRYPT}" + self.BCRYPT_5, "bcrypt_max_cost"),
            ("yescrypt", self.YESCRYPT_16M, "yescrypt_max_memlimit"),
            ("PBKDF2", self.PBKDF2_5000, "pbkdf2_max_iterations"),
            ("SCRAM-SHA-256", self.SCRAM_4096, "pbkdf2_max_iterations"),
        ]
        for label, stored, key in rows:
            with self.subTest(label):
                # The default and a ceiling exactly at the value admit it.
                for conf in (self.conf, at):
                    self.expect(self.mp("verify", "--hash", stored, stdin=self.PASSWORD,
                                        conf=conf), 0, "OK")
                run = self.mp("verify", "--hash", stored, stdin=self.PASSWORD, conf=low)
                self.refused(run, key, stored)

    def test_store_user_named(self):
        self.add_user("alice", "Ceiling alice pass")
        with open(self.store, "a") as f:
            f.write("mallory:" + self.POISONED + "\n")
        run = self.mp("verify", "mallory", stdin=self.PASSWORD)
        self.refused(run, "crypt_max_rounds", self.POISONED)
        self.assertIn("mailpass: user mallory: SHA-crypt rounds above crypt_max_rounds; "
                      "not computed", run.stderr)
        self.expect(self.mp("verify", "alice", stdin="Ceiling alice pass"), 0, "OK")

    def test_bad_ceiling_values(self):
        rows = [
            ("crypt_max_rounds = 999", "crypt_max_rounds: 999 is out of range 1000..999999999"),
            ("crypt_max_rounds = lots", "crypt_max_rounds: \"lots\" is not a decimal number"),
            ("bcrypt_max_cost = 32", "bcrypt_max_cost: 32 is out of range 4..31"),
            ("yescrypt_max_memlimit = 0", "yescrypt_max_memlimit: 0 is out of range"),
            ("pbkdf2_max_iterations = 0", "pbkdf2_max_iterations: 0 is out of range"),
        ]
        for line, message in rows:
            with self.subTest(line):
                conf = self.write_conf("bad.conf", line + "\n")
                run = self.mp("verify", "--hash", self.SHA512_10000, stdin=self.PASSWORD,
                              conf=conf)
                self.expect(run, 2, err="line 5: " + message)
                self.assertEqual(run.out, b"")


class UserTest(MailpassCase):
    def test_add_list_show_verify(self):
        self.add_user("alice", "Alice pass 1")
        self.add_user("bob", "Bob pass 1")
        self.expect(self.mp("user", "list"), 0)
        self.assertEqual(self.mp("user", "list").stdout, "alice\nbob\n")
        self.assertEqual(os.stat(self.store).st_mode & 0o022, 0)

        run = self.mp("user", "show", "alice")
        self.expect(run, 0, "user: alice\n")
        for line in ("scheme: ARGON2ID", "state: active", "apop: no"):
            self.assertIn(line, run.stdout)
        self.assertNotIn("$argon2", run.stdout + run.stderr)

        rows = [
            ("right", ["verify", "alice"], "Alice pass 1\n", 0, "OK", None),
            ("wrong", ["verify", "alice"], "Alice pass 2\n", 1, None, "rejected: "),
            ("other's", ["verify", "alice"], "Bob pass 1\n", 1, None, "rejected: "),
            ("empty", ["verify", "alice"], "\n", 1, None, "rejected: "),
            ("unknown user", ["verify", "carol"], "Alice pass 1\n", 1, None, "unknown user"),
            ("no password", ["verify", "alice"], "", 2, None, "no password"),
            ("add existing", ["user", "add", "alice"], "Alice pass 3\n", 2, None, "user exists"),
            ("passwd unknown", ["user", "passwd", "carol"], "Carol pass 1\n", 1, None,
             "unknown user"),
            ("del unknown", ["user", "del", "carol"], "", 1, None, "unknown user"),
            ("show unknown", ["user", "show", "carol"], "", 1, None, "unknown user"),
            ("add empty password", ["user", "add", "carol"], "\n", 2, None, "empty password"),
        ]
        for label, args, stdin, code, out, err in rows:
            with self.subTest(label):
                before = self.store_bytes()
                run = self.mp(*args, stdin=stdin)
                self.expect(run, code, out, err)
                if code != 0 or args[0] == "verify":
                    self.assertEqual(self.store_bytes(), before)

    def test_passwd_and_del(self):
        self.add_user("alice", "Alice old pass")
        self.add_user("bob", "Bob the pass")
        self.expect(self.mp("user", "passwd", "alice", stdin="Alice new pass\n"), 0)
        self.expect(self.mp("verify", "alice", stdin="Alice old pass\n"), 1)
        self.expect(self.mp("verify", "alice", stdin="Alice new pass\n"), 0, "OK")
        self.expect(self.mp("verify", "bob", stdin="Bob the pass\n"), 0, "OK")
        self.expect(self.mp("user", "del", "bob"), 0)
        self.assertEqual(self.mp("user", "list").stdout, "alice\n")
        self.expect(self.mp("verify", "bob", stdin="Bob the pass\n"), 1)
        self.expect(self.mp("user", "del", "bob"), 1)
        self.assertNotIn(b"bob", self.store_bytes())

    def test_disabled_and_locked(self):
        stored = self.hash_of("Disabled pass")
        with open(self.store, "w") as f:
            f.write("carol:%s::::::nologin\n" % stored)
            f.write("dave:!%s\n" % stored)
            f.write("erin:%s\n" % stored)
        os.chmod(self.store, 0o600)
        rows = [
            ("nologin", "carol", 1, "state: disabled (nologin)"),
            ("locked", "dave", 1, "state: locked"),
            ("active", "erin", 0, "state: active"),
        ]
        for label, user, code, state in rows:
            with self.subTest(label):
                self.expect(self.mp("verify", user, stdin="Disabled pass\n"), code)
                self.expect(self.mp("user", "show", user), 0, state)

    def test_rejected_user_names(self):
        self.add_user("alice", "Alice name test")
        rows = [
            ("colon", "a:b"),
            ("space", "a b"),
            ("tab", "a\tb"),
            ("newline", "a\nb"),
            ("control char", "a\x01b"),
            ("DEL", "a\x7fb"),
            ("256 bytes", "u" * 256),
            ("empty", ""),
        ]
        for label, name in rows:
            for command in (["user", "add"], ["user", "passwd"], ["user", "del"],
                            ["user", "apop"], ["verify"]):
                with self.subTest(name=label, command=" ".join(command)):
                    before = self.store_bytes()
                    run = self.mp(*(command + [name]), stdin="Name test pass\n")
                    self.expect(run, 2, err="invalid user name")
                    self.assertEqual(self.store_bytes(), before)
                    self.assertEqual(run.out, b"")

    def test_longest_user_name(self):
        name = "u" * 255
        self.add_user(name, "Long name pass")
        self.assertEqual(self.mp("user", "list").stdout, name + "\n")
        self.expect(self.mp("verify", name, stdin="Long name pass\n"), 0, "OK")

    def test_password_input(self):
        max_password = "p" * 1024
        rows = [
            # label, user, stdin for add, add exit, stdin for verify, verify exit
            ("1024 bytes", "u1024", max_password + "\n", 0, max_password + "\n", 0),
            ("1024 bytes and CRLF", "ucrlf", max_password + "\r\n", 0, max_password, 0),
            ("1025 bytes", "u1025", "p" * 1025 + "\n", 2, None, None),
            ("1025 bytes, no newline", "u1025n", "p" * 1025, 2, None, None),
            ("very long", "ulong", "p" * 100000 + "\n", 2, None, None),
            ("NUL", "unul", "Nul\0pass\n", 2, None, None),
            ("CRLF stripped", "ucr", "Crlf pass\r\n", 0, "Crlf pass\n", 0),
            ("one CR only", "ucr2", "Two cr\r\r\n", 0, "Two cr\r\r\n", 0),
            ("one CR only, not two", "ucr3", "Two cr\r\r\n", 0, "Two cr\n", 1),
            ("no newline", "unonl", "No newline", 0, "No newline\n", 0),
            ("only the first line", "ulines", "First line\nSecond line\n", 0,
             "First line\n", 0),
            ("EOF", "ueof", "", 2, None, None),
        ]
        for label, user, add_stdin, add_code, verify_stdin, verify_code in rows:
            with self.subTest(label):
                before = self.store_bytes()
                run = self.mp("user", "add", user, stdin=add_stdin)
                self.expect(run, add_code)
                if add_code != 0:
                    self.assertEqual(self.store_bytes(), before)
                    self.assertTrue(run.stderr.startswith("mailpass: "), run)
                    continue
                self.expect(self.mp("verify", user, stdin=verify_stdin), verify_code)
        self.assertIn("password longer than 1024 bytes",
                      self.mp("verify", "u1024", stdin="p" * 1025).stderr)
        self.assertIn("NUL", self.mp("verify", "u1024", stdin="a\0b").stderr)

    def test_show_unusable(self):
        """A value a login refuses shows as unusable, with check's reason."""
        self.add_user("alice", "Show pass 1")
        rows = [
            ("badb64", "{SHA}####", "invalid base64 data"),
            ("short", "{SHA256}x", "base64 data is truncated"),
            ("cost", "$2y$31$" + "a" * 53, "bcrypt cost above bcrypt_max_cost; not computed"),
            ("rounds", "$6$rounds=999999999$salt$" + "b" * 86,
             "SHA-crypt rounds above crypt_max_rounds; not computed"),
            ("long", "{PLAIN}" + "p" * 1025, "cleartext password longer than 1024 bytes"),
            ("locked", "!{SHA}####", "invalid base64 data"),
        ]
        with open(self.store, "a") as f:
            f.write("".join("%s:%s\n" % (user, value) for user, value, _ in rows))
        for user, value, reason in rows:
            with self.subTest(user=user):
                check = self.mp("check")
                self.assertIn("user %s: %s" % (user, reason), check.stdout)
                run = self.mp("user", "show", user)
                self.expect(run, 0, "user: %s\nscheme: unusable (%s)\n" % (user, reason))
                self.assertNotIn("rehash:", run.stdout)
                self.assertNotIn(value.lstrip("!"), run.stdout + run.stderr)

    def test_malformed_store_line(self):
        self.add_user("alice", "Malformed line pass")
        with open(self.store, "a") as f:
            f.write("no colon here\n")
        self.add_user("bob", "Malformed line pass 2")
        run = self.mp("user", "list")
        self.expect(run, 2, err="line 2")
        self.assertEqual(run.stdout, "alice\nbob\n")

    def test_rehash(self):
        # Rehash only ever upgrades: a t=1 hash under a t=2 configuration.
        password = "Rehash me"
        stronger = self.write_conf("t2.conf", opslimit=2)
        self.expect(self.mp("user", "add", "alice", stdin=password), 0)
        before = self.store_bytes()
        self.assertIn(b"t=1,", before)
        self.expect(self.mp("user", "show", "alice", conf=stronger), 0, "rehash: pending")
        self.expect(self.mp("verify", "--no-rehash", "alice", stdin=password, conf=stronger),
                    0, "OK")
        self.assertEqual(self.store_bytes(), before)
        self.expect(self.mp("verify", "alice", stdin="Not the password", conf=stronger), 1)
        self.assertEqual(self.store_bytes(), before)
        self.expect(self.mp("verify", "alice", stdin=password, conf=stronger), 0, "OK",
                    "upgraded")
        self.assertIn(b"t=2,", self.store_bytes())
        self.expect(self.mp("user", "show", "alice", conf=stronger), 0, "rehash: no")
        # The cheaper configuration never takes the cost back down.
        after = self.store_bytes()
        self.expect(self.mp("user", "show", "alice"), 0, "rehash: no")
        self.expect(self.mp("verify", "alice", stdin=password), 0, "OK")
        self.assertEqual(self.store_bytes(), after)

    def test_terminal(self):
        self.add_user("alice", "Terminal old")
        run = mailpass_tty(["-c", self.conf, "user", "passwd", "alice"],
                           ["Terminal new", "Terminal new"])
        self.expect(run, 0)
        self.assertIn(b"Password:", run.err)
        self.assertIn(b"Retype password:", run.err)
        self.expect(self.mp("verify", "alice", stdin="Terminal new"), 0)

        before = self.store_bytes()
        run = mailpass_tty(["-c", self.conf, "user", "passwd", "alice"],
                           ["Terminal one", "Terminal two"])
        self.expect(run, 2)
        self.assertIn(b"do not match", run.err)
        self.assertEqual(self.store_bytes(), before)

        run = mailpass_tty(["-c", self.conf, "verify", "alice"], ["Terminal new"])
        self.expect(run, 0, "OK")
        self.assertEqual(run.err.count(b"Password:"), 1)

        run = mailpass_tty(["-c", self.conf, "hash"], ["Terminal hash", "Terminal hash"])
        self.expect(run, 0, "{ARGON2ID}$argon2id$")

        run = mailpass_tty(["-c", self.conf, "verify", "alice"], ["t" * 1100])
        self.expect(run, 2)
        self.assertIn(b"password longer than 1024 bytes", run.err)


class ApopTest(MailpassCase):
    def apop(self, digest=APOP_DIGEST, user="alice", timestamp=APOP_TIMESTAMP):
        return self.mp("apop", user, timestamp, digest)

    def check_vector(self):
        wrong = APOP_DIGEST[:-1] + ("0" if APOP_DIGEST[-1] != "0" else "1")
        rows = [
            ("RFC 1939 vector", {}, 0, "OK", None),
            ("upper-case digest", {"digest": APOP_DIGEST.upper()}, 0, "OK", None),
            ("wrong digest", {"digest": wrong}, 1, None, "rejected: "),
            ("other timestamp", {"timestamp": "<1896.697170953@dbc.mtview.ca.us>"}, 1, None,
             "rejected: "),
            ("31 hex digits", {"digest": APOP_DIGEST[:31]}, 2, None, "32 hex"),
            ("33 hex digits", {"digest": APOP_DIGEST + "0"}, 2, None, "32 hex"),
            ("not hex", {"digest": "g" * 32}, 2, None, "32 hex"),
            ("timestamp without brackets", {"timestamp": "1896.697170952"}, 2, None, None),
            ("unknown user", {"user": "nobody"}, 1, None, "unknown user"),
            ("user without secret", {"user": "bob"}, 1, None, "no APOP secret"),
            ("bad user name", {"user": "a:b"}, 2, None, "invalid user name"),
        ]
        for label, kwargs, code, out, err in rows:
            with self.subTest(label):
                self.expect(self.apop(**kwargs), code, out, err)

    def setup_users(self):
        self.add_user("alice", "Alice apop login")
        self.add_user("bob", "Bob apop login")
        run = self.mp("user", "apop", "alice", stdin=APOP_SECRET + "\n")
        self.expect(run, 0)
        return run

    def test_plain(self):
        run = self.setup_users()
        self.assertIn("cleartext", run.stderr)
        self.check_vector()
        self.expect(self.mp("user", "show", "alice"), 0, "apop: yes, cleartext")
        self.expect(self.mp("verify", "alice", stdin="Alice apop login"), 0)

    def test_sealed(self):
        self.expect(self.mp("keygen", self.key), 0)
        with open(self.conf, "a") as f:
            f.write("apop_key = %s\n" % self.key)
        run = self.setup_users()
        self.assertEqual(run.err, b"")
        data = self.store_bytes()
        self.assertNotIn(APOP_SECRET.encode(), data)
        self.assertIn(b"{SECRETBOX}", data)
        self.check_vector()
        run = self.mp("user", "show", "alice")
        self.expect(run, 0, "apop: yes, sealed")
        # The same store without the key: sealed secrets cannot be opened.
        nokey = self.write_conf("nokey.conf")
        self.expect(self.mp("apop", "alice", APOP_TIMESTAMP, APOP_DIGEST, conf=nokey), 2,
                    err="apop_key")

    def test_remove_and_replace(self):
        self.setup_users()
        self.expect(self.apop(), 0)
        self.expect(self.mp("user", "apop", "alice", stdin="Another secret\n"), 0)
        self.expect(self.apop(), 1)
        self.expect(self.mp("user", "apop", "--remove", "alice"), 0)
        self.expect(self.apop(), 1, err="no APOP secret")
        self.expect(self.mp("user", "show", "alice"), 0, "apop: no")
        self.expect(self.mp("verify", "alice", stdin="Alice apop login"), 0)
        rows = [
            ("unknown user", ["user", "apop", "nobody"], APOP_SECRET, 1),
            ("remove unknown user", ["user", "apop", "--remove", "nobody"], "", 1),
            ("empty secret", ["user", "apop", "alice"], "\n", 2),
            ("1025 bytes", ["user", "apop", "alice"], "s" * 1025 + "\n", 2),
            ("NUL", ["user", "apop", "alice"], "Apop\0secret\n", 2),
        ]
        for label, args, stdin, code in rows:
            with self.subTest(label):
                before = self.store_bytes()
                self.expect(self.mp(*args, stdin=stdin), code)
                self.assertEqual(self.store_bytes(), before)


class StampTest(MailpassCase):
    """mailpass stamp: the store's stamp after a hand edit (shared/store-stamp.h)."""

    def expected_stamp(self):
        return u.stamp_for(self.store)

    def stamp_bytes(self):
        return u.store_stamp(self.store)

    def test_writes_stamp(self):
        self.add_user("alice", "Stamp pass 1")
        # user add stamped the store it wrote.
        self.assertEqual(self.stamp_bytes(), self.expected_stamp())
        with open(self.store, "a") as f:
            f.write("bob:{PLAIN}hand-added\n")
        self.assertNotEqual(self.stamp_bytes(), self.expected_stamp())
        note = "note: %s.stamp is missing or older than the store" % self.store
        self.expect(self.mp("check"), 0, note)
        before = self.store_bytes()
        self.expect(self.mp("stamp"), 0)
        self.assertEqual(self.stamp_bytes(), self.expected_stamp())
        self.assertEqual(self.store_bytes(), before)
        run = self.mp("check")
        self.expect(run, 0)
        self.assertNotIn("note:", run.stdout)
        self.expect(self.mp("verify", "bob", stdin=b"hand-added\n"), 0)

    def test_duplicate_refused(self):
        self.add_user("alice", "Stamp pass 1")
        with open(self.store, "a") as f:
            f.write("alice:{PLAIN}second\n")
        stale = self.stamp_bytes()
        run = self.mp("stamp")
        self.expect(run, 2, err="user appears more than once in the store")
        self.assertIn(self.store, run.stderr)
        self.assertEqual(self.stamp_bytes(), stale)
        self.assertNotEqual(stale, self.expected_stamp())
        # Still refused at login: the old stamp does not match the edited file.
        self.expect(self.mp("verify", "alice", stdin=b"second\n"), 2)

    def test_errors(self):
        run = self.mp("stamp")
        self.expect(run, 2)
        self.assertIsNone(self.stamp_bytes())
        self.expect(self.mp("stamp", "extra"), 2, err="stamp takes no arguments")
        self.expect(self.mp("stamp", "--help"), 0, "usage: mailpass [-c CONF] stamp")


class KeygenTest(MailpassCase):
    def test_keygen(self):
        run = mailpass(["keygen", self.key])
        self.expect(run, 0)
        st = os.stat(self.key)
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o600)
        self.assertEqual(st.st_size, 32)
        with open(self.key, "rb") as f:
            key = f.read()
        run = mailpass(["keygen", self.key])
        self.expect(run, 2, err="refusing to overwrite")
        with open(self.key, "rb") as f:
            self.assertEqual(f.read(), key)
        other = os.path.join(self.dir, "other.key")
        self.expect(mailpass(["keygen", other]), 0)
        with open(other, "rb") as f:
            self.assertNotEqual(f.read(), key)

    def test_keygen_errors(self):
        rows = [
            ("missing directory", os.path.join(self.dir, "no", "such", "key"), "cannot create"),
            ("empty name", "", "non-empty"),
        ]
        for label, path, message in rows:
            with self.subTest(label):
                self.expect(mailpass(["keygen", path]), 2, err=message)


class CheckTest(MailpassCase):
    def clean_setup(self):
        self.expect(self.mp("keygen", self.key), 0)
        with open(self.conf, "a") as f:
            f.write("apop_key = %s\n" % self.key)
        self.add_user("alice", "Check pass 1")
        self.add_user("bob", "Check pass 2")
        self.expect(self.mp("user", "apop", "alice", stdin=APOP_SECRET), 0)
        os.chmod(self.store, 0o640)

    def test_clean(self):
        self.clean_setup()
        run = self.mp("check")
        self.expect(run, 0, "0 errors, 0 warnings")
        self.assertNotIn("error:", run.stdout)

    def test_findings(self):
        rows = [
            # label, change, want exit, want output
            ("group-writable store", lambda: os.chmod(self.store, 0o660), 2,
             "error: store file %s is writable by group (mode 0660); run: chmod 0640 %s\n"
             % (self.store, self.store)),
            ("world-writable store", lambda: os.chmod(self.store, 0o666), 2,
             "chmod 0640 " + self.store),
            ("world-readable store", lambda: os.chmod(self.store, 0o644), 0,
             "warning: store file " + self.store + " is readable by others"),
            ("key readable by group", lambda: os.chmod(self.key, 0o640), 2,
             "error: apop_key file %s is readable by group (mode 0640); run: chmod 0600 %s\n"
             % (self.key, self.key)),
            ("directory writable by group", lambda: os.chmod(self.dir, 0o770), 2,
             "error: directory of the store %s is writable by group (mode 0770); run: "
             "chmod go-w %s\n" % (self.dir, self.dir)),
            ("directory writable by all, sticky", lambda: os.chmod(self.dir, 0o1777), 0,
             "0 errors, 0 warnings"),
            ("store_owner names no account",
             lambda: self.append(self.conf, "store_owner = mp-no-such-account\n"), 2,
             "error: store_owner mp-no-such-account names no account of this system"),
            ("store_owner not a name",
             lambda: self.append(self.conf, "store_owner = -x\n"), 2,
             "store_owner: \"-x\" is not an account name"),
            ("key of 31 bytes", lambda: self.rewrite(self.key, b"k" * 31), 2,
             "not exactly 32"),
            ("key missing", lambda: os.unlink(self.key), 2, "mailpass keygen"),
            ("malformed line", lambda: self.append(self.store, "no colon here\n"), 2,
             "line 3"),
            ("duplicate user", lambda: self.append(self.store, "alice:{PLAIN}x\n"), 2,
             "user alice appears on lines 1 and 3"),
            ("unknown scheme", lambda: self.append(self.store, "carol:{NOPE}xyz\n"), 2,
             "line 3: user carol: unknown password scheme"),
            ("{PLAIN} password no login can give",
             lambda: self.append(self.store, "carol:{PLAIN}%s\n" % ("p" * 1025)), 2,
             "line 3: user carol: cleartext password longer than 1024 bytes"),
            ("store missing", lambda: os.unlink(self.store), 2, "does not exist"),
            ("no apop_key for sealed secrets", lambda: self.write_conf("mailpass.conf"), 2,
             "no apop_key"),
            ("broken config", lambda: self.append(self.conf, "scheme = NOPE\n"), 2,
             "line 6"),
            ("stale temporary file", lambda: self.append(self.store + ".tmp", "half\n"), 0,
             "warning: %s.tmp is left from an interrupted write" % self.store),
            ("group-writable config", lambda: os.chmod(self.conf, 0o664), 2,
             "error: %s: configuration file %s is writable by group (mode 0664); run: "
             "chmod 0644 %s\n" % (self.conf, self.conf, self.conf)),
        ]
        for label, change, code, message in rows:
            with self.subTest(label):
                shutil.rmtree(self.dir)
                os.mkdir(self.dir, 0o700)
                self.conf = self.write_conf("mailpass.conf")
                self.clean_setup()
                change()
                run = self.mp("check")
                self.expect(run, code, message)
                self.assertRegex(run.stdout, r"\d+ errors?, \d+ warnings?\n$")

    def test_owners(self):
        """Files of another account: refused, unless store_owner names it."""
        need_root(self)
        nobody = pwd.getpwnam("nobody")
        rows = [
            # label, store_owner, files handed to nobody, want exit, want output
            ("store of nobody", "", ["store"], 2,
             "error: store file %s is owned by uid %d (nobody), not root or the account "
             "this process runs as; run: chown root %s, or set store_owner = nobody in "
             "mailpass.conf\n" % (self.store, nobody.pw_uid, self.store)),
            ("key of nobody", "", ["key"], 2,
             "error: apop_key file %s is owned by uid %d (nobody)" % (self.key, nobody.pw_uid)),
            ("directory of nobody", "", ["dir"], 2,
             "error: directory of the store %s is owned by uid %d (nobody)"
             % (self.dir, nobody.pw_uid)),
            ("store, key and directory of nobody, store_owner = nobody", "nobody",
             ["store", "key", "dir"], 0, "0 errors, 0 warnings"),
            ("store of nobody, store_owner = daemon", "daemon", ["store"], 2,
             "not root, store_owner daemon or the account this process runs as"),
        ]
        for label, owner, files, code, message in rows:
            with self.subTest(label):
                shutil.rmtree(self.dir)
                os.mkdir(self.dir, 0o700)
                self.conf = self.write_conf("mailpass.conf")
                self.clean_setup()
                if owner:
                    self.append(self.conf, "store_owner = %s\n" % owner)
                paths = {"store": self.store, "key": self.key, "dir": self.dir}
                for name in files:
                    os.chown(paths[name], nobody.pw_uid, nobody.pw_gid)
                run = self.mp("check")
                self.expect(run, code, message)

    @staticmethod
    def rewrite(path, data):
        with open(path, "wb") as f:
            f.write(data)

    @staticmethod
    def append(path, text):
        with open(path, "a") as f:
            f.write(text)


def need_root(case):
    """Skip case unless root runs it (fail instead under MAILPASS_REQUIRE_TOOLS=1)."""
    if os.geteuid() != 0:
        cli.skip_or_fail(case, "handing files to another account needs root")


class PermissionTest(MailpassCase):
    """Every command that uses the store refuses unsafe files, as the adapters do."""

    def setUp(self):
        super().setUp()
        self.add_user("alice", "Perm pass 1")
        os.chmod(self.store, 0o640)

    def test_store_modes(self):
        refused = "store file %s is writable by group (mode 0660); run: chmod 0640 %s" % (
            self.store, self.store)
        warned = ("mailpass: warning: store file %s is readable by others (mode 0644); "
                  "run: chmod 0640 %s\n" % (self.store, self.store))
        imported = self.write_file("import.in", "bob:{PLAIN}Perm pass 2\n")
        rows = [
            # label, mode, args, stdin, want exit, want stdout, want stderr
            ("verify, 0640", 0o640, ["verify", "alice"], "Perm pass 1\n", 0, "OK", None),
            ("verify, 0660", 0o660, ["verify", "alice"], "Perm pass 1\n", 2, None, refused),
            ("verify, 0644: accepted, with a warning", 0o644, ["verify", "alice"],
             "Perm pass 1\n", 0, "OK", warned),
            ("user add, 0660", 0o660, ["user", "add", "bob"], "Perm pass 2\n", 2, None,
             refused),
            ("user list, 0666", 0o666, ["user", "list"], "", 2, None,
             "store file %s is writable by group and readable and writable by others "
             "(mode 0666); run: chmod 0640 %s" % (self.store, self.store)),
            ("audit, 0660", 0o660, ["audit"], "", 2, None, refused),
            ("import, 0660", 0o660, ["import", "--format", "dovecot", imported], "", 2, None,
             refused),
            # Every command that opens the store warns alike (mailpass(1), OUTPUT).
            ("import, 0644: used, with a warning", 0o644,
             ["import", "--format", "dovecot", imported], "", 0, "imported: 1", warned),
            ("audit, 0644: used, with a warning", 0o644, ["audit"], "", 0, "users: 2", warned),
            ("audit --json, 0644: used, with a warning", 0o644, ["audit", "--json"], "", 0,
             '"users": 2', warned),
            ("user show, 0644: used, with a warning", 0o644, ["user", "show", "alice"], "", 0,
             "scheme: ARGON2ID", warned),
        ]
        for label, mode, args, stdin, code, out, err in rows:
            with self.subTest(label):
                os.chmod(self.store, mode)
                before = self.store_bytes()
                run = self.mp(*args, stdin=stdin)
                self.expect(run, code, out, err)
                if code != 0:
                    self.assertNotIn("OK", run.stdout)
                    self.assertEqual(self.store_bytes(), before)
                if err == warned:
                    self.assertEqual(run.stderr.count("warning:"), 1, run)
                if mode == 0o640:
                    self.assertEqual(run.err, b"")

    def test_key_mode(self):
        self.expect(self.mp("keygen", self.key), 0)
        with open(self.conf, "a") as f:
            f.write("apop_key = %s\n" % self.key)
        os.chmod(self.key, 0o640)
        run = self.mp("verify", "alice", stdin="Perm pass 1\n")
        self.expect(run, 2, None, "apop_key file %s is readable by group (mode 0640); "
                    "run: chmod 0600 %s" % (self.key, self.key))

    def test_store_owner(self):
        """Cyrus's layout: the store of another account, named by store_owner."""
        need_root(self)
        nobody = pwd.getpwnam("nobody")
        os.chown(self.store, nobody.pw_uid, nobody.pw_gid)
        run = self.mp("verify", "alice", stdin="Perm pass 1\n")
        self.expect(run, 2, None, "run: chown root %s, or set store_owner = nobody"
                    % self.store)
        with open(self.conf, "a") as f:
            f.write("store_owner = nobody\n")
        self.expect(self.mp("verify", "alice", stdin="Perm pass 1\n"), 0, "OK")
        self.expect(self.mp("user", "passwd", "alice", stdin="Perm pass 3\n"), 0)
        st = os.stat(self.store)
        self.assertEqual((st.st_uid, stat.S_IMODE(st.st_mode)), (nobody.pw_uid, 0o640))
        self.expect(self.mp("audit"), 0)


class MissingConfigTest(MailpassCase):
    def test_store_commands(self):
        missing = os.path.join(self.dir, "absent.conf")
        rows = [
            ("verify", ["verify", "alice"], "Missing conf pass\n"),
            ("apop", ["apop", "alice", APOP_TIMESTAMP, APOP_DIGEST], ""),
            ("user add", ["user", "add", "alice"], "Missing conf pass\n"),
            ("user passwd", ["user", "passwd", "alice"], "Missing conf pass\n"),
            ("user del", ["user", "del", "alice"], ""),
            ("user list", ["user", "list"], ""),
            ("user show", ["user", "show", "alice"], ""),
            ("user apop", ["user", "apop", "alice"], APOP_SECRET + "\n"),
            ("check", ["check"], ""),
        ]
        for label, args, stdin in rows:
            with self.subTest(label):
                run = mailpass(["-c", missing] + args, stdin, secret=True)
                self.expect(run, 2)
                self.assertIn(missing, run.stdout + run.stderr)
                self.assertIn("does not exist", run.stdout + run.stderr)
                self.assertFalse(os.path.exists(self.store))

    def test_unreadable_store_path(self):
        bad = self.write_file("bad.conf", "store = file:relative/path\n")
        run = self.mp("user", "list", conf=bad)
        self.expect(run, 2, err="absolute path")


class LeakTest(unittest.TestCase):
    """Runs last: no secret given to mailpass appears in any of its outputs."""

    def test_no_secret_in_output(self):
        self.assertGreater(len(cli.OUTPUTS), 50)
        self.assertIn(APOP_SECRET.encode(), cli.SECRETS)
        for secret in sorted(cli.SECRETS - PRINTED_ON_PURPOSE):
            for label, out, err in cli.OUTPUTS:
                with self.subTest(command=label, secret=secret[:40]):
                    self.assertNotIn(secret, out)
                    self.assertNotIn(secret, err)


if __name__ == "__main__":
    sys.exit(cli.run_suite((HelpTest, HashTest, VerifyHashTest, CeilingTest, UserTest, ApopTest,
                            StampTest, KeygenTest, CheckTest, PermissionTest, MissingConfigTest),
                           LeakTest("test_no_secret_in_output")))
