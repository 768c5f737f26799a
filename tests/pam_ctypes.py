"""The real libpam from Python, through ctypes.

pam_start_confdir() reads the service file from a directory of the test's
own, so no root and no /etc/pam.d are needed.  The conversation answers
every prompt that hides its input with the password and every prompt that
shows it with the user name, and counts the prompts.
"""

import ctypes
import ctypes.util
import os

PAM_SUCCESS = 0
PAM_PROMPT_ECHO_OFF = 1
PAM_PROMPT_ECHO_ON = 2
PAM_CONV_ERR = 19


def _sanitizer_runtime_loaded():
    with open("/proc/self/maps") as maps:
        return "libasan" in maps.read()


# A --enable-sanitizers build of the module can only be loaded into a
# process that preloaded the sanitizer runtimes (e2e_util.reexec_sanitized).
if os.environ.get("MAILPASS_SANITIZER_PRELOAD") and not _sanitizer_runtime_loaded():
    raise RuntimeError("pam_ctypes: sanitizer build, but this process did not preload "
                       "MAILPASS_SANITIZER_PRELOAD; call e2e_util.reexec_sanitized() first")

_libpam = ctypes.CDLL(ctypes.util.find_library("pam") or "libpam.so.0")
# malloc and strdup as the process resolves them (dlopen(NULL)), not libc's
# own: libpam frees the replies with free(), which is the sanitizer's when its
# runtime is preloaded.
_libc = ctypes.CDLL(None)
_libc.malloc.restype = ctypes.c_void_p
_libc.malloc.argtypes = [ctypes.c_size_t]
_libc.strdup.restype = ctypes.c_void_p
_libc.strdup.argtypes = [ctypes.c_char_p]


class _Message(ctypes.Structure):
    _fields_ = [("msg_style", ctypes.c_int), ("msg", ctypes.c_char_p)]


class _Response(ctypes.Structure):
    _fields_ = [("resp", ctypes.c_void_p), ("resp_retcode", ctypes.c_int)]


_CONV_FUNC = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int,
                              ctypes.POINTER(ctypes.POINTER(_Message)),
                              ctypes.POINTER(ctypes.POINTER(_Response)),
                              ctypes.c_void_p)


class _Conv(ctypes.Structure):
    _fields_ = [("conv", _CONV_FUNC), ("appdata_ptr", ctypes.c_void_p)]


_libpam.pam_start_confdir.argtypes = [ctypes.c_char_p, ctypes.c_char_p,
                                      ctypes.POINTER(_Conv), ctypes.c_char_p,
                                      ctypes.POINTER(ctypes.c_void_p)]
_libpam.pam_start_confdir.restype = ctypes.c_int
for _name in ("pam_authenticate", "pam_acct_mgmt", "pam_chauthtok"):
    getattr(_libpam, _name).argtypes = [ctypes.c_void_p, ctypes.c_int]
    getattr(_libpam, _name).restype = ctypes.c_int
_libpam.pam_end.argtypes = [ctypes.c_void_p, ctypes.c_int]
_libpam.pam_end.restype = ctypes.c_int
_libpam.pam_strerror.argtypes = [ctypes.c_void_p, ctypes.c_int]
_libpam.pam_strerror.restype = ctypes.c_char_p


def strerror(code):
    return _libpam.pam_strerror(None, code).decode()


def run(confdir, service, user, password, operation="authenticate"):
    """Run one PAM operation; return (code, number of prompts answered)."""
    prompts = [0]

    def conversation(count, messages, responses, appdata):
        array = _libc.malloc(ctypes.sizeof(_Response) * count)
        if not array:
            return PAM_CONV_ERR
        ctypes.memset(array, 0, ctypes.sizeof(_Response) * count)
        replies = ctypes.cast(array, ctypes.POINTER(_Response))
        for i in range(count):
            style = messages[i].contents.msg_style
            if style == PAM_PROMPT_ECHO_OFF:
                replies[i].resp = _libc.strdup(password.encode())
                prompts[0] += 1
            elif style == PAM_PROMPT_ECHO_ON:
                replies[i].resp = _libc.strdup(user.encode())
                prompts[0] += 1
        responses[0] = replies
        return PAM_SUCCESS

    conv = _Conv(_CONV_FUNC(conversation), None)
    handle = ctypes.c_void_p()
    code = _libpam.pam_start_confdir(service.encode(), user.encode(), ctypes.byref(conv),
                                     confdir.encode(), ctypes.byref(handle))
    if code != PAM_SUCCESS:
        return code, prompts[0]
    code = getattr(_libpam, "pam_" + operation)(handle, 0)
    _libpam.pam_end(handle, code)
    return code, prompts[0]
