#ifndef MP_STORE_FAULTS_H
#define MP_STORE_FAULTS_H

#include <stdbool.h>

/*
 * Another process's hand, or a crash, at a chosen point of a call that
 * writes or reads a file, for the suites of tests/unit.  This program
 * defines read(), write(), fstat() and fsetxattr(); the
 * core, linked into it, calls them instead of libc's, and they call libc's
 * unless a fault is armed.  A fault happens once and then disarms itself.
 * Only one thread may arm faults, while no other thread uses the store.
 */

enum mp_fault {
	MP_FAULT_NONE,
	/* Append text to path just before the first read() of a descriptor of it. */
	MP_FAULT_APPEND_AT_READ,
	/*
	 * Append text to path at the first fstat() of a descriptor that is open
	 * for writing and is the file at path: a writer's new file after its
	 * rename.
	 */
	MP_FAULT_APPEND_AT_WRITER_FSTAT,
	/* The next fsetxattr() fails with EPERM (path and text are unused). */
	MP_FAULT_FSETXATTR_FAILS,
	/*
	 * The process kills itself (SIGKILL) at its next write() to a regular
	 * file, as a crash or a power cut would stop it (path and text unused).
	 */
	MP_FAULT_CRASH_AT_WRITE,
};

/* mp_fault_arm - arm fault on the file at path (kept, not copied), appending text. */
void mp_fault_arm(enum mp_fault fault, const char *path, const char *text);

/* mp_fault_fired - the last armed fault happened; disarms it if it did not. */
bool mp_fault_fired(void);

#endif
