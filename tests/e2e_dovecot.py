#!/usr/bin/env python3
"""End to end: a real Dovecot POP3 server authenticating through pam_mailpass.

As root, the test writes a mailpass store and configuration in a temporary
directory, a PAM service /etc/pam.d/mailpass-e2e-PID that stacks the built
pam_mailpass.so for auth and account (with the option debug, so that
successes are logged too), and a Dovecot configuration with
"passdb { driver = pam }" on that service.  It starts "dovecot -F" on
127.0.0.1 twice and logs in with real POP3 clients (Python's poplib and
curl):

  plain run  ssl = no, disable_plaintext_auth = no: USER/PASS, AUTH PLAIN
             and AUTH LOGIN succeed with the right password (STAT works) and
             fail with a wrong one and for an unknown user; a user whose hash
             has the default Argon2 cost logs in and is rehashed; a disabled
             (nologin) user is refused; a broken mailpass.conf
             (PAM_AUTHINFO_UNAVAIL) is refused like a wrong password; without
             debug, a successful login leaves no line of the module (Dovecot
             logs it) and a refused one still leaves one.
  TLS run    ssl = yes, disable_plaintext_auth = yes, a certificate made by
             the test: logins succeed over implicit TLS (the port-995
             listener) and after STLS on the plain port; USER/PASS and AUTH
             PLAIN without TLS are refused by the server itself.

What the module sent to syslog(3) is captured (a listener on /dev/log when
the machine has no syslog daemon, else the LD_PRELOAD shim
tests/syslog-capture.c passed to Dovecot's processes with
import_environment) and checked: the module's lines are there, and no
password, no AUTH PLAIN/LOGIN response and no stored hash appears in it, in
Dovecot's log or in Dovecot's output.

Dovecot's pop3 and pop3-login come from /usr/lib/dovecot when dovecot-pop3d
is installed; otherwise from the dovecot-pop3d .deb of dovecot-core's
version, fetched once with "apt-get download" into MAILPASS_DEB_CACHE
(default /var/cache/mailpass-test/debs) and unpacked with "dpkg -x" into
the temporary directory.  Installing dovecot-pop3d is not needed (and it
conflicts with cyrus-pop3d, which another test uses).

Options:
  --demo         one plain run with a short narrative (for the quick start)
  --show-config  print the Dovecot configuration of the TLS run and exit
  --keep         keep the temporary directory (servers are still stopped)

Environment (set by make check; defaults for a run from the source tree):
  MAILPASS_BIN, MAILPASS_PAM_MODULE, MAILPASS_SRCDIR, MAILPASS_BUILDDIR,
  MAILPASS_SYSLOG_SHIM, MAILPASS_REQUIRE_TOOLS=1 (a skip is a failure),
  MAILPASS_DEB_CACHE, MAILPASS_SYSLOG_CAPTURE ("dev-log", the default, or
  "shim": which capture to try first).

Exit status: 0 all passed, 1 a check failed, 77 skipped (needs root,
Dovecot, ...).  The last line is "N passed, N failed" (", N skipped").
"""

import glob
import grp
import os
import pwd
import re
import shutil
import subprocess
import sys
import time

sys.dont_write_bytecode = True   # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_util as u  # noqa: E402
from pop3_client import (  # noqa: E402
    attempt, capabilities, curl, sent_forms, tls_context, want_refused)

DEB_CACHE = os.environ.get("MAILPASS_DEB_CACHE") or "/var/cache/mailpass-test/debs"
DOC = os.path.join(u.SRCDIR, "docs", "dovecot.md")

# Users of the test store.  Every password is distinctive, so that finding
# it in a log means it was logged.
ALICE, ALICE_PW = "alice", "Alice-pw-7Kq2xR9v"           # cheap Argon2id cost
BOB, BOB_PW = "bob", "Bob-pw-legacyhash-4Tz8"           # {PLAIN}: upgraded at login
CAROL, CAROL_PW = "carol", "Carol-pw-nologin-2Hs5"       # disabled (nologin)
WRONG_PW = "Wrong-pw-guessed-8Nd3Lq"
MALLORY, MALLORY_PW = "mallory", "Mallory-pw-unknown-5Vb1"
PASSWORDS = [ALICE_PW, BOB_PW, CAROL_PW, WRONG_PW, MALLORY_PW]

CHEAP_COST = "m=8192,t=1,p=1"       # argon2_memlimit = 8M, argon2_opslimit = 1

MESSAGE = (b"From: postmaster@example.org\r\nTo: alice@example.org\r\n"
           b"Subject: mailpass end-to-end test\r\n\r\nHello from the test.\r\n")

METHODS = ("USER/PASS", "AUTH PLAIN", "AUTH LOGIN")


def secrets():
    """Every secret the logs must not show, including encoded forms."""
    return sent_forms(PASSWORDS, [ALICE, BOB, CAROL, MALLORY])


# --- Dovecot's pop3 binaries -------------------------------------------------

def dpkg_version(package):
    proc = u.run(["dpkg-query", "-W", "-f=${Version}", package])
    return proc.stdout.decode().strip() if proc.returncode == 0 else ""


def deb_version(path):
    proc = u.run(["dpkg-deb", "-f", path, "Version"])
    return proc.stdout.decode().strip() if proc.returncode == 0 else ""


def pop3_binaries(workdir, say=None):
    """Return (pop3, pop3-login) for dovecot-core's version, or skip."""
    installed = ("/usr/lib/dovecot/pop3", "/usr/lib/dovecot/pop3-login")
    if all(os.access(p, os.X_OK) for p in installed):
        return installed
    u.require_program("dpkg-deb", "dpkg")
    version = dpkg_version("dovecot-core")
    u.require(version, "dovecot-core is not installed (apt-get install dovecot-core)")

    def cached():
        for path in sorted(glob.glob(os.path.join(DEB_CACHE, "dovecot-pop3d_*.deb"))):
            if deb_version(path) == version:
                return path
        return None

    deb = cached()
    if deb is None:
        if say:
            say("fetching dovecot-pop3d %s into %s (apt-get download)" % (version, DEB_CACHE))
        os.makedirs(DEB_CACHE, mode=0o755, exist_ok=True)
        try:
            proc = u.run(["apt-get", "download", "-q", "dovecot-pop3d=" + version],
                         cwd=DEB_CACHE, timeout=180)
            detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        except (OSError, subprocess.TimeoutExpired) as e:
            detail = [str(e)]
        deb = cached()
        u.require(deb is not None,
                  "no dovecot-pop3d %s .deb in %s and apt-get download failed: %s" % (
                      version, DEB_CACHE, detail[-1] if detail else "?"))
    target = os.path.join(workdir, "dovecot-pop3d")
    proc = u.run(["dpkg", "-x", deb, target], timeout=60)
    u.require(proc.returncode == 0, "dpkg -x %s failed: %s" % (
        deb, proc.stderr.decode("utf-8", "replace").strip()))
    found = (os.path.join(target, "usr/lib/dovecot/pop3"),
             os.path.join(target, "usr/lib/dovecot/pop3-login"))
    u.require(all(os.access(p, os.X_OK) for p in found), "%s holds no pop3 binaries" % deb)
    return found


# --- The Dovecot configuration ------------------------------------------------

# Values of the configuration shown in docs/dovecot.md; the test's own values
# replace them when it runs.  The lines a site uses are checked to appear in
# the document, so that the document shows what the test runs.
DOC_VALUES = {
    "pam_service": "dovecot",
    "mail_uid": "vmail",
    "mail_gid": "vmail",
    "home": "/var/vmail/%u",
    "pop3_port": 110,
    "pop3s_port": 995,
    "cert": "/etc/dovecot/private/mail.example.org.crt",
    "key": "/etc/dovecot/private/mail.example.org.key",
}


def dovecot_config(values, tls, test=None):
    """The configuration text.

    values: the site values (DOC_VALUES' keys).  tls: the TLS run (else the
    plain one).  test: None for the site configuration alone; else a dict of
    the test-only values (base_dir, log_path, pop3, pop3_login,
    import_environment) whose lines are added.
    """
    site = []   # (text, site line?) pairs

    def line(text, is_site=True):
        site.append((text, is_site))

    t = test or {}
    if test:
        line("# mailpass end-to-end test (%s run)" % ("TLS" if tls else "plain"), False)
        line("base_dir = %s" % t["base_dir"], False)
        line("state_dir = %s" % t["state_dir"], False)
        line("log_path = %s" % t["log_path"], False)
        line("info_log_path = %s" % t["log_path"], False)
        line("listen = 127.0.0.1", False)
        line("default_login_user = dovenull", False)
        line("default_internal_user = dovecot", False)
        if t.get("import_environment"):
            line("import_environment = %s" % t["import_environment"], False)
        if t.get("sanitizers"):
            # AddressSanitizer reserves terabytes of address space: no
            # RLIMIT_AS (vsz_limit) for the processes it is preloaded into.
            line("default_vsz_limit = 0", False)
        # Failed logins answer at once: the test makes many on purpose.
        line("auth_failure_delay = 0", False)
    line("protocols = pop3")
    line("auth_mechanisms = plain login")
    line("auth_verbose = yes")
    if tls:
        line("ssl = yes")
        line("ssl_cert = <%s" % values["cert"])
        line("ssl_key = <%s" % values["key"])
        line("ssl_min_protocol = TLSv1.2")
        line("disable_plaintext_auth = yes")
    else:
        line("ssl = no", False)
        line("disable_plaintext_auth = no", False)
    line("mail_location = maildir:~/Maildir")
    line("passdb {")
    line("  driver = pam")
    line("  args = max_requests=100 %s" % values["pam_service"])
    line("}")
    line("userdb {")
    line("  driver = static")
    line("  args = uid=%s gid=%s home=%s" % (values["mail_uid"], values["mail_gid"],
                                             values["home"]))
    line("}")
    line("service auth-worker {")
    line("  user = root")
    line("}")
    if test:
        # A private instance: no chroot, no authentication penalty (anvil's
        # per-IP delay would slow the deliberate failures down).
        line("service anvil {", False)
        line("  chroot =", False)
        line("  unix_listener anvil-auth-penalty {", False)
        line("    mode = 0", False)
        line("  }", False)
        line("}", False)
        line("service pop3 {", False)
        line("  executable = %s" % t["pop3"], False)
        line("}", False)
    line("service pop3-login {")
    if test:
        line("  chroot =", False)
        line("  executable = %s" % t["pop3_login"], False)
    line("  inet_listener pop3 {")
    line("    port = %d" % values["pop3_port"])
    line("  }")
    if tls:
        line("  inet_listener pop3s {")
        line("    port = %d" % values["pop3s_port"])
        line("    ssl = yes")
        line("  }")
    line("}")
    return site


def config_text(pairs):
    return "".join(text + "\n" for text, _ in pairs)


def show_config():
    """The TLS run's configuration with the values of docs/dovecot.md."""
    return config_text(dovecot_config(DOC_VALUES, tls=True))


def site_lines():
    """The site lines of the TLS configuration, which docs/dovecot.md must show."""
    return [text for text, is_site in dovecot_config(DOC_VALUES, tls=True) if is_site]


class Dovecot(u.ServerFixture):
    """One private Dovecot instance in directory path."""

    def __init__(self, path, values, tls, pop3, capture_env):
        self.path = path
        self.values = dict(values)
        self.tls = tls
        self.pop3 = pop3
        self.capture_env = capture_env
        self.conf = os.path.join(path, "dovecot.conf")
        self.log_path = os.path.join(path, "dovecot.log")
        self.out_path = os.path.join(path, "dovecot.out")
        self.doveadm_output = ""
        self.server = None

    def write_config(self):
        test = {
            "base_dir": os.path.join(self.path, "run"),
            "state_dir": os.path.join(self.path, "state"),
            "log_path": self.log_path,
            "pop3": self.pop3[0],
            "pop3_login": self.pop3[1],
        }
        # Dovecot clears its children's environment but for these names:
        # the syslog capture's, and under --enable-sanitizers the runtime
        # preloaded into every process (the auth worker loads pam_mailpass).
        imported = set(self.capture_env)
        if u.SANITIZER_PRELOAD:
            imported.update(u.SANITIZER_VARIABLES)
            test["sanitizers"] = True
        if imported:
            test["import_environment"] = " ".join(
                ["TZ", "CORE_OUTOFMEM", "CORE_ERROR", "LISTEN_PID", "LISTEN_FDS"]
                + sorted(imported))
        with open(self.conf, "w") as f:
            f.write(config_text(dovecot_config(self.values, self.tls, test)))

    def ports(self):
        ports = [self.values["pop3_port"]]
        if self.tls:
            ports.append(self.values["pop3s_port"])
        return ports

    def validate(self):
        proc = u.run(["dovecot", "-n", "-c", self.conf])
        return proc.returncode == 0, proc.stderr.decode("utf-8", "replace").strip()

    def start(self):
        """Start with fresh ports; retry (bounded) if a port was taken meanwhile."""
        last = None
        for _ in range(3):
            p = u.free_ports(2)
            self.values["pop3_port"], self.values["pop3s_port"] = p
            self.write_config()
            ok, err = self.validate()
            if not ok:
                raise u.ServerError("dovecot -n rejects %s: %s" % (self.conf, err))
            env = dict(os.environ)
            env.update(self.capture_env)
            env = u.sanitized_env(env)
            self.server = u.Server(["dovecot", "-F", "-c", self.conf], "dovecot",
                                   self.out_path, env=env, cwd=self.path)
            self.server.start()
            try:
                for port in self.ports():
                    self.server.wait_port(port)
                return self
            except u.ServerError as e:
                last = e
                self.server.stop()
                if "in use" not in (self.log() + self.server.output()):
                    raise
        raise last

    def log(self):
        return u.read_text(self.log_path)


# --- The scenario ---------------------------------------------------------------------

class Setup:
    """The store, the PAM service and the mail directories, shared by both runs."""

    def __init__(self, tmp, results):
        self.tmp = tmp
        self.r = results
        self.conf = tmp.join("mailpass.conf")
        self.store = tmp.join("passwd")
        self.service = "mailpass-e2e-%d" % os.getpid()
        self.module = os.path.abspath(u.PAM_MODULE)
        mail_user = pwd.getpwnam("nobody")
        self.uid, self.gid = mail_user.pw_uid, mail_user.pw_gid
        self.values = dict(DOC_VALUES)
        self.values.update({
            "pam_service": self.service,
            "mail_uid": mail_user.pw_name,
            "mail_gid": grp.getgrgid(mail_user.pw_gid).gr_name,
            "home": tmp.join("home", "%u"),
        })
        self.stored_values = set()

    def pam_lines(self, conf=None, debug=True):
        """The PAM service.  debug: the module logs successes too, which tells
        the log checks which logins reached it; the documented lines lack it."""
        conf = conf or self.conf
        option = " debug" if debug else ""
        return ["auth     required %s conf=%s%s" % (self.module, conf, option),
                "account  required %s conf=%s%s" % (self.module, conf, option)]

    def mailpass(self, conf, args, stdin=""):
        return u.run([u.BIN, "-c", conf] + args, input=stdin, timeout=60)

    def make_store(self):
        with open(self.conf, "w") as f:
            f.write("store = file:%s\nargon2_opslimit = 1\nargon2_memlimit = 8M\n" % self.store)
        for conf, user, pw in ((self.conf, ALICE, ALICE_PW),
                               (self.conf, CAROL, CAROL_PW)):
            proc = self.mailpass(conf, ["user", "add", user], pw + "\n")
            if not self.r.check("mailpass user add %s" % user, proc.returncode == 0,
                                proc.stderr.decode("utf-8", "replace")):
                return False
        # carol: disabled with Dovecot's nologin extra field.  bob: a legacy
        # {PLAIN} value, as a site migrating from a cleartext passwd-file has.
        u.add_nologin(self.store, CAROL)
        with open(self.store, "a") as f:
            f.write("%s:{PLAIN}%s\n" % (BOB, BOB_PW))
        self.remember_hashes()
        self.r.check("alice's hash is Argon2id with the cheap cost",
                     "$argon2id$v=19$%s$" % CHEAP_COST in self.hash_of(ALICE), self.hash_of(ALICE))
        self.r.check("bob's stored value is legacy {PLAIN}",
                     self.hash_of(BOB).startswith("{PLAIN}"), "(not shown)")
        # Mail directories, owned by the userdb's uid: alice's Maildir holds
        # one message; bob's home is created by Dovecot at his first login.
        os.makedirs(self.tmp.join("home"))
        for sub in ("cur", "new", "tmp"):
            os.makedirs(self.tmp.join("home", ALICE, "Maildir", sub))
        with open(self.tmp.join("home", ALICE, "Maildir", "new", "1.e2e"), "wb") as f:
            f.write(MESSAGE)
        for root, dirs, files in os.walk(self.tmp.join("home")):
            for name in [root] + [os.path.join(root, n) for n in dirs + files]:
                os.chown(name, self.uid, self.gid)
        return True

    def hash_of(self, user):
        for l in u.read_text(self.store).splitlines():
            if l.startswith(user + ":"):
                return l.split(":")[1]
        return ""

    def remember_hashes(self):
        for user in (ALICE, BOB, CAROL):
            value = self.hash_of(user)
            if value:
                self.stored_values.add(value)
                # The salt and digest parts alone must not appear either.
                for part in value.split("$")[-2:]:
                    if len(part) >= 16:
                        self.stored_values.add(part)


def want_ok(r, label, a, stat=None):
    ok = a.accepted and (stat is None or a.stat == stat)
    return r.check(label, ok, str(a))


def wait_until(predicate, timeout=3.0):
    """Poll predicate until it holds or timeout seconds passed; its last value."""
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.05)
    return predicate()


def check_default_logging(setup, r, capture, d, port):
    """Without debug the module logs a refusal but not a success, which Dovecot logs."""
    if capture.method is None:
        r.skip("plain: without debug, what the module logs", "no syslog capture: " +
               capture.reason)
        return
    svc = re.escape(setup.service)
    any_line = r"pam_mailpass\(%s:" % svc
    mismatch = r"pam_mailpass\(%s:auth\): authenticate: service=%s user=alice " \
        r"rhost=127\.0\.0\.1: MISMATCH \(password mismatch\)" % (svc, svc)
    dovecot_login = "Login: user=<%s>" % ALICE
    setup.pam.rewrite(setup.pam_lines(debug=False))
    try:
        capture.settle()
        lines_before = capture.count(any_line)
        logins_before = d.log().count(dovecot_login)
        good = attempt(port, "USER/PASS", ALICE, ALICE_PW)
        # Dovecot's log process writes the line after the client got its answer.
        wait_until(lambda: d.log().count(dovecot_login) > logins_before)
        capture.settle()
        lines_after_good = capture.count(any_line)
        logins_after_good = d.log().count(dovecot_login)
        mismatches_before = capture.count(mismatch)
        bad = attempt(port, "USER/PASS", ALICE, WRONG_PW)
        capture.settle()
        lines_after_bad = capture.count(any_line)
        mismatches_after = capture.count(mismatch)
    finally:
        setup.pam.restore()
    want_ok(r, "plain: without debug, USER/PASS alice, right password: accepted", good,
            (1, len(MESSAGE)))
    r.check("plain: without debug, the success left no line of the module",
            lines_after_good == lines_before,
            "module lines before %d, after %d" % (lines_before, lines_after_good))
    r.check("plain: without debug, Dovecot logged the success (%s, ...)" % dovecot_login,
            logins_after_good == logins_before + 1,
            "%r in %s: %d times before, %d after" % (dovecot_login, d.log_path,
                                                    logins_before, logins_after_good))
    want_refused(r, "plain: without debug, USER/PASS alice, wrong password: refused", bad,
                 "-ERR [AUTH]")
    r.check("plain: without debug, the refusal left one line of the module: MISMATCH",
            lines_after_bad == lines_after_good + 1 and
            mismatches_after == mismatches_before + 1,
            "module lines %d -> %d, MISMATCH lines %d -> %d" % (
                lines_after_good, lines_after_bad, mismatches_before, mismatches_after))


def start(r, name, d):
    """Start d; one check line either way."""
    try:
        d.start()
    except u.ServerError as e:
        r.check("%s: dovecot starts" % name, False, str(e))
        d.stop()
        show_log_on_failure(r, d, -1)
        return False
    r.check("%s: dovecot -n accepts the configuration; dovecot (pid %d) listens on "
            "127.0.0.1 port %s" % (name, d.server.pid, " and ".join(map(str, d.ports()))), True)
    return True


def finish(r, name, d, failed_before):
    """After a run (d stopped): no process of it is left; its log if a check failed."""
    u.check_stopped(r, "%s: dovecot and its children stopped" % name, d)
    show_log_on_failure(r, d, failed_before)
    return d


def show_log_on_failure(r, d, failed_before):
    """After a failed check, the end of Dovecot's log helps to see why."""
    if r.failed == failed_before:
        return
    lines = (d.log() + d.output()).splitlines()[-40:]
    r.note("last lines of %s:" % d.log_path)
    for line in lines:
        r.note("  " + line)


def plain_run(setup, r, capture, pop3):
    """ssl = no, disable_plaintext_auth = no."""
    d = Dovecot(setup.tmp.join("plain"), setup.values, False, pop3, capture.env())
    os.makedirs(d.path)
    stat = (1, len(MESSAGE))
    failed_before = r.failed
    if not start(r, "plain", d):
        return d
    try:
        port = d.values["pop3_port"]
        for method in METHODS:
            want_ok(r, "plain: %s alice, right password: accepted, STAT" % method,
                    attempt(port, method, ALICE, ALICE_PW), stat)
            want_refused(r, "plain: %s alice, wrong password: refused" % method,
                         attempt(port, method, ALICE, WRONG_PW), "-ERR [AUTH]")
            want_refused(r, "plain: %s unknown user: refused" % method,
                         attempt(port, method, MALLORY, MALLORY_PW), "-ERR [AUTH]")

        # bob's hash has the default cost: the login rehashes it to the configured one.
        before = setup.hash_of(BOB)
        want_ok(r, "plain: USER/PASS bob ({PLAIN} value): accepted",
                attempt(port, "USER/PASS", BOB, BOB_PW), (0, 0))
        after = setup.hash_of(BOB)
        r.check("plain: Dovecot created bob's home and Maildir at his first login",
                os.path.isdir(setup.tmp.join("home", BOB, "Maildir", "cur")),
                setup.tmp.join("home", BOB))
        setup.remember_hashes()
        r.check("plain: bob's hash rehashed to the configured cost at login",
                before != after and "$argon2id$v=19$%s$" % CHEAP_COST in after,
                "before %s..., after %s..." % (before[:10], after[:40]))
        want_ok(r, "plain: AUTH PLAIN bob after the rehash: accepted",
                attempt(port, "AUTH PLAIN", BOB, BOB_PW), (0, 0))
        want_refused(r, "plain: USER/PASS carol (nologin), right password: refused",
                     attempt(port, "USER/PASS", CAROL, CAROL_PW), "-ERR [AUTH]")

        if shutil.which("curl") is None:
            r.skip("plain: curl pop3://", "curl not found (apt-get install curl)")
        else:
            url = "pop3://127.0.0.1:%d/" % port
            listing = "1 %d" % len(MESSAGE)
            rc, out, err = curl(url, ALICE, ALICE_PW)
            r.check("plain: curl %s --user alice: lists the message" % url,
                    rc == 0 and listing in out, "exit %d, %r %s" % (rc, out, err))
            rc, out, err = curl(url, ALICE, WRONG_PW)
            r.check("plain: curl alice with a wrong password: login denied (exit 67)",
                    rc == 67, "exit %d, %r %s" % (rc, out, err))
            rc, out, err = curl(url, MALLORY, MALLORY_PW)
            r.check("plain: curl unknown user: login denied (exit 67)",
                    rc == 67, "exit %d, %r %s" % (rc, out, err))

        # doveadm auth test goes through the same auth service, worker and PAM.
        for label, user, pw, want in (("right password", ALICE, ALICE_PW, True),
                                      ("wrong password", ALICE, WRONG_PW, False),
                                      ("unknown user", MALLORY, MALLORY_PW, False)):
            proc = u.run(["doveadm", "-c", d.conf, "auth", "test", "-x", "service=pop3",
                          user, pw])
            out = (proc.stdout + proc.stderr).decode("utf-8", "replace")
            ok = (proc.returncode == 0 and "auth succeeded" in out) if want else \
                (proc.returncode != 0 and "auth failed" in out)
            r.check("plain: doveadm auth test %s, %s: %s" % (
                user, label, "succeeded" if want else "failed"), ok,
                "exit %d: %s" % (proc.returncode, out.strip()))
            d.doveadm_output += out

        # A mailpass.conf the module cannot use: PAM_AUTHINFO_UNAVAIL, which
        # Dovecot reports to the client like a wrong password.
        pam = setup.pam
        pam.rewrite(setup.pam_lines(setup.tmp.join("missing.conf")))
        try:
            a = attempt(port, "USER/PASS", ALICE, ALICE_PW)
        finally:
            pam.restore()
        want_refused(r, "plain: unusable mailpass.conf: refused as a failed login",
                     a, "-ERR [AUTH] Authentication failed")
        r.check("plain: Dovecot logs PAM_AUTHINFO_UNAVAIL as an ordinary failed login (Info)",
                re.search(r"auth-worker\(\d+\): Info: .*pam\(alice,.*pam_authenticate\(\) "
                          r"failed: Authentication service cannot retrieve authentication info",
                          d.log()) is not None,
                "no such line in %s" % d.log_path)
        want_ok(r, "plain: PAM service restored: alice accepted again",
                attempt(port, "AUTH PLAIN", ALICE, ALICE_PW), stat)
        check_default_logging(setup, r, capture, d, port)
    finally:
        d.stop()
    return finish(r, "plain", d, failed_before)


def tls_run(setup, r, capture, pop3):
    """ssl = yes, disable_plaintext_auth = yes; implicit TLS and STLS."""
    try:
        cert, key = u.make_certificate(setup.tmp.path, "pop3", ips=("127.0.0.1",))
    except (u.Skip, RuntimeError) as e:
        r.skip("TLS run", getattr(e, "reason", str(e)))
        return None
    values = dict(setup.values, cert=cert, key=key)
    d = Dovecot(setup.tmp.join("tls"), values, True, pop3, capture.env())
    os.makedirs(d.path)
    stat = (1, len(MESSAGE))
    ctx = tls_context(cert)
    remote = "127.0.0.2"
    failed_before = r.failed
    if not start(r, "TLS", d):
        return d
    try:
        port, sport = d.values["pop3_port"], d.values["pop3s_port"]
        for method in ("USER/PASS", "AUTH PLAIN"):
            want_ok(r, "TLS: implicit TLS, %s alice, right password: accepted, STAT" % method,
                    attempt(sport, method, ALICE, ALICE_PW, "implicit", ctx), stat)
            want_refused(r, "TLS: implicit TLS, %s alice, wrong password: refused" % method,
                         attempt(sport, method, ALICE, WRONG_PW, "implicit", ctx), "-ERR [AUTH]")
            want_refused(r, "TLS: implicit TLS, %s unknown user: refused" % method,
                         attempt(sport, method, MALLORY, MALLORY_PW, "implicit", ctx),
                         "-ERR [AUTH]")

        # Dovecot counts a connection whose client address equals the
        # server's (127.0.0.1 to 127.0.0.1) as secured, so the checks that
        # need an insecure client connect from 127.0.0.2.
        if not u.can_bind(remote):
            r.skip("TLS: STLS and plaintext refusal", "cannot use %s as a source address" % remote)
        else:
            for method in ("USER/PASS", "AUTH PLAIN"):
                want_ok(r, "TLS: STLS from %s, %s alice, right password: accepted, STAT"
                        % (remote, method),
                        attempt(port, method, ALICE, ALICE_PW, "stls", ctx, remote), stat)
            want_refused(r, "TLS: STLS, USER/PASS alice, wrong password: refused",
                         attempt(port, "USER/PASS", ALICE, WRONG_PW, "stls", ctx, remote),
                         "-ERR [AUTH]")

            capa = capabilities(port, "plain", None, remote)
            r.check("TLS: CAPA without TLS offers STLS, not USER",
                    "STLS" in capa and "USER" not in capa, repr(capa))
            module_calls = r"authenticate: service=%s " % re.escape(setup.service)
            capture.settle()
            calls_before = capture.count(module_calls)
            want_refused(r, "TLS: USER/PASS without TLS: refused by the server",
                         attempt(port, "USER/PASS", ALICE, ALICE_PW, "plain", None, remote),
                         "Plaintext authentication disallowed")
            want_refused(r, "TLS: AUTH PLAIN without TLS: refused by the server",
                         attempt(port, "AUTH PLAIN", ALICE, ALICE_PW, "plain", None, remote),
                         "-ERR")
            if capture.method:
                capture.settle()
                r.check("TLS: the refused plaintext logins never reached PAM",
                        capture.count(module_calls) == calls_before,
                        "module lines before %d, after %d" % (
                            calls_before, capture.count(module_calls)))

        if shutil.which("curl") is None:
            r.skip("TLS: curl", "curl not found (apt-get install curl)")
        else:
            listing = "1 %d" % len(MESSAGE)
            rc, out, err = curl("pop3s://127.0.0.1:%d/" % sport, ALICE, ALICE_PW,
                                ["--cacert", cert])
            r.check("TLS: curl pop3s:// (implicit TLS, verified): lists the message",
                    rc == 0 and listing in out, "exit %d, %r %s" % (rc, out, err))
            rc, out, err = curl("pop3://127.0.0.1:%d/" % port, ALICE, ALICE_PW,
                                ["--ssl-reqd", "--cacert", cert])
            r.check("TLS: curl pop3:// --ssl-reqd (STLS, verified): lists the message",
                    rc == 0 and listing in out, "exit %d, %r %s" % (rc, out, err))
            rc, out, err = curl("pop3s://127.0.0.1:%d/" % sport, ALICE, WRONG_PW,
                                ["--cacert", cert])
            r.check("TLS: curl pop3s:// with a wrong password: login denied (exit 67)",
                    rc == 67, "exit %d, %r %s" % (rc, out, err))
            if u.can_bind(remote):
                rc, out, err = curl("pop3://127.0.0.1:%d/" % port, ALICE, ALICE_PW,
                                    ["--interface", remote])
                r.check("TLS: curl pop3:// without TLS from %s: refused" % remote,
                        rc != 0 and listing not in out, "exit %d, %r %s" % (rc, out, err))
    finally:
        d.stop()
    return finish(r, "TLS", d, failed_before)


def check_logs(setup, r, capture, servers):
    svc = re.escape(setup.service)
    head = r"pam_mailpass\(%s:auth\): authenticate: service=%s " % (svc, svc)
    if capture.method is None:
        r.skip("module log lines", "no syslog capture: " + capture.reason)
    else:
        capture.settle()
        lines = capture.messages()
        r.note("syslog capture (%s): %d lines" % (capture.method, len(lines)))
        wanted = [
            ("alice accepted", head + r"user=alice rhost=127\.0\.0\.1: OK "),
            ("alice wrong password", head + r"user=alice rhost=127\.0\.0\.1: MISMATCH "),
            ("unknown user", head + r"user=mallory rhost=127\.0\.0\.1: USER_UNKNOWN "),
            ("bob accepted", head + r"user=bob rhost=127\.0\.0\.1: OK "),
            # Dovecot asks pam_acct_mgmt in the transaction that authenticated.
            ("alice's account step without a second read of the store",
             r"pam_mailpass\(%s:account\): account: service=%s user=alice "
             r"rhost=127\.0\.0\.1: OK \(account may log in \(store unchanged since the "
             r"password check\)\)" % (svc, svc)),
            ("carol disabled", head + r"user=carol rhost=127\.0\.0\.1: DISABLED "),
            ("unusable configuration", r"pam_mailpass\(%s:auth\): cannot use \S+missing\.conf"
             % svc),
            ("unavailable result", head + r"user=alice rhost=127\.0\.0\.1: UNAVAILABLE "),
        ]
        if any(s and s.tls for s in servers) and u.can_bind("127.0.0.2"):
            wanted.append(("alice accepted over STLS from 127.0.0.2",
                           head + r"user=alice rhost=127\.0\.0\.2: OK "))
        for label, pattern in wanted:
            r.check("syslog: the module logged: %s" % label,
                    any(re.search(pattern, l) for l in lines),
                    "no line matches %r" % pattern)
        leaked = u.find_secrets("\n".join(lines), secrets() | setup.stored_values)
        r.check("syslog: no password, AUTH response or hash in %d captured lines" % len(lines),
                not leaked, "found %r" % leaked)
    for d in servers:
        if d is None:
            continue
        name = "TLS" if d.tls else "plain"
        log = d.log()
        r.check("%s: Dovecot's log shows PAM failures" % name,
                "pam_authenticate() failed" in log, d.log_path)
        leaked = u.find_secrets(log + d.output() + d.doveadm_output,
                                secrets() | setup.stored_values)
        r.check("%s: no password, AUTH response or hash in Dovecot's log and output" % name,
                not leaked, "found %r" % leaked)


def prerequisites():
    u.require_root()
    u.require(sys.platform.startswith("linux"), "Linux only")
    u.require_program("dovecot", "dovecot-core")
    u.require_file(u.BIN, "mailpass (MAILPASS_BIN)")
    u.require_file(u.PAM_MODULE, "pam_mailpass.so (MAILPASS_PAM_MODULE)")
    for name in ("dovenull", "dovecot", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            raise u.Skip("user %s does not exist (dovecot-core creates dovenull and dovecot)"
                         % name)


def run_test(r, keep):
    prerequisites()
    with u.TempDir(prefix="mailpass-e2e-dovecot.", mode=0o755, keep=keep) as tmp:
        if keep:
            r.note("temporary directory kept: " + tmp.path)
        pop3 = pop3_binaries(tmp.path)
        r.note("pop3 binaries: %s, %s" % pop3)
        setup = Setup(tmp, r)
        with u.capture_syslog(tmp.path) as capture:
            if capture.method:
                r.note("syslog capture: %s" % capture.method)
            with u.PamService(setup.service, setup.pam_lines()) as pam:
                setup.pam = pam
                r.note("PAM service %s: %s" % (pam.path, setup.pam_lines()[0]))
                if not setup.make_store():
                    return
                servers = [plain_run(setup, r, capture, pop3)]
                servers.append(tls_run(setup, r, capture, pop3))
            check_logs(setup, r, capture, servers)
        r.check("PAM service file removed", not os.path.exists(setup.pam.path), setup.pam.path)
    u.check_doc_shows(r, DOC, "docs/dovecot.md", site_lines())


def demo():
    """One plain run, told as it happens."""
    def say(line=""):
        print(line, flush=True)

    r = u.Results(out=open(os.devnull, "w"))
    prerequisites()
    with u.TempDir(prefix="mailpass-demo-dovecot.", mode=0o755) as tmp:
        pop3 = pop3_binaries(tmp.path, say=lambda l: say("+ " + l))
        setup = Setup(tmp, r)
        # The PAM service as docs/dovecot.md writes it: without debug.
        pam_lines = setup.pam_lines(debug=False)
        with u.capture_syslog(tmp.path) as capture, \
                u.PamService(setup.service, pam_lines) as pam:
            setup.pam = pam
            say("== Dovecot POP3 login through pam_mailpass on 127.0.0.1")
            if not setup.make_store():
                say("demo: could not create the store: %s" % ", ".join(r.failures))
                return 1
            say("+ store %s: user alice, Argon2id hash (%s)" % (setup.store, CHEAP_COST))
            say("+ PAM service %s:" % pam.path)
            for l in pam_lines:
                say("    " + l)
            d = Dovecot(tmp.join("plain"), setup.values, False, pop3, capture.env())
            os.makedirs(d.path)
            try:
                d.start()
                port = d.values["pop3_port"]
                say("+ dovecot -F -c %s (pid %d): passdb pam (service %s), "
                    "POP3 on 127.0.0.1:%d" % (d.conf, d.server.pid, setup.service, port))
                good = attempt(port, "USER/PASS", ALICE, ALICE_PW)
                say("+ POP3 USER alice / PASS <alice's password>: %s" % (good.resp or good.error))
                if good.stat is not None:
                    say("+ STAT: %d message(s), %d octets" % good.stat)
                bad = attempt(port, "USER/PASS", ALICE, WRONG_PW)
                say("+ POP3 USER alice / PASS <a wrong password>: %s" % (bad.resp or bad.error))
            except u.ServerError as e:
                say("demo: Dovecot did not start: %s" % e)
                say(d.log()[-2000:])
                return 1
            finally:
                d.stop()
            capture.settle()
            logins = [l for l in d.log().splitlines() if "Login: user=<%s>" % ALICE in l]
            if logins:
                say("+ Dovecot logged the login (pam_mailpass logs a success only with the "
                    "option debug):")
                for l in logins:
                    say("    " + (l[l.index("pop3-login:"):] if "pop3-login:" in l else l))
            # Only this run's service: other programs may log through the same socket.
            logged = [l for l in capture.messages()
                      if "pam_mailpass(%s:" % setup.service in l]
            if logged:
                say("+ pam_mailpass logged (syslog):")
                for l in logged:
                    say("    " + l[l.index("pam_mailpass("):])
            else:
                say("+ pam_mailpass logged to the system's syslog (auth facility)")
            leaked = u.find_secrets("\n".join(capture.messages()) + d.log() + d.output(),
                                    secrets() | setup.stored_values)
            ok = good.accepted and good.stat == (1, len(MESSAGE)) and not bad.accepted \
                and not leaked
            if ok:
                say("== demo done: Dovecot accepted alice's password through pam_mailpass "
                    "(STAT worked) and rejected a wrong one; no password in any log")
                return 0
            say("demo: unexpected result (right password: %s; wrong password: %s%s)" % (
                good, bad, "; leaked %r" % leaked if leaked else ""))
            return 1


if __name__ == "__main__":
    sys.exit(u.main(sys.argv[1:], "Dovecot POP3 through pam_mailpass, end to end.", "Dovecot",
                    run_test, demo, show_config))
