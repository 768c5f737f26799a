/*
 * fuzz-sasl.h - the SASL server parameters the mechanisms of
 * sasl-plugin/ see from libsasl2, built by hand for fuzz-sasl-plain.c and
 * fuzz-sasl-login.c.  Only the public plugin interface of <sasl/saslplug.h>
 * is used: utils->malloc/free/seterror/log/getopt and params->canon_user.
 * The mechanisms run for real against a temporary store and configuration
 * made by fuzz_sasl_setup() (cheap schemes, Argon2 at its minimum for the
 * dummy verification of unknown users, no rehash), so that the whole
 * path from the client's bytes to mp_auth_verify() is fuzzed.
 */
#ifndef MP_FUZZ_SASL_H
#define MP_FUZZ_SASL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sasl/sasl.h>
#include <sasl/saslplug.h>

#include "mp-limits.h"
#include "plugin.h"

static char fuzz_conf_path[256];
static char fuzz_log[2048];
static char fuzz_authid[MP_USER_MAX + 1], fuzz_user[MP_USER_MAX + 1];

static void *
fuzz_malloc(size_t n)
{
	return malloc(n);
}

static void
fuzz_free(void *p)
{
	free(p);
}

static void
fuzz_seterror(sasl_conn_t *conn, unsigned flags, const char *fmt, ...)
{
	va_list ap;

	(void)conn;
	(void)flags;
	va_start(ap, fmt);
	vsnprintf(fuzz_log, sizeof(fuzz_log), fmt, ap);
	va_end(ap);
}

static void
fuzz_log_cb(sasl_conn_t *conn, int level, const char *fmt, ...)
{
	va_list ap;

	(void)conn;
	(void)level;
	va_start(ap, fmt);
	vsnprintf(fuzz_log, sizeof(fuzz_log), fmt, ap);
	va_end(ap);
	if (getenv("MP_FUZZ_SASL_LOG") != NULL)
		fprintf(stderr, "log: %s\n", fuzz_log);
}

static int
fuzz_getopt(void *context, const char *plugin_name, const char *option, const char **result,
	    unsigned *len)
{
	(void)context;
	(void)plugin_name;
	if (strcmp(option, MP_SASL_OPT_CONF) != 0)
		return SASL_FAIL;
	*result = fuzz_conf_path;
	if (len != NULL)
		*len = (unsigned)strlen(fuzz_conf_path);
	return SASL_OK;
}

/* fuzz_canon_user - what libsasl2's default canonicaliser does, minus realms. */
static int
fuzz_canon_user(sasl_conn_t *conn, const char *in, unsigned len, unsigned flags,
		sasl_out_params_t *oparams)
{
	(void)conn;
	if (len == 0 || len > MP_USER_MAX)
		return SASL_BADPROT;
	if ((flags & SASL_CU_AUTHID) != 0) {
		memcpy(fuzz_authid, in, len);
		fuzz_authid[len] = '\0';
		oparams->authid = fuzz_authid;
		oparams->alen = len;
	}
	if ((flags & SASL_CU_AUTHZID) != 0) {
		memcpy(fuzz_user, in, len);
		fuzz_user[len] = '\0';
		oparams->user = fuzz_user;
		oparams->ulen = len;
	}
	return SASL_OK;
}

static sasl_utils_t fuzz_utils;
static sasl_server_params_t fuzz_params;

static void
fuzz_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0 || chmod(path, 0600) != 0)
		abort();
}

/* fuzz_sasl_setup - a private store and configuration, and the parameters. */
static void
fuzz_sasl_setup(void)
{
	char dir[] = "/tmp/mailpass-fuzz-sasl.XXXXXX", path[256], text[512];

	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/passwd", dir);
	fuzz_write(path,
		   "alice:{PLAIN}secret\n"
		   "bob:{SSHA256}UK+QI/Q4Gum/gM66oxvRZt/MX3un1jZ5zb1d1vU2lYwp786Z\n"
		   "carol@example.org:{PLAIN-MD5}5ebe2294ecd0e0f08eab7690d2a6ee69:::::: apop={PLAIN}x\n"
		   "dave:!{PLAIN}secret\n"
		   "erin:{PLAIN}secret:::::: nologin\n");
	snprintf(text, sizeof(text),
		 "store = file:%s\nscheme = ARGON2ID\nargon2_opslimit = 1\nargon2_memlimit = 8K\n"
		 "argon2_max_opslimit = 2\nargon2_max_memlimit = 64K\nrehash = no\n", path);
	snprintf(fuzz_conf_path, sizeof(fuzz_conf_path), "%s/mailpass.conf", dir);
	fuzz_write(fuzz_conf_path, text);

	fuzz_utils.malloc = fuzz_malloc;
	fuzz_utils.free = fuzz_free;
	fuzz_utils.seterror = fuzz_seterror;
	fuzz_utils.log = fuzz_log_cb;
	fuzz_utils.getopt = fuzz_getopt;
	fuzz_params.utils = &fuzz_utils;
	fuzz_params.canon_user = fuzz_canon_user;
	fuzz_params.service = "smtp";
}

#endif
