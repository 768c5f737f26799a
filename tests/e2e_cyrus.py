#!/usr/bin/env python3
"""End to end: a real Cyrus IMAP pop3d authenticating through mailpass.

As root, the test writes a mailpass store (Argon2id login hashes and APOP
secrets sealed with an apop_key) in a temporary directory, owned by the
user cyrus as docs/cyrus.md says, and copies the built SASL plugin
libmailpass.so into a plugin directory of its own.  It starts

  saslauthd -a pam -d  on its own socket, whose PAM service "pop" (the
                       service name Cyrus pop3d gives libsasl2) stacks the
                       built pam_mailpass.so for auth (with the option
                       debug, so that successes are logged too) and account;
  Cyrus's master       with an imapd.conf and a cyrus.conf of its own,
                       serving POP3 on 127.0.0.1 (and LMTP on a Unix
                       socket in the temporary directory, for delivering
                       a test message), with SASL_PATH naming the plugin
                       directory first and the system's plugins second;

and logs in with Python's poplib (and curl) three times:

  plain run  allowplaintext: yes.  APOP (libsasl2's sasl_checkapop with the
             APOP secret that the auxprop plugin "mailpass" serves as
             userPassword), AUTH PLAIN and AUTH LOGIN (the plugin's own
             mechanisms) and USER/PASS (sasl_checkpass, saslauthd, PAM,
             pam_mailpass) succeed with the right secret or password (STAT
             shows the delivered message) and fail with a wrong one, for an
             unknown user and for a disabled user; the APOP secret is not a
             login password and the login password is not an APOP secret;
             a user without an APOP secret cannot use APOP; hashes of a
             lower Argon2 cost than the configured one are rehashed at login
             by the plugin (inside pop3d, user cyrus) and by pam_mailpass
             (inside saslauthd, root) and the
             store keeps its owner and mode; a changed password and a
             changed APOP secret take effect at the next login.
  TLS run    allowplaintext: no, a certificate made by the test: AUTH
             PLAIN, AUTH LOGIN and USER/PASS work over implicit TLS and after
             STLS; without TLS they are neither offered nor accepted; APOP
             works with and without TLS.
  stock run  libmailpass.so in one directory with libsasl2-modules' PLAIN
             and LOGIN, as a plain "make install" leaves it: whichever
             PLAIN and LOGIN libsasl2 picks, the right password is accepted
             and the wrong one, the APOP secret and an unknown user are
             refused.

What Cyrus, libsasl2, saslauthd and both mailpass adapters send to syslog(3)
is captured (a listener on /dev/log when the machine has no syslog daemon,
else the LD_PRELOAD shim tests/syslog-capture.c in the environment of master
and saslauthd) and checked: each login went the way docs/cyrus.md says, and
no password, APOP secret, AUTH response, stored hash or key appears in it,
nor in the output of master, saslauthd, deliver and curl.

/etc/pam.d/pop belongs to cyrus-pop3d.  The test does not touch it: saslauthd
runs in a mount namespace of its own (unshare(1)) in which the test's
directory holding "pop" is bound over /etc/pam.d.  Where mount namespaces
are not available, /etc/pam.d/pop is replaced while the test runs and put
back byte for byte afterwards (a copy is kept in the temporary directory).

Options:
  --demo         one plain run with a short narrative (for the quick start)
  --show-config  print the imapd.conf, PAM, saslauthd and SASL_PATH
                 settings of the TLS run with the values of docs/cyrus.md,
                 and exit
  --keep         keep the temporary directory (servers are still stopped)

Environment (set by make check; defaults for a run from the source tree):
  MAILPASS_BIN, MAILPASS_PAM_MODULE, MAILPASS_SASL_PLUGIN_DIR,
  MAILPASS_SRCDIR, MAILPASS_BUILDDIR, MAILPASS_SYSLOG_SHIM,
  MAILPASS_REQUIRE_TOOLS=1 (a skip is a failure), MAILPASS_SYSLOG_CAPTURE
  ("dev-log", the default, or "shim"), MAILPASS_CYRUS_PAM ("namespace" or
  "replace": how saslauthd gets its PAM service; default: namespace when
  unshare works).

Exit status: 0 all passed, 1 a check failed, 77 skipped (needs root,
Cyrus, saslauthd, ...).  The last line is "N passed, N failed"
(", N skipped").
"""

import base64
import glob
import grp
import os
import poplib
import pwd
import re
import shutil
import stat
import subprocess
import sys

sys.dont_write_bytecode = True   # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_util as u  # noqa: E402
from pop3_client import (  # noqa: E402
    attempt, capabilities, connect, curl, sent_forms, text, tls_context, want_refused)

PAM_MODE = os.environ.get("MAILPASS_CYRUS_PAM") or ""
DOC = os.path.join(u.SRCDIR, "docs", "cyrus.md")

CYRUS_BIN = "/usr/lib/cyrus/bin"
MASTER = os.path.join(CYRUS_BIN, "master")
POP3D = os.path.join(CYRUS_BIN, "pop3d")
LMTPD = os.path.join(CYRUS_BIN, "lmtpd")
DELIVER = os.path.join(CYRUS_BIN, "deliver")
CTL_CYRUSDB = os.path.join(CYRUS_BIN, "ctl_cyrusdb")

# The system's libsasl2 plugin directory, where libsasl2-modules (a
# dependency of cyrus-common) puts the stock PLAIN and LOGIN, and where
# "make install" puts libmailpass.so.
SYSTEM_SASL_DIRS = ("/usr/lib/x86_64-linux-gnu/sasl2", "/usr/lib/aarch64-linux-gnu/sasl2",
                    "/usr/lib/sasl2")

# The PAM service name that Cyrus pop3d gives libsasl2 (sasl_server_new("pop",
# ...)), which libsasl2 passes on to saslauthd and saslauthd to pam_start().
PAM_SERVICE = "pop"
PAM_DIR = "/etc/pam.d"

# Users of the test store.  Every secret is distinctive, so that finding it
# in a log means it was logged.
ALICE, ALICE_PW, ALICE_APOP = "alice", "Alice-pw-Cy7Kq2xR9v", "Alice-apop-Cy3Wm8Tq"
ALICE_PW2, ALICE_APOP2 = "Alice-newpw-Cy5Hd2Lp", "Alice-newapop-Cy9Rk4Zs"
BOB, BOB_PW = "bob", "Bob-pw-oldcost-Cy4Tz8"            # no APOP secret; rehashed by PLAIN
CAROL, CAROL_PW, CAROL_APOP = "carol", "Carol-pw-nologin-Cy2Hs5", "Carol-apop-Cy6Nb1"
DAVE, DAVE_PW = "dave", "Dave-pw-oldcost-Cy8Qe3"        # rehashed by USER/PASS (PAM)
WRONG_PW = "Wrong-pw-guessed-Cy8Nd3Lq"
MALLORY, MALLORY_PW = "mallory", "Mallory-pw-unknown-Cy5Vb1"
USERS = [ALICE, BOB, CAROL, DAVE, MALLORY]
SECRETS = [ALICE_PW, ALICE_APOP, ALICE_PW2, ALICE_APOP2, BOB_PW, CAROL_PW, CAROL_APOP,
           DAVE_PW, WRONG_PW, MALLORY_PW]

# The configured cost, and a lower one that a login upgrades (rehash never
# lowers a cost); both cheap, so that the test stays fast.
TARGET_COST = "m=8192,t=2,p=1"      # argon2_memlimit = 8M, argon2_opslimit = 2
OLD_COST = "m=8192,t=1,p=1"         # argon2_memlimit = 8M, argon2_opslimit = 1

MESSAGE = (b"From: postmaster@example.org\r\nTo: alice@example.org\r\n"
           b"Subject: mailpass Cyrus end-to-end test\r\n\r\nHello from the test.\r\n")

METHODS = ("APOP", "AUTH PLAIN", "AUTH LOGIN", "USER/PASS")
PASSWORD_METHODS = ("AUTH PLAIN", "AUTH LOGIN", "USER/PASS")


def secrets():
    """Every secret the logs must not show, including encoded forms."""
    return sent_forms(SECRETS, USERS)


# --- The configuration ---------------------------------------------------------

# Values of the configuration shown in docs/cyrus.md; the test's own values
# replace them when it runs.  The site lines are checked to appear in the
# document, so that the document shows what the test runs.
DOC_VALUES = {
    "servername": "mail.example.org",
    "mailpass_conf": "/etc/mailpass.conf",
    "pam_module": "pam_mailpass.so",
    "saslauthd_dir": "/var/run/saslauthd",
    "plugin_dir": "/usr/lib/mailpass/sasl2",
    "system_plugin_dir": "/usr/lib/x86_64-linux-gnu/sasl2",
    "cert": "/etc/ssl/mail/mail.example.org.crt",
    "key": "/etc/ssl/mail/mail.example.org.key",
}


def imapd_config(values, tls, test=None):
    """imapd.conf as (text, site line?) pairs.

    values: the site values (DOC_VALUES' keys).  tls: the TLS run (else the
    plain one).  test: None for the site lines alone; else a dict of the
    test-only values (config, spool, lmtp_socket, saslauthd_dir).
    imapd.conf refuses a key given twice: every key appears once.
    """
    pairs = []

    def line(text, is_site=True):
        pairs.append((text, is_site))

    if test:
        line("# mailpass end-to-end test (%s run)" % ("TLS" if tls else "plain"), False)
        line("configdirectory: %s" % test["config"], False)
        line("defaultpartition: default", False)
        line("partition-default: %s" % test["spool"], False)
        line("lmtpsocket: %s" % test["lmtp_socket"], False)
        line("syslog_prefix: mailpass-e2e", False)
        # INBOXes are created by the first delivery or login.
        line("autocreate_quota: 0", False)
        line("autocreate_post: yes", False)
        # The test logs in many times a second and fails on purpose.
        line("popminpoll: 0", False)
        line("failedloginpause: 0", False)
        line("sasl_saslauthd_path: %s" % os.path.join(test["saslauthd_dir"], "mux"), False)
    line("servername: %s" % values["servername"])
    line("allowapop: yes")
    if tls:
        line("allowplaintext: no")
        line("tls_server_cert: %s" % values["cert"])
        line("tls_server_key: %s" % values["key"])
        line("tls_versions: tls1_2 tls1_3")
    else:
        line("allowplaintext: yes", False)
    line("sasl_pwcheck_method: saslauthd")
    line("sasl_auxprop_plugin: mailpass")
    line("sasl_mailpass_conf: %s" % values["mailpass_conf"])
    line("sasl_mech_list: PLAIN LOGIN")
    line("sasl_log_level: 4")
    return pairs


def pam_lines(values, debug=False):
    """The PAM service.  debug (the test's): the module logs successes too, which
    tells the route checks which logins reached it."""
    module, conf = values["pam_module"], values["mailpass_conf"]
    return ["auth     required %s conf=%s%s" % (module, conf, " debug" if debug else ""),
            "account  required %s conf=%s" % (module, conf)]


def saslauthd_defaults(values):
    """The lines of /etc/default/saslauthd that the test's saslauthd runs with."""
    return ['MECHANISMS="pam"',
            'OPTIONS="-m %s"' % values["saslauthd_dir"]]


def sasl_path(values):
    """SASL_PATH for cyrmaster: mailpass's plugin directory first, then the system's."""
    dirs = [values["plugin_dir"]]
    if values.get("system_plugin_dir"):
        dirs.append(values["system_plugin_dir"])
    return ":".join(dirs)


def systemd_lines(values):
    """The drop-in of cyrus-imapd.service (systemctl edit cyrus-imapd)."""
    return ["[Service]", "Environment=SASL_PATH=%s" % sasl_path(values)]


def saslauthd_argv(exe, values):
    # -a from MECHANISMS, -m from OPTIONS (no -c: no credential cache);
    # -n 1 and -d (one process, in the foreground) for the test.
    return [exe, "-a", "pam", "-m", values["saslauthd_dir"], "-n", "1", "-d"]


def config_text(pairs):
    return "".join(text + "\n" for text, _ in pairs)


def show_config():
    out = ["# /etc/imapd.conf (these keys; each key once)"]
    out += [t for t, site in imapd_config(DOC_VALUES, tls=True) if site]
    out += ["", "# /etc/pam.d/%s" % PAM_SERVICE] + pam_lines(DOC_VALUES)
    out += ["", "# /etc/default/saslauthd"] + saslauthd_defaults(DOC_VALUES)
    out += ["", "# systemctl edit cyrus-imapd"] + systemd_lines(DOC_VALUES)
    return "\n".join(out) + "\n"


def site_lines():
    """The site lines of the TLS run, which docs/cyrus.md must show."""
    return [t for t, site in imapd_config(DOC_VALUES, tls=True) if site] + \
        pam_lines(DOC_VALUES) + saslauthd_defaults(DOC_VALUES) + systemd_lines(DOC_VALUES)


def cyrus_conf(t, tls):
    """cyrus.conf of the test: POP3 (and POP3S) on 127.0.0.1, LMTP on a Unix socket."""
    imapd = t["imapd_conf"]
    lines = [
        "# mailpass end-to-end test",
        "START {",
        '  recover cmd="%s -C %s -r"' % (CTL_CYRUSDB, imapd),
        "}",
        "SERVICES {",
        '  pop3 cmd="%s -C %s" listen="127.0.0.1:%d" prefork=0 maxchild=20'
        % (POP3D, imapd, t["pop3_port"]),
    ]
    if tls:
        lines.append('  pop3s cmd="%s -s -C %s" listen="127.0.0.1:%d" prefork=0 maxchild=20'
                     % (POP3D, imapd, t["pop3s_port"]))
    lines += [
        '  lmtpunix cmd="%s -C %s" listen="%s" prefork=0 maxchild=5'
        % (LMTPD, imapd, t["lmtp_socket"]),
        "}",
        "EVENTS {",
        "}",
    ]
    return "".join(l + "\n" for l in lines)


def system_sasl_dir():
    for d in SYSTEM_SASL_DIRS:
        if os.path.isdir(d):
            return d
    return None


def mirror_dir(source, path):
    """path: symbolic links to the files of source, except any libmailpass*."""
    os.makedirs(path)
    os.chmod(path, 0o755)
    for name in sorted(os.listdir(source)):
        if not name.startswith("libmailpass"):
            os.symlink(os.path.join(source, name), os.path.join(path, name))
    return path


def cyrus_ids():
    user = pwd.getpwnam("cyrus")
    return user.pw_uid, grp.getgrnam("mail").gr_gid


def chown_cyrus(path, mode):
    uid, gid = cyrus_ids()
    os.chown(path, uid, gid)
    os.chmod(path, mode)


class Cyrus(u.ServerFixture):
    """One private Cyrus master in directory path."""

    # Cyrus's configdirectory layout (Debian's cyrus-common makes these).
    CONFIG_SUBDIRS = ("db", "lock", "log", "msg", "proc", "socket")

    def __init__(self, path, values, tls, saslauthd_dir, sasl_path, capture_env):
        self.path = path
        self.values = dict(values)
        self.tls = tls
        self.sasl_path = sasl_path
        self.capture_env = capture_env
        self.imapd_conf = os.path.join(path, "imapd.conf")
        self.cyrus_conf = os.path.join(path, "cyrus.conf")
        self.config = os.path.join(path, "config")
        self.spool = os.path.join(path, "spool")
        self.lmtp_socket = os.path.join(self.config, "socket", "lmtp")
        self.saslauthd_dir = saslauthd_dir
        self.out_path = os.path.join(path, "master.out")
        self.pid_path = os.path.join(path, "master.pid")
        self.ports = {}
        self.deliver_output = ""
        self.curl_output = ""
        self.server = None

    def prepare(self):
        os.makedirs(self.path, exist_ok=True)
        os.chmod(self.path, 0o755)
        for d in [self.config, self.spool] + [os.path.join(self.config, s)
                                             for s in self.CONFIG_SUBDIRS]:
            os.makedirs(d, exist_ok=True)
            chown_cyrus(d, 0o750)

    def write_config(self):
        t = {
            "imapd_conf": self.imapd_conf,
            "config": self.config,
            "spool": self.spool,
            "lmtp_socket": self.lmtp_socket,
            "saslauthd_dir": self.saslauthd_dir,
            "pop3_port": self.ports["pop3"],
            "pop3s_port": self.ports.get("pop3s", 0),
        }
        with open(self.imapd_conf, "w") as f:
            f.write(config_text(imapd_config(self.values, self.tls, t)))
        with open(self.cyrus_conf, "w") as f:
            f.write(cyrus_conf(t, self.tls))
        os.chmod(self.imapd_conf, 0o644)
        os.chmod(self.cyrus_conf, 0o644)

    def listening_ports(self):
        return [self.ports[k] for k in ("pop3", "pop3s") if k in self.ports]

    def greeting(self, port):
        client = connect(port)
        try:
            return text(client.getwelcome())
        finally:
            client.close()

    def start(self):
        """Start with fresh ports; retry (bounded) if a port was taken meanwhile."""
        last = None
        for _ in range(3):
            ports = u.free_ports(2)
            self.ports = {"pop3": ports[0]}
            if self.tls:
                self.ports["pop3s"] = ports[1]
            self.write_config()
            env = dict(os.environ)
            env["SASL_PATH"] = self.sasl_path
            env.update(self.capture_env)
            # master's children (pop3d, lmtpd) load libmailpass.so.
            env = u.sanitized_env(env)
            self.server = u.Server([MASTER, "-C", self.imapd_conf, "-M", self.cyrus_conf,
                                    "-p", self.pid_path, "-D"],
                                   "cyrus master", self.out_path, env=env, cwd=self.path)
            self.server.start()
            try:
                self.server.wait_port(self.ports["pop3"])
                self.server.wait_unix_socket(self.lmtp_socket)
                if self.tls:
                    self.server.wait_port(self.ports["pop3s"])
                # A port taken by another server between free_ports() and
                # master's bind would answer with another greeting.
                welcome = self.greeting(self.ports["pop3"])
                if "Cyrus POP3" not in welcome or self.values["servername"] not in welcome:
                    raise u.ServerError("port %d answers %r, not this Cyrus" % (
                        self.ports["pop3"], welcome))
                return self
            except (u.ServerError, OSError, poplib.error_proto) as e:
                last = e if isinstance(e, u.ServerError) else u.ServerError(str(e))
                self.server.stop()
        raise last

    def deliver(self, user, message):
        proc = u.run([DELIVER, "-C", self.imapd_conf, user], input=message)
        self.deliver_output += (proc.stdout + proc.stderr).decode("utf-8", "replace")
        return proc.returncode, (proc.stdout + proc.stderr).decode("utf-8", "replace").strip()



# --- saslauthd and its PAM service --------------------------------------------------

UNSHARE_SCRIPT = 'mount --bind "$0" %s && exec "$@"' % PAM_DIR


def namespace_usable(pam_dir):
    """Whether unshare(1) can bind pam_dir over /etc/pam.d in a private mount namespace."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return False, "unshare not found (util-linux)"
    probe = 'mount --bind "$0" %s && test -f %s/%s' % (PAM_DIR, PAM_DIR, PAM_SERVICE)
    try:
        proc = u.run([unshare, "--mount", "--propagation", "private", "--",
                      "sh", "-c", probe, pam_dir], timeout=10)
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, str(e)
    if proc.returncode != 0:
        return False, proc.stderr.decode("utf-8", "replace").strip() or \
            "exit %d" % proc.returncode
    return True, ""


class Saslauthd(u.ServerFixture):
    """saslauthd -a pam on its own socket, with the test's PAM service "pop".

    mode "namespace": saslauthd runs under unshare(1) with pam_dir bound over
    /etc/pam.d in its own mount namespace; the system's files are untouched.
    mode "replace": /etc/pam.d/pop is replaced for the test's duration and
    put back afterwards (u.ReplacedFile).
    """

    def __init__(self, tmp, values, pam_content, mode, capture_env):
        self.tmp = tmp
        self.values = dict(values)
        self.pam_content = pam_content
        self.mode = mode
        self.capture_env = capture_env
        self.dir = values["saslauthd_dir"]
        self.pam_dir = tmp.join("pam.d")
        self.out_path = tmp.join("saslauthd.out")
        self.replaced = None
        self.server = None

    def prepare(self):
        os.makedirs(self.pam_dir, exist_ok=True)
        os.chmod(self.pam_dir, 0o755)
        with open(os.path.join(self.pam_dir, PAM_SERVICE), "w") as f:
            f.write(self.pam_content)
        os.chmod(os.path.join(self.pam_dir, PAM_SERVICE), 0o644)
        # libpam reads "other" as the fallback of every service; without it,
        # it logs "no default config other" at each pam_start.
        with open(os.path.join(self.pam_dir, "other"), "w") as f:
            f.write("# Fallback of a mailpass test's PAM directory: refuse.\n"
                    "auth     required pam_deny.so\n"
                    "account  required pam_deny.so\n"
                    "password required pam_deny.so\n"
                    "session  required pam_deny.so\n")
        os.chmod(os.path.join(self.pam_dir, "other"), 0o644)
        # Like Debian's /run/saslauthd (root:sasl 0710): Cyrus, user cyrus
        # in group mail, reaches the socket through the group.
        os.makedirs(self.dir, exist_ok=True)
        os.chown(self.dir, 0, cyrus_ids()[1])
        os.chmod(self.dir, 0o750)

    def start(self, exe):
        argv = saslauthd_argv(exe, self.values)
        if self.mode == "namespace":
            argv = [shutil.which("unshare"), "--mount", "--propagation", "private", "--",
                    "sh", "-c", UNSHARE_SCRIPT, self.pam_dir] + argv
        else:
            self.replaced = u.ReplacedFile(os.path.join(PAM_DIR, PAM_SERVICE),
                                           self.pam_content, self.tmp.path)
            self.replaced.__enter__()
        env = dict(os.environ)
        env.update(self.capture_env)
        env = u.sanitized_env(env)   # saslauthd loads pam_mailpass.so
        self.server = u.Server(argv, "saslauthd", self.out_path, env=env, cwd=self.tmp.path)
        self.server.start()
        self.server.wait_unix_socket(os.path.join(self.dir, "mux"))
        return self

    def stop(self):
        try:
            super().stop()
        finally:
            if self.replaced is not None:
                self.replaced.__exit__(None, None, None)


# --- Checks of a login ---------------------------------------------------------------

def want_ok(r, label, a, messages=None):
    """Accepted; with messages, STAT shows that many (and the test message's subject)."""
    ok = a.accepted
    if ok and messages is not None:
        ok = a.stat is not None and a.stat[0] == messages
        if ok and messages:
            ok = b"Subject: mailpass Cyrus end-to-end test" in a.top
    return r.check(label, ok, str(a))


# --- The scenario ---------------------------------------------------------------------

class Setup:
    """The store, the plugin directory and saslauthd, shared by both runs."""

    def __init__(self, tmp, results):
        self.tmp = tmp
        self.r = results
        self.store_dir = tmp.join("mailpass")
        self.conf = os.path.join(self.store_dir, "mailpass.conf")
        self.old_conf = os.path.join(self.store_dir, "mailpass-old-cost.conf")
        self.store = os.path.join(self.store_dir, "passwd")
        self.key = os.path.join(self.store_dir, "apop.key")
        self.plugin_dir = tmp.join("sasl2")
        self.system_dir = None
        self.sasl_path = self.plugin_dir
        self.values = dict(DOC_VALUES)
        self.values.update({
            "mailpass_conf": self.conf,
            "pam_module": os.path.abspath(u.PAM_MODULE),
            "saslauthd_dir": tmp.join("saslauthd"),
        })
        self.stored_values = set()
        self.saslauthd = None

    def mailpass(self, args, stdin="", conf=None):
        return u.run([u.BIN, "-c", conf or self.conf] + args, input=stdin, timeout=60)

    def make_plugin_dirs(self):
        """The plugin directories that SASL_PATH names.

        plugin_dir holds the built plugin alone, as /usr/lib/mailpass/sasl2
        in docs/cyrus.md; system_dir mirrors the system's plugin directory
        (symbolic links), without a libmailpass.so that an earlier "make
        install" may have left there.  SASL_PATH lists plugin_dir first, as
        the document does.
        """
        os.makedirs(self.plugin_dir)
        os.chmod(self.plugin_dir, 0o755)
        target = os.path.join(self.plugin_dir, "libmailpass.so")
        shutil.copyfile(os.path.join(u.SASL_PLUGIN_DIR, "libmailpass.so"), target)
        os.chmod(target, 0o644)
        self.system_dir = None
        system = system_sasl_dir()
        if system is not None:
            self.system_dir = mirror_dir(system, self.tmp.join("sasl2-system"))
        self.values["plugin_dir"] = self.plugin_dir
        self.values["system_plugin_dir"] = self.system_dir
        self.sasl_path = sasl_path(self.values)

    def make_store(self):
        os.makedirs(self.store_dir)
        os.chmod(self.store_dir, 0o750)
        proc = u.run([u.BIN, "keygen", self.key])
        if not self.r.check("mailpass keygen", proc.returncode == 0,
                            proc.stderr.decode("utf-8", "replace")):
            return False
        # store_owner = cyrus: the store, its directory and the key belong to
        # cyrus (below), and saslauthd and mailpass, as root, must accept that.
        for conf, opslimit in ((self.conf, 2), (self.old_conf, 1)):
            with open(conf, "w") as f:
                f.write("store = file:%s\napop_key = %s\nstore_owner = cyrus\n"
                        "argon2_opslimit = %d\nargon2_memlimit = 8M\n"
                        % (self.store, self.key, opslimit))
            os.chmod(conf, 0o644)
        steps = [(["user", "add", ALICE], ALICE_PW, None),
                 (["user", "apop", ALICE], ALICE_APOP, None),
                 (["user", "add", BOB], BOB_PW, self.old_conf),
                 (["user", "add", CAROL], CAROL_PW, None),
                 (["user", "apop", CAROL], CAROL_APOP, None),
                 (["user", "add", DAVE], DAVE_PW, self.old_conf)]
        for args, secret, conf in steps:
            proc = self.mailpass(args, secret + "\n", conf)
            if not self.r.check("mailpass %s" % " ".join(args), proc.returncode == 0,
                                proc.stderr.decode("utf-8", "replace")):
                return False
        # carol: disabled with Dovecot's nologin extra field.
        u.add_nologin(self.store, CAROL)
        # The plugin reads the store and the key inside pop3d, as user cyrus
        # (group mail), and rewrites the store after a rehash (passwd.lock,
        # passwd.tmp, rename): the directory and its files belong to cyrus.
        chown_cyrus(self.store_dir, 0o750)
        chown_cyrus(self.store, 0o640)
        if os.path.exists(self.store + ".lock"):
            chown_cyrus(self.store + ".lock", 0o640)
        chown_cyrus(self.key, 0o600)
        # As docs/cyrus.md: the chown changed the store, so its stamp is stale;
        # mailpass stamp (as root) writes it anew with the store's owner and mode.
        proc = u.run([u.BIN, "-c", self.conf, "stamp"])
        store_st = os.stat(self.store)
        try:
            stamp_st = os.stat(self.store + ".stamp")
        except FileNotFoundError:
            stamp_st = None
        self.r.check("mailpass stamp after the chown: the stamp has the store's owner and mode",
                     proc.returncode == 0 and stamp_st is not None and
                     (stamp_st.st_uid, stamp_st.st_gid, stamp_st.st_mode & 0o7777) ==
                     (store_st.st_uid, store_st.st_gid, store_st.st_mode & 0o7777),
                     "exit %d: %r, stamp %s" % (proc.returncode, proc.stderr,
                                               "missing" if stamp_st is None else
                                               oct(stamp_st.st_mode)))
        self.remember_secrets()
        self.r.check("alice's hash is Argon2id with the configured cost",
                     "$argon2id$v=19$%s$" % TARGET_COST in self.hash_of(ALICE),
                     self.hash_of(ALICE))
        self.r.check("alice's APOP secret is sealed ({SECRETBOX})",
                     self.extra_of(ALICE, "apop").startswith("{SECRETBOX}"),
                     self.extra_of(ALICE, "apop"))
        for user in (BOB, DAVE):
            self.r.check("%s's hash is Argon2id with a lower cost (%s)" % (user, OLD_COST),
                         "$argon2id$v=19$%s$" % OLD_COST in self.hash_of(user),
                         self.hash_of(user))
        runuser = shutil.which("runuser") or "/usr/sbin/runuser"
        proc = u.run([runuser, "-u", "cyrus", "--", u.BIN, "-c", self.conf, "check"])
        out = (proc.stdout + proc.stderr).decode("utf-8", "replace").strip()
        self.r.check("mailpass check as user cyrus: configuration, store and key usable",
                     proc.returncode == 0 and "0 errors" in out, "exit %d: %s" % (
                         proc.returncode, out))
        return True

    def record(self, user):
        for l in u.read_text(self.store).splitlines():
            if l.startswith(user + ":"):
                return l.split(":")
        return []

    def hash_of(self, user):
        fields = self.record(user)
        return fields[1] if len(fields) > 1 else ""

    def extra_of(self, user, key):
        fields = self.record(user)
        if len(fields) < 8:
            return ""
        for item in ":".join(fields[7:]).split():
            if item.startswith(key + "="):
                return item[len(key) + 1:]
        return ""

    def remember_secrets(self):
        """Stored hashes, sealed secrets and the key: none may reach a log."""
        for user in (ALICE, BOB, CAROL, DAVE):
            for value in (self.hash_of(user), self.extra_of(user, "apop")):
                if not value:
                    continue
                self.stored_values.add(value)
                for part in re.split(r"[$}]", value)[-2:]:
                    if len(part) >= 16:
                        self.stored_values.add(part)
        try:
            with open(self.key, "rb") as f:
                key = f.read()
            self.stored_values.add(base64.b64encode(key).decode())
            self.stored_values.add(key.hex())
        except OSError:
            pass

    def owner_mode(self, path):
        st = os.stat(path)
        return (pwd.getpwuid(st.st_uid).pw_name, grp.getgrgid(st.st_gid).gr_name,
                "%04o" % stat.S_IMODE(st.st_mode))


# Which part of mailpass decided a login, by its log line.
ROUTES = {
    "APOP": ("the auxprop plugin (sasl_checkapop)",
             r"mailpass auxprop: user=%s: APOP secret given as userPassword"),
    "AUTH PLAIN": ("the plugin's PLAIN", r"mailpass PLAIN: service=pop user=%s "),
    "AUTH LOGIN": ("the plugin's LOGIN", r"mailpass LOGIN: service=pop user=%s "),
    "USER/PASS": ("saslauthd and pam_mailpass (sasl_checkpass)",
                  r"pam_mailpass\(pop:auth\): authenticate: service=pop user=%s "),
}


def route_counts(capture, user):
    if not capture.method:
        return None
    capture.settle()
    return {m: capture.count(pattern % re.escape(user))
            for m, (_, pattern) in ROUTES.items()}


def check_route(r, run, capture, method, before, user):
    """The login of method went through its own route, and through no other."""
    if before is None:
        return
    after = route_counts(capture, user)
    grew = sorted(m for m in ROUTES if after[m] > before[m])
    r.equal("%s: %s %s was decided by %s" % (run, method, user, ROUTES[method][0]),
            grew, [method])


def start(r, name, c):
    """Start c; one check line either way."""
    try:
        c.start()
    except u.ServerError as e:
        r.check("%s: Cyrus master starts" % name, False, str(e))
        c.stop()
        show_output_on_failure(r, c, None, -1)
        return False
    r.check("%s: Cyrus master (pid %d) listens on 127.0.0.1 port %s" % (
        name, c.server.pid, " and ".join(map(str, c.listening_ports()))), True)
    return True


def finish(r, name, c, capture, failed_before):
    """After a run (c stopped): no process of it is left; the logs if a check failed."""
    u.check_stopped(r, "%s: master and its children stopped" % name, c)
    show_output_on_failure(r, c, capture, failed_before)
    return c


def show_output_on_failure(r, c, capture, failed_before):
    """After a failed check, the end of the logs helps to see why."""
    if r.failed == failed_before:
        return
    lines = c.output().splitlines()[-20:]
    if capture is not None and capture.method:
        lines += capture.messages()[-40:]
    r.note("last lines of master's output and of syslog:")
    for line in lines:
        r.note("  " + line)


def deliver_message(r, name, c):
    rc, out = c.deliver(ALICE, MESSAGE)
    return r.check("%s: deliver -C imapd.conf alice: the test message reaches alice's INBOX "
                   "(LMTP, INBOX created)" % name, rc == 0, "exit %d: %s" % (rc, out))


def plain_run(setup, r, capture):
    """allowplaintext: yes: every method, every refusal, rehash, changes."""
    c = Cyrus(setup.tmp.join("plain"), setup.values, False, setup.values["saslauthd_dir"],
              setup.sasl_path, capture.env())
    c.prepare()
    failed_before = r.failed
    if not start(r, "plain", c):
        return c
    try:
        port = c.ports["pop3"]
        welcome = c.greeting(port)
        r.check("plain: the greeting carries an APOP timestamp <...@%s>" % c.values["servername"],
                re.search(r"<[^<>@\s]+@%s>" % re.escape(c.values["servername"]), welcome),
                welcome)
        capa = capabilities(port)
        r.equal("plain: CAPA offers SASL PLAIN LOGIN (sasl_mech_list)", capa.get("SASL"),
                ["PLAIN", "LOGIN"])
        r.check("plain: CAPA offers USER", "USER" in capa, repr(capa))
        deliver_message(r, "plain", c)

        secret_of = {"APOP": ALICE_APOP}
        for method in METHODS:
            right = secret_of.get(method, ALICE_PW)
            what = "secret" if method == "APOP" else "password"
            before = route_counts(capture, ALICE)
            want_ok(r, "plain: %s alice, right %s: accepted, STAT shows the message"
                    % (method, what), attempt(port, method, ALICE, right), 1)
            check_route(r, "plain", capture, method, before, ALICE)
            want_refused(r, "plain: %s alice, wrong %s: refused" % (method, what),
                         attempt(port, method, ALICE, WRONG_PW))
            want_refused(r, "plain: %s unknown user: refused" % method,
                         attempt(port, method, MALLORY, MALLORY_PW))
            want_refused(r, "plain: %s carol (nologin), right %s: refused" % (method, what),
                         attempt(port, method, CAROL,
                                 CAROL_APOP if method == "APOP" else CAROL_PW))

        # Two secrets, two uses: neither opens the other door.
        want_refused(r, "plain: APOP alice with her login password: refused "
                     "(the login hash is never served as userPassword)",
                     attempt(port, "APOP", ALICE, ALICE_PW))
        for method in PASSWORD_METHODS:
            want_refused(r, "plain: %s alice with her APOP secret: refused" % method,
                         attempt(port, method, ALICE, ALICE_APOP))
        want_refused(r, "plain: APOP bob (no APOP secret): refused",
                     attempt(port, "APOP", BOB, BOB_PW))

        # Rehash on login, by the plugin inside pop3d (user cyrus) and by
        # pam_mailpass inside saslauthd (root).
        rehashes = (
            # method, user, password, what the login did, who rehashed (where), whose rehash
            ("AUTH PLAIN", BOB, BOB_PW, "accepted, INBOX created (STAT 0)",
             "the SASL plugin (pop3d, user cyrus)", "the plugin's"),
            ("USER/PASS", DAVE, DAVE_PW, "accepted",
             "pam_mailpass (saslauthd, root)", "pam_mailpass's"),
        )
        for method, user, password, accepted, by, whose in rehashes:
            before = setup.hash_of(user)
            want_ok(r, "plain: %s %s (lower-cost hash): %s" % (method, user, accepted),
                    attempt(port, method, user, password), 0)
            after = setup.hash_of(user)
            setup.remember_secrets()
            r.check("plain: %s's hash rehashed to the configured cost by %s" % (user, by),
                    before != after and "$argon2id$v=19$%s$" % TARGET_COST in after,
                    "before %s, after %s" % (before, after))
            r.equal("plain: the store is still cyrus:mail 0640 after %s rehash" % whose,
                    setup.owner_mode(setup.store), ("cyrus", "mail", "0640"))
        want_ok(r, "plain: AUTH LOGIN bob after the rehash: accepted",
                attempt(port, "AUTH LOGIN", BOB, BOB_PW), 0)
        want_ok(r, "plain: APOP alice after both rehashes: accepted (the plugin still reads "
                "the store)", attempt(port, "APOP", ALICE, ALICE_APOP), 1)

        # A changed password and a changed APOP secret count at the next login:
        # no cache in saslauthd (no -c), none in the plugin.
        proc = setup.mailpass(["user", "passwd", ALICE], ALICE_PW2 + "\n")
        ok_pw = r.check("plain: mailpass user passwd alice", proc.returncode == 0,
                        proc.stderr.decode("utf-8", "replace"))
        proc = setup.mailpass(["user", "apop", ALICE], ALICE_APOP2 + "\n")
        ok_apop = r.check("plain: mailpass user apop alice (a new secret)", proc.returncode == 0,
                          proc.stderr.decode("utf-8", "replace"))
        setup.remember_secrets()
        r.equal("plain: the store is still cyrus:mail 0640 after mailpass user passwd/apop",
                setup.owner_mode(setup.store), ("cyrus", "mail", "0640"))
        if ok_pw:
            for method in ("USER/PASS", "AUTH PLAIN"):
                want_refused(r, "plain: %s alice, old password after the change: refused"
                             % method, attempt(port, method, ALICE, ALICE_PW))
                want_ok(r, "plain: %s alice, new password: accepted" % method,
                        attempt(port, method, ALICE, ALICE_PW2), 1)
        if ok_apop:
            want_refused(r, "plain: APOP alice, old secret after the change: refused",
                         attempt(port, "APOP", ALICE, ALICE_APOP))
            want_ok(r, "plain: APOP alice, new secret: accepted",
                    attempt(port, "APOP", ALICE, ALICE_APOP2), 1)
        # Back to the first password and secret, for the TLS run.
        setup.mailpass(["user", "passwd", ALICE], ALICE_PW + "\n")
        setup.mailpass(["user", "apop", ALICE], ALICE_APOP + "\n")
        setup.remember_secrets()
    finally:
        c.stop()
    return finish(r, "plain", c, capture, failed_before)


def stock_plugins(directory):
    """Whether directory holds libsasl2-modules' PLAIN and LOGIN."""
    return all(glob.glob(os.path.join(directory, name + "*"))
               for name in ("libplain.so", "liblogin.so"))


def installed_plugin_dir(setup):
    """The plugin directory as "make install" leaves it: the system's plugins and ours."""
    path = mirror_dir(setup.system_dir, setup.tmp.join("sasl2-installed"))
    target = os.path.join(path, "libmailpass.so")
    shutil.copyfile(os.path.join(setup.plugin_dir, "libmailpass.so"), target)
    os.chmod(target, 0o644)
    return path


def stock_run(setup, r, capture):
    """The stock PLAIN and LOGIN (libsasl2-modules) loaded beside the plugin's.

    libsasl2 then offers one PLAIN and one LOGIN, picked among the two
    plugins by its own rules.  With sasl_pwcheck_method: saslauthd, the
    stock ones check the password with sasl_checkpass(), that is through
    saslauthd and pam_mailpass: whichever is picked, mailpass decides, and
    the APOP secret is not a password.
    """
    if setup.system_dir is None or not stock_plugins(setup.system_dir):
        r.skip("stock-plugins run", "no libplain.so and liblogin.so in %s "
               "(apt-get install libsasl2-modules)" % ", ".join(SYSTEM_SASL_DIRS))
        return None
    c = Cyrus(setup.tmp.join("stock"), setup.values, False, setup.values["saslauthd_dir"],
              installed_plugin_dir(setup), capture.env())
    c.prepare()
    failed_before = r.failed
    if not start(r, "stock plugins", c):
        return c
    try:
        port = c.ports["pop3"]
        capa = capabilities(port)
        r.equal("stock plugins: CAPA offers SASL PLAIN LOGIN, each once", capa.get("SASL"),
                ["PLAIN", "LOGIN"])
        deliver_message(r, "stock plugins", c)
        served = {}
        for method in ("AUTH PLAIN", "AUTH LOGIN"):
            capture.settle()
            plugin_before = capture.count(r"mailpass %s: service=pop user=alice "
                                        % method.split()[1])
            pam_before = capture.count(r"pam_mailpass\(pop:auth\): .* user=alice ")
            want_ok(r, "stock plugins: %s alice, right password: accepted, STAT" % method,
                    attempt(port, method, ALICE, ALICE_PW), 1)
            capture.settle()
            if capture.count(r"mailpass %s: service=pop user=alice "
                           % method.split()[1]) > plugin_before:
                served[method] = "the plugin's mechanism"
            elif capture.count(r"pam_mailpass\(pop:auth\): .* user=alice ") > pam_before:
                served[method] = "the stock mechanism, through saslauthd and pam_mailpass"
            else:
                served[method] = "unknown (no log line)"
            want_refused(r, "stock plugins: %s alice, wrong password: refused" % method,
                         attempt(port, method, ALICE, WRONG_PW))
            want_refused(r, "stock plugins: %s alice with her APOP secret: refused" % method,
                         attempt(port, method, ALICE, ALICE_APOP))
            want_refused(r, "stock plugins: %s unknown user: refused" % method,
                         attempt(port, method, MALLORY, MALLORY_PW))
        for method, how in sorted(served.items()):
            r.note("stock plugins: %s was served by %s" % (method, how))
        if capture.method:
            r.check("stock plugins: each mechanism's decision was logged by mailpass "
                    "(the plugin or pam_mailpass)",
                    all(not how.startswith("unknown") for how in served.values()),
                    repr(served))
        want_ok(r, "stock plugins: APOP alice: accepted (the mailpass auxprop)",
                attempt(port, "APOP", ALICE, ALICE_APOP), 1)
        want_ok(r, "stock plugins: USER/PASS alice: accepted",
                attempt(port, "USER/PASS", ALICE, ALICE_PW), 1)
    finally:
        c.stop()
    return finish(r, "stock plugins", c, capture, failed_before)


def tls_run(setup, r, capture):
    """allowplaintext: no: cleartext methods only over TLS."""
    try:
        cert, key = u.make_certificate(setup.tmp.path, "pop3", ips=("127.0.0.1",))
    except (u.Skip, RuntimeError) as e:
        r.skip("TLS run", getattr(e, "reason", str(e)))
        return None
    # pop3d reads the key as user cyrus.
    chown_cyrus(key, 0o600)
    values = dict(setup.values, cert=cert, key=key)
    c = Cyrus(setup.tmp.join("tls"), values, True, setup.values["saslauthd_dir"],
              setup.sasl_path, capture.env())
    c.prepare()
    ctx = tls_context(cert)
    failed_before = r.failed
    if not start(r, "TLS", c):
        return c
    try:
        port, sport = c.ports["pop3"], c.ports["pop3s"]
        deliver_message(r, "TLS", c)
        for method in PASSWORD_METHODS:
            want_ok(r, "TLS: implicit TLS, %s alice, right password: accepted, STAT" % method,
                    attempt(sport, method, ALICE, ALICE_PW, "implicit", ctx), 1)
            want_refused(r, "TLS: implicit TLS, %s alice, wrong password: refused" % method,
                         attempt(sport, method, ALICE, WRONG_PW, "implicit", ctx))
            want_refused(r, "TLS: implicit TLS, %s unknown user: refused" % method,
                         attempt(sport, method, MALLORY, MALLORY_PW, "implicit", ctx))
        for method in ("USER/PASS", "AUTH PLAIN"):
            want_ok(r, "TLS: STLS, %s alice, right password: accepted, STAT" % method,
                    attempt(port, method, ALICE, ALICE_PW, "stls", ctx), 1)
        want_refused(r, "TLS: STLS, AUTH LOGIN alice, wrong password: refused",
                     attempt(port, "AUTH LOGIN", ALICE, WRONG_PW, "stls", ctx))
        want_ok(r, "TLS: implicit TLS, APOP alice, right secret: accepted",
                attempt(sport, "APOP", ALICE, ALICE_APOP, "implicit", ctx), 1)

        capa = capabilities(port)
        r.check("TLS: CAPA without TLS offers STLS, neither USER nor a SASL mechanism",
                "STLS" in capa and "USER" not in capa and not capa.get("SASL"), repr(capa))
        capa_tls = capabilities(port, "stls", ctx)
        r.equal("TLS: CAPA after STLS offers SASL PLAIN LOGIN", capa_tls.get("SASL"),
                ["PLAIN", "LOGIN"])

        # Without TLS, the cleartext methods never reach libsasl2.
        module_calls = r"mailpass (PLAIN|LOGIN): service=pop |pam_mailpass\(pop:auth\)"
        capture.settle()
        calls_before = capture.count(module_calls)
        refusal = {"USER/PASS": "-ERR [AUTH] USER command only available under a layer",
                   "AUTH PLAIN": "-ERR [AUTH] authenticating: encryption needed to use mechanism",
                   "AUTH LOGIN": "-ERR [AUTH] authenticating: encryption needed to use mechanism"}
        for method in PASSWORD_METHODS:
            want_refused(r, "TLS: %s without TLS, right password: refused by Cyrus" % method,
                         attempt(port, method, ALICE, ALICE_PW), refusal[method])
        if capture.method:
            capture.settle()
            r.check("TLS: the refused cleartext logins reached neither the plugin nor PAM",
                    capture.count(module_calls) == calls_before,
                    "lines before %d, after %d" % (calls_before,
                                                   capture.count(module_calls)))
        # APOP sends no password: Cyrus allows it without TLS.
        want_ok(r, "TLS: APOP alice without TLS: accepted (no cleartext password on the wire)",
                attempt(port, "APOP", ALICE, ALICE_APOP), 1)

        if shutil.which("curl") is None:
            r.skip("TLS: curl", "curl not found (apt-get install curl)")
        else:
            listing = "1 "
            rc, out, err = curl("pop3s://127.0.0.1:%d/" % sport, ALICE, ALICE_PW,
                                ["--cacert", cert])
            r.check("TLS: curl pop3s:// --user alice (implicit TLS, verified): lists the message",
                    rc == 0 and out.startswith(listing), "exit %d, %r %s" % (rc, out, err))
            rc, out, err = curl("pop3://127.0.0.1:%d/" % port, ALICE, ALICE_PW,
                                ["--ssl-reqd", "--cacert", cert])
            r.check("TLS: curl pop3:// --ssl-reqd (STLS, verified): lists the message",
                    rc == 0 and out.startswith(listing), "exit %d, %r %s" % (rc, out, err))
            rc, out, err = curl("pop3s://127.0.0.1:%d/" % sport, ALICE, ALICE_APOP,
                                ["--cacert", cert, "--login-options", "AUTH=+APOP"])
            r.check("TLS: curl pop3s:// --login-options AUTH=+APOP with the APOP secret: "
                    "lists the message",
                    rc == 0 and out.startswith(listing), "exit %d, %r %s" % (rc, out, err))
            rc, out, err = curl("pop3s://127.0.0.1:%d/" % sport, ALICE, WRONG_PW,
                                ["--cacert", cert])
            r.check("TLS: curl pop3s:// with a wrong password: login denied (exit 67)",
                    rc == 67, "exit %d, %r %s" % (rc, out, err))
            c.curl_output += out + err
    finally:
        c.stop()
    return finish(r, "TLS", c, capture, failed_before)


def check_logs(setup, r, capture, servers):
    if capture.method is None:
        r.skip("log lines", "no syslog capture: " + capture.reason)
    else:
        capture.settle()
        lines = capture.messages()
        r.note("syslog capture (%s): %d lines" % (capture.method, len(lines)))
        remote = r"remote=127\.0\.0\.1;\d+"
        wanted = [
            ("the auxprop plugin served alice's APOP secret",
             r"mailpass auxprop: user=alice: APOP secret given as userPassword"),
            ("the auxprop plugin served nothing for bob (no APOP secret)",
             r"mailpass auxprop: user=bob: no userPassword"),
            ("the auxprop plugin served nothing for carol (nologin)",
             r"mailpass auxprop: user=carol: no userPassword"),
            ("the auxprop plugin: mallory unknown",
             r"mailpass auxprop: user=mallory: no userPassword: USER_UNKNOWN"),
            ("Cyrus: alice logged in with APOP",
             r"\[127\.0\.0\.1\] alice APOP User logged in"),
            ("the plugin's PLAIN accepted alice",
             r"mailpass PLAIN: service=pop user=alice %s: OK " % remote),
            ("the plugin's PLAIN refused a wrong password",
             r"mailpass PLAIN: service=pop user=alice %s: MISMATCH " % remote),
            ("the plugin's PLAIN: unknown user",
             r"mailpass PLAIN: service=pop user=mallory %s: USER_UNKNOWN " % remote),
            ("the plugin's PLAIN: carol disabled",
             r"mailpass PLAIN: service=pop user=carol %s: DISABLED " % remote),
            ("the plugin's LOGIN accepted alice",
             r"mailpass LOGIN: service=pop user=alice %s: OK " % remote),
            ("the plugin rehashed bob", r"mailpass PLAIN: rehash for user=bob: rehashed"),
            ("Cyrus: alice logged in with PLAIN", r"\[127\.0\.0\.1\] alice PLAIN User logged in"),
            ("Cyrus: alice logged in with LOGIN", r"\[127\.0\.0\.1\] alice LOGIN User logged in"),
            ("USER/PASS: pam_mailpass (in saslauthd) accepted alice",
             r"pam_mailpass\(pop:auth\): authenticate: service=pop user=alice rhost=-: OK "),
            ("USER/PASS: pam_mailpass refused a wrong password",
             r"pam_mailpass\(pop:auth\): authenticate: service=pop user=alice rhost=-: MISMATCH "),
            ("USER/PASS: pam_mailpass: unknown user",
             r"pam_mailpass\(pop:auth\): authenticate: service=pop user=mallory rhost=-: "
             r"USER_UNKNOWN "),
            ("USER/PASS: pam_mailpass: carol disabled",
             r"pam_mailpass\(pop:auth\): authenticate: service=pop user=carol rhost=-: DISABLED "),
            ("Cyrus: alice logged in with USER/PASS",
             r"\[127\.0\.0\.1\] alice plaintext User logged in"),
        ]
        for label, pattern in wanted:
            r.check("syslog: %s" % label, any(re.search(pattern, l) for l in lines),
                    "no line matches %r" % pattern)
        leaked = u.find_secrets("\n".join(lines), secrets() | setup.stored_values)
        r.check("syslog: no password, APOP secret, AUTH response, hash or key in %d lines"
                % len(lines), not leaked, "found %r" % leaked)
    outputs = setup.saslauthd.output() if setup.saslauthd else ""
    for c in servers:
        if c is not None:
            outputs += c.output() + c.deliver_output + c.curl_output
    leaked = u.find_secrets(outputs, secrets() | setup.stored_values)
    r.check("no password, APOP secret, hash or key in the output of master, saslauthd, "
            "deliver and curl", not leaked, "found %r" % leaked)


def prerequisites():
    u.require_root()
    u.require(sys.platform.startswith("linux"), "Linux only")
    for path, package in ((MASTER, "cyrus-common"), (POP3D, "cyrus-pop3d"),
                          (LMTPD, "cyrus-common"), (DELIVER, "cyrus-common"),
                          (CTL_CYRUSDB, "cyrus-common")):
        u.require(os.access(path, os.X_OK),
                  "%s not found (apt-get install %s)" % (path, package))
    saslauthd = u.require_program("saslauthd", "sasl2-bin")
    u.require_program("runuser", "util-linux")
    u.require_file(u.BIN, "mailpass (MAILPASS_BIN)")
    u.require_file(u.PAM_MODULE, "pam_mailpass.so (MAILPASS_PAM_MODULE)")
    u.require_file(os.path.join(u.SASL_PLUGIN_DIR, "libmailpass.so"),
                   "libmailpass.so (MAILPASS_SASL_PLUGIN_DIR)")
    try:
        pwd.getpwnam("cyrus")
        grp.getgrnam("mail")
    except KeyError:
        raise u.Skip("user cyrus or group mail missing (cyrus-common creates them)")
    u.require(PAM_MODE in ("", "namespace", "replace"),
              "MAILPASS_CYRUS_PAM must be namespace or replace, not %r" % PAM_MODE)
    return saslauthd


def pam_file_state():
    """The system's /etc/pam.d/pop: content and metadata, or None."""
    path = os.path.join(PAM_DIR, PAM_SERVICE)
    try:
        st = os.stat(path)
        with open(path, "rb") as f:
            return (f.read(), st.st_mode, st.st_uid, st.st_gid)
    except FileNotFoundError:
        return None


def pam_mode(tmp_pam_dir):
    """How saslauthd gets the PAM service: "namespace" or "replace"."""
    if PAM_MODE == "replace":
        return "replace", "MAILPASS_CYRUS_PAM=replace"
    ok, why = namespace_usable(tmp_pam_dir)
    if ok:
        return "namespace", ""
    if PAM_MODE == "namespace":
        raise u.Skip("MAILPASS_CYRUS_PAM=namespace, but no mount namespace: %s" % why)
    return "replace", "no mount namespace (%s)" % why


def start_saslauthd(setup, r, capture, saslauthd_exe, debug=True):
    pam_content = "# PAM service of a mailpass test (saslauthd for Cyrus pop3d)\n" + \
        "".join(l + "\n" for l in pam_lines(setup.values, debug))
    s = Saslauthd(setup.tmp, setup.values, pam_content, "namespace", capture.env())
    s.prepare()
    s.mode, why = pam_mode(s.pam_dir)
    setup.saslauthd = s
    try:
        s.start(saslauthd_exe)
    except u.ServerError as e:
        r.check("saslauthd starts", False, str(e))
        return False
    if s.mode == "namespace":
        r.note("PAM service %s/%s for saslauthd only (mount namespace): %s" % (
            PAM_DIR, PAM_SERVICE, pam_lines(setup.values, debug)[0]))
    else:
        r.note("PAM service %s/%s replaced while the test runs (%s)%s" % (
            PAM_DIR, PAM_SERVICE, why,
            "; original kept in " + s.replaced.backup_path if s.replaced.backup_path else ""))
    r.check("saslauthd -a pam (pid %d) listens on %s/mux" % (s.server.pid, s.dir), True)
    return True


def open_to_pop3d(capture):
    """With the LD_PRELOAD shim, pop3d (user cyrus) appends to the capture file."""
    if capture.method == "shim":
        fd = os.open(capture.file_path, os.O_WRONLY | os.O_CREAT, 0o666)
        os.close(fd)
        os.chmod(capture.file_path, 0o666)


def run_test(r, keep):
    saslauthd_exe = prerequisites()
    pam_before = pam_file_state()
    with u.TempDir(prefix="mailpass-e2e-cyrus.", mode=0o755, keep=keep) as tmp:
        if keep:
            r.note("temporary directory kept: " + tmp.path)
        setup = Setup(tmp, r)
        servers = []
        with u.capture_syslog(tmp.path) as capture:
            if capture.method:
                r.note("syslog capture: %s" % capture.method)
            open_to_pop3d(capture)
            setup.make_plugin_dirs()
            if not setup.make_store():
                return
            try:
                if start_saslauthd(setup, r, capture, saslauthd_exe):
                    servers.append(plain_run(setup, r, capture))
                    servers.append(tls_run(setup, r, capture))
                    servers.append(stock_run(setup, r, capture))
            finally:
                if setup.saslauthd is not None:
                    setup.saslauthd.stop()
            if setup.saslauthd is not None and setup.saslauthd.server is not None:
                u.check_stopped(r, "saslauthd stopped", setup.saslauthd)
            check_logs(setup, r, capture, servers)
    r.check("%s/%s as before the test" % (PAM_DIR, PAM_SERVICE),
            pam_file_state() == pam_before, "changed")
    u.check_doc_shows(r, DOC, "docs/cyrus.md", site_lines())


def demo():
    """One plain run, told as it happens."""
    def say(line=""):
        print(line, flush=True)

    r = u.Results(out=open(os.devnull, "w"))
    saslauthd_exe = prerequisites()
    with u.TempDir(prefix="mailpass-demo-cyrus.", mode=0o755) as tmp:
        setup = Setup(tmp, r)
        with u.capture_syslog(tmp.path) as capture:
            open_to_pop3d(capture)
            say("== Cyrus pop3d: APOP, AUTH PLAIN and USER/PASS through mailpass on 127.0.0.1")
            setup.make_plugin_dirs()
            if not setup.make_store():
                say("demo: could not create the store: %s" % ", ".join(r.failures))
                return 1
            say("+ store %s (cyrus:mail 0640): alice, Argon2id hash and a sealed APOP secret"
                % setup.store)
            c = Cyrus(tmp.join("plain"), setup.values, False, setup.values["saslauthd_dir"],
                      setup.sasl_path, capture.env())
            c.prepare()
            results = []
            try:
                # The PAM service as docs/cyrus.md writes it: without debug.
                if not start_saslauthd(setup, r, capture, saslauthd_exe, debug=False):
                    say("demo: saslauthd did not start: %s" % ", ".join(r.failures))
                    return 1
                say("+ saslauthd -a pam (pid %d), PAM service %s:" % (
                    setup.saslauthd.server.pid, PAM_SERVICE))
                for l in pam_lines(setup.values):
                    say("    " + l)
                c.start()
                port = c.ports["pop3"]
                say("+ Cyrus master (pid %d): pop3d on 127.0.0.1:%d, SASL_PATH=%s" % (
                    c.server.pid, port, setup.sasl_path))
                for l in imapd_config(setup.values, False):
                    if l[1]:
                        say("    " + l[0])
                c.deliver(ALICE, MESSAGE)
                for method, secret, label in (
                        ("APOP", ALICE_APOP, "<alice's APOP secret>"),
                        ("AUTH PLAIN", ALICE_PW, "<alice's password>"),
                        ("USER/PASS", ALICE_PW, "<alice's password>"),
                        ("USER/PASS", WRONG_PW, "<a wrong password>")):
                    a = attempt(port, method, ALICE, secret)
                    results.append(a)
                    say("+ POP3 %s alice %s: %s" % (method, label, a.resp or a.error))
                    if a.stat is not None:
                        say("+ STAT: %d message(s), %d octets" % a.stat)
            except u.ServerError as e:
                say("demo: a server did not start: %s" % e)
                return 1
            finally:
                c.stop()
                if setup.saslauthd is not None:
                    setup.saslauthd.stop()
            capture.settle()
            logged = [l for l in capture.messages()
                      if "mailpass " in l or "pam_mailpass(" in l or "User logged in" in l]
            if logged:
                say("+ logged (syslog):")
                for l in logged:
                    say("    " + l)
            leaked = u.find_secrets("\n".join(capture.messages()) + c.output() +
                                    setup.saslauthd.output(), secrets() | setup.stored_values)
            ok = all(a.accepted for a in results[:3]) and not results[3].accepted and not leaked
            if ok:
                say("== demo done: Cyrus accepted APOP (auxprop), AUTH PLAIN (the plugin's "
                    "mechanism) and USER/PASS (saslauthd, pam_mailpass) and refused a wrong "
                    "password; no secret in any log")
                return 0
            say("demo: unexpected result (%s%s)" % (
                "; ".join(map(str, results)), "; leaked %r" % leaked if leaked else ""))
            return 1


if __name__ == "__main__":
    sys.exit(u.main(sys.argv[1:], "Cyrus pop3d through mailpass, end to end.", "Cyrus",
                    run_test, demo, show_config))
