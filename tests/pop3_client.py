"""The POP3 client of the end-to-end tests (tests/e2e_dovecot.py, tests/e2e_cyrus.py).

Standard library only (poplib, ssl).  What is here:

  connect, tls_context  a connection to 127.0.0.1: plain, implicit TLS or
                        STLS, optionally from a chosen source address
  authenticate          one login: APOP, USER/PASS, AUTH PLAIN or AUTH LOGIN
  attempt, Attempt      one connection, one login, STAT (and the first
                        message's header) when accepted, QUIT
  want_refused          the check that a login was refused by the server
  curl                  curl lists the mailbox (a second, independent client)
  b64, sent_forms       the forms in which a client sends a secret, which
                        no log may show

Every socket times out after e2e_util.SOCKET_TIMEOUT seconds.
"""

import base64
import poplib
import shutil
import socket
import ssl

import e2e_util as u

HOST = "127.0.0.1"


def b64(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.b64encode(data).decode("ascii")


def sent_forms(secrets, users):
    """Every secret and the forms a client sends it in: the logs must show none.

    The forms: base64 (AUTH LOGIN) and the AUTH PLAIN responses of each user,
    with and without an authorization identity.
    """
    out = set()
    for secret in secrets:
        out.add(secret)
        out.add(b64(secret))
        for user in users:
            out.add(b64("\0%s\0%s" % (user, secret)))
            out.add(b64("%s\0%s\0%s" % (user, user, secret)))
    return out


class Pop3From(poplib.POP3):
    """poplib.POP3 whose connection starts from a chosen source address."""

    source = None

    def _create_socket(self, timeout):
        source = (self.source, 0) if self.source else None
        return socket.create_connection((self.host, self.port), timeout,
                                        source_address=source)


class Pop3SslFrom(poplib.POP3_SSL):
    """poplib.POP3_SSL (TLS from the start) from a chosen source address."""

    source = None

    def _create_socket(self, timeout):
        source = (self.source, 0) if self.source else None
        sock = socket.create_connection((self.host, self.port), timeout,
                                        source_address=source)
        return self.context.wrap_socket(sock, server_hostname=self.host)


def tls_context(cafile):
    """A client context that verifies the server against the test's CA."""
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.check_hostname = True
    return ctx


def connect(port, mode="plain", ctx=None, source=None):
    """mode: "plain", "implicit" (TLS from the start) or "stls".

    source: the client's address (None: the system picks one).
    """
    if mode == "implicit":
        cls = type("C", (Pop3SslFrom,), {"source": source})
        return cls(HOST, port, timeout=u.SOCKET_TIMEOUT, context=ctx)
    cls = type("C", (Pop3From,), {"source": source})
    client = cls(HOST, port, timeout=u.SOCKET_TIMEOUT)
    if mode == "stls":
        client.stls(ctx)
    return client


def capabilities(port, mode="plain", ctx=None, source=None):
    """The server's CAPA answer as a dict (poplib.POP3.capa) on a connection of its own."""
    client = connect(port, mode, ctx, source)
    try:
        return client.capa()
    finally:
        client.close()


def text(resp):
    if isinstance(resp, poplib.error_proto):
        resp = resp.args[0] if resp.args else b""
    if isinstance(resp, bytes):
        resp = resp.decode("utf-8", "replace")
    return str(resp)


def authenticate(client, method, user, secret):
    """Log in; return (accepted, last server response as text)."""
    try:
        if method == "APOP":
            # poplib computes MD5(timestamp + secret) from the greeting's timestamp.
            resp = client.apop(user, secret)
        elif method == "USER/PASS":
            client.user(user)
            resp = client.pass_(secret)
        elif method == "AUTH PLAIN":
            resp = client._shortcmd("AUTH PLAIN " + b64("\0%s\0%s" % (user, secret)))
        elif method == "AUTH LOGIN":
            client._shortcmd("AUTH LOGIN")
            client._shortcmd(b64(user))
            resp = client._shortcmd(b64(secret))
        else:
            raise ValueError(method)
    except poplib.error_proto as e:
        return False, text(e)
    return text(resp).startswith("+OK"), text(resp)


class Attempt:
    """What one login did: accepted, the last response, STAT, the first header, an error."""

    def __init__(self):
        self.accepted = False
        self.resp = ""
        self.stat = None
        self.top = b""
        self.error = None

    def __str__(self):
        if self.error:
            return "error: " + self.error
        out = self.resp
        if self.stat is not None:
            out += ", STAT %d %d" % self.stat
        return out


def attempt(port, method, user, secret, mode="plain", ctx=None, source=None):
    """One connection, one login, STAT (and the first message's header) when accepted, QUIT."""
    a = Attempt()
    client = None
    try:
        client = connect(port, mode, ctx, source)
        a.accepted, a.resp = authenticate(client, method, user, secret)
        if a.accepted:
            a.stat = client.stat()
            if a.stat[0] > 0:
                a.top = b"\n".join(client.top(1, 0)[1])
            client.quit()
            client = None
    except (OSError, poplib.error_proto, ssl.SSLError) as e:
        a.accepted = False
        a.error = "%s: %s" % (type(e).__name__,
                              text(e) if isinstance(e, poplib.error_proto) else e)
    finally:
        if client is not None:
            try:
                client.close()
            except OSError:
                pass
    return a


def want_refused(r, label, a, contains="-ERR [AUTH]"):
    """One check: the server refused the login a with a response that contains contains."""
    ok = not a.accepted and a.error is None and contains in a.resp
    return r.check(label, ok, "%s (want a response with %r)" % (a, contains))


def curl(url, user, password, extra=()):
    """curl lists the mailbox; the credentials go through its config on stdin.

    Returns (exit status, stdout, stderr).
    """
    exe = shutil.which("curl")
    config = 'user = "%s:%s"\n' % (user, password)
    argv = [exe, "-sS", "--max-time", "10", "-K", "-"] + list(extra) + [url]
    proc = u.run(argv, input=config, timeout=20)
    return proc.returncode, proc.stdout.decode("utf-8", "replace"), \
        proc.stderr.decode("utf-8", "replace").strip()
