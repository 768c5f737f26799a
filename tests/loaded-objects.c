/* loaded-objects.c - which shared objects this process has loaded. */
#include <link.h>
#include <stdint.h>
#include <string.h>

#include "loaded-objects.h"

static int
find_object(struct dl_phdr_info *info, size_t size, void *data)
{
	return info->dlpi_name != NULL && strstr(info->dlpi_name, data) != NULL;
}

bool
mp_test_loaded(const char *name)
{
	return dl_iterate_phdr(find_object, (void *)(uintptr_t)name) != 0;
}
