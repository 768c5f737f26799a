#!/usr/bin/env python3
"""The hostile-input catalogue: one table, every entry point, every log.

Each row of ROWS below is one hostile input: its id, what it is, the kind of
input, the bytes, and the exact outcome expected at every entry point that
can receive it:

  cli verify       mailpass -c CONF verify USER, the password on stdin
  cli verify-hash  mailpass -c CONF verify --hash STORED, the password on stdin
  cli user-add     mailpass -c CONF user add USER, the password on stdin
  cli apop         mailpass -c CONF apop USER TIMESTAMP DIGEST
  cli check        mailpass -c CONF check
  pam              pam_authenticate() through the real libpam and
                   pam_mailpass.so (option debug), by tests/hostile-drive
  sasl PLAIN       sasl_server_start("PLAIN") through the real libsasl2 and
                   libmailpass.so; the whole client message is the row's
  sasl LOGIN       sasl_server_start("LOGIN") and two steps
  sasl APOP        sasl_checkapop() with the mailpass auxprop

An entry point that cannot receive a row's bytes is left out of the row,
and the test checks that every row names exactly the entry points that can
receive it (see applicable()): a NUL byte cannot be a command-line argument
or a PAM item (both are C strings), so those rows go through stdin and SASL
only.

The kinds: a user name (tried with alice's right password and APOP
digest), a password (for alice), APOP input (user, timestamp, digest), a
whole SASL PLAIN message, a stored value (alice's password field), an APOP
field (alice's apop=), the text of the store, what the store path is, the
text of mailpass.conf, and what the mailpass.conf path is.

Outcomes are exact:
  "exit N: TEXT"        the mailpass exit status, and TEXT in its output
  "CODE RESULT (TEXT)"  the PAM or SASL code tests/hostile-drive printed; the
                        core result in the module's or plugin's outcome line
                        ("-": no outcome line, the input was refused before
                        the core); TEXT somewhere in what the run logged.
                        For sasl APOP, RESULT is what the auxprop logged:
                        "given" (the APOP secret was handed to libsasl2),
                        "none" (the user has no usable secret), a core result
                        name, or "-" (the auxprop was not asked).
An authentication never succeeds on a hostile row, except where the row
says why the secret is right after all: libsasl2 trims blanks around a SASL
user name (U06, U16); the CLI reads one line, so a CR before the newline is
its line end (P04); scheme names are case-insensitive, as in Dovecot (S32);
sasl_checkapop takes the server's own challenge as it is (A08); the CLI
reads hex digits in either case (A14); a broken line of another user does
not lock alice out (L03).  Commands that manage users may succeed where the
input is valid for them; the test then checks that the name or password was
stored whole.

Every run has a time limit (RUN_TIMEOUT) and a memory bound (its peak RSS,
from wait4(2), must stay below RSS_LIMIT_KIB); a run killed by a signal is a
failure.  The rows with the kind "store shape" or "conf shape" named
"unreadable" run every entry point as nobody (uid 65534), since root reads
anything.

Secrets in logs: each row works in a directory of its own, where
tests/syslog-capture.c (preloaded into every process) writes what is sent
to syslog(3) (pam_syslog with debug on) and tests/hostile-drive writes what
libsasl2 hands its log callback.  After each row, those files, and the
stdout and stderr of every run (the CLI's messages), are searched for every
password, APOP secret, stored value (whole and after its {SCHEME} prefix)
and APOP key used in the test: any hit fails the row, naming the log.

Controls: the right passwords and digests are accepted through every entry
point, so that the rejections mean something; the log search finds a
secret planted in a log; the harness sees a large peak RSS, a hang and a
crash.

Environment (set by make check): MAILPASS_BIN, MAILPASS_BUILDDIR,
MAILPASS_PAM_MODULE, MAILPASS_SYSLOG_SHIM, MAILPASS_SASL_PLUGIN_DIR;
MAILPASS_SANITIZER_PRELOAD in a --enable-sanitizers build;
MAILPASS_REQUIRE_TOOLS=1 turns a skip into a failure.
"""

import base64
import collections
import hashlib
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

BIN = os.environ.get("MAILPASS_BIN", "")
BUILDDIR = os.environ.get("MAILPASS_BUILDDIR", ".")
PAM_MODULE = os.environ.get("MAILPASS_PAM_MODULE", "")
SYSLOG_SHIM = os.environ.get("MAILPASS_SYSLOG_SHIM", "")
PLUGIN_DIR = os.environ.get("MAILPASS_SASL_PLUGIN_DIR", "")
DRIVE = os.path.join(BUILDDIR, "tests", "hostile-drive")
SANITIZER_PRELOAD = os.environ.get("MAILPASS_SANITIZER_PRELOAD", "").split()
REQUIRE_TOOLS = os.environ.get("MAILPASS_REQUIRE_TOOLS") == "1"

NOBODY = 65534

# Bounds of one run.  Sanitizer runtimes need more of both.
RUN_TIMEOUT = 30 if not SANITIZER_PRELOAD else 120
RSS_LIMIT_KIB = 200 * 1024 if not SANITIZER_PRELOAD else 1024 * 1024
# A safety net: a row that made a process allocate gigabytes fails on this
# limit instead of taking the machine's memory (not with a sanitizer, whose
# shadow memory is address space).
ADDRESS_SPACE_LIMIT = 2 * 1024 * 1024 * 1024

# The good store.  None of these may ever be logged.
PW_ALICE = b"alice-Hostile-pw-1"
PW_BOB = b"bob-Hostile-pw-3"
PW_CAROL = b"carol-Hostile-pw-5"
PW_NEW = b"new-Hostile-pw-6"
APOP_ALICE = b"alice-apop-Hostile-2"
APOP_BOB = b"bob-apop-Hostile-4"
HASH_BOB = (b"$6$rounds=1000$HostileSaltBob$pMTZsbjaEmjwYrrBHkfHg25AG1kGR2upAQ3ua0W1dIs9"
            b"khhB0pFYOWgrUX99vOf0Q8LMIQAey7bAbW3/IysET1")
STORE_BOB = b"bob:" + HASH_BOB + b"::::::apop={PLAIN}" + APOP_BOB + b"\n"
STORE_CAROL = b"carol:{PLAIN}" + PW_CAROL + b"\n"

# RFC 1939's timestamp, and the right digests with it.
TS = b"<1896.697170952@dbc.mtview.ca.us>"


def apop_digest(secret, timestamp=TS):
    return hashlib.md5(timestamp + secret).hexdigest().encode()


DIGEST_ALICE = apop_digest(APOP_ALICE)
DIGEST_BOB = apop_digest(APOP_BOB)

CONF_TEMPLATE = (b"store = file:@DIR@/passwd\n"
                 b"argon2_opslimit = 1\n"
                 b"argon2_memlimit = 8M\n"
                 b"rehash = no\n"
                 b"apop_key = @DIR@/apop.key\n")
# Without the key (root's 0600 key file is closed to nobody).
CONF_NO_KEY = b"store = file:@DIR@/passwd\nargon2_opslimit = 1\nargon2_memlimit = 8M\n"

# --- Entry points.

CLI_VERIFY = "cli verify"
CLI_HASH = "cli verify-hash"
CLI_ADD = "cli user-add"
CLI_APOP = "cli apop"
CLI_CHECK = "cli check"
PAM = "pam"
PLAIN = "sasl PLAIN"
LOGIN = "sasl LOGIN"
APOP = "sasl APOP"
CLI_POINTS = (CLI_VERIFY, CLI_HASH, CLI_ADD, CLI_APOP, CLI_CHECK)
# The order of the runs of a row: user add last, since it may change the store.
POINT_ORDER = (CLI_VERIFY, CLI_HASH, CLI_APOP, CLI_CHECK, PAM, PLAIN, LOGIN, APOP, CLI_ADD)

# --- Kinds of input.

USER = "user name"            # data: the name; tried with alice's password
PASSWORD = "password"         # data: a password for alice
APOP_INPUT = "APOP input"     # data: (user, timestamp, digest)
PLAIN_MESSAGE = "PLAIN message"  # data: the whole client message of SASL PLAIN
STORED = "stored value"       # data: alice's password field
APOP_FIELD = "APOP field"     # data: the value of alice's apop= field
STORE_TEXT = "store text"     # data: the whole passwd-file
STORE_SHAPE = "store shape"   # data: what the store path is
CONF_TEXT = "conf text"       # data: mailpass.conf (@DIR@: the row's directory)
CONF_SHAPE = "conf shape"     # data: what the mailpass.conf path is


def applicable(kind, data):
    """The entry points that can receive data of kind."""
    if isinstance(data, tuple):
        has_nul = any(b"\0" in part for part in data)
    else:
        has_nul = isinstance(data, bytes) and b"\0" in data
    if kind == USER:
        points = {CLI_VERIFY, CLI_ADD, CLI_APOP, PAM, PLAIN, LOGIN, APOP}
        if has_nul:
            points -= {CLI_VERIFY, CLI_ADD, CLI_APOP, PAM}
        return points
    if kind == PASSWORD:
        return {CLI_VERIFY, CLI_ADD, PLAIN, LOGIN} | (set() if has_nul else {PAM})
    if kind == PLAIN_MESSAGE:
        return {PLAIN}
    if kind == APOP_INPUT:
        return {APOP} | (set() if has_nul else {CLI_APOP})
    if kind == STORED:
        return {CLI_VERIFY, CLI_CHECK, PAM, PLAIN, LOGIN} | (
            set() if has_nul or b"\n" in data else {CLI_HASH})
    if kind == APOP_FIELD:
        return {CLI_APOP, CLI_CHECK, APOP}
    if kind in (STORE_TEXT, STORE_SHAPE):
        return {CLI_VERIFY, CLI_ADD, CLI_APOP, CLI_CHECK, PAM, PLAIN, LOGIN, APOP}
    if kind in (CONF_TEXT, CONF_SHAPE):
        return {CLI_VERIFY, CLI_CHECK, PAM, PLAIN, LOGIN, APOP}
    raise ValueError(kind)


Row = collections.namedtuple("Row", "id what kind data expect")


def row(row_id, what, kind, data, *expects):
    expect = {}
    for part in expects:
        expect.update(part)
    return Row(row_id, what, kind, data, expect)


# --- Outcome bundles, to keep the rows short.  Each is exact.

def cli_name(reason):
    """The CLI refuses the user name argument."""
    text = "exit 2: invalid user name: " + reason
    return {CLI_VERIFY: text, CLI_ADD: text, CLI_APOP: text}


def cli_usage(text):
    text = "exit 2: " + text
    return {CLI_VERIFY: text, CLI_ADD: text, CLI_APOP: text}


def logins(pam, sasl, login=None):
    return {PAM: pam, PLAIN: sasl, LOGIN: login if login is not None else sasl}


def core_refuses_name(reason):
    """pam, PLAIN and LOGIN pass the name to the core, which refuses it."""
    return logins("PAM_AUTH_ERR MALFORMED (%s)" % reason,
                  "SASL_BADAUTH MALFORMED (%s)" % reason)


UNKNOWN_LOGINS = logins("PAM_USER_UNKNOWN USER_UNKNOWN (unknown user)",
                        "SASL_NOUSER USER_UNKNOWN (unknown user)")
MISMATCH_LOGINS = logins("PAM_AUTH_ERR MISMATCH (password mismatch)",
                         "SASL_BADAUTH MISMATCH (password mismatch)")


def stored_refused(reason):
    """Alice's stored value is unusable: MALFORMED everywhere, never computed."""
    return {
        CLI_VERIFY: "exit 2: user alice: " + reason,
        CLI_HASH: "exit 2: unusable stored value: " + reason,
        CLI_CHECK: "exit 2: user alice: " + reason,
        **logins("PAM_AUTH_ERR MALFORMED (%s)" % reason,
                 "SASL_BADAUTH MALFORMED (%s)" % reason),
    }


def stored_line_refused(reason):
    """Alice's store line, with the value in it, does not parse."""
    return {
        CLI_VERIFY: "exit 2: user alice: " + reason,
        CLI_CHECK: "exit 2: line 3: " + reason,
        **logins("PAM_AUTH_ERR MALFORMED (%s)" % reason,
                 "SASL_BADAUTH MALFORMED (%s)" % reason),
    }


def apop_field_refused(reason):
    """Alice's APOP secret is unusable: MALFORMED, and no secret reaches libsasl2."""
    return {
        CLI_APOP: "exit 2: " + reason,
        CLI_CHECK: "exit 2: user alice: " + reason,
        APOP: "SASL_BADAUTH MALFORMED (%s)" % reason,
    }


def conf_refused(message, check=None):
    """mailpass.conf is unusable: every entry point fails closed, naming the problem."""
    return {
        CLI_VERIFY: "exit 2: " + message,
        CLI_CHECK: "exit 2: " + (check or message),
        PAM: "PAM_AUTHINFO_UNAVAIL UNAVAILABLE (%s)" % message,
        PLAIN: "SASL_UNAVAIL UNAVAILABLE (%s)" % message,
        LOGIN: "SASL_UNAVAIL UNAVAILABLE (%s)" % message,
        APOP: "SASL_UNAVAIL - (%s)" % message,
    }


def store_unavailable(reason, check, add=None):
    """The store cannot be read: UNAVAILABLE everywhere, never a rejection."""
    return {
        CLI_VERIFY: "exit 2: " + reason,
        CLI_ADD: "exit 2: " + (add or reason),
        CLI_APOP: "exit 2: " + reason,
        CLI_CHECK: "exit 2: " + check,
        **logins("PAM_AUTHINFO_UNAVAIL UNAVAILABLE (%s)" % reason,
                 "SASL_UNAVAIL UNAVAILABLE (%s)" % reason),
        APOP: "SASL_UNAVAIL UNAVAILABLE (%s)" % reason,
    }


# Filler for long secrets: distinct from any log text, so that a part of one
# that reached a log would be found.
def filler(marker, size):
    unit = b"Hostile-secret-" + marker + b"-"
    return (unit * (size // len(unit) + 1))[:size]


ARGON2_TAIL = b"$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA"
SHA512_TAIL = b"$HostileSalt$" + b"a" * 86
BCRYPT_TAIL = b"HostileSaltHostileSalt" + b"b" * 31
YESCRYPT_TAIL = b"$HostileSalt$" + b"c" * 43
PBKDF2_HEX = b"0123456789abcdef0123456789abcdef01234567"
SCRAM_TAIL = (b",SG9zdGlsZVNhbHQ=,"
              + base64.b64encode(b"K" * 32) + b"," + base64.b64encode(b"S" * 32))

# The store of the STORE_TEXT rows, around alice's line (filled in setUpModule).
GOOD = {}

ROWS = [
    # --- User names, tried with alice's right password (and her digest).
    row("U01", "NUL inside the user name", USER, b"alice\0evil",
        {PLAIN: "SASL_BADPROT - (malformed message (3 NUL bytes, RFC 4616 wants 2))",
         LOGIN: "SASL_BADPROT - (user name contains a NUL byte)",
         APOP: "SASL_BADPROT - (Bad Digest)"}),
    row("U02", "NUL right after a valid user name", USER, b"alice\0",
        {PLAIN: "SASL_BADPROT - (malformed message (3 NUL bytes, RFC 4616 wants 2))",
         LOGIN: "SASL_BADPROT - (user name contains a NUL byte)",
         APOP: "SASL_BADPROT - (Bad Digest)"}),
    row("U03", "':' inside the user name", USER, b"alice:evil",
        cli_name("user name contains ':'"), core_refuses_name("user name contains ':'"),
        {APOP: "SASL_BADAUTH MALFORMED (user name contains ':')"}),
    row("U04", "':' as the whole user name", USER, b":",
        cli_name("user name contains ':'"), core_refuses_name("user name contains ':'"),
        {APOP: "SASL_BADAUTH MALFORMED (user name contains ':')"}),
    row("U05", "CR LF inside the user name", USER, b"ali\r\nce",
        cli_name("user name contains white space"),
        core_refuses_name("user name contains white space"),
        {APOP: "SASL_BADAUTH MALFORMED (user name contains white space)"}),
    row("U06", "CR LF after the user name: libsasl2 trims blanks around a name, so "
        "SASL checks (and reports) alice, whose password this is", USER, b"alice\r\n",
        cli_name("user name contains white space"),
        {PAM: "PAM_AUTH_ERR MALFORMED (user name contains white space)",
         PLAIN: "SASL_OK OK (password accepted)", LOGIN: "SASL_OK OK (password accepted)",
         APOP: "SASL_OK given"}),
    row("U07", "empty user name", USER, b"",
        cli_name("user name is empty"),
        {PAM: "PAM_USER_UNKNOWN - (cannot determine the user name)",
         PLAIN: "SASL_BADPARAM - (empty authentication identity)",
         LOGIN: "SASL_BADPARAM - (empty user name)",
         APOP: "SASL_FAIL - (All-whitespace username)"}),
    row("U08", "user name of MP_USER_MAX + 1 = 256 bytes", USER, b"u" * 256,
        cli_name("user name is longer than 255 bytes"),
        {PAM: "PAM_AUTH_ERR MALFORMED (user name is longer than 255 bytes)",
         PLAIN: "SASL_BADPARAM - (authentication identity longer than 255 bytes)",
         LOGIN: "SASL_BADPARAM - (user name longer than 255 bytes)",
         APOP: "SASL_BADAUTH MALFORMED (user name is longer than 255 bytes)"}),
    row("U09", "user name of MP_USER_MAX = 255 bytes (valid, unknown)", USER, b"u" * 255,
        {CLI_VERIFY: "exit 1: rejected: unknown user", CLI_ADD: "exit 0",
         CLI_APOP: "exit 1: rejected: unknown user",
         APOP: "SASL_NOUSER USER_UNKNOWN (unknown user)"}, UNKNOWN_LOGINS),
    row("U10", "user name of 64 KiB (libsasl2 refuses it for APOP itself)", USER,
        b"u" * 65536,
        cli_name("user name is longer than 255 bytes"),
        {PAM: "PAM_AUTH_ERR MALFORMED (user name is longer than 255 bytes)",
         PLAIN: "SASL_BADPARAM - (authentication identity longer than 255 bytes)",
         LOGIN: "SASL_BADPARAM - (user name longer than 255 bytes)",
         APOP: "SASL_BUFOVER -"}),
    row("U11", "invalid UTF-8 in the user name (bytes, not a character set)", USER,
        b"\xff\xfealice\xc3",
        {CLI_VERIFY: "exit 1: rejected: unknown user", CLI_ADD: "exit 0",
         CLI_APOP: "exit 1: rejected: unknown user",
         APOP: "SASL_NOUSER USER_UNKNOWN (unknown user)"}, UNKNOWN_LOGINS),
    row("U12", "overlong UTF-8 encoding of ':' is not a ':'", USER, b"alice\xc0\xbaevil",
        {CLI_VERIFY: "exit 1: rejected: unknown user", CLI_ADD: "exit 0",
         CLI_APOP: "exit 1: rejected: unknown user",
         APOP: "SASL_NOUSER USER_UNKNOWN (unknown user)"}, UNKNOWN_LOGINS),
    row("U13", "'/' and '..' in the user name (no path is made of it)", USER,
        b"../../etc/passwd",
        {CLI_VERIFY: "exit 1: rejected: unknown user", CLI_ADD: "exit 0",
         CLI_APOP: "exit 1: rejected: unknown user",
         APOP: "SASL_NOUSER USER_UNKNOWN (unknown user)"}, UNKNOWN_LOGINS),
    row("U14", "leading '-': an option to the CLI, a name elsewhere", USER, b"-alice",
        cli_usage("unknown option '-a'"),
        {APOP: "SASL_NOUSER USER_UNKNOWN (unknown user)"}, UNKNOWN_LOGINS),
    row("U15", "white space inside the user name", USER, b"al ice",
        cli_name("user name contains white space"),
        core_refuses_name("user name contains white space"),
        {APOP: "SASL_BADAUTH MALFORMED (user name contains white space)"}),
    row("U16", "leading blank: libsasl2 trims it, and checks alice", USER, b" alice",
        cli_name("user name contains white space"),
        {PAM: "PAM_AUTH_ERR MALFORMED (user name contains white space)",
         PLAIN: "SASL_OK OK (password accepted)", LOGIN: "SASL_OK OK (password accepted)",
         APOP: "SASL_OK given"}),
    row("U17", "TAB inside the user name", USER, b"al\tice",
        cli_name("user name contains white space"),
        core_refuses_name("user name contains white space"),
        {APOP: "SASL_BADAUTH MALFORMED (user name contains white space)"}),
    row("U18", "DEL (0x7f) inside the user name", USER, b"al\x7fice",
        cli_name("user name contains a control character"),
        core_refuses_name("user name contains a control character"),
        {APOP: "SASL_BADAUTH MALFORMED (user name contains a control character)"}),
    row("U19", "ESC sequence in the user name (terminal injection)", USER,
        b"alice\x1b[2J",
        cli_name("user name contains a control character"),
        core_refuses_name("user name contains a control character"),
        {APOP: "SASL_BADAUTH MALFORMED (user name contains a control character)"}),
    row("U20", "user name starting with '#' (a comment in a passwd-file)", USER, b"#alice",
        {CLI_VERIFY: "exit 1: rejected: unknown user",
         CLI_ADD: "exit 2: would be a comment in a passwd-file",
         CLI_APOP: "exit 1: rejected: unknown user",
         APOP: "SASL_NOUSER USER_UNKNOWN (unknown user)"}, UNKNOWN_LOGINS),
    row("U21", "user name differing only in case", USER, b"ALICE",
        {CLI_VERIFY: "exit 1: rejected: unknown user", CLI_ADD: "exit 0",
         CLI_APOP: "exit 1: rejected: unknown user",
         APOP: "SASL_NOUSER USER_UNKNOWN (unknown user)"}, UNKNOWN_LOGINS),
    row("U22", "printf directives in the user name", USER, b"%s%n%x%n%s",
        {CLI_VERIFY: "exit 1: rejected: unknown user", CLI_ADD: "exit 0",
         CLI_APOP: "exit 1: rejected: unknown user",
         APOP: "SASL_NOUSER USER_UNKNOWN (unknown user)"},
        logins("PAM_USER_UNKNOWN USER_UNKNOWN (user=%s%n%x%n%s)",
               "SASL_NOUSER USER_UNKNOWN (user=%s%n%x%n%s)")),
    row("U23", "UTF-8 byte order mark before alice's name (an invisible second alice)",
        USER, b"\xef\xbb\xbfalice",
        cli_name("user name contains a UTF-8 byte order mark (U+FEFF)"),
        core_refuses_name("user name contains a UTF-8 byte order mark (U+FEFF)"),
        {APOP: "SASL_BADAUTH MALFORMED (user name contains a UTF-8 byte order mark (U+FEFF))"}),

    # --- Passwords for alice.
    row("P01", "alice's password, then NUL and more: never cut at the NUL", PASSWORD,
        PW_ALICE + b"\0" + filler(b"P01", 16),
        {CLI_VERIFY: "exit 2: password contains a NUL byte",
         CLI_ADD: "exit 2: password contains a NUL byte",
         PLAIN: "SASL_BADPROT - (malformed message (3 NUL bytes, RFC 4616 wants 2))",
         LOGIN: "SASL_BADPROT - (password contains a NUL byte)"}),
    row("P02", "NUL, then alice's password", PASSWORD, b"\0" + PW_ALICE,
        {CLI_VERIFY: "exit 2: password contains a NUL byte",
         CLI_ADD: "exit 2: password contains a NUL byte",
         PLAIN: "SASL_BADPROT - (malformed message (3 NUL bytes, RFC 4616 wants 2))",
         LOGIN: "SASL_BADPROT - (password contains a NUL byte)"}),
    row("P03", "CR LF inside the password (the CLI reads the first line only)", PASSWORD,
        PW_ALICE[:5] + b"\r\n" + PW_ALICE[5:],
        {CLI_VERIFY: "exit 1: rejected: password mismatch", CLI_ADD: "exit 0"},
        MISMATCH_LOGINS),
    row("P04", "alice's password and a CR: to the CLI a CRLF line end, so her password; "
        "elsewhere part of the password", PASSWORD, PW_ALICE + b"\r",
        {CLI_VERIFY: "exit 0: OK", CLI_ADD: "exit 0"}, MISMATCH_LOGINS),
    row("P05", "alice's password and a blank: nothing is trimmed", PASSWORD,
        PW_ALICE + b" ",
        {CLI_VERIFY: "exit 1: rejected: password mismatch", CLI_ADD: "exit 0"},
        MISMATCH_LOGINS),
    row("P06", "password of 64 KiB", PASSWORD, filler(b"P06", 65536),
        {CLI_VERIFY: "exit 2: password longer than 1024 bytes",
         CLI_ADD: "exit 2: password longer than 1024 bytes",
         PAM: "PAM_AUTH_ERR MALFORMED (password longer than the limit)",
         PLAIN: "SASL_BADPARAM - (password longer than 1024 bytes)",
         LOGIN: "SASL_BADPARAM - (password longer than 1024 bytes)"}),
    row("P07", "password of MP_PASSWORD_MAX = 1024 bytes (valid, wrong)", PASSWORD,
        filler(b"P07", 1024),
        {CLI_VERIFY: "exit 1: rejected: password mismatch", CLI_ADD: "exit 0"},
        MISMATCH_LOGINS),
    row("P08", "password of MP_PASSWORD_MAX + 1 = 1025 bytes", PASSWORD,
        filler(b"P08", 1025),
        {CLI_VERIFY: "exit 2: password longer than 1024 bytes",
         CLI_ADD: "exit 2: password longer than 1024 bytes",
         PAM: "PAM_AUTH_ERR MALFORMED (password longer than the limit)",
         PLAIN: "SASL_BADPARAM - (password longer than 1024 bytes)",
         LOGIN: "SASL_BADPARAM - (password longer than 1024 bytes)"}),
    row("P09", "empty password", PASSWORD, b"",
        {CLI_VERIFY: "exit 1: rejected: empty password",
         CLI_ADD: "exit 2: empty password",
         PAM: "PAM_AUTH_ERR MISMATCH (empty password)",
         PLAIN: "SASL_BADPARAM - (empty password)",
         LOGIN: "SASL_BADPARAM - (empty password)"}),
    row("P10", "invalid UTF-8 in the password", PASSWORD,
        b"\xff\xfe\xc0\x80" + filler(b"P10", 12) + b"\xed\xa0\x80",
        {CLI_VERIFY: "exit 1: rejected: password mismatch", CLI_ADD: "exit 0"},
        MISMATCH_LOGINS),
    row("P11", "alice's stored hash given as her password (pass the hash)", PASSWORD,
        None,   # filled in setUpModule
        {CLI_VERIFY: "exit 1: rejected: password mismatch", CLI_ADD: "exit 0"},
        MISMATCH_LOGINS),
    row("P12", "printf directives in the password", PASSWORD, b"%s%n%x%n%s-Hostile-P12",
        {CLI_VERIFY: "exit 1: rejected: password mismatch", CLI_ADD: "exit 0"},
        MISMATCH_LOGINS),

    # --- APOP input: (user, timestamp, digest).
    row("A01", "digest of 31 hex digits", APOP_INPUT, (b"alice", TS, DIGEST_ALICE[:31]),
        {CLI_APOP: "exit 2: APOP digest is not 32 hex digits",
         APOP: "SASL_BADPROT - (Bad Digest)"}),
    row("A02", "digest of 33 hex digits", APOP_INPUT, (b"alice", TS, DIGEST_ALICE + b"0"),
        {CLI_APOP: "exit 2: APOP digest is not 32 hex digits",
         APOP: "SASL_BADPROT - (Bad Digest)"}),
    row("A03", "digest with a non-hex digit", APOP_INPUT,
        (b"alice", TS, b"g" + DIGEST_ALICE[1:]),
        {CLI_APOP: "exit 2: APOP digest is not 32 hex digits",
         APOP: "SASL_BADPROT - (Bad Digest)"}),
    row("A04", "empty digest", APOP_INPUT, (b"alice", TS, b""),
        {CLI_APOP: "exit 2: APOP digest is not 32 hex digits",
         APOP: "SASL_BADPROT - (Bad Digest)"}),
    row("A05", "wrong digest", APOP_INPUT, (b"alice", TS, b"0" * 32),
        {CLI_APOP: "exit 1: rejected: APOP digest mismatch", APOP: "SASL_BADAUTH given"}),
    row("A06", "digest made with alice's login password, not her APOP secret", APOP_INPUT,
        (b"alice", TS, apop_digest(PW_ALICE)),
        {CLI_APOP: "exit 1: rejected: APOP digest mismatch", APOP: "SASL_BADAUTH given"}),
    row("A07", "digest made with an empty secret (computable by anyone)", APOP_INPUT,
        (b"alice", TS, apop_digest(b"")),
        {CLI_APOP: "exit 1: rejected: APOP digest mismatch", APOP: "SASL_BADAUTH given"}),
    row("A08", "timestamp without angle brackets, with its own right digest: the CLI "
        "refuses it; sasl_checkapop takes the server's own challenge as it is", APOP_INPUT,
        (b"alice", TS[1:-1], apop_digest(APOP_ALICE, TS[1:-1])),
        {CLI_APOP: "exit 2: APOP timestamp is not of the form <...>",
         APOP: "SASL_OK given"}),
    row("A09", "CR LF inside the timestamp", APOP_INPUT,
        (b"alice", b"<1896.697170952\r\n@dbc.mtview.ca.us>", DIGEST_ALICE),
        {CLI_APOP: "exit 2: APOP timestamp contains a control character",
         APOP: "SASL_BADAUTH given"}),
    row("A10", "timestamp of 64 KiB", APOP_INPUT,
        (b"alice", b"<" + b"t" * 65534 + b">", DIGEST_ALICE),
        {CLI_APOP: "exit 2: APOP timestamp is empty or too long",
         APOP: "SASL_BADAUTH given"}),
    row("A11", "empty timestamp", APOP_INPUT, (b"alice", b"", DIGEST_ALICE),
        {CLI_APOP: "exit 2: APOP timestamp is empty or too long",
         APOP: "SASL_BADAUTH given"}),
    row("A12", "user without an APOP secret", APOP_INPUT,
        (b"carol", TS, apop_digest(PW_CAROL)),
        {CLI_APOP: "exit 1: rejected: no APOP secret for this user",
         APOP: "SASL_NOUSER none (no APOP secret for this user)"}),
    row("A13", "unknown user", APOP_INPUT, (b"mallory", TS, DIGEST_ALICE),
        {CLI_APOP: "exit 1: rejected: unknown user",
         APOP: "SASL_NOUSER USER_UNKNOWN (unknown user)"}),
    row("A14", "the right digest in upper-case hex: the CLI reads hex in either case, "
        "libsasl2 wants the lower case of RFC 1939", APOP_INPUT,
        (b"alice", TS, DIGEST_ALICE.upper()),
        {CLI_APOP: "exit 0: OK", APOP: "SASL_BADPROT - (Bad Digest)"}),
    row("A15", "NUL inside the user of the APOP response", APOP_INPUT,
        (b"alice\0bob", TS, DIGEST_ALICE),
        {APOP: "SASL_BADPROT - (Bad Digest)"}),

    # --- Alice's stored password field; she types her right password.
    row("S01", "unknown scheme", STORED, b"{NOSUCH}Hostile-S01-data",
        stored_refused("unknown password scheme")),
    row("S02", "'{' without '}'", STORED, b"{ARGON2ID$argon2id$v=19$m=8192,t=1,p=1" + ARGON2_TAIL,
        stored_refused("stored value has '{' but no '}'")),
    row("S03", "empty {}", STORED, b"{}Hostile-S03-data",
        stored_refused("stored value has an empty or overlong {SCHEME}")),
    row("S04", "scheme name of 65 bytes", STORED, b"{" + b"A" * 65 + b"}Hostile-S04-data",
        stored_refused("stored value has an empty or overlong {SCHEME}")),
    row("S05", "unknown encoding suffix", STORED, b"{PLAIN.b32}Hostile-S05-data",
        stored_refused("unknown encoding suffix in {SCHEME.ENCODING}")),
    row("S06", "truncated base64", STORED,
        b"{PLAIN.b64}" + base64.b64encode(b"Hostile-S06-data")[:-1],
        stored_refused("base64 data is truncated")),
    row("S07", "non-canonical base64 (unused bits set)", STORED,
        b"{PLAIN.b64}SG9zdGlsZS1iNjQtMR==",
        stored_refused("invalid base64 data")),
    row("S08", "base64 with characters outside the alphabet", STORED,
        b"{PLAIN.b64}SG9z*GlsZS1T",
        stored_refused("invalid base64 data")),
    row("S09", "hex with an odd number of digits", STORED, b"{PLAIN.hex}486f737",
        stored_refused("hex data has an odd number of digits")),
    row("S10", "Argon2id with m=4194304 (4 GiB)", STORED,
        b"{ARGON2ID}$argon2id$v=19$m=4194304,t=3,p=1" + ARGON2_TAIL,
        stored_refused("Argon2 memory cost above argon2_max_memlimit; not computed")),
    row("S11", "bare Argon2id with t=4294967295", STORED,
        b"$argon2id$v=19$m=65536,t=4294967295,p=1" + ARGON2_TAIL,
        stored_refused("Argon2 time cost above argon2_max_opslimit; not computed")),
    row("S12", "Argon2i with p=255", STORED,
        b"{ARGON2I}$argon2i$v=19$m=65536,t=3,p=255" + ARGON2_TAIL,
        stored_refused("Argon2 parallelism above the limit; not computed")),
    row("S13", "Argon2id with t=4294967296 (over 32 bits)", STORED,
        b"$argon2id$v=19$m=65536,t=4294967296,p=1" + ARGON2_TAIL,
        stored_refused("Argon2 string has malformed m=,t=,p= parameters")),
    row("S14", "Argon2id without its t= field", STORED,
        b"$argon2id$v=19$m=65536,p=1" + ARGON2_TAIL,
        stored_refused("Argon2 string has malformed m=,t=,p= parameters")),
    row("S15", "Argon2id without its hash", STORED,
        b"$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHRzYWx0",
        stored_refused("Argon2 string has a malformed or short salt")),
    row("S16", "Argon2id of version 16", STORED,
        b"$argon2id$v=16$m=65536,t=3,p=1" + ARGON2_TAIL,
        stored_refused("unsupported Argon2 version (only v=19)")),
    row("S17", "Argon2id below the algorithm's minimum memory", STORED,
        b"$argon2id$v=19$m=7,t=3,p=1" + ARGON2_TAIL,
        stored_refused("Argon2 parameters below the algorithm's minimum")),
    row("S18", "Argon2id with a leading zero in m=", STORED,
        b"$argon2id$v=19$m=065536,t=3,p=1" + ARGON2_TAIL,
        stored_refused("Argon2 string has malformed m=,t=,p= parameters")),
    row("S19", "SHA512-CRYPT with rounds=999999999", STORED,
        b"{SHA512-CRYPT}$6$rounds=999999999" + SHA512_TAIL,
        stored_refused("SHA-crypt rounds above crypt_max_rounds; not computed")),
    row("S20", "bare SHA-crypt with rounds=4294967296", STORED,
        b"$6$rounds=4294967296" + SHA512_TAIL,
        stored_refused("SHA-crypt string has a malformed rounds= field")),
    row("S21", "SHA-crypt with a short hash", STORED,
        b"$6$rounds=1000$HostileSalt$" + b"a" * 85,
        stored_refused("SHA-crypt string has a malformed hash")),
    row("S22", "DES-CRYPT with salt characters outside the crypt alphabet", STORED,
        b"{DES-CRYPT}!!Hostile-S22",
        stored_refused("not a crypt string of a supported family")),
    row("S23", "bcrypt with cost 31", STORED, b"$2y$31$" + BCRYPT_TAIL,
        stored_refused("bcrypt cost above bcrypt_max_cost; not computed")),
    row("S24", "bcrypt with a one-digit cost", STORED, b"$2b$4$" + BCRYPT_TAIL,
        stored_refused("bcrypt string has a malformed cost")),
    row("S25", "yescrypt with N = 2^48", STORED, b"$y$jjT" + YESCRYPT_TAIL,
        stored_refused("yescrypt memory above yescrypt_max_memlimit; not computed")),
    row("S26", "scrypt ($7$), a family that is not computed", STORED,
        b"{CRYPT}$7$CU..../....Hostile-S26$" + b"d" * 43,
        stored_refused("not a crypt string of a supported family")),
    row("S27", "SCRAM-SHA-256 with 4294967295 iterations", STORED,
        b"{SCRAM-SHA-256}4294967295" + SCRAM_TAIL,
        stored_refused("SCRAM iteration count above pbkdf2_max_iterations; not computed")),
    row("S28", "PBKDF2 with 4294967295 rounds", STORED,
        b"{PBKDF2}$1$HostileSalt$4294967295$" + PBKDF2_HEX,
        stored_refused("PBKDF2 rounds above pbkdf2_max_iterations; not computed")),
    row("S29", "SCRAM-SHA-1 with three fields", STORED,
        b"{SCRAM-SHA-1}4096,SG9zdGlsZVNhbHQ=,SG9zdGlsZS1TMjk=",
        stored_refused("SCRAM value does not have four comma-separated fields")),
    row("S30", "stored value of MP_STORED_MAX + 1 = 4097 bytes", STORED,
        b"{PLAIN}" + filler(b"S30", 4090),
        stored_refused("stored value is longer than the limit")),
    row("S31", "stored value of MP_STORED_MAX = 4096 bytes (parses; a {PLAIN} password "
        "no login can give, so check refuses it)", STORED,
        b"{PLAIN}" + filler(b"S31", 4089),
        {CLI_VERIFY: "exit 1: rejected: password mismatch",
         CLI_HASH: "exit 1: rejected: password mismatch",
         CLI_CHECK: "exit 2: user alice: cleartext password longer than 1024 bytes"},
        MISMATCH_LOGINS),
    row("S32", "lower-case scheme name: Dovecot's names are case-insensitive, so alice's "
        "right password is accepted", STORED, b"{plain}" + PW_ALICE,
        {CLI_VERIFY: "exit 0: OK", CLI_HASH: "exit 0: OK",
         CLI_CHECK: "exit 0: has a weak PLAIN hash",
         PAM: "PAM_SUCCESS OK (password accepted)", PLAIN: "SASL_OK OK (password accepted)",
         LOGIN: "SASL_OK OK (password accepted)"}),
    row("S33", "locked ('!') value that does not parse", STORED, b"!{NOSUCH}Hostile-S33",
        {CLI_VERIFY: "exit 1: rejected: account is locked",
         CLI_HASH: "exit 2: unusable stored value: stored value has no {SCHEME} prefix",
         CLI_CHECK: "exit 2: user alice: unknown password scheme"},
        logins("PAM_AUTH_ERR MISMATCH (account is locked)",
               "SASL_BADAUTH MISMATCH (account is locked)")),
    row("S34", "empty stored value", STORED, b"",
        {CLI_VERIFY: "exit 1: rejected: no password is set",
         CLI_HASH: "exit 2: unusable stored value: stored value is empty",
         CLI_CHECK: "exit 0: user alice has no password set"},
        logins("PAM_AUTH_ERR MISMATCH (no password is set)",
               "SASL_BADAUTH MISMATCH (no password is set)")),
    row("S35", "NUL inside the stored value", STORED, b"{PLAIN}" + PW_ALICE + b"\0junk",
        stored_line_refused("line contains a NUL byte")),
    row("S36", "CR at the end of the stored value (a CRLF store)", STORED,
        b"{PLAIN}" + PW_ALICE + b"\r",
        stored_line_refused("line contains a carriage return (CRLF line ending?)"),
        {CLI_HASH: "exit 1: rejected: password mismatch"}),
    row("S37", "{SHA1} digest of the wrong length", STORED, b"{SHA1}SG9zdGlsZS1TMzc=",
        stored_refused("digest has the wrong length")),
    row("S38", "{PLAIN-TRUNC} with an absurd length", STORED,
        b"{PLAIN-TRUNC}99999999999999999999-Hostile-S38",
        stored_refused("PLAIN-TRUNC value lacks a valid length- prefix")),
    row("S39", "MD5-crypt salt longer than 8", STORED, b"$1$HostileSalt$" + b"e" * 22,
        stored_refused("MD5-crypt string has a malformed salt")),

    # --- Whole SASL PLAIN messages ([authzid] NUL authcid NUL passwd).
    row("M01", "one NUL only", PLAIN_MESSAGE, b"alice\0" + PW_ALICE,
        {PLAIN: "SASL_BADPROT - (malformed message (1 NUL byte, RFC 4616 wants 2))"}),
    row("M02", "empty message", PLAIN_MESSAGE, b"",
        {PLAIN: "SASL_BADPROT - (malformed message (0 NUL bytes, RFC 4616 wants 2))"}),
    row("M03", "authorization identity of 256 bytes", PLAIN_MESSAGE,
        b"z" * 256 + b"\0alice\0" + PW_ALICE,
        {PLAIN: "SASL_BADPARAM - (authorization identity longer than 255 bytes)"}),
    row("M04", "alice's password, asking to act as bob (no proxy policy allows it)",
        PLAIN_MESSAGE, b"bob\0alice\0" + PW_ALICE,
        {PLAIN: "SASL_BADAUTH OK (Requested identity not authenticated identity)"}),
    row("M05", "1 MiB of NUL bytes", PLAIN_MESSAGE, b"\0" * (1 << 20),
        {PLAIN: "SASL_BADPROT - (malformed message (1048576 NUL bytes, RFC 4616 wants 2))"}),

    # --- The value of alice's apop= field; the digest is of her real secret.
    row("F01", "{SECRETBOX} with truncated base64", APOP_FIELD,
        b"{SECRETBOX}SG9zdGlsZS1GMDEtc2VjcmV0LXRydW5jYXRlZA",
        apop_field_refused("base64 data is truncated")),
    row("F02", "{SECRETBOX} that does not open (tampered)", APOP_FIELD,
        b"{SECRETBOX}" + base64.b64encode(filler(b"F02", 60)),
        apop_field_refused("sealed APOP secret does not open with the apop_key")),
    row("F03", "{SECRETBOX} shorter than nonce and MAC", APOP_FIELD,
        b"{SECRETBOX}" + base64.b64encode(b"Hostile-F03"),
        apop_field_refused("sealed APOP secret is too short")),
    row("F04", "empty {PLAIN} secret (its digest is computable by anyone)", APOP_FIELD,
        b"{PLAIN}", apop_field_refused("APOP secret is empty")),
    row("F05", "a login hash where the APOP secret belongs", APOP_FIELD,
        b"{SHA512-CRYPT}" + HASH_BOB,
        apop_field_refused("APOP secret must be {PLAIN} or {SECRETBOX}")),
    row("F06", "NUL inside a {PLAIN.b64} secret: never cut at the NUL", APOP_FIELD,
        b"{PLAIN.b64}" + base64.b64encode(APOP_ALICE + b"\0Hostile-F06"),
        apop_field_refused("APOP secret contains a NUL byte")),
    row("F07", "unknown scheme", APOP_FIELD, b"{NOSUCH}Hostile-F07-secret",
        apop_field_refused("unknown password scheme")),

    # --- The whole store (alice is tried with her right password).
    row("L01", "alice appears twice", STORE_TEXT, "@BOB@@ALICE@@CAROL@@ALICE@",
        {CLI_VERIFY: "exit 2: user alice: user appears more than once in the store",
         CLI_ADD: "exit 2: alice: user appears more than once in the store",
         CLI_APOP: "exit 2: user appears more than once in the store",
         CLI_CHECK: "exit 2: user alice appears on lines 2 and 4",
         APOP: "SASL_BADAUTH MALFORMED (user appears more than once in the store)"},
        logins("PAM_AUTH_ERR MALFORMED (user appears more than once in the store)",
               "SASL_BADAUTH MALFORMED (user appears more than once in the store)")),
    row("L02", "alice's line longer than MP_LINE_MAX", STORE_TEXT,
        "@BOB@@CAROL@alice:{PLAIN}" + "x" * 9000 + "\n",
        {CLI_VERIFY: "exit 2: user alice: line is longer than 8192 bytes",
         CLI_ADD: "exit 2: alice: line is longer than 8192 bytes",
         CLI_APOP: "exit 2: line is longer than 8192 bytes",
         CLI_CHECK: "exit 2: line 3: line is longer than 8192 bytes",
         APOP: "SASL_BADAUTH MALFORMED (line is longer than 8192 bytes)"},
        logins("PAM_AUTH_ERR MALFORMED (line is longer than 8192 bytes)",
               "SASL_BADAUTH MALFORMED (line is longer than 8192 bytes)")),
    row("L03", "a 1 MiB line without ':' before alice's: a broken line of no user does "
        "not lock her out", STORE_TEXT,
        "@BOB@" + "y" * (1 << 20) + "\n@ALICE@@CAROL@",
        {CLI_VERIFY: "exit 0: OK",
         CLI_ADD: "exit 2: alice: user exists",
         CLI_APOP: "exit 0: OK",
         CLI_CHECK: "exit 2: line 2: line is longer than 8192 bytes",
         APOP: "SASL_OK given"},
        logins("PAM_SUCCESS OK (password accepted)", "SASL_OK OK (password accepted)")),
    row("L04", "NUL inside alice's line", STORE_TEXT,
        "@BOB@@CAROL@alice:{PLAIN}alice-Hostile-pw-1\0::::::\n",
        {CLI_VERIFY: "exit 2: user alice: line contains a NUL byte",
         CLI_ADD: "exit 2: alice: line contains a NUL byte",
         CLI_APOP: "exit 2: line contains a NUL byte",
         CLI_CHECK: "exit 2: line 3: line contains a NUL byte",
         APOP: "SASL_BADAUTH MALFORMED (line contains a NUL byte)"},
        logins("PAM_AUTH_ERR MALFORMED (line contains a NUL byte)",
               "SASL_BADAUTH MALFORMED (line contains a NUL byte)")),
    row("L05", "CRLF line ends", STORE_TEXT, "@CRLF@",
        {CLI_VERIFY: "exit 2: user alice: line contains a carriage return",
         CLI_ADD: "exit 2: alice: line contains a carriage return",
         CLI_APOP: "exit 2: line contains a carriage return",
         CLI_CHECK: "exit 2: line 3: line contains a carriage return",
         APOP: "SASL_BADAUTH MALFORMED (line contains a carriage return)"},
        logins("PAM_AUTH_ERR MALFORMED (line contains a carriage return)",
               "SASL_BADAUTH MALFORMED (line contains a carriage return)")),
    row("L06", "a UTF-8 byte order mark before alice's name: her line names nobody",
        STORE_TEXT, "\ufeff@ALICE@@BOB@@CAROL@",
        {CLI_VERIFY: "exit 1: rejected: unknown user", CLI_ADD: "exit 0",
         CLI_APOP: "exit 1: rejected: unknown user",
         CLI_CHECK: "exit 2: line 1: user name contains a UTF-8 byte order mark (U+FEFF)",
         APOP: "SASL_NOUSER USER_UNKNOWN (unknown user)"}, UNKNOWN_LOGINS),
    row("L07", "alice's line without any ':'", STORE_TEXT, "@BOB@@CAROL@alice\n",
        {CLI_VERIFY: "exit 2: user alice: line has no ':' after the user name",
         CLI_ADD: "exit 2: alice: line has no ':' after the user name",
         CLI_APOP: "exit 2: line has no ':' after the user name",
         CLI_CHECK: "exit 2: line 3: line has no ':' after the user name",
         APOP: "SASL_BADAUTH MALFORMED (line has no ':' after the user name)"},
        logins("PAM_AUTH_ERR MALFORMED (line has no ':' after the user name)",
               "SASL_BADAUTH MALFORMED (line has no ':' after the user name)")),
    row("L08", "16 MiB of NUL bytes (a sparse file)", STORE_SHAPE, b"zeros",
        {CLI_VERIFY: "exit 1: rejected: unknown user", CLI_ADD: "exit 0",
         CLI_APOP: "exit 1: rejected: unknown user",
         CLI_CHECK: "exit 2: line 1: line is longer than 8192 bytes",
         APOP: "SASL_NOUSER USER_UNKNOWN (unknown user)"}, UNKNOWN_LOGINS),

    # --- What the store path is.
    row("D01", "the store is a directory", STORE_SHAPE, b"directory",
        store_unavailable("store path is a directory", "is not a regular file")),
    row("D02", "the store is a FIFO (no writer: must not hang)", STORE_SHAPE, b"fifo",
        store_unavailable("store path is not a regular file", "is not a regular file")),
    row("D03", "the store is a dangling symbolic link", STORE_SHAPE, b"dangling",
        store_unavailable("store file does not exist", "does not exist",
                          add="store file is a symbolic link")),
    row("D04", "the store is unreadable (0600 root, read as nobody)", STORE_SHAPE,
        b"unreadable",
        store_unavailable("permission denied reading the store file",
                          "permission denied reading the store file",
                          add="permission denied creating or opening the lock file")),
    row("D05", "the store is a symbolic link to /dev/zero (endless)", STORE_SHAPE,
        b"devzero",
        store_unavailable("store path is not a regular file", "is not a regular file",
                          add="store file is a symbolic link")),
    row("D06", "the store is a symbolic link loop", STORE_SHAPE, b"loop",
        store_unavailable("too many symbolic links in the store path",
                          "Too many levels of symbolic links",
                          add="store file is a symbolic link")),
    row("D07", "a component of the store path is a file", STORE_SHAPE, b"notdir",
        store_unavailable("a component of the store path is not a directory",
                          "Not a directory", add="the directory of the file does not exist")),

    # --- mailpass.conf.
    row("C01", "unknown key", CONF_TEXT, b"@CONF@frobnicate = 1\n",
        conf_refused("line 6: unknown key \"frobnicate\"")),
    row("C02", "a key given twice", CONF_TEXT, b"@CONF@store = file:@DIR@/passwd\n",
        conf_refused("line 6: key \"store\" given twice (first on line 1)")),
    row("C03", "number overflowing 64 bits", CONF_TEXT,
        b"@CONF@argon2_max_opslimit = 99999999999999999999999\n",
        conf_refused("line 6: argon2_max_opslimit: 99999999999999999999999 is out of range")),
    row("C04", "argon2_memlimit = 99999999999G", CONF_TEXT,
        b"@NOMEM@argon2_memlimit = 99999999999G\n",
        conf_refused("argon2_memlimit: 99999999999G is out of range")),
    row("C05", "a line without '='", CONF_TEXT, b"@CONF@scheme ARGON2ID\n",
        conf_refused("line 6: expected \"key = value\"")),
    row("C06", "NUL in a line", CONF_TEXT, b"@CONF@scheme = ARGON2ID\0\n",
        conf_refused("line 6: NUL byte")),
    row("C07", "a line of 10000 bytes", CONF_TEXT, b"@CONF@# " + b"z" * 9998 + b"\n",
        conf_refused("line 6: longer than 8192 bytes")),
    row("C08", "empty value", CONF_TEXT, b"@CONF@scheme =\n",
        conf_refused("line 6: empty value for \"scheme\"")),
    row("C09", "CR inside a line", CONF_TEXT, b"@CONF@scheme = ARG\rON2ID\n",
        conf_refused("line 6: control character 0x0d")),
    row("C10", "relative store path", CONF_TEXT, b"store = file:passwd\n",
        conf_refused("store: \"passwd\" is not an absolute path")),
    row("C11", "unknown store backend", CONF_TEXT, b"store = ldap:whatever\n",
        conf_refused("store ldap:whatever: unknown store backend")),
    row("C12", "store path of 5000 bytes", CONF_TEXT,
        b"store = file:/" + b"p" * 5000 + b"\n",
        conf_refused("store: path longer than 4095 bytes")),
    row("C13", "a weak scheme for new hashes", CONF_TEXT, b"@CONF@scheme = PLAIN\n",
        conf_refused("scheme PLAIN is weak")),
    row("C14", "unknown scheme", CONF_TEXT, b"@CONF@scheme = NOSUCH\n",
        conf_refused("scheme: unknown scheme \"NOSUCH\"")),
    row("C15", "negative number", CONF_TEXT, b"@NOOPS@argon2_opslimit = -1\n",
        conf_refused("argon2_opslimit: \"-1\" is not a decimal number")),
    row("C16", "hexadecimal number", CONF_TEXT, b"@NOOPS@argon2_opslimit = 0x10\n",
        conf_refused("argon2_opslimit: \"0x10\" is not a decimal number")),
    row("C17", "zero passes", CONF_TEXT, b"@NOOPS@argon2_opslimit = 0\n",
        conf_refused("argon2_opslimit: 0 is out of range")),
    row("C18", "apop_key names a missing file", CONF_TEXT,
        b"@NOKEY@apop_key = @DIR@/no-such.key\n",
        conf_refused("cannot open the file", check="does not exist; create it with")),
    row("C19", "apop_key file of 31 bytes", CONF_TEXT, b"@NOKEY@apop_key = @DIR@/short.key\n",
        conf_refused("is not exactly 32 bytes", check="is 31 bytes, not exactly 32")),
    row("C20", "store_owner that is not an account name", CONF_TEXT,
        b"@CONF@store_owner = -root\n",
        conf_refused("store_owner: \"-root\" is not an account name")),
    row("C21", "rehash neither yes nor no", CONF_TEXT, b"@NOREHASH@rehash = maybe\n",
        conf_refused("rehash: \"maybe\" is not yes or no")),
    row("C22", "argon2_memlimit above argon2_max_memlimit", CONF_TEXT,
        b"@CONF@argon2_max_memlimit = 4M\n",
        conf_refused("argon2_memlimit 8388608 exceeds argon2_max_memlimit 4194304")),
    row("C23", "a UTF-8 byte order mark before the first key", CONF_TEXT, b"\xef\xbb\xbf@CONF@",
        conf_refused("line 1: the file starts with a UTF-8 byte order mark; save it without one")),
    row("C24", "printf directives in an unknown key", CONF_TEXT, b"@CONF@%s%n%x = 1\n",
        conf_refused("line 6: unknown key \"%s%n%x\"")),
    row("C25", "crypt_max_rounds above libcrypt's range", CONF_TEXT,
        b"@CONF@crypt_max_rounds = 1000000000\n",
        conf_refused("crypt_max_rounds: 1000000000 is out of range")),
    row("C26", "configuration of 2 MiB", CONF_TEXT, b"@CONF@" + (b"#" * 1023 + b"\n") * 2048,
        conf_refused("larger than 1048576 bytes")),
    row("C27", "mailpass.conf is a directory", CONF_SHAPE, b"directory",
        conf_refused("not a regular file")),
    row("C28", "mailpass.conf is a FIFO (no writer: must not hang)", CONF_SHAPE, b"fifo",
        conf_refused("not a regular file")),
    row("C29", "mailpass.conf is unreadable (0600 root, read as nobody)", CONF_SHAPE,
        b"unreadable", conf_refused("Permission denied")),
]

# Each item of the issue, and the rows that cover it.
COVERAGE = {
    "NUL inside names and passwords": ["U01", "U02", "P01", "P02", "A15"],
    "CR/LF": ["U05", "U06", "P03", "P04", "A09", "L05", "C09"],
    "':' in user names": ["U03", "U04"],
    "64 KiB passwords and names": ["P06", "U10", "A10"],
    "invalid UTF-8": ["U11", "U12", "P10"],
    "empty user": ["U07"],
    "empty password": ["P09"],
    "unknown scheme": ["S01", "F07", "C14"],
    "truncated and non-canonical base64": ["S06", "S07", "F01"],
    "Argon2 m=4194304, t=4294967295, p=255, a missing field": ["S10", "S11", "S12", "S14"],
    "rounds=999999999 crypt strings": ["S19"],
    "duplicated users in the store": ["L01"],
    "overlong lines": ["L02", "L03", "C07"],
    "a store that is a directory, a FIFO, a dangling symlink, unreadable":
        ["D01", "D02", "D03", "D04"],
}


# --- Running one process.

class Run:
    """One process: argv, exit status, output, peak RSS, time."""

    def __init__(self, label, code, out, err, rss_kib, seconds, signal_number, timed_out):
        self.label = label
        self.code = code
        self.out = out
        self.err = err
        self.rss_kib = rss_kib
        self.seconds = seconds
        self.signal = signal_number
        self.timed_out = timed_out

    @property
    def text(self):
        return (self.out + self.err).decode("utf-8", "replace")


def limit_address_space():
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_LIMIT, ADDRESS_SPACE_LIMIT))


def spawn(label, argv, env, stdin=b"", as_nobody=False, timeout=RUN_TIMEOUT):
    """Run argv with a time limit; return a Run with its peak RSS from wait4(2)."""
    kwargs = {}
    if as_nobody:
        kwargs.update(user=NOBODY, group=NOBODY, extra_groups=[])
    if not SANITIZER_PRELOAD:
        kwargs["preexec_fn"] = limit_address_space
    with tempfile.TemporaryFile() as fin, tempfile.TemporaryFile() as fout, \
            tempfile.TemporaryFile() as ferr:
        fin.write(stdin)
        fin.seek(0)
        start = time.monotonic()
        proc = subprocess.Popen(argv, stdin=fin, stdout=fout, stderr=ferr, env=env,
                                **kwargs)
        timed_out = False
        pause = 0.0005
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid == proc.pid:
                break
            if time.monotonic() - start > timeout:
                timed_out = True
                os.kill(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(pause)
            pause = min(pause * 2, 0.02)
        seconds = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        fout.seek(0)
        ferr.seek(0)
        out, err = fout.read(), ferr.read()
    sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    return Run(label, proc.returncode, out, err, usage.ru_maxrss, seconds, sig, timed_out)


# --- The fixture.

FIXTURE = {}
# The largest peak RSS and the longest run seen, for the summary.
STATS = {"rss": (0, ""), "seconds": (0.0, "")}
SECRETS = set()      # needles searched in every log of every row


def add_secret(secret, also_parts=True):
    """Remember secret (and, for long ones, its first and last 24 bytes)."""
    if secret is None or len(secret) < 6:
        return
    SECRETS.add(secret)
    if also_parts and len(secret) >= 48:
        SECRETS.add(secret[:24])
        SECRETS.add(secret[-24:])


def add_stored_secret(value):
    """A stored value: whole, after its {SCHEME} prefix, and its last '$' field."""
    if value.startswith(b"{") and b"}" in value:
        data = value[value.index(b"}") + 1:]
        if len(data) < 6:
            return      # "{PLAIN}" alone holds no secret, and messages name it
        add_secret(data)
    add_secret(value)
    if b"$" in value:
        add_secret(value[value.rindex(b"$") + 1:])


def expand(text, directory):
    """The @TOKEN@s of store and configuration text."""
    if isinstance(text, str):
        text = text.encode("utf-8", "surrogateescape")
    tokens = {
        b"@ALICE@": GOOD.get("alice", b""), b"@BOB@": STORE_BOB, b"@CAROL@": STORE_CAROL,
        b"@CRLF@": (STORE_BOB + STORE_CAROL + GOOD.get("alice", b"")).replace(b"\n", b"\r\n"),
        b"@CONF@": CONF_TEMPLATE,
        b"@NOMEM@": CONF_TEMPLATE.replace(b"argon2_memlimit = 8M\n", b""),
        b"@NOOPS@": CONF_TEMPLATE.replace(b"argon2_opslimit = 1\n", b""),
        b"@NOKEY@": CONF_TEMPLATE.replace(b"apop_key = @DIR@/apop.key\n", b""),
        b"@NOREHASH@": CONF_TEMPLATE.replace(b"rehash = no\n", b""),
    }
    for token, value in tokens.items():
        text = text.replace(token, value)
    return text.replace(b"@DIR@", directory.encode())


def write(path, data, mode):
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)


def missing_parts():
    """Why the test cannot run, or None."""
    for name, value in (("MAILPASS_BIN", BIN), ("MAILPASS_PAM_MODULE", PAM_MODULE),
                        ("MAILPASS_SYSLOG_SHIM", SYSLOG_SHIM),
                        ("MAILPASS_SASL_PLUGIN_DIR", PLUGIN_DIR)):
        if not value:
            return "%s is not set; run this through make check" % name
    for path in (BIN, PAM_MODULE, SYSLOG_SHIM, DRIVE,
                 os.path.join(PLUGIN_DIR, "libmailpass.so")):
        if not os.path.exists(path):
            return "%s is not built (make check builds it)" % path
    return None


def setUpModule():
    top = tempfile.mkdtemp(prefix="mailpass-hostile-")
    os.chmod(top, 0o755)
    FIXTURE["top"] = top
    FIXTURE["lsan"] = os.path.join(top, "lsan.supp")
    write(FIXTURE["lsan"], b"leak:libsasl2.so\n", 0o644)
    template = os.path.join(top, "template")
    os.mkdir(template, 0o755)
    conf = os.path.join(template, "mailpass.conf")
    write(conf, expand(CONF_TEMPLATE, template), 0o644)
    write(os.path.join(template, "passwd"), STORE_BOB + STORE_CAROL, 0o600)
    env = dict(os.environ)
    for args, stdin in ((["keygen", os.path.join(template, "apop.key")], b""),
                        (["user", "add", "alice"], PW_ALICE + b"\n"),
                        (["user", "apop", "alice"], APOP_ALICE + b"\n")):
        run = spawn("setup", [BIN, "-c", conf] + args, env, stdin)
        if run.code != 0:
            raise RuntimeError("setup: mailpass %s: %s" % (" ".join(args), run.text))
    with open(os.path.join(template, "passwd"), "rb") as f:
        lines = f.read().splitlines(keepends=True)
    GOOD["alice"] = [line for line in lines if line.startswith(b"alice:")][0]
    GOOD["alice_hash"] = GOOD["alice"].split(b":")[1]
    GOOD["alice_apop"] = GOOD["alice"].split(b"apop=")[1].split()[0]
    with open(os.path.join(template, "apop.key"), "rb") as f:
        key = f.read()
    FIXTURE["template"] = template

    for secret in (PW_ALICE, PW_BOB, PW_CAROL, PW_NEW, APOP_ALICE, APOP_BOB):
        add_secret(secret)
    for value in (GOOD["alice_hash"], HASH_BOB, GOOD["alice_apop"], b"{PLAIN}" + APOP_BOB,
                  b"{PLAIN}" + PW_CAROL):
        add_stored_secret(value)
    for form in (key, key.hex().encode(), base64.b64encode(key)):
        add_secret(form)

    # P11: alice's stored hash as her password.
    for i, r in enumerate(ROWS):
        if r.id == "P11":
            ROWS[i] = r._replace(data=GOOD["alice_hash"])
    for r in ROWS:
        if r.kind == PASSWORD:
            add_secret(r.data)
        elif r.kind in (STORED, APOP_FIELD):
            add_stored_secret(r.data.replace(b"!", b"", 1) if r.data.startswith(b"!")
                              else r.data)


def tearDownModule():
    sys.stderr.write("hostile_test: largest peak RSS %d KiB (%s), longest run %.2f s (%s)\n"
                     % (STATS["rss"] + STATS["seconds"]))
    if "top" in FIXTURE:
        shutil.rmtree(FIXTURE["top"], ignore_errors=True)


# --- One row.

class Outcome:
    """What one entry point did: its run, the result it logged and its log lines."""

    def __init__(self, point, run, result, log_text):
        self.point = point
        self.run = run
        self.result = result          # the core result seen in the log, or "-"
        self.log_text = log_text      # what this run logged (syslog, SASL log)


PAM_OUTCOME = re.compile(r"pam_mailpass\([^)]*\): authenticate: service=\S* user=\S* "
                         r"rhost=\S*: ([A-Z_]+) \((.*)\)$")
SASL_OUTCOME = re.compile(r"^\d+ mailpass (?:PLAIN|LOGIN): service=\S* user=.* "
                          r"remote=\S*: ([A-Z_]+) \((.*)\)$")
AUXPROP_GIVEN = re.compile(r"^\d+ mailpass auxprop: user=.*: APOP secret given as "
                           r"userPassword$")
AUXPROP_NONE = re.compile(r"^\d+ mailpass auxprop: user=.*: no userPassword \((.*)\)$")
AUXPROP_RESULT = re.compile(r"^\d+ mailpass auxprop: user=.*: no userPassword: "
                            r"([A-Z_]+) \((.*)\)$")


class RowRunner:
    """The directory, files and runs of one row."""

    def __init__(self, test, r):
        self.test = test
        self.row = r
        self.dir = os.path.join(FIXTURE["top"], r.id)
        self.as_nobody = r.data == b"unreadable"
        self.runs = []
        self.failures = []

    # Paths.
    def path(self, name):
        return os.path.join(self.dir, name)

    def setup(self):
        r = self.row
        os.mkdir(self.dir, 0o755)
        os.chmod(self.dir, 0o755)
        shutil.copy2(os.path.join(FIXTURE["template"], "apop.key"), self.path("apop.key"))
        write(self.path("short.key"), b"k" * 31, 0o600)
        conf = CONF_TEMPLATE if not self.as_nobody else CONF_NO_KEY
        write(self.path("mailpass.conf"), expand(conf, self.dir), 0o644)
        store = STORE_BOB + STORE_CAROL + GOOD["alice"]
        if r.kind == STORED:
            store = STORE_BOB + STORE_CAROL + b"alice:" + r.data + b"\n"
        elif r.kind == APOP_FIELD:
            store = (STORE_BOB + STORE_CAROL + b"alice:" + GOOD["alice_hash"]
                     + b"::::::apop=" + r.data + b"\n")
        elif r.kind == STORE_TEXT:
            store = expand(r.data, self.dir)
        write(self.path("passwd"), store, 0o600)
        if r.kind == STORE_SHAPE:
            self.make_store_shape(r.data)
        elif r.kind == CONF_TEXT:
            write(self.path("mailpass.conf"), expand(r.data, self.dir), 0o644)
        elif r.kind == CONF_SHAPE:
            self.make_conf_shape(r.data)
        os.mkdir(self.path("pam.d"), 0o755)
        service = "auth required %s conf=%s debug\n" % (PAM_MODULE, self.path("mailpass.conf"))
        write(self.path("pam.d/hostile"), service.encode(), 0o644)
        write(self.path("pam.d/other"), b"auth required pam_deny.so\n", 0o644)
        # Written by processes that may run as nobody.
        for log in ("syslog", "sasl.log"):
            write(self.path(log), b"", 0o666)

    def make_store_shape(self, shape):
        store = self.path("passwd")
        os.unlink(store)
        if shape == b"directory":
            os.mkdir(store, 0o755)
        elif shape == b"fifo":
            os.mkfifo(store, 0o600)
        elif shape == b"dangling":
            os.symlink(self.path("no-such-file"), store)
        elif shape == b"unreadable":
            write(store, STORE_BOB + STORE_CAROL + GOOD["alice"], 0o600)
        elif shape == b"devzero":
            os.symlink("/dev/zero", store)
        elif shape == b"loop":
            os.symlink(store, store)
        elif shape == b"notdir":
            # The store path becomes DIR/plainfile/passwd.
            write(self.path("plainfile"), b"not a directory\n", 0o644)
            conf = expand(CONF_TEMPLATE, self.dir).replace(
                b"/passwd\n", b"/plainfile/passwd\n")
            write(self.path("mailpass.conf"), conf, 0o644)
        elif shape == b"zeros":
            with open(store, "wb") as f:
                f.truncate(16 * 1024 * 1024)
            os.chmod(store, 0o600)
        else:
            raise ValueError(shape)

    def make_conf_shape(self, shape):
        conf = self.path("mailpass.conf")
        os.unlink(conf)
        if shape == b"directory":
            os.mkdir(conf, 0o755)
        elif shape == b"fifo":
            os.mkfifo(conf, 0o644)
        elif shape == b"unreadable":
            write(conf, expand(CONF_NO_KEY, self.dir), 0o600)
        else:
            raise ValueError(shape)

    # Running.
    def env(self):
        env = dict(os.environ)
        env.pop("SASL_PATH", None)
        env.pop("SASL_CONF_PATH", None)
        env["LD_PRELOAD"] = " ".join(SANITIZER_PRELOAD + [SYSLOG_SHIM])
        env["MAILPASS_SYSLOG_FILE"] = self.path("syslog")
        env["MAILPASS_SASL_LOG"] = self.path("sasl.log")
        if SANITIZER_PRELOAD:
            # libsasl2's own leaks (sasl_checkapop loses the user name it
            # copied when canonicalisation fails) are not ours to report.
            env["LSAN_OPTIONS"] = ":".join(filter(None, [
                env.get("LSAN_OPTIONS"), "suppressions=" + FIXTURE["lsan"],
                "print_suppressions=0"]))
        return env

    def arg(self, data, name):
        """A data argument of tests/hostile-drive: hex, or @FILE when long."""
        if len(data) * 2 < 100000:
            return data.hex()
        path = self.path("arg-" + name)
        write(path, data, 0o644)
        return "@" + path

    def log_sizes(self):
        return {log: os.path.getsize(self.path(log)) for log in ("syslog", "sasl.log")}

    def new_log_text(self, sizes):
        text = b""
        for log, size in sizes.items():
            with open(self.path(log), "rb") as f:
                f.seek(size)
                text += f.read()
        return text.decode("utf-8", "replace")

    def cli(self, point, args, stdin=b""):
        argv = [BIN, "-c", self.path("mailpass.conf")] + args
        return self.execute(point, argv, stdin)

    def drive(self, point, args):
        return self.execute(point, [DRIVE] + args)

    def execute(self, point, argv, stdin=b""):
        sizes = self.log_sizes()
        run = spawn(point, argv, self.env(), stdin, self.as_nobody)
        self.runs.append(run)
        log_text = self.new_log_text(sizes)
        return Outcome(point, run, observed_result(point, log_text), log_text)

    def sasl(self, point, *data):
        mode = {PLAIN: "plain", LOGIN: "login", APOP: "apop"}[point]
        args = [mode, PLUGIN_DIR, self.path("mailpass.conf")]
        args += [self.arg(d, "%s-%d" % (mode, i)) for i, d in enumerate(data)]
        return self.drive(point, args)

    def pam(self, user, password):
        return self.drive(PAM, ["pam", self.path("pam.d"), "hostile", self.arg(user, "user"),
                                self.arg(password, "password")])

    def run_point(self, point):
        """Deliver the row's bytes to one entry point."""
        r = self.row
        user, password, timestamp, digest = b"alice", PW_ALICE, TS, DIGEST_ALICE
        add_user = b"alice"
        if r.kind == USER:
            user = add_user = r.data
        elif r.kind == PASSWORD:
            password, add_user = r.data, b"newbie"
        elif r.kind == APOP_INPUT:
            user, timestamp, digest = r.data
        if point == CLI_VERIFY:
            return self.cli(point, ["verify", os.fsdecode(user)], password + b"\n")
        if point == CLI_HASH:
            return self.cli(point, ["verify", "--hash", os.fsdecode(r.data)], password + b"\n")
        if point == CLI_ADD:
            new = password if r.kind == PASSWORD else PW_NEW
            return self.cli(point, ["user", "add", os.fsdecode(add_user)], new + b"\n")
        if point == CLI_APOP:
            return self.cli(point, ["apop", os.fsdecode(user), os.fsdecode(timestamp),
                                    os.fsdecode(digest)])
        if point == CLI_CHECK:
            return self.cli(point, ["check"])
        if point == PAM:
            return self.pam(user, password)
        if point == PLAIN:
            if r.kind == PLAIN_MESSAGE:
                return self.sasl(PLAIN, r.data)
            return self.sasl(PLAIN, b"\0" + user + b"\0" + password)
        if point == LOGIN:
            return self.sasl(LOGIN, user, password)
        if point == APOP:
            return self.sasl(APOP, timestamp, user + b" " + digest)
        raise ValueError(point)

    def check_bounds(self, outcome):
        run = outcome.run
        where = "%s %s" % (self.row.id, outcome.point)
        if run.rss_kib > STATS["rss"][0]:
            STATS["rss"] = (run.rss_kib, where)
        if run.seconds > STATS["seconds"][0]:
            STATS["seconds"] = (run.seconds, where)
        if run.timed_out:
            self.failures.append("%s: still running after %d s (killed)"
                                 % (outcome.point, RUN_TIMEOUT))
        elif run.signal is not None:
            self.failures.append("%s: killed by signal %d (%s)" % (
                outcome.point, run.signal, signal.Signals(run.signal).name))
        if run.rss_kib > RSS_LIMIT_KIB:
            self.failures.append("%s: peak RSS %d KiB, over the bound of %d KiB"
                                 % (outcome.point, run.rss_kib, RSS_LIMIT_KIB))

    def check_outcome(self, point, want, outcome):
        got = describe(point, outcome)
        if not matches(point, want, outcome):
            self.failures.append("%s: got %s, want %s" % (point, got, want))

    def check_added(self):
        """user add said done: the name, or the password, is stored whole."""
        r = self.row
        if r.kind == PASSWORD:
            outcome = self.cli(CLI_VERIFY, ["verify", "newbie"], r.data + b"\n")
            self.check_bounds(outcome)
            if outcome.run.code != 0:
                self.failures.append("the password user add stored does not verify: "
                                     + describe(CLI_VERIFY, outcome))
            return
        name = r.data if r.kind == USER else b"alice"
        with open(self.path("passwd"), "rb") as f:
            lines = [line for line in f.read().split(b"\n") if line.startswith(name + b":")]
        if len(lines) != 1:
            self.failures.append("user add: %d lines for the added user %r, want 1"
                                 % (len(lines), name[:40]))

    def check_logs(self):
        logs = [("syslog capture", self.path("syslog")), ("SASL log", self.path("sasl.log"))]
        texts = []
        for name, path in logs:
            with open(path, "rb") as f:
                texts.append((name, f.read()))
        for run in self.runs:
            texts.append(("%s stdout" % run.label, run.out))
            texts.append(("%s stderr" % run.label, run.err))
        for name, text in texts:
            for secret in SECRETS:
                if secret in text:
                    self.failures.append("%s holds the secret %r" % (name, secret[:40]))


def observed_result(point, log_text):
    """The core result the module or plugin logged: a name, "-" or "several: ..."."""
    found = []
    for line in log_text.splitlines():
        if point == PAM:
            m = PAM_OUTCOME.search(line)
            if m:
                found.append(m.group(1))
        elif point in (PLAIN, LOGIN):
            m = SASL_OUTCOME.search(line)
            if m:
                found.append(m.group(1))
        elif point == APOP:
            if AUXPROP_GIVEN.search(line):
                found.append("given")
            elif AUXPROP_NONE.search(line):
                found.append("none")
            else:
                m = AUXPROP_RESULT.search(line)
                if m:
                    found.append(m.group(1))
    if not found:
        return "-"
    if len(found) > 1:
        return "several: " + ",".join(found)
    return found[0]


CLI_WANT = re.compile(r"^exit (\d+)(?:: (.*))?$", re.S)
CODE_WANT = re.compile(r"^(\S+) (\S+)(?: \((.*)\))?$", re.S)


def describe(point, outcome):
    run = outcome.run
    if point in CLI_POINTS:
        text = run.text.strip().replace("\n", " | ")
        if len(text) > 300:
            text = text[:300] + "..."
        return "exit %d: %s" % (run.code, text)
    code = run.out.decode("utf-8", "replace").strip() or "(nothing)"
    log = outcome.log_text.strip().replace("\n", " | ")
    if len(log) > 400:
        log = log[:400] + "..."
    err = run.err.decode("utf-8", "replace").strip()
    return "%s %s [log: %s]%s" % (code, outcome.result, log,
                                  " [stderr: %s]" % err[:200] if err else "")


def matches(point, want, outcome):
    run = outcome.run
    if point in CLI_POINTS:
        m = CLI_WANT.match(want)
        if m is None:
            raise ValueError("bad CLI outcome %r" % want)
        return run.code == int(m.group(1)) and (m.group(2) is None or m.group(2) in run.text)
    m = CODE_WANT.match(want)
    if m is None:
        raise ValueError("bad outcome %r" % want)
    code = run.out.decode("utf-8", "replace").strip()
    if code != m.group(1) or outcome.result != m.group(2):
        return False
    return m.group(3) is None or m.group(3) in outcome.log_text


class HostileTest(unittest.TestCase):
    """One test per row of ROWS, and the checks of the table itself."""

    def run_row(self, r):
        if r.data == b"unreadable" and os.geteuid() != 0:
            reason = "row %s needs root (it reads as nobody a file only root may read)" % r.id
            if REQUIRE_TOOLS:
                self.fail(reason + " (MAILPASS_REQUIRE_TOOLS=1)")
            self.skipTest(reason)
        runner = RowRunner(self, r)
        runner.setup()
        points = applicable(r.kind, r.data)
        self.assertEqual(set(r.expect), points,
                         "row %s must name exactly the entry points that can receive it"
                         % r.id)
        for point in sorted(points, key=POINT_ORDER.index):
            outcome = runner.run_point(point)
            runner.check_bounds(outcome)
            runner.check_outcome(point, r.expect[point], outcome)
        if r.expect.get(CLI_ADD, "").startswith("exit 0"):
            runner.check_added()
        runner.check_logs()
        if runner.failures:
            self.fail("row %s (%s):\n  %s" % (r.id, r.what, "\n  ".join(runner.failures)))

    def test_00_control(self):
        """The right secrets are accepted everywhere: the rejections mean something."""
        control = Row("control", "the right secrets", None, b"", {})
        runner = RowRunner(self, control)
        runner.setup()
        tries = [
            (CLI_VERIFY, runner.cli(CLI_VERIFY, ["verify", "alice"], PW_ALICE + b"\n"),
             "exit 0: OK"),
            (CLI_VERIFY, runner.cli(CLI_VERIFY, ["verify", "bob"], PW_BOB + b"\n"),
             "exit 0: OK"),
            (CLI_HASH, runner.cli(CLI_HASH, ["verify", "--hash",
                                             os.fsdecode(GOOD["alice_hash"])],
                                  PW_ALICE + b"\n"), "exit 0: OK"),
            (CLI_APOP, runner.cli(CLI_APOP, ["apop", "alice", os.fsdecode(TS),
                                             os.fsdecode(DIGEST_ALICE)]), "exit 0: OK"),
            (CLI_APOP, runner.cli(CLI_APOP, ["apop", "bob", os.fsdecode(TS),
                                             os.fsdecode(DIGEST_BOB)]), "exit 0: OK"),
            (CLI_CHECK, runner.cli(CLI_CHECK, ["check"]), "exit 0: 0 errors"),
            (CLI_ADD, runner.cli(CLI_ADD, ["user", "add", "dave"], PW_NEW + b"\n"), "exit 0"),
            (PAM, runner.pam(b"alice", PW_ALICE), "PAM_SUCCESS OK (password accepted)"),
            (PAM, runner.pam(b"bob", PW_BOB), "PAM_SUCCESS OK (password accepted)"),
            (PAM, runner.pam(b"carol", PW_CAROL), "PAM_SUCCESS OK (password accepted)"),
            (PLAIN, runner.sasl(PLAIN, b"\0alice\0" + PW_ALICE),
             "SASL_OK OK (password accepted)"),
            (LOGIN, runner.sasl(LOGIN, b"bob", PW_BOB), "SASL_OK OK (password accepted)"),
            (APOP, runner.sasl(APOP, TS, b"alice " + DIGEST_ALICE), "SASL_OK given"),
            (APOP, runner.sasl(APOP, TS, b"bob " + DIGEST_BOB), "SASL_OK given"),
        ]
        for point, outcome, want in tries:
            runner.check_bounds(outcome)
            runner.check_outcome(point, want, outcome)
        runner.check_logs()
        if runner.failures:
            self.fail("control:\n  " + "\n  ".join(runner.failures))

    def test_01_table(self):
        """At least 60 rows, unique ids, and every item of the issue covered."""
        ids = [r.id for r in ROWS]
        self.assertGreaterEqual(len(ROWS), 60)
        self.assertEqual(len(ids), len(set(ids)), "duplicate row ids")
        for item, covering in COVERAGE.items():
            self.assertTrue(covering, item)
            for row_id in covering:
                self.assertIn(row_id, ids, "%s: no row %s" % (item, row_id))

    def test_02_secrets_found(self):
        """The log search finds a secret where there is one (a control)."""
        runner = RowRunner(self, Row("search", "", None, b"", {}))
        os.makedirs(runner.dir)
        for log in ("syslog", "sasl.log"):
            write(runner.path(log), b"", 0o644)
        write(runner.path("sasl.log"), b"4 text " + PW_ALICE + b" text\n", 0o644)
        runner.check_logs()
        self.assertIn("SASL log holds the secret %r" % PW_ALICE[:40], runner.failures)
        for failure in runner.failures:
            self.assertTrue(failure.startswith("SASL log "), failure)


def row_by_id(row_id):
    """The row as it is now (setUpModule fills in data only known then)."""
    return [r for r in ROWS if r.id == row_id][0]


class HarnessControlTest(unittest.TestCase):
    """The harness sees what it is meant to see: a large peak RSS, a hang, a crash."""

    def test_peak_rss_is_seen(self):
        size = 256 << 20
        run = spawn("control", [sys.executable, "-c", "b = b'x' * %d" % size],
                    dict(os.environ))
        self.assertEqual(run.code, 0, run.text)
        self.assertGreater(run.rss_kib, size // 1024)

    def test_hang_is_killed(self):
        run = spawn("control", ["sleep", "20"], dict(os.environ), timeout=0.3)
        self.assertTrue(run.timed_out)
        self.assertLess(run.seconds, 10)

    def test_crash_is_seen(self):
        run = spawn("control", [sys.executable, "-c",
                                "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"],
                    dict(os.environ))
        self.assertEqual(run.signal, signal.SIGSEGV)


def add_row_tests():
    for r in ROWS:
        def test(self, row_id=r.id):
            self.run_row(row_by_id(row_id))
        test.__doc__ = "%s %s: %s" % (r.id, r.kind, r.what)
        setattr(HostileTest, "test_row_%s" % r.id, test)


add_row_tests()


if __name__ == "__main__":
    reason = missing_parts()
    if reason is not None:
        print("SKIP: " + reason)
        if REQUIRE_TOOLS:
            print("MAILPASS_REQUIRE_TOOLS=1: a skip is a failure")
            sys.exit(1)
        sys.exit(77)
    runs = sum(len(applicable(r.kind, r.data if r.data is not None else b""))
               for r in ROWS)
    print("hostile_test: %d rows, %d entry-point runs" % (len(ROWS), runs))
    sys.stdout.flush()
    unittest.main(verbosity=2)
