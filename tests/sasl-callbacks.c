/* sasl-callbacks.c - the callbacks of a libsasl2 server that loads the built plugin. */
#include <stdio.h>
#include <string.h>

#include "sasl-callbacks.h"

static int
cb_getpath(void *context, const char **path)
{
	const struct mp_test_sasl_server *server = context;

	*path = server->plugin_dir;
	return SASL_OK;
}

static int
cb_getconfpath(void *context, char **path)
{
	const struct mp_test_sasl_server *server = context;

	*path = server->conf_dir;
	return SASL_OK;
}

static int
cb_getopt(void *context, const char *plugin_name, const char *option, const char **result,
	  unsigned *len)
{
	const struct mp_test_sasl_server *server = context;
	const char *value = NULL;

	if (strcmp(option, "mailpass_conf") == 0)
		value = server->mailpass_conf;
	else if (strcmp(option, "mech_list") == 0)
		value = "PLAIN LOGIN";
	else if (strcmp(option, "auxprop_plugin") == 0)
		value = server->auxprop_plugin != NULL ? server->auxprop_plugin : "mailpass";
	else if (strcmp(option, "pwcheck_method") == 0)
		value = server->pwcheck_method;
	if (value == NULL)
		return SASL_FAIL;
	*result = value;
	if (len != NULL)
		*len = (unsigned)strlen(value);
	return SASL_OK;
}

static int
cb_log_drop(void *context, int level, const char *message)
{
	return SASL_OK;
}

/* The callbacks cast to the generic type by way of the one type any function casts to. */
#define CALLBACK(f) ((int (*)(void))(void (*)(void))(f))

const sasl_callback_t *
mp_test_sasl_callbacks(struct mp_test_sasl_server *server)
{
	sasl_callback_t *next = server->callbacks;

	if (server->plugin_dir != NULL)
		*next++ = (sasl_callback_t){ SASL_CB_GETPATH, CALLBACK(cb_getpath), server };
	*next++ = (sasl_callback_t){ SASL_CB_GETCONFPATH, CALLBACK(cb_getconfpath), server };
	*next++ = (sasl_callback_t){ SASL_CB_GETOPT, CALLBACK(cb_getopt), server };
	*next++ = (sasl_callback_t){ SASL_CB_LOG,
				     CALLBACK(server->log != NULL ? server->log : cb_log_drop),
				     server };
	*next = (sasl_callback_t){ SASL_CB_LIST_END, NULL, NULL };
	return server->callbacks;
}

int
mp_test_sasl_login(sasl_conn_t *conn, const char *user, unsigned user_len,
		   const char *password, unsigned password_len)
{
	const char *out = NULL;
	unsigned outlen = 0;
	int ret;

	ret = sasl_server_start(conn, "LOGIN", NULL, 0, &out, &outlen);
	if (ret == SASL_CONTINUE)
		ret = sasl_server_step(conn, user, user_len, &out, &outlen);
	if (ret == SASL_CONTINUE)
		ret = sasl_server_step(conn, password, password_len, &out, &outlen);
	return ret;
}

bool
mp_test_sasl_dir_of(const char *path, char *dir, size_t size)
{
	char *slash;

	if (snprintf(dir, size, "%s", path) >= (int)size)
		return false;
	slash = strrchr(dir, '/');
	if (slash == NULL)
		snprintf(dir, size, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	return true;
}
