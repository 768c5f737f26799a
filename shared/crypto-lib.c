/*
 * crypto-lib.c - libsodium and Nettle, dlopen()ed on first need.
 *
 * Each library has one pthread_once: the first caller loads it and fills
 * its table, or records why it could not; the table and the reason are
 * written only there, and read only after pthread_once has returned.  The
 * handles are never closed: the tables point into the libraries for as long
 * as the process lives.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "crypto-lib.h"

#ifndef MP_SODIUM_SONAME
#error "MP_SODIUM_SONAME is not defined: configure finds it"
#endif
#ifndef MP_NETTLE_SONAME
#error "MP_NETTLE_SONAME is not defined: configure finds it"
#endif

/*
 * RESOLVE - set table->name to the library's symbol name; clears ok when it
 * is missing.  The cast turns dlsym's void * into the member's own type.
 */
#define RESOLVE(name)								\
	if (ok) {								\
		table->name = (__typeof__(table->name))dlsym(handle, #name);	\
		ok = table->name != NULL;					\
	}

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static struct mp_sodium sodium_table;
/* NULL once the table is usable; until then, and after a failure, why not. */
static const char *sodium_failure = "cannot load libsodium";

static pthread_once_t nettle_once = PTHREAD_ONCE_INIT;
static struct mp_nettle nettle_table;
static const char *nettle_failure = "cannot load Nettle";

static void
sodium_load_once(void)
{
	struct mp_sodium *table = &sodium_table;
	__typeof__(sodium_init) *init;
	bool ok = true;
	void *handle;

	handle = dlopen(MP_SODIUM_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (handle == NULL)
		return;
	MP_SODIUM_SYMBOLS(RESOLVE)
	init = (__typeof__(init))dlsym(handle, "sodium_init");
	if (!ok || init == NULL) {
		sodium_failure = "cannot load libsodium: a symbol is missing";
		return;
	}
	/* 1 means another user in this process initialised it first: fine. */
	if (init() < 0) {
		sodium_failure = "libsodium failed to initialise";
		return;
	}
	sodium_failure = NULL;
}

static void
nettle_load_once(void)
{
	struct mp_nettle *table = &nettle_table;
	bool ok = true;
	void *handle;

	handle = dlopen(MP_NETTLE_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (handle == NULL)
		return;
	MP_NETTLE_SYMBOLS(RESOLVE)
	if (!ok) {
		nettle_failure = "cannot load Nettle: a symbol is missing";
		return;
	}
	nettle_failure = NULL;
}

/*
 * loaded - run load once in this process; true when it succeeded, false
 * with what it left in *failure (or once_error) in *reason_r.
 */
static bool
loaded(pthread_once_t *once, void (*load)(void), const char *const *failure,
       const char *once_error, const char **reason_r)
{
	if (pthread_once(once, load) != 0) {
		*reason_r = once_error;
		return false;
	}
	if (*failure != NULL) {
		*reason_r = *failure;
		return false;
	}
	return true;
}

const struct mp_sodium *
mp_sodium_load(const char **reason_r)
{
	return loaded(&sodium_once, sodium_load_once, &sodium_failure, "cannot load libsodium",
		      reason_r) ? &sodium_table : NULL;
}

const struct mp_nettle *
mp_nettle_load(const char **reason_r)
{
	return loaded(&nettle_once, nettle_load_once, &nettle_failure, "cannot load Nettle",
		      reason_r) ? &nettle_table : NULL;
}
